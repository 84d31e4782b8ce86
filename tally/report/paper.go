package report

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

// PaperSheet is what every paper ballot of a session prints: the session as
// created (its header follows the body kind, as the minutes do) and the
// cadres in ballot order.
type PaperSheet struct {
	Session audit.SessionCreatedData
	Cadres  []audit.Person
}

// PaperBallot is one printed paper ballot: the code of its card, grouped by
// four ("ABCD-EFGH-…"), which the counting committee types or scans to enter
// it. Whoever reads the code can enter the card's ballot, so a paper ballot
// is kept like a card.
type PaperBallot struct {
	Code string
}

// The paper ballot's table: STT, name, post, and one box per level; the
// widths sum to contentW.
var paperCols = []column{
	{"STT", 10, "C"},
	{"Họ và tên", 45, "L"},
	{"Chức vụ", 50, "L"},
	{"Tín nhiệm cao", 20, "C"},
	{"Tín nhiệm", 20, "C"},
	{"Tín nhiệm thấp", 20, "C"},
}

// formalPaperCols is the table of a formal vote of confidence's paper
// ballot: two boxes, tín nhiệm and không tín nhiệm.
var formalPaperCols = []column{
	{"STT", 10, "C"},
	{"Họ và tên", 50, "L"},
	{"Chức vụ", 55, "L"},
	{"Tín nhiệm", 25, "C"},
	{"Không tín nhiệm", 25, "C"},
}

const (
	paperTitle        = "PHIẾU LẤY PHIẾU TÍN NHIỆM"
	formalPaperTitle  = "PHIẾU BỎ PHIẾU TÍN NHIỆM"
	formalPaperInstr  = "Đánh dấu (X) vào một ô tương ứng với phương án đối với từng người được bỏ phiếu tín nhiệm; mỗi người chỉ đánh dấu một ô. Người nào không được đánh dấu, hoặc được đánh dấu cả hai ô, thì phiếu không hợp lệ đối với người đó."
	paperInstructions = "Đánh dấu (X) vào một ô tương ứng với mức tín nhiệm đối với từng người được lấy phiếu; mỗi người chỉ đánh dấu một ô. Người nào không được đánh dấu, hoặc được đánh dấu từ hai ô trở lên, thì phiếu không hợp lệ đối với người đó."
	paperCodeLabel    = "Mã phiếu (Ban kiểm phiếu nhập hoặc quét mã này):"
	paperQR           = 24.0 // side of the QR symbol, in millimetres
	paperFooterH      = paperQR + 6
)

// WritePaperBallots writes one paper ballot per card, in the order given,
// as an A4 PDF to w in the official layout of a phiếu lấy phiếu tín nhiệm:
// the body's header (Hướng dẫn 36-HD/VPTW or Nghị định 30/2020/NĐ-CP as
// the minutes), the title, the instructions, the table of cadres with
// three empty boxes each, and at the bottom the card's code in groups of
// four with its QR code in the corner. Every ballot starts on a new page;
// names and posts wrap, never cut, and a ballot longer than a page goes on
// over the next, its code printed at the foot of each of its pages. If any
// ballot cannot be drawn, nothing is written to w.
func WritePaperBallots(w io.Writer, sheet PaperSheet, ballots []PaperBallot) error {
	if len(ballots) == 0 {
		return errors.New("failed to write paper ballots: no ballots")
	}
	if len(sheet.Cadres) == 0 {
		return errors.New("failed to write paper ballots: no cadres")
	}
	src := &Source{Session: sheet.Session}
	cols, title, instructions, name := paperCols, paperTitle, paperInstructions, "Phiếu lấy phiếu tín nhiệm – "
	if r, err := tally.ParseRules(sheet.Session.Rules); err == nil && r.Formal() {
		cols, title, instructions, name = formalPaperCols, formalPaperTitle, formalPaperInstr, "Phiếu bỏ phiếu tín nhiệm – "
	}
	d := newWriter(src, name+sheet.Session.Title, "paper-ballots")
	d.SetSubject("Phiếu giấy – paper ballots", true)
	d.SetHeaderFunc(func() {}) // every page is a ballot of its own: no page numbers
	var rows [][][]cellLine
	for i, c := range sheet.Cadres {
		row := [][]cellLine{{{strconv.Itoa(i + 1), false}}, {{c.Name, true}}, {{c.Position, false}}}
		rows = append(rows, append(row, make([][]cellLine, len(cols)-3)...))
	}
	for i, b := range ballots {
		code := clean(b.Code)
		if code == "" {
			return fmt.Errorf("failed to draw paper ballot %d: no code", i+1)
		}
		modules, err := qrModules(code)
		if err != nil {
			return fmt.Errorf("failed to draw paper ballot %d: %w", i+1, err)
		}
		d.newPage()
		first := d.PageNo()
		d.header(title, s(sheet.Session.Title), false)
		d.para(instructions, "I", d.size-1, "J", 0, 2)
		d.table(cols, rows, paperFooterH)
		if d.y+paperFooterH > pageLimit {
			d.newPage()
		}
		last := d.PageNo()
		for p := first; p <= last; p++ {
			d.SetPage(p)
			if p < last {
				// A page that goes on: its code at the foot, below the table.
				setFont(d.Fpdf, fontMono, "B", 9)
				d.Text(marginL, pageLimit+7, fmt.Sprintf("%s  (%d/%d)", code, p-first+1, last-first+1))
				continue
			}
			drawPaperFooter(d, code, modules)
		}
		if err := d.Error(); err != nil {
			return fmt.Errorf("failed to draw paper ballot %d: %w", i+1, err)
		}
	}
	return finish(d, w, "paper ballots")
}

// s is a session title as the subtitle prints it.
func s(title string) string { return strings.TrimSpace(clean(title)) }

// drawPaperFooter draws, at the foot of a ballot's last page, the code in
// groups of four on the left and its QR code in the bottom-right corner.
func drawPaperFooter(d *writer, code string, modules [][]bool) {
	top := pageLimit - paperFooterH + 4
	qrX := pageW - marginR - paperQR
	qrY := pageLimit - paperQR
	d.SetDrawColor(0, 0, 0)
	d.SetLineWidth(0.2)
	d.Line(marginL, top-2, pageW-marginR, top-2)
	d.SetTextColor(0, 0, 0)
	d.textBox(marginL, top, qrX-marginL-4, paperCodeLabel, "I", d.size-2, "L")
	groups := strings.FieldsFunc(code, func(r rune) bool { return r == '-' || r == ' ' })
	setFont(d.Fpdf, fontMono, "B", 13)
	y := top + lineHeight(d.size-2) + 5
	var line []string
	for _, g := range groups {
		if len(line) > 0 && d.GetStringWidth(strings.Join(append(line, g), "-")) > qrX-marginL-4 {
			d.Text(marginL, y, strings.Join(line, "-"))
			y += 13 * ptToMM * 1.3
			line = nil
		}
		line = append(line, g)
	}
	if len(line) > 0 {
		d.Text(marginL, y, strings.Join(line, "-"))
	}
	drawQR(d.Fpdf, qrX, qrY, paperQR, modules)
}
