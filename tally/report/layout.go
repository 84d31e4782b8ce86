package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	"github.com/skip2/go-qrcode"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

// Source is everything a tally document shows, all of it read from the audit
// log: the session as created, the quorum check at opening, the counting
// committee, what happened during the vote, the logged tally, and the signed
// checkpoint that commits to the tally entry. Documents are rendered from a
// Source only, never from a fresh count, so a re-issued document states
// exactly what was logged.
type Source struct {
	Session     audit.SessionCreatedData
	Opened      audit.SessionOpenedData
	Committee   []string
	Proceedings audit.Proceedings
	Result      tally.Result
	Checkpoint  string // signed note of the checkpoint at the TallyComputed entry
	Fingerprint string // of the installation key, audit.Fingerprint
}

// check refuses a Source that would print contradictory or missing figures.
func (s *Source) check() error {
	if err := s.Result.Check(); err != nil {
		return fmt.Errorf("the tally does not check: %w", err)
	}
	if len(s.Committee) == 0 {
		return fmt.Errorf("no counting committee")
	}
	if strings.TrimSpace(s.Checkpoint) == "" || s.Fingerprint == "" {
		return fmt.Errorf("no signed checkpoint or key fingerprint")
	}
	if k := s.Session.BodyKind; k != "" && !audit.KnownBodyKind(k) {
		return fmt.Errorf("unknown body kind %q", k)
	}
	return nil
}

// bodyKind is the session's body kind, or for a log written before body
// kinds existed the one its rule set implies (as ballot.BodyKindFor).
func (s *Source) bodyKind() string {
	if s.Session.BodyKind != "" {
		return s.Session.BodyKind
	}
	if r, _ := tally.ParseRules(s.Session.Rules); r == tally.QD96 {
		return audit.BodyParty
	}
	return audit.BodyCouncil
}

// party reports whether the documents follow the Party's form (Hướng dẫn
// 36-HD/VPTW) rather than the State's (Nghị định 30/2020/NĐ-CP).
func (s *Source) party() bool { return s.bodyKind() == audit.BodyParty }

// Page geometry, in millimetres: A4 with the smallest margins Nghị định
// 30/2020/NĐ-CP Phụ lục I allows (top and bottom 20–25, left 30–35, right
// 15–20), used for Party documents too.
const (
	marginL   = 30.0
	marginR   = 15.0
	marginT   = 20.0
	marginB   = 20.0
	contentW  = pageW - marginL - marginR
	pageLimit = pageH - marginB // nothing is drawn below this line
)

// Colours of the three levels in the bar chart, high to low. Nothing else on
// a page is drawn in them, so a rendered page can be measured by colour.
var levelColours = [3][3]int{{46, 125, 50}, {21, 101, 192}, {198, 40, 40}}

// vietnamTime is the time zone of the documents' clock times: Viet Nam keeps
// UTC+7 all year, and the log's times are UTC.
var vietnamTime = time.FixedZone("UTC+7", 7*60*60)

// writer draws one document top to bottom. y is the top of the next line;
// every text goes through clean, so that names from the organiser are NFC
// and one line before they reach the page, and is wrapped, never cut: a text
// that does not fit a page goes on over the next.
type writer struct {
	*gofpdf.Fpdf
	src  *Source
	size float64 // body text, in points: 14 for Party documents, 13 for State ones
	y    float64
}

func newWriter(src *Source, title, name string) *writer {
	pdf := newDocument(withSerif)
	pdf.SetTitle(metadata(title), true)
	pdf.SetAuthor(metadata(src.Session.Body), true)
	pdf.SetSubject(metadata(src.Session.Title), true)
	// The file names its session and its own name in bytes the verifier
	// can find without parsing the PDF (SPEC.md 8.2): a document of one
	// session cannot pass for another's, nor one report for another.
	pdf.SetKeywords(audit.DocumentKeywords(src.Session.ID, name), false)
	w := &writer{Fpdf: pdf, src: src, size: 13}
	if src.party() {
		w.size = 14
	}
	pdf.SetHeaderFunc(w.pageNumber)
	return w
}

// pageNumber prints the number of every page but the first, centred in the
// top margin, as Nghị định 30/2020/NĐ-CP Phụ lục I numbers pages ("không
// hiển thị số trang thứ nhất"); gofpdf calls it as a page starts.
func (w *writer) pageNumber() {
	if w.PageNo() > 1 {
		w.textBox(marginL, 10, contentW, fmt.Sprint(w.PageNo()), "", w.size, "C")
	}
}

