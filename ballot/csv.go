package ballot

// Import of the roster and the cadre list from CSV, as organisers export
// them from Excel or LibreOffice. The parser is strict on purpose: every
// value that enters here is printed on ballots, hashed into the audit log
// (RosterSet, CadresSet) and written into reports, so a silently mangled
// name cannot be corrected later without a new session. Problems are
// collected and reported together, with line numbers, so that a file can be
// fixed in one pass.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Bounds on an imported file. A real body has at most a few thousand
// members; the bounds refuse a wrong or hostile upload early. They bound
// each line and the row count, not the total: 100,000 lines of 64 KiB is
// 6 GiB, so callers still cap the request body (http.MaxBytesReader).
const (
	maxCSVRows      = 100_000
	maxCSVLineBytes = 64 << 10
	maxCSVErrors    = 20
)

// A csvColumn is one of the fields a file may carry. ignoredColumn marks a
// column with an empty heading: spreadsheets often export trailing empty
// columns, which are harmless as long as they stay empty.
type csvColumn int

const (
	colName csvColumn = iota
	colPosition
	colUnit
	numCSVColumns
	ignoredColumn csvColumn = -1
)

// csvHeadings maps a heading, lower-cased and stripped of diacritics (see
// headingKey), to its column, so "Họ và tên", "HO VA TEN" and "Họ va tên"
// are all the name.
var csvHeadings = map[string]csvColumn{
	"ho va ten": colName, "ho ten": colName, "name": colName, "full name": colName,
	"chuc vu": colPosition, "position": colPosition,
	"don vi": colUnit, "unit": colUnit,
}

// csvLabels gives each column its heading and its English field name, the
// details a problem about a column carries (Args "column" and "field").
var csvLabels = [numCSVColumns]struct{ vi, en string }{
	{"Họ và tên", "name"}, {"Chức vụ", "position"}, {"Đơn vị", "unit"},
}

// csvSpec is what differs between the roster and the cadre list.
type csvSpec struct {
	allowed, required [numCSVColumns]bool
	// list names the kind of file in problems about its columns, so that
	// the CLI can say which columns this kind of file has.
	list string
	// key identifies a row for duplicate detection; dup describes a
	// duplicate found on lines first and line.
	key func(cells *[numCSVColumns]string) string
	dup func(first, line int, cells *[numCSVColumns]string) Problem
}

type csvRow struct {
	line  int
	cells [numCSVColumns]string
}

var rosterSpec = csvSpec{
	allowed:  [numCSVColumns]bool{true, true, true},
	required: [numCSVColumns]bool{true, false, false},
	list:     "roster",
	key:      func(c *[numCSVColumns]string) string { return c[colName] },
	dup: func(first, line int, c *[numCSVColumns]string) Problem {
		return Problem{Line: line, Key: "duplicate_member", Args: Args{"first": first, "name": shorten(c[colName])}}
	},
}

// cadreSpec makes the name and position the key: a cadre may hold several
// posts (DOMAIN.md), and each ballot line is one person in one position.
var cadreSpec = csvSpec{
	allowed:  [numCSVColumns]bool{true, true, false},
	required: [numCSVColumns]bool{true, true, false},
	list:     "cadres",
	key:      func(c *[numCSVColumns]string) string { return c[colName] + "\x00" + c[colPosition] },
	dup: func(first, line int, c *[numCSVColumns]string) Problem {
		return Problem{Line: line, Key: "duplicate_cadre", Args: Args{"first": first, "name": shorten(c[colName]), "position": shorten(c[colPosition])}}
	},
}

// ParseRoster reads a roster of members summoned (người tham gia ghi
// phiếu): a header line naming the columns Họ và tên (required), Chức vụ and
// Đơn vị, then one member per line. Headings may be Vietnamese or English,
// with or without diacritics; the separator is a comma, or a semicolon when
// the header line has semicolons and no commas.
//
// On success every value is trimmed, has its internal whitespace collapsed,
// is in Unicode NFC, contains no control or invisible characters and does
// not start with = + - or @; every name is non-empty and no name appears
// twice. Otherwise the error is an *Error with Code EInvalid and Key
// "csv_invalid" listing up to 20 problems by line number, and no member is
// returned. An error reading r is returned wrapped, with another code.
func ParseRoster(r io.Reader) ([]Member, error) {
	rows, err := parseCSV(r, &rosterSpec)
	if err != nil {
		return nil, err
	}
	members := make([]Member, len(rows))
	for i, row := range rows {
		members[i] = Member{Name: row.cells[colName], Position: row.cells[colPosition], Unit: row.cells[colUnit]}
	}
	return members, nil
}

