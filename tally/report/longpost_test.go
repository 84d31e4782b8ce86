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

// The column of names and posts in the minutes' table, in millimetres from
// the page's left edge.
const nameColLeft, nameColRight = 40.0, 94.0

// TestMinutesKeepLongPosts renders minutes and reports whose cadres hold
// posts of 160 characters and more: pdftotext must find every name and post
// whole, in the table's column of the minutes and on each report.
func TestMinutesKeepLongPosts(t *testing.T) {
	testtool.NeedTools(t, "pdftotext")
	var cadres []tally.Cadre
	for i, post := range longPosts[:4] {
		cadres = append(cadres, tally.Cadre{ID: fmt.Sprintf("c%d", i+1), Name: longNames[i], Position: post})
	}
	ballots := []string{"HNLL", "NNLH", "LHLN", "HHNL", "NLLL"}
	res, err := tally.Count(tally.Input{Rules: tally.QD96, Members: 7, Issued: 6, Ballots: ballots, Cadres: cadres})
	if err != nil {
		t.Fatal(err)
	}
	src := &report.Source{
		Session:     audit.SessionCreatedData{ID: "dailong", Title: "Hội nghị lấy phiếu tín nhiệm", Body: "Ban Chấp hành Đảng bộ tỉnh", Date: "2026-11-22", Place: "Hội trường", Rules: "qd96"},
		Opened:      audit.SessionOpenedData{Summoned: 7, Present: 6, Issued: 6, QuorumMet: true},
		Committee:   []string{"Ngô Thị Mỹ Duyên", "Dương Văn Hùng"},
		Result:      res,
		Checkpoint:  "tinnhiem checkpoint v1\nsession dailong\nsize 20\nhead " + strings.Repeat("cd", 32) + "\n\n— tinnhiem AAAA\n",
		Fingerprint: "0123:4567:89ab:cdef:0123:4567:89ab:cdef",
	}
	dir := t.TempDir()
	var b bytes.Buffer
	must(t, report.WriteMinutes(&b, src))
	minutes := filepath.Join(dir, "m.pdf")
	must(t, os.WriteFile(minutes, b.Bytes(), 0o600))
	col := column(pages(t, minutes), nameColLeft, nameColRight)
	for i, c := range cadres {
		if len(c.Position) < 160 && i == 0 {
			t.Fatalf("the first post has %d bytes, want a long one", len(c.Position))
		}
		if want := c.Name + " " + c.Position; !strings.Contains(col, want) {
			t.Errorf("minutes: the table's column lacks %q whole; it reads:\n%s", want, col)
		}
		b.Reset()
		must(t, report.WriteCadreReport(&b, src, i))
		path := filepath.Join(dir, c.ID+".pdf")
		must(t, os.WriteFile(path, b.Bytes(), 0o600))
		text := fields(tool(t, "pdftotext", path, "-"))
		for _, want := range []string{c.Name, c.Position} {
			if !strings.Contains(text, want) {
				t.Errorf("report %s lacks %q whole:\n%s", c.ID, want, text)
			}
		}
	}
}
