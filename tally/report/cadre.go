package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

// CadreReportName returns the file name of the report on the cadre with the
// given ballot ID ("c1" gives "bao-cao-c1.pdf"): stable ASCII, so that the
// names in the audit log and on disk never depend on a person's name.
func CadreReportName(cadreID string) string { return audit.CadreReportDocument(cadreID) }

// WriteCadreReport writes the report on cadre i (0-based, in ballot order)
// of src.Result to w as an A4 PDF, one page unless a very long post or a
// large committee needs a second, in the administrative form of the
// session's body kind: the header, meeting, date, place and rule set; the
// cadre's name and position in full; ballots issued, collected, valid and
// invalid; the three levels with counts, percentages of the rule set's
// denominator and a bar chart, or when no ballot was cast a sentence saying
// so; the threshold condition that holds, citing its article; signature
// lines for the counting committee; and the signed checkpoint with its QR
// code and the key fingerprint. The same src gives the same bytes. Nothing
// is written unless the whole document renders.
func WriteCadreReport(w io.Writer, src *Source, i int) error {
	if err := src.check(); err != nil {
		return fmt.Errorf("failed to write cadre report: %w", err)
	}
	if i < 0 || i >= len(src.Result.Cadres) {
		return fmt.Errorf("failed to write cadre report: no cadre %d in the tally", i)
	}
	cr := src.Result.Cadres[i]
	r := src.Result
	k := kindWords(r.Rules)
	d := newWriter(src, "Kết quả "+k.noun+" – "+cr.Cadre.Name, CadreReportName(cr.Cadre.ID))
	// One page is the aim: the report is a result sheet beside the minutes,
	// so it keeps the State size of body text for Party bodies too.
	d.size = 13
	d.newPage()
	d.header("KẾT QUẢ "+strings.ToUpper(k.noun), src.Session.Title, false)
	d.para("Căn cứ "+r.Rules.Title()+" "+k.basis+".", "I", d.size-1, "C", 0, 2)

	// The cadre, framed: the one thing a reader looks for first.
	setFont(d.Fpdf, fontSerif, "", d.size)
	labelW := d.GetStringWidth(k.person+":") + 3
	nameLines := d.lines(cr.Cadre.Name, "B", d.size+1, contentW-labelW-6)
	postLines := d.lines(cr.Cadre.Position, "", d.size, contentW-labelW-6)
	bandH := float64(len(nameLines))*lineHeight(d.size+1) + float64(len(postLines))*lineHeight(d.size) + 5
	d.ensure(bandH)
	d.SetDrawColor(0, 0, 0)
	d.SetLineWidth(0.3)
	d.Rect(marginL, d.y, contentW, bandH, "D")
	top := d.y + 2.5
	d.drawLine(marginL+3, top, labelW, k.person+":", "", d.size, "L")
	for _, l := range nameLines {
		d.drawLine(marginL+labelW+3, top, contentW-labelW-6, l, "B", d.size+1, "L")
		top += lineHeight(d.size + 1)
	}
	d.drawLine(marginL+3, top, labelW, "Chức vụ:", "", d.size, "L")
	for _, l := range postLines {
		d.drawLine(marginL+labelW+3, top, contentW-labelW-6, l, "", d.size, "L")
		top += lineHeight(d.size)
	}
	d.y += bandH + 4

	d.figures(cr)
	if r.Collected == 0 {
		d.para("Không có phiếu nào được thu về: không có kết quả theo từng "+k.option+" và không tính tỷ lệ phần trăm.", "", d.size, "L", 0, 2)
	} else {
		d.levels(cr)
		d.heading(k.threshold, 0)
		d.para(cr.Condition.Vietnamese(r.Rules), "", d.size, "L", 0, 1)
	}
	d.para("Kết quả kiểm phiếu chỉ nêu trường hợp theo quy định; việc xem xét, quyết định thuộc cơ quan có thẩm quyền.", "I", d.size-1, "L", 0, 3)

	// The head signs for the committee beside the attestation, as the
	// signature and the list of recipients share the foot of a page; a log
	// that names no head gets every member's signature line instead.
	if src.Proceedings.Head != "" {
		if err := d.footBlock(); err != nil {
			return fmt.Errorf("failed to write cadre report: %w", err)
		}
		return finish(d, w, "cadre report")
	}
	d.ensure(d.signaturesHeight())
	d.signatures()
	d.ensure(d.attestationHeight())
	if err := d.attestation(max(d.y+2, pageLimit-d.attestationHeight())); err != nil {
		return fmt.Errorf("failed to write cadre report: %w", err)
	}
	return finish(d, w, "cadre report")
}