// ParseCadres reads the cadres to be rated, in ballot order, assigning IDs
// "c1", "c2", … . The file has the columns Họ và tên and Chức vụ, both
// required in every row; the same person may appear in several positions,
// but the same name and position only once. Values are cleaned and errors
// reported as for ParseRoster.
func ParseCadres(r io.Reader) ([]Cadre, error) {
	rows, err := parseCSV(r, &cadreSpec)
	if err != nil {
		return nil, err
	}
	cadres := make([]Cadre, len(rows))
	for i, row := range rows {
		cadres[i] = Cadre{ID: fmt.Sprintf("c%d", i+1), Name: row.cells[colName], Position: row.cells[colPosition]}
	}
	return cadres, nil
}

// csvParser holds the state of one import.
type csvParser struct {
	spec     *csvSpec
	errs     csvErrors
	sep      byte        // CSV separator, 0 until the header line is read
	headed   bool        // the header line has been read
	cols     []csvColumn // file column → field
	heads    []string    // file column → heading as written, for messages
	rows     []csvRow
	seen     map[string]int // duplicate key → first line
	dataRows int            // data rows seen, valid or not
}

// parseCSV reads a whole file and returns its rows only if it has no
// problem at all: a partly imported roster would silently drop voters. A
// file that is an Excel workbook by its content, whatever its name, is read
// by parseXLSX with the same rules.
func parseCSV(r io.Reader, spec *csvSpec) ([]csvRow, error) {
	br := bufio.NewReader(r)
	if done, rows, err := sniffWorkbook(br, spec); done {
		return rows, err
	}
	p := &csvParser{spec: spec, seen: map[string]int{}}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 4096), maxCSVLineBytes+2) // room for CRLF
	sc.Split(scanCSVLines)
	line := 0
	more := true
	for more && sc.Scan() {
		line++
		text := sc.Bytes()
		if line == 1 {
			// Excel's "CSV UTF-8" starts with a byte-order mark; it is not
			// part of the first heading.
			text = bytes.TrimPrefix(text, []byte("\uFEFF"))
		}
		more = p.line(line, text)
	}
	if err := sc.Err(); err != nil {
		if !errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("failed to read CSV: %w", err)
		}
		p.lineTooLong(line + 1)
	}
	return p.finish()
}

// finish checks the file as a whole and returns its rows if it has no
// problem at all.
func (p *csvParser) finish() ([]csvRow, error) {
	if p.errs.empty() {
		switch {
		case !p.headed:
			p.errs.add(Problem{Key: "file_empty"})
		case p.dataRows == 0:
			p.errs.add(Problem{Key: "no_rows"})
		}
	}
	if err := p.errs.err(); err != nil {
		return nil, err
	}
	return p.rows, nil
}

// line handles one physical line; it reports whether to read on.
func (p *csvParser) line(n int, text []byte) bool {
	if len(text) > maxCSVLineBytes {
		p.lineTooLong(n)
		return false
	}
	if !utf8.Valid(text) {
		// One report is enough: the whole file is in another encoding,
		// typically Windows-1258 or Latin-1 from Excel's plain "CSV".
		p.errs.add(Problem{Line: n, Key: "not_utf8"})
		return false
	}
	sep := p.sep
	if sep == 0 {
		sep = ','
		if bytes.IndexByte(text, ';') >= 0 && bytes.IndexByte(text, ',') < 0 {
			sep = ';' // Excel in locales where the comma is the decimal mark
		}
	}
	cells, problem := splitCSVLine(string(text), sep)
	if problem != "" {
		more := p.errs.add(Problem{Line: n, Key: problem})
		return more && p.headed // without a header nothing after it can be read
	}
	if !p.headed && !blankRow(cells) {
		p.sep = sep
	}
	return p.cells(n, cells)
}

