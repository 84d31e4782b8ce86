package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/internal/testtool"
)

// TestCLIOfficersAndCheckout runs a People's Council session from the
// command line with its document number, locality, officers and a member
// leaving during the vote, closes it without a ballot and reads the minutes:
// they carry what was given, attendance at opening and at close, and say
// that no ballot was cast instead of printing percentages.
func TestCLIOfficersAndCheckout(t *testing.T) {
	testtool.NeedTools(t, "pdftotext")
	dir := t.TempDir()
	db := filepath.Join(dir, "vote.db")
	k := []string{"--db", db, "--key", filepath.Join(dir, "vote.key")}
	roster := filepath.Join(dir, "members.csv")
	cadres := filepath.Join(dir, "cadres.csv")
	if err := os.WriteFile(roster, []byte("Họ và tên,Chức vụ,Đơn vị\nLê Văn Một,Đại biểu,Tổ 1\nTrần Thị Hai,Đại biểu,Tổ 1\nPhạm Văn Ba,Đại biểu,Tổ 2\nĐỗ Thị Bốn,Đại biểu,Tổ 2\nVũ Văn Năm,Đại biểu,Tổ 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cadres, []byte("Họ và tên,Chức vụ\nNguyễn Văn Chủ,Chủ tịch Hội đồng nhân dân tỉnh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	create := append([]string{"session", "create", "--clear", "--title", "Kỳ họp thứ tám", "--body", "Hội đồng nhân dân tỉnh Bắc Ninh",
		"--date", "2026-01-07", "--place", "Hội trường tỉnh", "--rules", "nq96"}, k...)
	fails(t, 1, "unknown body kind", append(create, "--body-kind", "uyban")...)
	id := strings.TrimSpace(must(t, append(create, "--number", "03/BB-HĐND", "--locality", "Bắc Ninh", "--copies", "2")...))
	sk := append([]string{"--session", id}, k...)
	must(t, append([]string{"roster", "import", roster}, sk...)...)
	must(t, append([]string{"cadres", "import", cadres}, sk...)...)
	fails(t, 1, "not a member of the counting committee", append([]string{"session", "committee", "--member", "Lê Văn Một", "--member", "Trần Thị Hai", "--head", "Người Khác"}, sk...)...)
	must(t, append([]string{"session", "committee", "--member", "Lê Văn Một", "--member", "Trần Thị Hai", "--head", "Trần Thị Hai",
		"--chair", "Phạm Văn Ba", "--secretary", "Đỗ Thị Bốn"}, sk...)...)
	must(t, append([]string{"checkin", "--all"}, sk...)...)
	must(t, append([]string{"tokens", "issue", "--count", "5", "--out", filepath.Join(dir, "cards.pdf")}, sk...)...)
	must(t, append([]string{"session", "open"}, sk...)...)
	if out := must(t, append([]string{"checkout", "--member", "Vũ Văn Năm"}, sk...)...); !strings.Contains(out, "4/5") {
		t.Fatalf("checkout printed %q, want 4/5 present", out)
	}
	fails(t, 1, "not checked in", append([]string{"checkout", "--member", "Vũ Văn Năm"}, sk...)...)
	fails(t, 1, "not on the roster", append([]string{"checkout", "--member", "Người Lạ"}, sk...)...)
	fails(t, 2, "--member", append([]string{"checkout"}, sk...)...)
	must(t, append([]string{"session", "close"}, sk...)...)
	fails(t, 1, "closed", append([]string{"checkout", "--member", "Lê Văn Một"}, sk...)...)
	if log := must(t, append([]string{"log", "show"}, sk...)...); !strings.Contains(log, "CheckedOut") {
		t.Fatalf("log show lacks the CheckedOut entry:\n%s", log)
	}
	out := filepath.Join(dir, "reports")
	must(t, append([]string{"tally", "--out", out}, sk...)...)
	raw, err := exec.Command("pdftotext", filepath.Join(out, "bien-ban-kiem-phieu.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(raw)), " ")
	for _, want := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 03/BB-HĐND", "Bắc Ninh, ngày 07 tháng 01 năm 2026",
		"Chủ tọa hội nghị: Phạm Văn Ba.", "Thư ký hội nghị: Đỗ Thị Bốn.", "1. Trần Thị Hai – Trưởng ban", "2. Lê Văn Một – Thành viên",
		"Có mặt khi bắt đầu bỏ phiếu: 5/5 người", "1 người ra về (Vũ Văn Năm)", "Có mặt khi kết thúc bỏ phiếu: 4/5 người.",
		"Số phiếu thu về: 0.", "Không có phiếu nào được thu về", "Nguyễn Văn Chủ", "Chủ tịch Hội đồng nhân dân tỉnh", "lập thành 02 bản"} {
		if !strings.Contains(text, want) {
			t.Errorf("minutes lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "%") {
		t.Errorf("minutes of a vote without ballots print a percentage:\n%s", text)
	}
	raw, err = exec.Command("pdftotext", filepath.Join(out, "bao-cao-c1.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if text := strings.Join(strings.Fields(string(raw)), " "); !strings.Contains(text, "Không có phiếu nào được thu về") || strings.Contains(text, "%") {
		t.Errorf("the report of a vote without ballots does not say so, or prints a percentage:\n%s", text)
	}
}
