package audit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// CheckpointHeader is the first line of a checkpoint's text.
const CheckpointHeader = "tinnhiem checkpoint v1"

// Checkpoint states the head of a session's log at some moment. Signed, it
// commits the signer to every entry up to Size: a later log that does not
// extend it proves that history was rewritten.
type Checkpoint struct {
	Session string
	Head
}

// FormatCheckpoint returns the checkpoint's note text (ending in a newline).
func FormatCheckpoint(c Checkpoint) string {
	return fmt.Sprintf("%s\nsession %s\nsize %d\nhead %s\n", CheckpointHeader, c.Session, c.Size, c.Hash)
}

// ParseCheckpoint parses a checkpoint's note text, as FormatCheckpoint
// writes it and nothing else.
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	lines := strings.Split(text, "\n")
	if len(lines) != 5 || lines[4] != "" || lines[0] != CheckpointHeader {
		return c, errors.New("not a tinnhiem checkpoint")
	}
	var ok bool
	if c.Session, ok = strings.CutPrefix(lines[1], "session "); !ok || !validField(c.Session) {
		return c, errors.New("checkpoint has a malformed session line")
	}
	size, ok := strings.CutPrefix(lines[2], "size ")
	if !ok {
		return c, errors.New("checkpoint has no size line")
	}
	n, err := strconv.ParseUint(size, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != size {
		return c, errors.New("checkpoint has a malformed size")
	}
	c.Size = n
	head, ok := strings.CutPrefix(lines[3], "head ")
	if !ok {
		return c, errors.New("checkpoint has no head line")
	}
	if c.Hash, err = ParseHash(head); err != nil || head != c.Hash.String() {
		return c, errors.New("checkpoint has a malformed head hash")
	}
	return c, nil
}

// SignCheckpoint returns the signed note of c.
func SignCheckpoint(c Checkpoint, signers ...note.Signer) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: FormatCheckpoint(c)}, signers...)
	if err != nil {
		return nil, fmt.Errorf("failed to sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint verifies a signed checkpoint note against known and parses
// it. It fails unless at least one signature by a known key verifies; the
// returned note lists which did.
func OpenCheckpoint(msg []byte, known note.Verifiers) (Checkpoint, *note.Note, error) {
	n, err := note.Open(msg, known)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	return c, n, nil
}

// CheckCheckpoint checks that the checkpoint c names a log as it stands,
// the log known by its session and the hash of each entry in order: it is of
// that session, it covers at least one and at most all of the entries, and
// the entry at its size has the hash it names. It does not check the
// signature (OpenCheckpoint does) nor the chain (VerifyChain does); the
// server at start, the cosignature check and the verifier all call it, so
// that "the checkpoint matches the log" means one thing. A mismatch of size
// is a *ChainError naming the log's last entry, a mismatch of hash one
// naming the entry the checkpoint points at.
func CheckCheckpoint(c Checkpoint, session string, hashes []Hash) error {
	switch {
	case len(hashes) == 0 || c.Session != session:
		return fmt.Errorf("the checkpoint is of session %q, not of this log", c.Session)
	case c.Size == 0 || c.Size > uint64(len(hashes)):
		// The entries it names are gone: the error points at the last
		// entry the log still holds.
		return &ChainError{Seq: uint64(len(hashes)), Err: fmt.Errorf("the signed checkpoint covers %d entries, the log holds %d: entries were removed", c.Size, len(hashes))}
	case hashes[c.Size-1] != c.Hash:
		return &ChainError{Seq: c.Size, Err: fmt.Errorf("the signed checkpoint at %d names head %s, the log has %s: history was rewritten", c.Size, c.Hash, hashes[c.Size-1])}
	}
	return nil
}

// Hashes returns the hash of each entry, in order, as CheckCheckpoint
// takes them.
func Hashes(entries []Entry) []Hash {
	out := make([]Hash, len(entries))
	for i := range entries {
		out[i] = entries[i].Hash
	}
	return out
}
