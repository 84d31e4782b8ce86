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
	tally.None:                 "Không thuộc trường hợp nào",
	tally.MoreThanHalfLow:      "Trên 1/2 đến dưới 2/3 tín nhiệm thấp (1)",
	tally.TwoThirdsLow:         "Từ 2/3 trở lên tín nhiệm thấp (2)",
	tally.NoConfidenceMajority: "Quá nửa không tín nhiệm (1)",
}

// conditionNote is the number of each condition's note under the table,
// as conditionShort refers to it.
var conditionNote = map[tally.Condition]int{tally.MoreThanHalfLow: 1, tally.TwoThirdsLow: 2, tally.NoConfidenceMajority: 1}

// words are the terms that differ between the rating (lấy phiếu tín
// nhiệm) and the formal vote of confidence (bỏ phiếu tín nhiệm) in the
// documents; the form around them is the same.
type words struct {
	noun      string // "lấy phiếu tín nhiệm" / "bỏ phiếu tín nhiệm"
	basis     string // what the regulation is cited for
	person    string // the label before the cadre's name
	option    string // "mức tín nhiệm" / "phương án"
	threshold string // the heading of the condition
}

// kindWords returns the terms of the documents of a session under r.
func kindWords(r tally.Rules) words {
	if r.Formal() {
		return words{"bỏ phiếu tín nhiệm", "về lấy phiếu tín nhiệm, bỏ phiếu tín nhiệm", "Người được bỏ phiếu tín nhiệm",
			"phương án", "Kết luận theo ngưỡng quá nửa không tín nhiệm"}
	}
	return words{"lấy phiếu tín nhiệm", "về lấy phiếu tín nhiệm", "Người được lấy phiếu", "mức tín nhiệm",
		"Kết luận theo ngưỡng tín nhiệm thấp"}
}

// column is one column of a table: its heading, width in millimetres and
// alignment of its cells.
type column struct {
	head  string
	width float64
	align string
}

// Columns of the minutes' table, summing to contentW.
var minutesCols = []column{
	{"STT", 10, "C"},
	{"Họ và tên, chức vụ", 54, "L"},
	{"Phiếu hợp lệ", 13, "C"},
	{"Phiếu không hợp lệ", 13, "C"},
	{"Tín nhiệm cao", 19, "C"},
	{"Tín nhiệm", 19, "C"},
	{"Tín nhiệm thấp", 19, "C"},
	{"Kết luận", 18, "L"},
}

// Columns of the formal vote's table: two options, summing to contentW.
var formalCols = []column{
	{"STT", 10, "C"},
	{"Họ và tên, chức vụ", 58, "L"},
	{"Phiếu hợp lệ", 14, "C"},
	{"Phiếu không hợp lệ", 14, "C"},
	{"Tín nhiệm", 22, "C"},
	{"Không tín nhiệm", 22, "C"},
	{"Kết luận", 25, "L"},
}

// Columns of the table of cadres when no ballot was cast: no figures.
var namesCols = []column{
	{"STT", 10, "C"},
	{"Họ và tên", 55, "L"},
	{"Chức vụ", contentW - 65, "L"},
}

const (
	cellPad   = 1.3
	tableSize = 11.0 // points
)

