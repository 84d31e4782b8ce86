package box

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gtank/ristretto255"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

const vectorsPath = "testdata/vectors.json"

// vectors is the file of SPEC.md 11.12: a whole run from a fixed seed, for another implementation to check against.
type vectors struct {
	Format             string            `json:"format"`
	About              string            `json:"about"`
	Seed               string            `json:"seed"`
	GeneratorMultiples []string          `json:"generator_multiples"`
	CardKeys           []vectorCard      `json:"card_keys"`
	Ceremony           vectorCeremony    `json:"ceremony"`
	Params             vectorParams      `json:"params"`
	Ballots            []vectorBallot    `json:"ballots"`
	Tally              json.RawMessage   `json:"tally"`
	Partials           []json.RawMessage `json:"partials"`
	Result             json.RawMessage   `json:"result"`
	// Trustees holds what each trustee of Ceremony keeps on its own device and its round-3 statement, so that
	// another implementation can check its own trustee side: its secrets are the ones NewTrustee draws from the
	// stream, its round 2 and round 3 follow from them, and so do the key shares.
	Trustees []vectorTrustee `json:"trustees"`
	// CeremonyWithComplaint is a second ceremony from its own stream, in which a dealer's share fails its check.
	CeremonyWithComplaint vectorComplaintCeremony `json:"ceremony_with_complaint"`
	// PartialFromStream is a partial decryption of Tally drawn from its own stream, so that it can be reproduced
	// without replaying the ballots' draws.
	PartialFromStream vectorPartialStream `json:"partial_from_stream"`
}

type vectorTrustee struct {
	Secret json.RawMessage `json:"secret"`
	Round3 json.RawMessage `json:"round3"`
	Key    json.RawMessage `json:"key,omitempty"`
}

// vectorComplaintCeremony is n=3, t=2 where dealer 2 sends trustee 3 the share f_2(3)+1, correctly encrypted: it
// decrypts, fails the check against dealer 2's commitments, trustee 3 complains and dealer 2 is disqualified.
type vectorComplaintCeremony struct {
	Seed     string            `json:"seed"`
	About    string            `json:"about"`
	N        int               `json:"n"`
	T        int               `json:"t"`
	Trustees []vectorTrustee   `json:"trustees"`
	Round1   []json.RawMessage `json:"round1"`
	Round2   []json.RawMessage `json:"round2"`
	Result   json.RawMessage   `json:"result"`
}

type vectorPartialStream struct {
	Seed    string          `json:"seed"`
	Partial json.RawMessage `json:"partial"`
}

type vectorCard struct {
	Session   string `json:"session"`
	Code      string `json:"code"`
	PublicKey string `json:"public_key"`
}

type vectorCeremony struct {
	N          int               `json:"n"`
	T          int               `json:"t"`
	Round1     []json.RawMessage `json:"round1"`
	Round2     []json.RawMessage `json:"round2"`
	Complaints []json.RawMessage `json:"complaints"`
	Result     json.RawMessage   `json:"result"`
}

type vectorParams struct {
	Session  string `json:"session"`
	JointKey string `json:"joint_key"`
	Lines    int    `json:"lines"`
	Options  int    `json:"options"`
}

type vectorBallot struct {
	Choices      []int           `json:"choices"`
	Code         string          `json:"code"`
	Ballot       json.RawMessage `json:"ballot"`
	BytesHex     string          `json:"ballot_bytes_hex,omitempty"`
	BytesSHA256  string          `json:"ballot_bytes_sha256"`
	Tracker      string          `json:"tracker"`
	LineWeights1 []string        `json:"line_1_weights,omitempty"`
}

const vectorSeed = "tinnhiem box vectors v1"

// The streams of the parts added after the first vectors, kept apart so that those stayed byte for byte the same.
const (
	vectorComplaintSeed = "tinnhiem box vectors v1 complaint"
	vectorPartialSeed   = "tinnhiem box vectors v1 partial"
)

var vectorCodes = []string{
	"ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567",
	"MZXW-6YTB-OI6Q-2AAA-BBBB-CCCC-DDDD-EEEE",
	"2345-6723-4567-2345-6723-4567-2345-6723",
	"QQQQ-RRRR-SSSS-TTTT-UUUU-VVVV-WWWW-XXXX",
}