// newPage starts a page and puts the cursor at its top margin.
func (w *writer) newPage() {
	w.AddPage()
	w.y = marginT
}

// ensure starts a new page unless h millimetres fit below the cursor.
func (w *writer) ensure(h float64) {
	if w.y+h > pageLimit {
		w.newPage()
	}
}

// lineHeight is the height of one line of text of size points.
func lineHeight(size float64) float64 { return size * ptToMM * 1.22 }

// baseline is where the baseline of a line whose top is at top sits.
func baseline(top, size float64) float64 { return top + size*ptToMM*0.98 }

// unlimited is the line limit of wrap for text that must never be cut.
const unlimited = 1 << 30

// lines wraps s, cleaned, to width in the given style and size.
func (w *writer) lines(s, style string, size, width float64) []string {
	setFont(w.Fpdf, fontSerif, style, size)
	return wrap(w.Fpdf, clean(s), width, unlimited)
}

// drawLine draws one already wrapped line with its top at top, aligned
// "L", "C", "R" or "J" (justified: the space between words stretched so
// that the line fills the width, as the guides lay out body text).
func (w *writer) drawLine(x, top, width float64, s, style string, size float64, align string) {
	setFont(w.Fpdf, fontSerif, style, size)
	if words := strings.Fields(s); align == "J" && len(words) > 1 {
		gap := (width - w.GetStringWidth(strings.Join(words, ""))) / float64(len(words)-1)
		if gap < 3*w.GetStringWidth(" ") {
			for _, word := range words {
				w.Text(x, baseline(top, size), word)
				x += w.GetStringWidth(word) + gap
			}
			return
		}
	}
	switch align {
	case "C":
		x += (width - w.GetStringWidth(s)) / 2
	case "R":
		x += width - w.GetStringWidth(s)
	}
	w.Text(x, baseline(top, size), s)
}

// textBox draws s wrapped inside [x, x+width] from top, where the caller
// has made room, and returns the height it took.
func (w *writer) textBox(x, top, width float64, s, style string, size float64, align string) float64 {
	ls := w.lines(s, style, size, width)
	for i, l := range ls {
		w.drawLine(x, top+float64(i)*lineHeight(size), width, l, style, size, align)
	}
	return float64(len(ls)) * lineHeight(size)
}

// para draws a paragraph at the cursor over the full width, indented by
// indent on its first line as the guides lay out body text, and moves the
// cursor below it plus after; lines that do not fit go on the next page.
func (w *writer) para(s, style string, size float64, align string, indent, after float64) {
	setFont(w.Fpdf, fontSerif, style, size)
	s = clean(s)
	ls := wrap(w.Fpdf, s, contentW-indent, unlimited)
	if indent > 0 && len(ls) > 1 {
		// Only the first line is indented: wrap the rest at the full width.
		ls = append(ls[:1], wrap(w.Fpdf, strings.TrimSpace(s[len(ls[0]):]), contentW, unlimited)...)
	}
	lh := lineHeight(size)
	for i, l := range ls {
		w.ensure(lh)
		x, width := marginL, contentW
		if i == 0 {
			x, width = marginL+indent, contentW-indent
		}
		a := align
		if a == "J" && i == len(ls)-1 {
			a = "L" // the last line of a justified paragraph is not stretched
		}
		w.drawLine(x, w.y, width, l, style, size, a)
		w.y += lh
	}
	w.y += after
}

// paraHeight is the height para takes for s without page breaks.
func (w *writer) paraHeight(s, style string, size, indent float64) float64 {
	n := len(w.lines(s, style, size, contentW-indent))
	return float64(n) * lineHeight(size)
}

// vietnameseDate writes 2026-03-05 as "ngày 05 tháng 3 năm 2026": days below
// 10 and the months 1 and 2 take a leading zero, other months none
// (Nghị định 30/2020/NĐ-CP Phụ lục I, on the date of issue: "đối với những
// số thể hiện ngày nhỏ hơn 10 và tháng 1, 2 phải ghi thêm số 0 phía trước";
// Hướng dẫn 36-HD/VPTW dates itself "ngày 03 tháng 4 năm 2018" and shows
// "ngày 20 tháng 02 năm 2018" in its annex). Anything else is printed as is.
func vietnameseDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	month := fmt.Sprint(int(t.Month()))
	if t.Month() <= time.February {
		month = "0" + month
	}
	return fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), month, t.Year())
}

