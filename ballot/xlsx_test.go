package ballot_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tinnhiem/ballot"
)

// xlsxFixtures holds the workbook fixtures, described in its README.md.
// They are committed, so that tests do not depend on the generator's
// output staying byte for byte the same; go test ./ballot -run
// TestXLSXFixtures -update writes them again.
const xlsxFixtures = "../testdata/xlsx"

var update = flag.Bool("update", false, "write the xlsx fixtures in testdata/xlsx again")

func xlsxFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(xlsxFixtures, name))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

// csvRecords reads a CSV fixture with the standard library's reader, so the
// workbooks are not built by the code they test.
func csvRecords(t *testing.T, name string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(fixture(t, name))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sheetWith writes records from A1 down on sheet.
func sheetWith(t *testing.T, f *excelize.File, sheet string, recs [][]string) {
	t.Helper()
	for i, rec := range recs {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(t, f.SetSheetRow(sheet, cell, &rec))
	}
}

func book(t *testing.T, recs [][]string) *excelize.File {
	t.Helper()
	f := excelize.NewFile()
	must(t, f.SetSheetName("Sheet1", "Danh sách"))
	sheetWith(t, f, "Danh sách", recs)
	return f
}

// xlsxFixtureFiles builds every workbook fixture.
func xlsxFixtureFiles(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	save := func(name string, f *excelize.File) {
		b, err := f.WriteToBuffer()
		must(t, err)
		out[name] = b.Bytes()
	}
	members := csvRecords(t, "members-15.csv")
	save("members-15.xlsx", book(t, members))
	save("cadres-5.xlsx", book(t, csvRecords(t, "cadres-5.csv")))

	// Cells as offices fill them: a numeric unit code shown with leading
	// zeros, a date shown as a date, empty cells in the middle and at the
	// end, styled empty cells to the right and empty rows at the end.
	f := book(t, [][]string{{"Họ và tên", "Chức vụ", "Đơn vị"}})
	code, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("00000")})
	must(t, err)
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(t, err)
	must(t, f.SetCellStr("Danh sách", "A2", "Tạ Quang Vinh"))
	must(t, f.SetCellStr("Danh sách", "B2", "Bí thư Huyện ủy"))
	must(t, f.SetCellInt("Danh sách", "C2", 123))
	must(t, f.SetCellStyle("Danh sách", "C2", "C2", code))
	must(t, f.SetCellStr("Danh sách", "A3", "Mai Thị Thanh Thủy"))
	must(t, f.SetCellStr("Danh sách", "C3", "Huyện ủy Phước Lâm"))
	must(t, f.SetCellStr("Danh sách", "A4", "Kiều Đức Thịnh"))
	must(t, f.SetCellInt("Danh sách", "B4", 45658)) // 2025-01-01
	must(t, f.SetCellStyle("Danh sách", "B4", "B4", date))
	must(t, f.SetCellStr("Danh sách", "A5", "  Lã Thị   Kim Oanh "))
	must(t, f.SetCellStyle("Danh sách", "D1", "F9", code))
	save("members-cells.xlsx", f)

	// The list on the second sheet; the first, a hidden draft, has other
	// people who must not be imported.
	f = excelize.NewFile()
	must(t, f.SetSheetName("Sheet1", "Nháp"))
	sheetWith(t, f, "Nháp", [][]string{{"Họ và tên"}, {"Doãn Thị Yến"}, {"Khổng Minh Triết"}})
	idx, err := f.NewSheet("Danh sách")
	must(t, err)
	sheetWith(t, f, "Danh sách", members[:3])
	f.SetActiveSheet(idx)
	must(t, f.SetSheetVisible("Nháp", false))
	save("members-hidden-sheet.xlsx", f)

	// The same, but with a duplicate row: the message must name the sheet.
	f = excelize.NewFile()
	must(t, f.SetSheetName("Sheet1", "Nháp"))
	sheetWith(t, f, "Nháp", [][]string{{"Họ và tên"}, {"Doãn Thị Yến"}})
	idx, err = f.NewSheet("Danh sách")
	must(t, err)
	sheetWith(t, f, "Danh sách", csvRecords(t, "bad-duplicate-row.csv"))
	f.SetActiveSheet(idx)
	must(t, f.SetSheetVisible("Nháp", false))
	save("bad-duplicate-row.xlsx", f)

	f = book(t, members[:3])
	_, err = f.NewSheet("Khách mời")
	must(t, err)
	sheetWith(t, f, "Khách mời", [][]string{{"Họ và tên"}, {"Doãn Thị Yến"}})
	save("bad-two-sheets.xlsx", f)

	// A formula computed by Excel, and a formula typed as text.
	f = book(t, [][]string{{"Họ và tên", "Chức vụ", "Đơn vị"}, {"Tạ Quang Vinh", "Bí thư Huyện ủy"}})
	must(t, f.SetCellFormula("Danh sách", "C2", `"Huyện ủy "&"Phước Lâm"`))
	must(t, f.SetCellStr("Danh sách", "A3", `=HYPERLINK("http://example.invalid/x","Mai Thị Thanh Thủy")`))
	must(t, f.SetCellStr("Danh sách", "B3", "Phó Bí thư Thường trực Huyện ủy"))
	save("bad-formula.xlsx", f)

	save("bad-missing-column.xlsx", book(t, [][]string{{"Chức vụ", "Đơn vị"}, {"Bí thư Huyện ủy", "Huyện ủy Phước Lâm"}}))

	f = book(t, members[:4])
	must(t, f.SetRowVisible("Danh sách", 3, false))
	save("bad-hidden-row.xlsx", f)

	f = book(t, members[:4])
	must(t, f.SetColVisible("Danh sách", "C", false))
	save("bad-hidden-column.xlsx", f)

	f = book(t, members[:3])
	must(t, f.SetCellStr("Danh sách", "C3", ""))
	must(t, f.MergeCell("Danh sách", "C2", "C3"))
	save("bad-merged.xlsx", f)

	// A zip that is not a workbook (a zipped CSV), and one whose single
	// entry unpacks to 33 MiB (a zip bomb, 33 KiB compressed).
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("members-15.csv")
	must(t, err)
	_, err = w.Write(fixture(t, "members-15.csv"))
	must(t, err)
	must(t, zw.Close())
	out["bad-not-xlsx.xlsx"] = bytes.Clone(b.Bytes())
	b.Reset()
	zw = zip.NewWriter(&b)
	w, err = zw.Create("xl/worksheets/sheet1.xml")
	must(t, err)
	_, err = w.Write(bytes.Repeat([]byte(" "), 33<<20))
	must(t, err)
	must(t, zw.Close())
	out["bad-zip-bomb.xlsx"] = bytes.Clone(b.Bytes())

	// A CSV file that was given the name of a workbook.
	out["members-csv-named.xlsx"] = fixture(t, "cadres-5.csv")
	return out
}

