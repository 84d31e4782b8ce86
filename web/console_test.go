package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func (b *browser) upload(path, content string) (*http.Response, string) {
	b.f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf)
	fw, _ := mw.CreateFormFile("file", "list.csv")
	io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest("POST", b.f.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.client.Do(req)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

func TestLoginAndCookies(t *testing.T) {
	f := newConsoleFixture(t, Options{TLS: true})
	b := f.browser()
	res := b.login("tochuc-a", testPassword)
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteStrictMode {
		t.Errorf("session cookie = %+v, want HttpOnly, Secure under TLS, SameSite=Strict", cookie)
	}
	if got := res.Header.Get("Strict-Transport-Security"); got == "" {
		t.Errorf("no HSTS header under TLS")
	}

	// Over plain HTTP the Secure cookie is not sent back, so sign in again
	// on a server without TLS for the rest.
	f = newConsoleFixture(t, Options{})
	for _, tt := range []struct {
		name, password string
		want           int
	}{
		{"tochuc-a", "sai-mat-khau-roi", http.StatusUnauthorized},
		{"khong-ai", testPassword, http.StatusUnauthorized},
	} {
		if got := f.browser().login(tt.name, tt.password).StatusCode; got != tt.want {
			t.Errorf("login(%s, wrong) = %d, want %d", tt.name, got, tt.want)
		}
	}
	// Failures for one name slow its next attempts but never lock it: the
	// right password still signs in, after its wait.
	for range 5 {
		f.browser().login("tochuc-b", "sai-mat-khau-roi")
	}
	if got := f.browser().login("tochuc-b", testPassword).StatusCode; got != http.StatusSeeOther {
		t.Errorf("login with the right password after 5 failures = %d, want 303", got)
	}
	b = f.browser().mustLogin("tochuc-a")
	// A form without the CSRF token, or from another origin, changes nothing.
	res, _ = b.do("POST", "/admin/s/"+f.sessA+"/committee", url.Values{"members": {"Ai Đó"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("POST without CSRF = %d, want 403", res.StatusCode)
	}
	sess, _ := f.svc.Session(context.Background(), f.sessA)
	if len(sess.Committee) != 0 {
		t.Errorf("committee changed by a request without CSRF: %q", sess.Committee)
	}
	res, _ = b.do("POST", "/admin/logout", url.Values{"csrf": {b.csrf}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("logout = %d", res.StatusCode)
	}
	if res, _ = b.do("GET", "/admin", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /admin after logout = %d, want a redirect to sign in", res.StatusCode)
	}
}

// TestConsoleVote runs a session from the console over HTTP: import with
// preview, check-in, cards, open, live turnout, close, and the audit log
// naming the account.
func TestConsoleVote(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	b := f.browser().mustLogin("tochuc-a")
	base := "/admin/s/" + f.sessA

	// A roster with an error is shown with its line number and not saved.
	res, page := b.upload(base+"/roster", "Họ và tên,Chức vụ\nNguyễn Văn An,Bí thư\nNguyễn Văn An,Phó Bí thư\n")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Dòng 2 và 3") {
		t.Fatalf("bad roster preview: %d\n%s", res.StatusCode, page)
	}
	if ms, _ := f.svc.Members(context.Background(), f.sessA); len(ms) != 0 {
		t.Errorf("a roster with errors saved %d members", len(ms))
	}
	roster := "Họ và tên,Chức vụ\nNguyễn Văn An,Bí thư\nTrần Thị Bình,Phó Bí thư\nLê Văn Cường,Ủy viên\n"
	res, page = b.upload(base+"/roster", roster)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Trần Thị Bình") {
		t.Fatalf("roster preview: %d\n%s", res.StatusCode, page)
	}
	if ms, _ := f.svc.Members(context.Background(), f.sessA); len(ms) != 0 {
		t.Errorf("the preview saved %d members before the confirmation", len(ms))
	}
	pending := regexp.MustCompile(`name="pending" value="([^"]+)"`).FindStringSubmatch(page)
	if res, _ = b.do("POST", base+"/import", url.Values{"csrf": {b.csrf}, "pending": {pending[1]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm roster = %d", res.StatusCode)
	}
	// The organiser of the other organisation cannot confirm it again.
	other := f.browser().mustLogin("tochuc-b")
	if res, _ = other.do("POST", base+"/import", url.Values{"csrf": {other.csrf}, "pending": {pending[1]}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("other organisation's confirm = %d, want 403", res.StatusCode)
	}
	_, page = b.upload(base+"/cadres", "Họ và tên,Chức vụ\nPhạm Văn Dũng,Bí thư\nHoàng Thị Em,Phó Bí thư\n")
	pending = regexp.MustCompile(`name="pending" value="([^"]+)"`).FindStringSubmatch(page)
	b.do("POST", base+"/import", url.Values{"csrf": {b.csrf}, "pending": {pending[1]}})
	b.do("POST", base+"/committee", url.Values{"csrf": {b.csrf}, "members": {"Nguyễn Văn An\r\nLê Văn Cường"}})
	res, _ = b.do("POST", base+"/checkin", url.Values{"csrf": {b.csrf}, "member": {"Nguyễn Văn An", "Trần Thị Bình"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkin = %d", res.StatusCode)
	}
	res, pdf := b.do("POST", base+"/cards", url.Values{"csrf": {b.csrf}, "count": {"3"}})
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("cards = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ = b.do("POST", base+"/open", url.Values{"csrf": {b.csrf}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("open without confirmation = %d, want 400", res.StatusCode)
	}
	if res, _ = b.do("POST", base+"/open", url.Values{"csrf": {b.csrf}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("open = %d", res.StatusCode)
	}
	_, raw := b.do("GET", base+"/turnout", nil)
	var got turnout
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	if want := (turnout{State: "open", Summoned: 3, Present: 2, QuorumMet: true, Issued: 3, Used: 0, Remaining: 3}); got != want {
		t.Errorf("turnout = %+v, want %+v", got, want)
	}
	if res, _ = b.do("POST", base+"/close", url.Values{"csrf": {b.csrf}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close = %d", res.StatusCode)
	}
	_, page = b.do("GET", base+"/log", nil)
	for _, want := range []string{"<td>tochuc-a</td>", "SessionOpened", "tinnhiem checkpoint v1"} {
		if !strings.Contains(page, want) {
			t.Errorf("log page lacks %q", want)
		}
	}
	// The inspector of another session sees nothing of this one; the
	// inspector of this session reads its log but cannot change anything.
	ins := f.browser().mustLogin("kiemtra-a")
	if res, _ = ins.do("GET", base+"/log", nil); res.StatusCode != http.StatusOK {
		t.Errorf("inspector reads the log: %d", res.StatusCode)
	}
	if res, _ = ins.do("POST", base+"/committee", url.Values{"csrf": {ins.csrf}, "members": {"X"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("inspector changes the committee: %d, want 403", res.StatusCode)
	}
}
