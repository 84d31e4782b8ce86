package ballot

// Import of the roster and the cadre list straight from an Excel workbook
// (.xlsx), as offices keep them. The rows of the workbook go through the
// same checks as the lines of a CSV file (csvParser.cells), so both formats
// accept and refuse the same values with the same messages; line numbers are
// the spreadsheet's row numbers.
//
// OOXML is read with excelize rather than by hand: shared strings, inline
// strings, number formats and shared formulas are easy to get subtly wrong.
// What the organiser sees in Excel is what is imported, or the file is
// refused:
//
//   - Formula cells are refused, like a CSV cell starting with "=": their
//     cached value may be stale or missing (files written by programs that
//     do not calculate), and the content would depend on cells or sheets
//     nobody looks at. The hint says to paste them as values.
//   - Only visible sheets count. The list is read from the one visible
//     sheet; hidden sheets (drafts, lookups) are ignored, and a workbook
//     with several visible sheets is refused naming them, because which one
//     is the list is a guess we do not make.
//   - Hidden rows (filtered out or hidden by hand) and hidden columns that
//     hold a value are refused: importing them would add people the
//     organiser did not see.
//   - Merged cells that hold a value are refused: Excel shows the value
//     across the range but stores it in its first cell only, so the other
//     rows would silently have an empty cell.
//   - Numbers and dates are taken as Excel shows them (number format
//     applied), so a unit code formatted "00123" stays "00123".

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Bounds on a workbook. A roster of a few thousand members is some hundred
// KiB compressed and a few MiB unpacked; the bounds refuse a zip bomb before
// it is unpacked (archive/zip also refuses an entry that unpacks to more
// than its header declares). maxXLSXUnzipped is also excelize's XML memory
// limit, so a worksheet is never unpacked into a temporary file: member
// names stay off the disk.
const (
	maxXLSXBytes    = 8 << 20
	maxXLSXUnzipped = 32 << 20
)

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts the old binary .xls and password-protected workbooks.
	oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
)

// sniffWorkbook looks at the first bytes of br and, when they are those of
// a workbook, reads it as one; done is false for anything else, which is
// left unread for the CSV reader. The content decides, not the file name, so
// a CSV file named .xlsx is still read as CSV.
func sniffWorkbook(br *bufio.Reader, spec *csvSpec) (done bool, rows []csvRow, err error) {
	head, err := br.Peek(len(oleMagic))
	if err != nil && !errors.Is(err, io.EOF) {
		// Peek hands the read error over; the CSV reader would not see it.
		return true, nil, fmt.Errorf("failed to read the file: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, zipMagic):
		rows, err := parseXLSX(br, spec)
		return true, rows, err
	case bytes.Equal(head, oleMagic):
		var errs csvErrors
		errs.add(Problem{Key: "xlsx_old_format"})
		return true, nil, errs.err()
	}
	return false, nil, nil
}

// parseXLSX reads a workbook from r and returns the rows of its visible
// sheet under the rules of parseCSV.
func parseXLSX(r io.Reader, spec *csvSpec) ([]csvRow, error) {
	p := &csvParser{spec: spec, seen: map[string]int{}}
	data, err := io.ReadAll(io.LimitReader(r, maxXLSXBytes+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read the workbook: %w", err)
	}
	if len(data) > maxXLSXBytes {
		p.errs.add(Problem{Key: "xlsx_too_large", Args: Args{"mib": maxXLSXBytes >> 20}})
		return nil, p.errs.err()
	}
	if !p.checkZip(data) {
		return nil, p.errs.err()
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: maxXLSXUnzipped, UnzipXMLSizeLimit: maxXLSXUnzipped,
	})
	if err != nil {
		p.notWorkbook()
		return nil, p.errs.err()
	}
	defer f.Close()
	sheet, first, ok := p.pickSheet(f)
	if !ok {
		return nil, p.errs.err()
	}
	if !p.readSheet(f, sheet) {
		// The sheet is damaged; what was read so far proves nothing.
		return nil, p.errs.err()
	}
	rows, err := p.finish()
	if err != nil && !first {
		// Row numbers alone would point into the first tab the organiser
		// sees, which is not the list.
		var e *Error
		if errors.As(err, &e) {
			if e.Args == nil {
				e.Args = Args{}
			}
			e.Args["sheet"] = sheet
		}
	}
	return rows, err
}

// checkZip refuses a zip whose entries declare more than maxXLSXUnzipped in
// all, before anything is unpacked; excelize enforces the same limit, but
// this gives the organiser a message that says what is wrong.
func (p *csvParser) checkZip(data []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		p.notWorkbook()
		return false
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxXLSXUnzipped {
			p.errs.add(Problem{Key: "xlsx_unpacks_too_large", Args: Args{"mib": maxXLSXUnzipped >> 20}})
			return false
		}
	}
	return true
}

