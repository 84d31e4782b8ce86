package box

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// JSON formats of SPEC.md 11.5–11.9. Every Format function writes compact JSON whose first member is "format";
// every Parse function refuses another format, an unknown or missing member, trailing data and any encoding that
// is not canonical, so that one value has one spelling.

// Format names, the first member of each message.
const (
	FormatBallotV1        = "tinnhiem-box-ballot/v1"
	FormatRound1V1        = "tinnhiem-box-dkg-round1/v1"
	FormatRound2V1        = "tinnhiem-box-dkg-round2/v1"
	FormatComplaintV1     = "tinnhiem-box-dkg-complaint/v1"
	FormatCeremonyV1      = "tinnhiem-box-dkg-result/v1"
	FormatTallyV1         = "tinnhiem-box-tally/v1"
	FormatPartialV1       = "tinnhiem-box-partial/v1"
	FormatResultV1        = "tinnhiem-box-result/v1"
	FormatTrusteeSecretV1 = "tinnhiem-box-trustee-secret/v1"
	FormatTrusteeKeyV1    = "tinnhiem-box-trustee-key/v1"
)

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("box: a message did not marshal: " + err.Error())
	}
	return b
}

// parseStrict decodes data into v, refusing unknown members, trailing data, a missing member of required and a
// format other than want. v's first field is the format.
func parseStrict(data []byte, want string, v any, required ...string) error {
	return parseStrictNames(data, want, v, jsonNames(reflect.TypeOf(v).Elem(), map[string]bool{}), required...)
}

