package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"tinnhiem/ballot"
	"tinnhiem/verify"
)

// memberTab opens a phone-sized tab for a committee member. Its problems
// are reported like newBrowser's, except the one Chromium logs for an
// answer the test expects to be a refusal (a 409 from the paper route).
func memberTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	err := chromedp.Listen(tab, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				t.Errorf("member tab: console.%s", ev.Type)
			}
		case *runtime.EventExceptionThrown:
			t.Errorf("member tab: exception: %s (line %d)", ev.ExceptionDetails.Text, ev.ExceptionDetails.LineNumber)
		case *log.EventEntryAdded:
			expected := ev.Entry.Source == log.EntrySourceNetwork && strings.HasSuffix(ev.Entry.URL, "/api/v1/member/paper") &&
				strings.Contains(ev.Entry.Text, "409")
			if !expected && (ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning) {
				t.Errorf("member tab: log %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatalf("failed to open a tab: %v", err)
	}
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
	return tab
}

// enterPaper types a card code and ticks boxes (per cadre, 0-based, the
// options 1…3 ticked) in the paper section, sends, and waits for the
// page's answer: the result line, or the error.
func enterPaper(t *testing.T, tab context.Context, code string, marks [][]int, name string) (result, problem string) {
	t.Helper()
	acts := []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(chromedp.ID("paper-form")),
		chromedp.SendKeys(chromedp.ID("paper-card"), code),
	}
	for k, m := range marks {
		for _, o := range m {
			acts = append(acts, chromedp.Click(chromedp.ID(fmt.Sprintf("paper-%d-%d", k, o))))
		}
	}
	if err := chromedp.Do(tab, acts...); err != nil {
		t.Fatalf("entering a paper ballot: %v", err)
	}
	if name != "" {
		screenshot(t, tab, name, false)
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.ID("paper-submit"))); err != nil {
		t.Fatalf("sending a paper ballot: %v", err)
	}
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`!document.getElementById("paper-result").hidden || !document.getElementById("paper-error").hidden`)); err != nil {
		t.Fatalf("waiting for the answer to a paper ballot: %v", err)
	}
	out, err := chromedp.Run(tab, chromedp.Evaluate[[2]string](`[document.getElementById("paper-result").hidden ? "" : document.getElementById("paper-result").textContent,
		document.getElementById("paper-error").hidden ? "" : document.getElementById("paper-error-message").textContent]`))
	if err != nil {
		t.Fatal(err)
	}
	return out[0], out[1]
}

