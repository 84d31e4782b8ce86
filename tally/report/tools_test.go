package report_test

import (
	"bytes"
	"crypto/rand"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/internal/testtool"
	"tinnhiem/tally/report"
)

// These tests check the issued documents with the tools an inspector uses:
// poppler (pdftotext, pdffonts, pdfsig, pdftoppm) and zbarimg.

func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	// Only stdout: zbarimg, for one, chats about D-Bus on stderr.
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// issued tallies the fixture and writes its documents to a directory.
func issued(t *testing.T) (*issuedDocs, string) {
	t.Helper()
	f := newFixture(t, false)
	must(t, f.svc.Close(f.ctx, actor, f.id))
	iss, err := f.issue()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, d := range iss.Documents {
		must(t, os.WriteFile(filepath.Join(dir, d.Name), d.Data, 0o600))
	}
	return iss, dir
}

func fields(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestDocumentsText(t *testing.T) {
	testtool.NeedTools(t, "pdftotext", "pdffonts")
	iss, dir := issued(t)
	minutes := fields(tool(t, "pdftotext", filepath.Join(dir, report.MinutesName), "-"))
	for i, c := range fixtureCadres {
		name := norm.NFC.String(c.Name)
		text := tool(t, "pdftotext", filepath.Join(dir, report.CadreReportName(c.ID)), "-")
		if !strings.Contains(text, name) {
			t.Errorf("report %d: pdftotext lacks %q:\n%s", i+1, name, text)
		}
		// Wrapped table cells come out on several lines; compare words.
		if !strings.Contains(minutes, fields(name)) {
			t.Errorf("minutes: pdftotext lacks %q", name)
		}
		cr := iss.Result.Cadres[i]
		for _, want := range []string{cr.Percent[0].Vietnamese() + "%", iss.Fingerprint, "Ngô Thị Mỹ Duyên", "T/M BAN KIỂM PHIẾU", "TRƯỞNG BAN"} {
			if !strings.Contains(text, want) {
				t.Errorf("report %d lacks %q", i+1, want)
			}
		}
	}
	for _, want := range []string{"BIÊN BẢN KIỂM PHIẾU", "Số người được triệu tập: 12", "Có mặt khi bắt đầu bỏ phiếu: 12/12 người, đủ số lượng tối thiểu (2/3)",
		"Số phiếu phát ra (thẻ đã in, trừ thẻ bị hủy): 12. Số phiếu thu về: 10.", "50,00%"} {
		if !strings.Contains(minutes, want) {
			t.Errorf("minutes lack %q:\n%s", want, minutes)
		}
	}
	fonts := tool(t, "pdffonts", filepath.Join(dir, report.MinutesName))
	rows := strings.Split(strings.TrimSpace(fonts), "\n")[2:]
	if len(rows) == 0 {
		t.Fatalf("pdffonts lists no font:\n%s", fonts)
	}
	for _, r := range rows {
		// name type encoding emb sub uni object ID
		f := strings.Fields(r)
		// Tinos for the text, DejaVu Sans Mono for the checkpoint.
		if name := strings.ToLower(f[0]); !strings.Contains(name, "tinos") && !strings.Contains(name, "dejavusansmono") || f[len(f)-5] != "yes" {
			t.Errorf("font not embedded Tinos or DejaVu Sans Mono: %q", r)
		}
	}
}

func TestDocumentsPDFSignature(t *testing.T) {
	testtool.NeedTools(t, "pdfsig")
	iss, dir := issued(t)
	for _, d := range iss.Documents {
		if !strings.HasSuffix(d.Name, ".pdf") {
			continue
		}
		path := filepath.Join(dir, d.Name)
		out := tool(t, "pdfsig", path)
		// pdfsig exits 0 even for a broken signature: read what it says.
		if !strings.Contains(out, "Signature is Valid.") || !strings.Contains(out, "Total document signed") {
			t.Errorf("%s: pdfsig does not accept it:\n%s", d.Name, out)
		}
		if !strings.Contains(out, "Ban Chấp hành Đảng bộ Khối") {
			t.Errorf("%s: the certificate does not name the body:\n%s", d.Name, out)
		}
		changed := bytes.Clone(d.Data)
		changed[len(changed)/3] ^= 0x01
		bad := filepath.Join(dir, "changed-"+d.Name)
		must(t, os.WriteFile(bad, changed, 0o600))
		badOut, _ := exec.Command("pdfsig", bad).CombinedOutput()
		if strings.Contains(string(badOut), "Signature is Valid.") {
			t.Errorf("%s: pdfsig accepts it after one byte changed:\n%s", d.Name, badOut)
		}
	}
}

func TestReportQRCodeIsCheckpoint(t *testing.T) {
	testtool.NeedTools(t, "pdftoppm", "zbarimg")
	iss, dir := issued(t)
	tool(t, "pdftoppm", "-r", "200", "-png", filepath.Join(dir, "bao-cao-c2.pdf"), filepath.Join(dir, "page"))
	out := tool(t, "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", filepath.Join(dir, "page-1.png"))
	// zbarimg ends each symbol's text with a newline of its own.
	if got := strings.TrimSuffix(out, "\n"); got != iss.Checkpoint {
		t.Fatalf("QR code: got %q, want the checkpoint %q", got, iss.Checkpoint)
	}
}

// TestBarChartLengths measures the rendered bars of cadre c1 (5 high, 2
// normal, 3 low of 10 ballots): each must be as long as its percentage of
// the track.
func TestBarChartLengths(t *testing.T) {
	testtool.NeedTools(t, "pdftoppm")
	_, dir := issued(t)
	tool(t, "pdftoppm", "-r", "100", "-png", filepath.Join(dir, "bao-cao-c1.pdf"), filepath.Join(dir, "page"))
	fh, err := os.Open(filepath.Join(dir, "page-1.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	colours := [3][3]int{{46, 125, 50}, {21, 101, 192}, {198, 40, 40}}
	track := [3]int{236, 236, 236}
	var length [3]int
	for l, c := range colours {
		length[l] = widestRun(img, c)
	}
	// The longest empty stretch of track is beside the shortest bar (normal,
	// 20%); together they make the whole track.
	trackLen := widestRun(img, track) + length[1]
	want := [3]float64{0.5, 0.2, 0.3}
	for l := range length {
		got := float64(length[l]) / float64(trackLen)
		if d := got - want[l]; d > 0.01 || d < -0.01 {
			t.Errorf("bar %d: %d of %d px = %.3f of the track, want %.2f", l, length[l], trackLen, got, want[l])
		}
	}
	if trackLen < 250 {
		t.Fatalf("track is %d px wide at 100 dpi, want about 340", trackLen)
	}
}

// widestRun returns the longest horizontal run of pixels of colour c (within
// a small tolerance for anti-aliasing) in img.
func widestRun(img image.Image, c [3]int) int {
	b := img.Bounds()
	best := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		run := 0
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(int(r>>8), c[0]) && near(int(g>>8), c[1]) && near(int(bl>>8), c[2]) {
				run++
				best = max(best, run)
			} else {
				run = 0
			}
		}
	}
	return best
}

func near(a, b int) bool { return a-b <= 2 && b-a <= 2 }

func TestCertificatePEM(t *testing.T) {
	a, err := report.NewSelfSigned(rand.Reader, "Ban Chấp hành Đảng bộ Khối", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := report.NewSelfSigned(rand.Reader, "Một cơ quan khác", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certA, keyA, err := a.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	_, keyB, err := b.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	got, err := report.ParsePEM(certA, keyA)
	if err != nil {
		t.Fatalf("ParsePEM of MarshalPEM: %v", err)
	}
	if !got.Certificate.Equal(a.Certificate) || got.Certificate.Subject.Organization[0] != "Ban Chấp hành Đảng bộ Khối" {
		t.Fatalf("ParsePEM: got subject %v, want the certificate written", got.Certificate.Subject)
	}
	for _, c := range []struct {
		name      string
		cert, key []byte
		want      string
	}{
		{"another key", certA, keyB, "does not belong"},
		{"no certificate", keyA, keyA, "no CERTIFICATE"},
		{"no key", certA, certA, "no PRIVATE KEY"},
	} {
		if _, err := report.ParsePEM(c.cert, c.key); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	if _, err := report.NewSelfSigned(rand.Reader, "  ", time.Now()); err == nil {
		t.Errorf("NewSelfSigned without a name: got nil error")
	}
	if _, err := report.ParsePKCS12([]byte("not a p12"), ""); err == nil {
		t.Errorf("ParsePKCS12 of garbage: got nil error")
	}
}