// WriteMinutes writes the counting minutes (biên bản kiểm phiếu) of src to w
// as an A4 PDF in the administrative form of the session's body kind: the
// header (issuing body, number, national or Party title, locality and
// date); the legal basis; when and where the vote took place and the times
// it opened and closed; the chair, the secretary and the counting committee
// with its head; members summoned, present at opening (the quorum check,
// with any override and its reason) and at close, and who arrived or left
// during the vote; cards issued, revoked and unused, ballots issued and
// collected, and a warning when more cards could vote at opening
// than members were present; a table of every cadre's valid and invalid ballots, the counts
// and percentages of the three levels and the condition that holds, over as
// many pages as it needs with its header row repeated — or, when no ballot
// was cast, a sentence saying so; the conditions' full text citing the
// article; when counting started and ended; the closing sentence; the
// counting committee's signatures; and the signed checkpoint with its QR
// code and the key fingerprint. No text is ever cut: long names and posts
// wrap. The same src gives the same bytes.
func WriteMinutes(w io.Writer, src *Source) error {
	if err := src.check(); err != nil {
		return fmt.Errorf("failed to write minutes: %w", err)
	}
	r, o, p, s := src.Result, src.Opened, src.Proceedings, src.Session
	k := kindWords(r.Rules)
	d := newWriter(src, "Biên bản kiểm phiếu – "+s.Title, MinutesName)
	d.newPage()
	title := "BIÊN BẢN KIỂM PHIẾU"
	if r.Rules.Formal() {
		title = "BIÊN BẢN KIỂM PHIẾU BỎ PHIẾU TÍN NHIỆM"
	}
	d.header(title, "Kết quả "+k.noun+" tại "+s.Title, true)
	const indent = 10.0
	size := d.size

	d.para("Căn cứ "+r.Rules.Title()+" "+k.basis+";", "I", size, "J", indent, 1)
	d.para(fmt.Sprintf("Hôm nay, %s, tại %s, %s tổ chức %s bằng phiếu kín, mỗi người có mặt nhận một thẻ bỏ phiếu dùng một lần. Bỏ phiếu bắt đầu lúc %s và kết thúc lúc %s.",
		vietnameseDate(s.Date), clean(s.Place), clean(s.Body), k.noun, d.clockOn(p.OpenedAt), d.clockOn(p.ClosedAt)), "", size, "J", indent, 2)

	d.heading("I. THÀNH PHẦN", 0)
	chairRole := "Chủ tọa"
	if src.party() {
		chairRole = "Chủ trì"
	}
	d.para(chairRole+" hội nghị: "+orBlank(p.Chair)+".", "", size, "J", indent, 0)
	d.para("Thư ký hội nghị: "+orBlank(p.Secretary)+".", "", size, "J", indent, 0)
	d.para("Ban kiểm phiếu gồm:", "", size, "J", indent, 0)
	for i, n := range d.committeeInOrder() {
		d.para(fmt.Sprintf("%d. %s – %s", i+1, n, d.role(n)), "", size, "L", indent+5, 0)
	}
	d.para(fmt.Sprintf("Số người được triệu tập: %d.", o.Summoned), "", size, "J", indent, 0)
	quorum := fmt.Sprintf("Có mặt khi bắt đầu bỏ phiếu: %d/%d người, đủ số lượng tối thiểu (2/3).", o.Present, o.Summoned)
	if !o.QuorumMet {
		quorum = fmt.Sprintf("Có mặt khi bắt đầu bỏ phiếu: %d/%d người, không đủ số lượng tối thiểu (2/3); phiên được mở theo quyết định của người tổ chức, lý do: %s.",
			o.Present, o.Summoned, strings.TrimSuffix(clean(o.Reason), "."))
	}
	d.para(quorum, "", size, "J", indent, 0)
	d.para(movements(p.Arrived, p.Left), "", size, "J", indent, 0)
	closeLine := fmt.Sprintf("Có mặt khi kết thúc bỏ phiếu: %d/%d người.", p.PresentAtClose, o.Summoned)
	if p.ClosedAt.IsZero() {
		closeLine = "Có mặt khi kết thúc bỏ phiếu: " + blank + " người."
	}
	d.para(closeLine, "", size, "J", indent, 2)

	d.heading("II. THẺ VÀ PHIẾU", 0)
	d.para(fmt.Sprintf("Số thẻ bỏ phiếu đã in: %d.", p.CardsIssued), "", size, "J", indent, 0)
	d.para(revocations(p.Revocations, p.RevokedDuringVote), "", size, "J", indent, 0)
	d.para(fmt.Sprintf("Số phiếu phát ra (thẻ đã in, trừ thẻ bị hủy): %d. Số phiếu thu về: %d.", r.Issued, r.Collected), "", size, "J", indent, 0)
	if p.PaperIssued > 0 {
		// Paper ballots were printed for members without a phone (SPEC.md
		// 11.5.2): the ballots collected are given by kind, as the log
		// counts them (the used cards that were issued as paper).
		d.para(fmt.Sprintf("Trong số phiếu thu về: phiếu điện tử: %d; phiếu giấy: %d (đã in %d phiếu giấy).",
			r.Collected-p.PaperBallots, p.PaperBallots, p.PaperIssued), "", size, "J", indent, 0)
	}
	d.para(fmt.Sprintf("Số thẻ đã phát nhưng không dùng để bỏ phiếu: %d.", r.Issued-r.Collected), "", size, "J", indent, 0)
	if o.Issued > o.Present {
		// Spare cards are allowed, but the committee signs under this line
		// that every card beyond the people present stayed unused; the
		// console and the CLI warn with the same figures (ballot.CardExcess).
		d.para(fmt.Sprintf("Cảnh báo: khi mở phiên, số thẻ đã phát (%d) nhiều hơn số người có mặt (%d).",
			o.Issued, o.Present), "B", size, "J", indent, 0)
	}
	if r.Collected > 0 {
		d.para(fmt.Sprintf("Tỷ lệ phần trăm tính trên %s (%d), theo %s.",
			r.Rules.DenominatorVietnamese(), r.Denominator, r.Rules.Short()), "", size, "J", indent, 0)
	}
	d.y += 2

	// The last paragraphs go with the signatures, so that the committee
	// signs on the page of the figures when there is room, and never on a
	// page of signatures alone: when they do not fit, the last row of the
	// table goes over with them.
	var notes []string
	held := map[tally.Condition]bool{}
	for _, cr := range r.Cadres {
		held[cr.Condition] = true
	}
	for _, c := range []tally.Condition{tally.MoreThanHalfLow, tally.TwoThirdsLow, tally.NoConfidenceMajority} {
		if held[c] && r.Collected > 0 {
			// The full wording of each condition that holds for someone, once.
			notes = append(notes, fmt.Sprintf("(%d) %s", conditionNote[c], c.Vietnamese(r.Rules)))
		}
	}
	const disclaimer = "Kết quả kiểm phiếu chỉ nêu trường hợp theo quy định; việc xem xét, quyết định thuộc cơ quan có thẩm quyền."
	counting := fmt.Sprintf("Ban kiểm phiếu bắt đầu kiểm phiếu lúc %s, khi các phiếu được niêm phong vào nhật ký kiểm toán lúc đóng phiên, và kết thúc lúc %s.",
		d.clockOn(p.ClosedAt), d.clockOn(p.TalliedAt))
	copies := "……"
	if s.Copies > 0 {
		copies = fmt.Sprintf("%02d", s.Copies)
	}
	closing := fmt.Sprintf("Biên bản kết thúc lúc %s, lập thành %s bản có giá trị như nhau./.", d.clockOn(p.TalliedAt), copies)
	tail := d.paraHeight(counting, "", size, indent) + d.paraHeight(closing, "", size, indent) + lineHeight(size) + d.signaturesHeight()
	after := d.paraHeight(disclaimer, "I", size-1, 0) + 2 + tail
	for _, n := range notes {
		after += d.paraHeight(n, "", size-1, 0) + 1
	}

	if r.Collected == 0 {
		d.heading("III. KẾT QUẢ KIỂM PHIẾU ĐỐI VỚI TỪNG NGƯỜI", 3*lineHeight(size))
		d.para("Không có phiếu nào được thu về: không có kết quả theo từng "+k.option+" và không tính tỷ lệ phần trăm. Danh sách "+strings.ToLower(k.person[:1])+k.person[1:]+":",
			"", size, "J", indent, 1)
		var rows [][][]cellLine
		for i, cr := range r.Cadres {
			rows = append(rows, [][]cellLine{{{strconv.Itoa(i + 1), false}}, {{cr.Cadre.Name, true}}, {{cr.Cadre.Position, false}}})
		}
		d.table(namesCols, rows, after)
	} else {
		var rows [][][]cellLine
		for i, cr := range r.Cadres {
			rows = append(rows, resultCells(r.Rules, i, cr))
		}
		cols := minutesCols
		if r.Rules.Formal() {
			cols = formalCols
		}
		d.heading("III. KẾT QUẢ KIỂM PHIẾU ĐỐI VỚI TỪNG NGƯỜI", d.tableStart(cols, rows))
		d.table(cols, rows, after)
	}
	for _, n := range notes {
		d.para(n, "", size-1, "J", 0, 1)
	}
	d.para(disclaimer, "I", size-1, "L", 0, 2)
	d.ensure(tail)
	d.para(counting, "", size, "J", indent, 0)
	d.para(closing, "", size, "J", indent, lineHeight(size))
	d.signatures()
	d.ensure(d.attestationHeight())
	if err := d.attestation(max(d.y+2, pageLimit-d.attestationHeight())); err != nil {
		return fmt.Errorf("failed to write minutes: %w", err)
	}
	return finish(d, w, "minutes")
}

