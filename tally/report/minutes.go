package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

// MinutesName is the file name of the counting minutes.
const MinutesName = audit.MinutesDocument

// conditionShort names each condition in the table of the minutes; the
// full sentence with its article follows the table as a note.
var conditionShort = map[tally.Condition]string{
	tally.None:            "Không thuộc trường hợp nào",
	tally.MoreThanHalfLow: "Trên 1/2 đến dưới 2/3 tín nhiệm thấp (1)",
	tally.TwoThirdsLow:    "Từ 2/3 trở lên tín nhiệm thấp (2)",
}

// Columns of the minutes' table: widths in millimetres, summing to contentW.
var minutesCols = []struct {
	head  string
	width float64
	align string
}{
	{"STT", 9, "C"},
	{"Họ và tên, chức vụ", 52, "L"},
	{"Hợp lệ", 14, "R"},
	{"Không hợp lệ", 14, "R"},
	{"Tín nhiệm cao", 20, "R"},
	{"Tín nhiệm", 20, "R"},
	{"Tín nhiệm thấp", 20, "R"},
	{"Kết luận", 25, "L"},
}

const (
	cellPad    = 1.5
	tableSize  = 8.0 // points
	headerRowH = 10.0
)

// WriteMinutes writes the counting minutes (biên bản kiểm phiếu) of
// src to w as an A4 PDF: the body and meeting, date and place, the rule set;
// members summoned and present and the quorum check, with any override and
// its reason; ballots issued and collected; a table with every cadre's
// valid and invalid ballots and the counts and percentages of the three
// levels and the condition that holds, over as many pages as it needs with
// the header row repeated; the conditions' full text citing the article; the
// counting committee's signature lines; and the signed checkpoint with its
// QR code and the key fingerprint. Pages are numbered "Trang i/n". The same
// src gives the same bytes.
func WriteMinutes(w io.Writer, src *Source) error {
	if err := src.check(); err != nil {
		return fmt.Errorf("failed to write minutes: %w", err)
	}
	r, o := src.Result, src.Opened
	d := newWriter(src, "Biên bản kiểm phiếu – "+src.Session.Title, MinutesName)
	d.AddPage()
	y := d.header("BIÊN BẢN KIỂM PHIẾU", "Lấy phiếu tín nhiệm – "+src.Session.Title)

	y = d.sectionHeading(y, "1. Thành phần")
	y = d.para(margin, y, contentW, fmt.Sprintf("Số người được triệu tập: %d. Số người có mặt: %d.", o.Summoned, o.Present), "", 10, "L", 2)
	quorum := fmt.Sprintf("Đủ số lượng tối thiểu (2/3): %d/%d người có mặt.", o.Present, o.Summoned)
	if !o.QuorumMet {
		quorum = fmt.Sprintf("Không đủ số lượng tối thiểu (2/3): %d/%d người có mặt. Phiên được mở theo quyết định của người tổ chức, lý do: %s.",
			o.Present, o.Summoned, strings.TrimSuffix(clean(o.Reason), "."))
	}
	y = d.para(margin, y, contentW, quorum, "", 10, "L", 4)
	y = d.para(margin, y, contentW, "Ban kiểm phiếu gồm: "+strings.Join(src.Committee, ", ")+".", "", 10, "L", 4)

	y = d.sectionHeading(y+2, "2. Số phiếu")
	y = d.para(margin, y, contentW, fmt.Sprintf("Số phiếu phát ra: %d. Số phiếu thu về: %d.", r.Issued, r.Collected), "", 10, "L", 2)
	y = d.para(margin, y, contentW, fmt.Sprintf("Tỷ lệ phần trăm tính trên %s (%d), theo %s.",
		r.Rules.DenominatorVietnamese(), r.Denominator, r.Rules.Short()), "", 10, "L", 2)

	y = d.sectionHeading(y+2, "3. Kết quả kiểm phiếu đối với từng người")
	y = d.table(y-2, r)

	// The full wording of each condition that holds for someone, once.
	held := map[tally.Condition]bool{}
	for _, cr := range r.Cadres {
		held[cr.Condition] = true
	}
	for _, c := range []tally.Condition{tally.MoreThanHalfLow, tally.TwoThirdsLow} {
		if !held[c] {
			continue
		}
		note := fmt.Sprintf("(%d) %s", c, c.Vietnamese(r.Rules))
		if y+d.paraHeight(contentW, note, "", 8.5, 6) > bottom {
			d.AddPage()
			y = 25
		}
		y = d.para(margin, y, contentW, note, "", 8.5, "L", 6) + 1
	}
	if y+5 > bottom {
		d.AddPage()
		y = 25
	}
	setFont(d.Fpdf, fontSans, "", 8)
	d.SetTextColor(90, 90, 90)
	d.line(margin, y, contentW, "Kết quả kiểm phiếu chỉ nêu trường hợp theo quy định; việc xem xét, quyết định thuộc cơ quan có thẩm quyền.", "L")
	d.SetTextColor(0, 0, 0)
	y += 8

	if y+d.signaturesHeight()+attestationHeight > bottom {
		d.AddPage()
		y = 25
	}
	y = d.signatures(y)
	if err := d.attestation(max(y+2, bottom-attestationHeight+2)); err != nil {
		return fmt.Errorf("failed to write minutes: %w", err)
	}
	return finish(d, w, "minutes")
}

