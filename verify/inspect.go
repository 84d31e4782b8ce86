package verify

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"

	"tinnhiem/audit"
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

// ReceiptSearch looks a voter's receipt up in the TokensUsed entries of a
// log as it is read: pass its Visit as Options.Visit, and once the report
// is OK (a receipt found in a forged log proves nothing) read Seq.
type ReceiptSearch struct {
	receipt string
	// Seq is the TokensUsed entry that holds the receipt's card, 0 when no
	// card of this session with this receipt was used.
	Seq uint64
	// Err is the first TokensUsed entry whose data could not be read.
	Err error
}

// NewReceiptSearch returns a search for receipt, or an error if it is not a
// receipt at all.
func NewReceiptSearch(receipt string) (*ReceiptSearch, error) {
	if _, ok := audit.ParseReceipt(receipt); !ok {
		return nil, fmt.Errorf("%q is not a receipt (TN1- and 24 letters and digits)", receipt)
	}
	return &ReceiptSearch{receipt: receipt}, nil
}

// Visit looks at one entry; it is an Options.Visit.
func (s *ReceiptSearch) Visit(e *audit.Entry) {
	if e.Type != audit.TokensUsed || s.Seq != 0 || s.Err != nil {
		return
	}
	var d audit.TokensData
	if err := e.Decode(&d); err != nil {
		s.Err = err
		return
	}
	for _, h := range d.Hashes {
		if audit.ReceiptMatches(s.receipt, h) {
			s.Seq = e.Seq
			return
		}
	}
}

// ParsePinnedKey reads the public key an inspector pins: a note verifier
// key ("name+hash+base64"), alone or as the only line of a file, or a
// signify public key file such as keys/tinnhiem.pub.
func ParsePinnedKey(b []byte) (ed25519.PublicKey, error) {
	text := strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n"))
	if strings.HasPrefix(text, "untrusted comment:") {
		pub, err := audit.ParseSignifyPublicKey(b)
		if err != nil {
			return nil, fmt.Errorf("failed to read the signify public key: %w", err)
		}
		return pub, nil
	}
	if strings.Contains(text, "\n") {
		return nil, errors.New("a pinned key is one line: a verifier key tinnhiem+…, or a signify .pub file")
	}
	pub, err := audit.PublicKeyFromVerifierKey(text)
	if err != nil {
		return nil, fmt.Errorf("failed to read the pinned key: %w", err)
	}
	return pub, nil
}
