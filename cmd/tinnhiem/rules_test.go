package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// draftSession creates, with the built binary, a draft session of three
// members and two cadres from CSV files written here, and returns the
// directory, the database and the flags naming the session.
func draftSession(t *testing.T, extra ...string) (dir, db string, sk []string) {
	t.Helper()
	dir = t.TempDir()
	db = filepath.Join(dir, "vote.db")
	k := append([]string{"--db", db}, extra...)
	roster := filepath.Join(dir, "members.csv")
	cadres := filepath.Join(dir, "cadres.csv")
	if err := os.WriteFile(roster, []byte("Họ và tên,Chức vụ,Đơn vị\nNguyễn Văn An,Ủy viên,Chi bộ 1\nTrần Thị Bình,Ủy viên,Chi bộ 2\nLê Văn Cường,Ủy viên,Chi bộ 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cadres, []byte("Họ và tên,Chức vụ\nPhạm Văn Dũng,Bí thư\nHoàng Thị Em,Phó Bí thư\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(must(t, append([]string{"session", "create", "--clear", "--title", "Hội nghị", "--body", "Đảng ủy",
		"--date", "2026-11-22", "--place", "Hội trường"}, k...)...))
	sk = append([]string{"--session", id}, k...)
	must(t, append([]string{"roster", "import", roster}, sk...)...)
	must(t, append([]string{"cadres", "import", cadres}, sk...)...)
	return dir, db, sk
}

// TestCLICommitteeRules names the counting committee from the command line:
// one person, the same name twice (in other letter case and spacing) and a
// cadre being rated are refused with a clear error and change nothing.
func TestCLICommitteeRules(t *testing.T) {
	_, _, sk := draftSession(t)
	committee := func(names ...string) []string {
		args := []string{"session", "committee"}
		for _, n := range names {
			args = append(args, "--member", n)
		}
		return append(args, sk...)
	}
	fails(t, 1, "at least two members", committee("Ngô Thị Mỹ Duyên")...)
	fails(t, 1, `"Ngô Thị Mỹ Duyên" and "NGÔ THỊ MỸ DUYÊN" are the same name`, committee("Ngô Thị Mỹ Duyên", "Dương Văn Hùng", "NGÔ  THỊ MỸ DUYÊN ")...)
	fails(t, 1, `"Phạm Văn Dũng" is a cadre being rated`, committee("Ngô Thị Mỹ Duyên", "Phạm Văn Dũng")...)
	show := must(t, append([]string{"session", "show"}, sk...)...)
	if strings.Contains(show, "Ban kiểm phiếu") {
		t.Fatalf("a refused committee was stored:\n%s", show)
	}
	must(t, committee("Ngô Thị Mỹ Duyên", "Dương Văn Hùng")...)
	if show := must(t, append([]string{"session", "show"}, sk...)...); !strings.Contains(show, "Ngô Thị Mỹ Duyên Dương Văn Hùng") {
		t.Fatalf("session show lacks the committee:\n%s", show)
	}
}

// TestCLIWarnsOfMoreCardsThanPresent issues four cards for two members
// present: session show says so before opening, session open says so, and
// session show keeps saying what the log recorded at opening after a third
// member checks in.
func TestCLIWarnsOfMoreCardsThanPresent(t *testing.T) {
	dir, _, sk := draftSession(t)
	must(t, append([]string{"checkin", "--member", "Nguyễn Văn An", "--member", "Trần Thị Bình"}, sk...)...)
	must(t, append([]string{"tokens", "issue", "--count", "4", "--out", filepath.Join(dir, "cards.pdf")}, sk...)...)
	vi := "Cảnh báo: số thẻ đã phát (4) nhiều hơn số người có mặt (2)."
	en := "warning: more cards issued and not revoked (4) than members present (2)"
	for what, out := range map[string]string{
		"session show before opening": must(t, append([]string{"session", "show"}, sk...)...),
		"session open":                must(t, append([]string{"session", "open"}, sk...)...),
	} {
		if !strings.Contains(out, vi) || !strings.Contains(out, en) {
			t.Errorf("%s does not warn %q / %q:\n%s", what, vi, en, out)
		}
	}
	must(t, append([]string{"checkin", "--all"}, sk...)...)
	show := must(t, append([]string{"session", "show"}, sk...)...)
	if !strings.Contains(show, vi) || !strings.Contains(show, "khi mở phiên / at opening") {
		t.Errorf("session show after opening does not warn with the figures at opening:\n%s", show)
	}

	// As many cards as members present: no warning anywhere.
	dir, _, sk = draftSession(t)
	must(t, append([]string{"checkin", "--member", "Nguyễn Văn An", "--member", "Trần Thị Bình"}, sk...)...)
	must(t, append([]string{"tokens", "issue", "--count", "2", "--out", filepath.Join(dir, "cards.pdf")}, sk...)...)
	for _, cmd := range []string{"open", "show"} {
		if out := must(t, append([]string{"session", cmd}, sk...)...); strings.Contains(out, "Cảnh báo") {
			t.Errorf("session %s warns with two cards for two present:\n%s", cmd, out)
		}
	}
}
