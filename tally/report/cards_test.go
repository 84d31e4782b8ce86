package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/text/unicode/norm"
)

// testTitle is decomposed (NFD) on purpose: the PDF must carry it composed.
var testTitle = norm.NFD.String("Hội nghị lấy phiếu tín nhiệm Đảng ủy Khối các cơ quan — Kỳ họp thứ Tám")

var testSheet = CardSheet{
	Title:     testTitle,
	Body:      "Đảng ủy Khối các cơ quan tỉnh Quảng Ngãi",
	Date:      "Thứ Năm, ngày 12 tháng 6 năm 2025",
	Place:     "Hội trường tầng 3, số 52 Hùng Vương",
	ManualURL: "http://127.0.0.1:8080/nhap-ma",
}

// testCards returns n cards with fixed tokens of the production shape: 160 bits
// as 32 base32 letters, in the URL and in groups of four for manual entry.
func testCards(n int) []Card {
	cards := make([]Card, n)
	for i := range cards {
		var seed [8]byte
		binary.BigEndian.PutUint64(seed[:], uint64(i))
		sum := sha256.Sum256(seed[:])
		token := base32.StdEncoding.EncodeToString(sum[:20])
		var groups []string
		for j := 0; j < len(token); j += 4 {
			groups = append(groups, token[j:j+4])
		}
		cards[i] = Card{URL: "HTTP://127.0.0.1:8080/V/" + token, Code: strings.Join(groups, "-")}
	}
	return cards
}

