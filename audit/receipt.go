package audit

import (
	"bytes"
	"encoding/base32"
	"strings"
)

// ReceiptPrefix starts every receipt, so that a receipt is recognisable on
// paper and a future receipt format can be told apart.
const ReceiptPrefix = "TN1"

var receiptEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

const receiptBytes = 15

// Receipt returns the voter's receipt for a used token, given the token's
// hash: ReceiptPrefix, a dash and the first 15 bytes of the hash in base32,
// in groups of four. It shows that the card was counted, since the hash
// appears in the sealed TokensUsed entries, and nothing about the choices on
// the ballot. Anyone holding the card can recompute it.
func Receipt(tokenHash Hash) string { return receipt(ReceiptPrefix, tokenHash) }

// TrackerPrefix starts the receipt of an encrypted ballot (SPEC.md 11.3).
const TrackerPrefix = "TB1"

// TrackerCode returns the voter's receipt for an encrypted ballot, given its
// tracker (SHA-256 of the ballot bytes): TrackerPrefix and the first 15
// bytes of the tracker in base32, in groups of four. It finds the ballot
// among the sealed EncryptedBallot entries and says nothing of its content.
func TrackerCode(tracker Hash) string { return receipt(TrackerPrefix, tracker) }

// ParseTrackerCode returns the tracker prefix a receipt of an encrypted
// ballot stands for. Letter case, spaces and dashes do not matter.
func ParseTrackerCode(r string) ([]byte, bool) { return parseReceipt(TrackerPrefix, r) }

func receipt(prefix string, h Hash) string {
	enc := receiptEncoding.EncodeToString(h[:receiptBytes])
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; i < len(enc); i += 4 {
		b.WriteByte('-')
		b.WriteString(enc[i:min(i+4, len(enc))])
	}
	return b.String()
}

// ParseReceipt returns the hash prefix a receipt stands for. Letter case,
// spaces and dashes do not matter.
func ParseReceipt(r string) ([]byte, bool) { return parseReceipt(ReceiptPrefix, r) }

func parseReceipt(prefix, r string) ([]byte, bool) {
	r = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(r))
	rest, ok := strings.CutPrefix(r, prefix)
	if !ok {
		return nil, false
	}
	b, err := receiptEncoding.DecodeString(rest)
	if err != nil || len(b) != receiptBytes {
		return nil, false
	}
	return b, true
}

// ReceiptMatches reports whether a receipt stands for the token hash h.
func ReceiptMatches(receipt string, h Hash) bool {
	p, ok := ParseReceipt(receipt)
	return ok && bytes.Equal(p, h[:receiptBytes])
}
