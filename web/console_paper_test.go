package web

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/ballot"
	"tinnhiem/internal/testtool"
)

// TestConsolePaperBallots drives the console's paper section of an
// encrypted draft session: the number of confirmations is saved and
// logged, paper ballots are issued as a PDF whose QR codes read back as
// paper cards, the counts show them, and an inspector may do neither.
func TestConsolePaperBallots(t *testing.T) {
	testtool.NeedTools(t, "pdftoppm", "zbarimg", "pdftotext")
	f := newConsoleFixture(t, Options{})
	ctx := t.Context()
	sess, err := f.svc.CreateSessionIn(ctx, "setup", ballot.NewSession{Org: testOrgA, Title: "Hội nghị mã hóa",
		Body: "Ban Chấp hành " + testOrgA, Date: "2026-11-22", Place: "Hội trường", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	id := sess.ID
	if err := f.svc.ImportCadres(ctx, "setup", id, []ballot.Cadre{{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư"},
		{ID: "c2", Name: "Trần Thị Bích Ngọc", Position: "Phó Bí thư"}}); err != nil {
		t.Fatal(err)
	}
	b := f.browser().mustLogin("tochuc-a")
	base := "/admin/s/" + id
	_, body := b.do("GET", base, nil)
	if p := visible(body); !strings.Contains(p, "Phiếu giấy") || !strings.Contains(p, "Số ủy viên xác nhận mỗi phiếu giấy") {
		t.Fatalf("session page lacks the paper section:\n%s", p)
	}
	for _, who := range []string{"kiemtra-a", "tochuc-b"} {
		o := f.browser().mustLogin(who)
		if res, _ := o.do("POST", base+"/paper", url.Values{"csrf": {o.csrf}, "count": {"1"}}); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
			t.Errorf("%s issues paper ballots: %d", who, res.StatusCode)
		}
	}
	if res, _ := b.do("POST", base+"/paper/confirmations", url.Values{"csrf": {b.csrf}, "confirmations": {"3"}}); res.StatusCode < 400 {
		t.Errorf("3 confirmations accepted: %d", res.StatusCode)
	}
	b.do("POST", base+"/paper/confirmations", url.Values{"csrf": {b.csrf}, "confirmations": {"1"}})
	res, pdf := b.do("POST", base+"/paper", url.Values{"csrf": {b.csrf}, "count": {"2"}})
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("paper ballots: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "paper.pdf")
	if err := os.WriteFile(path, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("pdftoppm", "-r", "200", "-f", "2", "-l", "2", "-singlefile", "-png", path, filepath.Join(dir, "p")).Run(); err != nil {
		t.Fatal(err)
	}
	qr, err := exec.Command("zbarimg", "-q", "--raw", filepath.Join(dir, "p.png")).Output()
	if err != nil {
		t.Fatal(err)
	}
	text, _ := exec.Command("pdftotext", path, "-").Output()
	code := strings.TrimSpace(string(qr))
	if _, ok := ballot.NormalizeToken(code); !ok || !bytes.Contains(text, []byte(code)) || !bytes.Contains(text, []byte("Trần Thị Bích Ngọc")) {
		t.Fatalf("the second ballot's QR code reads %q; its text:\n%s", code, text)
	}
	st, err := f.svc.PaperStatus(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Issued != 2 || st.Confirmations != 1 {
		t.Fatalf("paper status %+v", st)
	}
	_, body = b.do("GET", base, nil)
	if !strings.Contains(body, `id="paper-issued">2<`) || !strings.Contains(body, `id="paper-confirmations">1<`) {
		t.Errorf("the paper counts are not shown:\n%s", visible(body))
	}
}
