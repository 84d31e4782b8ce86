package verify

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"

	"tinnhiem/audit"
)

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
