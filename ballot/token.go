package ballot

import (
	"encoding/base32"
	"io"
	"strings"

	"tinnhiem/audit"
)

// TokenBytes is the number of random bytes in a token: 160 bits, above the
// 128 that DESIGN.md requires, and exactly 32 base32 characters.
const TokenBytes = 20

var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewToken returns a fresh token in its canonical form: 32 upper-case
// base32 characters, which QR codes store in their compact alphanumeric mode.
func NewToken(rand io.Reader) (string, error) {
	b := make([]byte, TokenBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", Errorf(EInternal, "failed to read randomness: %v", err)
	}
	return tokenEncoding.EncodeToString(b), nil
}

// NormalizeToken turns what a voter typed or scanned into the canonical form:
// letter case, spaces and dashes do not matter. It returns false for anything
// that cannot be a token, so that garbage is turned away before any look-up.
func NormalizeToken(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
	if len(s) != tokenEncoding.EncodedLen(TokenBytes) {
		return "", false
	}
	if _, err := tokenEncoding.DecodeString(s); err != nil {
		return "", false
	}
	return s, true
}

// HashToken returns the hash under which a token is stored and logged:
// SHA-256 of its canonical form. The token itself is never stored.
func HashToken(canonical string) audit.Hash { return audit.Sum([]byte(canonical)) }

// PaperTokenKey returns the hash under which a paper ballot's card is
// stored: SHA-256 of a label and the card's public key, not of its code.
// The committee's browser finds the card by the public key its ballot is
// signed with, so that the card code of a paper ballot never reaches the
// server: with the code, and the few possible marks of a line, the server
// could recompute a deterministic paper entry (SPEC.md 11.5.2) and read it.
func PaperTokenKey(card audit.Hash) audit.Hash {
	return audit.Sum(append([]byte("tinnhiem/paper-card/v1\x00"), card[:]...))
}

// FormatCode returns a token in groups of four for printing and typing.
func FormatCode(token string) string {
	var b strings.Builder
	for i := 0; i < len(token); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(token[i:min(i+4, len(token))])
	}
	return b.String()
}

// VoteURL returns the URL a card's QR code encodes. The scheme and host are
// upper-cased, which changes nothing for browsers, so that a base URL without
// a path fits QR's compact alphanumeric mode whole; a path is kept as given,
// since paths are case-sensitive. Servers accept /V/ and /v/ alike.
func VoteURL(baseURL, token string) string {
	base := strings.TrimRight(baseURL, "/")
	if scheme, rest, ok := strings.Cut(base, "://"); ok {
		host, path, _ := strings.Cut(rest, "/")
		base = strings.ToUpper(scheme) + "://" + strings.ToUpper(host)
		if path != "" {
			base += "/" + path
		}
	}
	return base + "/V/" + token
}
