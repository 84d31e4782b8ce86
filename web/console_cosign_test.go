package web

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/verify"
)

// TestConsoleCosignature has the inspector of session A record a
// cosignature of the checkpoint signed at opening, through the console, and
// checks what is refused: another inspector's key, a changed checkpoint,
// the same cosignature twice, and an organiser of another organisation.
func TestConsoleCosignature(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	ctx := context.Background()
	id := f.sessA
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.svc.ImportRoster(ctx, "setup", id, []ballot.Member{{Name: "Nguyễn Văn An"}}))
	must(f.svc.ImportCadres(ctx, "setup", id, []ballot.Cadre{{ID: "c1", Name: "Trần Thị Bích Ngọc", Position: "Bí thư"}}))
	_, err := f.svc.CheckIn(ctx, "setup", id, nil, true)
	must(err)
	must(f.svc.IssueTokens(ctx, "setup", id, 1, func([]string) error { return nil }))
	must(f.svc.Open(ctx, "setup", id, false, ""))
	_, cps, err := f.svc.Log(ctx, id)
	must(err)

	inspector, _ := audit.GenerateKey(rand.Reader, "thanh-tra")
	stranger, _ := audit.GenerateKey(rand.Reader, "nguoi-la")
	cosigned, err := verify.Cosign(cps[0].Note, inspector)
	must(err)
	entries := func() []audit.Entry {
		es, _, err := f.svc.Log(ctx, id)
		must(err)
		return es
	}
	before := len(entries())

	b := f.browser().mustLogin("kiemtra-a")
	post := func(note, key string) (int, string) {
		res, _ := b.do(http.MethodPost, "/admin/s/"+id+"/cosign", url.Values{"csrf": {b.csrf}, "note": {note}, "key": {key}})
		return res.StatusCode, res.Header.Get("Location")
	}
	for _, tt := range []struct{ name, note, key string }{
		{"another key", string(cosigned), stranger.VerifierKey()},
		{"changed checkpoint", strings.Replace(string(cosigned), "size ", "size 1", 1), inspector.VerifierKey()},
		{"not a note", "xin chào", inspector.VerifierKey()},
	} {
		if code, loc := post(tt.note, tt.key); code == http.StatusSeeOther && strings.Contains(loc, "done=cosigned") {
			t.Errorf("%s: the console recorded it", tt.name)
		}
	}
	if got := len(entries()); got != before {
		t.Fatalf("refused cosignatures wrote %d entries", got-before)
	}

	if code, loc := post(string(cosigned), inspector.VerifierKey()); code != http.StatusSeeOther || !strings.Contains(loc, "done=cosigned") {
		t.Fatalf("cosignature: %d %q, want a redirect with done=cosigned", code, loc)
	}
	es := entries()
	last := es[len(es)-1]
	var d audit.CosignatureData
	must(last.Decode(&d))
	if len(es) != before+1 || last.Type != audit.CosignatureAdded || last.Actor != "kiemtra-a" || d.Name != "thanh-tra" || d.Size != cps[0].Size {
		t.Fatalf("last entry = %s by %s %+v; want the inspector's cosignature of checkpoint %d", last.Type, last.Actor, d, cps[0].Size)
	}
	if code, loc := post(string(cosigned), inspector.VerifierKey()); code == http.StatusSeeOther && strings.Contains(loc, "done=cosigned") {
		t.Errorf("the same cosignature was recorded twice")
	}
	other := f.browser().mustLogin("tochuc-b")
	if res, _ := other.do(http.MethodPost, "/admin/s/"+id+"/cosign", url.Values{"csrf": {other.csrf}, "note": {string(cosigned)}, "key": {inspector.VerifierKey()}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an organiser of another organisation got %d, want 403", res.StatusCode)
	}
	if got := len(entries()); got != before+1 {
		t.Fatalf("after the refusals the log has %d new entries, want 1", got-before)
	}
}
