package ballot_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/ballot"
	"tinnhiem/internal/msg"
)

// csvFixtures holds the repository's CSV fixtures, described case by case in
// its README.md; the path is relative to this package's directory, where go
// test runs, and stays inside the repository.
const csvFixtures = "../testdata/csv"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(csvFixtures, name))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

// csvError asserts that err is the import error and returns it.
func csvError(t *testing.T, err error) *ballot.Error {
	t.Helper()
	var e *ballot.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *ballot.Error", err, err)
	}
	if _, _, ok := msg.Render(e); e.Code != ballot.EInvalid || e.Key != "csv_invalid" || len(e.Problems) == 0 || !ok {
		t.Fatalf("err = %#v, want Code invalid, Key csv_invalid and problems the catalog can render", e)
	}
	return e
}

// csvSentences renders the import error through the message catalog, as
// the console and the CLI show it.
func csvSentences(t *testing.T, err error) (vi, en string) {
	t.Helper()
	vi, en, _ = msg.Render(csvError(t, err))
	return vi, en
}

// checkErr asserts that err is the import error and that its English and
// Vietnamese sentences contain the wanted fragments.
func checkErr(t *testing.T, err error, wantEN, wantVI []string) {
	t.Helper()
	vi, en := csvSentences(t, err)
	for _, w := range wantEN {
		if !strings.Contains(en, w) {
			t.Errorf("English = %q, want it to contain %q", en, w)
		}
	}
	for _, w := range wantVI {
		if !strings.Contains(vi, w) {
			t.Errorf("Vietnamese = %q, want it to contain %q", vi, w)
		}
	}
}

