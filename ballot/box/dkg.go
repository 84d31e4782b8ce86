package box

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/gtank/ristretto255"
	"golang.org/x/crypto/chacha20poly1305"
)

// The key ceremony of SPEC.md 11.6: dealerless, Pedersen's joint-Feldman protocol. Every message is public (an
// audit entry); shares travel encrypted to their receiver; a receiver's complaint reveals what anyone needs to
// judge it, so a cheating dealer or a false accuser is named without an answer round.

// Proof is a Schnorr-style proof in compact form: the challenge and the response.
type Proof struct {
	C, S Scalar
}

// Round1 is a trustee's first message: its share-encryption key, the commitments to its polynomial, and proofs
// that it knows the secrets behind the encryption key and the constant term.
type Round1 struct {
	Session            string
	N, T               int
	Trustee            int
	EncryptionKey      Point
	Commitments        []Point // A_i0 … A_i(t−1)
	CoefficientProof   Proof
	EncryptionKeyProof Proof
}

// EncryptedShare is a dealer's share for one receiver, readable only with the receiver's encryption secret.
type EncryptedShare struct {
	To         int
	Ciphertext []byte // 48 bytes: ChaCha20-Poly1305 of the 32-byte share
}

// Round2 is a dealer's second message: one encrypted share for every other trustee, in ascending order.
type Round2 struct {
	Session string
	Trustee int
	Shares  []EncryptedShare
}

// Complaint accuses a dealer of a bad share. It reveals the Diffie–Hellman value of the two trustees' encryption
// keys with a proof, so that anyone can decrypt the share and judge who lied.
type Complaint struct {
	Session string
	Trustee int // the complainer
	Against int // the dealer
	DH      Point
	Proof   Proof // c, s of the DLEQ proof log_G E_j = log_{E_i} DH
}

// Disqualification names a trustee left out of the joint key and why: "round1", "round2", "share" (a justified
// complaint against it) or "complaint" (it made a false one).
type Disqualification struct {
	Trustee int
	Reason  string
}

// VerificationKey is Y_j = x_j·G of a qualified trustee, against which its partial decryptions are checked.
type VerificationKey struct {
	Trustee int
	Key     Point
}

// Ceremony is the outcome of the key ceremony, recomputable by anyone from its messages (Qualify): who qualified,
// the joint public key, and every qualified trustee's verification key.
type Ceremony struct {
	Session          string
	N, T             int
	Qualified        []int
	Disqualified     []Disqualification
	JointKey         Point
	VerificationKeys []VerificationKey
}

// TrusteeSecret is what a trustee keeps on its own machine from round 1 on: its polynomial and its encryption
// secret. It never leaves that machine; losing it before the ceremony ends only disqualifies the trustee.
type TrusteeSecret struct {
	Session          string
	N, T             int
	Trustee          int
	Coefficients     []Scalar
	EncryptionSecret Scalar
}

// TrusteeKey is a trustee's decryption key share x_j, kept on its machine until the tally; with t of them the sums
// can be decrypted, with fewer nothing can.
type TrusteeKey struct {
	Session  string
	Trustee  int
	JointKey Point
	Secret   Scalar
}

// DefaultThreshold is the majority of n trustees.
func DefaultThreshold(n int) int { return n/2 + 1 }

func checkCeremonyShape(session string, n, t int) error {
	if err := checkSession(session); err != nil {
		return err
	}
	if n < 2 || n > MaxTrustees {
		return fmt.Errorf("the number of trustees must be between 2 and %d, got %d", MaxTrustees, n)
	}
	if t < 1 || t > n {
		return fmt.Errorf("the threshold must be between 1 and %d, got %d", n, t)
	}
	return nil
}

