package web

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
)

const (
	testOrgA     = "Đảng bộ Phường Một"
	testOrgB     = "Đảng bộ Xã Hai"
	testPassword = "mat-khau-thu-nghiem"
)

// consoleFixture is a server with two organisations, one session in each,
// and one account per role and scope, on a real SQLite file over loopback.
type consoleFixture struct {
	t        *testing.T
	svc      *ballot.Service
	srv      *Server
	url      string
	sessA    string // in testOrgA
	sessB    string // in testOrgB
	accounts map[string]ballot.NewAccount
}

func newConsoleFixture(t *testing.T, opts Options) *consoleFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(t.TempDir() + "/console.db")
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	key, err := audit.GenerateKey(rand.Reader, "test")
	if err != nil {
		t.Fatal(err)
	}
	svc := ballot.NewService(st, key, nil, nil)
	f := &consoleFixture{t: t, svc: svc, accounts: map[string]ballot.NewAccount{}}
	for _, o := range []string{testOrgA, testOrgB} {
		if _, err := svc.AddOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []struct {
		org string
		id  *string
	}{{testOrgA, &f.sessA}, {testOrgB, &f.sessB}} {
		sess, err := svc.CreateSessionIn(ctx, "setup", ballot.NewSession{Org: o.org, Title: "Hội nghị " + o.org,
			Body: "Ban Chấp hành " + o.org, Date: "2026-11-22", Place: "Hội trường"})
		if err != nil {
			t.Fatal(err)
		}
		*o.id = sess.ID
	}
	for _, a := range []ballot.NewAccount{
		{Name: "quantri", Role: ballot.RoleAdmin},
		{Name: "tochuc-a", Role: ballot.RoleOrganiser, Orgs: []string{testOrgA}},
		{Name: "tochuc-b", Role: ballot.RoleOrganiser, Orgs: []string{testOrgB}},
		{Name: "kiemtra-a", Role: ballot.RoleInspector, Sessions: []string{f.sessA}},
	} {
		a.Password = testPassword
		if _, err := svc.AddAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		f.accounts[a.Name] = a
	}
	f.srv = New(svc, opts)
	hs := httptest.NewServer(f.srv.Handler())
	t.Cleanup(hs.Close)
	f.url = hs.URL
	return f
}

// browser is one client with its own cookies; it does not follow
// redirects, so tests see them.
type browser struct {
	f      *consoleFixture
	client *http.Client
	csrf   string
}

func (f *consoleFixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{f: f, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.f.url+path, body)
	if err != nil {
		b.f.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// login signs in through the real form and keeps the CSRF token of the
// console's pages.
func (b *browser) login(name, password string) *http.Response {
	b.f.t.Helper()
	_, page := b.do("GET", "/admin/login", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		b.f.t.Fatalf("login page has no CSRF field:\n%s", page)
	}
	res, _ := b.do("POST", "/admin/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}})
	if res.StatusCode == http.StatusSeeOther {
		_, home := b.do("GET", "/admin", nil)
		if m := csrfField.FindStringSubmatch(home); m != nil {
			b.csrf = m[1]
		}
	}
	return res
}

func (b *browser) mustLogin(name string) *browser {
	b.f.t.Helper()
	if res := b.login(name, testPassword); res.StatusCode != http.StatusSeeOther || b.csrf == "" {
		b.f.t.Fatalf("login(%s): status %d, csrf %q", name, res.StatusCode, b.csrf)
	}
	return b
}