func TestParseRosterFixtures(t *testing.T) {
	tests := []struct {
		file   string
		want   []ballot.Member // checked in full when wantN is 0
		wantN  int
		wantEN []string // error expected when set
		wantVI []string
	}{
		{file: "members-15.csv", wantN: 15},
		{file: "members-english-header.csv", want: []ballot.Member{
			{Name: "Cao Van Phuc", Position: "Standing Committee member", Unit: "District Party Committee"},
			{Name: "Le Thi Hoa", Position: "Deputy Chair", Unit: "Commune People's Council"},
		}},
		{file: "members-utf8-bom.csv", want: []ballot.Member{
			{Name: "Trương Thị Hạnh", Position: "Phó Chủ tịch Hội đồng nhân dân xã", Unit: "Xã Phước Hưng"}}},
		{file: "members-nfd.csv", want: []ballot.Member{
			{Name: "Hồ Thị Xuân Quỳnh", Position: "Ủy viên", Unit: "Hội đồng nhân dân xã Phước Hưng"}}},
		{file: "bad-missing-column.csv",
			wantEN: []string{"line 2: expected 3 columns, found 2"}, wantVI: []string{"Dòng 2: cần 3 cột nhưng chỉ có 2."}},
		{file: "bad-duplicate-row.csv",
			wantEN: []string{"lines 2 and 3: 'Quách Thị Diệu Hiền' appears twice"}, wantVI: []string{"Dòng 2 và 3"}},
		{file: "bad-formula.csv",
			wantEN: []string{"line 2:", "formulas are not allowed"}, wantVI: []string{"Dòng 2:", "không được dùng công thức"}},
		{file: "bad-not-utf8.csv",
			wantEN: []string{"line 2:", "not UTF-8", "save it as UTF-8", `"CSV UTF-8"`}, wantVI: []string{"Dòng 2:", "UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ballot.ParseRoster(bytes.NewReader(fixture(t, tt.file)))
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
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseRosterMembers15(t *testing.T) {
	got, err := ballot.ParseRoster(bytes.NewReader(fixture(t, "members-15.csv")))
	if err != nil {
		t.Fatal(err)
	}
	first := ballot.Member{Name: "Tạ Quang Vinh", Position: "Bí thư Huyện ủy", Unit: "Huyện ủy Phước Lâm"}
	last := ballot.Member{Name: "Đinh Thị Ánh Nguyệt", Position: "Ủy viên Ban Chấp hành", Unit: "Hội Liên hiệp Phụ nữ huyện"}
	if got[0] != first || got[len(got)-1] != last {
		t.Errorf("first, last = %+v, %+v; want %+v, %+v", got[0], got[len(got)-1], first, last)
	}
}

func TestParseRosterNFD(t *testing.T) {
	raw := fixture(t, "members-nfd.csv")
	if norm.NFC.IsNormal(raw) {
		t.Fatal("fixture members-nfd.csv is already NFC; the test would prove nothing")
	}
	got, err := ballot.ParseRoster(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	const want = "H\u1ed3 Th\u1ecb Xu\u00e2n Qu\u1ef3nh" // NFC, spelled out
	if got[0].Name != want {
		t.Errorf("Name = %+q, want %+q", got[0].Name, want)
	}
	for _, s := range []string{got[0].Name, got[0].Position, got[0].Unit} {
		if !norm.NFC.IsNormalString(s) {
			t.Errorf("%+q is not NFC", s)
		}
	}
}

func TestParseCadresFixture(t *testing.T) {
	got, err := ballot.ParseCadres(bytes.NewReader(fixture(t, "cadres-5.csv")))
	if err != nil {
		t.Fatal(err)
	}
	want := []ballot.Cadre{
		{ID: "c1", Name: "Tạ Quang Vinh", Position: "Bí thư Huyện ủy"},
		{ID: "c2", Name: "Mai Thị Thanh Thủy", Position: "Phó Bí thư Thường trực Huyện ủy"},
		{ID: "c3", Name: "Kiều Đức Thịnh", Position: "Phó Bí thư Huyện ủy, Chủ tịch Ủy ban nhân dân huyện"},
		{ID: "c4", Name: "Lã Thị Kim Oanh", Position: "Ủy viên Ban Thường vụ, Chủ tịch Hội đồng nhân dân huyện"},
		{ID: "c5", Name: "Âu Minh Khôi", Position: "Chủ nhiệm Ủy ban Kiểm tra Huyện ủy"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	for _, c := range got {
		if !norm.NFC.IsNormalString(c.Name) || !norm.NFC.IsNormalString(c.Position) {
			t.Errorf("%+v is not NFC", c)
		}
	}
}

// TestParseCadresWrongFile checks that a roster offered as the cadre list
// is caught by its extra column.
func TestParseCadresWrongFile(t *testing.T) {
	got, err := ballot.ParseCadres(bytes.NewReader(fixture(t, "members-15.csv")))
	if got != nil {
		t.Errorf("got %d cadres, want nil", len(got))
	}
	checkErr(t, err, []string{"line 1: unknown column 'Đơn vị'"}, []string{"Dòng 1: không nhận ra cột “Đơn vị”."})
}

func TestParseRoster(t *testing.T) {
	const h = "Họ và tên,Chức vụ,Đơn vị\n"
	m := func(name, pos, unit string) ballot.Member {
		return ballot.Member{Name: name, Position: pos, Unit: unit}
	}
	tests := []struct {
		name   string
		in     string
		want   []ballot.Member
		wantEN []string // error expected when set
		wantVI []string
	}{
		{name: "semicolon", in: "Họ và tên;Chức vụ;Đơn vị\nNguyễn Văn An;Bí thư, Chủ tịch;Đảng ủy\n",
			want: []ballot.Member{m("Nguyễn Văn An", "Bí thư, Chủ tịch", "Đảng ủy")}},
		{name: "name only", in: "Họ tên\nNguyễn Văn An\n", want: []ballot.Member{m("Nguyễn Văn An", "", "")}},
		{name: "headings in any case, order, with or without diacritics",
			in:   "  ĐƠN  VỊ ,Chuc Vu,Full Name\nĐảng ủy,Bí thư,Nguyễn Văn An\n",
			want: []ballot.Member{m("Nguyễn Văn An", "Bí thư", "Đảng ủy")}},
		{name: "mixed diacritics", in: "Họ va tên,chức vu,don vị\nA,B,C\n", want: []ballot.Member{m("A", "B", "C")}},
		{name: "quotes", in: h + `"Nguyễn Văn ""Tư""","Phó Bí thư, Chủ tịch UBND",  "Xã A"  ` + "\n",
			want: []ballot.Member{m(`Nguyễn Văn "Tư"`, "Phó Bí thư, Chủ tịch UBND", "Xã A")}},
		{name: "whitespace collapsed", in: h + "  Nguyễn \t Văn\u00a0\u00a0An  ,  Bí   thư , \n",
			want: []ballot.Member{m("Nguyễn Văn An", "Bí thư", "")}},
		{name: "CRLF, CR and blank lines", in: "\r\n" + strings.TrimSuffix(h, "\n") + "\r\nA,B,C\r\n\r\n,,\r\n  \rD,E,F\r",
			want: []ballot.Member{m("A", "B", "C"), m("D", "E", "F")}},
		{name: "no final newline", in: h + "A,B,C", want: []ballot.Member{m("A", "B", "C")}},
		{name: "same name differently cased is two people", in: h + "Nguyễn Văn An,,\nNGUYỄN VĂN AN,,\n",
			want: []ballot.Member{m("Nguyễn Văn An", "", ""), m("NGUYỄN VĂN AN", "", "")}},
		{name: "empty trailing column", in: "Họ và tên,Chức vụ,Đơn vị,\nA,B,C,\n", want: []ballot.Member{m("A", "B", "C")}},
		{name: "formula-like character inside a value", in: h + "Nguyễn Văn An,Phó Bí thư - Chủ tịch,Xã A+B\n",
			want: []ballot.Member{m("Nguyễn Văn An", "Phó Bí thư - Chủ tịch", "Xã A+B")}},

		{name: "empty file", in: "", wantEN: []string{"the file is empty"}, wantVI: []string{"Tệp trống"}},
		{name: "BOM and blank lines only", in: "\uFEFF\n \n,,\n", wantEN: []string{"the file is empty"}},
		{name: "header only", in: h + "\n,,\n", wantEN: []string{"header line but no rows"}, wantVI: []string{"không có dòng dữ liệu"}},
		{name: "unknown column", in: "Họ và tên,Chức vụ,Ngày sinh\nA,B,1975\n",
			wantEN: []string{"line 1: unknown column 'Ngày sinh'"}, wantVI: []string{"Dòng 1: không nhận ra cột “Ngày sinh”."}},
		{name: "two unknown columns", in: "STT,Họ và tên,X\n1,A,B\n",
			wantEN: []string{"line 1: unknown column 'STT'; line 1: unknown column 'X'"}},
		{name: "missing name column", in: "Chức vụ,Đơn vị\nA,B\n",
			wantEN: []string{"line 1: missing column 'Họ và tên' (name)"}, wantVI: []string{"Dòng 1: thiếu cột “Họ và tên”."}},
		{name: "column twice", in: "Họ và tên,name\nA,B\n", wantEN: []string{"line 1: column 'Họ và tên' appears twice (columns 1 and 2)"}},
		{name: "too many columns", in: h + "A,B,C,D\n",
			wantEN: []string{"line 2: expected 3 columns, found 4"}, wantVI: []string{"Dòng 2: cần 3 cột nhưng có 4."}},
		{name: "line numbers count blank lines", in: h + "\nA,B,C\n\nD,E\n", wantEN: []string{"line 5: expected 3 columns, found 2"}},
		{name: "value under empty heading", in: "Họ và tên,\nA,B\n", wantEN: []string{"line 2: column 2 has a value but no heading"}},
		{name: "empty name", in: h + " ,Bí thư,Đảng ủy\n",
			wantEN: []string{"line 2: the name is empty"}, wantVI: []string{"Dòng 2: thiếu họ và tên."}},
		{name: "control character", in: h + "Nguyễn\x07Văn An,,\n", wantEN: []string{"line 2: the 'Họ và tên' cell contains a control", "U+0007"}},
		{name: "direction override", in: h + "A,\u202eB,\n", wantEN: []string{"line 2: the 'Chức vụ' cell", "U+202E"}},
		{name: "zero width space", in: h + "Nguyễn Văn\u200bAn,,\n", wantEN: []string{"U+200B"}},
		{name: "BOM after the start", in: h + "\uFEFFA,,\n", wantEN: []string{"U+FEFF"}},
		{name: "formula =", in: h + "A,=1+1,\n", wantEN: []string{"line 2: the 'Chức vụ' cell starts with \"=\"; formulas are not allowed"}},
		{name: "formula + after spaces", in: h + "A,,  +84 912\n", wantEN: []string{"line 2: the 'Đơn vị' cell starts with \"+\""}},
		{name: "formula -", in: h + "A,-,\n", wantEN: []string{`starts with "-"`}},
		{name: "formula @", in: h + "@SUM(A1),,\n", wantEN: []string{`line 2: the 'Họ và tên' cell starts with "@"`}},
		{name: "unclosed quote", in: h + "\"Nguyễn Văn An,B,C\nD,E,F\n", wantEN: []string{"line 2: a double quote is not closed"}},
		{name: "text after quote", in: h + "\"A\"x,B,C\n", wantEN: []string{"line 2: text follows the closing double quote"}},
		{name: "quote error in header", in: "\"Họ và tên,Chức vụ\nA,B\n", wantEN: []string{"line 1: a double quote is not closed"}},
		{name: "duplicate after NFC", in: h + "Nguyễn Văn An,A,\nNguye\u0302\u0303n Va\u0306n An,B,\n",
			wantEN: []string{"lines 2 and 3: 'Nguyễn Văn An' appears twice"}},
		{name: "duplicate after whitespace", in: h + "Nguyễn Văn An,,\n\n Nguyễn  Văn An ,,\n", wantEN: []string{"lines 2 and 4"}},
		{name: "third copy names the first", in: h + "A,,\nA,,\nA,,\n", wantEN: []string{"lines 2 and 3", "lines 2 and 4"}},
		{name: "not UTF-8 header", in: "H\xf4 t\xean\nA\n", wantEN: []string{"line 1: the file is not UTF-8"}},
		{name: "UTF-16", in: "\xff\xfeH\x00o\x00", wantEN: []string{"line 1: the file is not UTF-8"}},
		{name: "several problems in one pass", in: h + "A,B\n=X,,\nC,,\nC,,\n ,,x\n",
			wantEN: []string{"line 2: expected 3 columns, found 2; line 3: the 'Họ và tên' cell starts with \"=\"; formulas are not allowed in an imported list; lines 4 and 5: 'C' appears twice; line 6: the name is empty"},
			wantVI: []string{"Dòng 2: cần 3 cột nhưng chỉ có 2. Dòng 3:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ballot.ParseRoster(strings.NewReader(tt.in))
			if tt.wantEN != nil {
				if got != nil {
					t.Errorf("got %+v with the error, want nil", got)
				}
				checkErr(t, err, tt.wantEN, tt.wantVI)
				return
			}
			if err != nil {
				t.Fatalf("ParseRoster: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseCadres(t *testing.T) {
	const h = "Họ và tên,Chức vụ\n"
	tests := []struct {
		name   string
		in     string
		want   []ballot.Cadre
		wantEN []string
	}{
		{name: "same person in two positions", in: h + "Nguyễn Văn An,Bí thư\nNguyễn Văn An,Chủ tịch HĐND\n",
			want: []ballot.Cadre{{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư"}, {ID: "c2", Name: "Nguyễn Văn An", Position: "Chủ tịch HĐND"}}},
		{name: "english headings", in: "name,position\nA,B\n", want: []ballot.Cadre{{ID: "c1", Name: "A", Position: "B"}}},
		{name: "same name and position twice", in: h + "Nguyễn Văn An,Bí thư\nTrần Thị B,Phó Bí thư\nNguyễn Văn An, Bí thư \n",
			wantEN: []string{"lines 2 and 4: 'Nguyễn Văn An' as 'Bí thư' appears twice"}},
		{name: "position required", in: h + "Nguyễn Văn An,\n", wantEN: []string{"line 2: the position is empty"}},
		{name: "position column required", in: "Họ và tên\nA\n", wantEN: []string{"line 1: missing column 'Chức vụ' (position)"}},
		{name: "unit column is not part of a cadre list", in: "Họ và tên,Chức vụ,Đơn vị\nA,B,C\n",
			wantEN: []string{"line 1: unknown column 'Đơn vị'"}},
		{name: "header only", in: h, wantEN: []string{"no rows"}},
		{name: "empty", in: "", wantEN: []string{"the file is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ballot.ParseCadres(strings.NewReader(tt.in))
			if tt.wantEN != nil {
				if got != nil {
					t.Errorf("got %+v with the error, want nil", got)
				}
				checkErr(t, err, tt.wantEN, nil)
				return
			}
			if err != nil {
				t.Fatalf("ParseCadres: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseRosterErrorLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("Họ và tên,Chức vụ,Đơn vị\n")
	for i := range 30 {
		fmt.Fprintf(&b, "Người %d,=X,\n", i)
	}
	got, err := ballot.ParseRoster(strings.NewReader(b.String()))
	if got != nil {
		t.Errorf("got %d members, want nil", len(got))
	}
	e := csvError(t, err)
	_, en := csvSentences(t, err)
	if n := strings.Count(en, "formulas are not allowed"); n != 20 {
		t.Errorf("message lists %d problems, want 20", n)
	}
	for _, w := range []string{"line 21:", "stopped after 20 problems"} {
		if !strings.Contains(en, w) {
			t.Errorf("English does not contain %q", w)
		}
	}
	if strings.Contains(en, "line 22:") {
		t.Error("English goes past the 20th problem")
	}
	// The CLI prints each hint once (TestCLIHintsOnce in cmd/tinnhiem);
	// here the reason of every problem is the one that hint is keyed on.
	for _, p := range e.Problems {
		if p.Key != "cell_formula" {
			t.Errorf("problem %+v, want cell_formula", p)
		}
	}
	if e.Args["stopped"] != 20 {
		t.Errorf("Args = %v, want stopped after 20", e.Args)
	}
}

func TestParseRosterBounds(t *testing.T) {
	const h = "Họ và tên\n"
	var rows strings.Builder
	rows.WriteString(h)
	for i := range 100_001 {
		fmt.Fprintf(&rows, "P%d\n", i)
	}
	atLimit := strings.TrimSuffix(rows.String(), "P100000\n")
	got, err := ballot.ParseRoster(strings.NewReader(atLimit))
	if err != nil || len(got) != 100_000 {
		t.Errorf("100,000 rows: got %d members, err %v; want 100000, nil", len(got), err)
	}
	tests := []struct {
		name, in, want string
	}{
		{"too many rows", rows.String(), "line 100002: the file has more than 100,000 rows"},
		{"long line", h + strings.Repeat("a", 64<<10+1) + "\nB\n", "line 2: the line is longer than 64 KiB"},
		{"very long line", h + "A\n" + strings.Repeat("a", 1<<20), "line 3: the line is longer than 64 KiB"},
		{"long header", strings.Repeat(",", 70_000), "line 1: the line is longer than 64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ballot.ParseRoster(strings.NewReader(tt.in))
			if got != nil {
				t.Errorf("got %d members, want nil", len(got))
			}
			checkErr(t, err, []string{tt.want}, nil)
		})
	}
	long := h + strings.Repeat("a", 64<<10) + "\r\n"
	if got, err := ballot.ParseRoster(strings.NewReader(long)); err != nil || len(got) != 1 {
		t.Errorf("a line of exactly 64 KiB: got %d members, err %v", len(got), err)
	}
}

// TestParseRosterReadError checks that a failing reader is not blamed on
// the file's contents.
func TestParseRosterReadError(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("Họ và tên\nA\n"), iotest.ErrReader(boom))
	got, err := ballot.ParseRoster(r)
	if got != nil || !errors.Is(err, boom) || ballot.ErrorCode(err) == ballot.EInvalid {
		t.Errorf("got %v, %v; want nil and an error wrapping %v that is not EInvalid", got, err, boom)
	}
}

func ExampleParseCadres() {
	const list = "Họ và tên,Chức vụ\n" +
		"Nguyễn Văn An,Bí thư Đảng ủy\n" +
		"Nguyễn Văn An,Chủ tịch Hội đồng nhân dân\n" +
		"Trần Thị Bích Ngọc,\"Phó Bí thư, Chủ tịch Ủy ban nhân dân\"\n"
	cadres, err := ballot.ParseCadres(strings.NewReader(list))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range cadres {
		fmt.Printf("%s: %s — %s\n", c.ID, c.Name, c.Position)
	}

	_, err = ballot.ParseCadres(strings.NewReader("Họ và tên,Chức vụ\n=HYPERLINK(\"http://x\"),Bí thư\n"))
	if vi, _, ok := msg.Render(err); ok {
		fmt.Println(vi)
	}
	// Output:
	// c1: Nguyễn Văn An — Bí thư Đảng ủy
	// c2: Nguyễn Văn An — Chủ tịch Hội đồng nhân dân
	// c3: Trần Thị Bích Ngọc — Phó Bí thư, Chủ tịch Ủy ban nhân dân
	// Dòng 2: ô “Họ và tên” bắt đầu bằng “=”; không được dùng công thức trong danh sách nhập vào.
}

func ExampleParseRoster() {
	const roster = "\uFEFFHọ và tên;Chức vụ;Đơn vị\r\n" +
		"Nguyễn Văn An;Bí thư;Đảng ủy\r\n" +
		"Trần Thị B;;\r\n"
	members, err := ballot.ParseRoster(strings.NewReader(roster))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range members {
		fmt.Printf("%s | %s | %s\n", m.Name, m.Position, m.Unit)
	}
	// Output:
	// Nguyễn Văn An | Bí thư | Đảng ủy
	// Trần Thị B |  |
}

// fuzzSeeds adds every CSV fixture and a few edge cases.
func fuzzSeeds(f *testing.F) {
	names, err := filepath.Glob(filepath.Join(csvFixtures, "*.csv"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures in %s: %v", csvFixtures, err)
	}
	for _, name := range names {
		f.Add(fixture(f, filepath.Base(name)))
	}
	for _, s := range []string{
		"", "\uFEFF", "name;position\nA;B\n", "Họ và tên,Chức vụ\n\"A\"\"\",\"B,C\"\r\nD,E\rF,G",
		"name,,\nA,,\n", "name\n\"unclosed\n", "name,position\nA,B\nA,B\nA,C\n",
	} {
		f.Add([]byte(s))
	}
}

// checkValues asserts the guarantees ParseRoster and ParseCadres document
// for each value they return.
func checkValues(t *testing.T, values ...string) {
	t.Helper()
	for _, v := range values {
		switch {
		case !utf8.ValidString(v) || !norm.NFC.IsNormalString(v):
			t.Fatalf("value %+q is not NFC UTF-8", v)
		case v != "" && strings.IndexByte("=+-@", v[0]) >= 0:
			t.Fatalf("value %+q starts with a formula character", v)
		case v != strings.Join(strings.Fields(v), " "):
			t.Fatalf("value %+q has untrimmed or repeated white space", v)
		case strings.ContainsFunc(v, func(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf) }):
			t.Fatalf("value %+q has a control or format character", v)
		}
	}
}

func FuzzParseRoster(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := ballot.ParseRoster(bytes.NewReader(in))
		if err != nil {
			if got != nil {
				t.Fatalf("got %d members with error %v", len(got), err)
			}
			csvError(t, err)
			return
		}
		if len(got) == 0 {
			t.Fatal("success with no members")
		}
		seen := map[string]bool{}
		for _, m := range got {
			checkValues(t, m.Name, m.Position, m.Unit)
			if m.Name == "" || seen[m.Name] || m.Present {
				t.Fatalf("member %+v: empty, duplicate or present", m)
			}
			seen[m.Name] = true
		}
	})
}

func FuzzParseCadres(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := ballot.ParseCadres(bytes.NewReader(in))
		if err != nil {
			if got != nil {
				t.Fatalf("got %d cadres with error %v", len(got), err)
			}
			csvError(t, err)
			return
		}
		if len(got) == 0 {
			t.Fatal("success with no cadres")
		}
		seen := map[[2]string]bool{}
		for i, c := range got {
			checkValues(t, c.Name, c.Position)
			key := [2]string{c.Name, c.Position}
			if c.ID != fmt.Sprintf("c%d", i+1) || c.Name == "" || c.Position == "" || seen[key] {
				t.Fatalf("cadre %d %+v: wrong ID, empty or duplicate", i, c)
			}
			seen[key] = true
		}
	})
}
