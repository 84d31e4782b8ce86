package audit

import "fmt"

// ChainError reports the first entry at which a log stops being a valid
// chain. Seq is the entry's number, from 1, so people can find it.
type ChainError struct {
	Seq uint64
	Err error
}

// Error names the entry by number, then the reason.
func (e *ChainError) Error() string { return fmt.Sprintf("audit entry %d: %v", e.Seq, e.Err) }

// Unwrap returns the underlying reason.
func (e *ChainError) Unwrap() error { return e.Err }

// VerifyChain checks that entries form one session's unbroken chain from its
// first entry: every entry well formed, numbered in order, linked to the
// previous entry's hash and belonging to the same session as the first. It
// returns the head of the verified log or a *ChainError naming the first bad
// entry. It says nothing about whether the events make sense; verify.ReplayLog
// checks that.
func VerifyChain(entries []Entry) (Head, error) {
	var h Head
	for i := range entries {
		next, err := h.Extend(&entries[i], entries[0].Session)
		if err != nil {
			return h, err
		}
		h = next
	}
	return h, nil
}

// Extend checks the next entry of session's chain after h — well formed,
// of that session, numbered and linked to h — and returns the new head; a
// failure is a *ChainError naming the entry. VerifyChain is Extend over a
// whole log; the verifier calls it entry by entry as it streams a bundle.
func (h Head) Extend(e *Entry, session string) (Head, error) {
	seq := h.Size + 1
	if err := e.Check(); err != nil {
		return h, &ChainError{Seq: seq, Err: err}
	}
	if e.Session != session {
		return h, &ChainError{Seq: seq, Err: fmt.Errorf("belongs to session %q, not %q", e.Session, session)}
	}
	next, err := h.Append(e)
	if err != nil {
		return h, &ChainError{Seq: seq, Err: err}
	}
	return next, nil
}