// numericDate writes a session's YYYY-MM-DD date as dd/mm/yyyy, the way a
// date is written in Vietnam outside the place-and-date line; anything else
// is printed as given.
func numericDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("02/01/2006")
}

// clock writes a logged time as Viet Nam reads it: "08 giờ 05 phút".
func clock(t time.Time) string {
	t = t.In(vietnamTime)
	return fmt.Sprintf("%02d giờ %02d phút", t.Hour(), t.Minute())
}

// clockOn writes a logged time, adding its date when it is not the
// session's date (a vote that ran past midnight).
func (w *writer) clockOn(t time.Time) string {
	if t.IsZero() {
		return "…… giờ …… phút"
	}
	s := clock(t)
	if d := t.In(vietnamTime).Format(time.DateOnly); d != w.src.Session.Date {
		s += " " + vietnameseDate(d)
	}
	return s
}

// blank is printed where the log holds nothing, for the clerk to fill in.
const blank = "……………"

// header draws the two columns that open a document and its title, and
// leaves the cursor below them. Left: the issuing body (in bold) under its
// superior, a "*" (Party) or a short rule (State) below it, and the
// document's number if numbered. Right: "ĐẢNG CỘNG SẢN VIỆT NAM" for a Party
// body, underlined as long as itself (Hướng dẫn 36-HD/VPTW, Mục II điểm 1.1;
// its annex's sizes: title 15 bold, bodies 14, the superior not bold, number
// 14, place and date 14 italic), or the Quốc hiệu and the Tiêu ngữ with its
// rule for a State body (Nghị định 30/2020/NĐ-CP Phụ lục I: Quốc hiệu
// 12–13 bold capitals, Tiêu ngữ 13–14 bold, the bodies 12–13 with a rule of
// a third to a half of the line, the place and date 13–14 italic); below it
// the place-and-date line.
func (w *writer) header(title, subtitle string, numbered bool) {
	s := w.src.Session
	party := w.src.party()
	leftW, rightW, size := 72.0, 88.0, 13.0
	if party {
		leftW, rightW, size = 78.0, 84.0, 14.0
	}
	rightX := pageW - marginR - rightW
	top := marginT

	// Left column.
	y := top
	superior := s.Superior
	if superior == "" {
		superior = s.Org
	}
	if superior != "" {
		y += w.textBalanced(marginL, y, leftW, strings.ToUpper(clean(superior)), "", size)
	}
	y += w.textBalanced(marginL, y, leftW, strings.ToUpper(clean(s.Body)), "B", size)
	w.SetLineWidth(0.3)
	if party {
		w.drawLine(marginL, y, leftW, "*", "", size, "C")
		y += lineHeight(size)
	} else {
		// A rule a third of the column under the body's name.
		y += 1.2
		w.Line(marginL+leftW/3, y, marginL+2*leftW/3, y)
		y += 2.5
	}
	if numbered {
		y += w.textBox(marginL, y+0.5, leftW, w.number(), "", size, "C") + 0.5
	}

	// Right column.
	ry := top
	if party {
		t := "ĐẢNG CỘNG SẢN VIỆT NAM"
		setFont(w.Fpdf, fontSerif, "B", 15)
		tw := w.GetStringWidth(t)
		w.drawLine(rightX, ry, rightW, t, "B", 15, "C")
		ry += lineHeight(15) + 0.3
		w.Line(rightX+(rightW-tw)/2, ry, rightX+(rightW+tw)/2, ry)
		ry += 2.5
	} else {
		w.drawLine(rightX, ry, rightW, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "B", 12, "C")
		ry += lineHeight(12)
		t := "Độc lập - Tự do - Hạnh phúc"
		setFont(w.Fpdf, fontSerif, "B", 13)
		tw := w.GetStringWidth(t)
		w.drawLine(rightX, ry, rightW, t, "B", 13, "C")
		ry += lineHeight(13) + 0.3
		w.Line(rightX+(rightW-tw)/2, ry, rightX+(rightW+tw)/2, ry)
		ry += 2.5
	}
	ry += w.placeDate(rightX, ry+lineHeight(size)*0.3, rightW, size)

	w.y = max(y, ry) + lineHeight(w.size)*0.6
	w.para(title, "B", w.size+1, "C", 0, 0)
	if subtitle != "" {
		w.y += w.textBalanced(marginL, w.y, contentW, clean(subtitle), "B", w.size)
	}
	w.y += 1.5
	if !party {
		// Nghị định 30/2020/NĐ-CP Phụ lục I: a rule under the subject line.
		mid := marginL + contentW/2
		w.Line(mid-20, w.y, mid+20, w.y)
	}
	w.y += lineHeight(w.size) * 0.6
}

