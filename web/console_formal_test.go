package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tinnhiem/audit"
)

// TestConsoleCreatesFormalVote creates sessions from the console's form
// with its kind: the form offers both kinds by their Vietnamese names and
// the rule sets by name, not code; "Bỏ phiếu tín nhiệm" under NQ96 logs a
// formal session (rules nq96-bpt, "kind":"formal", box of two options)
// whose page shows the kind and the rule set by name and the date as
// dd/mm/yyyy; under Quy định 96-QĐ/TW or for a Party body it is refused
// with a sentence saying why, and nothing is created.
func TestConsoleCreatesFormalVote(t *testing.T) {
	ctx := context.Background()
	f := newConsoleFixture(t, Options{})
	b := f.browser().mustLogin("tochuc-a")
	_, home := b.do("GET", "/admin", nil)
	for _, want := range []string{`<select id="kind" name="kind">`, `<option value="formal"><span data-i18n="sessionkind.formal">Bỏ phiếu tín nhiệm`,
		`<option value="rating"><span data-i18n="sessionkind.rating">Lấy phiếu tín nhiệm`, `Nghị quyết 96/2023/QH15 của Quốc hội`} {
		if !strings.Contains(home, want) {
			t.Errorf("the creation form lacks %q", want)
		}
	}
	if strings.Contains(home, "(nq96)") || strings.Contains(home, "(qd96)") {
		t.Errorf("the creation form still shows rule set codes")
	}
	create := func(extra url.Values) (*http.Response, string, string) {
		t.Helper()
		v := url.Values{"csrf": {b.csrf}, "org": {testOrgA}, "title": {"Kỳ họp thứ 12"}, "body": {"Hội đồng nhân dân tỉnh"},
			"date": {"2026-12-09"}, "place": {"Hội trường"}, "encrypted": {"1"}}
		for k, vs := range extra {
			v[k] = vs
		}
		res, body := b.do("POST", "/admin/sessions", v)
		if res.StatusCode != http.StatusSeeOther {
			return res, "", body
		}
		loc := strings.TrimSuffix(strings.SplitN(res.Header.Get("Location"), "?", 2)[0], "/")
		return res, loc[strings.LastIndex(loc, "/")+1:], body
	}
	res, id, _ := create(url.Values{"kind": {"formal"}, "rules": {"nq96"}})
	if id == "" {
		t.Fatalf("create a formal vote = %d", res.StatusCode)
	}
	entries, _, err := f.svc.Log(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var created audit.SessionCreatedData
	if err := json.Unmarshal(entries[0].Data, &created); err != nil {
		t.Fatal(err)
	}
	if created.Rules != "nq96-bpt" || created.Kind != "formal" || created.BodyKind != "hdnd" || created.Box == nil || created.Box.Options != 2 {
		t.Errorf("SessionCreated = %+v, want rules nq96-bpt, kind formal, body kind hdnd, a box of 2 options", created)
	}
	if !strings.Contains(string(entries[0].Data), `"kind":"formal"`) {
		t.Errorf("SessionCreated does not say \"kind\":\"formal\": %s", entries[0].Data)
	}
	_, page := b.do("GET", "/admin/s/"+id, nil)
	for _, want := range []string{`id="session-kind" data-kind="formal"`, "Bỏ phiếu tín nhiệm", `data-rules="nq96-bpt"`,
		"Bỏ phiếu tín nhiệm — Nghị quyết 96/2023/QH15", "09/12/2026"} {
		if !strings.Contains(page, want) {
			t.Errorf("the session page lacks %q", want)
		}
	}
	// A rating keeps no kind in its log, as logs before the kind did.
	_, rid, _ := create(url.Values{"kind": {"rating"}, "rules": {"nq96"}})
	entries, _, _ = f.svc.Log(ctx, rid)
	if strings.Contains(string(entries[0].Data), `"kind"`) {
		t.Errorf("a rating's SessionCreated names a kind: %s", entries[0].Data)
	}
	before, _ := f.svc.Sessions(ctx)
	for _, bad := range []url.Values{{"kind": {"formal"}, "rules": {"qd96"}}, {"kind": {"formal"}, "rules": {"nq96"}, "body_kind": {"dang"}}} {
		res, id, body := create(bad)
		if res.StatusCode != http.StatusBadRequest || id != "" || !strings.Contains(body, "Quy định 96-QĐ/TW không có thủ tục bỏ phiếu tín nhiệm") {
			t.Errorf("create with %v = %d, want 400 saying QĐ96 has no formal vote", bad, res.StatusCode)
		}
	}
	if after, _ := f.svc.Sessions(ctx); len(after) != len(before) {
		t.Errorf("a refused formal vote created a session: %d sessions, were %d", len(after), len(before))
	}
}
