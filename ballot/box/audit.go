package box

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"unicode/utf8"

	"github.com/gtank/ristretto255"
)

// FormatAuditV1 names the audit file of a ballot the voter chose to check instead of casting (SPEC.md 11.5.1).
const FormatAuditV1 = "tinnhiem-box-audit/v1"

// Several is the Choice of an OpenedLine whose ciphertexts decode to more than one marked option: no honest device
// makes such a line (its proof cannot hold), so it shows the device lied.
const Several = -2

// AuditCadre is one cadre as the voter's page showed it, in ballot order.
type AuditCadre struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position string `json:"position"`
}

// Audit is a ballot the voter audited (Benaloh's challenge): the ballot, the randomness of every ciphertext, and
// what the page showed, so that any tool can decrypt it without a trustee. It never holds the card code.
type Audit struct {
	Params     Params
	Cadres     []AuditCadre
	Ballot     *Ballot
	BallotJSON []byte     // the ballot's JSON as the page wrote it
	Randomness [][]Scalar // r_ki, line by line, option by option
	Tracker    string     // the tracker (64 hex digits) the page showed, before the audit
}

// OpenedLine is what one line of an audited ballot encrypts.
type OpenedLine struct {
	Choice int   // 0: no mark, 1…L: that option, Several: more than one option
	Marks  []int // the options decoded as marked, ascending
}

type auditJSON struct {
	Format     string          `json:"format"`
	Session    string          `json:"session"`
	JointKey   string          `json:"joint_key"`
	Lines      int             `json:"lines"`
	Options    int             `json:"options"`
	Cadres     []AuditCadre    `json:"cadres"`
	Ballot     json.RawMessage `json:"ballot"`
	Randomness []string        `json:"randomness"`
	Tracker    string          `json:"tracker"`
}

// FormatAudit returns the JSON of an audit file (SPEC.md 11.5.1).
func FormatAudit(a *Audit) []byte {
	j := auditJSON{Format: FormatAuditV1, Session: a.Params.Session, JointKey: encodeB64(a.Params.JointKey[:]),
		Lines: a.Params.Lines, Options: a.Params.Options, Cadres: a.Cadres, Ballot: a.BallotJSON, Tracker: a.Tracker}
	if j.Cadres == nil {
		j.Cadres = []AuditCadre{}
	}
	for _, r := range a.Randomness {
		j.Randomness = append(j.Randomness, encodeB64(joinScalars(r)))
	}
	return marshal(j)
}

// ParseAudit reads an audit file: every member present, the ballot parsed, K cadres and K lines of L scalars of
// randomness. Whether the randomness opens the ballot is for OpenAudited to say.
func ParseAudit(data []byte) (*Audit, error) {
	var j auditJSON
	names := jsonNames(reflect.TypeOf(j), jsonNames(reflect.TypeOf(ballotJSON{}), map[string]bool{}))
	if err := parseStrictNames(data, FormatAuditV1, &j, names, "session", "joint_key", "lines", "options", "cadres", "ballot", "randomness", "tracker"); err != nil {
		return nil, err
	}
	fail := func(err error) (*Audit, error) { return nil, fmt.Errorf("failed to parse %s: %w", FormatAuditV1, err) }
	a := &Audit{Params: Params{Session: j.Session, Lines: j.Lines, Options: j.Options}, Cadres: j.Cadres, Tracker: j.Tracker}
	var err error
	if a.Params.JointKey, err = parsePoint(j.JointKey, true); err != nil {
		return fail(fmt.Errorf("joint_key: %w", err))
	}
	if _, err := a.Params.key(); err != nil {
		return fail(err)
	}
	if len(j.Cadres) != j.Lines {
		return fail(fmt.Errorf("cadres: %d, want one per line (%d)", len(j.Cadres), j.Lines))
	}
	for n, c := range j.Cadres {
		if c.ID == "" || !utf8.ValidString(c.ID+c.Name+c.Position) {
			return fail(fmt.Errorf("cadre %d: an id and UTF-8 text are required", n+1))
		}
	}
	if t, err := hex.DecodeString(j.Tracker); err != nil || len(t) != 32 || hex.EncodeToString(t) != j.Tracker {
		return fail(errors.New("tracker: not 64 lowercase hex digits"))
	}
	if a.Ballot, err = ParseBallot(j.Ballot); err != nil {
		return fail(err)
	}
	a.BallotJSON = append([]byte(nil), j.Ballot...)
	if len(j.Randomness) != j.Lines {
		return fail(fmt.Errorf("randomness: %d lines, want %d", len(j.Randomness), j.Lines))
	}
	for k, s := range j.Randomness {
		b, err := decodeB64(s)
		if err != nil {
			return fail(fmt.Errorf("randomness: line %d: %w", k+1, err))
		}
		r, err := splitScalars(b, j.Options, fmt.Sprintf("randomness: line %d", k+1))
		if err != nil {
			return fail(err)
		}
		a.Randomness = append(a.Randomness, r)
	}
	return a, nil
}

