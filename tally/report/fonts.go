package report

import (
	_ "embed"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/text/unicode/norm"
)

// The Go fonts and gofpdf's core fonts lack Vietnamese, so every document embeds
// its fonts: DejaVu (see fonts/LICENSE) and, for the tally documents, Tinos. gofpdf subsets the fonts, so a PDF carries only
// the glyphs it uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
	//go:embed fonts/DejaVuSansMono-Bold.ttf
	dejaVuSansMonoBold []byte

	// Tinos has the metrics of Times New Roman, the typeface both the Party's
	// and the State's rules for documents prescribe, and covers Vietnamese
	// (see fonts/LICENSE-Tinos).
	//go:embed fonts/Tinos-Regular.ttf
	tinosRegular []byte
	//go:embed fonts/Tinos-Bold.ttf
	tinosBold []byte
	//go:embed fonts/Tinos-Italic.ttf
	tinosItalic []byte
)

// Font families registered by newDocument. The monospaced family exists only in
// bold: it is used for codes that people copy by hand.
const (
	fontSans  = "DejaVuSans"
	fontMono  = "DejaVuSansMono"
	fontSerif = "Tinos" // regular, bold and italic, for the tally documents
)

// Which families a document uses: gofpdf embeds every font registered, used
// or not, so each kind of document registers only its own.
const (
	withSans  = iota // the cards: DejaVu Sans, which reads better in small sizes
	withSerif        // the tally documents: Tinos
)

// fixedDate is written as the PDF creation and modification date. The renderer
// takes no clock, so the same input always yields the same bytes (golden tests,
// reproducible report hashes in the audit log); a caller that knows the real
// time passes it in and overrides it with SetCreationDate.
var fixedDate = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// ptToMM converts a font size in points to millimetres, the document unit.
const ptToMM = 25.4 / 72

// newDocument returns an empty portrait A4 document, in millimetres, with the
// families' fonts and DejaVu Sans Mono Bold registered, creator "tinnhiem", a fixed date, and automatic page
// breaks off (every layout here places its content itself). A font that fails to
// load is reported by the document's Error method, which callers check before
// Output.
func newDocument(families int) *gofpdf.Fpdf {
	pdf := gofpdf.New("P", "mm", "A4", "")
	if families == withSerif {
		pdf.AddUTF8FontFromBytes(fontSerif, "", tinosRegular)
		pdf.AddUTF8FontFromBytes(fontSerif, "B", tinosBold)
		pdf.AddUTF8FontFromBytes(fontSerif, "I", tinosItalic)
	} else {
		pdf.AddUTF8FontFromBytes(fontSans, "", dejaVuSans)
		pdf.AddUTF8FontFromBytes(fontSans, "B", dejaVuSansBold)
	}
	pdf.AddUTF8FontFromBytes(fontMono, "B", dejaVuSansMonoBold)
	pdf.SetCreator("tinnhiem", true)
	pdf.SetCreationDate(fixedDate)
	pdf.SetModificationDate(fixedDate)
	pdf.SetCatalogSort(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	return pdf
}

// clean prepares text from the organiser for drawing: valid UTF-8, NFC (a
// decomposed "ệ" would otherwise draw its marks beside the letter), one line,
// runs of white space collapsed. Runes outside the Basic Multilingual Plane
// become U+FFFD because gofpdf indexes its width table by rune and would panic on
// them.
func clean(s string) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.Map(func(r rune) rune {
		switch {
		case r > 0xFFFF:
			return utf8.RuneError
		case unicode.IsControl(r), unicode.In(r, unicode.Zl, unicode.Zp):
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// metadata cleans s for the document information dictionary, cut to 200
// runes: readers show one line there, and the cards already print the text.
func metadata(s string) string {
	if r := []rune(clean(s)); len(r) > 200 {
		return string(r[:199]) + "…"
	}
	return clean(s)
}

// wrap breaks s, already cleaned, into lines no wider than width in the current
// font, at spaces where possible and inside a word only when the word alone is
// too wide. If more than maxLines lines are needed, the last kept line ends in
// "…". It never returns more than maxLines lines, and none for empty s.
func wrap(pdf *gofpdf.Fpdf, s string, width float64, maxLines int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if len(lines) > maxLines {
			break // the rest is cut anyway; this keeps long input linear
		}
		candidate := word
		if line != "" {
			candidate = line + " " + word
		}
		if pdf.GetStringWidth(candidate) <= width {
			line = candidate
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		line = word
		for len(lines) <= maxLines && pdf.GetStringWidth(line) > width {
			head, tail := splitAt(pdf, line, width)
			lines = append(lines, head)
			line = tail
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) <= maxLines {
		return lines
	}
	lines = lines[:maxLines]
	lines[maxLines-1] = ellipsize(pdf, lines[maxLines-1], width)
	return lines
}

// splitAt returns a prefix of s that fits in width, and the rest. The prefix
// has at least one rune, so wrapping always progresses, and ends after a URL's
// "/" or "." when there is one in its second half: "…gov.vn/" + "nhap-ma"
// reads better than "…gov.vn:84" + "43/nhap-ma".
func splitAt(pdf *gofpdf.Fpdf, s string, width float64) (string, string) {
	runes := []rune(s)
	if len(runes) == 0 {
		return "", ""
	}
	n, w := 1, pdf.GetStringWidth(string(runes[0]))
	for n < len(runes) {
		// gofpdf does not kern, so widths add up rune by rune.
		w += pdf.GetStringWidth(string(runes[n]))
		if w > width {
			break
		}
		n++
	}
	for i := n; i > n/2 && i < len(runes); i-- {
		if r := runes[i-1]; r == '/' || r == '.' {
			n = i
			break
		}
	}
	return string(runes[:n]), string(runes[n:])
}

// ellipsize marks s as cut short and shortens it until it fits in width.
func ellipsize(pdf *gofpdf.Fpdf, s string, width float64) string {
	runes := []rune(s)
	for len(runes) > 0 && pdf.GetStringWidth(string(runes)+"…") > width {
		runes = runes[:len(runes)-1]
	}
	return strings.TrimRight(string(runes), " ") + "…"
}

// setFont selects a family, style and size in points and returns the line
// height in millimetres that the layouts use for it.
func setFont(pdf *gofpdf.Fpdf, family, style string, size float64) float64 {
	pdf.SetFont(family, style, size)
	return size * ptToMM * 1.2
}