// orBlank is s, or a blank to fill by hand.
func orBlank(s string) string {
	if s = clean(s); s == "" {
		return blank
	}
	return s
}

// movements says who arrived and who left while the vote was open.
func movements(arrived, left []string) string {
	if len(arrived) == 0 && len(left) == 0 {
		return "Trong thời gian bỏ phiếu không có người đến thêm hoặc ra về."
	}
	var parts []string
	if len(arrived) > 0 {
		parts = append(parts, fmt.Sprintf("%d người đến và điểm danh bổ sung (%s)", len(arrived), strings.Join(arrived, ", ")))
	}
	if len(left) > 0 {
		parts = append(parts, fmt.Sprintf("%d người ra về (%s)", len(left), strings.Join(left, ", ")))
	}
	return "Trong thời gian bỏ phiếu có " + strings.Join(parts, "; ") + "."
}

// revocations says how many cards were revoked, when, and why, grouping the
// logged reasons in the order they first appear.
func revocations(reasons []string, duringVote int) string {
	if len(reasons) == 0 {
		return "Số thẻ bị hủy: 0."
	}
	count := map[string]int{}
	var order []string
	for _, r := range reasons {
		r = strings.TrimSuffix(clean(r), ".")
		if r == "" {
			r = "không ghi lý do"
		}
		if count[r] == 0 {
			order = append(order, r)
		}
		count[r]++
	}
	var why []string
	for _, r := range order {
		why = append(why, fmt.Sprintf("%s: %d", r, count[r]))
	}
	return fmt.Sprintf("Số thẻ bị hủy (thẻ hỏng đã đổi, thẻ dự phòng không dùng): %d, trong đó %d thẻ hủy trong thời gian bỏ phiếu; lý do ghi nhận: %s.",
		len(reasons), duringVote, strings.Join(why, "; "))
}