// OpenAudited decrypts a ballot with the randomness of its ciphertexts, without any trustee: for every line and
// option it requires α = r·G and β − r·Y ∈ {0, G} (the ciphertext encrypts 0 or 1 under that randomness), and
// reports per line no mark, one option or several. An error (a *BallotError naming line and option) means the
// randomness does not open the ballot: the device did not encrypt what it revealed. The ballot's proofs and
// signature are VerifyBallot's to check; the tracker is b.Tracker(p).
func OpenAudited(p *Params, b *Ballot, randomness [][]Scalar) ([]OpenedLine, error) {
	y, err := p.key()
	if err != nil {
		return nil, fmt.Errorf("failed to open an audited ballot: %w", err)
	}
	if len(b.Lines) != p.Lines || len(randomness) != p.Lines {
		return nil, fmt.Errorf("failed to open an audited ballot: %d lines and %d lines of randomness, want %d", len(b.Lines), len(randomness), p.Lines)
	}
	g := generator()
	zero := ristretto255.NewElement()
	out := make([]OpenedLine, p.Lines)
	for k, l := range b.Lines {
		if len(l.Ciphertexts) != p.Options || len(randomness[k]) != p.Options {
			return nil, &BallotError{Ballot: -1, Line: k + 1, Err: fmt.Errorf("%d ciphertexts and %d randomness scalars, want %d", len(l.Ciphertexts), len(randomness[k]), p.Options)}
		}
		for i, ct := range l.Ciphertexts {
			fault := func(err error) error { return &BallotError{Ballot: -1, Line: k + 1, Option: i + 1, Err: err} }
			r, err := randomness[k][i].scalar()
			if err != nil {
				return nil, fault(fmt.Errorf("randomness: %w", err))
			}
			alpha, err := ct.Alpha.element(true)
			if err != nil {
				return nil, fault(fmt.Errorf("alpha: %w", err))
			}
			beta, err := ct.Beta.element(false)
			if err != nil {
				return nil, fault(fmt.Errorf("beta: %w", err))
			}
			if ristretto255.NewElement().ScalarBaseMult(r).Equal(alpha) != 1 {
				return nil, fault(errors.New("alpha is not r·G: the randomness does not belong to this ciphertext"))
			}
			m := ristretto255.NewElement().Subtract(beta, ristretto255.NewElement().ScalarMult(r, y))
			switch {
			case m.Equal(zero) == 1:
			case m.Equal(g) == 1:
				out[k].Marks = append(out[k].Marks, i+1)
			default:
				return nil, fault(errors.New("β − r·Y is neither 0 nor G: the ciphertext encrypts no valid mark"))
			}
		}
		switch len(out[k].Marks) {
		case 0:
		case 1:
			out[k].Choice = out[k].Marks[0]
		default:
			out[k].Choice = Several
		}
	}
	return out, nil
}