// makeVectors runs the whole protocol from the fixed seed.
func makeVectors(t *testing.T) []byte {
	rnd := newDetRand(vectorSeed)
	v := vectors{Format: "tinnhiem-box-vectors/v1", Seed: vectorSeed,
		About: "SPEC.md section 11. Messages are embedded as JSON objects; each one re-encoded compactly (no white space, members in this order) gives the bytes the Format functions write. Randomness: SHA-512(seed || u64 counter) blocks, read in the order the Go code draws it; a check needs none of it."}
	for n := 0; n <= 8; n++ {
		p := multiplesPoint(n)
		v.GeneratorMultiples = append(v.GeneratorMultiples, hex.EncodeToString(p[:]))
	}
	for _, code := range vectorCodes {
		k, err := CardKey(session, code)
		if err != nil {
			t.Fatal(err)
		}
		v.CardKeys = append(v.CardKeys, vectorCard{session, code, encodeB64(k.Public().(ed25519.PublicKey))})
	}
	c := runCeremony(t, rnd, session, 3, 2, nil)
	v.Ceremony = vectorCeremony{N: 3, T: 2, Complaints: []json.RawMessage{}, Result: FormatCeremony(c.result)}
	for _, r := range c.round1 {
		v.Ceremony.Round1 = append(v.Ceremony.Round1, FormatRound1(r))
	}
	for _, r := range c.round2 {
		v.Ceremony.Round2 = append(v.Ceremony.Round2, FormatRound2(r))
	}
	p := &Params{Session: session, JointKey: c.result.JointKey, Lines: 3, Options: 3}
	v.Params = vectorParams{session, encodeB64(p.JointKey[:]), 3, 3}
	choices := [][]int{{1, 2, 3}, {0, 3, 1}, {2, MultipleMarks, 0}, {3, 1, 2}}
	var ballots []*Ballot
	for n, ch := range choices {
		key, _ := CardKey(session, vectorCodes[n])
		b, _, err := EncryptBallot(rnd, p, key, ch)
		if err != nil {
			t.Fatal(err)
		}
		if n == 3 {
			b = b.StripHints() // a ballot stored without hints verifies the same
		}
		ballots = append(ballots, b)
		bytes := b.Bytes(p)
		tr := b.Tracker(p)
		vb := vectorBallot{Choices: ch, Code: vectorCodes[n], Ballot: FormatBallot(b), BytesSHA256: hex.EncodeToString(tr[:]), Tracker: hex.EncodeToString(tr[:])}
		if n == 0 {
			vb.BytesHex = hex.EncodeToString(bytes)
			for _, d := range lineWeights(p, &b.Card, 1, b.Lines[0].Ciphertexts) {
				vb.LineWeights1 = append(vb.LineWeights1, encodeB64(d.Encode(nil)))
			}
		}
		v.Ballots = append(v.Ballots, vb)
	}
	if err := VerifyBallots(rnd, p, ballots, true); err != nil {
		t.Fatal(err)
	}
	tally, err := Sum(p, ballots)
	if err != nil {
		t.Fatal(err)
	}
	v.Tally = FormatTally(tally)
	var parts []*Partial
	for _, j := range []int{1, 3} { // trustee 2 is absent
		part, err := PartialDecrypt(rnd, p, c.keys[j], tally)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part)
		v.Partials = append(v.Partials, FormatPartial(part))
	}
	res, _, err := Combine(p, c.result, tally, parts)
	if err != nil {
		t.Fatal(err)
	}
	v.Result = FormatResult(res)
	v.Trustees = vectorTrustees(t, c)
	v.CeremonyWithComplaint = complaintCeremony(t)
	part, err := PartialDecrypt(newDetRand(vectorPartialSeed), p, c.keys[1], tally)
	if err != nil {
		t.Fatal(err)
	}
	v.PartialFromStream = vectorPartialStream{vectorPartialSeed, FormatPartial(part)}
	out, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// vectorTrustees gives each trustee's secret, its round-3 statement as the laptop tool writes it, and its key.
