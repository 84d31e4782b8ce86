package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"tinnhiem/internal/testtool"
	"tinnhiem/tally/report"
)

// The browser tests drive Debian's chromium headless through chromedp. They
// skip when chromium or the QR tools are missing, except under CI=true,
// where a missing tool is a failure.

const chromiumPath = "/usr/bin/chromium"

// listenTab watches another tab of the browser for the same problems.
var listenTab func(ctx context.Context)

// newBrowser starts chromium and fails the test at its end if any page
// logged a console error, threw, or reported a CSP violation.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserWithin(t, 60*time.Second)
}

// newBrowserWithin is newBrowser with a deadline of its own, for tests
// whose pages compute for long (encryption under a CPU throttle).
func newBrowserWithin(t *testing.T, deadline time.Duration) context.Context {
	t.Helper()
	testtool.NeedTools(t, chromiumPath)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, deadline)
	problems := make(chan string, 100)
	// CSP violations reach the log domain as errors; console.error and
	// uncaught exceptions reach the runtime domain. Both are enabled by
	// chromedp for every target.
	listen := func(ctx context.Context) {
		err := chromedp.Listen(ctx, func(ev any) {
			var p string
			switch ev := ev.(type) {
			case *runtime.EventConsoleAPICalled:
				if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
					var args []string
					for _, a := range ev.Args {
						args = append(args, string(a.Value)+a.Description)
					}
					p = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
				}
			case *runtime.EventExceptionThrown:
				p = fmt.Sprintf("exception: %s (line %d)", ev.ExceptionDetails.Text, ev.ExceptionDetails.LineNumber)
			case *log.EventEntryAdded:
				if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
					p = fmt.Sprintf("log %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
				}
			}
			if p != "" {
				select {
				case problems <- p:
				default:
				}
			}
		})
		if err != nil {
			t.Fatalf("failed to start chromium: %v", err)
		}
	}
	listen(ctx)
	listenTab = listen
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		close(problems)
		for p := range problems {
			t.Errorf("browser reported: %s", p)
		}
	})
	return ctx
}

