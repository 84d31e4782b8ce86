package report

import (
	"fmt"
	"strings"

	"github.com/jung-kurt/gofpdf"
	"github.com/skip2/go-qrcode"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

// Source is everything a tally document shows, all of it read from the audit
// log: the session as created, the quorum check at opening, the counting
// committee, the logged tally, and the signed checkpoint that commits to the
// tally entry. Documents are rendered from a Source only, never from a
// fresh count, so a re-issued document states exactly what was logged.
type Source struct {
	Session     audit.SessionCreatedData
	Opened      audit.SessionOpenedData
	Committee   []string
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
	return nil
}

// Page geometry of the reports, in millimetres.
const (
	margin   = 18.0
	contentW = pageW - 2*margin
	bottom   = pageH - 18.0 // lowest baseline of content; the page number sits below
)

// Colours of the three levels in the bar chart, high to low. Nothing else on
// a page is drawn in them, so a rendered page can be measured by colour.
var levelColours = [3][3]int{{46, 125, 50}, {21, 101, 192}, {198, 40, 40}}

// writer draws one document. Every text goes through clean, so that names
// from the organiser are NFC and one line before they reach the page.
type writer struct {
	*gofpdf.Fpdf
	src *Source
}

func newWriter(src *Source, title, name string) *writer {
	pdf := newDocument()
	pdf.SetTitle(metadata(title), true)
	pdf.SetAuthor(metadata(src.Session.Body), true)
	pdf.SetSubject(metadata(src.Session.Title), true)
	// The file names its session and its own name in bytes the verifier
	// can find without parsing the PDF (SPEC.md 8.2): a document of one
	// session cannot pass for another's, nor one report for another.
	pdf.SetKeywords(audit.DocumentKeywords(src.Session.ID, name), false)
	pdf.AliasNbPages("{nb}")
	w := &writer{Fpdf: pdf, src: src}
	pdf.SetFooterFunc(w.footer)
	return w
}

// footer prints the page number; gofpdf calls it when a page ends.
func (w *writer) footer() {
	setFont(w.Fpdf, fontSans, "", 8)
	w.SetTextColor(90, 90, 90)
	w.line(margin, pageH-10, contentW, "Trang "+fmt.Sprint(w.PageNo())+"/{nb}", "C")
	w.SetTextColor(0, 0, 0)
}

// line draws s, cleaned, on the baseline y inside [x, x+width], aligned
// "L", "C" or "R"; a text wider than the box is cut with "…".
func (w *writer) line(x, y, width float64, s, align string) {
	s = clean(s)
	if w.GetStringWidth(s) > width {
		s = ellipsize(w.Fpdf, s, width)
	}
	switch align {
	case "C":
		x += (width - w.GetStringWidth(s)) / 2
	case "R":
		x += width - w.GetStringWidth(s)
	}
	w.Text(x, y, s)
}

// para draws s wrapped to width from the baseline y, at most maxLines lines,
// and returns the baseline after the last line.
func (w *writer) para(x, y, width float64, s, style string, size float64, align string, maxLines int) float64 {
	lh := setFont(w.Fpdf, fontSans, style, size)
	for _, l := range wrap(w.Fpdf, clean(s), width, maxLines) {
		w.line(x, y, width, l, align)
		y += lh
	}
	return y
}

// paraHeight returns the height para would take.
func (w *writer) paraHeight(width float64, s, style string, size float64, maxLines int) float64 {
	lh := setFont(w.Fpdf, fontSans, style, size)
	return float64(len(wrap(w.Fpdf, clean(s), width, maxLines))) * lh
}

// vietnameseDate writes 2026-11-22 as "ngày 22 tháng 11 năm 2026", the form
// of Vietnamese administrative documents; anything else is printed as is.
func vietnameseDate(d string) string {
	var y, m, day int
	if n, err := fmt.Sscanf(d, "%4d-%2d-%2d", &y, &m, &day); err != nil || n != 3 {
		return d
	}
	return fmt.Sprintf("ngày %02d tháng %02d năm %d", day, m, y)
}

// header draws the body on the left and the place and date on the right, as
// Vietnamese documents open, then the document's title lines; it returns the
// baseline below them.
func (w *writer) header(title, subtitle string) float64 {
	s := w.src.Session
	colW := 82.0
	y := 20.0
	if s.Org != "" {
		setFont(w.Fpdf, fontSans, "", 9.5)
		w.line(margin, y, colW, strings.ToUpper(clean(s.Org)), "C")
		y += 4.6
	}
	y = w.para(margin, y, colW, strings.ToUpper(clean(s.Body)), "B", 9.5, "C", 3)
	w.SetLineWidth(0.3)
	w.Line(margin+colW/2-14, y-1.2, margin+colW/2+14, y-1.2)
	setFont(w.Fpdf, fontSans, "", 9.5)
	right := w.para(pageW-margin-colW, 20, colW, clean(s.Place)+", "+vietnameseDate(s.Date), "", 9.5, "C", 3)
	y = max(y, right) + 8
	y = w.para(margin, y, contentW, title, "B", 15, "C", 2) + 0.5
	if subtitle != "" {
		y = w.para(margin, y, contentW, subtitle, "B", 11, "C", 3)
	}
	y = w.para(margin, y, contentW, "Căn cứ "+w.src.Result.Rules.Title(), "", 9.5, "C", 2)
	return y + 4
}

// sectionHeading draws a bold heading and returns the baseline below it.
func (w *writer) sectionHeading(y float64, s string) float64 {
	return w.para(margin, y, contentW, s, "B", 10.5, "L", 2) + 0.5
}

// signaturesHeight is the height signatures takes.
func (w *writer) signaturesHeight() float64 {
	rows := (len(w.src.Committee) + 2) / 3
	return 10 + float64(rows)*signatureRowH
}

// signatures draws the counting committee's signature lines, up to three
// per row, each with room to sign above the printed name, and returns the
// baseline below them.
func (w *writer) signatures(y float64) float64 {
	setFont(w.Fpdf, fontSans, "B", 10.5)
	w.line(margin, y, contentW, "BAN KIỂM PHIẾU", "C")
	setFont(w.Fpdf, fontSans, "", 8)
	w.SetTextColor(90, 90, 90)
	w.line(margin, y+4.2, contentW, "(ký và ghi rõ họ tên)", "C")
	w.SetTextColor(0, 0, 0)
	y += 10
	names := w.src.Committee
	colW := contentW / 3
	for i := 0; i < len(names); i += 3 {
		row := names[i:min(i+3, len(names))]
		x0 := margin + (contentW-float64(len(row))*colW)/2
		for j, n := range row {
			x := x0 + float64(j)*colW
			w.SetDrawColor(120, 120, 120)
			w.SetLineWidth(0.2)
			w.SetDashPattern([]float64{0.8, 0.8}, 0)
			w.Line(x+6, y+13, x+colW-6, y+13)
			w.SetDashPattern(nil, 0)
			w.SetDrawColor(0, 0, 0)
			setFont(w.Fpdf, fontSans, "B", 9.5)
			w.line(x+2, y+18, colW-4, n, "C")
		}
		y += signatureRowH
	}
	return y
}

// signatureRowH is the height of one row of signature lines: room for a
// handwritten signature, the dotted line and the printed name.
const signatureRowH = 23.0

// attestationHeight is the height attestation takes.
const attestationHeight = 52.0

// attestation draws the box that ties a printed page to the audit log: the
// signed checkpoint note, a QR code of the same text, and the installation
// key's fingerprint. An inspector scans or types the note and checks it
// against the exported bundle.
func (w *writer) attestation(y float64) error {
	const qr = 40.0
	w.SetDrawColor(150, 150, 150)
	w.SetLineWidth(0.3)
	w.Rect(margin, y, contentW, attestationHeight-4, "D")
	w.SetDrawColor(0, 0, 0)
	textW := contentW - qr - 10
	ty := w.para(margin+3, y+5, textW, "Điểm kiểm tra có chữ ký của nhật ký kiểm toán (signed checkpoint)", "B", 8.5, "L", 1)
	lh := setFont(w.Fpdf, fontMono, "B", 6.6)
	for _, l := range strings.Split(strings.TrimRight(w.src.Checkpoint, "\n"), "\n") {
		for _, part := range wrap(w.Fpdf, l, textW, 3) {
			w.Text(margin+3, ty, part)
			ty += lh
		}
		if l == "" {
			ty += lh / 2 // the blank line between a note's text and its signatures
		}
	}
	ty += 1
	ty = w.para(margin+3, ty, textW, "Dấu vân tay khóa cài đặt (key fingerprint): "+w.src.Fingerprint, "", 7.5, "L", 2)
	w.para(margin+3, ty, textW, "Đối chiếu với hồ sơ kiểm tra bằng tinnhiem-verify; tài liệu có chữ ký PDF và chữ ký rời .sig (signify).", "", 7, "L", 2)
	code, err := qrcode.New(w.src.Checkpoint, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("failed to encode checkpoint QR code: %w", err)
	}
	code.DisableBorder = true
	drawQR(w.Fpdf, pageW-margin-qr-3, y+(attestationHeight-4-qr)/2, qr, code.Bitmap())
	return nil
}

// percent prints a Percent the Vietnamese way: "40,43%".
func percent(p tally.Percent) string { return p.Vietnamese() + "%" }