// number is the document's number line: "Số 12-BB/ĐU" in Party documents,
// "Số: 05/BB-HĐND" in State ones, with blanks to fill by hand when the
// organiser gave none.
func (w *writer) number() string {
	n := w.src.Session.Number
	if w.src.party() {
		if n == "" {
			n = "……-BB/……"
		}
		return "Số " + n
	}
	if n == "" {
		n = "……/BB-……"
	}
	return "Số: " + n
}

// placeDate draws "Locality, ngày … tháng … năm …" in italics centred in
// the column and returns its height. The date itself is never broken: when
// the whole line does not fit, the locality takes a line of its own.
func (w *writer) placeDate(x, top, width, size float64) float64 {
	loc := clean(w.src.Session.Locality)
	if loc == "" {
		loc = blank
	}
	date := vietnameseDate(w.src.Session.Date)
	whole := loc + ", " + date
	setFont(w.Fpdf, fontSerif, "I", size)
	if w.GetStringWidth(whole) <= width {
		w.drawLine(x, top, width, whole, "I", size, "C")
		return lineHeight(size)
	}
	h := w.textBox(x, top, width, loc+",", "I", size, "C")
	w.drawLine(x, top+h, width, date, "I", size, "C")
	return h + lineHeight(size)
}

// unitWords start the name of an administrative unit or a bloc: a header
// line breaks before one when it can ("HỘI ĐỒNG NHÂN DÂN / TỈNH BẮC NINH").
var unitWords = map[string]bool{"TỈNH": true, "THÀNH": true, "HUYỆN": true, "QUẬN": true, "THỊ": true, "XÃ": true,
	"PHƯỜNG": true, "KHỐI": true, "ĐẢNG": true, "CHI": true}

// textBalanced draws s centred in width and returns its height. When it
// takes two lines it breaks, of the breaks that fit, before the name of an
// administrative unit if there is one, and else where the lines are most
// even, rather than leaving a lone last word.
func (w *writer) textBalanced(x, top, width float64, s, style string, size float64) float64 {
	ls := w.lines(s, style, size, width)
	if len(ls) == 2 {
		words := strings.Fields(s)
		best, bestW, bestUnit := ls, width+1, false
		for i := 1; i < len(words); i++ {
			a, b := strings.Join(words[:i], " "), strings.Join(words[i:], " ")
			wa, wb := w.GetStringWidth(a), w.GetStringWidth(b)
			unit := unitWords[words[i]] && i > 1
			if wa > width || wb > width || (bestUnit && !unit) {
				continue
			}
			if (unit && !bestUnit) || max(wa, wb) < bestW {
				best, bestW, bestUnit = []string{a, b}, max(wa, wb), unit
			}
		}
		ls = best
	}
	for i, l := range ls {
		w.drawLine(x, top+float64(i)*lineHeight(size), width, l, style, size, "C")
	}
	return float64(len(ls)) * lineHeight(size)
}

// role names a committee member's role: Trưởng ban, and Ủy viên in Party
// minutes or Thành viên in State ones.
func (w *writer) role(name string) string {
	switch {
	case name == w.src.Proceedings.Head:
		return "Trưởng ban"
	case w.src.party():
		return "Ủy viên"
	}
	return "Thành viên"
}

// committeeInOrder lists the committee with its head first.
func (w *writer) committeeInOrder() []string {
	head := w.src.Proceedings.Head
	out := make([]string, 0, len(w.src.Committee))
	if head != "" {
		out = append(out, head)
	}
	for _, n := range w.src.Committee {
		if n != head {
			out = append(out, n)
		}
	}
	return out
}

// Signature cells: up to three per row, each with the member's role, room
// for a handwritten signature and the printed name.
const (
	signatureCols = 3
	signatureRoom = 14.0
)

// signaturesHeight is the height signatures takes.
func (w *writer) signaturesHeight() float64 {
	h := lineHeight(w.size) * 2
	colW := contentW / signatureCols
	names := w.committeeInOrder()
	for i := 0; i < len(names); i += signatureCols {
		rowH := 0.0
		for _, n := range names[i:min(i+signatureCols, len(names))] {
			rowH = max(rowH, float64(len(w.lines(n, "B", w.size, colW-4)))*lineHeight(w.size))
		}
		h += lineHeight(w.size) + signatureRoom + rowH + 3
	}
	return h
}