func ptr[T any](v T) *T { return &v }

// TestXLSXFixtures checks that every fixture is committed and, with
// -update, writes them.
func TestXLSXFixtures(t *testing.T) {
	files := xlsxFixtureFiles(t)
	for name, b := range files {
		path := filepath.Join(xlsxFixtures, name)
		if *update {
			must(t, os.WriteFile(path, b, 0o644))
			continue
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("fixture %s is missing; run go test ./ballot -run TestXLSXFixtures -update", name)
		}
	}
}

func TestParseRosterXLSX(t *testing.T) {
	m := func(name, pos, unit string) ballot.Member {
		return ballot.Member{Name: name, Position: pos, Unit: unit}
	}
	tests := []struct {
		file   string
		want   []ballot.Member // checked in full when wantN is 0
		wantN  int
		wantEN []string // error expected when set
		wantVI []string
	}{
		{file: "members-15.xlsx", wantN: 15},
		{file: "members-cells.xlsx", want: []ballot.Member{
			m("Tạ Quang Vinh", "Bí thư Huyện ủy", "00123"),
			m("Mai Thị Thanh Thủy", "", "Huyện ủy Phước Lâm"),
			m("Kiều Đức Thịnh", "01-01-25", ""),
			m("Lã Thị Kim Oanh", "", ""),
		}},
		{file: "members-hidden-sheet.xlsx", want: []ballot.Member{
			m("Tạ Quang Vinh", "Bí thư Huyện ủy", "Huyện ủy Phước Lâm"),
			m("Mai Thị Thanh Thủy", "Phó Bí thư Thường trực Huyện ủy", "Huyện ủy Phước Lâm"),
		}},
		{file: "bad-duplicate-row.xlsx",
			wantEN: []string{"sheet 'Danh sách': lines 2 and 3: 'Quách Thị Diệu Hiền' appears twice"},
			wantVI: []string{"Trang tính “Danh sách”: Dòng 2 và 3"}},
		{file: "bad-two-sheets.xlsx",
			wantEN: []string{"2 visible sheets ('Danh sách', 'Khách mời')"},
			wantVI: []string{"Sổ tính có 2 trang tính đang hiện (“Danh sách”, “Khách mời”)"}},
		{file: "bad-formula.xlsx",
			wantEN: []string{"line 2: cell C2 holds a formula", "formulas are not allowed",
				"line 3: the 'Họ và tên' cell starts with \"=\"; formulas are not allowed"},
			wantVI: []string{"Dòng 2: ô C2 chứa công thức", "Dòng 3: ô “Họ và tên” bắt đầu bằng “=”"}},
		{file: "bad-missing-column.xlsx",
			wantEN: []string{"line 1: missing column 'Họ và tên' (name)"}, wantVI: []string{"Dòng 1: thiếu cột “Họ và tên”."}},
		{file: "bad-hidden-row.xlsx",
			wantEN: []string{"line 3: the row is hidden or filtered out"}, wantVI: []string{"Dòng 3: dòng này đang bị ẩn"}},
		{file: "bad-hidden-column.xlsx",
			wantEN: []string{"line 1: column C is hidden but holds values (first in cell C1)"},
			wantVI: []string{"Dòng 1: cột C đang bị ẩn nhưng có dữ liệu (đầu tiên ở ô C1)."}},
		{file: "bad-merged.xlsx",
			wantEN: []string{"line 2: cells C2:C3 are merged"}, wantVI: []string{"Dòng 2: các ô C2:C3 được gộp"}},
		{file: "bad-not-xlsx.xlsx",
			wantEN: []string{"not an Excel workbook (.xlsx)"}, wantVI: []string{"không phải sổ tính Excel"}},
		{file: "bad-zip-bomb.xlsx",
			wantEN: []string{"the workbook unpacks to more than 32 MiB"}, wantVI: []string{"lớn hơn 32 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ballot.ParseRoster(bytes.NewReader(xlsxFixture(t, tt.file)))
			if tt.wantEN != nil {
				if got != nil {
					t.Errorf("got %d members with the error, want nil", len(got))
				}
				checkErr(t, err, tt.wantEN, tt.wantVI)
				return
			}
			if err != nil {
				t.Fatalf("ParseRoster: %v", err)
			}
			if tt.wantN != 0 {
				if len(got) != tt.wantN {
					t.Fatalf("got %d members, want %d", len(got), tt.wantN)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestParseXLSXSameAsCSV checks that a workbook and the CSV file it was
// made from import the same people, in the same order.
func TestParseXLSXSameAsCSV(t *testing.T) {
	wantM, err := ballot.ParseRoster(bytes.NewReader(fixture(t, "members-15.csv")))
	must(t, err)
	gotM, err := ballot.ParseRoster(bytes.NewReader(xlsxFixture(t, "members-15.xlsx")))
	must(t, err)
	if !reflect.DeepEqual(gotM, wantM) {
		t.Errorf("members-15.xlsx: got %+v\nwant %+v", gotM, wantM)
	}
	wantC, err := ballot.ParseCadres(bytes.NewReader(fixture(t, "cadres-5.csv")))
	must(t, err)
	for _, name := range []string{"cadres-5.xlsx", "members-csv-named.xlsx"} {
		gotC, err := ballot.ParseCadres(bytes.NewReader(xlsxFixture(t, name)))
		must(t, err)
		if !reflect.DeepEqual(gotC, wantC) {
			t.Errorf("%s: got %+v\nwant %+v", name, gotC, wantC)
		}
	}
	_, err = ballot.ParseCadres(bytes.NewReader(xlsxFixture(t, "members-15.xlsx")))
	checkErr(t, err, []string{"line 1: unknown column 'Đơn vị'"}, []string{"Dòng 1: không nhận ra cột “Đơn vị”."})
}

func TestParseXLSXOldFormat(t *testing.T) {
	old := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 504)...)
	_, err := ballot.ParseRoster(bytes.NewReader(old))
	checkErr(t, err, []string{"old Excel workbook (.xls)"}, []string{"Excel kiểu cũ (.xls)"})
}

func TestParseXLSXTooLarge(t *testing.T) {
	big := append([]byte("PK\x03\x04"), make([]byte, 8<<20)...)
	_, err := ballot.ParseRoster(bytes.NewReader(big))
	checkErr(t, err, []string{"larger than 8 MiB"}, []string{"lớn hơn 8 MiB"})
}

// TestParseXLSXFixtureSheets guards the fixtures against an editor that
// re-saves them: the cases only prove something while the workbooks are
// built as described.
func TestParseXLSXFixtureSheets(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(xlsxFixture(t, "bad-formula.xlsx")))
	must(t, err)
	defer f.Close()
	if formula, _ := f.GetCellFormula("Danh sách", "C2"); formula == "" {
		t.Error("bad-formula.xlsx: C2 is no longer a formula")
	}
	if formula, _ := f.GetCellFormula("Danh sách", "A3"); formula != "" || !strings.HasPrefix(mustValue(t, f, "A3"), "=") {
		t.Error("bad-formula.xlsx: A3 is no longer text starting with =")
	}
}

func mustValue(t *testing.T, f *excelize.File, cell string) string {
	t.Helper()
	v, err := f.GetCellValue("Danh sách", cell)
	must(t, err)
	return v
}

// FuzzParseRosterXLSX feeds mutated workbooks to the importer: whatever the
// bytes, the result is either members that keep every documented guarantee
// or the import error, never a panic or another kind of error.
func FuzzParseRosterXLSX(f *testing.F) {
	names, err := filepath.Glob(filepath.Join(xlsxFixtures, "*.xlsx"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures in %s: %v", xlsxFixtures, err)
	}
	for _, name := range names {
		if b := xlsxFixture(f, filepath.Base(name)); len(b) < 1<<16 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := ballot.ParseRoster(bytes.NewReader(in))
		if err != nil {
			if got != nil {
				t.Fatalf("got %d members with error %v", len(got), err)
			}
			csvError(t, err)
			return
		}
		seen := map[string]bool{}
		for _, m := range got {
			checkValues(t, m.Name, m.Position, m.Unit)
			if m.Name == "" || seen[m.Name] {
				t.Fatalf("member %+v: empty or duplicate", m)
			}
			seen[m.Name] = true
		}
	})
}

// BenchmarkParseRosterXLSX imports a roster of 5,000 members from a
// workbook, a large Party committee's list.
func BenchmarkParseRosterXLSX(b *testing.B) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"Họ và tên", "Chức vụ", "Đơn vị"}); err != nil {
		b.Fatal(err)
	}
	for i := range 5000 {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{fmt.Sprintf("Nguyễn Văn An %d", i), "Ủy viên Ban Chấp hành", fmt.Sprintf("Chi bộ %d", i%40)}
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ms, err := ballot.ParseRoster(bytes.NewReader(data))
		if err != nil || len(ms) != 5000 {
			b.Fatalf("got %d members, %v", len(ms), err)
		}
	}
}