// NewTrustee draws trustee i's secrets and makes its round 1 message.
func NewTrustee(rand io.Reader, session string, n, t, i int) (*TrusteeSecret, *Round1, error) {
	if err := checkCeremonyShape(session, n, t); err != nil {
		return nil, nil, fmt.Errorf("failed to start the key ceremony: %w", err)
	}
	if i < 1 || i > n {
		return nil, nil, fmt.Errorf("failed to start the key ceremony: trustee %d is not between 1 and %d", i, n)
	}
	ts := &TrusteeSecret{Session: session, N: n, T: t, Trustee: i, Coefficients: make([]Scalar, t)}
	r1 := &Round1{Session: session, N: n, T: t, Trustee: i, Commitments: make([]Point, t)}
	coef := make([]*ristretto255.Scalar, t)
	for k := range coef {
		s, err := randomScalar(rand)
		if err != nil {
			return nil, nil, fmt.Errorf("failed to start the key ceremony: %w", err)
		}
		coef[k] = s
		ts.Coefficients[k] = scalarOf(s)
		r1.Commitments[k] = pointOf(ristretto255.NewElement().ScalarBaseMult(s))
	}
	e, err := randomScalar(rand)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to start the key ceremony: %w", err)
	}
	ts.EncryptionSecret = scalarOf(e)
	r1.EncryptionKey = pointOf(ristretto255.NewElement().ScalarBaseMult(e))
	if r1.CoefficientProof, err = proveSchnorr(rand, r1.transcript("tinnhiem/box/v1/dkg-coefficient-proof"), coef[0]); err != nil {
		return nil, nil, fmt.Errorf("failed to start the key ceremony: %w", err)
	}
	if r1.EncryptionKeyProof, err = proveSchnorr(rand, r1.transcript("tinnhiem/box/v1/dkg-encryption-key-proof"), e); err != nil {
		return nil, nil, fmt.Errorf("failed to start the key ceremony: %w", err)
	}
	return ts, r1, nil
}

// transcript starts a round-1 proof transcript: dctx(i) and the whole round-1 statement.
func (r *Round1) transcript(tag string) func() *transcript {
	return func() *transcript {
		t := newTranscript(tag)
		t.str(r.Session)
		t.u32(r.N)
		t.u32(r.T)
		t.u32(r.Trustee)
		t.point(r.EncryptionKey)
		for _, a := range r.Commitments {
			t.point(a)
		}
		return t
	}
}

// proveSchnorr proves knowledge of x with X = x·G; start gives the statement's transcript, to which R is added.
func proveSchnorr(rand io.Reader, start func() *transcript, x *ristretto255.Scalar) (Proof, error) {
	w, err := randomScalar(rand)
	if err != nil {
		return Proof{}, err
	}
	t := start()
	t.point(pointOf(ristretto255.NewElement().ScalarBaseMult(w)))
	c := t.challenge()
	s := ristretto255.NewScalar().Add(w, ristretto255.NewScalar().Multiply(c, x))
	return Proof{scalarOf(c), scalarOf(s)}, nil
}

func verifySchnorr(start func() *transcript, x *ristretto255.Element, pr Proof) bool {
	c, err1 := pr.C.scalar()
	s, err2 := pr.S.scalar()
	if err1 != nil || err2 != nil {
		return false
	}
	r := ristretto255.NewElement().VarTimeDoubleScalarBaseMult(ristretto255.NewScalar().Negate(c), x, s)
	t := start()
	t.point(pointOf(r))
	return t.challenge().Equal(c) == 1
}

// VerifyRound1 checks a round 1 message against the ceremony's session, n and t.
func VerifyRound1(r *Round1, session string, n, t int) error {
	if r.Session != session || r.N != n || r.T != t {
		return fmt.Errorf("trustee %d: round 1 is for another ceremony", r.Trustee)
	}
	if r.Trustee < 1 || r.Trustee > n {
		return fmt.Errorf("round 1 of trustee %d, who is not between 1 and %d", r.Trustee, n)
	}
	if len(r.Commitments) != t {
		return fmt.Errorf("trustee %d: %d commitments, want %d", r.Trustee, len(r.Commitments), t)
	}
	e, err := r.EncryptionKey.element(true)
	if err != nil {
		return fmt.Errorf("trustee %d: encryption key: %w", r.Trustee, err)
	}
	a0, err := r.Commitments[0].element(true)
	if err != nil {
		return fmt.Errorf("trustee %d: commitment 1: %w", r.Trustee, err)
	}
	for k, a := range r.Commitments[1:] {
		if err := checkPoint(a, false); err != nil {
			return fmt.Errorf("trustee %d: commitment %d: %w", r.Trustee, k+2, err)
		}
	}
	if !verifySchnorr(r.transcript("tinnhiem/box/v1/dkg-coefficient-proof"), a0, r.CoefficientProof) {
		return fmt.Errorf("trustee %d: the proof of its polynomial's constant term does not verify", r.Trustee)
	}
	if !verifySchnorr(r.transcript("tinnhiem/box/v1/dkg-encryption-key-proof"), e, r.EncryptionKeyProof) {
		return fmt.Errorf("trustee %d: the proof of its encryption key does not verify", r.Trustee)
	}
	return nil
}

