package box

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gtank/ristretto255"
)

const session = "2026-11-22-hoi-nghi"

// TestGroupEncodings checks the group against RFC 9496's vectors: multiples of the generator, and encodings that
// must be refused.
func TestGroupEncodings(t *testing.T) {
	multiples := []string{ // RFC 9496 A.1: 0·G … 8·G
		"0000000000000000000000000000000000000000000000000000000000000000",
		"e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
		"6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
		"94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
		"da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
		"e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
		"f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
		"44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
		"903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
	}
	for n, want := range multiples {
		got := pointOf(ristretto255.NewElement().ScalarBaseMult(scalarFromInt(n)))
		if hex.EncodeToString(got[:]) != want {
			t.Errorf("%d·G = %x, want %s", n, got, want)
		}
	}
	bad := []string{ // RFC 9496 A.2: non-canonical field elements, negative field elements, non-square x²
		"00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
	}
	for _, h := range bad {
		var p Point
		hex.Decode(p[:], []byte(h))
		if err := checkPoint(p, false); err == nil {
			t.Errorf("%s decoded, want refused", h)
		}
		if _, err := parsePoint(encodeB64(p[:]), false); err == nil {
			t.Errorf("%s parsed, want refused", h)
		}
	}
	if _, err := parsePoint(encodeB64(make([]byte, 32)), true); !errors.Is(err, errIdentity) {
		t.Errorf("identity where it is not allowed: %v, want errIdentity", err)
	}
	// ℓ itself, and ℓ+1, are not canonical scalars.
	l, _ := hex.DecodeString("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
	if _, err := parseScalar(encodeB64(l)); err == nil {
		t.Error("ℓ parsed as a scalar")
	}
	l[0]++
	if _, err := parseScalar(encodeB64(l)); err == nil {
		t.Error("ℓ+1 parsed as a scalar")
	}
	// base64url: padding, the standard alphabet and non-zero trailing bits are refused.
	var g Point = multiplesPoint(1)
	good := encodeB64(g[:])
	for _, s := range []string{good + "=", strings.Replace(good, "_", "/", 1) + "", good[:42] + "x"} {
		if s == good {
			continue
		}
		if _, err := parsePoint(s, false); err == nil {
			t.Errorf("%q parsed, want refused", s)
		}
	}
}

func multiplesPoint(n int) Point {
	return pointOf(ristretto255.NewElement().ScalarBaseMult(scalarFromInt(n)))
}

// testParams returns parameters for a joint key whose secret the test knows (a single-trustee key), for tests that
// are about ballots only.
func testParams(t testing.TB, lines, options int) (*Params, *ristretto255.Scalar) {
	x, err := randomScalar(newDetRand("joint key"))
	if err != nil {
		t.Fatal(err)
	}
	return &Params{Session: session, JointKey: pointOf(ristretto255.NewElement().ScalarBaseMult(x)), Lines: lines, Options: options}, x
}

// decryptLine reads a line with the joint secret: how the test checks what a ballot encrypts.
func decryptLine(x *ristretto255.Scalar, l Line) []int {
	var out []int
	for _, ct := range l.Ciphertexts {
		a, _ := ct.Alpha.element(true)
		b, _ := ct.Beta.element(false)
		m := ristretto255.NewElement().Subtract(b, ristretto255.NewElement().ScalarMult(x, a))
		n, _ := newDiscreteLog(1).solve(m)
		out = append(out, n)
	}
	return out
}

func TestBallotRoundTrip(t *testing.T) {
	for _, options := range []int{3, 2} {
		p, x := testParams(t, 4, options)
		key := cardKey(t, session, 1)
		choices := []int{1, 0, options, 2}
		b, secrets, err := EncryptBallot(newDetRand("ballot"), p, key, choices)
		if err != nil {
			t.Fatal(err)
		}
		if len(secrets.Randomness) != 4 || len(secrets.Randomness[0]) != options {
			t.Errorf("secrets have the wrong shape")
		}
		if err := VerifyBallot(p, b, false); err != nil {
			t.Fatalf("L=%d: %v", options, err)
		}
		for k, l := range b.Lines {
			got := decryptLine(x, l)
			for i, m := range got {
				want := 0
				if choices[k] == i+1 {
					want = 1
				}
				if m != want {
					t.Errorf("L=%d line %d option %d decrypts to %d, want %d", options, k+1, i+1, m, want)
				}
			}
		}
		js := FormatBallot(b)
		b2, err := ParseBallot(js)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(FormatBallot(b2), js) {
			t.Errorf("format(parse(json)) differs")
		}
		if b2.Tracker(p) != b.Tracker(p) {
			t.Errorf("tracker changed in a round trip")
		}
		stripped := b.StripHints()
		if stripped.Tracker(p) != b.Tracker(p) {
			t.Errorf("stripping hints changed the tracker")
		}
		if err := VerifyBallot(p, stripped, false); err != nil {
			t.Errorf("ballot without hints: %v", err)
		}
		if bytes.Contains(FormatBallot(stripped), []byte(`"h"`)) {
			t.Errorf("stripped ballot still has hints")
		}
	}
}

// TestCardKey checks that the card key depends on the code and the session, and that the code's printed forms
// give the same key.
func TestCardKey(t *testing.T) {
	a, _ := CardKey(session, "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")
	b, _ := CardKey(session, "abcdefghijklmnopqrstuvwxyz234567")
	c, _ := CardKey("another session", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
	d, _ := CardKey(session, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234577")
	if !a.Equal(b) {
		t.Error("printed and typed forms of one code give different keys")
	}
	if a.Equal(c) || a.Equal(d) {
		t.Error("another session or another code gives the same key")
	}
	for _, bad := range []string{"", "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456", "ABCDEFGHIJKLMNOPQRSTUVWXYZ2345671", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234560"} {
		if _, err := CardKey(session, bad); err == nil {
			t.Errorf("CardKey(%q) succeeded", bad)
		}
	}
}

func wantLineError(t *testing.T, err error, line, option int, what string) {
	t.Helper()
	var be *BallotError
	if !errors.As(err, &be) {
		t.Errorf("%s: got %v, want a BallotError", what, err)
		return
	}
	if be.Line != line || be.Option != option {
		t.Errorf("%s: error names line %d option %d (%v), want line %d option %d", what, be.Line, be.Option, err, line, option)
	}
}

// TestBallotTampered changes every part of a ballot in turn; each change must be refused and named. Changes to
// what is signed are re-signed with the card's key, so that the line proof itself is what refuses them.
func TestBallotTampered(t *testing.T) {
	p, _ := testParams(t, 3, 3)
	key := cardKey(t, session, 1)
	orig, _, err := EncryptBallot(newDetRand("tamper"), p, key, []int{2, 0, 3})
	if err != nil {
		t.Fatal(err)
	}
	other := multiplesPoint(7)
	cases := []struct {
		name         string
		change       func(b *Ballot)
		resign       bool
		line, option int
	}{
		{"alpha", func(b *Ballot) { b.Lines[1].Ciphertexts[2].Alpha = other }, true, 2, 0},
		{"beta", func(b *Ballot) { b.Lines[0].Ciphertexts[0].Beta = other }, true, 1, 0},
		{"identity alpha", func(b *Ballot) { b.Lines[2].Ciphertexts[1].Alpha = Point{} }, true, 3, 2},
		{"challenge", func(b *Ballot) { b.Lines[2].Challenges[1] = scalarOf(scalarFromInt(5)) }, true, 3, 0},
		{"response", func(b *Ballot) { b.Lines[0].Responses[3] = scalarOf(scalarFromInt(5)) }, true, 1, 0},
		{"hint", func(b *Ballot) { b.Lines[1].Hints[4] = other }, false, 2, 0},
		{"swapped options", func(b *Ballot) {
			b.Lines[0].Ciphertexts[0], b.Lines[0].Ciphertexts[1] = b.Lines[0].Ciphertexts[1], b.Lines[0].Ciphertexts[0]
		}, true, 1, 0},
		{"signature", func(b *Ballot) { b.Signature[10] ^= 1 }, false, 0, 0},
		{"unsigned change", func(b *Ballot) { b.Lines[0].Responses[0] = scalarOf(scalarFromInt(5)) }, false, 0, 0},
	}
	for _, c := range cases {
		for _, hints := range []bool{true, false} {
			b := cloneBallot(t, orig)
			if !hints {
				b = b.StripHints()
				if c.name == "hint" {
					continue
				}
			}
			c.change(b)
			if c.resign {
				resign(b, p, key)
			}
			// A changed but well-formed ciphertext is refused by the proof (no option named); an identity α is
			// refused by decoding, which names the option.
			wantLineError(t, VerifyBallot(p, b, false), c.line, c.option, c.name)
		}
	}
}

// TestProofBinding is what the strong Fiat–Shamir transcript buys: lines proved for one session, joint key, card or
// line position are refused anywhere else, even when the ballot is signed again by a valid card.
func TestProofBinding(t *testing.T) {
	p, _ := testParams(t, 3, 3)
	key := cardKey(t, session, 1)
	b, _, err := EncryptBallot(newDetRand("binding"), p, key, []int{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	otherSession := *p
	otherSession.Session = "another session"
	otherKey := *p
	otherKey.JointKey = multiplesPoint(3)
	cases := []struct {
		name string
		p    *Params
		key  ed25519.PrivateKey
		edit func(*Ballot)
		line int
	}{
		{"session B", &otherSession, key, nil, 1},
		{"another joint key", &otherKey, key, nil, 1},
		{"another card (ballot copying)", p, cardKey(t, session, 2), nil, 1},
		{"lines swapped", p, key, func(b *Ballot) { b.Lines[0], b.Lines[2] = b.Lines[2], b.Lines[0] }, 1},
		{"line moved", p, key, func(b *Ballot) { b.Lines[1] = b.Lines[2] }, 2},
	}
	for _, c := range cases {
		for _, hints := range []bool{true, false} {
			m := cloneBallot(t, b)
			if !hints {
				m = m.StripHints()
			}
			if c.edit != nil {
				c.edit(m)
			}
			resign(m, c.p, c.key)
			wantLineError(t, VerifyBallot(c.p, m, false), c.line, 0, c.name)
		}
	}
	// Another shape: the same ballot read as the two-option formal vote, or with fewer lines.
	twoOptions := *p
	twoOptions.Options = 2
	if err := VerifyBallot(&twoOptions, b, false); err == nil {
		t.Error("a three-option ballot verified as a two-option one")
	}
}

// TestCheatingVoterCannotProve encrypts a line with two marks and runs the honest prover on it: whatever branch it
// claims, the proof must fail.
func TestCheatingVoterCannotProve(t *testing.T) {
	p, _ := testParams(t, 1, 3)
	key := cardKey(t, session, 1)
	y, _ := p.JointKey.element(true)
	rnd := newDetRand("cheat")
	for _, marks := range [][]int{{1, 1, 0}, {1, 1, 1}, {0, 2, 0}} {
		for claim := 0; claim <= 3; claim++ {
			b := &Ballot{Lines: make([]Line, 1)}
			copy(b.Card[:], key.Public().(ed25519.PublicKey))
			l := &b.Lines[0]
			var r []*ristretto255.Scalar
			var alpha, beta []*ristretto255.Element
			for _, m := range marks {
				ri, _ := randomScalar(rnd)
				a := ristretto255.NewElement().ScalarBaseMult(ri)
				bb := ristretto255.NewElement().Add(ristretto255.NewElement().ScalarBaseMult(scalarFromInt(m)), ristretto255.NewElement().ScalarMult(ri, y))
				r, alpha, beta = append(r, ri), append(alpha, a), append(beta, bb)
				l.Ciphertexts = append(l.Ciphertexts, Ciphertext{pointOf(a), pointOf(bb)})
			}
			var err error
			l.Challenges, l.Responses, l.Hints, err = proveLine(rnd, p, y, &b.Card, 1, 4, claim, r, l.Ciphertexts, alpha, beta)
			if err != nil {
				t.Fatal(err)
			}
			resign(b, p, key)
			wantLineError(t, VerifyBallot(p, b, false), 1, 0, fmt.Sprintf("marks %v claimed as %d", marks, claim))
			if VerifyBallot(p, b.StripHints(), false) == nil {
				t.Errorf("marks %v claimed as %d verified without hints", marks, claim)
			}
		}
	}
}

func TestMultipleMarks(t *testing.T) {
	p, x := testParams(t, 3, 3)
	key := cardKey(t, session, 1)
	b, _, err := EncryptBallot(newDetRand("paper"), p, key, []int{1, MultipleMarks, 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.MultipleMarks) != 1 || b.MultipleMarks[0] != 2 || len(b.Lines[1].Challenges) != 1 {
		t.Fatalf("multiple-mark line not flagged: %v", b.MultipleMarks)
	}
	if got := decryptLine(x, b.Lines[1]); got[0]+got[1]+got[2] != 0 {
		t.Errorf("multiple-mark line encrypts %v, want no option", got)
	}
	if err := VerifyBallot(p, b, true); err != nil {
		t.Errorf("paper ballot: %v", err)
	}
	wantLineError(t, VerifyBallot(p, b, false), 2, 0, "flag on a card ballot")
	// A flag added to a line that holds a mark cannot be proved: the flagged statement allows no option.
	c, _, _ := EncryptBallot(newDetRand("paper2"), p, key, []int{1, 2, 0})
	c.MultipleMarks = []int{2}
	c.Lines[1].Challenges = c.Lines[1].Challenges[:1]
	c.Lines[1].Responses = c.Lines[1].Responses[:1]
	c.Lines[1].Hints = c.Lines[1].Hints[:2]
	resign(c, p, key)
	wantLineError(t, VerifyBallot(p, c, true), 2, 0, "flag over a mark")
	js := FormatBallot(b)
	if !bytes.Contains(js, []byte(`"x":[2]`)) {
		t.Errorf("JSON lacks the flag: %s", js[:80])
	}
}

func TestParseRefuses(t *testing.T) {
	p, _ := testParams(t, 2, 3)
	b, _, _ := EncryptBallot(newDetRand("parse"), p, cardKey(t, session, 1), []int{1, 2})
	good := string(FormatBallot(b))
	cases := map[string]string{
		"unknown member":  strings.Replace(good, `"card"`, `"extra":1,"card"`, 1),
		"missing sig":     good[:strings.Index(good, `,"sig"`)] + "}",
		"other format":    strings.Replace(good, "ballot/v1", "ballot/v2", 1),
		"trailing data":   good + "{}",
		"padded base64":   strings.Replace(good, `","lines"`, `=","lines"`, 1),
		"short signature": strings.Replace(good, `"sig":"`, `"sig":"AAAA`, 1),
		"no lines":        good[:strings.Index(good, `"lines"`)] + `"lines":[],"sig":"` + encodeB64(b.Signature[:]) + `"}`,
	}
	for name, js := range cases {
		if _, err := ParseBallot([]byte(js)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	// A non-canonical element inside a line's ciphertexts.
	var bad [32]byte
	bad[0] = 1 // a negative field element
	ct := append(bad[:], make([]byte, 32*5)...)
	js := strings.Replace(good, encodeB64(joinPoints([]Point{b.Lines[0].Ciphertexts[0].Alpha, b.Lines[0].Ciphertexts[0].Beta, b.Lines[0].Ciphertexts[1].Alpha, b.Lines[0].Ciphertexts[1].Beta, b.Lines[0].Ciphertexts[2].Alpha, b.Lines[0].Ciphertexts[2].Beta})), encodeB64(ct), 1)
	if js == good {
		t.Fatal("test did not change the ballot")
	}
	nb, err := ParseBallot([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	resign(nb, p, cardKey(t, session, 1))
	wantLineError(t, VerifyBallot(p, nb, false), 1, 1, "non-canonical alpha")
}

// TestBatchNamesBadBallot checks that a batch with one bad ballot among many fails and names it: the bad ballot is
// re-signed, so only the batched equation can catch it.
func TestBatchNamesBadBallot(t *testing.T) {
	p, _ := testParams(t, 5, 3)
	rnd := newDetRand("batch")
	var ballots []*Ballot
	for n := 0; n < 40; n++ {
		key := cardKey(t, session, n)
		b, _, err := EncryptBallot(rnd, p, key, []int{n % 4, (n + 1) % 4, (n + 2) % 4, (n + 3) % 4, 0})
		if err != nil {
			t.Fatal(err)
		}
		ballots = append(ballots, b)
	}
	if err := VerifyBallots(rnd, p, ballots, false); err != nil {
		t.Fatal(err)
	}
	bad := ballots[27]
	// s_0 changed: the challenge (hashed over hints) still matches, the equation does not.
	bad.Lines[3].Responses[0] = scalarOf(ristretto255.NewScalar().Add(bad.Lines[3].Responses[0].mustScalar(), scalarFromInt(1)))
	resign(bad, p, cardKey(t, session, 27))
	err := VerifyBallots(rnd, p, ballots, false)
	var be *BallotError
	if !errors.As(err, &be) || be.Ballot != 27 || be.Line != 4 {
		t.Fatalf("got %v, want ballot 28 line 4 named", err)
	}
}

// TestDependencies keeps the package pure: no SQL, HTTP, files or cgo among its imports.
func TestDependencies(t *testing.T) {
	for _, imp := range packageImports(t) {
		for _, bad := range []string{"database/sql", "net/http", "os", "os/exec", "net", "C"} {
			if imp == bad {
				t.Errorf("ballot/box imports %s", imp)
			}
		}
	}
}
