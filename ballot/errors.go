package ballot

import (
	"errors"
	"fmt"
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

// Error is the one error type of the domain. Key names the precise reason
// (e.g. "token_used") so that pages can pick a sentence in people's
// language; Message is for logs and the CLI, in English; Vietnamese, when
// set, is the same sentence for people, with its details (line numbers,
// names). No field ever holds a token.
type Error struct {
	Code       Code
	Key        string
	Message    string
	Vietnamese string
	Hint       string
}

// Error returns the English message, which never holds a token.
func (e *Error) Error() string { return e.Message }

// Is makes errors.Is match on Code and Key, so the sentinel errors below
// match any *Error with the same reason.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Key == e.Key
}

// Errorf returns an *Error with a formatted message.
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
	ErrTokenUnknown  = &Error{Code: ENotFound, Key: "token_unknown", Message: "no card with this code was issued"}
	ErrTokenUsed     = &Error{Code: EConflict, Key: "token_used", Message: "this card has already been used to vote"}
	ErrTokenRevoked  = &Error{Code: EConflict, Key: "token_revoked", Message: "this card was revoked"}
	ErrNotOpen       = &Error{Code: ELocked, Key: "session_not_open", Message: "the session is not open for voting yet"}
	ErrClosed        = &Error{Code: ELocked, Key: "session_closed", Message: "the session is closed; no more ballots are accepted"}
	ErrNotFound      = &Error{Code: ENotFound, Key: "not_found", Message: "not found"}
	ErrSessionFrozen = &Error{Code: ELocked, Key: "session_frozen", Message: "the session is open or closed; roster, cadres and cards are frozen"}
	ErrNotClosed     = &Error{Code: ELocked, Key: "session_not_closed", Message: "the vote is not closed: close the session first"}
	ErrNotTallied    = &Error{Code: ELocked, Key: "session_not_tallied", Message: "the session has not been tallied"}
	ErrNoCommittee   = &Error{Code: ELocked, Key: "no_committee", Message: "the counting committee is not named"}
	ErrCosignTwice   = &Error{Code: EConflict, Key: "cosign_duplicate", Message: "this inspector's cosignature of this checkpoint is recorded already"}
)
