package report_test

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/internal/testtool"
	"tinnhiem/tally/report"
	"tinnhiem/web"
)

// Real posts held concurrently, as such titles are written in the Party's
// and the State's documents: the longest run over 160 characters.
var longPosts = []string{
	"Ủy viên Ban Chấp hành Trung ương Đảng, Bí thư Tỉnh ủy, Chủ tịch Hội đồng nhân dân tỉnh, Trưởng Đoàn đại biểu Quốc hội tỉnh, Trưởng Ban Chỉ đạo phòng, chống tham nhũng, lãng phí, tiêu cực tỉnh",
	"Phó Bí thư Tỉnh ủy, Chủ tịch Ủy ban nhân dân tỉnh, Phó Trưởng Ban Chỉ đạo phòng, chống tham nhũng, lãng phí, tiêu cực tỉnh, Trưởng Ban Chỉ đạo các chương trình mục tiêu quốc gia tỉnh",
	"Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Tổ chức Tỉnh ủy, kiêm Trưởng Ban Bảo vệ, chăm sóc sức khỏe cán bộ tỉnh, Phó Trưởng Ban Chỉ đạo phòng, chống tham nhũng, lãng phí, tiêu cực tỉnh",
	"Ủy viên Ban Thường vụ Tỉnh ủy, Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy, kiêm Trưởng Ban Nội chính Tỉnh ủy, Phó Trưởng Ban Thường trực Ban Chỉ đạo phòng, chống tham nhũng, lãng phí, tiêu cực tỉnh",
	"Tỉnh ủy viên, Phó Chủ tịch Thường trực Hội đồng nhân dân tỉnh, Phó Trưởng Đoàn chuyên trách Đoàn đại biểu Quốc hội tỉnh, Chủ tịch Hội Luật gia tỉnh",
	"Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy, Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh, Trưởng Ban Chỉ đạo cuộc vận động “Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh” tỉnh",
	"Phó Chủ tịch Ủy ban nhân dân tỉnh",
	"Trưởng Ban Kinh tế - Ngân sách Hội đồng nhân dân tỉnh",
}

// Real long names (compound surnames and middle names).
var longNames = []string{
	"Công Tôn Nữ Thị Phương Thảo Nguyên", "Nguyễn Hoàng Bảo Ngọc Quỳnh Anh", "Âu Dương Thị Thanh Huyền",
	"Trần Lê Nguyễn Khánh Minh Đức", "Hoàng Phủ Ngọc Tường Vy", "Lê Thị Phương", "Phạm Văn Đồng Khởi", "Vũ Đình Trọng Nghĩa",
}

// officialCase is a session run through the service on a real SQLite file,
// from creation to issued documents.
type officialCase struct {
	name                  string
	in                    ballot.NewSession
	members, cadres, cast int
	chair, secretary      string
	committee             []string
	head                  string
	revoked               int // spoiled cards exchanged during the vote
	arrive, leave         int // members checked in and out during the vote
}

var partyCase = officialCase{
	name: "dang-15",
	in: ballot.NewSession{Title: "Hội nghị Ban Chấp hành Đảng bộ lấy phiếu tín nhiệm năm 2026",
		Body: "Ban Chấp hành Đảng bộ Khối các cơ quan tỉnh", Superior: "Đảng bộ tỉnh Bắc Ninh", Date: "2026-03-05",
		Place: "Hội trường A, Trụ sở Tỉnh ủy", Locality: "Bắc Ninh", Number: "12-BB/ĐUK", Copies: 3, Rules: ballot.QD96},
	members: 15, cadres: 5, cast: 13, chair: "Nguyễn Văn Thành", secretary: "Đỗ Thị Mai Hương",
	committee: []string{"Ngô Thị Mỹ Duyên", "Dương Văn Hùng", "Tôn Nữ Thị Hoàng Anh Thư"}, head: "Dương Văn Hùng",
	revoked: 1, arrive: 1, leave: 1,
}