// validRound1 returns the valid round 1 message of each trustee (the first one, if one sent several).
func validRound1(session string, n, t int, round1 []*Round1) map[int]*Round1 {
	valid := make(map[int]*Round1)
	for _, r := range round1 {
		if r == nil || valid[r.Trustee] != nil {
			continue
		}
		if VerifyRound1(r, session, n, t) == nil {
			valid[r.Trustee] = r
		}
	}
	return valid
}

// evalPolynomial computes f(j) = Σ a_k·j^k with constant-time scalar arithmetic (the coefficients are secret).
func evalPolynomial(coef []Scalar, j int) *ristretto255.Scalar {
	x := scalarFromInt(j)
	acc := ristretto255.NewScalar()
	for k := len(coef) - 1; k >= 0; k-- {
		acc.Multiply(acc, x)
		acc.Add(acc, coef[k].mustScalar())
	}
	return acc
}

// committedShare computes Σ_k j^k·A_k, the public image of the share f(j).
func committedShare(commitments []*ristretto255.Element, j int) *ristretto255.Element {
	powers := make([]*ristretto255.Scalar, len(commitments))
	x := scalarFromInt(j)
	p := scalarFromInt(1)
	for k := range powers {
		powers[k] = p
		p = ristretto255.NewScalar().Multiply(p, x)
	}
	return ristretto255.NewElement().VarTimeMultiScalarMult(powers, commitments)
}

func decodeCommitments(r *Round1) []*ristretto255.Element {
	out := make([]*ristretto255.Element, len(r.Commitments))
	for k, a := range r.Commitments {
		e, err := a.element(false)
		if err != nil {
			panic("box: an unchecked commitment")
		}
		out[k] = e
	}
	return out
}

func shareKey(session string, n, t, from, to int, eFrom, eTo, dh Point) (key, ad []byte) {
	kt := newTranscript("tinnhiem/box/v1/dkg-share-key")
	kt.str(session)
	kt.u32(n)
	kt.u32(t)
	kt.u32(from)
	kt.u32(to)
	kt.point(eFrom)
	kt.point(eTo)
	kt.point(dh)
	at := &transcript{h: newTranscript("").h, buf: []byte{}}
	at.str("tinnhiem/box/v1/dkg-share")
	at.str(session)
	at.u32(n)
	at.u32(t)
	at.u32(from)
	at.u32(to)
	return kt.h.Sum(nil)[:32], at.buf
}

// encryptShare encrypts the scalar share for trustee to, with the Diffie–Hellman value of the two keys.
func encryptShare(session string, n, t, from, to int, eFrom, eTo Point, dh Point, share *ristretto255.Scalar) []byte {
	key, ad := shareKey(session, n, t, from, to, eFrom, eTo, dh)
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		panic("box: chacha20poly1305 refused a 32-byte key")
	}
	pt := scalarOf(share)
	return aead.Seal(nil, make([]byte, chacha20poly1305.NonceSize), pt[:], ad)
}

func decryptShare(session string, n, t, from, to int, eFrom, eTo Point, dh Point, ct []byte) (*ristretto255.Scalar, error) {
	key, ad := shareKey(session, n, t, from, to, eFrom, eTo, dh)
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		panic("box: chacha20poly1305 refused a 32-byte key")
	}
	pt, err := aead.Open(nil, make([]byte, chacha20poly1305.NonceSize), ct, ad)
	if err != nil {
		return nil, errors.New("the share does not decrypt")
	}
	var x Scalar
	copy(x[:], pt)
	if len(pt) != 32 {
		return nil, errors.New("the share is not 32 bytes")
	}
	return x.scalar()
}

func (ts *TrusteeSecret) check() error {
	if err := checkCeremonyShape(ts.Session, ts.N, ts.T); err != nil {
		return err
	}
	if ts.Trustee < 1 || ts.Trustee > ts.N || len(ts.Coefficients) != ts.T {
		return errors.New("the trustee secret does not match its ceremony")
	}
	for _, c := range ts.Coefficients {
		if err := checkScalar(c); err != nil {
			return err
		}
	}
	return checkScalar(ts.EncryptionSecret)
}

