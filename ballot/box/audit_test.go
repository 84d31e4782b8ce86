package box

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func auditFixture(t *testing.T, choices []int) (*Params, *Audit) {
	t.Helper()
	c := runCeremony(t, newDetRand("audit"), "S-AUDIT", 3, 2, nil)
	p := &Params{Session: "S-AUDIT", JointKey: c.result.JointKey, Lines: len(choices), Options: 3}
	b, sec, err := EncryptBallot(rand.Reader, p, cardKey(t, p.Session, 1), choices)
	if err != nil {
		t.Fatal(err)
	}
	tr := b.Tracker(p)
	a := &Audit{Params: *p, Ballot: b, BallotJSON: FormatBallot(b), Randomness: sec.Randomness, Tracker: hex.EncodeToString(tr[:])}
	for k := range choices {
		a.Cadres = append(a.Cadres, AuditCadre{ID: string(rune('a' + k)), Name: "Nguyễn Văn " + string(rune('A'+k)), Position: "Phó Giám đốc"})
	}
	return p, a
}

// TestOpenAudited: the randomness the device reveals decodes every line to the choice it encrypted, through the
// audit file's JSON, and the tracker is the ballot's.
func TestOpenAudited(t *testing.T) {
	choices := []int{1, 2, 3, 0, 2}
	p, a := auditFixture(t, choices)
	back, err := ParseAudit(FormatAudit(a))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Cadres, a.Cadres) || back.Params != *p || back.Tracker != a.Tracker {
		t.Fatalf("the audit file did not read back: %+v", back)
	}
	opened, err := OpenAudited(&back.Params, back.Ballot, back.Randomness)
	if err != nil {
		t.Fatal(err)
	}
	for k, o := range opened {
		if o.Choice != choices[k] {
			t.Errorf("line %d: opened %d, encrypted %d", k+1, o.Choice, choices[k])
		}
	}
	if tr := back.Ballot.Tracker(&back.Params); hex.EncodeToString(tr[:]) != a.Tracker {
		t.Errorf("tracker %x, the page showed %s", tr, a.Tracker)
	}
	if err := VerifyBallot(&back.Params, back.Ballot, false); err != nil {
		t.Errorf("the audited ballot is not valid: %v", err)
	}
}

// TestOpenAuditedRefuses: randomness of another ballot, of another line, or a ballot whose β was moved by G (a
// device encrypting something else than it claims) do not open; the error names line and option.
func TestOpenAuditedRefuses(t *testing.T) {
	p, a := auditFixture(t, []int{1, 2})
	_, other := auditFixture(t, []int{1, 2})
	if _, err := OpenAudited(p, a.Ballot, other.Randomness); err == nil || !strings.Contains(err.Error(), "line 1: option 1: alpha is not r·G") {
		t.Errorf("another ballot's randomness: %v", err)
	}
	swapped := [][]Scalar{a.Randomness[1], a.Randomness[0]}
	if _, err := OpenAudited(p, a.Ballot, swapped); err == nil {
		t.Error("swapped lines opened")
	}
	// β + G on option 3 of line 1: the line now decodes to two marks.
	b := cloneBallot(t, a.Ballot)
	beta, _ := b.Lines[0].Ciphertexts[2].Beta.element(false)
	b.Lines[0].Ciphertexts[2].Beta = pointOf(beta.Add(beta, generator()))
	opened, err := OpenAudited(p, b, a.Randomness)
	if err != nil {
		t.Fatal(err)
	}
	if opened[0].Choice != Several || !reflect.DeepEqual(opened[0].Marks, []int{1, 3}) {
		t.Errorf("two marks opened as %+v", opened[0])
	}
	// β + 2G: neither 0 nor 1.
	b.Lines[0].Ciphertexts[2].Beta = pointOf(beta.Add(beta, generator()))
	_, err = OpenAudited(p, b, a.Randomness)
	var be *BallotError
	if !errors.As(err, &be) || be.Line != 1 || be.Option != 3 {
		t.Errorf("β + 2G: %v", err)
	}
	if _, err := OpenAudited(p, a.Ballot, a.Randomness[:1]); err == nil {
		t.Error("one line of randomness for two opened")
	}
}

// TestParseAuditRefuses: a file without randomness, with a cadre list of the wrong length, or with a card code
// member is refused.
func TestParseAuditRefuses(t *testing.T) {
	_, a := auditFixture(t, []int{1, 2})
	good := string(FormatAudit(a))
	for name, bad := range map[string]string{
		"no randomness": strings.Replace(good, `"randomness"`, `"randomnes"`, 1),
		"card code":     strings.Replace(good, `"tracker"`, `"token":"ABCD","tracker"`, 1),
		"format":        strings.Replace(good, FormatAuditV1, "tinnhiem-box-audit/v2", 1),
		"cadres":        strings.Replace(good, `"lines":2`, `"lines":3`, 1),
		"trailing":      good + "{}",
		"tracker":       strings.Replace(good, `"tracker":"`, `"tracker":"X`, 1),
	} {
		if _, err := ParseAudit([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestOpenAuditedFromBrowser: an audit file written by web/box's encryptBallotAuditable (testdata/audit-js.json,
// choices 3, 0, 1, 2 under the vectors' joint key) opens here to the same choices: the two implementations agree
// on the file and on the randomness.
func TestOpenAuditedFromBrowser(t *testing.T) {
	data, err := os.ReadFile("testdata/audit-js.json")
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseAudit(bytes.TrimSpace(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyBallot(&a.Params, a.Ballot, false); err != nil {
		t.Fatal(err)
	}
	opened, err := OpenAudited(&a.Params, a.Ballot, a.Randomness)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range []int{3, 0, 1, 2} {
		if opened[k].Choice != want {
			t.Errorf("line %d: %d, want %d", k+1, opened[k].Choice, want)
		}
	}
	if tr := a.Ballot.Tracker(&a.Params); hex.EncodeToString(tr[:]) != a.Tracker {
		t.Errorf("tracker %x, the file says %s", tr, a.Tracker)
	}
	if string(FormatAudit(a)) != string(bytes.TrimSpace(data)) {
		t.Error("Go does not write the audit file byte for byte as the browser does")
	}
}