// footBlock draws the foot of a cadre report at the cursor: on the right
// "T/M BAN KIỂM PHIẾU / TRƯỞNG BAN" with room to sign and the head's name,
// on the left the attestation, narrowed to half the width.
func (d *writer) footBlock() error {
	const qr = 26.0
	leftW := contentW * 0.56
	rightX, rightW := marginL+leftW+4, contentW-leftW-4
	textW := leftW - qr - 5
	sig := 3*lineHeight(d.size) + signatureRoom + float64(len(d.lines(d.src.Proceedings.Head, "B", d.size, rightW)))*lineHeight(d.size)
	text := d.checkpointText(0, 0, textW, false)
	h := max(sig, qr+4, text+4)
	d.ensure(h)
	top := d.y
	d.drawLine(rightX, top, rightW, "T/M BAN KIỂM PHIẾU", "B", d.size, "C")
	d.drawLine(rightX, top+lineHeight(d.size), rightW, "TRƯỞNG BAN", "B", d.size, "C")
	d.drawLine(rightX, top+2*lineHeight(d.size), rightW, "(Ký và ghi rõ họ tên)", "I", d.size-1, "C")
	d.textBox(rightX, top+3*lineHeight(d.size)+signatureRoom, rightW, d.src.Proceedings.Head, "B", d.size, "C")
	d.SetDrawColor(0, 0, 0)
	d.SetLineWidth(0.3)
	d.Rect(marginL, top, leftW, h, "D")
	d.checkpointText(marginL+2, top+2, textW, true)
	if err := d.checkpointQR(marginL+leftW-qr-2, top+(h-qr)/2, qr); err != nil {
		return err
	}
	d.y = top + h
	return nil
}

// figures draws the four ballot counts of one cadre as labelled boxes at
// the cursor.
func (d *writer) figures(cr tally.CadreResult) {
	r := d.src.Result
	items := []struct {
		label string
		n     int
	}{
		{"Phiếu phát ra", r.Issued},
		{"Phiếu thu về", r.Collected},
		{"Phiếu hợp lệ", cr.Valid},
		{"Phiếu không hợp lệ", cr.Invalid},
	}
	boxW := (contentW - 3*3) / 4
	const boxH = 14.5
	d.ensure(boxH)
	for k, it := range items {
		x := marginL + float64(k)*(boxW+3)
		d.SetDrawColor(0, 0, 0)
		d.SetLineWidth(0.3)
		d.Rect(x, d.y, boxW, boxH, "D")
		d.textBox(x+1, d.y+1.2, boxW-2, it.label, "", d.size-2, "C")
		d.drawLine(x+2, d.y+7, boxW-4, strconv.Itoa(it.n), "B", d.size+1, "C")
	}
	d.y += boxH + 3
}

// Columns of the levels table and its bar chart.
const (
	levelLabelW = 38.0
	levelCountW = 20.0
	levelPctW   = 24.0
	barX        = marginL + levelLabelW + levelCountW + levelPctW + 4
	barW        = contentW - levelLabelW - levelCountW - levelPctW - 6
	barH        = 6.0
	levelRowH   = 8.5
)

// levels draws at the cursor the table of the levels (three in a rating,
// the two options of a formal vote), each row with
// its count, its percentage of the rule set's denominator and a bar as long
// as that percentage of the track, so that 100% fills it.
func (d *writer) levels(cr tally.CadreResult) {
	r := d.src.Result
	size := d.size - 1
	levels := tally.LevelsOf(r.Rules)
	d.ensure(float64(len(levels))*levelRowH + 12)
	head := "Mức tín nhiệm"
	if r.Rules.Formal() {
		head = "Phương án"
	}
	d.drawLine(marginL, d.y, levelLabelW, head, "B", size, "L")
	d.drawLine(marginL+levelLabelW, d.y, levelCountW, "Số phiếu", "B", size, "R")
	d.drawLine(marginL+levelLabelW+levelCountW, d.y, levelPctW, "Tỷ lệ", "B", size, "R")
	h := d.textBox(barX, d.y, barW, fmt.Sprintf("tỷ lệ trên %s (%d); thanh đầy = 100%%", r.Rules.DenominatorVietnamese(), r.Denominator), "I", size-1, "L")
	d.y += max(h, lineHeight(size)) + 1
	d.SetLineWidth(0.2)
	d.Line(marginL, d.y, marginL+contentW, d.y)
	for _, l := range levels {
		top := d.y
		text := top + (levelRowH-lineHeight(d.size))/2
		d.drawLine(marginL, text, levelLabelW, l.VietnameseUnder(r.Rules), "", d.size, "L")
		d.drawLine(marginL+levelLabelW, text, levelCountW, strconv.Itoa(cr.Counts[l]), "B", d.size, "R")
		d.drawLine(marginL+levelLabelW+levelCountW, text, levelPctW, percent(cr.Percent[l]), "B", d.size, "R")
		d.SetFillColor(236, 236, 236)
		d.Rect(barX, top+(levelRowH-barH)/2, barW, barH, "F")
		if length := barW * float64(cr.Percent[l]) / 10000; length > 0 {
			c := levelColours[l]
			d.SetFillColor(c[0], c[1], c[2])
			d.Rect(barX, top+(levelRowH-barH)/2, min(length, barW), barH, "F")
		}
		d.y += levelRowH
		d.Line(marginL, d.y, marginL+contentW, d.y)
	}
	d.y += 4
}

// finish closes d and writes it to w, or writes nothing if anything failed.
func finish(d *writer, w io.Writer, what string) error {
	d.Close()
	if err := d.Error(); err != nil {
		return fmt.Errorf("failed to render %s: %w", what, err)
	}
	if err := d.Output(w); err != nil {
		return fmt.Errorf("failed to write %s: %w", what, err)
	}
	return nil
}