func vectorTrustees(t *testing.T, c *ceremony) []vectorTrustee {
	var out []vectorTrustee
	for _, ts := range c.secrets {
		st := &Round3{Session: ts.Session, Trustee: ts.Trustee, Checked: []int{}}
		against := map[int]bool{}
		for _, k := range c.complaints {
			if k.Trustee == ts.Trustee {
				st.Complaints = append(st.Complaints, k)
				against[k.Against] = true
			}
		}
		for _, r := range c.round1 {
			if r.Trustee != ts.Trustee && !against[r.Trustee] {
				st.Checked = append(st.Checked, r.Trustee)
			}
		}
		vt := vectorTrustee{Secret: FormatTrusteeSecret(ts), Round3: FormatRound3(st)}
		if k := c.keys[ts.Trustee]; k != nil {
			vt.Key = FormatTrusteeKey(k)
		}
		out = append(out, vt)
	}
	return out
}

func complaintCeremony(t *testing.T) vectorComplaintCeremony {
	c := runCeremony(t, newDetRand(vectorComplaintSeed), session, 3, 2, func(c *ceremony) {
		ts, dealer, receiver := c.secrets[1], c.round1[1], c.round1[2]
		bad := evalPolynomial(ts.Coefficients, 3)
		bad.Add(bad, scalarFromInt(1))
		dh := pointOf(ristretto255.NewElement().ScalarMult(ts.EncryptionSecret.mustScalar(), mustElement(t, receiver.EncryptionKey)))
		for n := range c.round2[1].Shares {
			if c.round2[1].Shares[n].To == 3 {
				c.round2[1].Shares[n].Ciphertext = encryptShare(session, 3, 2, 2, 3, dealer.EncryptionKey, receiver.EncryptionKey, dh, bad)
			}
		}
	})
	if len(c.complaints) != 1 || len(c.result.Qualified) != 2 {
		t.Fatalf("the tampered ceremony gave %d complaints and qualified %v", len(c.complaints), c.result.Qualified)
	}
	v := vectorComplaintCeremony{Seed: vectorComplaintSeed, N: 3, T: 2, Result: FormatCeremony(c.result), Trustees: vectorTrustees(t, c),
		About: "Dealer 2 encrypts f_2(3)+1 for trustee 3 (round 2 as drawn, then that one share replaced); trustee 3's round 3 complains; dealer 2 is disqualified (share)."}
	for _, r := range c.round1 {
		v.Round1 = append(v.Round1, FormatRound1(r))
	}
	for _, r := range c.round2 {
		v.Round2 = append(v.Round2, FormatRound2(r))
	}
	return v
}