var councilCase = officialCase{
	name: "hdnd-60",
	in: ballot.NewSession{Title: "Kỳ họp thứ mười hai Hội đồng nhân dân tỉnh khóa XVII",
		Body: "Hội đồng nhân dân tỉnh Bắc Ninh", Date: "2026-12-09", Place: "Hội trường Trung tâm Hội nghị tỉnh",
		Locality: "Bắc Ninh", Rules: ballot.NQ96},
	members: 70, cadres: 60, cast: 64, chair: "Nguyễn Hoàng Bảo Ngọc Quỳnh Anh", secretary: "Lê Thị Phương",
	committee: []string{"Tôn Thất Minh Khôi Nguyên", "Âu Dương Thị Bảo Ngọc", "Nguyễn Phước Bửu Chánh", "Hoàng Phủ Thị Mai Phương", "Phạm Trần Đăng Khoa"},
	revoked:   2, arrive: 2, leave: 3,
}

// cadreOf returns cadre i of a case: real long posts and names first.
func cadreOf(i int) ballot.Cadre {
	name := fmt.Sprintf("Đại biểu Nguyễn Thị Thu %03d", i+1)
	if i < len(longNames) {
		name = longNames[i]
	}
	post := fmt.Sprintf("Ủy viên Ban Pháp chế Hội đồng nhân dân tỉnh, Phó Giám đốc Sở số %d", i+1)
	if i < len(longPosts) {
		post = longPosts[i]
	}
	return ballot.Cadre{ID: fmt.Sprintf("c%d", i+1), Name: name, Position: post}
}

// clock is a test clock that moves one minute a call, so that the log's
// times are those of a real morning.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { c.t = c.t.Add(time.Minute); return c.t }

// run holds what a case issued.
type run struct {
	dir    string
	cadres []ballot.Cadre
	docs   []ballot.Document
	c      officialCase
}

func (c officialCase) run(t *testing.T) *run {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "vote.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	key, err := audit.GenerateKey(rand.Reader, "tinnhiem")
	if err != nil {
		t.Fatal(err)
	}
	start, _ := time.Parse(time.DateOnly, c.in.Date)
	clk := &clock{t: start.Add(time.Hour)} // 08:00 in Viet Nam
	svc := ballot.NewService(store, key, nil, clk.now)
	sess, err := svc.CreateSession(ctx, actor, c.in)
	must(t, err)
	var members []ballot.Member
	for i := range c.members {
		members = append(members, ballot.Member{Name: fmt.Sprintf("Thành viên %02d", i+1), Position: "Ủy viên"})
	}
	must(t, svc.ImportRoster(ctx, actor, sess.ID, members))
	var cadres []ballot.Cadre
	for i := range c.cadres {
		cadres = append(cadres, cadreOf(i))
	}
	must(t, svc.ImportCadres(ctx, actor, sess.ID, cadres))
	must(t, svc.SetOfficers(ctx, actor, sess.ID, ballot.Officers{Committee: c.committee, Head: c.head, Chair: c.chair, Secretary: c.secretary}))
	var names []string
	for _, m := range members[:c.members-c.arrive] {
		names = append(names, m.Name)
	}
	_, err = svc.CheckIn(ctx, actor, sess.ID, names, false)
	must(t, err)
	var tokens []string
	must(t, svc.IssueTokens(ctx, actor, sess.ID, c.cast+c.revoked+2, func(ts []string) error { tokens = ts; return nil }))
	must(t, svc.Open(ctx, actor, sess.ID, false, ""))
	for i := range c.arrive {
		_, err := svc.CheckIn(ctx, actor, sess.ID, []string{members[c.members-c.arrive+i].Name}, false)
		must(t, err)
	}
	for i := range c.revoked {
		must(t, svc.RevokeToken(ctx, actor, sess.ID, tokens[c.cast+i], "thẻ hỏng, đã đổi thẻ khác"))
	}
	levels, low := []ballot.Level{ballot.High, ballot.Normal, ballot.Low}, ballot.Low
	if c.in.Kind == ballot.Formal {
		levels, low = []ballot.Level{ballot.Confidence, ballot.NoConfidence, ballot.Confidence}, ballot.NoConfidence
	}
	for i := range c.cast {
		choices := map[string][]ballot.Level{}
		for j, cd := range cadres {
			switch {
			case (i+j)%11 == 10: // now and then a line left unmarked
			case j%5 == 2 && i%10 < 7: // two thirds or more low
				choices[cd.ID] = []ballot.Level{low}
			case j%5 == 4 && i%10 < 6: // more than half low
				choices[cd.ID] = []ballot.Level{low}
			default:
				choices[cd.ID] = []ballot.Level{levels[(i*(j+2)+j/3)%3]}
			}
		}
		if _, err := svc.Cast(ctx, tokens[i], choices); err != nil {
			t.Fatalf("cast %d: %v", i, err)
		}
	}
	var leaving []string
	for _, m := range members[:c.leave] {
		leaving = append(leaving, m.Name)
	}
	_, err = svc.CheckOut(ctx, actor, sess.ID, leaving)
	must(t, err)
	// The two spare cards are withdrawn before closing, as README says.
	for i := range 2 {
		must(t, svc.RevokeToken(ctx, actor, sess.ID, tokens[c.cast+c.revoked+i], "thẻ dự phòng không dùng"))
	}
	must(t, svc.Close(ctx, actor, sess.ID))
	signer, err := report.NewSelfSigned(rand.Reader, c.in.Body, time.Now())
	must(t, err)
	_, docs, err := web.IssueReports(ctx, svc, actor, sess.ID, signer)
	must(t, err)
	dir := t.TempDir()
	for _, d := range docs {
		must(t, os.WriteFile(filepath.Join(dir, d.Name), d.Data, 0o600))
	}
	return &run{dir: dir, cadres: cadres, docs: docs, c: c}
}

