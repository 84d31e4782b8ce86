package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"tinnhiem/internal/testtool"
)

// buildVerifier builds the real tinnhiem-verify, without cgo as inspectors get it, into a temporary folder.
func buildVerifier(t *testing.T) string {
	t.Helper()
	testtool.NeedTools(t, "go")
	bin := filepath.Join(t.TempDir(), "tinnhiem-verify")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/tinnhiem-verify")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build tinnhiem-verify: %v\n%s", err, out)
	}
	return bin
}

// TestBrowserBenaloh checks the encryption as a voter would, in a phone-sized Chromium: choose, encrypt, tap
// "Kiểm tra mã hóa", take the audit file the page shows, and decode it with the real tinnhiem-verify benaloh: the
// choices and the tracker are the ones on the phone. The page then encrypts afresh and sends a ballot whose tracker
// differs from the audited one; only that one is pooled.
func TestBrowserBenaloh(t *testing.T) {
	bin := buildVerifier(t)
	f := newFixture(t, fixtureOptions{tokens: 3, encrypted: true})
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(f.url+"/V/"+f.tokens[0]),
		chromedp.WaitVisible(chromedp.ID("ballot")),
		chromedp.Click(chromedp.ID("c1-high")),
		chromedp.Click(chromedp.ID("c2-normal")),
		chromedp.Click(chromedp.ID("c3-low")),
		chromedp.Click(chromedp.ID("c5-high")),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("confirm-yes")),
		chromedp.Click(chromedp.ID("confirm-yes")), // c4 left blank
		chromedp.WaitVisible(chromedp.ID("review-audit")),
	); err != nil {
		t.Fatalf("voter: %v", err)
	}
	screenshot(t, ctx, "benaloh-review.png", false)
	audited, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("review-tracker")))
	if err != nil {
		t.Fatal(err)
	}
	audited = strings.TrimSpace(audited)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("review-audit")),
		chromedp.WaitVisible(chromedp.ID("audit-text")),
	); err != nil {
		t.Fatalf("audit: %v", err)
	}
	screenshot(t, ctx, "benaloh-audit.png", false)
	file, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("audit-text").value`))
	if err != nil {
		t.Fatal(err)
	}
	// The download link saves the same file under its suggested name.
	dl := t.TempDir()
	if err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior,
				cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dl})
			return err
		}),
		chromedp.Click(chromedp.ID("audit-download")),
	); err != nil {
		t.Fatalf("download: %v", err)
	}
	downloaded := filepath.Join(dl, "tinnhiem-kiem-tra-"+audited+".json")
	var saved []byte
	for i := 0; i < 100; i++ {
		if saved, err = os.ReadFile(downloaded); err == nil && len(saved) == len(file) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if string(saved) != file {
		t.Errorf("the downloaded %s holds %d bytes (%v), the text %d", downloaded, len(saved), err, len(file))
	}
	if strings.Contains(file, f.tokens[0]) {
		t.Fatal("the audit file holds the card code")
	}
	if shown, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("audit-tracker"))); strings.TrimSpace(shown) != audited {
		t.Errorf("the audit view shows tracker %q, the review showed %q", shown, audited)
	}
	path := downloaded
	out, err := exec.Command(bin, "benaloh", path).CombinedOutput()
	t.Logf("tinnhiem-verify benaloh:\n%s", out)
	if err != nil {
		t.Fatalf("tinnhiem-verify benaloh: %v", err)
	}
	for _, want := range []string{
		"Mã xác nhận / tracker: " + audited + "\n",
		"  1. Nguyễn Văn An (Bí thư Đảng ủy Khối): Tín nhiệm cao / high confidence\n",
		"  2. Trần Thị Bích Ngọc (Phó Bí thư Thường trực Đảng ủy Khối): Tín nhiệm / confidence\n",
		"  3. Lê Hoàng Long (Ủy viên Ban Thường vụ): Tín nhiệm thấp / low confidence\n",
		"  4. Phạm Thị Thu Hương (Ủy viên Ban Thường vụ): Không đánh dấu (không hợp lệ) / no mark (invalid)\n",
		"  5. Lê Hoàng Long (Chủ nhiệm Ủy ban Kiểm tra Đảng ủy Khối): Tín nhiệm cao / high confidence\n",
		"✓ Phiếu mở được",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("tinnhiem-verify benaloh lacks %q", want)
		}
	}
	if f.ballotCount() != 0 {
		t.Fatal("the audited ballot reached the server")
	}

	// The inspector's page, served from the inspector's laptop by any static file server (here Go's, over the
	// repository's web/static, with the page's own CSP): the phone uploads the file and sees the same decoding.
	laptop := httptest.NewServer(http.FileServer(http.Dir("static")))
	defer laptop.Close()
	ictx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	listenTab(ictx)
	if err := chromedp.Do(ictx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(laptop.URL+"/kiem-tra-ma-hoa.html"),
		chromedp.WaitVisible(chromedp.ID("check-file")),
		chromedp.SetUploadFiles(`#check-file`, []string{downloaded}),
		chromedp.Click(chromedp.ID("check-submit")),
		chromedp.WaitVisible(chromedp.ID("check-lines")),
	); err != nil {
		t.Fatalf("inspector's page: %v", err)
	}
	screenshot(t, ictx, "benaloh-inspector-page.png", false)
	axeCheck(t, ictx, "inspector's check page")
	pageLines, err := chromedp.Run(ictx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#check-lines li")).map(li => li.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(pageLines) != len(testCadres) {
		t.Fatalf("the inspector's page shows %d lines: %q", len(pageLines), pageLines)
	}
	for k, l := range pageLines {
		if want := fmt.Sprintf("  %d. %s\n", k+1, l); !strings.Contains(string(out), want) {
			t.Errorf("the inspector's page shows %q, tinnhiem-verify benaloh does not print %q", l, want)
		}
	}
	if tr, _ := chromedp.Run(ictx, chromedp.Text(chromedp.ID("check-tracker"))); strings.TrimSpace(tr) != audited {
		t.Errorf("the inspector's page shows tracker %q, the phone %q", tr, audited)
	}
	if bad, _ := chromedp.Run(ictx, chromedp.Evaluate[bool](`!document.getElementById("check-tracker-bad").hidden`)); bad {
		t.Error("the inspector's page says the tracker differs")
	}

	// Encrypt afresh and send.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("audit-again")),
		chromedp.WaitVisible(chromedp.ID("review-send")),
	); err != nil {
		t.Fatalf("again: %v", err)
	}
	fresh, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("review-tracker")))
	if err != nil {
		t.Fatal(err)
	}
	fresh = strings.TrimSpace(fresh)
	if fresh == audited || !strings.HasPrefix(fresh, "TB1-") {
		t.Fatalf("after the check the page shows tracker %q, the audited one was %q", fresh, audited)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("review-send")),
		chromedp.WaitVisible(chromedp.ID("receipt-code")),
	); err != nil {
		t.Fatalf("send: %v", err)
	}
	screenshot(t, ctx, "benaloh-receipt.png", false)
	receipt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("receipt-code")))
	if strings.TrimSpace(receipt) != fresh {
		t.Fatalf("receipt %q, the fresh ballot's tracker %q", receipt, fresh)
	}
	if f.ballotCount() != 1 {
		t.Fatalf("pool holds %d ballots, want 1", f.ballotCount())
	}
	sealed := f.sealedTrackers()
	if len(sealed) != 1 || sealed[0] != fresh {
		t.Fatalf("sealed %q, want only the fresh ballot %q", sealed, fresh)
	}
}