// heading draws a section heading, kept on one page with at least two
// lines of text, or with next millimetres of what follows when more.
func (d *writer) heading(s string, next float64) {
	d.ensure(lineHeight(d.size) + max(next, 2*lineHeight(d.size)))
	d.para(s, "B", d.size, "L", 0, 0.5)
}

// cellLine is one wrapped line of a table cell.
type cellLine struct {
	text string
	bold bool
}

// resultCells returns the cells of cadre i's row of the minutes' table,
// each a list of texts to wrap.
func resultCells(r tally.Rules, i int, cr tally.CadreResult) [][]cellLine {
	level := func(l tally.Level) []cellLine {
		return []cellLine{{strconv.Itoa(cr.Counts[l]), true}, {percent(cr.Percent[l]), false}}
	}
	cells := [][]cellLine{
		{{strconv.Itoa(i + 1), false}},
		{{cr.Cadre.Name, true}, {cr.Cadre.Position, false}},
		{{strconv.Itoa(cr.Valid), false}},
		{{strconv.Itoa(cr.Invalid), false}},
	}
	for _, l := range tally.LevelsOf(r) {
		cells = append(cells, level(l))
	}
	return append(cells, []cellLine{{conditionShort[cr.Condition], cr.Condition != tally.None}})
}

// wrapCells wraps every text of a row to its column, giving each cell's
// lines.
func (d *writer) wrapCells(cols []column, cells [][]cellLine, size float64) [][]cellLine {
	out := make([][]cellLine, len(cols))
	for k, col := range cols {
		for _, t := range cells[k] {
			style := ""
			if t.bold {
				style = "B"
			}
			for _, l := range d.lines(t.text, style, size, col.width-2*cellPad) {
				out[k] = append(out[k], cellLine{l, t.bold})
			}
		}
	}
	return out
}

