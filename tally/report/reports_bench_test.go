package report_test

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/tally"
	"tinnhiem/tally/report"
)

// BenchmarkReports50 renders every document of a session with 50 cadres and
// 2,000 ballots — 50 signed per-cadre PDF reports, the signed minutes and
// the results files, each with its detached signature — as the organiser's
// "issue reports" step does. README.md records the figure.
func BenchmarkReports50(b *testing.B) {
	var cadres []tally.Cadre
	for i := range 50 {
		cadres = append(cadres, tally.Cadre{ID: fmt.Sprintf("c%d", i+1), Name: fmt.Sprintf("Nguyễn Thị Minh Khai %d", i+1), Position: "Phó Chủ tịch Ủy ban nhân dân tỉnh"})
	}
	ballots := make([]string, 2000)
	for i := range ballots {
		var m strings.Builder
		for j := range cadres {
			m.WriteByte("HNNLH-X"[(i*(j+3))%7])
		}
		ballots[i] = m.String()
	}
	res, err := tally.Count(tally.Input{Rules: tally.QD96, Members: 2100, Issued: 2050, Ballots: ballots, Cadres: cadres})
	if err != nil {
		b.Fatal(err)
	}
	key, err := audit.GenerateKey(rand.Reader, "bench")
	if err != nil {
		b.Fatal(err)
	}
	signer, err := report.NewSelfSigned(rand.Reader, "Ban Chấp hành Đảng bộ tỉnh", time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
	if err != nil {
		b.Fatal(err)
	}
	src := &report.Source{
		Session:     audit.SessionCreatedData{ID: "abcdefgh", Title: "Hội nghị lấy phiếu tín nhiệm", Body: "Ban Chấp hành Đảng bộ tỉnh", Date: "2026-11-22", Place: "Hội trường tỉnh", Rules: "qd96"},
		Opened:      audit.SessionOpenedData{Summoned: 2100, Present: 2060, Issued: 2050, QuorumMet: true},
		Committee:   []string{"Ngô Thị Mỹ Duyên", "Dương Văn Hùng", "Phan Thanh Bình"},
		Result:      res,
		Checkpoint:  "tinnhiem checkpoint v1\nsession abcdefgh\nsize 2200\nhead " + strings.Repeat("ab", 32) + "\n\n— tinnhiem AAAA\n",
		Fingerprint: key.Fingerprint(),
	}
	b.ResetTimer()
	var total int
	for range b.N {
		docs, err := report.Render(src, signer, key)
		if err != nil {
			b.Fatal(err)
		}
		if len(docs) < 51 {
			b.Fatalf("Render made %d documents, want at least 51", len(docs))
		}
		total = 0
		for _, d := range docs {
			total += len(d.Data)
		}
	}
	b.ReportMetric(float64(total)/1e6, "MB/set")
}