// TestBrowserPaperBallots: two committee members, each on a phone-sized
// window of their own, enter the same paper ballots through /bkp/phieu-giay
// — the first by pasting their link, the second from the member page's
// sessionStorage — and the browser encrypts each deterministically, so
// that the second entry confirms the first: one paper with two marks on a
// line, and one the second member mistypes, which is refused and then
// entered again by both. After close and decryption the tally counts the
// doubly marked line invalid for that cadre, and the verifier accepts the
// log, counting two paper ballots.
func TestBrowserPaperBallots(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 3, encrypted: true, draft: true})
	c := context.Background()
	var paper []string
	if err := f.svc.IssuePaperTokens(c, "test", f.session, 2, func(ts []string) error { paper = ts; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Open(c, "test", f.session, false, ""); err != nil {
		t.Fatal(err)
	}
	links, err := f.svc.IssueMemberLinks(c, "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowserWithin(t, 3*time.Minute)
	codes := []string{ballot.FormatCode(paper[0]), strings.ToLower(paper[1])} // as printed, and as typed in haste

	// Member 1 opens the page directly and pastes the personal link.
	one := memberTab(t, ctx)
	if err := chromedp.Do(one,
		chromedp.Navigate(f.url+"/bkp/phieu-giay"),
		chromedp.WaitVisible(chromedp.ID("paper-link-form")),
		chromedp.SendKeys(chromedp.ID("paper-link"), MemberURL(f.url, f.session, links[0].Code)),
		chromedp.Click(chromedp.ID("paper-link-submit")),
		chromedp.WaitVisible(chromedp.ID("paper-form")),
	); err != nil {
		t.Fatalf("member 1 opens the paper section: %v", err)
	}
	double := [][]int{{1}, {1, 3}, {}, {}, {}}
	second := [][]int{{2}, {3}, {1}, {1}, {3}}
	res, problem := enterPaper(t, one, codes[0], double, "paper-summary.png")
	if problem != "" || !strings.Contains(res, "Cần một ủy viên khác") {
		t.Fatalf("member 1, paper 1: result %q, error %q", res, problem)
	}
	summary, _ := chromedp.Run(one, chromedp.Text(chromedp.ID("paper-summary-list")))
	if strings.Contains(summary, "2 ô") {
		t.Errorf("the summary was not cleared after sending: %q", summary)
	}
	res, problem = enterPaper(t, one, codes[1], second, "")
	if problem != "" || !strings.Contains(res, "Cần một ủy viên khác") {
		t.Fatalf("member 1, paper 2: result %q, error %q", res, problem)
	}

	// Member 2 comes from the member page, which left the code in sessionStorage.
	two := memberTab(t, ctx)
	store, _ := json.Marshal(map[string]string{"session": f.session, "code": links[1].Code})
	if err := chromedp.Do(two,
		chromedp.Navigate(f.url+"/bkp/phieu-giay"),
		chromedp.WaitVisible(chromedp.ID("paper-link-form")),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`sessionStorage.setItem("tinnhiem.member", %q); undefined`, store)),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID("paper-form")),
	); err != nil {
		t.Fatalf("member 2 opens the paper section: %v", err)
	}
	// The summary names the doubly marked line before sending.
	if err := chromedp.Do(two, chromedp.SendKeys(chromedp.ID("paper-card"), codes[0]),
		chromedp.Click(chromedp.ID("paper-0-1")), chromedp.Click(chromedp.ID("paper-1-1")), chromedp.Click(chromedp.ID("paper-1-3"))); err != nil {
		t.Fatal(err)
	}
	summary, _ = chromedp.Run(two, chromedp.Text(chromedp.ID("paper-summary-list")))
	for _, want := range []string{"Tín nhiệm cao", "2 ô — không hợp lệ", "không đánh dấu — không hợp lệ"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary %q lacks %q", summary, want)
		}
	}
	if err := chromedp.Do(two, chromedp.Evaluate[chromedp.Void](`document.getElementById("paper-card").value = ""; undefined`), chromedp.Click(chromedp.ID("paper-0-1")),
		chromedp.Click(chromedp.ID("paper-1-1")), chromedp.Click(chromedp.ID("paper-1-3"))); err != nil {
		t.Fatal(err)
	}
	res, problem = enterPaper(t, two, codes[0], double, "")
	if problem != "" || !strings.Contains(res, "đã được xác nhận") || !strings.Contains(res, "TB1-") {
		t.Fatalf("member 2, paper 1: result %q, error %q", res, problem)
	}
	screenshot(t, two, "paper-confirmed.png", false)
	checkViews(t, two, "paper entry: a confirmed ballot")
	// A mistyped entry: line 5 read as "Tín nhiệm" instead of "Tín nhiệm thấp".
	mistyped := [][]int{{2}, {3}, {1}, {1}, {2}}
	res, problem = enterPaper(t, two, codes[1], mistyped, "")
	if res != "" || !strings.Contains(problem, "không khớp") {
		t.Fatalf("member 2's mistyped entry: result %q, error %q", res, problem)
	}
	screenshot(t, two, "paper-mismatch.png", false)
	if err := chromedp.Do(two, chromedp.Evaluate[chromedp.Void](`document.getElementById("paper-card").value = ""; undefined`)); err != nil {
		t.Fatal(err)
	}
	// The page kept the mistyped ticks: clear them, then both enter the paper again.
	if err := chromedp.Do(two, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#paper-cadres input').forEach(function (b) { if (b.checked) { b.click(); } }); undefined`)); err != nil {
		t.Fatal(err)
	}
	res, problem = enterPaper(t, two, codes[1], second, "")
	if problem != "" || !strings.Contains(res, "Cần một ủy viên khác") {
		t.Fatalf("member 2, paper 2 again: result %q, error %q", res, problem)
	}
	res, problem = enterPaper(t, one, codes[1], second, "")
	if problem != "" || !strings.Contains(res, "đã được xác nhận") {
		t.Fatalf("member 1, paper 2 again: result %q, error %q", res, problem)
	}
	// The counts refresh after the answer, in a request of their own.
	waitPage(t, one, "member 1's counts", `document.getElementById("paper-counts").textContent.indexOf("đã xác nhận 2") >= 0`, 20*time.Second)
	counts, _ := chromedp.Run(one, chromedp.Text(chromedp.ID("paper-counts")))
	if !strings.Contains(counts, "đã xác nhận 2") || !strings.Contains(counts, "chờ xác nhận 0") {
		t.Errorf("member 1's counts: %q", counts)
	}
	screenshot(t, one, "paper-counts.png", false)

	st, err := f.svc.PaperStatus(c, f.session)
	if err != nil {
		t.Fatal(err)
	}
	if st.Confirmed != 2 || st.Pending != 0 || st.Mismatches != 1 {
		t.Fatalf("paper status %+v", st)
	}
	if err := f.svc.Close(c, "test", f.session); err != nil {
		t.Fatal(err)
	}
	if err := f.com.Decrypt(c, f.svc, "test", rand.Reader); err != nil {
		t.Fatal(err)
	}
	rec, err := f.svc.Tally(c, "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	// Paper 1: c1 high, c2 two marks, c3–c5 blank; paper 2: normal, low, high, high, low.
	want := [][3]int{{1, 1, 0}, {0, 0, 1}, {1, 0, 0}, {1, 0, 0}, {0, 0, 1}}
	invalid := []int{0, 1, 1, 1, 1}
	for i, cr := range rec.Result.Cadres {
		if cr.Counts != want[i] || cr.Invalid != invalid[i] {
			t.Errorf("cadre %d: counts %v, invalid %d, want %v and %d", i+1, cr.Counts, cr.Invalid, want[i], invalid[i])
		}
	}
	entries, _, err := f.svc.Log(c, f.session)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Log(entries)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Proceedings.PaperBallots != 2 || rep.Proceedings.PaperIssued != 2 {
		t.Errorf("the verifier counts %d paper ballots of %d printed, want 2 of 2", rep.Proceedings.PaperBallots, rep.Proceedings.PaperIssued)
	}
}