func rowLines(cells [][]cellLine) int {
	n := 1
	for _, c := range cells {
		n = max(n, len(c))
	}
	return n
}

// tableHead returns the header row's cells, wrapped, and its height.
func (d *writer) tableHead(cols []column) ([][]cellLine, float64) {
	head := make([][]cellLine, len(cols))
	for k, c := range cols {
		head[k] = []cellLine{{c.head, true}}
	}
	head = d.wrapCells(cols, head, tableSize-0.5)
	// Centre each heading vertically in the row.
	n := rowLines(head)
	for k := range head {
		pad := (n - len(head[k])) / 2
		head[k] = append(make([]cellLine, pad), head[k]...)
	}
	return head, float64(n)*lineHeight(tableSize-0.5) + 2*cellPad
}

// tableStart is the height the header row and the first row of a table
// take: what a heading above the table keeps with it.
func (d *writer) tableStart(cols []column, rows [][][]cellLine) float64 {
	_, headH := d.tableHead(cols)
	if len(rows) == 0 {
		return headH
	}
	first := float64(rowLines(d.wrapCells(cols, rows[0], tableSize)))*lineHeight(tableSize) + 2*cellPad
	return headH + min(first, pageLimit-marginT-headH)
}

// table draws rows at the cursor under a header row, starting a page when
// a row does not fit and repeating the header on it. A row taller than a
// whole page is split between pages line by line, so nothing is ever cut.
// after millimetres must follow the last row on its page: when they do not
// fit, the last row starts a page, if that page can hold them both.
func (d *writer) table(cols []column, rows [][][]cellLine, after float64) {
	lh := lineHeight(tableSize)
	head, headH := d.tableHead(cols)
	wrapped := make([][][]cellLine, len(rows))
	for i, r := range rows {
		wrapped[i] = d.wrapCells(cols, r, tableSize)
	}
	d.ensure(d.tableStart(cols, rows))
	d.drawCells(cols, head, 0, rowLines(head), tableSize-0.5, "C")
	fresh := pageLimit - marginT - headH // room for rows on a page of their own
	for i, cells := range wrapped {
		n := rowLines(cells)
		h := float64(n)*lh + 2*cellPad
		need := h
		if i == len(wrapped)-1 && i > 0 && h+2+after <= fresh {
			need = h + 2 + after
		}
		if d.y+need > pageLimit && h <= fresh {
			d.newPage()
			d.drawCells(cols, head, 0, rowLines(head), tableSize-0.5, "C")
		}
		for from := 0; from < n; {
			fit := int((pageLimit - d.y - 2*cellPad) / lh)
			if fit < 1 {
				d.newPage()
				d.drawCells(cols, head, 0, rowLines(head), tableSize-0.5, "C")
				continue
			}
			to := min(n, from+fit)
			d.drawCells(cols, cells, from, to, tableSize, "")
			from = to
		}
	}
	d.y += 2
}

// drawCells draws lines [from, to) of a row's cells at the cursor, each cell
// framed, and moves the cursor below them. align overrides the columns'
// alignment when not empty (the header is centred).
func (d *writer) drawCells(cols []column, cells [][]cellLine, from, to int, size float64, align string) {
	lh := lineHeight(size)
	h := float64(to-from)*lh + 2*cellPad
	x := marginL
	d.SetDrawColor(0, 0, 0)
	d.SetLineWidth(0.2)
	for k, col := range cols {
		d.Rect(x, d.y, col.width, h, "D")
		a := col.align
		if align != "" {
			a = align
		}
		for j := from; j < to && j < len(cells[k]); j++ {
			l := cells[k][j]
			style := ""
			if l.bold {
				style = "B"
			}
			d.drawLine(x+cellPad, d.y+cellPad+float64(j-from)*lh, col.width-2*cellPad, l.text, style, size, a)
		}
		x += col.width
	}
	d.y += h
}
