package ballot

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an error so that the web layer can choose a status and a
// sentence for people without parsing messages.
type Code string

// The error codes.
const (
	EInvalid  Code = "invalid"   // the request or input is malformed
	ENotFound Code = "not_found" // no such session, token or member
	EConflict Code = "conflict"  // the action clashes with recorded state (token used, duplicate)
	ELocked   Code = "locked"    // the session is not in a state that allows the action
	EInternal Code = "internal"  // storage or another internal failure
)

// Args holds the details of an error (names, numbers, line numbers) by
// name, for the message catalog (internal/msg) to put into its sentences.
type Args = map[string]any

// Problem is one finding in an imported file: its line (0 for the file as
// a whole), its reason and its details.
type Problem struct {
	Line int
	Key  string
	Args Args
}

// Error is the one error type of the domain. It carries no sentence for
// people and no CLI hint: Key names the precise reason (e.g. "token_used"),
// Args its details and Problems, for an imported file, every finding; the
// message catalog (internal/msg) turns them into Vietnamese and English
// sentences for pages and the CLI, and cmd adds hints with the real flag
// values. Where one Key has several sentences, Args["variant"] names the
// one. Err is a wrapped internal cause.
//
// The rule for Error(): Message, when set, is a terse technical English
// line for logs (internal failures, storage details) and Error returns it;
// otherwise Error generates a stable line from Key, Args and Problems in a
// plain technical form, e.g.
//
//	csv_invalid: line 3: missing_column column="Chức vụ" list="roster"
//
// No field ever holds a token.
type Error struct {
	Code     Code
	Key      string
	Args     Args
	Problems []Problem
	Message  string
	Err      error
}

// Error returns the technical English line described on the type; it
// never holds a token.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Message != "" {
		b.WriteString(e.Message)
	} else {
		b.WriteString(e.Key)
		writeArgs(&b, e.Args)
		for i, p := range e.Problems {
			if i == 0 {
				b.WriteString(": ")
			} else {
				b.WriteString("; ")
			}
			if p.Line > 0 {
				fmt.Fprintf(&b, "line %d: ", p.Line)
			}
			b.WriteString(p.Key)
			writeArgs(&b, p.Args)
		}
		if b.Len() == 0 {
			b.WriteString(string(e.Code))
		}
	}
	if e.Err != nil && !strings.Contains(b.String(), e.Err.Error()) {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// writeArgs appends args sorted by name, strings quoted, so that the line
// is the same on every run.
func writeArgs(b *strings.Builder, args Args) {
	names := make([]string, 0, len(args))
	for n := range args {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		switch v := args[n].(type) {
		case string:
			fmt.Fprintf(b, " %s=%q", n, v)
		case error:
			fmt.Fprintf(b, " %s=%q", n, v.Error())
		default:
			fmt.Fprintf(b, " %s=%v", n, v)
		}
	}
}

// Unwrap returns the internal cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is match on Code and Key, so the sentinel errors below
// match any *Error with the same reason.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Key == e.Key
}

// Errorf returns an *Error without a Key whose Message, a technical detail
// for logs, is formatted from format and args.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal for errors from outside the domain.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// The errors callers branch on.
var (
	ErrTokenUnknown  = &Error{Code: ENotFound, Key: "token_unknown"}
	ErrTokenUsed     = &Error{Code: EConflict, Key: "token_used"}
	ErrTokenRevoked  = &Error{Code: EConflict, Key: "token_revoked"}
	ErrNotOpen       = &Error{Code: ELocked, Key: "session_not_open"}
	ErrClosed        = &Error{Code: ELocked, Key: "session_closed"}
	ErrNotFound      = &Error{Code: ENotFound, Key: "not_found"}
	ErrSessionFrozen = &Error{Code: ELocked, Key: "session_frozen"}
	ErrNotClosed     = &Error{Code: ELocked, Key: "session_not_closed"}
	ErrNotTallied    = &Error{Code: ELocked, Key: "session_not_tallied"}
	ErrNoCommittee   = &Error{Code: ELocked, Key: "no_committee"}
	ErrCosignTwice   = &Error{Code: EConflict, Key: "cosign_duplicate"}
	// ErrNotEncrypted refuses what only an encrypted session has (a key
	// ceremony, partial decryptions, encrypted ballots); ErrEncrypted
	// refuses a ballot in clear for an encrypted session.
	ErrNotEncrypted = &Error{Code: EInvalid, Key: "session_not_encrypted"}
	ErrEncrypted    = &Error{Code: EInvalid, Key: "session_encrypted"}
)