func mustElement(t *testing.T, p Point) *ristretto255.Element {
	e, err := p.element(false)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestVectors checks that the protocol still produces the published vectors byte for byte, and checks the vectors
// the way another implementation would: from the file alone.
func TestVectors(t *testing.T) {
	got := makeVectors(t)
	if *update {
		if err := os.MkdirAll(filepath.Dir(vectorsPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from what the code produces; run with -update if the change is intended", vectorsPath)
	}
	checkVectors(t, want)
}

func compact(t *testing.T, raw json.RawMessage) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func checkVectors(t *testing.T, data []byte) {
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, ck := range v.CardKeys {
		k, err := CardKey(ck.Session, ck.Code)
		if err != nil || encodeB64(k.Public().(ed25519.PublicKey)) != ck.PublicKey {
			t.Errorf("card key of %s differs", ck.Code)
		}
	}
	var round1 []*Round1
	for _, raw := range v.Ceremony.Round1 {
		round1 = append(round1, roundTrip(t, mustParse(t, raw, ParseRound1), FormatRound1, ParseRound1))
	}
	var round2 []*Round2
	for _, raw := range v.Ceremony.Round2 {
		round2 = append(round2, mustParse(t, raw, ParseRound2))
	}
	cer, err := Qualify(session, v.Ceremony.N, v.Ceremony.T, round1, round2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(FormatCeremony(cer), compact(t, v.Ceremony.Result)) {
		t.Error("the ceremony's result does not follow from its messages")
	}
	jk, _ := parsePoint(v.Params.JointKey, true)
	p := &Params{Session: v.Params.Session, JointKey: jk, Lines: v.Params.Lines, Options: v.Params.Options}
	var ballots []*Ballot
	for n, vb := range v.Ballots {
		b := mustParse(t, vb.Ballot, ParseBallot)
		if !bytes.Equal(FormatBallot(b), compact(t, vb.Ballot)) {
			t.Errorf("ballot %d does not re-encode to its bytes", n+1)
		}
		tr := b.Tracker(p)
		if hex.EncodeToString(tr[:]) != vb.Tracker {
			t.Errorf("ballot %d: tracker differs", n+1)
		}
		if vb.BytesHex != "" && hex.EncodeToString(b.Bytes(p)) != vb.BytesHex {
			t.Errorf("ballot %d: ballot bytes differ", n+1)
		}
		if err := VerifyBallot(p, b, true); err != nil {
			t.Errorf("ballot %d: %v", n+1, err)
		}
		ballots = append(ballots, b)
	}
	tally, _ := Sum(p, ballots)
	if !bytes.Equal(FormatTally(tally), compact(t, v.Tally)) {
		t.Error("the tally is not the sum of the ballots")
	}
	var parts []*Partial
	for _, raw := range v.Partials {
		parts = append(parts, mustParse(t, raw, ParsePartial))
	}
	res := mustParse(t, v.Result, ParseResult)
	if err := VerifyResult(p, cer, tally, parts, res); err != nil {
		t.Error(err)
	}
	checkVectorTrustees(t, "ceremony", v.Trustees, round1, round2, cer)
	pfs := mustParse(t, v.PartialFromStream.Partial, ParsePartial)
	if err := VerifyPartial(p, cer, tally, pfs); err != nil {
		t.Errorf("partial_from_stream: %v", err)
	}
	wc := v.CeremonyWithComplaint
	var r1c []*Round1
	var r2c []*Round2
	var complaints []*Complaint
	for _, raw := range wc.Round1 {
		r1c = append(r1c, mustParse(t, raw, ParseRound1))
	}
	for _, raw := range wc.Round2 {
		r2c = append(r2c, mustParse(t, raw, ParseRound2))
	}
	for _, vt := range wc.Trustees {
		complaints = append(complaints, mustParse(t, vt.Round3, ParseRound3).Complaints...)
	}
	cerc, err := Qualify(session, wc.N, wc.T, r1c, r2c, complaints)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(FormatCeremony(cerc), compact(t, wc.Result)) || len(complaints) != 1 || !reflect.DeepEqual(cerc.Disqualified, []Disqualification{{2, "share"}}) {
		t.Errorf("the ceremony with a complaint: %s from %d complaints", FormatCeremony(cerc), len(complaints))
	}
	checkVectorTrustees(t, "ceremony_with_complaint", wc.Trustees, r1c, r2c, cerc)
	want := []ResultLine{{[]int{1, 1, 1}, 1, 0}, {[]int{1, 1, 1}, 1, 1}, {[]int{1, 1, 1}, 1, 0}}
	if !reflect.DeepEqual(res.Lines, want) {
		t.Errorf("result %+v, want %+v", res.Lines, want)
	}
}

// checkVectorTrustees checks each trustee's files: its secret re-encodes and gives its own round 1's commitments,
// its key follows from the messages (or it has none because it was disqualified).
func checkVectorTrustees(t *testing.T, what string, vts []vectorTrustee, round1 []*Round1, round2 []*Round2, cer *Ceremony) {
	t.Helper()
	if len(vts) != cer.N {
		t.Fatalf("%s: %d trustees, want %d", what, len(vts), cer.N)
	}
	for n, vt := range vts {
		ts := mustParse(t, vt.Secret, ParseTrusteeSecret)
		if ts.Trustee != n+1 || !bytes.Equal(FormatTrusteeSecret(ts), compact(t, vt.Secret)) {
			t.Errorf("%s: secret %d does not re-encode", what, n+1)
		}
		if got := pointOf(ristretto255.NewElement().ScalarBaseMult(ts.Coefficients[0].mustScalar())); got != round1[n].Commitments[0] {
			t.Errorf("%s: secret %d is not the one behind its round 1", what, n+1)
		}
		mustParse(t, vt.Round3, ParseRound3)
		k, err := ts.DecryptionKey(round1, round2, cer)
		switch {
		case err != nil && vt.Key != nil:
			t.Errorf("%s: trustee %d: %v", what, n+1, err)
		case err == nil && !bytes.Equal(FormatTrusteeKey(k), compact(t, vt.Key)):
			t.Errorf("%s: the key of trustee %d does not follow from the messages", what, n+1)
		}
	}
}

func mustParse[T any](t *testing.T, raw json.RawMessage, parse func([]byte) (T, error)) T {
	t.Helper()
	v, err := parse(compact(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
