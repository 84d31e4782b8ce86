package box

import (
	"crypto/ed25519"
	"crypto/sha512"
	"fmt"
	"slices"
)

// PaperTag is the protocol tag of the paper-entry key (SPEC.md 11.5.2).
const PaperTag = "tinnhiem/paper-entry/v1"

// PaperChoices turns the marks a paper ballot shows, per line the options
// ticked (1…L, in any order), into the choices of EncryptBallot: 0 for a line
// left blank, the option for one mark, MultipleMarks for two or more.
func PaperChoices(p *Params, marks [][]int) ([]int, error) {
	if len(marks) != p.Lines {
		return nil, fmt.Errorf("failed to read a paper ballot: %d lines of marks for %d lines", len(marks), p.Lines)
	}
	choices := make([]int, len(marks))
	for k, m := range marks {
		for i, o := range m {
			if o < 1 || o > p.Options || slices.Contains(m[:i], o) {
				return nil, fmt.Errorf("failed to read a paper ballot: line %d: mark %d is not an option between 1 and %d, or repeated", k+1, o, p.Options)
			}
		}
		switch len(m) {
		case 0:
		case 1:
			choices[k] = m[0]
		default:
			choices[k] = MultipleMarks
		}
	}
	return choices, nil
}

// paperKey is K_paper of SPEC.md 11.5.2: SHA-512 of T(PaperTag, session, the
// card's seed, u32(lines), and per line u32(|M_k|) then each mark in ascending
// order). Which boxes were ticked, not only the choice they make, goes in, so
// that two members who read a doubly marked line differently disagree.
func paperKey(p *Params, seed []byte, marks [][]int) []byte {
	t := &transcript{h: sha512.New()}
	t.str(PaperTag)
	t.str(p.Session)
	t.bytes(seed)
	t.u32(len(marks))
	for _, m := range marks {
		m = slices.Sorted(slices.Values(m))
		t.u32(len(m))
		for _, o := range m {
			t.u32(o)
		}
	}
	return t.h.Sum(nil)
}

// paperStream is the randomness of a paper ballot: the blocks
// SHA-512(T(PaperTag+"/stream", K_paper, u32(n))) for n = 0, 1, … read in
// order.
type paperStream struct {
	key []byte
	n   int
	buf []byte
}

func (s *paperStream) Read(b []byte) (int, error) {
	for len(s.buf) < len(b) {
		t := &transcript{h: sha512.New()}
		t.str(PaperTag + "/stream")
		t.bytes(s.key)
		t.u32(s.n)
		s.n++
		s.buf = t.h.Sum(s.buf)
	}
	copy(b, s.buf)
	s.buf = s.buf[len(b):]
	return len(b), nil
}

// EncryptPaper encrypts the marks of a paper ballot (per line the options
// ticked; several make the line a multiple-mark line, invalid for that cadre)
// with the card printed on it, drawing every random scalar from the stream
// keyed by K_paper (SPEC.md 11.5.2) instead of fresh randomness. The same
// card and the same marks always give the same ballot, byte for byte, and
// so the same tracker: that is how a second committee member's entry
// confirms the first without the server seeing any mark. Whoever lacks the
// card's code cannot compute the key.
func EncryptPaper(p *Params, card ed25519.PrivateKey, marks [][]int) (*Ballot, error) {
	if len(card) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("failed to encrypt a paper ballot: not an Ed25519 private key")
	}
	choices, err := PaperChoices(p, marks)
	if err != nil {
		return nil, err
	}
	b, _, err := EncryptBallot(&paperStream{key: paperKey(p, card.Seed(), marks)}, p, card, choices)
	if err != nil {
		return nil, fmt.Errorf("failed to encrypt a paper ballot: %w", err)
	}
	return b, nil
}
