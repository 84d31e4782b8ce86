package box

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/binary"
	"testing"

	"github.com/gtank/ristretto255"
)

// TestLayoutAsSpecified rebuilds, from the text of SPEC.md 11.1–11.5 and with plain byte operations, the card key,
// the ballot bytes, a line's weights and its challenge, and compares them with what the package computes: the
// specification, not only the code, is what another implementation follows.
func TestLayoutAsSpecified(t *testing.T) {
	frame := func(b []byte) []byte {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		return append(n[:], b...)
	}
	u32 := func(v int) []byte {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(v))
		return n[:]
	}
	T := func(tag string, items ...[]byte) []byte {
		out := frame([]byte(tag))
		for _, it := range items {
			out = append(out, frame(it)...)
		}
		return out
	}
	Hs := func(b []byte) *ristretto255.Scalar {
		h := sha512.Sum512(b)
		return ristretto255.NewScalar().FromUniformBytes(h[:])
	}

	// 11.3: the card key's seed is the first 32 bytes of SHA-512(T("tinnhiem/box/v1/card-key", session, token)).
	const code = "abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567"
	seed := sha512.Sum512(T("tinnhiem/box/v1/card-key", []byte(session), []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")))
	want := ed25519.NewKeyFromSeed(seed[:32])
	got, err := CardKey(session, code)
	if err != nil || !got.Equal(want) {
		t.Fatalf("card key differs from SPEC 11.3")
	}

	p, _ := testParams(t, 2, 3)
	b, _, err := EncryptBallot(newDetRand("layout"), p, got, []int{2, MultipleMarks})
	if err != nil {
		t.Fatal(err)
	}
	ctx := [][]byte{[]byte(p.Session), p.JointKey[:], u32(p.Lines), u32(p.Options)}

	// 11.5: the ballot bytes.
	items := append(append([][]byte{}, ctx...), b.Card[:], u32(1), u32(2))
	for _, l := range b.Lines {
		for _, ct := range l.Ciphertexts {
			items = append(items, ct.Alpha[:], ct.Beta[:])
		}
		for j := range l.Challenges {
			items = append(items, l.Challenges[j][:], l.Responses[j][:])
		}
	}
	if !bytes.Equal(T("tinnhiem/box/v1/ballot", items...), b.Bytes(p)) {
		t.Fatal("ballot bytes differ from SPEC 11.5")
	}
	if !ed25519.Verify(b.Card[:], T("tinnhiem/box/v1/ballot", items...), b.Signature[:]) {
		t.Fatal("the signature is not over the ballot bytes")
	}

	// 11.4: weights and challenge of line 1 (J = {0…3}) and of line 2 (a multiple-mark line, J = {0}).
	for k, l := range b.Lines {
		var stmt [][]byte
		for _, ct := range l.Ciphertexts {
			stmt = append(stmt, ct.Alpha[:], ct.Beta[:])
		}
		d := lineWeights(p, &b.Card, k+1, l.Ciphertexts)
		for i := range d {
			w := append(append(append(append([][]byte{}, ctx...), b.Card[:], u32(k+1)), stmt...), u32(i+1))
			if Hs(T("tinnhiem/box/v1/line-weight", w...)).Equal(d[i]) != 1 {
				t.Fatalf("line %d: weight %d differs from SPEC 11.4", k+1, i+1)
			}
		}
		c := append(append(append([][]byte{}, ctx...), b.Card[:], u32(k+1), u32(len(l.Challenges))), stmt...)
		for _, h := range l.Hints {
			c = append(c, h[:])
		}
		sum := ristretto255.NewScalar()
		for _, cj := range l.Challenges {
			sum.Add(sum, cj.mustScalar())
		}
		if Hs(T("tinnhiem/box/v1/line-proof", c...)).Equal(sum) != 1 {
			t.Fatalf("line %d: the challenges do not add up to SPEC 11.4's hash", k+1)
		}
	}
}
