// Package cli holds the command-line plumbing shared by tinnhiem,
// tinnhiem-verify and tinnhiem-load, so that the three programs report
// mistakes, parse flags and write files the same way.
//
// Every program prints an error as "PROG: error: …" on standard error,
// followed by at most one "PROG: hint: …" line, and exits 2 for a mistake in
// how it was called, 1 for anything else. The package imports neither
// database/sql nor net/http, and no cgo: the offline verifier, which must
// build without a C compiler, depends on it.
package cli

import (
	"errors"
	"fmt"
	"io"
)

// UsageError marks a mistake in how a command was called, which exits 2 and
// is followed by the command's usage line. Usage, when set, is the usage
// line to show instead of the command's (a subcommand's own).
type UsageError struct {
	Msg   string
	Usage string
}

// Error returns the message without the usage line, which Report adds.
func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError whose message is formatted as by fmt.Sprintf.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// hinted carries advice printed on its own line after the error; its
// message is the wrapped error's, so adding a hint never changes the error.
type hinted struct {
	err  error
	hint string
}

func (e *hinted) Error() string { return e.err.Error() }
func (e *hinted) Unwrap() error { return e.err }
func (e *hinted) Hint() string  { return e.hint }

// WithHint returns err with hint attached; errors.Is and errors.As still see
// err, and Report prints the hint after the error.
func WithHint(err error, hint string) error { return &hinted{err: err, hint: hint} }

// HintOf returns the hint of the first error in err's chain that has a
// Hint() string method (one made by WithHint, or any other such type), or ""
// when there is none.
func HintOf(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// Report prints err for a person on stderr as prog's error and returns the
// exit status. A *UsageError prints its message and "usage: PROG USAGE"
// (its own Usage, or usage when it has none) and gives 2; any other error
// prints its message, then its hint if it has one, and gives 1. Report must
// not be called with a nil error.
func Report(stderr io.Writer, prog string, err error, usage string) int {
	var ue *UsageError
	if errors.As(err, &ue) {
		if ue.Usage != "" {
			usage = ue.Usage
		}
		fmt.Fprintf(stderr, "%s: error: %s\n", prog, ue.Msg)
		fmt.Fprintf(stderr, "%s: hint: usage: %s %s\n", prog, prog, usage)
		return 2
	}
	PrintError(stderr, prog, err)
	return 1
}

// PrintError prints err on stderr as prog's error, then its hint if it has
// one, for a program that chooses its exit status itself.
func PrintError(stderr io.Writer, prog string, err error) {
	fmt.Fprintf(stderr, "%s: error: %v\n", prog, err)
	if h := HintOf(err); h != "" {
		fmt.Fprintf(stderr, "%s: hint: %s\n", prog, h)
	}
}
