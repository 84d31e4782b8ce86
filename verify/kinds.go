package verify

import (
	"errors"
)

// kindError sorts a replay failure into the check it fails: a used card
// that was never issued or was revoked fails "tokens", a count of sealed
// ballots that disagrees fails "ballots"; anything else fails "events".
type kindError struct {
	check string
	err   error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }

func tokenErr(err error) error  { return &kindError{CheckTokens, err} }
func ballotErr(err error) error { return &kindError{CheckBallots, err} }

// kindOf returns the check a replay error fails.
func kindOf(err error) string {
	var k *kindError
	if errors.As(err, &k) {
		return k.check
	}
	return CheckEvents
}
