package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tinnhiem/tally"
)

// TestFormalBallotAPI checks the form of a formal vote over HTTP: the
// session says it is one, the options are the two of the formal vote in
// ballot order, and the encrypted box has two options per line.
func TestFormalBallotAPI(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2, encrypted: true, formal: true})
	status, body := f.post("/api/v1/ballot", map[string]string{"token": f.tokens[0]})
	if status != 200 {
		t.Fatalf("ballot: %d %s", status, body)
	}
	var form struct {
		Session struct{ Kind string }                   `json:"session"`
		Levels  []struct{ Code, Label, LabelEN string } `json:"levels"`
		Box     struct{ Options int }                   `json:"box"`
	}
	if err := json.Unmarshal(body, &form); err != nil {
		t.Fatal(err)
	}
	if form.Session.Kind != "formal" || form.Box.Options != 2 || len(form.Levels) != 2 ||
		form.Levels[0].Code != "confidence" || form.Levels[0].Label != "Tín nhiệm" ||
		form.Levels[1].Code != "no_confidence" || form.Levels[1].Label != "Không tín nhiệm" {
		t.Errorf("formal form = %+v, want kind formal, two options (tín nhiệm, không tín nhiệm), box L = 2", form)
	}
	// A clear formal session refuses a rating's level whole.
	c := newFixture(t, fixtureOptions{tokens: 1, formal: true})
	status, body = c.cast(c.tokens[0], map[string]any{"c1": "high"})
	wantError(t, status, body, 400, "unknown_level")
	if c.ballotCount() != 0 {
		t.Errorf("a refused ballot was pooled")
	}
	status, body = c.cast(c.tokens[0], map[string]any{"c1": "no_confidence", "c2": "confidence"})
	if status != 201 {
		t.Fatalf("formal cast: %d %s", status, body)
	}
	if got := c.sealedMarks(); len(got) != 1 || got[0] != "KT---" {
		t.Errorf("sealed marks %q, want [KT---]", got)
	}
}

// TestBrowserFormalBallot votes in a formal vote of confidence on a
// 390×844 phone screen in real Chromium with the real box.js: each cadre is
// a fieldset whose legend names them, with two labelled radios; the
// warning before sending names the cadre left blank; the receipt is the
// sealed tracker, and the decrypted tally counts exactly the clicks.
func TestBrowserFormalBallot(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2, encrypted: true, formal: true})
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(f.url+"/V/"+f.tokens[0]),
		chromedp.WaitVisible(chromedp.ID("ballot")),
	); err != nil {
		t.Fatalf("load the ballot: %v", err)
	}
	type shape struct {
		Legend string   `json:"legend"`
		Values []string `json:"values"`
		Labels []string `json:"labels"`
	}
	lines, err := chromedp.Run(ctx, chromedp.Evaluate[[]shape](`Array.from(document.querySelectorAll("#cadres fieldset.cadre")).map(fs => ({
		legend: fs.querySelector("legend").textContent,
		values: Array.from(fs.querySelectorAll("input[type=radio]")).map(r => r.value),
		labels: Array.from(fs.querySelectorAll("input[type=radio]")).map(r => r.closest("label").textContent.trim())}))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(testCadres) {
		t.Fatalf("%d fieldsets, want %d", len(lines), len(testCadres))
	}
	for i, l := range lines {
		if !strings.Contains(l.Legend, testCadres[i].Name) || !strings.Contains(l.Legend, testCadres[i].Position) {
			t.Errorf("fieldset %d: legend %q does not name %s, %s", i+1, l.Legend, testCadres[i].Name, testCadres[i].Position)
		}
		if strings.Join(l.Values, ",") != "confidence,no_confidence" || strings.Join(l.Labels, ",") != "Tín nhiệm,Không tín nhiệm" {
			t.Errorf("fieldset %d: options %q labelled %q, want confidence, no_confidence labelled Tín nhiệm, Không tín nhiệm", i+1, l.Values, l.Labels)
		}
	}
	intro, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#ballot .intro")))
	if !strings.Contains(intro, "Không tín nhiệm") {
		t.Errorf("the formal ballot's intro %q does not name its options", intro)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("c1-no_confidence")),
		chromedp.Click(chromedp.ID("c2-confidence")),
		chromedp.Click(chromedp.ID("c3-no_confidence")),
		chromedp.Click(chromedp.ID("c5-confidence")),
	); err != nil {
		t.Fatalf("mark: %v", err)
	}
	screenshot(t, ctx, "formal-ballot.png", false)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("confirm-yes")),
	); err != nil {
		t.Fatalf("submit: %v", err)
	}
	warning, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("confirm-text")))
	if !strings.Contains(warning, "4. Phạm Thị Thu Hương (Ủy viên Ban Thường vụ)") || strings.Contains(warning, "Nguyễn Văn An") {
		t.Errorf("the unmarked-lines warning %q does not name exactly the blank line, cadre 4", warning)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("confirm-yes")),
		// An encrypted ballot is reviewed with its tracker, then sent.
		chromedp.WaitVisible(chromedp.ID("review-send")),
		chromedp.Click(chromedp.ID("review-send")),
		chromedp.WaitVisible(chromedp.ID("receipt-code")),
	); err != nil {
		t.Fatalf("cast: %v", err)
	}
	receipt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("receipt-code")))
	if sealed := f.sealedTrackers(); len(sealed) != 1 || sealed[0] != strings.TrimSpace(receipt) {
		t.Fatalf("sealed trackers %q, want the receipt %q", sealed, receipt)
	}
	c := context.Background()
	if err := f.com.Decrypt(c, f.svc, "test", rand.Reader); err != nil {
		t.Fatalf("Decrypt: %v", err)
	}
	rec, err := f.svc.Tally(c, "test", f.session)
	if err != nil {
		t.Fatalf("Tally: %v", err)
	}
	// Clicked: c1 không, c2 tín nhiệm, c3 không, c4 blank, c5 tín nhiệm;
	// counts are [0, tín nhiệm, không tín nhiệm].
	want := [][3]int{{0, 0, 1}, {0, 1, 0}, {0, 0, 1}, {0, 0, 0}, {0, 1, 0}}
	for i, cr := range rec.Result.Cadres {
		if cr.Counts != want[i] || cr.Valid+cr.Invalid != 1 {
			t.Errorf("cadre %d: counts %v (valid %d, invalid %d), want %v", i+1, cr.Counts, cr.Valid, cr.Invalid, want[i])
		}
	}
	if rec.Result.Rules != tally.NQ96BPT || rec.Result.Cadres[0].Condition != tally.NoConfidenceMajority {
		t.Errorf("rules %s, cadre 1 condition %v; want nq96-bpt and more than half no confidence", rec.Result.Rules, rec.Result.Cadres[0].Condition)
	}
}
