// Package audit defines tinnhiem's tamper-evident record of a vote session:
// the entries of a session's hash chain, their canonical bytes, signed
// checkpoints and the verification of both.
//
// The package is pure: it reads and writes no files, databases or network
// connections, and takes randomness from its callers, so the offline verifier
// can depend on it without pulling in anything it need not trust.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Hash is a SHA-256 digest. Its text form is 64 lowercase hexadecimal digits.
type Hash [sha256.Size]byte

// Sum returns the SHA-256 digest of b.
func Sum(b []byte) Hash { return sha256.Sum256(b) }

// String returns the lowercase hexadecimal form of h.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the all-zero hash that stands before the first
// entry of every log.
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText encodes h as lowercase hexadecimal.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText accepts exactly 64 hexadecimal digits.
func (h *Hash) UnmarshalText(b []byte) error {
	parsed, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = parsed
	return nil
}

// ParseHash parses the 64-digit hexadecimal form of a hash. Upper-case digits
// are accepted so that hashes typed from paper still parse.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return h, fmt.Errorf("hash must be %d hexadecimal digits, got %d characters", 2*len(h), len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("hash is not hexadecimal: %w", err)
	}
	return h, nil
}
