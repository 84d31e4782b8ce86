package tally

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// utf8BOM makes Excel read the file as UTF-8; without it Vietnamese
// diacritics come out as mojibake.
const utf8BOM = "\uFEFF"

// CSVHeader is the header row WriteCSV writes for a rating, in Vietnamese,
// one column per field of the per-cadre count of DOMAIN.md; CSVHeaderFor
// gives the row of any rule set.
var CSVHeader = CSVHeaderFor(QD96)

// CSVHeaderFor returns the header row WriteCSV writes under r: every column
// has its own heading (a percentage column names its level), the
// denominator the percentages are taken of has a column named after what
// it counts, and a formal vote has two option columns instead of three.
func CSVHeaderFor(r Rules) []string {
	h := []string{
		"STT", "Họ và tên", "Chức vụ",
		"Phiếu phát ra", "Phiếu thu về", "Phiếu hợp lệ", "Phiếu không hợp lệ",
		"Số tính tỷ lệ (" + r.DenominatorVietnamese() + ")",
	}
	for _, l := range LevelsOf(r) {
		name := l.VietnameseUnder(r)
		h = append(h, name, "% "+name)
	}
	return append(h, "Kết luận")
}

// WriteCSV writes r as results.csv for spreadsheets: UTF-8 with a byte-order
// mark, CRLF line ends, the CSVHeaderFor(r.Rules) row, then one row per
// cadre in ballot order, with the denominator and percentages of r.Denominator in Vietnamese form ("40,43") and
// the condition's Vietnamese sentence as Kết luận. Every cell that a
// spreadsheet would run as a formula (one beginning with = + - @, a tab or a
// carriage return) is written with a leading apostrophe, so a cadre named
// "=HYPERLINK(…)" is shown, never executed. It refuses a Result that fails
// Check, so it never prints figures that contradict each other.
func WriteCSV(w io.Writer, r Result) error {
	if err := r.Check(); err != nil {
		return fmt.Errorf("failed to check result: %w", err)
	}
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("failed to write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := CSVHeaderFor(r.Rules)
	row := make([]string, len(header))
	for i, h := range header {
		row[i] = safeCell(h)
	}
	if err := cw.Write(row); err != nil {
		return fmt.Errorf("failed to write csv: %w", err)
	}
	for i, cr := range r.Cadres {
		row = append(row[:0],
			strconv.Itoa(i+1), cr.Cadre.Name, cr.Cadre.Position,
			strconv.Itoa(r.Issued), strconv.Itoa(r.Collected),
			strconv.Itoa(cr.Valid), strconv.Itoa(cr.Invalid), strconv.Itoa(r.Denominator),
		)
		for _, l := range LevelsOf(r.Rules) {
			row = append(row, strconv.Itoa(cr.Counts[l]), cr.Percent[l].Vietnamese())
		}
		row = append(row, cr.Condition.Vietnamese(r.Rules))
		for k := range row {
			row[k] = safeCell(row[k])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("failed to write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("failed to write csv: %w", err)
	}
	return nil
}

// safeCell neutralises spreadsheet formula injection (OWASP "CSV
// injection"): a leading apostrophe makes Excel and LibreOffice show the
// cell as text. Figures never start with these characters, so only names,
// positions and texts are ever changed.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// jsonResult is the readable form WriteJSON writes: every field of Result
// under the same name, so it decodes back into a Result, plus text fields
// for people that the decoder ignores.
type jsonResult struct {
	Format           string      `json:"format"`
	Rules            Rules       `json:"rules"`
	RulesTitle       string      `json:"rules_title"`
	Members          int         `json:"members"`
	Issued           int         `json:"issued"`
	Collected        int         `json:"collected"`
	Denominator      int         `json:"denominator"`
	DenominatorText  string      `json:"denominator_text"`
	Levels           [3]string   `json:"levels"`
	LevelsVietnamese [3]string   `json:"levels_vi"`
	Cadres           []jsonCadre `json:"cadres"`
}

type jsonCadre struct {
	Cadre         Cadre      `json:"cadre"`
	Valid         int        `json:"valid"`
	Invalid       int        `json:"invalid"`
	Counts        [3]int     `json:"counts"`
	Percent       [3]Percent `json:"percent_hundredths"`
	PercentText   [3]string  `json:"percent_text"`
	Condition     Condition  `json:"condition"`
	Article       string     `json:"article"`
	ConditionText string     `json:"condition_text"`
	ConditionEn   string     `json:"condition_text_en"`
}

// JSONFormat is the first field of WriteJSON's output, naming the format and
// its version.
const JSONFormat = "tinnhiem-tally/v1"

// WriteJSON writes r as indented UTF-8 JSON for people and programs. It holds
// every field of Result under its usual name, so json.Unmarshal into a
// Result gives back r exactly, and adds for readers: "format"
// (JSONFormat), the regulation's title, what the denominator counts, the
// level codes and names that index "counts" (a formal vote leaves the
// first slot, high confidence, empty and 0), and per cadre "percent_text"
// (e.g. ["40.43","4.26","53.19"]), the article and the condition's sentence
// in Vietnamese and English. Like WriteCSV it refuses a Result that fails
// Check.
func WriteJSON(w io.Writer, r Result) error {
	if err := r.Check(); err != nil {
		return fmt.Errorf("failed to check result: %w", err)
	}
	out := jsonResult{
		Format:          JSONFormat,
		Rules:           r.Rules,
		RulesTitle:      r.Rules.Title(),
		Members:         r.Members,
		Issued:          r.Issued,
		Collected:       r.Collected,
		Denominator:     r.Denominator,
		DenominatorText: r.Rules.DenominatorVietnamese(),
		Cadres:          make([]jsonCadre, len(r.Cadres)),
	}
	for _, l := range LevelsOf(r.Rules) {
		out.Levels[l] = l.CodeUnder(r.Rules)
		out.LevelsVietnamese[l] = l.VietnameseUnder(r.Rules)
	}
	for i, cr := range r.Cadres {
		jc := jsonCadre{
			Cadre:         cr.Cadre,
			Valid:         cr.Valid,
			Invalid:       cr.Invalid,
			Counts:        cr.Counts,
			Percent:       cr.Percent,
			Condition:     cr.Condition,
			Article:       cr.Condition.Article(r.Rules),
			ConditionText: cr.Condition.Vietnamese(r.Rules),
			ConditionEn:   cr.Condition.English(r.Rules),
		}
		for l, p := range cr.Percent {
			jc.PercentText[l] = p.String()
		}
		out.Cadres[i] = jc
	}
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false) // positions may hold "&"; people read this file
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("failed to encode json: %w", err)
	}
	var pretty bytes.Buffer
	indentJSON(&pretty, bytes.TrimSuffix(compact.Bytes(), []byte("\n")))
	if _, err := w.Write(pretty.Bytes()); err != nil {
		return fmt.Errorf("failed to write json: %w", err)
	}
	return nil
}

// indentJSON re-indents compact JSON as json.Indent does with two spaces,
// except that an array holding no object or array stays on one line, so
// "counts": [19, 2, 25] reads as one set of figures rather than a column.
// src must be valid compact JSON, as encoding/json writes it.
func indentJSON(dst *bytes.Buffer, src []byte) {
	depth := 0
	newline := func() {
		dst.WriteByte('\n')
		for range depth {
			dst.WriteString("  ")
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			j := stringEnd(src, i)
			dst.Write(src[i:j])
			i = j - 1
		case '{', '[':
			if src[i+1] == '}' || src[i+1] == ']' {
				dst.Write(src[i : i+2])
				i++
				continue
			}
			if c == '[' {
				if end, ok := flatArrayEnd(src, i); ok {
					writeFlatArray(dst, src[i:end])
					i = end - 1
					continue
				}
			}
			dst.WriteByte(c)
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst.WriteByte(c)
		case ',':
			dst.WriteByte(',')
			newline()
		case ':':
			dst.WriteString(": ")
		default:
			dst.WriteByte(c)
		}
	}
	dst.WriteByte('\n')
}

// stringEnd returns the index just past the JSON string starting at src[i].
func stringEnd(src []byte, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(src)
}

// flatArrayEnd returns the index just past the array starting at src[i] and
// whether it holds only scalars.
func flatArrayEnd(src []byte, i int) (int, bool) {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '"':
			j = stringEnd(src, j) - 1
		case '{', '[':
			return 0, false
		case ']':
			return j + 1, true
		}
	}
	return 0, false
}

// writeFlatArray writes a compact scalar array with ", " between elements.
func writeFlatArray(dst *bytes.Buffer, arr []byte) {
	for i := 0; i < len(arr); i++ {
		switch arr[i] {
		case '"':
			j := stringEnd(arr, i)
			dst.Write(arr[i:j])
			i = j - 1
		case ',':
			dst.WriteString(", ")
		default:
			dst.WriteByte(arr[i])
		}
	}
}