func (p *csvParser) notWorkbook() {
	p.errs.add(Problem{Key: "xlsx_not_workbook"})
}

// pickSheet returns the one visible sheet and whether it is the workbook's
// first sheet.
func (p *csvParser) pickSheet(f *excelize.File) (sheet string, first, ok bool) {
	all := f.GetSheetList()
	var visible []string
	for _, name := range all {
		if v, err := f.GetSheetVisible(name); err == nil && v {
			visible = append(visible, name)
		}
	}
	switch len(visible) {
	case 1:
		return visible[0], visible[0] == all[0], true
	case 0:
		if len(all) == 0 {
			p.notWorkbook()
			return "", false, false
		}
		p.errs.add(Problem{Key: "xlsx_no_visible_sheet"})
		return "", false, false
	}
	vi, en := make([]string, len(visible)), make([]string, len(visible))
	for i, name := range visible {
		vi[i], en[i] = quoteVI(name), quoteEN(name)
	}
	p.errs.add(Problem{Key: "xlsx_visible_sheets", Args: Args{"count": len(visible),
		"sheets_vi": strings.Join(vi, ", "), "sheets_en": strings.Join(en, ", ")}})
	return "", false, false
}

// readSheet streams the rows of sheet into the parser. It reports false if
// the sheet could not be read to its end.
func (p *csvParser) readSheet(f *excelize.File, sheet string) bool {
	// The iterator first: opened after the worksheet is loaded (by the
	// merged cells, the formulas and the hidden columns), excelize would
	// serialise the loaded sheet again to stream it.
	rows, err := f.Rows(sheet)
	if err != nil {
		p.notWorkbook()
		return false
	}
	defer rows.Close()
	merged, err := f.GetMergeCells(sheet)
	if err != nil {
		p.notWorkbook()
		return false
	}
	for _, m := range merged {
		if m.GetCellValue() == "" {
			continue // an empty merged area reads as empty cells, as it shows
		}
		_, n, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
		ref := m.GetStartAxis() + ":" + m.GetEndAxis()
		if !p.errs.add(Problem{Line: n, Key: "xlsx_merged", Args: Args{"cells": ref}}) {
			return true
		}
	}
	hiddenCol := map[int]colState{}
	n := 0 // Next visits every row number in turn, empty rows included
	for rows.Next() {
		n++
		cells, err := rows.Columns()
		if err != nil {
			p.notWorkbook()
			return false
		}
		if !p.sheetRow(f, sheet, n, cells, rows.GetRowOpts().Hidden, hiddenCol) {
			return true
		}
	}
	if rows.Error() != nil {
		p.notWorkbook()
		return false
	}
	return true
}

// colState caches whether a column is hidden, and whether that was
// reported already.
type colState int8

const (
	colVisible colState = iota
	colHidden
	colHiddenReported
)

// sheetRow checks what only a workbook can hide in row n, then hands its
// cells to the shared checks. It reports whether to read on.
func (p *csvParser) sheetRow(f *excelize.File, sheet string, n int, cells []string, hidden bool, hiddenCol map[int]colState) bool {
	ok := true
	for i, v := range cells {
		ref, _ := excelize.CoordinatesToCellName(i+1, n)
		if formula, _ := f.GetCellFormula(sheet, ref); formula != "" {
			ok = false
			if !p.errs.add(Problem{Line: n, Key: "xlsx_formula", Args: Args{"cell": ref, "formula": shorten("=" + formula)}}) {
				return false
			}
			continue
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		state, known := hiddenCol[i]
		if !known {
			state = colVisible
			if visible, err := f.GetColVisible(sheet, col); err == nil && !visible {
				state = colHidden
			}
		}
		if state != colVisible {
			ok = false
		}
		hiddenCol[i] = state
		if state == colHidden {
			// Once per column: every cell of a hidden column would flood
			// the list of problems.
			hiddenCol[i] = colHiddenReported
			if !p.errs.add(Problem{Line: n, Key: "xlsx_hidden_column", Args: Args{"column": col, "cell": ref}}) {
				return false
			}
		}
	}
	if hidden && !blankRow(cells) {
		ok = false
		if !p.errs.add(Problem{Line: n, Key: "xlsx_hidden_row"}) {
			return false
		}
	}
	if !ok {
		// The row is not read: its problems are reported, and its values
		// must not count as seen names for the duplicate check.
		return true
	}
	// Excel stores no trailing empty cells; the shared checks expect one
	// cell per column of the header, as a CSV line has.
	for len(cells) < len(p.cols) {
		cells = append(cells, "")
	}
	return p.cells(n, cells)
}

// quoteVI and quoteEN quote a sheet's name, shortened, as each language
// quotes a name in a sentence.
func quoteVI(s string) string { return "“" + shorten(s) + "”" }
func quoteEN(s string) string { return "'" + shorten(s) + "'" }
