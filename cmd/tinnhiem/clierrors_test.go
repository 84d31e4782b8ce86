package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// errorLine returns the Vietnamese and English halves of the first line
// of stderr, which must be "tinnhiem: error: <vi> / <en>".
func errorLine(t *testing.T, stderr string) (vi, en string) {
	t.Helper()
	line, _, _ := strings.Cut(stderr, "\n")
	rest, ok := strings.CutPrefix(line, "tinnhiem: error: ")
	if !ok {
		t.Fatalf("stderr %q does not start with \"tinnhiem: error: \"", stderr)
	}
	vi, en, ok = strings.Cut(rest, " / ")
	if !ok || vi == "" || en == "" {
		t.Fatalf("error line %q is not \"<Vietnamese> / <English>\"", line)
	}
	return vi, en
}

// hints returns the hint lines of stderr.
func hints(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if h, ok := strings.CutPrefix(l, "tinnhiem: hint: "); ok {
			out = append(out, h)
		}
	}
	return out
}

// TestCLIErrorsBilingual checks that the CLI prints every kind of error
// Vietnamese first, then English, on the one error line: domain errors
// with the catalog's sentences, the command's own and usage errors with a
// Vietnamese sentence before the English detail.
func TestCLIErrorsBilingual(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "t.db"), filepath.Join(dir, "t.key")
	must(t, "keygen", "--key", key)
	k := []string{"--db", db, "--key", key}
	id := strings.TrimSpace(must(t, append([]string{"session", "create", "--clear", "--title", "Hội nghị", "--body", "Đảng ủy",
		"--date", "2026-11-22", "--place", "Hội trường"}, k...)...))
	sk := append([]string{"--session", id}, k...)

	for _, tt := range []struct {
		name   string
		code   int
		args   []string
		vi, en string // fragments of each half
	}{
		{"domain, with arguments", 1, append([]string{"session", "create", "--clear", "--title", "x", "--body", "y", "--date", "2026-11-22", "--place", "z", "--rules", "qd262"}, k...),
			`Không có bộ quy định "qd262"`, `unknown rule set "qd262": use qd96, nq96, nq85 (rating) or nq96-bpt, nq85-bpt (formal vote)`},
		{"domain, sentinel", 1, append([]string{"tally", "--out", filepath.Join(dir, "out")}, sk...),
			"Phiên bỏ phiếu chưa đóng", "the vote is not closed: close the session first"},
		{"the command's own", 1, []string{"keygen", "--key", key},
			cliGeneric, "already exists"},
		{"usage", 2, []string{"session", "list"},
			usageVietnamese, "--db FILE is required"},
		{"unknown command", 2, []string{"sesion", "list"},
			`không có lệnh "sesion"`, `unknown command "sesion"`},
	} {
		_, errOut, code := run(t, tt.args...)
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d; stderr %q", tt.name, code, tt.code, errOut)
			continue
		}
		vi, en := errorLine(t, errOut)
		if !strings.Contains(vi, tt.vi) || !strings.Contains(en, tt.en) {
			t.Errorf("%s: error line halves %q / %q, want %q / %q", tt.name, vi, en, tt.vi, tt.en)
		}
	}
}

// TestCLIHintsOnce imports a roster with 30 formula cells: the error line
// lists the first 20 problems in both languages, with the file name and
// "nothing was imported" kept, and the hint keyed on the problem is
// printed once (the domain test TestParseRosterErrorLimit checks the
// problems themselves).
func TestCLIHintsOnce(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "t.db"), filepath.Join(dir, "t.key")
	must(t, "keygen", "--key", key)
	k := []string{"--db", db, "--key", key}
	id := strings.TrimSpace(must(t, append([]string{"session", "create", "--clear", "--title", "Hội nghị", "--body", "Đảng ủy",
		"--date", "2026-11-22", "--place", "Hội trường"}, k...)...))
	var b strings.Builder
	b.WriteString("Họ và tên,Chức vụ,Đơn vị\n")
	for i := range 30 {
		fmt.Fprintf(&b, "Người %d,=X,\n", i)
	}
	csv := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, append([]string{"roster", "import", "--session", id}, append(k, csv)...)...)
	if code != 1 {
		t.Fatalf("roster import: exit %d, stderr %q", code, errOut)
	}
	vi, en := errorLine(t, errOut)
	if n := strings.Count(vi, "không được dùng công thức"); n != 20 || !strings.Contains(vi, "Đã dừng sau 20 lỗi") {
		t.Errorf("Vietnamese half lists %d problems, want 20 and the stop: %q", n, vi)
	}
	if n := strings.Count(en, "formulas are not allowed"); n != 20 || !strings.HasPrefix(en, csv+": line 2: ") || !strings.HasSuffix(en, "(nothing was imported)") {
		t.Errorf("English half lists %d problems, want 20 after the file name, then \"nothing was imported\": %q", n, en)
	}
	hs := hints(errOut)
	if len(hs) != 1 || strings.Count(hs[0], "plain text") != 1 {
		t.Errorf("hints = %q, want each hint once", hs)
	}
}

// TestCLIHintsWithFlags checks that hints for domain errors are rendered
// by the CLI with the values of --db and --session as typed.
func TestCLIHintsWithFlags(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "t.db"), filepath.Join(dir, "t.key")
	must(t, "keygen", "--key", key)
	k := []string{"--db", db, "--key", key}
	id := strings.TrimSpace(must(t, append([]string{"session", "create", "--clear", "--title", "Hội nghị", "--body", "Đảng ủy",
		"--date", "2026-11-22", "--place", "Hội trường"}, k...)...))
	sk := append([]string{"--session", id}, k...)
	must(t, append([]string{"session", "committee", "--member", "Tạ Quang Vinh", "--member", "Khổng Minh Triết"}, sk...)...)

	_, errOut, code := run(t, append(append([]string{"cadres", "import"}, sk...), testdata+"cadres-5.csv")...)
	vi, en := errorLine(t, errOut)
	wantHint := "tinnhiem session committee --db " + db + " --session " + id + " --member \"Full Name\" …"
	if code != 1 || !strings.Contains(vi, "“Tạ Quang Vinh” (Bí thư Huyện ủy) đang là thành viên Ban kiểm phiếu") ||
		!strings.Contains(en, `cadre "Tạ Quang Vinh" (Bí thư Huyện ủy) is a member of the counting committee`) ||
		!slices.Equal(hints(errOut), []string{wantHint}) {
		t.Errorf("cadres import naming a committee member: exit %d, stderr %q; want the sentences and the hint %q", code, errOut, wantHint)
	}

	_, errOut, code = run(t, append([]string{"session", "create", "--clear", "--org", "Không có", "--title", "x", "--body", "y",
		"--date", "2026-11-22", "--place", "z"}, k...)...)
	vi, en = errorLine(t, errOut)
	if code != 1 || vi != `Không có tổ chức tên "Không có".` || !strings.Contains(en, `no organisation is named "Không có"`) ||
		!slices.Equal(hints(errOut), []string{"list them with: tinnhiem org list --db " + db}) {
		t.Errorf("session create in an unknown organisation: exit %d, stderr %q", code, errOut)
	}
}
