package report

import (
	"fmt"
	"io"
	"strconv"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

// CadreReportName returns the file name of the report on the cadre with the
// given ballot ID ("c1" gives "bao-cao-c1.pdf"): stable ASCII, so that the
// names in the audit log and on disk never depend on a person's name.
func CadreReportName(cadreID string) string { return audit.CadreReportDocument(cadreID) }

// WriteCadreReport writes the one-page A4 report on cadre i (0-based, in
// ballot order) of src.Result to w: the body, meeting, date, place and rule
// set; the cadre's name and position; ballots issued, collected, valid and
// invalid; the three levels with counts, percentages of the rule set's
// denominator and a bar chart; the threshold condition that holds, citing
// its article; signature lines for the counting committee; and the signed
// checkpoint with its QR code and the key fingerprint. The same src gives
// the same bytes. Nothing is written unless the whole page renders.
func WriteCadreReport(w io.Writer, src *Source, i int) error {
	if err := src.check(); err != nil {
		return fmt.Errorf("failed to write cadre report: %w", err)
	}
	if i < 0 || i >= len(src.Result.Cadres) {
		return fmt.Errorf("failed to write cadre report: no cadre %d in the tally", i)
	}
	cr := src.Result.Cadres[i]
	d := newWriter(src, "Kết quả lấy phiếu tín nhiệm – "+cr.Cadre.Name, CadreReportName(cr.Cadre.ID))
	d.AddPage()
	y := d.header("KẾT QUẢ LẤY PHIẾU TÍN NHIỆM", src.Session.Title)

	// The cadre, in a shaded band: the one thing a reader looks for first.
	d.SetFillColor(242, 242, 242)
	d.Rect(margin, y-1, contentW, 19, "F")
	setFont(d.Fpdf, fontSans, "", 9)
	d.line(margin+4, y+4.5, 40, "Người được lấy phiếu:", "L")
	setFont(d.Fpdf, fontSans, "B", 14)
	d.line(margin+44, y+5, contentW-48, cr.Cadre.Name, "L")
	setFont(d.Fpdf, fontSans, "", 9)
	d.line(margin+4, y+12.5, 40, "Chức vụ:", "L")
	d.para(margin+44, y+12.5, contentW-48, cr.Cadre.Position, "", 10.5, "L", 1)
	y += 26

	y = d.figures(y, cr)
	y = d.levels(y+4, cr)

	y = d.sectionHeading(y+4, "Kết luận theo ngưỡng tín nhiệm thấp")
	y = d.para(margin, y, contentW, cr.Condition.Vietnamese(src.Result.Rules), "", 10, "L", 6)
	setFont(d.Fpdf, fontSans, "", 8)
	d.SetTextColor(90, 90, 90)
	d.line(margin, y, contentW, "Kết quả kiểm phiếu chỉ nêu trường hợp theo quy định; việc xem xét, quyết định thuộc cơ quan có thẩm quyền.", "L")
	d.SetTextColor(0, 0, 0)

	// The committee signs under the findings; the attestation keeps its
	// place at the foot of the page, so a committee too large for the
	// space left signs on a second page rather than over the findings.
	y += 10
	if y+d.signaturesHeight() > bottom-attestationHeight {
		d.AddPage()
		y = 25
	}
	d.signatures(y)
	if err := d.attestation(bottom - attestationHeight + 2); err != nil {
		return fmt.Errorf("failed to write cadre report: %w", err)
	}
	return finish(d, w, "cadre report")
}

// figures draws the four ballot counts of one cadre as labelled boxes and
// returns the baseline below them.
func (d *writer) figures(y float64, cr tally.CadreResult) float64 {
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
	for k, it := range items {
		x := margin + float64(k)*(boxW+3)
		d.SetDrawColor(170, 170, 170)
		d.SetLineWidth(0.3)
		d.Rect(x, y, boxW, 16, "D")
		setFont(d.Fpdf, fontSans, "", 8.5)
		d.line(x+2, y+5, boxW-4, it.label, "C")
		setFont(d.Fpdf, fontSans, "B", 13)
		d.line(x+2, y+12.5, boxW-4, strconv.Itoa(it.n), "C")
	}
	d.SetDrawColor(0, 0, 0)
	return y + 20
}

// Columns of the levels table and its bar chart.
const (
	levelLabelW = 38.0
	levelCountW = 20.0
	levelPctW   = 24.0
	barX        = margin + levelLabelW + levelCountW + levelPctW + 4
	barW        = contentW - levelLabelW - levelCountW - levelPctW - 6
	barH        = 6.0
	levelRowH   = 10.0
)

// levels draws the table of the three levels, each row with its count, its
// percentage of the rule set's denominator and a bar as long as that
// percentage of the track, so that 100% fills it. Returns the baseline below.
func (d *writer) levels(y float64, cr tally.CadreResult) float64 {
	r := d.src.Result
	setFont(d.Fpdf, fontSans, "B", 8.5)
	d.line(margin, y, levelLabelW, "Mức tín nhiệm", "L")
	d.line(margin+levelLabelW, y, levelCountW, "Số phiếu", "R")
	d.line(margin+levelLabelW+levelCountW, y, levelPctW, "Tỷ lệ", "R")
	setFont(d.Fpdf, fontSans, "", 8)
	d.line(barX, y, barW, fmt.Sprintf("tỷ lệ trên %s (%d); thanh đầy = 100%%", r.Rules.DenominatorVietnamese(), r.Denominator), "L")
	d.SetLineWidth(0.2)
	d.Line(margin, y+2, margin+contentW, y+2)
	y += 2
	for _, l := range tally.Levels {
		top := y + 2
		setFont(d.Fpdf, fontSans, "", 10.5)
		d.line(margin, top+5.8, levelLabelW, l.Vietnamese(), "L")
		setFont(d.Fpdf, fontSans, "B", 10.5)
		d.line(margin+levelLabelW, top+5.8, levelCountW, strconv.Itoa(cr.Counts[l]), "R")
		d.line(margin+levelLabelW+levelCountW, top+5.8, levelPctW, percent(cr.Percent[l]), "R")
		d.SetFillColor(236, 236, 236)
		d.Rect(barX, top+(levelRowH-barH)/2, barW, barH, "F")
		if length := barW * float64(cr.Percent[l]) / 10000; length > 0 {
			c := levelColours[l]
			d.SetFillColor(c[0], c[1], c[2])
			d.Rect(barX, top+(levelRowH-barH)/2, min(length, barW), barH, "F")
		}
		y += levelRowH
		d.Line(margin, y+2, margin+contentW, y+2)
	}
	return y + 6
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
