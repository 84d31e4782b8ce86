package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"html"
	imgpng "image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
)

// displayPoll asks the projector's API as the page does.
func (f *fixture) displayPoll(code string) (int, map[string]json.RawMessage) {
	f.t.Helper()
	status, body := f.post("/api/v1/display", map[string]string{"session": f.session, "code": code})
	var out map[string]json.RawMessage
	if err := json.Unmarshal(body, &out); err != nil {
		f.t.Fatalf("display answer %d %s: %v", status, body, err)
	}
	return status, out
}

// tallyEncrypted closes an encrypted fixture's session, lets trustees 1 and 3 decrypt and tallies.
func (f *fixture) tallyEncrypted() *ballot.TallyRecord {
	f.t.Helper()
	ctx := context.Background()
	if err := f.svc.Close(ctx, "test", f.session); err != nil {
		f.t.Fatal(err)
	}
	if err := f.com.Decrypt(ctx, f.svc, "test", rand.Reader, 1, 3); err != nil {
		f.t.Fatal(err)
	}
	rec, err := f.svc.Tally(ctx, "test", f.session)
	if err != nil {
		f.t.Fatal(err)
	}
	return rec
}

// TestDisplayAPI: the projector's API over real HTTP. A wrong or replaced code is one 404 for all; during the
// vote and after close the answer has no results member at all — there is no partial result — and after the
// tally it carries the logged result as the minutes print it. Nothing in the answer names a card or a member.
func TestDisplayAPI(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 4, encrypted: true})
	ctx := context.Background()
	old, err := f.svc.IssueDisplayCode(ctx, "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	code, err := f.svc.IssueDisplayCode(ctx, "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{old, "", strings.Repeat("A", 20)} {
		if status, body := f.post("/api/v1/display", map[string]string{"session": f.session, "code": bad}); status != http.StatusNotFound ||
			!strings.Contains(string(body), "display_unknown") {
			t.Errorf("code %q: %d %s", bad, status, body)
		}
	}
	if status, _ := f.post("/api/v1/display", map[string]string{"session": "khong-co", "code": code}); status != http.StatusNotFound {
		t.Errorf("unknown session: %d", status)
	}
	// The choices below: c1 low on three ballots of four collected (more than half, less than two thirds: 3/4
	// is 75 %, two thirds or more), c2 high.
	p := f.encForm(f.tokens[0])
	for i, choices := range [][]int{{3, 1, 2, 0, 1}, {3, 1, 2, 1, 1}, {3, 2, 2, 1, 1}} {
		b, _ := f.encBallot(p, f.tokens[i], choices)
		if status, body := f.castEncrypted(f.tokens[i], box.FormatBallot(b)); status != http.StatusCreated {
			t.Fatalf("cast %d: %d %s", i, status, body)
		}
		status, got := f.displayPoll(code)
		if status != http.StatusOK {
			t.Fatalf("poll: %d %v", status, got)
		}
		if _, ok := got["results"]; ok {
			t.Fatalf("a result during the vote: %s", got["results"])
		}
		var n int
		_ = json.Unmarshal(got["received"], &n)
		if n != i+1 {
			t.Fatalf("received %d after %d ballots", n, i+1)
		}
	}
	status, got := f.displayPoll(code)
	if status != http.StatusOK || string(got["summoned"]) != "4" || string(got["present"]) != "4" || string(got["quorum_met"]) != "true" {
		t.Fatalf("open: %d %v", status, got)
	}
	for k := range got {
		if k != "session" && k != "summoned" && k != "present" && k != "quorum_met" && k != "received" {
			t.Errorf("unexpected member %q during the vote", k)
		}
	}
	if err := f.svc.Close(ctx, "test", f.session); err != nil {
		t.Fatal(err)
	}
	if _, got := f.displayPoll(code); got["results"] != nil {
		t.Fatalf("a result after close, before the tally: %s", got["results"])
	}
	if err := f.com.Decrypt(ctx, f.svc, "test", rand.Reader, 1, 3); err != nil {
		t.Fatal(err)
	}
	rec, err := f.svc.Tally(ctx, "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	_, got = f.displayPoll(code)
	var res displayResults
	if err := json.Unmarshal(got["results"], &res); err != nil {
		t.Fatalf("results after the tally: %v (%s)", err, got["results"])
	}
	if res.Collected != 3 || len(res.Cadres) != 5 || res.Denominator != rec.Result.Denominator {
		t.Fatalf("results %+v", res)
	}
	c1 := res.Cadres[0]
	if c1.Counts != [3]int{0, 0, 3} || c1.Percent[2] != "100,00" || c1.Condition != "two_thirds_low" || c1.ConditionVi != rec.Result.Cadres[0].Condition.Vietnamese(rec.Result.Rules) {
		t.Errorf("c1 %+v", c1)
	}
	if c2 := res.Cadres[1]; c2.Counts != [3]int{2, 1, 0} || c2.Percent[0] != "66,67" || c2.Condition != "none" {
		t.Errorf("c2 %+v", c2)
	}
	if c4 := res.Cadres[3]; c4.Invalid != 1 || c4.Valid != 2 {
		t.Errorf("c4 (one line blank) %+v", c4)
	}
	for _, tok := range f.tokens {
		if strings.Contains(string(got["results"]), tok) {
			t.Fatal("the projection holds a card code")
		}
	}
	// The log holds the codes' hashes only, and the access log neither the code nor the session's answer.
	entries, _, err := f.svc.Log(ctx, f.session)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.Contains(string(e.Data), code) {
			t.Fatalf("entry %d holds the display code", e.Seq)
		}
		if e.Type == audit.DisplayCodeIssued {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d DisplayCodeIssued entries, want 2", n)
	}
	if strings.Contains(f.logs.String(), code) {
		t.Error("the server's log holds the display code")
	}
}

// TestBrowserProjector shows the projector in Chromium at 1280×720: the code comes in the fragment and leaves the
// address bar; attendance and the ballots received update live without a reload; there is no result table while
// the vote runs; after the tally the table of every cadre appears with the minutes' counts, percentages and
// findings. Screenshots: projector-open.png, projector-tallied.png.
func TestBrowserProjector(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 4, encrypted: true})
	ctx := context.Background()
	code, err := f.svc.IssueDisplayCode(ctx, "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	bctx := newBrowser(t)
	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1280, 720),
		chromedp.Navigate(f.url+"/trinh-chieu/"+f.session+"#"+code),
		chromedp.WaitVisible(chromedp.ID("display-received")),
	); err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`location.href`))
	if strings.Contains(loc, code) || strings.Contains(loc, "#") {
		t.Errorf("the code stayed in the address bar: %s", loc)
	}
	p := f.encForm(f.tokens[0])
	for i, choices := range [][]int{{3, 1, 2, 0, 1}, {3, 1, 2, 1, 1}} {
		b, _ := f.encBallot(p, f.tokens[i], choices)
		if status, body := f.castEncrypted(f.tokens[i], box.FormatBallot(b)); status != http.StatusCreated {
			t.Fatalf("cast %d: %d %s", i, status, body)
		}
	}
	waitText(t, bctx, "display-received", "2", 10*time.Second)
	screenshot(t, bctx, "projector-open.png", false)
	visible, _ := chromedp.Run(bctx, chromedp.Evaluate[bool](`!document.getElementById("display-results").hidden || document.querySelectorAll("#display-rows tr").length > 0`))
	if visible {
		t.Fatal("a result table during the vote")
	}
	if q, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("display-quorum"))); strings.TrimSpace(q) != "Đủ" {
		t.Errorf("quorum shows %q", q)
	}
	f.tallyEncrypted()
	waitVisible(t, bctx, "display-table", 10*time.Second)
	screenshot(t, bctx, "projector-tallied.png", false)
	rows, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#display-rows tr")).map(tr => tr.innerText.replace(/\s+/g, " ").trim())`))
	if err != nil || len(rows) != 5 {
		t.Fatalf("rows %q (%v)", rows, err)
	}
	if !strings.Contains(rows[0], "Nguyễn Văn An") || !strings.Contains(rows[0], "2 (100,00 %)") || !strings.Contains(rows[0], "Từ 2/3 trở lên tín nhiệm thấp") {
		t.Errorf("row 1: %q", rows[0])
	}
	if !strings.Contains(rows[1], "2 (100,00 %)") || !strings.Contains(rows[1], "Không thuộc trường hợp nào") {
		t.Errorf("row 2: %q", rows[1])
	}
	if st, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("display-state"))); strings.TrimSpace(st) != "Đã kiểm phiếu" {
		t.Errorf("state %q", st)
	}
}