// screenshot saves the page as a PNG in test-artifacts/ and, when docs is
// set and the environment has TINNHIEM_UPDATE_SCREENSHOTS=1, in
// docs/screenshots/ for the README: a test run must not change tracked
// files unasked.
func screenshot(t *testing.T, ctx context.Context, name string, docs bool) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dirs := []string{"../test-artifacts"}
	if docs && os.Getenv("TINNHIEM_UPDATE_SCREENSHOTS") == "1" {
		dirs = append(dirs, "../docs/screenshots")
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// decodeCards decodes every QR code of the cards PDF with zbarimg, as a
// phone's camera would read the printed card.
func decodeCards(t *testing.T, pdf []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cards.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return testtool.DecodeQR(t, path)
}

// TestBrowserVote runs a vote through real browser pages: the organiser
// signs in, imports the lists with their previews, names the committee,
// checks members in and opens the vote; a voter on a 390×844 phone screen
// goes from a URL decoded from a printed card to the receipt; the organiser
// watches the turnout, closes, tallies and gets a report.
func TestBrowserVote(t *testing.T) {
	signer, err := report.NewSelfSigned(rand.Reader, testOrgA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := newConsoleFixture(t, Options{ReportSigner: func(string) (report.Signer, error) { return signer, nil }})
	ctx := newBrowser(t)
	dir := t.TempDir()
	roster := filepath.Join(dir, "roster.csv")
	cadres := filepath.Join(dir, "cadres.csv")
	os.WriteFile(roster, []byte("Họ và tên,Chức vụ,Đơn vị\nNguyễn Văn An,Bí thư,Chi bộ 1\nTrần Thị Bình,Phó Bí thư,Chi bộ 2\nLê Văn Cường,Ủy viên,Chi bộ 3\n"), 0o600)
	os.WriteFile(cadres, []byte("Họ và tên,Chức vụ\nPhạm Văn Dũng,Bí thư Đảng ủy\nHoàng Thị Em,Phó Bí thư Đảng ủy\n"), 0o600)
	base := f.url + "/admin/s/" + f.sessA

	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("sign in",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(f.url+"/admin/login"),
		chromedp.SendKeys(chromedp.ID("name"), "tochuc-a"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("sessions")),
	)
	screenshot(t, ctx, "console-home.png", false)
	for _, up := range []struct{ name, file string }{{"roster", roster}, {"cadres", cadres}} {
		run("upload "+up.name,
			chromedp.Navigate(base),
			chromedp.SetUploadFiles(chromedp.ID(up.name+"-file"), []string{up.file}),
			chromedp.Click(chromedp.ID(up.name+"-submit")),
			chromedp.WaitVisible(chromedp.ID("import-confirm")),
		)
		screenshot(t, ctx, "console-preview-"+up.name+".png", false)
		run("confirm "+up.name, chromedp.Click(chromedp.ID("import-confirm")), chromedp.WaitVisible(chromedp.ID("done")))
	}
	run("committee",
		chromedp.SetValue(chromedp.ID("committee"), "Nguyễn Văn An\nLê Văn Cường"),
		chromedp.Click(chromedp.ID("committee-submit")),
		chromedp.WaitVisible(chromedp.ID("committee-list")),
	)

	// The cards PDF is a download; fetch it over HTTP with the same
	// account and read its QR codes as a phone would.
	hb := f.browser().mustLogin("tochuc-a")
	res, pdf := hb.do("POST", "/admin/s/"+f.sessA+"/cards", url.Values{"csrf": {hb.csrf}, "count": {"3"}})
	if res.StatusCode != 200 {
		t.Fatalf("cards: %d", res.StatusCode)
	}
	urls := decodeCards(t, []byte(pdf))
	if len(urls) != 3 || !strings.Contains(urls[0], "/V/") {
		t.Fatalf("decoded card URLs = %q, want 3 voting URLs", urls)
	}

	run("check in",
		chromedp.Navigate(base+"/checkin"),
		chromedp.Click(chromedp.ID("member-0")),
		chromedp.SendKeys(chromedp.ID("search"), "trần"),
		chromedp.WaitNotVisible(chromedp.ID("member-0")),
		chromedp.Click(chromedp.ID("member-1")),
		chromedp.Click(chromedp.ID("checkin-submit")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	run("open",
		chromedp.Navigate(base+"/open"),
		chromedp.Click(chromedp.ID("confirm-check")),
		chromedp.Click(chromedp.ID("confirm-submit")),
		chromedp.WaitVisible(chromedp.ID("close-link")),
	)

	// The voter, on a phone-sized screen in a tab of its own.
	vctx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	listenTab(vctx)
	if err := chromedp.Do(vctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(urls[0]),
		chromedp.WaitVisible(chromedp.ID("ballot")),
		chromedp.Click(chromedp.ID("c1-high")),
		chromedp.Click(chromedp.ID("c2-normal")),
	); err != nil {
		t.Fatalf("voter ballot: %v", err)
	}
	screenshot(t, vctx, "voter-ballot.png", true)
	if err := chromedp.Do(vctx,
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("confirm-yes")),
		chromedp.Click(chromedp.ID("confirm-yes")),
		chromedp.WaitVisible(chromedp.ID("receipt-code")),
	); err != nil {
		t.Fatalf("voter cast: %v", err)
	}
	receipt, err := chromedp.Run(vctx, chromedp.Text(chromedp.ID("receipt-code")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(receipt) == "" {
		t.Errorf("receipt is empty")
	}
	screenshot(t, vctx, "voter-receipt.png", false)

	// The live turnout reaches the console without a reload.
	run("turnout",
		chromedp.Navigate(base),
		chromedp.Poll[chromedp.Void](`document.getElementById("used").textContent === "1"`, chromedp.WithPollingTimeout(15*time.Second)),
	)
	screenshot(t, ctx, "console-session.png", true)
	run("close and tally",
		chromedp.Click(chromedp.ID("close-link")),
		chromedp.Click(chromedp.ID("confirm-check")),
		chromedp.Click(chromedp.ID("confirm-submit")),
		chromedp.WaitVisible(chromedp.ID("tally-submit")),
		chromedp.Click(chromedp.ID("tally-submit")),
		chromedp.WaitVisible(chromedp.ID("documents")),
	)
	screenshot(t, ctx, "console-documents.png", false)
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#documents a[href$=".pdf"]`), "href"))
	if err != nil {
		t.Fatalf("report link: %v", err)
	}
	href := attr.Value
	res, doc := hb.do("GET", href, nil)
	if res.StatusCode != 200 || !strings.HasPrefix(doc, "%PDF") {
		t.Errorf("report download %s: %d, PDF %v", href, res.StatusCode, strings.HasPrefix(doc, "%PDF"))
	}
	// The inspector of the session downloads the bundle, and can do nothing else.
	ins := f.browser().mustLogin("kiemtra-a")
	res, zip := ins.do("GET", "/admin/s/"+f.sessA+"/bundle", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(zip, "PK") {
		t.Errorf("inspector's bundle download: %d", res.StatusCode)
	}
}
