package ballot_test

import (
	"errors"
	"slices"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/internal/msg"

	"golang.org/x/text/unicode/norm"
)

// TestCommitteeRules holds SetCommittee to DOMAIN.md: the members are
// distinct people, none of them a cadre being rated, and there are at least
// two. "The same name" is the same text once spacing, Unicode normalisation
// and letter case are set aside; accents are not, since "Nguyễn Văn An" and
// "Nguyen Van An" are different names. A refused committee writes nothing.
func TestCommitteeRules(t *testing.T) {
	const duyen = "Ngô Thị Mỹ Duyên"
	for _, tt := range []struct {
		name    string
		members []string
		key     string
	}{
		{"nobody", []string{"", "  "}, "committee_too_small"},
		{"one person", []string{duyen}, "committee_too_small"},
		{"one person and blank lines", []string{"", duyen, " "}, "committee_too_small"},
		{"the same name twice", []string{duyen, duyen}, "committee_duplicate"},
		{"decomposed accents", []string{duyen, norm.NFD.String(duyen), "Dương Văn Hùng"}, "committee_duplicate"},
		{"lower case", []string{duyen, "Dương Văn Hùng", "ngô thị mỹ duyên"}, "committee_duplicate"},
		{"upper case", []string{duyen, "NGÔ THỊ MỸ DUYÊN"}, "committee_duplicate"},
		{"spacing", []string{"Dương Văn Hùng", " Ngô  Thị\tMỹ Duyên ", duyen}, "committee_duplicate"},
		{"a cadre being rated", []string{duyen, "Trần Thị Bích Ngọc"}, "committee_cadre"},
		{"a cadre in other case", []string{"trần thị bích ngọc", duyen}, "committee_cadre"},
		{"a cadre decomposed", []string{duyen, norm.NFD.String("Nguyễn Văn An")}, "committee_cadre"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newSvcFixture(t, 3)
			before := f.logSize()
			err := f.svc.SetCommittee(f.ctx, actor, f.id, tt.members)
			var e *ballot.Error
			if !errors.As(err, &e) || e.Code != ballot.EInvalid || e.Key != tt.key {
				t.Fatalf("SetCommittee(%q) = %v, want an invalid-input error %s", tt.members, err, tt.key)
			}
			if vi, en, ok := msg.Render(e); !ok || vi == "" || en == "" {
				t.Errorf("error %s lacks a sentence: %+v", tt.key, e)
			}
			if got := f.logSize(); got != before {
				t.Errorf("a refused committee wrote %d log entries", got-before)
			}
			sess, err := f.svc.Session(f.ctx, f.id)
			f.ok(err)
			if len(sess.Committee) != 0 {
				t.Errorf("a refused committee was stored: %q", sess.Committee)
			}
		})
	}
}

// TestCommitteeAcceptedAndKeptApartFromCadres names a valid committee and
// then tries to import cadres that include one of its members: the import
// is refused too, whichever comes first, and nothing changes.
func TestCommitteeAcceptedAndKeptApartFromCadres(t *testing.T) {
	f := newSvcFixture(t, 3)
	members := []string{" Ngô Thị  Mỹ Duyên", "Dương Văn Hùng", "Nguyen Van An"}
	f.ok(f.svc.SetCommittee(f.ctx, actor, f.id, members))
	sess, err := f.svc.Session(f.ctx, f.id)
	f.ok(err)
	want := []string{"Ngô Thị Mỹ Duyên", "Dương Văn Hùng", "Nguyen Van An"}
	if !slices.Equal(sess.Committee, want) {
		t.Fatalf("committee = %q, want %q", sess.Committee, want)
	}
	before := f.logSize()
	err = f.svc.ImportCadres(f.ctx, actor, f.id, []ballot.Cadre{
		{ID: "c1", Name: "Phạm Văn Dũng", Position: "Bí thư"},
		{ID: "c2", Name: "DƯƠNG VĂN HÙNG", Position: "Phó Bí thư"},
	})
	var e *ballot.Error
	if !errors.As(err, &e) || e.Code != ballot.EInvalid || e.Key != "cadre_on_committee" || !rendered(e) {
		t.Fatalf("cadres naming a committee member: %v, want cadre_on_committee", err)
	}
	if got := f.logSize(); got != before {
		t.Errorf("the refused import wrote %d log entries", got-before)
	}
	cadres, err := f.svc.Cadres(f.ctx, f.id)
	f.ok(err)
	if len(cadres) != 3 || cadres[1].Name != "Trần Thị Bích Ngọc" {
		t.Errorf("the refused import changed the cadres: %+v", cadres)
	}
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	var logged [][]string
	for _, en := range entries {
		if en.Type == audit.CommitteeSet {
			var d audit.CommitteeSetData
			f.ok(en.Decode(&d))
			logged = append(logged, d.Members)
		}
	}
	if len(logged) != 1 || !slices.Equal(logged[0], want) {
		t.Errorf("CommitteeSet entries = %q, want one with %q", logged, want)
	}
}

// rendered reports whether the message catalog has both sentences for e.
func rendered(e *ballot.Error) bool {
	vi, en, ok := msg.Render(e)
	return ok && vi != "" && en != ""
}