// blankRow reports whether every cell is empty or white space.
func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cells handles the cells of line or row n, whatever the file format: the
// first row that is not blank is the header. It reports whether to read on.
func (p *csvParser) cells(n int, cells []string) bool {
	if blankRow(cells) {
		return true
	}
	if !p.headed {
		p.headed = true
		return p.header(n, cells)
	}
	p.dataRows++
	if p.dataRows > maxCSVRows {
		p.errs.add(Problem{Line: n, Key: "too_many_rows", Args: Args{"max": maxCSVRows}})
		return false
	}
	return p.row(n, cells)
}

// header reads the header line. A file whose header is wrong is not read
// further: its rows cannot be understood.
func (p *csvParser) header(n int, cells []string) bool {
	var at [numCSVColumns]int // 1-based file column of each field, 0 if absent
	p.cols = make([]csvColumn, len(cells))
	p.heads = make([]string, len(cells))
	ok := true
	for i, c := range cells {
		h := cleanCell(c)
		p.heads[i] = h
		p.cols[i] = ignoredColumn
		if h == "" {
			continue
		}
		col, known := csvHeadings[headingKey(h)]
		switch {
		case !known || !p.spec.allowed[col]:
			ok = false
			p.errs.add(Problem{Line: n, Key: "unknown_column", Args: Args{"heading": shorten(h), "list": p.spec.list}})
		case at[col] != 0:
			ok = false
			p.errs.add(Problem{Line: n, Key: "column_twice", Args: Args{"column": csvLabels[col].vi, "first": at[col], "second": i + 1}})
		default:
			at[col] = i + 1
			p.cols[i] = col
		}
	}
	for col := range numCSVColumns {
		if p.spec.required[col] && at[col] == 0 {
			ok = false
			p.errs.add(Problem{Line: n, Key: "missing_column", Args: Args{"column": csvLabels[col].vi, "field": csvLabels[col].en, "list": p.spec.list}})
		}
	}
	return ok
}

// row checks one data row and keeps it if it is sound.
func (p *csvParser) row(n int, cells []string) bool {
	if len(cells) != len(p.cols) {
		variant := "more"
		if len(cells) < len(p.cols) {
			variant = "fewer"
		}
		return p.errs.add(Problem{Line: n, Key: "column_count", Args: Args{"variant": variant, "want": len(p.cols), "found": len(cells)}})
	}
	row := csvRow{line: n}
	var bad [numCSVColumns]bool
	ok := true
	for i, c := range cells {
		v, col, head := cleanCell(c), p.cols[i], p.heads[i]
		if v == "" {
			continue
		}
		if col == ignoredColumn {
			ok = false
			if !p.errs.add(Problem{Line: n, Key: "cell_no_heading", Args: Args{"column": i + 1}}) {
				return false
			}
			continue
		}
		if r, found := invisibleRune(v); found {
			ok, bad[col] = false, true
			if !p.errs.add(Problem{Line: n, Key: "cell_invisible", Args: Args{"cell": shorten(head), "char": fmt.Sprintf("U+%04X", r)}}) {
				return false
			}
			continue
		}
		// Rejected rather than stored escaped: a name or position never
		// starts with these characters, while every export of the value
		// (CSV, XLSX, minutes) would otherwise have to escape it forever.
		// Keeping them out at the door is an invariant exporters can rely on.
		if strings.IndexByte("=+-@", v[0]) >= 0 {
			ok, bad[col] = false, true
			if !p.errs.add(Problem{Line: n, Key: "cell_formula", Args: Args{"cell": shorten(head), "start": v[:1]}}) {
				return false
			}
			continue
		}
		row.cells[col] = v
	}
	for col := range numCSVColumns {
		if p.spec.required[col] && !bad[col] && row.cells[col] == "" {
			ok = false
			if !p.errs.add(Problem{Line: n, Key: "cell_empty", Args: Args{"column": csvLabels[col].vi, "field": csvLabels[col].en}}) {
				return false
			}
		}
	}
	if !ok {
		return true
	}
	key := p.spec.key(&row.cells)
	if first, dup := p.seen[key]; dup {
		return p.errs.add(p.spec.dup(first, n, &row.cells))
	}
	p.seen[key] = n
	p.rows = append(p.rows, row)
	return true
}