// waitText waits until the element's text is want.
func waitText(t *testing.T, ctx context.Context, id, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var got string
	for time.Now().Before(deadline) {
		got, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if strings.TrimSpace(got) == want {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("#%s shows %q after %s, want %q", id, got, within, want)
}

// waitVisible waits until the element is displayed.
func waitVisible(t *testing.T, ctx context.Context, id string, within time.Duration) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.ID(id))); err != nil {
		t.Fatalf("#%s not visible within %s: %v", id, within, err)
	}
}

// TestConsoleDisplayCode: an organiser issues a display code from the session's page; the answer shows the
// projection's address with the code in its fragment (never a query string), the code grouped by four and a QR,
// and the code opens the projection; the inspector sees the section without the button.
func TestConsoleDisplayCode(t *testing.T) {
	f := newConsoleFixture(t, Options{BaseURL: "http://192.168.1.10:8080"})
	org := f.browser().mustLogin("tochuc-a")
	_, page := org.do("GET", "/admin/s/"+f.sessA, nil)
	if !strings.Contains(page, `id="display-issue"`) {
		t.Fatal("the session page has no projector button")
	}
	res, page := org.do("POST", "/admin/s/"+f.sessA+"/display", url.Values{"csrf": {org.csrf}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("issue: %d\n%s", res.StatusCode, page)
	}
	m := regexp.MustCompile(`id="display-url">http://192\.168\.1\.10:8080/trinh-chieu/` + regexp.QuoteMeta(f.sessA) + `#([A-Z2-7]{20})<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no projection address with the code in its fragment:\n%s", page)
	}
	code := m[1]
	if !strings.Contains(page, `id="display-code">`+ballot.FormatDisplayCode(code)+`<`) || !strings.Contains(page, `id="display-qr" src="data:image/png;base64,`) {
		t.Errorf("the grouped code or the QR is missing:\n%s", page)
	}
	// The QR holds exactly the address shown.
	q := regexp.MustCompile(`id="display-qr" src="data:image/png;base64,([^"]+)"`).FindStringSubmatch(page)
	png, err := base64.StdEncoding.DecodeString(html.UnescapeString(q[1]))
	if err != nil {
		t.Fatal(err)
	}
	img, err := imgpng.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	qr, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil || qr.GetText() != "http://192.168.1.10:8080/trinh-chieu/"+f.sessA+"#"+code {
		t.Errorf("the QR decodes to %v (%v)", qr, err)
	}
	if _, err := f.svc.Display(context.Background(), f.sessA, code); err != nil {
		t.Fatalf("the issued code does not open the projection: %v", err)
	}
	insp := f.browser().mustLogin("kiemtra-a")
	if _, page := insp.do("GET", "/admin/s/"+f.sessA, nil); !strings.Contains(page, `id="display"`) || strings.Contains(page, `id="display-issue"`) {
		t.Error("the inspector's page should show the section without the button")
	}
	if res, _ := insp.do("POST", "/admin/s/"+f.sessA+"/display", url.Values{"csrf": {insp.csrf}}); res.StatusCode == http.StatusOK {
		t.Error("an inspector issued a display code")
	}
}
