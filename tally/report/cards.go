package report

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/jung-kurt/gofpdf"
	"github.com/skip2/go-qrcode"
)

// Card is one printed voting card (thẻ bỏ phiếu). URL is what the QR code
// encodes, already uppercase so that QR's compact alphanumeric mode applies
// (e.g. "HTTP://192.168.1.10:8080/V/ABCD2345..."); Code is the same token for
// manual entry, in groups (e.g. "ABCD-EFGH-..."). Both are secrets: whoever reads
// them can cast the card's ballot.
type Card struct {
	URL  string
	Code string
}

// CardSheet is the session information printed on every card. ManualURL is the
// page where a voter whose phone cannot scan types the code, e.g.
// "http://192.168.1.10:8080/nhap-ma".
type CardSheet struct {
	Title, Body, Date, Place string
	ManualURL                string
}

// Page and card geometry in millimetres: 2 × 4 cards of 95 × 68 mm centred on
// A4, so a guillotine or scissors along the dashed lines gives equal cards.
const (
	pageW, pageH   = 210.0, 297.0
	cardCols       = 2
	cardRows       = 4
	cardsPerPage   = cardCols * cardRows
	cardW, cardH   = 95.0, 68.0
	gridX          = (pageW - cardCols*cardW) / 2
	gridY          = (pageH - cardRows*cardH) / 2
	cardPad        = 4.5  // also the QR quiet zone on the left and below
	qrSize         = 30.0 // symbol without quiet zone
	qrGap          = 4.0  // quiet zone between the symbol and the text beside it
	maxModule      = 1.0  // so cardPad and qrGap are at least 4 modules
	maxQRModules   = 57   // version 10: modules stay above 0.5 mm at qrSize
	columnX        = cardPad + qrSize + qrGap
	columnW        = cardW - columnX - cardPad
	qrY            = cardH - cardPad - qrSize
	headerLimit    = qrY - qrGap - 0.8 // lowest header baseline: descenders, then the quiet zone
	minCodeSize    = 9.0
	maxCodeSize    = 15.0
	codeLead       = 1.15 // baseline to baseline, in ems
	instructionVI  = "Quét mã QR bằng điện thoại để bỏ phiếu. Mỗi thẻ chỉ dùng một lần."
	headingVI      = "THẺ BỎ PHIẾU"
	headingEN      = "Voting card"
	codeLabel      = "Mã phiếu (nhập tay) · Card code"
	manualTemplate = "Không quét được? Mở %s và nhập mã."
)

// WriteCards writes the cards, in the order given (the caller shuffles), as an
// A4 PDF to w, eight to a page with dashed cut lines. Every card carries a QR
// code of its URL at error correction level H and its code in large monospaced
// letters. The same input always gives the same bytes. The plaintext URLs and
// codes exist only in the PDF: WriteCards logs nothing, holds no reference to
// them after it returns (it cannot wipe the memory they occupied), and names
// cards in errors by position only. If any card cannot be drawn, it returns an
// error before writing anything to w.
func WriteCards(w io.Writer, sheet CardSheet, cards []Card) error {
	if len(cards) == 0 {
		return errors.New("failed to write cards: no cards")
	}
	pdf := newDocument(withSans)
	pdf.SetTitle(metadata("Thẻ bỏ phiếu – "+sheet.Title), true)
	pdf.SetSubject("Thẻ bỏ phiếu (mã QR) – voting cards", true)
	pdf.SetAuthor(metadata(sheet.Body), true)
	head := layoutHeader(pdf, sheet)
	instructions, err := layoutInstructions(pdf, sheet.ManualURL)
	if err != nil {
		return err
	}
	for i, card := range cards {
		if i%cardsPerPage == 0 {
			pdf.AddPage()
		}
		slot := i % cardsPerPage
		x := gridX + float64(slot%cardCols)*cardW
		y := gridY + float64(slot/cardCols)*cardH
		if err := drawCard(pdf, x, y, head, instructions, card); err != nil {
			return fmt.Errorf("failed to draw card %d: %w", i+1, err)
		}
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("failed to draw card %d: %w", i+1, err)
		}
	}
	pdf.Close()
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("failed to render cards: %w", err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("failed to write cards: %w", err)
	}
	return nil
}

// textLine is one line of text placed relative to the card's top-left corner.
type textLine struct {
	text   string
	family string
	style  string
	size   float64 // points
	gray   int
	x, y   float64 // left end of the baseline, in millimetres
}

// header is the part of a card that is the same on every card.
type header struct {
	lines  []textLine
	ruleY  float64 // the rule under the heading
	bottom float64 // lowest baseline
}

