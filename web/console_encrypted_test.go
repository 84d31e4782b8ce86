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

// TestConsoleCreatesEncryptedSession creates sessions from the console's
// form: "Hòm phiếu mã hóa" is offered checked, sends an encrypted session
// with its threshold (blank is a majority) into SessionCreated, and the
// session page says which kind of ballot box it has; a malformed
// threshold is refused and creates nothing.
func TestConsoleCreatesEncryptedSession(t *testing.T) {
	ctx := context.Background()
	f := newConsoleFixture(t, Options{})
	b := f.browser().mustLogin("tochuc-a")
	if _, home := b.do("GET", "/admin", nil); !strings.Contains(home, `id="encrypted" name="encrypted" value="1" checked`) ||
		!strings.Contains(home, `id="threshold" name="threshold"`) {
		t.Fatalf("the creation form lacks a checked encrypted box or the threshold field")
	}
	before, err := f.svc.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	create := func(extra url.Values) (*http.Response, string) {
		t.Helper()
		v := url.Values{"csrf": {b.csrf}, "org": {testOrgA}, "title": {"Hội nghị"}, "body": {"Đảng ủy"},
			"date": {"2026-12-09"}, "place": {"Hội trường"}}
		for k, vs := range extra {
			v[k] = vs
		}
		res, _ := b.do("POST", "/admin/sessions", v)
		if res.StatusCode != http.StatusSeeOther {
			return res, ""
		}
		loc := strings.TrimSuffix(strings.SplitN(res.Header.Get("Location"), "?", 2)[0], "/")
		return res, loc[strings.LastIndex(loc, "/")+1:]
	}
	for _, tt := range []struct {
		name      string
		form      url.Values
		box       *audit.BoxSetup
		page      string
		encrypted string
	}{
		{"encrypted, threshold 2", url.Values{"encrypted": {"1"}, "threshold": {"2"}}, &audit.BoxSetup{Threshold: 2, Options: 3}, "ngưỡng giải mã</span>: 2)", "true"},
		{"encrypted, blank threshold", url.Values{"encrypted": {"1"}, "threshold": {" "}}, &audit.BoxSetup{Threshold: 0, Options: 3}, "quá bán", "true"},
		{"box unchecked", url.Values{}, nil, "Không mã hóa", "false"},
	} {
		res, id := create(tt.form)
		if id == "" {
			t.Fatalf("%s: create = %d", tt.name, res.StatusCode)
		}
		entries, _, err := f.svc.Log(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var created audit.SessionCreatedData
		if err := json.Unmarshal(entries[0].Data, &created); err != nil {
			t.Fatal(err)
		}
		if (created.Box == nil) != (tt.box == nil) || (created.Box != nil && *created.Box != *tt.box) {
			t.Errorf("%s: SessionCreated.box = %+v, want %+v", tt.name, created.Box, tt.box)
		}
		_, page := b.do("GET", "/admin/s/"+id, nil)
		if !strings.Contains(page, `id="session-box" data-encrypted="`+tt.encrypted+`"`) || !strings.Contains(page, tt.page) {
			t.Errorf("%s: the session page does not show the ballot box as %q: %s", tt.name, tt.page, page[strings.Index(page, "session-box"):][:300])
		}
	}
	for _, bad := range []url.Values{{"encrypted": {"1"}, "threshold": {"hai"}}, {"encrypted": {"1"}, "threshold": {"-1"}}, {"threshold": {"2"}}} {
		if res, id := create(bad); res.StatusCode != http.StatusBadRequest || id != "" {
			t.Errorf("create with %v = %d, want 400", bad, res.StatusCode)
		}
	}
	after, err := f.svc.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+3 {
		t.Errorf("%d sessions after, want %d: a refused form created one", len(after), len(before)+3)
	}
}
