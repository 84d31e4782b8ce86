package box

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"testing"
)

// detRand is a deterministic stream (SHA-512 of a seed and a counter) so that the test vectors are reproducible.
// It is for tests only: real callers pass crypto/rand.
type detRand struct {
	seed string
	n    uint64
	buf  []byte
}

func newDetRand(seed string) *detRand { return &detRand{seed: seed} }

func (d *detRand) Read(p []byte) (int, error) {
	for len(d.buf) < len(p) {
		var ctr [8]byte
		binary.BigEndian.PutUint64(ctr[:], d.n)
		d.n++
		block := sha512.Sum512(append([]byte(d.seed), ctr[:]...))
		d.buf = append(d.buf, block[:]...)
	}
	copy(p, d.buf)
	d.buf = d.buf[len(p):]
	return len(p), nil
}

// ceremony is a whole key ceremony run by honest trustees, each with its own secret, as the trustees' machines run it.
type ceremony struct {
	secrets    []*TrusteeSecret
	round1     []*Round1
	round2     []*Round2
	complaints []*Complaint
	result     *Ceremony
	keys       map[int]*TrusteeKey
}

// runCeremony runs the ceremony; cheat, when non-nil, may replace a dealer's round 2 before the others read it.
func runCeremony(t testing.TB, rand *detRand, session string, n, th int, cheat func(c *ceremony)) *ceremony {
	t.Helper()
	c := &ceremony{keys: map[int]*TrusteeKey{}}
	for i := 1; i <= n; i++ {
		ts, r1, err := NewTrustee(rand, session, n, th, i)
		if err != nil {
			t.Fatal(err)
		}
		c.secrets = append(c.secrets, ts)
		c.round1 = append(c.round1, r1)
	}
	for _, ts := range c.secrets {
		r2, err := ts.Round2(c.round1)
		if err != nil {
			t.Fatal(err)
		}
		c.round2 = append(c.round2, r2)
	}
	if cheat != nil {
		cheat(c)
	}
	for _, ts := range c.secrets {
		cs, err := ts.CheckShares(rand, c.round1, c.round2)
		if err != nil {
			t.Fatal(err)
		}
		c.complaints = append(c.complaints, cs...)
	}
	res, err := Qualify(session, n, th, c.round1, c.round2, c.complaints)
	if err != nil {
		t.Fatal(err)
	}
	c.result = res
	for _, ts := range c.secrets {
		k, err := ts.DecryptionKey(c.round1, c.round2, res)
		if err == nil {
			c.keys[ts.Trustee] = k
		}
	}
	return c
}

func cardKey(t testing.TB, session string, n int) ed25519.PrivateKey {
	t.Helper()
	// A code of 32 base32 characters, fixed per n, as printed on a card.
	code := fmt.Sprintf("ABCDEFGHIJKLMNOPQRSTUVWXYZ%06d", n)
	code = code[:26] + fmt.Sprintf("%06d", n)
	for i, r := range []byte(code[26:]) {
		code = code[:26+i] + string("234567"[int(r-'0')%6]) + code[27+i:]
	}
	k, err := CardKey(session, code)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// resign signs b again with key, under p: a test made to reach the line proofs past the signature check.
func resign(b *Ballot, p *Params, key ed25519.PrivateKey) {
	copy(b.Card[:], key.Public().(ed25519.PublicKey))
	copy(b.Signature[:], ed25519.Sign(key, b.Bytes(p)))
}

func cloneBallot(t testing.TB, b *Ballot) *Ballot {
	t.Helper()
	c, err := ParseBallot(FormatBallot(b))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
