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

// Extends reports whether the log of old is a prefix of the log of new:
// the same session, the same key and the same entries byte for byte, so
// that a bundle copied at close proves that no history was rewritten after
// it. Both bundles must be verified on their own as well. The error is an
// *audit.ChainError naming the first entry that differs.
func Extends(old, new *audit.Bundle) error {
	switch {
	case old.Session != new.Session:
		return fmt.Errorf("the bundles are of different sessions (%q and %q)", old.Session, new.Session)
	case old.VerifierKey != new.VerifierKey:
		return fmt.Errorf("the bundles are signed by different keys (%s and %s)",
			audit.Fingerprint(old.VerifierKey), audit.Fingerprint(new.VerifierKey))
	case len(old.Entries) > len(new.Entries):
		return &audit.ChainError{Seq: uint64(len(new.Entries)) + 1,
			Err: fmt.Errorf("the old log holds %d entries, the new one only %d", len(old.Entries), len(new.Entries))}
	}
	for i := range old.Entries {
		o, n := &old.Entries[i], &new.Entries[i]
		if o.Hash != n.Hash || !bytes.Equal(o.Canonical(), n.Canonical()) {
			return &audit.ChainError{Seq: uint64(i) + 1, Err: errors.New("the entry differs between the two logs: history was rewritten")}
		}
	}
	return nil
}

// FindReceipt looks a voter's receipt up in the TokensUsed entries and
// returns the entry that holds its card. The entries must be a verified log
// (see Bundle); found is false when the card was not used in this session.
func FindReceipt(entries []audit.Entry, receipt string) (seq uint64, found bool, err error) {
	if _, ok := audit.ParseReceipt(receipt); !ok {
		return 0, false, fmt.Errorf("%q is not a receipt (TN1- and 24 letters and digits)", receipt)
	}
	for i := range entries {
		e := &entries[i]
		if e.Type != audit.TokensUsed {
			continue
		}
		var d audit.TokensData
		if err := e.Decode(&d); err != nil {
			return 0, false, err
		}
		for _, h := range d.Hashes {
			if audit.ReceiptMatches(receipt, h) {
				return e.Seq, true, nil
			}
		}
	}
	return 0, false, nil
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