// Round2 makes the dealer's encrypted shares for every other trustee whose round 1 is valid.
func (ts *TrusteeSecret) Round2(round1 []*Round1) (*Round2, error) {
	if err := ts.check(); err != nil {
		return nil, fmt.Errorf("failed to make round 2: %w", err)
	}
	valid := validRound1(ts.Session, ts.N, ts.T, round1)
	own := valid[ts.Trustee]
	if own == nil {
		return nil, errors.New("failed to make round 2: this trustee's own round 1 is missing or invalid")
	}
	e := ts.EncryptionSecret.mustScalar()
	r2 := &Round2{Session: ts.Session, Trustee: ts.Trustee}
	for _, j := range sortedKeys(valid) {
		if j == ts.Trustee {
			continue
		}
		ej, _ := valid[j].EncryptionKey.element(true)
		dh := pointOf(ristretto255.NewElement().ScalarMult(e, ej))
		ct := encryptShare(ts.Session, ts.N, ts.T, ts.Trustee, j, own.EncryptionKey, valid[j].EncryptionKey, dh,
			evalPolynomial(ts.Coefficients, j))
		r2.Shares = append(r2.Shares, EncryptedShare{To: j, Ciphertext: ct})
	}
	return r2, nil
}

func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// shareFor returns the share that round 2 r holds for trustee j, or nil.
func (r *Round2) shareFor(j int) []byte {
	for _, s := range r.Shares {
		if s.To == j {
			return s.Ciphertext
		}
	}
	return nil
}

// receivedShare decrypts and checks dealer i's share for trustee j, given their DH value.
func receivedShare(session string, n, t int, dealer, receiver *Round1, r2 *Round2, dh Point) (*ristretto255.Scalar, error) {
	if r2 == nil {
		return nil, errors.New("no round 2")
	}
	ct := r2.shareFor(receiver.Trustee)
	if ct == nil {
		return nil, errors.New("no share")
	}
	share, err := decryptShare(session, n, t, dealer.Trustee, receiver.Trustee, dealer.EncryptionKey, receiver.EncryptionKey, dh, ct)
	if err != nil {
		return nil, err
	}
	want := committedShare(decodeCommitments(dealer), receiver.Trustee)
	if ristretto255.NewElement().ScalarBaseMult(share).Equal(want) != 1 {
		return nil, errors.New("the share does not match the dealer's commitments")
	}
	return share, nil
}

// CheckShares decrypts and checks the share every other dealer sent this trustee, and returns a complaint against
// each dealer whose share is missing or wrong.
func (ts *TrusteeSecret) CheckShares(rand io.Reader, round1 []*Round1, round2 []*Round2) ([]*Complaint, error) {
	if err := ts.check(); err != nil {
		return nil, fmt.Errorf("failed to check shares: %w", err)
	}
	valid := validRound1(ts.Session, ts.N, ts.T, round1)
	own := valid[ts.Trustee]
	if own == nil {
		return nil, errors.New("failed to check shares: this trustee's own round 1 is missing or invalid")
	}
	byDealer := round2ByDealer(ts.Session, round2)
	e := ts.EncryptionSecret.mustScalar()
	var complaints []*Complaint
	for _, i := range sortedKeys(valid) {
		if i == ts.Trustee {
			continue
		}
		ei, _ := valid[i].EncryptionKey.element(true)
		dhE := ristretto255.NewElement().ScalarMult(e, ei)
		if _, err := receivedShare(ts.Session, ts.N, ts.T, valid[i], own, byDealer[i], pointOf(dhE)); err == nil {
			continue
		}
		c, err := complain(rand, ts, own, valid[i])
		if err != nil {
			return nil, fmt.Errorf("failed to check shares: %w", err)
		}
		complaints = append(complaints, c)
	}
	return complaints, nil
}

