package report_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/internal/testtool"
	"tinnhiem/tally"
	"tinnhiem/tally/report"
)

// manyCadres is a Source with 40 cadres under nq85, with a quorum override,
// so the minutes run over several pages.
func manyCadres(t *testing.T) *report.Source {
	t.Helper()
	var cadres []tally.Cadre
	for i := range 40 {
		cadres = append(cadres, tally.Cadre{ID: fmt.Sprintf("c%d", i+1), Name: fmt.Sprintf("Phạm Thị Thu Hương %d", i+1), Position: "Phó Trưởng Ban Tuyên giáo và Dân vận"})
	}
	var ballots []string
	for i := range 53 {
		var b strings.Builder
		for j := range cadres {
			b.WriteByte("HNLLL-X"[(i*(j+1))%7])
		}
		ballots = append(ballots, b.String())
	}
	res, err := tally.Count(tally.Input{Rules: tally.NQ85, Members: 60, Issued: 55, Ballots: ballots, Cadres: cadres})
	if err != nil {
		t.Fatal(err)
	}
	return &report.Source{
		Session:     audit.SessionCreatedData{ID: "abcdefgh", Title: "Kỳ họp thứ 7", Body: "Hội đồng nhân dân tỉnh", Date: "2014-12-10", Place: "Hội trường tỉnh", Rules: "nq85"},
		Opened:      audit.SessionOpenedData{Summoned: 60, Present: 38, Issued: 55, Override: true, Reason: "đại biểu vắng có lý do"},
		Committee:   []string{"Ngô Thị Mỹ Duyên", "Dương Văn Hùng", "Phan Thanh Bình", "Lý Thị Hoa"},
		Result:      res,
		Checkpoint:  "tinnhiem checkpoint v1\nsession abcdefgh\nsize 99\nhead " + strings.Repeat("ab", 32) + "\n\n— tinnhiem AAAA\n",
		Fingerprint: "0123:4567:89ab:cdef:0123:4567:89ab:cdef",
	}
}

func TestMinutesManyPagesDeterministic(t *testing.T) {
	testtool.NeedTools(t, "pdftotext")
	src := manyCadres(t)
	var a, b bytes.Buffer
	must(t, report.WriteMinutes(&a, src))
	must(t, report.WriteMinutes(&b, src))
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("WriteMinutes gave different bytes for the same input")
	}
	var c1, c2 bytes.Buffer
	must(t, report.WriteCadreReport(&c1, src, 39))
	must(t, report.WriteCadreReport(&c2, src, 39))
	if !bytes.Equal(c1.Bytes(), c2.Bytes()) {
		t.Fatalf("WriteCadreReport gave different bytes for the same input")
	}
	path := filepath.Join(t.TempDir(), "m.pdf")
	must(t, os.WriteFile(path, a.Bytes(), 0o600))
	text := tool(t, "pdftotext", path, "-")
	pages := strings.Count(text, "\f")
	if pages < 3 {
		t.Fatalf("minutes of 40 cadres: got %d pages, want at least 3", pages)
	}
	// Every page but the first carries its number alone on a line, at the
	// top (NĐ 30/2020 Phụ lục I, mục I.6).
	for p, page := range strings.Split(text, "\f")[:pages] {
		first := strings.TrimSpace(strings.SplitN(strings.TrimSpace(page), "\n", 2)[0])
		if want := fmt.Sprint(p + 1); p > 0 && first != want {
			t.Errorf("page %d starts with %q, want its number %q", p+1, first, want)
		}
	}
	// The header row is repeated on every page of the table.
	if got := strings.Count(text, "Họ và tên, chức vụ"); got < pages-1 {
		t.Errorf("table header appears %d times over %d pages", got, pages)
	}
	for _, want := range []string{"Có mặt khi bắt đầu bỏ phiếu: 38/60 người, không đủ số lượng tối thiểu (2/3)", "đại biểu vắng có lý do", "tổng số đại biểu", "Phạm Thị Thu Hương 40", "Lý Thị Hoa"} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
			t.Errorf("minutes lack %q", want)
		}
	}
}

func TestWriteRefusesBadInput(t *testing.T) {
	src := manyCadres(t)
	var b bytes.Buffer
	if err := report.WriteCadreReport(&b, src, 40); err == nil || b.Len() != 0 {
		t.Errorf("WriteCadreReport of cadre 40 of 40: got %v, wrote %d bytes; want an error and nothing", err, b.Len())
	}
	src.Committee = nil
	if err := report.WriteMinutes(&b, src); err == nil || b.Len() != 0 {
		t.Errorf("WriteMinutes without a committee: got %v, wrote %d bytes; want an error and nothing", err, b.Len())
	}
	src = manyCadres(t)
	src.Result.Cadres[0].Counts[0]++
	if err := report.WriteMinutes(&b, src); err == nil || b.Len() != 0 {
		t.Errorf("WriteMinutes of an inconsistent tally: got %v, wrote %d bytes; want an error and nothing", err, b.Len())
	}
}