// parseStrictNames is parseStrict with the member names allowed at any depth given, for a message that carries
// another one as raw JSON (the ballot inside an audit file).
func parseStrictNames(data []byte, want string, v any, names map[string]bool, required ...string) error {
	if len(required) > 0 {
		var members map[string]json.RawMessage
		if err := json.Unmarshal(data, &members); err != nil {
			return fmt.Errorf("failed to parse %s: %w", want, err)
		}
		for _, name := range required {
			if _, ok := members[name]; !ok {
				return fmt.Errorf("failed to parse %s: member %q is missing", want, name)
			}
		}
	}
	if err := checkSpelling(data, names); err != nil {
		return fmt.Errorf("failed to parse %s: %w", want, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("failed to parse %s: %w", want, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("failed to parse %s: trailing data", want)
	}
	if reflect.ValueOf(v).Elem().Field(0).String() != want {
		return fmt.Errorf("failed to parse %s: the format is not %q", want, want)
	}
	return nil
}

func parsePoint(s string, nonIdentity bool) (Point, error) {
	b, err := decodeB64(s)
	if err != nil {
		return Point{}, err
	}
	ps, err := splitPoints(b, 1, "element")
	if err != nil {
		return Point{}, err
	}
	if nonIdentity {
		if err := checkPoint(ps[0], true); err != nil {
			return Point{}, err
		}
	}
	return ps[0], nil
}

func parseScalar(s string) (Scalar, error) {
	b, err := decodeB64(s)
	if err != nil {
		return Scalar{}, err
	}
	xs, err := splitScalars(b, 1, "scalar")
	if err != nil {
		return Scalar{}, err
	}
	return xs[0], nil
}

type proofJSON struct {
	C string `json:"c"`
	S string `json:"s"`
}

func (p Proof) json() proofJSON { return proofJSON{encodeB64(p.C[:]), encodeB64(p.S[:])} }

func (p proofJSON) parse() (Proof, error) {
	c, err1 := parseScalar(p.C)
	s, err2 := parseScalar(p.S)
	if err := errors.Join(err1, err2); err != nil {
		return Proof{}, fmt.Errorf("proof: %w", err)
	}
	return Proof{c, s}, nil
}

// ---- ballot

type ballotJSON struct {
	Format string     `json:"format"`
	Card   string     `json:"card"`
	X      []int      `json:"x,omitempty"`
	Lines  []lineJSON `json:"lines"`
	Sig    string     `json:"sig"`
}

type lineJSON struct {
	CT string `json:"ct"`
	C  string `json:"c"`
	S  string `json:"s"`
	H  string `json:"h,omitempty"`
}

// FormatBallot returns the JSON of a ballot (SPEC.md 11.5), hints included when the ballot has them.
func FormatBallot(b *Ballot) []byte {
	j := ballotJSON{Format: FormatBallotV1, Card: encodeB64(b.Card[:]), X: b.MultipleMarks, Sig: encodeB64(b.Signature[:])}
	for _, l := range b.Lines {
		cts := make([]Point, 0, 2*len(l.Ciphertexts))
		for _, ct := range l.Ciphertexts {
			cts = append(cts, ct.Alpha, ct.Beta)
		}
		lj := lineJSON{CT: encodeB64(joinPoints(cts)), C: encodeB64(joinScalars(l.Challenges)), S: encodeB64(joinScalars(l.Responses))}
		if l.Hints != nil {
			lj.H = encodeB64(joinPoints(l.Hints))
		}
		j.Lines = append(j.Lines, lj)
	}
	return marshal(j)
}

// ParseBallot reads a ballot's JSON: its members, base64url and scalars are checked here; its elements are checked
// by VerifyBallot (which decodes each once), and whether the ballot is valid for a session is for VerifyBallot to say.
func ParseBallot(data []byte) (*Ballot, error) {
	var j ballotJSON
	// No member check by name: a missing card, lines or sig is empty and refused below, and the ballot is the
	// message the server parses most often.
	if err := parseStrict(data, FormatBallotV1, &j); err != nil {
		return nil, err
	}
	fail := func(err error) (*Ballot, error) { return nil, fmt.Errorf("failed to parse a ballot: %w", err) }
	b := &Ballot{MultipleMarks: j.X}
	card, err := decodeB64(j.Card)
	if err != nil || len(card) != 32 {
		return fail(errors.New("card: not a 32-byte key"))
	}
	copy(b.Card[:], card)
	sig, err := decodeB64(j.Sig)
	if err != nil || len(sig) != 64 {
		return fail(errors.New("sig: not a 64-byte signature"))
	}
	copy(b.Signature[:], sig)
	if len(j.Lines) == 0 || len(j.Lines) > MaxLines {
		return fail(fmt.Errorf("a ballot has 1 to %d lines", MaxLines))
	}
	for k, lj := range j.Lines {
		l, err := lj.parse()
		if err != nil {
			return fail(fmt.Errorf("line %d: %w", k+1, err))
		}
		b.Lines = append(b.Lines, l)
	}
	return b, nil
}

// cutPoints cuts b into 32-byte encodings without decoding them: a ballot's elements are decoded once, by
// VerifyBallot, which refuses a non-canonical one and names its line and option.
func cutPoints(b []byte) []Point {
	out := make([]Point, len(b)/32)
	for i := range out {
		copy(out[i][:], b[32*i:])
	}
	return out
}

func (lj lineJSON) parse() (Line, error) {
	ct, err := decodeB64(lj.CT)
	if err != nil {
		return Line{}, fmt.Errorf("ct: %w", err)
	}
	if len(ct) == 0 || len(ct)%64 != 0 || len(ct)/64 > MaxOptions {
		return Line{}, errors.New("ct: not a list of ciphertexts")
	}
	pts := cutPoints(ct)
	var l Line
	for i := 0; i < len(pts); i += 2 {
		l.Ciphertexts = append(l.Ciphertexts, Ciphertext{pts[i], pts[i+1]})
	}
	c, err := decodeB64(lj.C)
	if err != nil {
		return Line{}, fmt.Errorf("c: %w", err)
	}
	branches := len(c) / 32
	if branches == 0 || branches > MaxOptions+1 {
		return Line{}, errors.New("c: not a list of challenges")
	}
	if l.Challenges, err = splitScalars(c, branches, "c"); err != nil {
		return Line{}, err
	}
	s, err := decodeB64(lj.S)
	if err != nil {
		return Line{}, fmt.Errorf("s: %w", err)
	}
	if l.Responses, err = splitScalars(s, branches, "s"); err != nil {
		return Line{}, err
	}
	if lj.H != "" {
		h, err := decodeB64(lj.H)
		if err != nil {
			return Line{}, fmt.Errorf("h: %w", err)
		}
		if len(h) != 64*branches {
			return Line{}, fmt.Errorf("h: %d bytes, want %d", len(h), 64*branches)
		}
		l.Hints = cutPoints(h)
	}
	return l, nil
}

// ---- key ceremony

type round1JSON struct {
	Format             string    `json:"format"`
	Session            string    `json:"session"`
	N                  int       `json:"n"`
	T                  int       `json:"t"`
	Trustee            int       `json:"trustee"`
	EncryptionKey      string    `json:"encryption_key"`
	Commitments        []string  `json:"commitments"`
	CoefficientProof   proofJSON `json:"coefficient_proof"`
	EncryptionKeyProof proofJSON `json:"encryption_key_proof"`
}

// FormatRound1 returns the JSON of a round 1 message.
func FormatRound1(r *Round1) []byte {
	j := round1JSON{Format: FormatRound1V1, Session: r.Session, N: r.N, T: r.T, Trustee: r.Trustee,
		EncryptionKey: encodeB64(r.EncryptionKey[:]), CoefficientProof: r.CoefficientProof.json(), EncryptionKeyProof: r.EncryptionKeyProof.json()}
	for _, a := range r.Commitments {
		j.Commitments = append(j.Commitments, encodeB64(a[:]))
	}
	return marshal(j)
}

// ParseRound1 reads a round 1 message; VerifyRound1 checks its proofs.
func ParseRound1(data []byte) (*Round1, error) {
	var j round1JSON
	if err := parseStrict(data, FormatRound1V1, &j, "session", "n", "t", "trustee", "encryption_key", "commitments", "coefficient_proof", "encryption_key_proof"); err != nil {
		return nil, err
	}
	r := &Round1{Session: j.Session, N: j.N, T: j.T, Trustee: j.Trustee}
	var err error
	if r.EncryptionKey, err = parsePoint(j.EncryptionKey, true); err != nil {
		return nil, fmt.Errorf("failed to parse round 1: encryption key: %w", err)
	}
	if len(j.Commitments) == 0 || len(j.Commitments) > MaxTrustees {
		return nil, errors.New("failed to parse round 1: commitments: wrong number")
	}
	for k, a := range j.Commitments {
		p, err := parsePoint(a, k == 0)
		if err != nil {
			return nil, fmt.Errorf("failed to parse round 1: commitment %d: %w", k+1, err)
		}
		r.Commitments = append(r.Commitments, p)
	}
	if r.CoefficientProof, err = j.CoefficientProof.parse(); err != nil {
		return nil, fmt.Errorf("failed to parse round 1: coefficient %w", err)
	}
	if r.EncryptionKeyProof, err = j.EncryptionKeyProof.parse(); err != nil {
		return nil, fmt.Errorf("failed to parse round 1: encryption key %w", err)
	}
	return r, nil
}

type round2JSON struct {
	Format  string      `json:"format"`
	Session string      `json:"session"`
	Trustee int         `json:"trustee"`
	Shares  []shareJSON `json:"shares"`
}

type shareJSON struct {
	To int    `json:"to"`
	CT string `json:"ct"`
}

// FormatRound2 returns the JSON of a round 2 message.
func FormatRound2(r *Round2) []byte {
	j := round2JSON{Format: FormatRound2V1, Session: r.Session, Trustee: r.Trustee, Shares: []shareJSON{}}
	for _, s := range r.Shares {
		j.Shares = append(j.Shares, shareJSON{s.To, encodeB64(s.Ciphertext)})
	}
	return marshal(j)
}

// ParseRound2 reads a round 2 message.
func ParseRound2(data []byte) (*Round2, error) {
	var j round2JSON
	if err := parseStrict(data, FormatRound2V1, &j, "session", "trustee", "shares"); err != nil {
		return nil, err
	}
	r := &Round2{Session: j.Session, Trustee: j.Trustee}
	for _, s := range j.Shares {
		ct, err := decodeB64(s.CT)
		if err != nil || len(ct) != 48 {
			return nil, fmt.Errorf("failed to parse round 2: share for trustee %d is not 48 bytes", s.To)
		}
		r.Shares = append(r.Shares, EncryptedShare{s.To, ct})
	}
	return r, nil
}

type complaintJSON struct {
	Format  string    `json:"format"`
	Session string    `json:"session"`
	Trustee int       `json:"trustee"`
	Against int       `json:"against"`
	DH      string    `json:"dh"`
	Proof   proofJSON `json:"proof"`
}

// FormatComplaint returns the JSON of a complaint.
func FormatComplaint(c *Complaint) []byte {
	return marshal(complaintJSON{FormatComplaintV1, c.Session, c.Trustee, c.Against, encodeB64(c.DH[:]), c.Proof.json()})
}

// ParseComplaint reads a complaint; Qualify judges it.
func ParseComplaint(data []byte) (*Complaint, error) {
	var j complaintJSON
	if err := parseStrict(data, FormatComplaintV1, &j, "session", "trustee", "against", "dh", "proof"); err != nil {
		return nil, err
	}
	c := &Complaint{Session: j.Session, Trustee: j.Trustee, Against: j.Against}
	var err error
	if c.DH, err = parsePoint(j.DH, false); err != nil {
		return nil, fmt.Errorf("failed to parse a complaint: dh: %w", err)
	}
	if c.Proof, err = j.Proof.parse(); err != nil {
		return nil, fmt.Errorf("failed to parse a complaint: %w", err)
	}
	return c, nil
}

type ceremonyJSON struct {
	Format           string        `json:"format"`
	Session          string        `json:"session"`
	N                int           `json:"n"`
	T                int           `json:"t"`
	Qualified        []int         `json:"qualified"`
	Disqualified     []disqualJSON `json:"disqualified"`
	JointKey         string        `json:"joint_key"`
	VerificationKeys []vkJSON      `json:"verification_keys"`
}

type disqualJSON struct {
	Trustee int    `json:"trustee"`
	Reason  string `json:"reason"`
}

type vkJSON struct {
	Trustee int    `json:"trustee"`
	Key     string `json:"key"`
}

// FormatCeremony returns the JSON of the ceremony's outcome.
func FormatCeremony(c *Ceremony) []byte {
	j := ceremonyJSON{Format: FormatCeremonyV1, Session: c.Session, N: c.N, T: c.T, Qualified: c.Qualified,
		Disqualified: []disqualJSON{}, JointKey: encodeB64(c.JointKey[:]), VerificationKeys: []vkJSON{}}
	for _, d := range c.Disqualified {
		j.Disqualified = append(j.Disqualified, disqualJSON(d))
	}
	for _, vk := range c.VerificationKeys {
		j.VerificationKeys = append(j.VerificationKeys, vkJSON{vk.Trustee, encodeB64(vk.Key[:])})
	}
	return marshal(j)
}

// ParseCeremony reads the ceremony's outcome. A verifier does not trust it: it recomputes it with Qualify and
// compares.
func ParseCeremony(data []byte) (*Ceremony, error) {
	var j ceremonyJSON
	if err := parseStrict(data, FormatCeremonyV1, &j, "session", "n", "t", "qualified", "disqualified", "joint_key", "verification_keys"); err != nil {
		return nil, err
	}
	c := &Ceremony{Session: j.Session, N: j.N, T: j.T, Qualified: j.Qualified}
	var err error
	if c.JointKey, err = parsePoint(j.JointKey, true); err != nil {
		return nil, fmt.Errorf("failed to parse the ceremony: joint key: %w", err)
	}
	for _, d := range j.Disqualified {
		c.Disqualified = append(c.Disqualified, Disqualification(d))
	}
	for _, vk := range j.VerificationKeys {
		p, err := parsePoint(vk.Key, false)
		if err != nil {
			return nil, fmt.Errorf("failed to parse the ceremony: key of trustee %d: %w", vk.Trustee, err)
		}
		c.VerificationKeys = append(c.VerificationKeys, VerificationKey{vk.Trustee, p})
	}
	return c, nil
}

// ---- tally, partials, result

type tallyJSON struct {
	Format        string   `json:"format"`
	Session       string   `json:"session"`
	Ballots       int      `json:"ballots"`
	Lines         []string `json:"lines"`
	MultipleMarks []int    `json:"multiple_marks"`
}

// FormatTally returns the JSON of an encrypted tally.
func FormatTally(t *Tally) []byte {
	j := tallyJSON{Format: FormatTallyV1, Session: t.Session, Ballots: t.Ballots, MultipleMarks: t.MultipleMarks}
	for _, l := range t.Lines {
		pts := make([]Point, 0, 2*len(l))
		for _, ct := range l {
			pts = append(pts, ct.Alpha, ct.Beta)
		}
		j.Lines = append(j.Lines, encodeB64(joinPoints(pts)))
	}
	return marshal(j)
}

// ParseTally reads an encrypted tally; a verifier recomputes it with Sum and compares.
func ParseTally(data []byte) (*Tally, error) {
	var j tallyJSON
	if err := parseStrict(data, FormatTallyV1, &j, "session", "ballots", "lines", "multiple_marks"); err != nil {
		return nil, err
	}
	t := &Tally{Session: j.Session, Ballots: j.Ballots, MultipleMarks: j.MultipleMarks}
	for k, s := range j.Lines {
		b, err := decodeB64(s)
		if err != nil || len(b) == 0 || len(b)%64 != 0 {
			return nil, fmt.Errorf("failed to parse the tally: line %d: not a list of ciphertexts", k+1)
		}
		pts, err := splitPoints(b, len(b)/32, "line")
		if err != nil {
			return nil, fmt.Errorf("failed to parse the tally: line %d: %w", k+1, err)
		}
		var l []Ciphertext
		for i := 0; i < len(pts); i += 2 {
			l = append(l, Ciphertext{pts[i], pts[i+1]})
		}
		t.Lines = append(t.Lines, l)
	}
	return t, nil
}

type partialJSON struct {
	Format  string            `json:"format"`
	Session string            `json:"session"`
	Trustee int               `json:"trustee"`
	Lines   []partialLineJSON `json:"lines"`
}

type partialLineJSON struct {
	D string `json:"d"`
	C string `json:"c"`
	S string `json:"s"`
}

// FormatPartial returns the JSON of a partial decryption.
func FormatPartial(p *Partial) []byte {
	j := partialJSON{Format: FormatPartialV1, Session: p.Session, Trustee: p.Trustee}
	for _, l := range p.Lines {
		cs := make([]Scalar, len(l.Proofs))
		ss := make([]Scalar, len(l.Proofs))
		for i, pr := range l.Proofs {
			cs[i], ss[i] = pr.C, pr.S
		}
		j.Lines = append(j.Lines, partialLineJSON{encodeB64(joinPoints(l.Shares)), encodeB64(joinScalars(cs)), encodeB64(joinScalars(ss))})
	}
	return marshal(j)
}

// ParsePartial reads a partial decryption; VerifyPartial checks it.
func ParsePartial(data []byte) (*Partial, error) {
	var j partialJSON
	if err := parseStrict(data, FormatPartialV1, &j, "session", "trustee", "lines"); err != nil {
		return nil, err
	}
	p := &Partial{Session: j.Session, Trustee: j.Trustee}
	for k, lj := range j.Lines {
		fail := func(err error) (*Partial, error) {
			return nil, fmt.Errorf("failed to parse a partial decryption: line %d: %w", k+1, err)
		}
		d, err := decodeB64(lj.D)
		if err != nil || len(d) == 0 || len(d)%32 != 0 {
			return fail(errors.New("d: not a list of elements"))
		}
		n := len(d) / 32
		var pl PartialLine
		if pl.Shares, err = splitPoints(d, n, "d"); err != nil {
			return fail(err)
		}
		c, err1 := decodeB64(lj.C)
		s, err2 := decodeB64(lj.S)
		if err := errors.Join(err1, err2); err != nil {
			return fail(err)
		}
		cs, err := splitScalars(c, n, "c")
		if err != nil {
			return fail(err)
		}
		ss, err := splitScalars(s, n, "s")
		if err != nil {
			return fail(err)
		}
		for i := range cs {
			pl.Proofs = append(pl.Proofs, Proof{cs[i], ss[i]})
		}
		p.Lines = append(p.Lines, pl)
	}
	return p, nil
}

type resultJSON struct {
	Format   string           `json:"format"`
	Session  string           `json:"session"`
	Ballots  int              `json:"ballots"`
	Trustees []int            `json:"trustees"`
	Lines    []resultLineJSON `json:"lines"`
}

type resultLineJSON struct {
	Counts        []int `json:"counts"`
	Invalid       int   `json:"invalid"`
	MultipleMarks int   `json:"multiple_marks"`
}

// FormatResult returns the JSON of a decrypted result.
func FormatResult(r *Result) []byte {
	j := resultJSON{Format: FormatResultV1, Session: r.Session, Ballots: r.Ballots, Trustees: r.Trustees}
	for _, l := range r.Lines {
		j.Lines = append(j.Lines, resultLineJSON(l))
	}
	return marshal(j)
}

// ParseResult reads a decrypted result; VerifyResult checks it.
func ParseResult(data []byte) (*Result, error) {
	var j resultJSON
	if err := parseStrict(data, FormatResultV1, &j, "session", "ballots", "trustees", "lines"); err != nil {
		return nil, err
	}
	r := &Result{Session: j.Session, Ballots: j.Ballots, Trustees: j.Trustees}
	for _, l := range j.Lines {
		r.Lines = append(r.Lines, ResultLine(l))
	}
	return r, nil
}

// ---- trustee files (kept on the trustee's machine only)

type trusteeSecretJSON struct {
	Format           string   `json:"format"`
	Session          string   `json:"session"`
	N                int      `json:"n"`
	T                int      `json:"t"`
	Trustee          int      `json:"trustee"`
	Coefficients     []string `json:"coefficients"`
	EncryptionSecret string   `json:"encryption_secret"`
}

// FormatTrusteeSecret returns the JSON of a trustee's ceremony secrets, for a file on its own machine.
func FormatTrusteeSecret(ts *TrusteeSecret) []byte {
	j := trusteeSecretJSON{Format: FormatTrusteeSecretV1, Session: ts.Session, N: ts.N, T: ts.T, Trustee: ts.Trustee,
		EncryptionSecret: encodeB64(ts.EncryptionSecret[:])}
	for _, c := range ts.Coefficients {
		j.Coefficients = append(j.Coefficients, encodeB64(c[:]))
	}
	return marshal(j)
}

// ParseTrusteeSecret reads a trustee's ceremony secrets.
func ParseTrusteeSecret(data []byte) (*TrusteeSecret, error) {
	var j trusteeSecretJSON
	if err := parseStrict(data, FormatTrusteeSecretV1, &j, "session", "n", "t", "trustee", "coefficients", "encryption_secret"); err != nil {
		return nil, err
	}
	ts := &TrusteeSecret{Session: j.Session, N: j.N, T: j.T, Trustee: j.Trustee}
	var err error
	for _, c := range j.Coefficients {
		x, err := parseScalar(c)
		if err != nil {
			return nil, fmt.Errorf("failed to parse a trustee secret: coefficient: %w", err)
		}
		ts.Coefficients = append(ts.Coefficients, x)
	}
	if ts.EncryptionSecret, err = parseScalar(j.EncryptionSecret); err != nil {
		return nil, fmt.Errorf("failed to parse a trustee secret: encryption secret: %w", err)
	}
	if err := ts.check(); err != nil {
		return nil, fmt.Errorf("failed to parse a trustee secret: %w", err)
	}
	return ts, nil
}

type trusteeKeyJSON struct {
	Format   string `json:"format"`
	Session  string `json:"session"`
	Trustee  int    `json:"trustee"`
	JointKey string `json:"joint_key"`
	Secret   string `json:"secret"`
}

// FormatTrusteeKey returns the JSON of a trustee's key share, for a file on its own machine.
func FormatTrusteeKey(k *TrusteeKey) []byte {
	return marshal(trusteeKeyJSON{FormatTrusteeKeyV1, k.Session, k.Trustee, encodeB64(k.JointKey[:]), encodeB64(k.Secret[:])})
}

// ParseTrusteeKey reads a trustee's key share.
func ParseTrusteeKey(data []byte) (*TrusteeKey, error) {
	var j trusteeKeyJSON
	if err := parseStrict(data, FormatTrusteeKeyV1, &j, "session", "trustee", "joint_key", "secret"); err != nil {
		return nil, err
	}
	k := &TrusteeKey{Session: j.Session, Trustee: j.Trustee}
	var err error
	if k.JointKey, err = parsePoint(j.JointKey, true); err != nil {
		return nil, fmt.Errorf("failed to parse a trustee key: joint key: %w", err)
	}
	if k.Secret, err = parseScalar(j.Secret); err != nil {
		return nil, fmt.Errorf("failed to parse a trustee key: secret: %w", err)
	}
	return k, nil
}

// jsonNames collects the exact member names of t and of the structs it holds, because encoding/json matches names
// without regard to case and a message must have one spelling.
func jsonNames(t reflect.Type, names map[string]bool) map[string]bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return jsonNames(t.Elem(), names)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				names[name] = true
			}
			jsonNames(f.Type, names)
		}
	}
	return names
}

// checkSpelling refuses what encoding/json would accept but a second reader might read otherwise: a member named
// twice in one object (encoding/json keeps the last), a member name that matches only without regard to case, and a
// number not written as a plain integer (leading zeros are already refused by the JSON grammar; "-0", a fraction or
// an exponent are refused here). Whitespace between tokens is allowed: no hash or signature covers the JSON text.
func checkSpelling(data []byte, names map[string]bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		seen  map[string]bool
		isKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.seen != nil && top.isKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			name := tok.(string)
			if top.seen[name] {
				return fmt.Errorf("member %q appears twice", name)
			}
			if !names[name] {
				return fmt.Errorf("member %q is not a member of this format", name)
			}
			top.seen[name] = true
			top.isKey = false
			continue
		}
		if top != nil && top.seen != nil {
			top.isKey = true
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &frame{seen: map[string]bool{}, isKey: true})
			case '[':
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
			}
		case json.Number:
			if !canonicalInteger(string(t)) {
				return fmt.Errorf("number %s is not a plain integer", t)
			}
		}
	}
}

func canonicalInteger(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || digits == "0" && len(s) != len(digits) {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