// complain makes trustee ts's complaint against dealer, revealing their DH value with its proof.
func complain(rand io.Reader, ts *TrusteeSecret, own, dealer *Round1) (*Complaint, error) {
	e := ts.EncryptionSecret.mustScalar()
	ei, err := dealer.EncryptionKey.element(true)
	if err != nil {
		return nil, err
	}
	dhE := ristretto255.NewElement().ScalarMult(e, ei)
	c := &Complaint{Session: ts.Session, Trustee: ts.Trustee, Against: dealer.Trustee, DH: pointOf(dhE)}
	w, err := randomScalar(rand)
	if err != nil {
		return nil, err
	}
	t := c.transcript(own.EncryptionKey, dealer.EncryptionKey, ts.N, ts.T)
	t.point(pointOf(ristretto255.NewElement().ScalarBaseMult(w)))
	t.point(pointOf(ristretto255.NewElement().ScalarMult(w, ei)))
	ch := t.challenge()
	c.Proof = Proof{scalarOf(ch), scalarOf(ristretto255.NewScalar().Add(w, ristretto255.NewScalar().Multiply(ch, e)))}
	return c, nil
}

func (c *Complaint) transcript(eFrom, eAgainst Point, n, t int) *transcript {
	tr := newTranscript("tinnhiem/box/v1/dkg-complaint")
	tr.str(c.Session)
	tr.u32(n)
	tr.u32(t)
	tr.u32(c.Trustee)
	tr.u32(c.Against)
	tr.point(eFrom)
	tr.point(eAgainst)
	tr.point(c.DH)
	return tr
}

// round2ByDealer keeps the first round 2 of each dealer in this session.
func round2ByDealer(session string, round2 []*Round2) map[int]*Round2 {
	out := make(map[int]*Round2)
	for _, r := range round2 {
		if r != nil && r.Session == session && out[r.Trustee] == nil {
			out[r.Trustee] = r
		}
	}
	return out
}

// judge says whether a complaint is justified: its DLEQ proof verifies and the share it reveals is bad.
func judge(session string, n, t int, c *Complaint, from, against *Round1, r2 *Round2) bool {
	ef, _ := from.EncryptionKey.element(true)
	ea, _ := against.EncryptionKey.element(true)
	dh, err := c.DH.element(false)
	ch, err1 := c.Proof.C.scalar()
	s, err2 := c.Proof.S.scalar()
	if err != nil || err1 != nil || err2 != nil {
		return false
	}
	negC := ristretto255.NewScalar().Negate(ch)
	r1 := ristretto255.NewElement().VarTimeDoubleScalarBaseMult(negC, ef, s)
	r2p := ristretto255.NewElement().VarTimeMultiScalarMult([]*ristretto255.Scalar{s, negC}, []*ristretto255.Element{ea, dh})
	tr := c.transcript(from.EncryptionKey, against.EncryptionKey, n, t)
	tr.point(pointOf(r1))
	tr.point(pointOf(r2p))
	if tr.challenge().Equal(ch) != 1 {
		return false
	}
	_, bad := receivedShare(session, n, t, against, from, r2, c.DH)
	return bad != nil
}

