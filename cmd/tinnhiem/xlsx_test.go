package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// xlsxTestdata holds the workbook fixtures (testdata/xlsx/README.md).
const xlsxTestdata = "../../testdata/xlsx/"

// TestImportXLSX imports the roster and the cadre list from workbooks with
// the built binary, and checks that refused workbooks say where and why and
// change nothing.
func TestImportXLSX(t *testing.T) {
	dir := t.TempDir()
	k := []string{"--db", filepath.Join(dir, "vote.db"), "--key", filepath.Join(dir, "vote.key")}
	must(t, "keygen", "--key", k[3])
	id := strings.TrimSpace(must(t, append([]string{"session", "create", "--clear", "--title", "Hội nghị lấy phiếu tín nhiệm năm 2026",
		"--body", "Ban Chấp hành Đảng bộ huyện Phước Lâm", "--date", "2026-11-22", "--place", "Hội trường Huyện ủy"}, k...)...))
	sk := append([]string{"--session", id}, k...)

	if out := must(t, append([]string{"roster", "import", xlsxTestdata + "members-15.xlsx"}, sk...)...); !strings.Contains(out, "imported 15") {
		t.Fatalf("roster import printed %q, want imported 15", out)
	}
	if out := must(t, append([]string{"cadres", "import", xlsxTestdata + "cadres-5.xlsx"}, sk...)...); !strings.Contains(out, "imported 5") {
		t.Fatalf("cadres import printed %q, want imported 5", out)
	}
	fails(t, 1, `bad-formula\.xlsx: line 2: cell C2 holds a formula .*formulas are not allowed.*\(nothing was imported\)`,
		append([]string{"roster", "import", xlsxTestdata + "bad-formula.xlsx"}, sk...)...)
	fails(t, 1, `2 visible sheets \('Danh sách', 'Khách mời'\)`,
		append([]string{"roster", "import", xlsxTestdata + "bad-two-sheets.xlsx"}, sk...)...)
	fails(t, 1, `sheet 'Danh sách': lines 2 and 3`,
		append([]string{"roster", "import", xlsxTestdata + "bad-duplicate-row.xlsx"}, sk...)...)
	fails(t, 1, `not an Excel workbook`,
		append([]string{"cadres", "import", xlsxTestdata + "bad-not-xlsx.xlsx"}, sk...)...)
	fails(t, 1, `more than 32 MiB`,
		append([]string{"cadres", "import", xlsxTestdata + "bad-zip-bomb.xlsx"}, sk...)...)
	show := must(t, append([]string{"session", "show"}, sk...)...)
	for _, want := range []string{"summoned: 15", "cadres: 5", "5. Âu Minh Khôi — Chủ nhiệm Ủy ban Kiểm tra Huyện ủy"} {
		if !strings.Contains(show, want) {
			t.Fatalf("session show lacks %q after the refused imports:\n%s", want, show)
		}
	}

	// A CSV file named .xlsx is read as what it is.
	if out := must(t, append([]string{"cadres", "import", xlsxTestdata + "members-csv-named.xlsx"}, sk...)...); !strings.Contains(out, "imported 5") {
		t.Fatalf("cadres import printed %q, want imported 5", out)
	}
}