// layoutHeader lays out the session information once: it is the same on every
// card, and wrapping is the costly part of drawing text. The line limits keep
// the header above the QR code's quiet zone whatever the organiser typed.
func layoutHeader(pdf *gofpdf.Fpdf, sheet CardSheet) header {
	width := cardW - 2*cardPad
	y := cardPad + 3.9
	setFont(pdf, fontSans, "B", 10.5)
	h := header{lines: []textLine{
		{headingVI, fontSans, "B", 10.5, 0, cardPad, y},
		{headingEN, fontSans, "", 7, 100, cardPad + pdf.GetStringWidth(headingVI) + 2.5, y},
	}}
	y += 1.6
	h.ruleY = y
	// Later sections give way to earlier ones: a line whose descenders would
	// reach the QR code's quiet zone is not drawn, and the one before it ends
	// in "…".
	add := func(text, style string, size float64, gray, maxLines int, lead float64) {
		lh := setFont(pdf, fontSans, style, size)
		if y+lead > headerLimit {
			return
		}
		maxLines = min(maxLines, 1+int((headerLimit-y-lead)/lh))
		for _, l := range wrap(pdf, clean(text), width, maxLines) {
			y += lead
			h.lines = append(h.lines, textLine{l, fontSans, style, size, gray, cardPad, y})
			lead = lh
		}
	}
	add(sheet.Title, "B", 8.5, 0, 2, 3.4)
	add(sheet.Body, "", 7.5, 40, 2, 3.3)
	var when []string
	for _, s := range []string{numericDate(sheet.Date), sheet.Place} {
		if s = clean(s); s != "" {
			when = append(when, s)
		}
	}
	add(strings.Join(when, " · "), "", 7.5, 70, 2, 3.3)
	h.bottom = y
	return h
}

// layoutInstructions lays out, once, the instructions that close the column
// beside the QR code, aligned with the bottom of the symbol so they sit at the
// same place on every card. The manual entry URL is never shortened: a card
// with a clipped URL would be useless without a working camera.
func layoutInstructions(pdf *gofpdf.Fpdf, manualURL string) ([]textLine, error) {
	const maxManualLines = 3
	var lines []textLine
	add := func(text, style string, size float64, gray, maxLines int) {
		setFont(pdf, fontSans, style, size)
		for _, l := range wrap(pdf, text, columnW, maxLines) {
			lines = append(lines, textLine{l, fontSans, style, size, gray, columnX, 0})
		}
	}
	add(instructionVI, "B", 7, 0, 2)
	if manualURL = clean(manualURL); manualURL != "" {
		manual := fmt.Sprintf(manualTemplate, manualURL)
		setFont(pdf, fontSans, "", 6.5)
		if len(wrap(pdf, manual, columnW, maxManualLines+1)) > maxManualLines {
			return nil, errors.New("failed to lay out cards: manual entry URL too long to print")
		}
		add(manual, "", 6.5, 60, maxManualLines)
	}
	y := qrY + qrSize - 0.4
	for i := len(lines) - 1; i >= 0; i-- {
		lines[i].y = y
		if i > 0 {
			y -= lines[i-1].size * ptToMM * 1.2
			if lines[i-1].size != lines[i].size {
				y -= 0.8 // a little air between the instruction and the fallback
			}
		}
	}
	return lines, nil
}

// layoutColumn lays out the column beside the QR code: the card's code at the
// top, above the instructions.
func layoutColumn(pdf *gofpdf.Fpdf, code string, instructions []textLine) ([]textLine, error) {
	lines := []textLine{{codeLabel, fontSans, "", 6.5, 90, columnX, qrY + 2.0}}
	top := qrY + 3.6 // below the label's descenders, with some air
	first := instructions[0]
	bottom := first.y - 0.8*first.size*ptToMM - 0.8 // above the accents of the instructions
	size, codeLines, err := layoutCode(pdf, code, bottom-top)
	if err != nil {
		return nil, err
	}
	em := size * ptToMM
	for i, l := range codeLines {
		y := top + 0.8*em + float64(i)*codeLead*em
		lines = append(lines, textLine{l, fontMono, "B", size, 0, columnX, y})
	}
	return append(lines, instructions...), nil
}

// drawCard draws one card with its top-left corner at (x, y).
func drawCard(pdf *gofpdf.Fpdf, x, y float64, head header, instructions []textLine, card Card) error {
	if card.URL == "" {
		return errors.New("card has no URL")
	}
	modules, err := qrModules(card.URL)
	if err != nil {
		return err
	}
	column, err := layoutColumn(pdf, clean(card.Code), instructions)
	if err != nil {
		return err
	}
	drawCutLines(pdf, x, y)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.25)
	pdf.Line(x+cardPad, y+head.ruleY, x+cardW-cardPad, y+head.ruleY)
	for _, l := range head.lines {
		drawText(pdf, x, y, l)
	}
	drawQR(pdf, x+cardPad, y+qrY, math.Min(qrSize, float64(len(modules))*maxModule), modules)
	for _, l := range column {
		drawText(pdf, x, y, l)
	}
	return nil
}