// Qualify recomputes the outcome of the ceremony from all its public messages (SPEC.md 11.6): who is disqualified
// and why, the joint key and the verification keys. It fails when fewer than t trustees qualify.
func Qualify(session string, n, t int, round1 []*Round1, round2 []*Round2, complaints []*Complaint) (*Ceremony, error) {
	if err := checkCeremonyShape(session, n, t); err != nil {
		return nil, fmt.Errorf("failed to qualify trustees: %w", err)
	}
	valid := validRound1(session, n, t, round1)
	byDealer := round2ByDealer(session, round2)
	reason := make(map[int]string)
	for i := 1; i <= n; i++ {
		if valid[i] == nil {
			reason[i] = "round1"
		}
	}
	for _, i := range sortedKeys(valid) {
		// One share, in ascending order, for every other trustee valid in round 1; shares for anyone else are
		// ignored (a dealer may have sent them before seeing that a round 1 was invalid).
		r2 := byDealer[i]
		if r2 == nil {
			reason[i] = "round2"
			continue
		}
		got, last := 0, 0
		for _, s := range r2.Shares {
			if s.To <= last {
				reason[i] = "round2"
			}
			last = s.To
			if s.To != i && valid[s.To] != nil {
				got++
			}
		}
		if got != len(valid)-1 {
			reason[i] = "round2"
		}
	}
	for _, c := range complaints {
		if c == nil || c.Session != session || valid[c.Trustee] == nil || valid[c.Against] == nil || c.Trustee == c.Against {
			continue
		}
		if judge(session, n, t, c, valid[c.Trustee], valid[c.Against], byDealer[c.Against]) {
			if reason[c.Against] == "" {
				reason[c.Against] = "share"
			}
		} else if reason[c.Trustee] == "" {
			reason[c.Trustee] = "complaint"
		}
	}
	cer := &Ceremony{Session: session, N: n, T: t}
	for i := 1; i <= n; i++ {
		if reason[i] != "" {
			cer.Disqualified = append(cer.Disqualified, Disqualification{i, reason[i]})
		} else {
			cer.Qualified = append(cer.Qualified, i)
		}
	}
	if len(cer.Qualified) < t {
		return cer, fmt.Errorf("failed to qualify trustees: %d qualified, %d needed (%s)", len(cer.Qualified), t, describe(cer.Disqualified))
	}
	y := ristretto255.NewElement()
	commitments := make([][]*ristretto255.Element, 0, len(cer.Qualified))
	for _, i := range cer.Qualified {
		c := decodeCommitments(valid[i])
		commitments = append(commitments, c)
		y.Add(y, c[0])
	}
	if isIdentity(y) {
		return cer, errors.New("failed to qualify trustees: the joint key is the identity")
	}
	cer.JointKey = pointOf(y)
	for _, j := range cer.Qualified {
		yj := ristretto255.NewElement()
		for _, c := range commitments {
			yj.Add(yj, committedShare(c, j))
		}
		cer.VerificationKeys = append(cer.VerificationKeys, VerificationKey{j, pointOf(yj)})
	}
	return cer, nil
}

func describe(ds []Disqualification) string {
	s := ""
	for n, d := range ds {
		if n > 0 {
			s += ", "
		}
		s += fmt.Sprintf("trustee %d: %s", d.Trustee, d.Reason)
	}
	if s == "" {
		return "none disqualified"
	}
	return s
}

// DecryptionKey computes the trustee's key share x_j = Σ f_i(j) over the qualified dealers and checks it against
// the public verification key; a trustee that is not qualified gets an error.
func (ts *TrusteeSecret) DecryptionKey(round1 []*Round1, round2 []*Round2, cer *Ceremony) (*TrusteeKey, error) {
	if err := ts.check(); err != nil {
		return nil, fmt.Errorf("failed to compute the key share: %w", err)
	}
	var vk *VerificationKey
	for n := range cer.VerificationKeys {
		if cer.VerificationKeys[n].Trustee == ts.Trustee {
			vk = &cer.VerificationKeys[n]
		}
	}
	if vk == nil || cer.Session != ts.Session {
		return nil, fmt.Errorf("failed to compute the key share: trustee %d is not qualified", ts.Trustee)
	}
	valid := validRound1(ts.Session, ts.N, ts.T, round1)
	byDealer := round2ByDealer(ts.Session, round2)
	own := valid[ts.Trustee]
	if own == nil {
		return nil, errors.New("failed to compute the key share: this trustee's own round 1 is missing or invalid")
	}
	e := ts.EncryptionSecret.mustScalar()
	x := ristretto255.NewScalar()
	for _, i := range cer.Qualified {
		if i == ts.Trustee {
			x.Add(x, evalPolynomial(ts.Coefficients, i))
			continue
		}
		if valid[i] == nil {
			return nil, fmt.Errorf("failed to compute the key share: round 1 of trustee %d is missing", i)
		}
		ei, _ := valid[i].EncryptionKey.element(true)
		dh := pointOf(ristretto255.NewElement().ScalarMult(e, ei))
		share, err := receivedShare(ts.Session, ts.N, ts.T, valid[i], own, byDealer[i], dh)
		if err != nil {
			return nil, fmt.Errorf("failed to compute the key share: share of trustee %d: %w", i, err)
		}
		x.Add(x, share)
	}
	want, _ := vk.Key.element(false)
	if ristretto255.NewElement().ScalarBaseMult(x).Equal(want) != 1 {
		return nil, errors.New("failed to compute the key share: it does not match the verification key")
	}
	return &TrusteeKey{Session: ts.Session, Trustee: ts.Trustee, JointKey: cer.JointKey, Secret: scalarOf(x)}, nil
}
