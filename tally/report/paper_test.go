package report_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/internal/testtool"
	"tinnhiem/tally/report"
)

// TestPaperBallotsText prints paper ballots for a Party session and a
// People's Council session, one with many cadres and a post long enough to
// wrap over lines, and reads them back with the inspector's tools: every
// name and post and each ballot's code in the text (pdftotext), the title,
// the three columns and the instructions, the embedded Tinos font
// (pdffonts), one page per ballot, and the QR code of each ballot decoding
// to its code (zbarimg).
func TestPaperBallotsText(t *testing.T) {
	testtool.NeedTools(t, "pdftotext", "pdffonts", "pdftoppm", "zbarimg")
	long := "Phó Chủ tịch Ủy ban nhân dân tỉnh, phụ trách khối kinh tế, tài nguyên và môi trường, giao thông vận tải, xây dựng, nông nghiệp và phát triển nông thôn"
	for _, tc := range []struct {
		name   string
		kind   string
		cadres int
	}{{"dang", audit.BodyParty, 3}, {"hdnd", audit.BodyCouncil, 12}} {
		t.Run(tc.name, func(t *testing.T) {
			sheet := report.PaperSheet{Session: audit.SessionCreatedData{ID: "s1", Title: "Hội nghị lấy phiếu tín nhiệm năm 2026",
				Body: "Đảng ủy xã Tân Hòa", Superior: "Đảng bộ huyện Yên Phong", Date: "2026-11-22", Place: "Hội trường", Locality: "Tân Hòa", BodyKind: tc.kind}}
			for i := range tc.cadres {
				pos := fmt.Sprintf("Ủy viên Ban Thường vụ số %d", i+1)
				if i == 1 {
					pos = long
				}
				sheet.Cadres = append(sheet.Cadres, audit.Person{Name: fmt.Sprintf("Nguyễn Thị Hường %d", i+1), Position: pos})
			}
			var ballots []report.PaperBallot
			for range 2 {
				tok, err := ballot.NewToken(rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				ballots = append(ballots, report.PaperBallot{Code: ballot.FormatCode(tok)})
			}
			var buf bytes.Buffer
			if err := report.WritePaperBallots(&buf, sheet, ballots); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			pdf := filepath.Join(dir, "paper.pdf")
			if err := os.WriteFile(pdf, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			if fonts := tool(t, "pdffonts", pdf); !strings.Contains(strings.ToLower(fonts), "tinos") {
				t.Errorf("Tinos is not embedded:\n%s", fonts)
			}
			info := tool(t, "pdfinfo", pdf)
			if !strings.Contains(info, "Pages:           2\n") {
				t.Errorf("want one page per ballot:\n%s", info)
			}
			for n, b := range ballots {
				page := fmt.Sprint(n + 1)
				text := fields(norm.NFC.String(tool(t, "pdftotext", "-f", page, "-l", page, pdf, "-")))
				want := []string{"PHIẾU LẤY PHIẾU TÍN NHIỆM", "STT", "Họ và tên", "Chức vụ", "Tín nhiệm Tín nhiệm Tín nhiệm cao thấp", // the level headings wrap in their cells
					"Đánh dấu (X) vào một ô", norm.NFC.String(sheet.Session.Title), strings.ToUpper(norm.NFC.String(sheet.Session.Body)), b.Code}
				for _, c := range sheet.Cadres {
					want = append(want, norm.NFC.String(c.Name), norm.NFC.String(c.Position))
				}
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("ballot %d: %q is missing from its text:\n%s", n+1, w, text)
					}
				}
				for m, other := range ballots {
					if m != n && strings.Contains(text, other.Code) {
						t.Errorf("ballot %d prints the code of ballot %d", n+1, m+1)
					}
				}
				png := filepath.Join(dir, "p"+page)
				tool(t, "pdftoppm", "-r", "200", "-f", page, "-l", page, "-singlefile", "-png", pdf, png)
				got := strings.TrimSpace(tool(t, "zbarimg", "-q", "--raw", png+".png"))
				if got != b.Code {
					t.Errorf("ballot %d: the QR code reads %q, want %q", n+1, got, b.Code)
				}
			}
		})
	}
	if err := report.WritePaperBallots(&bytes.Buffer{}, report.PaperSheet{}, []report.PaperBallot{{Code: "X"}}); err == nil {
		t.Error("paper ballots without cadres were written")
	}
}

// TestMinutesCountPaperBallots: when paper ballots were printed, the
// minutes give the ballots collected by kind, phone and paper, from the
// counts the log gives; without paper ballots they say nothing of them.
func TestMinutesCountPaperBallots(t *testing.T) {
	src := manyCadres(t)
	if got := minutesText(t, src); strings.Contains(got, "phiếu giấy") {
		t.Errorf("minutes without paper ballots mention them:\n%s", got)
	}
	src.Proceedings.PaperIssued, src.Proceedings.PaperBallots = 4, 3
	want := fmt.Sprintf("Trong số phiếu thu về: phiếu điện tử: %d; phiếu giấy: 3 (đã in 4 phiếu giấy).", src.Result.Collected-3)
	if got := minutesText(t, src); !strings.Contains(got, want) {
		t.Errorf("minutes lack %q:\n%s", want, got)
	}
}