// signatures draws the counting committee's signature block at the cursor,
// head first, and moves the cursor below it.
func (w *writer) signatures() {
	w.drawLine(marginL, w.y, contentW, "BAN KIỂM PHIẾU", "B", w.size, "C")
	w.y += lineHeight(w.size)
	w.drawLine(marginL, w.y, contentW, "(Ký và ghi rõ họ tên)", "I", w.size-1, "C")
	w.y += lineHeight(w.size)
	names := w.committeeInOrder()
	colW := contentW / signatureCols
	for i := 0; i < len(names); i += signatureCols {
		row := names[i:min(i+signatureCols, len(names))]
		x0 := marginL + (contentW-float64(len(row))*colW)/2
		rowH := 0.0
		for j, n := range row {
			x := x0 + float64(j)*colW
			w.drawLine(x+2, w.y, colW-4, strings.ToUpper(w.role(n)), "B", w.size-1, "C")
			h := w.textBox(x+2, w.y+lineHeight(w.size)+signatureRoom, colW-4, n, "B", w.size, "C")
			rowH = max(rowH, h)
		}
		w.y += lineHeight(w.size) + signatureRoom + rowH + 3
	}
}

// attestationQR is the side of the checkpoint's QR code, in millimetres.
const attestationQR = 30.0

// attestationHeight is the height attestation takes: the box holds the
// checkpoint note and a QR code of it, whichever is taller.
func (w *writer) attestationHeight() float64 {
	return max(attestationQR+6, w.attestationText(0, 0, false)+6) + 2
}

// attestation draws, with its top at top, the box that ties a printed page
// to the audit log: the signed checkpoint note, a QR code of the same text,
// and the installation key's fingerprint. An inspector scans or types the
// note and checks it against the exported bundle.
func (w *writer) attestation(top float64) error {
	h := w.attestationHeight() - 2
	w.SetDrawColor(0, 0, 0)
	w.SetLineWidth(0.3)
	w.Rect(marginL, top, contentW, h, "D")
	w.attestationText(marginL+3, top+3, true)
	return w.checkpointQR(pageW-marginR-attestationQR-3, top+(h-attestationQR)/2, attestationQR)
}

// checkpointQR draws the QR code of the checkpoint note, side long, at (x, y).
func (w *writer) checkpointQR(x, y, side float64) error {
	code, err := qrcode.New(w.src.Checkpoint, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("failed to encode checkpoint QR code: %w", err)
	}
	code.DisableBorder = true
	drawQR(w.Fpdf, x, y, side, code.Bitmap())
	return nil
}

// attestationText draws (if draw) the attestation's text from (x, top)
// beside a QR code of attestationQR and returns its height.
func (w *writer) attestationText(x, top float64, draw bool) float64 {
	return w.checkpointText(x, top, contentW-attestationQR-10, draw)
}

// checkpointText draws (if draw) the attestation's text in width from
// (x, top) and returns its height.
func (w *writer) checkpointText(x, top, width float64, draw bool) float64 {
	y := top
	put := func(s, family, style string, size float64) {
		setFont(w.Fpdf, family, style, size)
		for _, l := range wrap(w.Fpdf, clean(s), width, unlimited) {
			if draw {
				setFont(w.Fpdf, family, style, size)
				w.Text(x, baseline(y, size), l)
			}
			y += lineHeight(size)
		}
	}
	put("Điểm kiểm tra có chữ ký của nhật ký kiểm toán (signed checkpoint)", fontSerif, "B", 9)
	for _, l := range strings.Split(strings.TrimRight(w.src.Checkpoint, "\n"), "\n") {
		if l == "" {
			y += lineHeight(6.2) / 2 // the blank line between a note's text and its signatures
			continue
		}
		put(l, fontMono, "B", 6.2)
	}
	y += 0.8
	put("Dấu vân tay khóa cài đặt (key fingerprint): "+w.src.Fingerprint, fontSerif, "", 8)
	put("Đối chiếu với hồ sơ kiểm tra bằng tinnhiem-verify; tài liệu có chữ ký PDF và chữ ký rời .sig (signify).", fontSerif, "I", 8)
	return y - top
}

// percent prints a Percent the Vietnamese way: "40,43%".
func percent(p tally.Percent) string { return p.Vietnamese() + "%" }
