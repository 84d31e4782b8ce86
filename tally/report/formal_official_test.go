package report_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tinnhiem/ballot"
	"tinnhiem/internal/testtool"
	"tinnhiem/tally/report"
)

// formalCase is a formal vote of confidence (bỏ phiếu tín nhiệm) of a
// People's Council under NQ96: eight cadres with the longest real names
// and posts, two options per line.
var formalCase = officialCase{
	name: "formal-hdnd",
	in: ballot.NewSession{Title: "Kỳ họp thứ mười ba Hội đồng nhân dân tỉnh khóa XVII",
		Body: "Hội đồng nhân dân tỉnh Bắc Ninh", Date: "2026-12-09", Place: "Hội trường Trung tâm Hội nghị tỉnh",
		Locality: "Bắc Ninh", Number: "07/BB-HĐND", Copies: 2, Rules: ballot.NQ96, Kind: ballot.Formal},
	members: 40, cadres: 8, cast: 36, chair: "Nguyễn Hoàng Bảo Ngọc Quỳnh Anh", secretary: "Lê Thị Phương",
	committee: []string{"Tôn Thất Minh Khôi Nguyên", "Âu Dương Thị Bảo Ngọc", "Nguyễn Phước Bửu Chánh"},
	head:      "Âu Dương Thị Bảo Ngọc",
	revoked:   1, arrive: 1, leave: 1,
}

// TestOfficialFormalVote reads the formal vote's minutes and a per-cadre
// report with pdftotext: titled for the formal vote in the same
// administrative form (State header, number, place-and-date line, Tinos),
// two option columns and no rating level, the consequence of Điều 17 for
// the cadre with more than half "không tín nhiệm", every word inside the
// margins. With TINNHIEM_UPDATE_DOCS=1 it renders the pages of
// docs/minutes/formal-hdnd.
func TestOfficialFormalVote(t *testing.T) {
	testtool.NeedTools(t, "pdftotext", "pdffonts", "pdftoppm")
	r := formalCase.run(t)
	minutes := filepath.Join(r.dir, report.MinutesName)
	text := fields(tool(t, "pdftotext", minutes, "-"))
	for _, w := range []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "HỘI ĐỒNG NHÂN DÂN", "Số: 07/BB-HĐND",
		"Bắc Ninh, ngày 09 tháng 12 năm 2026", "BIÊN BẢN KIỂM PHIẾU BỎ PHIẾU TÍN NHIỆM",
		"Kết quả bỏ phiếu tín nhiệm tại Kỳ họp thứ mười ba",
		"Căn cứ Nghị quyết 96/2023/QH15 ngày 23/6/2023 của Quốc hội về lấy phiếu tín nhiệm, bỏ phiếu tín nhiệm;",
		"tổ chức bỏ phiếu tín nhiệm bằng phiếu kín", "Tín nhiệm", "Không tín nhiệm", "Quá nửa không tín nhiệm (1)",
		"(1) Có quá nửa tổng số phiếu thu về bỏ phiếu “không tín nhiệm”", "(Điều 17 Nghị quyết 96/2023/QH15)",
		"Tỷ lệ phần trăm tính trên tổng số phiếu thu về (36)", "lập thành 02 bản",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("formal minutes lack %q", w)
		}
	}
	for _, w := range []string{"Tín nhiệm cao", "Tín nhiệm thấp", "Trên 1/2 đến dưới 2/3"} {
		if strings.Contains(text, w) {
			t.Errorf("formal minutes show the rating's %q", w)
		}
	}
	if fonts := tool(t, "pdffonts", minutes); !strings.Contains(fonts, "utf8tinos ") {
		t.Errorf("formal minutes do not embed Tinos:\n%s", fonts)
	}
	// Cadre 5 (index 4) gets more than half "không tín nhiệm" by the case's pattern.
	rep := fields(tool(t, "pdftotext", filepath.Join(r.dir, report.CadreReportName("c5")), "-"))
	for _, w := range []string{"KẾT QUẢ BỎ PHIẾU TÍN NHIỆM", "Người được bỏ phiếu tín nhiệm:", "Phương án", "Không tín nhiệm",
		"Kết luận theo ngưỡng quá nửa không tín nhiệm", "trình Quốc hội, Hội đồng nhân dân miễn nhiệm", "(Điều 17 Nghị quyết 96/2023/QH15)"} {
		if !strings.Contains(rep, w) {
			t.Errorf("formal report on c5 lacks %q:\n%s", w, rep)
		}
	}
	checked := 0
	for _, d := range r.docs {
		if !strings.HasSuffix(d.Name, ".pdf") {
			continue
		}
		for n, p := range pages(t, filepath.Join(r.dir, d.Name)) {
			left, right, bottom, top := 30*mmToPt, p.Width-15*mmToPt, p.Height-20*mmToPt, 20*mmToPt
			for _, w := range p.words() {
				checked++
				if w.XMin < left-0.5 || w.XMax > right+0.5 || w.YMax > bottom+0.5 || (w.YMin < top-0.5 && w.Text != strconv.Itoa(n+1)) {
					t.Errorf("%s page %d: %q at x %.1f–%.1f, y %.1f–%.1f pt is outside the margins", d.Name, n+1, w.Text, w.XMin, w.XMax, w.YMin, w.YMax)
				}
			}
		}
	}
	if checked < 500 {
		t.Fatalf("checked only %d words", checked)
	}
	if os.Getenv("TINNHIEM_UPDATE_DOCS") == "1" {
		writePages(t, r, "docs/minutes/"+formalCase.name)
	}
}