func (p *csvParser) lineTooLong(n int) {
	p.errs.add(Problem{Line: n, Key: "line_too_long", Args: Args{"kib": maxCSVLineBytes >> 10}})
}

// splitCSVLine splits one line into cells (RFC 4180 quoting, within the
// line). A line break inside a quoted cell is reported as an unclosed quote:
// it would be rejected as a control character anyway, and keeping records
// to one line keeps every line number exact.
func splitCSVLine(s string, sep byte) (cells []string, problem string) { // problem is a Problem key
	for {
		if t := strings.TrimLeft(s, " \t"); strings.HasPrefix(t, `"`) {
			var b strings.Builder
			t = t[1:]
			for {
				i := strings.IndexByte(t, '"')
				if i < 0 {
					return nil, "quote_unclosed"
				}
				b.WriteString(t[:i])
				t = t[i+1:]
				if !strings.HasPrefix(t, `"`) {
					break
				}
				b.WriteByte('"')
				t = t[1:]
			}
			cells = append(cells, b.String())
			t = strings.TrimLeft(t, " \t")
			if t == "" {
				return cells, ""
			}
			if t[0] != sep {
				return nil, "quote_trailing"
			}
			s = t[1:]
			continue
		}
		i := strings.IndexByte(s, sep)
		if i < 0 {
			return append(cells, s), ""
		}
		cells = append(cells, s[:i])
		s = s[i+1:]
	}
}

// scanCSVLines is a bufio.SplitFunc for lines ended by LF, CRLF or a lone
// CR (old Mac spreadsheets), without the line ending.
func scanCSVLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		switch {
		case data[i] == '\n':
			return i + 1, data[:i], nil
		case i+1 < len(data) && data[i+1] == '\n':
			return i + 2, data[:i], nil
		case i+1 < len(data) || atEOF:
			return i + 1, data[:i], nil
		}
		return 0, nil, nil // a CR at the end of the buffer: is LF next?
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// cleanCell trims s, collapses runs of Unicode white space (tabs and
// non-breaking spaces included) to one space and normalises to NFC, so
// that the same name typed on two machines is the same string.
func cleanCell(s string) string {
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}

// headingKey lower-cases a heading and removes its diacritics, so that
// headings typed without Vietnamese input still match.
func headingKey(h string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(h)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// invisibleRune returns the first control or format character of s (zero
// width spaces, direction overrides, soft hyphens): they would let two
// different strings print as the same name on a ballot.
func invisibleRune(s string) (rune, bool) {
	for _, r := range s {
		if unicode.In(r, unicode.Cc, unicode.Cf) {
			return r, true
		}
	}
	return 0, false
}

// quoteEN and quoteVI quote a value from the file for a message, replacing
// invisible characters and shortening it so a hostile cell cannot flood or
// disguise the message.
// shorten makes a cell fit in a problem: control and format characters
// become U+FFFD, so that a message never carries them, and it is cut at
// 60 characters.
func shorten(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.In(r, unicode.Cc, unicode.Cf) {
			return utf8.RuneError
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:60]) + "…"
	}
	return s
}

// csvErrors collects the problems of one file, up to maxCSVErrors.
type csvErrors struct {
	problems  []Problem
	truncated bool
}

func (e *csvErrors) empty() bool { return len(e.problems) == 0 }

// add records a problem and reports whether the caller may read on; once
// maxCSVErrors are held a further problem only marks the list truncated.
func (e *csvErrors) add(p Problem) bool {
	if len(e.problems) == maxCSVErrors {
		e.truncated = true
		return false
	}
	e.problems = append(e.problems, p)
	return true
}

// err returns the problems as one "csv_invalid" error; Args["stopped"]
// says after how many problems reading stopped, when it did.
func (e *csvErrors) err() error {
	if e.empty() {
		return nil
	}
	err := &Error{Code: EInvalid, Key: "csv_invalid", Problems: e.problems}
	if e.truncated {
		err.Args = Args{"stopped": maxCSVErrors}
	}
	return err
}
