package verify

import (
	"bytes"
	"errors"
	"fmt"

	"tinnhiem/audit"
)

// Prefix is what Extends compares of a verified bundle: its session, the
// fingerprint of its key and the hash of every entry. Pass its Visit as
// Options.Visit to collect it while the bundle is verified: 32 bytes an
// entry, never the entries themselves.
type Prefix struct {
	Session     string
	Fingerprint string
	Hashes      []audit.Hash
}

// Visit records one entry of the log; it is an Options.Visit.
func (p *Prefix) Visit(e *audit.Entry) { p.Hashes = append(p.Hashes, e.Hash) }

// ExtendsPrefix reports whether old is a prefix of new: the same session,
// the same key and the same entries. Both must come from bundles that
// verified, whose chains make each hash the SHA-256 of its entry's
// canonical bytes, so that equal hashes are equal entries byte for byte.
// The error is an *audit.ChainError naming the first entry that differs.
func ExtendsPrefix(old, new Prefix) error {
	switch {
	case old.Session != new.Session:
		return fmt.Errorf("the bundles are of different sessions (%q and %q)", old.Session, new.Session)
	case old.Fingerprint != new.Fingerprint:
		return fmt.Errorf("the bundles are signed by different keys (%s and %s)", old.Fingerprint, new.Fingerprint)
	case len(old.Hashes) > len(new.Hashes):
		return &audit.ChainError{Seq: uint64(len(new.Hashes)) + 1,
			Err: fmt.Errorf("the old log holds %d entries, the new one only %d", len(old.Hashes), len(new.Hashes))}
	}
	for i, h := range old.Hashes {
		if h != new.Hashes[i] {
			return &audit.ChainError{Seq: uint64(i) + 1, Err: errors.New("the entry differs between the two logs: history was rewritten")}
		}
	}
	return nil
}

// Extends is ExtendsPrefix for two bundles held in memory, each verified
// on its own as well; it also compares the canonical bytes of each entry.
func Extends(old, new *audit.Bundle) error {
	prefix := func(b *audit.Bundle) Prefix {
		p := Prefix{Session: b.Session, Fingerprint: audit.Fingerprint(b.VerifierKey)}
		for i := range b.Entries {
			p.Visit(&b.Entries[i])
		}
		return p
	}
	if err := ExtendsPrefix(prefix(old), prefix(new)); err != nil {
		return err
	}
	for i := range old.Entries {
		if !bytes.Equal(old.Entries[i].Canonical(), new.Entries[i].Canonical()) {
			return &audit.ChainError{Seq: uint64(i) + 1, Err: errors.New("the entry differs between the two logs: history was rewritten")}
		}
	}
	return nil
}