// bboxWord is one word of pdftotext -bbox-layout, in points.
type bboxWord struct {
	XMin float64 `xml:"xMin,attr"`
	YMin float64 `xml:"yMin,attr"`
	XMax float64 `xml:"xMax,attr"`
	YMax float64 `xml:"yMax,attr"`
	Text string  `xml:",chardata"`
}

type bboxPage struct {
	Width  float64 `xml:"width,attr"`
	Height float64 `xml:"height,attr"`
	Flows  []struct {
		Blocks []struct {
			Lines []struct {
				Words []bboxWord `xml:"word"`
			} `xml:"line"`
		} `xml:"block"`
	} `xml:"flow"`
}

// pages reads the words of every page of a PDF as pdftotext places them.
func pages(t *testing.T, pdf string) []bboxPage {
	t.Helper()
	out := tool(t, "pdftotext", "-bbox-layout", pdf, "-")
	var doc struct {
		Pages []bboxPage `xml:"body>doc>page"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("pdftotext -bbox-layout %s: %v", pdf, err)
	}
	return doc.Pages
}

func (p bboxPage) words() []bboxWord {
	var ws []bboxWord
	for _, f := range p.Flows {
		for _, b := range f.Blocks {
			for _, l := range b.Lines {
				ws = append(ws, l.Words...)
			}
		}
	}
	return ws
}

const mmToPt = 72 / 25.4

// column returns the words whose box lies within [x0, x1] millimetres from
// the left edge, page after page, top to bottom and left to right, joined
// by single spaces: the text of one table column as a reader reads it.
func column(ps []bboxPage, x0, x1 float64) string {
	var out []string
	for _, p := range ps {
		ws := p.words()
		var in []bboxWord
		for _, w := range ws {
			if w.XMin >= x0*mmToPt-0.5 && w.XMax <= x1*mmToPt+0.5 {
				in = append(in, w)
			}
		}
		// Lines of one cell share a baseline within a fraction of a point.
		for i := 1; i < len(in); i++ {
			for j := i; j > 0 && (in[j].YMin < in[j-1].YMin-1 || (abs(in[j].YMin-in[j-1].YMin) <= 1 && in[j].XMin < in[j-1].XMin)); j-- {
				in[j], in[j-1] = in[j-1], in[j]
			}
		}
		for _, w := range in {
			out = append(out, w.Text)
		}
	}
	return strings.Join(out, " ")
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestOfficialMinutesText reads the minutes and reports of a 15-member Party
// session and a 60-cadre People's Council session with pdftotext: every
// name and every post is there in full, in the table's column of the
// minutes and on each report, and the administrative form is the body's.
func TestOfficialMinutesText(t *testing.T) {
	testtool.NeedTools(t, "pdftotext", "pdffonts")
	for _, c := range []officialCase{partyCase, councilCase} {
		t.Run(c.name, func(t *testing.T) {
			r := c.run(t)
			minutes := filepath.Join(r.dir, report.MinutesName)
			ps := pages(t, minutes)
			if c.cadres == 60 && len(ps) < 4 {
				t.Errorf("minutes of 60 cadres: %d pages, want at least 4", len(ps))
			}
			// The name and post column of the table: 30 mm + 10 mm for STT, 54 mm wide.
			nameColumn := column(ps, 40, 94)
			for _, cd := range r.cadres {
				if want := cd.Name + " " + cd.Position; !strings.Contains(nameColumn, want) {
					t.Errorf("minutes: the table's column lacks %q in full", want)
				}
				if len(cd.Position) > 160 && !strings.Contains(nameColumn, cd.Position) {
					t.Errorf("minutes: long post cut: %q", cd.Position)
				}
				report := fields(tool(t, "pdftotext", filepath.Join(r.dir, report.CadreReportName(cd.ID)), "-"))
				for _, want := range []string{cd.Name, cd.Position} {
					if !strings.Contains(report, want) {
						t.Errorf("report %s lacks %q in full:\n%s", cd.ID, want, report)
					}
				}
			}
			text := fields(tool(t, "pdftotext", minutes, "-"))
			want := []string{
				"Chủ tọa hội nghị: " + c.chair, "Thư ký hội nghị: " + c.secretary,
				"Bỏ phiếu bắt đầu lúc", "Có mặt khi bắt đầu bỏ phiếu:",
				fmt.Sprintf("Có mặt khi kết thúc bỏ phiếu: %d/%d người.", c.members-c.leave, c.members),
				fmt.Sprintf("Số thẻ bỏ phiếu đã in: %d.", c.cast+c.revoked+2),
				fmt.Sprintf("Số phiếu phát ra (thẻ đã in, trừ thẻ bị hủy): %d. Số phiếu thu về: %d.", c.cast, c.cast),
				"thẻ hỏng, đã đổi thẻ khác: " + strconv.Itoa(c.revoked), "thẻ dự phòng không dùng: 2",
				fmt.Sprintf("%d người ra về (", c.leave), fmt.Sprintf("%d người đến và điểm danh bổ sung (", c.arrive),
				"Ban kiểm phiếu bắt đầu kiểm phiếu lúc", "Biên bản kết thúc lúc",
			}
			if c.in.Rules == ballot.QD96 {
				want[0] = "Chủ trì hội nghị: " + c.chair
				want = append(want, "ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG BỘ TỈNH BẮC NINH", "BAN CHẤP HÀNH ĐẢNG BỘ KHỐI", "Số 12-BB/ĐUK",
					"Bắc Ninh, ngày 05 tháng 3 năm 2026", "lập thành 03 bản", c.head+" – Trưởng ban", "TRƯỞNG BAN", "ỦY VIÊN")
			} else {
				want = append(want, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "HỘI ĐỒNG NHÂN DÂN",
					"Số: ……/BB-……", "Bắc Ninh, ngày 09 tháng 12 năm 2026", "lập thành …… bản", c.committee[0]+" – Trưởng ban", "THÀNH VIÊN")
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("minutes lack %q", w)
				}
			}
			for _, w := range []string{"…" + "\u00a0", "0,00 %"} {
				if strings.Contains(text, w) {
					t.Errorf("minutes contain %q", w)
				}
			}
			fonts := tool(t, "pdffonts", minutes)
			if !strings.Contains(fonts, "utf8tinos ") || !strings.Contains(fonts, "utf8tinosB ") || !strings.Contains(fonts, "utf8tinosI ") || strings.Contains(fonts, "dejavusans ") {
				t.Errorf("minutes do not embed Tinos:\n%s", fonts)
			}
			for _, row := range strings.Split(strings.TrimSpace(fonts), "\n")[2:] {
				if f := strings.Fields(row); f[len(f)-5] != "yes" {
					t.Errorf("font not embedded: %q", row)
				}
			}
			if keep := os.Getenv("TINNHIEM_PDF_DIR"); keep != "" { // to look at them
				for _, d := range r.docs {
					must(t, os.WriteFile(filepath.Join(keep, r.c.name+"-"+d.Name), d.Data, 0o644))
				}
			}
			if os.Getenv("TINNHIEM_UPDATE_DOCS") == "1" {
				writePages(t, r, "docs/minutes/"+c.name)
			}
		})
	}
}

// TestOfficialNoTextBeyondMargins checks every word of every page of every
// document of both sessions against the page's margins: left 30 mm, right
// 15 mm, top and bottom 20 mm, the page number alone in the top margin.
func TestOfficialNoTextBeyondMargins(t *testing.T) {
	testtool.NeedTools(t, "pdftotext")
	for _, c := range []officialCase{partyCase, councilCase} {
		t.Run(c.name, func(t *testing.T) {
			r := c.run(t)
			checked := 0
			for _, d := range r.docs {
				if !strings.HasSuffix(d.Name, ".pdf") {
					continue
				}
				for n, p := range pages(t, filepath.Join(r.dir, d.Name)) {
					left, right := 30*mmToPt, p.Width-15*mmToPt
					top, bottom := 20*mmToPt, p.Height-20*mmToPt
					for _, w := range p.words() {
						checked++
						if w.XMin < left-0.5 || w.XMax > right+0.5 || w.YMax > bottom+0.5 {
							t.Errorf("%s page %d: %q at x %.1f–%.1f, y %.1f–%.1f pt is outside the margins", d.Name, n+1, w.Text, w.XMin, w.XMax, w.YMin, w.YMax)
						}
						if w.YMin < top-0.5 && w.Text != strconv.Itoa(n+1) {
							t.Errorf("%s page %d: %q at y %.1f pt is in the top margin, where only the page number goes", d.Name, n+1, w.Text, w.YMin)
						}
					}
				}
			}
			if checked < 1000 {
				t.Fatalf("checked only %d words", checked)
			}
		})
	}
}

// writePages renders the first two pages and the last of the minutes and
// the report on c1 into dir as PNG (pdftoppm at 60 dpi), for docs/.
func writePages(t *testing.T, r *run, dir string) {
	t.Helper()
	root := filepath.Join("..", "..", dir)
	must(t, os.MkdirAll(root, 0o755))
	old, _ := filepath.Glob(filepath.Join(root, "*.png"))
	for _, f := range old {
		must(t, os.Remove(f))
	}
	minutes := filepath.Join(r.dir, report.MinutesName)
	last := len(pages(t, minutes))
	for _, job := range []struct {
		pdf, name string
		page      int
	}{
		{minutes, "bien-ban-trang-1", 1},
		{minutes, "bien-ban-trang-2", 2},
		{minutes, fmt.Sprintf("bien-ban-trang-%d", last), last},
		{filepath.Join(r.dir, report.CadreReportName("c1")), "bao-cao-c1", 1},
	} {
		p := strconv.Itoa(job.page)
		cmd := exec.Command("pdftoppm", "-r", "60", "-png", "-f", p, "-l", p, "-singlefile", job.pdf, filepath.Join(root, job.name))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
	}
}