// drawText draws a laid-out line on the card whose top-left corner is (x, y).
func drawText(pdf *gofpdf.Fpdf, x, y float64, l textLine) {
	setFont(pdf, l.family, l.style, l.size)
	pdf.SetTextColor(l.gray, l.gray, l.gray)
	pdf.Text(x+l.x, y+l.y, l.text)
}

// layoutCode chooses the largest size at which the code fits in width and
// height, in two lines if possible and three otherwise, breaking between groups
// so a voter copies whole groups. A code that does not fit at the smallest size
// is an error rather than a clipped code, which would make an unusable card.
func layoutCode(pdf *gofpdf.Fpdf, code string, height float64) (float64, []string, error) {
	groups := strings.FieldsFunc(code, func(r rune) bool { return r == '-' || r == ' ' })
	if len(groups) == 0 {
		return 0, nil, errors.New("card has no code")
	}
	for maxLines := 2; maxLines <= 3; maxLines++ {
		for size := maxCodeSize; size >= minCodeSize; size -= 0.5 {
			setFont(pdf, fontMono, "B", size)
			lines := codeLinesAt(pdf, groups)
			// Cap height of the first line, leading, descenders of the last.
			need := (0.8 + float64(len(lines)-1)*codeLead + 0.25) * size * ptToMM
			if len(lines) <= maxLines && need <= height {
				return size, lines, nil
			}
		}
	}
	return 0, nil, errors.New("card code too long to print")
}

// codeLinesAt fills lines greedily with whole groups joined by "-", in the
// current font; a group wider than the column is split. It stops after four
// lines, more than any layout takes.
func codeLinesAt(pdf *gofpdf.Fpdf, groups []string) []string {
	var lines []string
	line := ""
	for _, g := range groups {
		if len(lines) > 3 {
			break
		}
		if line != "" && pdf.GetStringWidth(line+"-"+g) <= columnW {
			line += "-" + g
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		line = g
		for len(lines) <= 3 && pdf.GetStringWidth(line) > columnW {
			head, tail := splitAt(pdf, line, columnW)
			lines = append(lines, head)
			line = tail
		}
	}
	return append(lines, line)
}

// drawCutLines draws the card's outline dashed. Each edge is its own path from a
// fixed end, so an edge shared with the neighbouring card is drawn twice with
// the same dashes instead of two patterns that would merge into a solid line.
func drawCutLines(pdf *gofpdf.Fpdf, x, y float64) {
	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{2, 1.5}, 0)
	pdf.Line(x, y, x+cardW, y)
	pdf.Line(x, y+cardH, x+cardW, y+cardH)
	pdf.Line(x, y, x, y+cardH)
	pdf.Line(x+cardW, y, x+cardW, y+cardH)
	pdf.SetDashPattern(nil, 0)
}

// qrModules encodes url at level H (30% of the symbol may be smudged or torn)
// and returns its modules without the quiet zone, bitmap[row][col] true for dark.
func qrModules(url string) ([][]bool, error) {
	q, err := qrcode.New(url, qrcode.Highest)
	if err != nil {
		return nil, fmt.Errorf("failed to encode QR code: %w", err)
	}
	q.DisableBorder = true
	bitmap := q.Bitmap()
	if len(bitmap) > maxQRModules {
		return nil, fmt.Errorf("failed to encode QR code: URL too long (%d modules, at most %d fit)", len(bitmap), maxQRModules)
	}
	return bitmap, nil
}

// drawQR draws the modules as one filled vector path, one rectangle per run of
// dark modules in a row. A single fill has no anti-aliasing seams between
// touching rectangles, which separately filled rectangles or a scaled image can
// show and which confuse scanners. The path is written as raw PDF "re"
// operators: gofpdf's MoveTo/LineTo would take a third of the time of a
// 2,000-card print and twice the bytes.
func drawQR(pdf *gofpdf.Fpdf, x, y, size float64, modules [][]bool) {
	k := 1 / pdf.PointConvert(1) // points per millimetre
	_, pageHeight := pdf.GetPageSize()
	m := size / float64(len(modules))
	// Corners are rounded to the 0.01 pt written, and sizes taken between
	// rounded corners, so neighbouring rectangles share their edges exactly.
	pt := func(v float64) float64 { return math.Round(v*k*100) / 100 }
	num := func(b []byte, v float64) []byte {
		return append(strconv.AppendFloat(b, v, 'f', 2, 64), ' ')
	}
	var b []byte
	for r, row := range modules {
		// PDF's origin is the bottom-left corner of the page.
		bottom, top := pt(pageHeight-(y+float64(r+1)*m)), pt(pageHeight-(y+float64(r)*m))
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			left, right := pt(x+float64(start)*m), pt(x+float64(c)*m)
			b = num(b, left)
			b = num(b, bottom)
			b = num(b, right-left)
			b = num(b, top-bottom)
			b = append(b, "re\n"...)
		}
	}
	if len(b) == 0 {
		return
	}
	pdf.SetFillColor(0, 0, 0)
	pdf.RawWriteStr(string(b) + "f")
}