// table draws the per-cadre table from the baseline y, breaking pages as
// needed and repeating the header row on each, and returns the baseline
// below it.
func (d *writer) table(y float64, r tally.Result) float64 {
	top := y
	top = d.tableHeader(top)
	for i, cr := range r.Cadres {
		cells := d.rowCells(i, cr)
		h := d.rowHeight(cells)
		if top+h > bottom-4 {
			d.AddPage()
			top = d.tableHeader(22)
		}
		d.drawRow(top, h, cells, i%2 == 1)
		top += h
	}
	return top + 6
}

// rowCells returns the lines of each cell of cadre i's row; each line is
// (text, bold).
func (d *writer) rowCells(i int, cr tally.CadreResult) [][]cellLine {
	level := func(l tally.Level) []cellLine {
		return []cellLine{{strconv.Itoa(cr.Counts[l]), true}, {percent(cr.Percent[l]), false}}
	}
	cells := make([][]cellLine, len(minutesCols))
	cells[0] = []cellLine{{strconv.Itoa(i + 1), false}}
	setFont(d.Fpdf, fontSans, "B", tableSize)
	for _, l := range wrap(d.Fpdf, clean(cr.Cadre.Name), minutesCols[1].width-2*cellPad, 3) {
		cells[1] = append(cells[1], cellLine{l, true})
	}
	setFont(d.Fpdf, fontSans, "", tableSize)
	for _, l := range wrap(d.Fpdf, clean(cr.Cadre.Position), minutesCols[1].width-2*cellPad, 4) {
		cells[1] = append(cells[1], cellLine{l, false})
	}
	cells[2] = []cellLine{{strconv.Itoa(cr.Valid), false}}
	cells[3] = []cellLine{{strconv.Itoa(cr.Invalid), false}}
	cells[4], cells[5], cells[6] = level(tally.LevelHigh), level(tally.LevelNormal), level(tally.LevelLow)
	for _, l := range wrap(d.Fpdf, conditionShort[cr.Condition], minutesCols[7].width-2*cellPad, 4) {
		cells[7] = append(cells[7], cellLine{l, cr.Condition != tally.None})
	}
	return cells
}

type cellLine struct {
	text string
	bold bool
}

func (d *writer) rowHeight(cells [][]cellLine) float64 {
	n := 1
	for _, c := range cells {
		n = max(n, len(c))
	}
	return float64(n)*tableSize*ptToMM*1.2 + 2*cellPad + 0.5
}

func (d *writer) drawRow(top, h float64, cells [][]cellLine, shaded bool) {
	if shaded {
		d.SetFillColor(246, 246, 246)
		d.Rect(margin, top, contentW, h, "F")
	}
	lh := tableSize * ptToMM * 1.2
	x := margin
	for k, col := range minutesCols {
		for j, l := range cells[k] {
			style := ""
			if l.bold {
				style = "B"
			}
			setFont(d.Fpdf, fontSans, style, tableSize)
			d.line(x+cellPad, top+cellPad+lh*float64(j)+lh*0.78, col.width-2*cellPad, l.text, col.align)
		}
		x += col.width
	}
	d.SetDrawColor(170, 170, 170)
	d.SetLineWidth(0.2)
	d.Line(margin, top+h, margin+contentW, top+h)
	d.SetDrawColor(0, 0, 0)
}

// tableHeader draws the header row with its top at top and returns the top
// of the first data row.
func (d *writer) tableHeader(top float64) float64 {
	d.SetFillColor(225, 225, 225)
	d.Rect(margin, top, contentW, headerRowH, "F")
	x := margin
	lh := setFont(d.Fpdf, fontSans, "B", 7.5)
	for _, col := range minutesCols {
		lines := wrap(d.Fpdf, col.head, col.width-2*cellPad, 2)
		y := top + (headerRowH-float64(len(lines))*lh)/2 + lh*0.78
		for _, l := range lines {
			d.line(x+cellPad, y, col.width-2*cellPad, l, "C")
			y += lh
		}
		x += col.width
	}
	return top + headerRowH
}