// requireTool returns the path of an external program, skipping the test when
// it is missing on a developer's machine but failing it in CI, which installs
// poppler-utils and zbar-tools so the check cannot silently disappear there.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not on PATH; CI must install poppler-utils and zbar-tools", name)
	}
	t.Skipf("%s is not on PATH; install poppler-utils and zbar-tools to run this test", name)
	return ""
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(requireTool(t, name), args...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

func writeTestPDF(t *testing.T, cards []Card) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCards(&buf, testSheet, cards); err != nil {
		t.Fatalf("WriteCards: %v", err)
	}
	path := filepath.Join(t.TempDir(), "the.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCardsScan checks the printed result as a voter's phone sees it: every QR
// code on the rasterised pages decodes to exactly its card's URL.
func TestCardsScan(t *testing.T) {
	cards := testCards(10)
	pdf := writeTestPDF(t, cards)
	prefix := filepath.Join(filepath.Dir(pdf), "page")
	run(t, "pdftoppm", "-r", "200", "-png", pdf, prefix)
	pages, err := filepath.Glob(prefix + "*.png")
	if err != nil || len(pages) != 2 {
		t.Fatalf("pdftoppm made pages %v (err %v), want 2 for 10 cards", pages, err)
	}
	out := run(t, "zbarimg", append([]string{"--raw", "-q"}, pages...)...)
	got := strings.Fields(out)
	var want []string
	for _, c := range cards {
		want = append(want, c.URL)
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("decoded %d QR codes:\n%s\nwant the %d card URLs:\n%s", len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
}

// TestCardsText checks that the text layer carries the composed title and every
// code, so the cards are searchable and the glyphs map back to Vietnamese.
func TestCardsText(t *testing.T) {
	cards := testCards(10)
	pdf := writeTestPDF(t, cards)
	text := run(t, "pdftotext", "-raw", "-enc", "UTF-8", pdf, "-")
	flat := strings.Join(strings.Fields(text), " ")
	title := norm.NFC.String(testTitle)
	if !strings.Contains(flat, title) {
		t.Errorf("pdftotext output lacks the NFC title %q:\n%s", title, text)
	}
	for _, want := range []string{headingVI, instructionVI, "Không quét được? Mở http://127.0.0.1:8080/nhap-ma và nhập mã."} {
		if !strings.Contains(flat, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
	// The code is printed on two lines, broken between groups.
	compact := strings.NewReplacer("-", "", " ", "").Replace(flat)
	for i, c := range cards {
		if !strings.Contains(compact, strings.ReplaceAll(c.Code, "-", "")) {
			t.Errorf("card %d: code %s not in the text layer", i, c.Code)
		}
		if !strings.Contains(flat, c.Code[:19]) {
			t.Errorf("card %d: first line of code %s not printed as %q", i, c.Code, c.Code[:19])
		}
	}
}

// TestCardsFontsEmbedded checks that every font is embedded, so the cards print
// the same on a machine without DejaVu.
func TestCardsFontsEmbedded(t *testing.T) {
	pdf := writeTestPDF(t, testCards(1))
	out := run(t, "pdffonts", pdf)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 {
		t.Fatalf("pdffonts listed no fonts:\n%s", out)
	}
	families := map[string]bool{}
	for _, line := range lines[2:] { // after the column names and the rule
		f := strings.Fields(line)
		// The type may be two words ("CID TrueType"), so count from the right:
		// emb sub uni object generation.
		if len(f) < 6 || f[len(f)-5] != "yes" {
			t.Errorf("font not embedded: %q", line)
			continue
		}
		name := f[0]
		if i := strings.IndexByte(name, '+'); i >= 0 {
			name = name[i+1:] // subset tag
		}
		families[name] = true
	}
	// gofpdf names an embedded UTF-8 font "utf8" + family + style.
	for _, want := range []string{"utf8dejavusans", "utf8dejavusansB", "utf8dejavusansmonoB"} {
		if !families[want] {
			t.Errorf("pdffonts lacks embedded %s:\n%s", want, out)
		}
	}
}

// qrImage renders modules as drawQR does, with the 4-module quiet zone the card
// margins provide, at scale pixels per module.
func qrImage(modules [][]bool, scale int) image.Image {
	n := len(modules) + 8
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for y := 0; y < n*scale; y++ {
		for x := 0; x < n*scale; x++ {
			r, c := y/scale-4, x/scale-4
			dark := r >= 0 && c >= 0 && r < len(modules) && c < len(modules) && modules[r][c]
			if dark {
				img.SetGray(x, y, color.Gray{0})
			} else {
				img.SetGray(x, y, color.Gray{255})
			}
		}
	}
	return img
}

// TestQRModulesDecode decodes the module matrix that drawQR draws with a pure-Go
// decoder, and checks the symbol is small and at level H.
func TestQRModulesDecode(t *testing.T) {
	for _, c := range testCards(3) {
		modules, err := qrModules(c.URL)
		if err != nil {
			t.Fatal(err)
		}
		// 56 alphanumeric characters at level H fit version 5; byte mode would not.
		if got, want := len(modules), 37; got != want {
			t.Errorf("QR code of %d modules, want %d (version 5, alphanumeric mode)", got, want)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(qrImage(modules, 6))
		if err != nil {
			t.Fatal(err)
		}
		res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
		if err != nil {
			t.Fatalf("gozxing could not decode the QR code: %v", err)
		}
		if got := res.GetText(); got != c.URL {
			t.Errorf("decoded %q, want %q", got, c.URL)
		}
		if got := fmt.Sprint(res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]); got != "H" {
			t.Errorf("error correction level %s, want H", got)
		}
	}
}

// TestWriteCardsDeterministic checks that the renderer reads no clock and no
// randomness: the same cards give the same bytes.
func TestWriteCardsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	cards := testCards(9)
	if err := WriteCards(&a, testSheet, cards); err != nil {
		t.Fatal(err)
	}
	if err := WriteCards(&b, testSheet, cards); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renderings of the same cards differ")
	}
	if !bytes.Contains(a.Bytes(), []byte("D:20000101000000")) {
		t.Error("PDF lacks the fixed creation date")
	}
}

// TestWriteCardsRejects checks that bad cards are errors, that nothing is
// written for them, and that no error message repeats a secret.
func TestWriteCardsRejects(t *testing.T) {
	good := testCards(2)
	secret := "HTTP://127.0.0.1:8080/V/" + strings.Repeat("SECRETTOKEN", 30)
	tests := []struct {
		name  string
		cards []Card
	}{
		{"no cards", nil},
		{"empty URL", []Card{good[0], {Code: "ABCD-EFGH"}}},
		{"empty code", []Card{good[0], {URL: good[1].URL, Code: " - "}}},
		{"URL too long for the QR code", []Card{{URL: secret, Code: "ABCD"}}},
		{"code too long to print", []Card{{URL: good[0].URL, Code: secret}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteCards(&buf, testSheet, tt.cards)
			if err == nil {
				t.Fatal("WriteCards succeeded, want an error")
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), good[1].URL) {
				t.Errorf("error %q repeats a card's secret", err)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestWriteCardsWriterError(t *testing.T) {
	if err := WriteCards(failingWriter{}, testSheet, testCards(1)); err == nil {
		t.Error("WriteCards returned nil for a failing writer")
	}
}

// TestLayoutLimits checks with the longest inputs that the header stays above
// the QR code's quiet zone and every line fits its card.
func TestLayoutLimits(t *testing.T) {
	long := strings.Repeat("Ủy ban nhân dân thành phố Hồ Chí Minh ", 20)
	sheet := CardSheet{Title: long, Body: long, Date: long, Place: long, ManualURL: "https://" + strings.Repeat("x", 300) + ".vn/nhap-ma"}
	if err := WriteCards(io.Discard, sheet, testCards(1)); err == nil {
		t.Error("WriteCards accepted a manual entry URL too long to print")
	}
	pdf := newDocument(withSans)
	head := layoutHeader(pdf, sheet)
	if head.bottom > headerLimit {
		t.Errorf("header ends at %.1f mm, below the limit %.1f mm", head.bottom, headerLimit)
	}
	if _, err := layoutInstructions(pdf, sheet.ManualURL); err == nil {
		t.Error("a 300-character manual entry URL was accepted; it cannot be printed whole")
	}
	instructions, err := layoutInstructions(pdf, "https://phieu.hdnd.baria-vungtau.gov.vn:8443/lay-phieu/nhap-ma")
	if err != nil {
		t.Fatal(err)
	}
	column, err := layoutColumn(pdf, testCards(1)[0].Code, instructions)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range append(head.lines, column...) {
		setFont(pdf, l.family, l.style, l.size)
		if right := l.x + pdf.GetStringWidth(l.text); right > cardW-cardPad+0.01 {
			t.Errorf("line %q ends at %.1f mm, past the margin at %.1f mm", l.text, right, cardW-cardPad)
		}
		if l.y > cardH-cardPad {
			t.Errorf("line %q at %.1f mm is below the card's margin", l.text, l.y)
		}
	}
	if err := pdf.Error(); err != nil {
		t.Fatal(err)
	}
}

// TestWriteCardsHugeInput checks that megabytes of text are cut, not wrapped
// line by line: layout work must not grow with the square of the input.
func TestWriteCardsHugeInput(t *testing.T) {
	word := strings.Repeat("Nghị", 1<<18)
	words := strings.Repeat("Nghị quyết ", 1<<17)
	sheet := CardSheet{Title: word, Body: words, Date: word, Place: words, ManualURL: "http://h/nhap-ma"}
	card := testCards(1)[0]
	if err := WriteCards(io.Discard, sheet, []Card{card}); err != nil {
		t.Fatalf("WriteCards with a 1 MB title: %v", err)
	}
	sheet.ManualURL = word
	if err := WriteCards(io.Discard, sheet, []Card{card}); err == nil {
		t.Error("WriteCards accepted a 1 MB manual entry URL")
	}
	card.Code = words
	sheet.ManualURL = ""
	if err := WriteCards(io.Discard, sheet, []Card{card}); err == nil {
		t.Error("WriteCards accepted a 1 MB card code")
	}
}

// FuzzWriteCards checks that no organiser-typed text or card content panics
// the renderer.
func FuzzWriteCards(f *testing.F) {
	f.Add(testTitle, "Đảng ủy", "12/6/2025", "http://h/nhap-ma", "HTTP://H/V/ABCD", "ABCD-EFGH")
	f.Add("\x00\xff\xfe\u202e\u2028😀𝔸\U00010000", "\t\n\r", "\ufeff\ufffd", "", "x", "😀\U00010000")
	f.Add("", "", "", "", "http://lower/case?q=ä", "----")
	f.Add(strings.Repeat("W", 500), "中文 한국어 العربية", "", strings.Repeat("/", 200), strings.Repeat("A", 150), strings.Repeat("WWWW-", 12))
	f.Fuzz(func(t *testing.T, title, body, date, manual, url, code string) {
		sheet := CardSheet{Title: title, Body: body, Date: date, Place: date, ManualURL: manual}
		_ = WriteCards(io.Discard, sheet, []Card{{URL: url, Code: code}})
	})
}

func BenchmarkCards2000(b *testing.B) {
	cards := testCards(2000)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteCards(&buf, testSheet, cards); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB/pdf")
}

func ExampleWriteCards() {
	cards := []Card{{
		URL:  "HTTP://192.168.1.10:8080/V/ABCD2345EFGH6723IJKLMNOPQRSTUVWX",
		Code: "ABCD-2345-EFGH-6723-IJKL-MNOP-QRST-UVWX",
	}}
	sheet := CardSheet{
		Title:     "Hội nghị lấy phiếu tín nhiệm",
		Body:      "Hội đồng nhân dân xã",
		Date:      "12/6/2025",
		Place:     "Hội trường xã",
		ManualURL: "http://192.168.1.10:8080/nhap-ma",
	}
	var pdf bytes.Buffer
	if err := WriteCards(&pdf, sheet, cards); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(pdf.Bytes()[:5]))
	// Output: %PDF-
}
