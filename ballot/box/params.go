package box

import (
	"crypto/ed25519"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/gtank/ristretto255"
)

// Limits of SPEC.md 11.1 and 11.6.
const (
	MaxLines    = 1000 // cadres on one ballot
	MaxOptions  = 16   // options per line
	MaxTrustees = 64   // members of the counting committee in one ceremony
)

// Params are the public parameters of one encrypted session: every ballot transcript starts with them (the
// election context), so a ballot or proof made for one session, key or ballot shape is refused under another.
type Params struct {
	Session  string // the session ID
	JointKey Point  // the trustees' joint public key Y (SPEC.md 11.6)
	Lines    int    // K, the number of lines (cadres)
	Options  int    // L, options per line: 3 for the rating, 2 for the formal vote of confidence
}

// key checks p and returns the decoded joint key.
func (p *Params) key() (*ristretto255.Element, error) {
	if err := checkSession(p.Session); err != nil {
		return nil, err
	}
	if p.Lines < 1 || p.Lines > MaxLines {
		return nil, fmt.Errorf("lines must be between 1 and %d, got %d", MaxLines, p.Lines)
	}
	if p.Options < 1 || p.Options > MaxOptions {
		return nil, fmt.Errorf("options must be between 1 and %d, got %d", MaxOptions, p.Options)
	}
	y, err := p.JointKey.element(true)
	if err != nil {
		return nil, fmt.Errorf("joint key: %w", err)
	}
	return y, nil
}

// context appends the election context items of SPEC.md 11.1.
func (p *Params) context(t *transcript) {
	t.str(p.Session)
	t.point(p.JointKey)
	t.u32(p.Lines)
	t.u32(p.Options)
}

func checkSession(s string) error {
	if s == "" || len(s) > 256 || !utf8.ValidString(s) {
		return errors.New("session must be 1 to 256 bytes of UTF-8")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return errors.New("session must not hold control characters")
		}
	}
	return nil
}

// CanonicalToken returns the canonical form of a card code (SPEC.md section 1): case and the separators space,
// tab and '-' are ignored, and what remains must be 32 base32 characters. The code is a secret, so its characters
// are mapped without a branch on their value (only separators, whose places are printed on every card, are).
func CanonicalToken(code string) (string, error) {
	out := make([]byte, 0, 32)
	bad := 0
	for i := 0; i < len(code); i++ {
		c := code[i]
		if c == ' ' || c == '\t' || c == '-' {
			continue
		}
		c -= byte(32 * inRange(c, 'a', 'z'))
		bad |= 1 ^ (inRange(c, 'A', 'Z') | inRange(c, '2', '7'))
		out = append(out, c)
	}
	if bad != 0 {
		return "", errors.New("a card code holds only the letters A-Z and digits 2-7")
	}
	if len(out) != 32 {
		return "", fmt.Errorf("a card code has 32 characters, got %d", len(out))
	}
	return string(out), nil
}

// inRange is 1 when lo ≤ c ≤ hi and 0 otherwise, computed without a branch.
func inRange(c byte, lo, hi byte) int {
	return subtle.ConstantTimeLessOrEq(int(lo), int(c)) & subtle.ConstantTimeLessOrEq(int(c), int(hi))
}

// CardKey derives the Ed25519 signing key of a card from its code (SPEC.md 11.3). The key depends on the session
// too, so one code signs nothing valid in another session; only someone holding the code can sign.
func CardKey(session, code string) (ed25519.PrivateKey, error) {
	if err := checkSession(session); err != nil {
		return nil, err
	}
	token, err := CanonicalToken(code)
	if err != nil {
		return nil, err
	}
	h := sha512.New()
	t := &transcript{h: h}
	t.str("tinnhiem/box/v1/card-key")
	t.str(session)
	t.str(token)
	return ed25519.NewKeyFromSeed(h.Sum(nil)[:32]), nil
}
