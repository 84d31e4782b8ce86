package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"tinnhiem/ballot/box"
)

// The accessibility checks of the browser tests: axe-core (web/a11y, pinned in its package-lock.json and installed
// by `make a11y-deps`) is injected into the page under test through the DevTools protocol — which the page's
// Content-Security-Policy does not govern, so the page is checked exactly as served — and every violation it finds
// fails the test. A new page adds a call to axeCheck.

const axePath = "a11y/node_modules/axe-core/axe.min.js"

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript returns axe.min.js, skipping the test when it is not installed, except under CI=true.
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile(axePath)
		axeSource = string(b)
	})
	if axeErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core is required under CI (make a11y-deps): %v", axeErr)
		}
		t.Skipf("axe-core is not installed (make a11y-deps): %v", axeErr)
	}
	return axeSource
}

// axeViolation is the part of an axe result a failure names.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axeCheck runs axe-core on the page of ctx as it is now (every rule of WCAG 2.x A and AA, and axe's best
// practices) and fails the test with the list of violations; name says which page and view.
func axeCheck(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	src := axeScript(t)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src+";true")); err != nil {
		t.Fatalf("%s: failed to load axe-core: %v", name, err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", name, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("%s: axe's answer: %v", name, err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		t.Errorf("%s: axe %s (%s): %s\n    %s", name, v.ID, v.Impact, v.Help, strings.Join(where, "\n    "))
	}
}

// textSize sets the page's text size as a phone's accessibility setting does: the root font size, on which every
// size of the pages' CSS depends (rem), at percent of the default.
func textSize(percent int) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.documentElement.style.fontSize = "%d%%"; true`, percent)))
		return err
	})
}

// checkViews runs axeCheck at the phone's size, then again at 200 % text size, where the page must also not
// scroll sideways (WCAG 1.4.10: content reflows); it restores 100 % afterwards.
func checkViews(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	axeCheck(t, ctx, name)
	if err := chromedp.Do(ctx, textSize(200)); err != nil {
		t.Fatal(err)
	}
	axeCheck(t, ctx, name+" at 200 % text")
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil {
		t.Fatal(err)
	}
	if wide[0] > wide[1] {
		t.Errorf("%s at 200 %% text scrolls sideways: %d px of content in %d", name, wide[0], wide[1])
	}
	if err := chromedp.Do(ctx, textSize(100)); err != nil {
		t.Fatal(err)
	}
}

// TestA11yVoterPages checks, at 390×844 and at 200 % text size, the entry page, the receipt look-up, and every
// view of the voter page of an encrypted session: the code form, the ballot, the review of the encrypted ballot
// with its tracker, the check of the encryption and the receipt. Each level of each cadre must be a labelled radio
// in a fieldset whose legend names the cadre, which is checked here directly as well as by axe.
func TestA11yVoterPages(t *testing.T) {
	axeScript(t)
	f := newFixture(t, fixtureOptions{tokens: 2, encrypted: true})
	ctx := newBrowser(t)
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkViews(t, ctx, name)
	}
	step("entry page", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(f.url+"/nhap-ma"), chromedp.WaitVisible(chromedp.ID("code")))
	step("receipt look-up page", chromedp.Navigate(f.url+"/tra-cuu"), chromedp.WaitVisible(chromedp.ID("tracker")))
	step("voter page: card code form", chromedp.Navigate(f.url+"/v/"), chromedp.WaitVisible(chromedp.ID("code-form")))
	step("voter page: ballot", chromedp.Navigate(f.url+"/V/"+f.tokens[0]), chromedp.WaitVisible(chromedp.ID("ballot")))
	screenshot(t, ctx, "a11y-ballot.png", false)
	// Every radio is named by its level and sits in the fieldset its legend names.
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#cadres input[type=radio]")).filter(r => {
		const fs = r.closest("fieldset"), lg = fs && fs.querySelector("legend"), lb = r.closest("label");
		return !fs || !lg || !lg.textContent.trim() || !lb || !lb.textContent.trim() || r.labels.length !== 1;
	}).map(r => r.id)`))
	if err != nil || len(bad) > 0 {
		t.Errorf("radios without a label or a named fieldset: %q (%v)", bad, err)
	}
	n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#cadres fieldset input[type=radio]").length`))
	if n != len(testCadres)*3 {
		t.Errorf("%d radios, want %d", n, len(testCadres)*3)
	}
	for _, id := range []string{"c1-high", "c2-normal", "c3-low", "c4-low", "c5-high"} {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(id))); err != nil {
			t.Fatal(err)
		}
	}
	step("voter page: review of the encrypted ballot", chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("review-send")))
	step("voter page: check of the encryption", chromedp.Click(chromedp.ID("review-audit")), chromedp.WaitVisible(chromedp.ID("audit-text")))
	screenshot(t, ctx, "a11y-audit.png", false)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("audit-again")), chromedp.WaitVisible(chromedp.ID("review-send"))); err != nil {
		t.Fatal(err)
	}
	step("voter page: receipt", chromedp.Click(chromedp.ID("review-send")), chromedp.WaitVisible(chromedp.ID("receipt-code")))
}

// TestA11yProjector checks the projector's code form, its view during the vote and after the tally, at 390×844
// (a phone opening the projection) and at 200 % text size.
func TestA11yProjector(t *testing.T) {
	axeScript(t)
	f := newFixture(t, fixtureOptions{tokens: 3, encrypted: true})
	code, err := f.svc.IssueDisplayCode(context.Background(), "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(f.url+"/trinh-chieu/"+f.session), chromedp.WaitVisible(chromedp.ID("display-code"))); err != nil {
		t.Fatal(err)
	}
	checkViews(t, ctx, "projector: code form")
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("display-code"), strings.ToLower(code)),
		chromedp.Click(chromedp.ID("display-submit")), chromedp.WaitVisible(chromedp.ID("display-received"))); err != nil {
		t.Fatal(err)
	}
	checkViews(t, ctx, "projector: during the vote")
	p := f.encForm(f.tokens[0])
	b, _ := f.encBallot(p, f.tokens[0], []int{3, 1, 2, 0, 1})
	if status, body := f.castEncrypted(f.tokens[0], box.FormatBallot(b)); status != 201 {
		t.Fatalf("cast: %d %s", status, body)
	}
	f.tallyEncrypted()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("display-table"))); err != nil {
		t.Fatal(err)
	}
	checkViews(t, ctx, "projector: results")
	screenshot(t, ctx, "a11y-projector-results.png", false)
}
