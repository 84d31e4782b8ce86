package main

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/ballot/sqlite"
)

// TestFormalVoteCLI runs a formal vote of confidence (bỏ phiếu tín
// nhiệm) of a People's Council from the command line, end to end: session
// create --kind bo-phieu, an encrypted box of two options per line whose key
// three trustees make with the real tinnhiem-verify trustee commands, ten
// ballots encrypted as the phone does, close, two trustees decrypt, the
// tally writes the formal minutes, reports and results, the export verifies
// offline. A Party body asking for a formal vote is refused in both
// languages and creates nothing.
func TestFormalVoteCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vote.db")
	key := filepath.Join(dir, "vote.key")
	k := []string{"--db", db, "--key", key}
	must(t, "keygen", "--key", key)
	fails(t, 1, `^tinnhiem: error: Quy định 96-QĐ/TW không có thủ tục bỏ phiếu tín nhiệm.* / Regulation 96-QĐ/TW has no formal vote of confidence`,
		append([]string{"session", "create", "--kind", "bo-phieu", "--body-kind", "dang", "--title", "Hội nghị",
			"--body", "Đảng ủy", "--date", "2026-12-09", "--place", "Hội trường"}, k...)...)
	fails(t, 1, `Loại phiên "phieu" không có.* / unknown session kind "phieu"`,
		append([]string{"session", "create", "--kind", "phieu", "--title", "Hội nghị",
			"--body", "HĐND", "--date", "2026-12-09", "--place", "Hội trường"}, k...)...)
	if list := must(t, append([]string{"session", "list"}, k...)...); strings.Count(strings.TrimSpace(list), "\n") != 0 {
		t.Fatalf("a refused session was created:\n%s", list)
	}
	id := strings.TrimSpace(must(t, append([]string{"session", "create", "--kind", "bo-phieu", "--title", "Kỳ họp thứ 12 Hội đồng nhân dân tỉnh khóa X",
		"--body", "Hội đồng nhân dân tỉnh Bắc Ninh", "--superior", "", "--number", "05/BB-HĐND", "--locality", "Bắc Ninh",
		"--date", "2026-12-09", "--place", "Hội trường Trung tâm Hội nghị tỉnh", "--copies", "3"}, k...)...))
	sk := append([]string{"--session", id}, k...)
	cmd := func(args ...string) string { t.Helper(); return must(t, append(args, sk...)...) }
	show := cmd("session", "show")
	for _, want := range []string{"hình thức / kind: Bỏ phiếu tín nhiệm / Formal vote of confidence", "Nghị quyết 96/2023/QH15", "(nq96-bpt)", "09/12/2026"} {
		if !strings.Contains(show, want) {
			t.Errorf("session show lacks %q:\n%s", want, show)
		}
	}
	cmd("roster", "import", testdata+"members-15.csv")
	cmd("cadres", "import", testdata+"cadres-5.csv")
	cmd("checkin", "--all")
	committee := []string{"Thái Thị Ngọc Hân", "Khổng Minh Triết", "Doãn Thị Yến"}
	cmd("session", "committee", "--member", committee[0], "--member", committee[1], "--member", committee[2], "--head", committee[0])
	cards := filepath.Join(dir, "cards.pdf")
	cmd("tokens", "issue", "--count", "12", "--out", cards, "--base-url", "http://127.0.0.1:8080")

	// The key ceremony, each trustee on a laptop of their own.
	exchange := filepath.Join(dir, "exchange")
	laptop := func(i int) string { return filepath.Join(dir, fmt.Sprintf("trustee-%d", i)) }
	for i := 1; i <= 3; i++ {
		if err := os.Mkdir(laptop(i), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	addRound := func(round int) {
		t.Helper()
		args := []string{"ceremony", "add"}
		for i := 1; i <= 3; i++ {
			args = append(args, filepath.Join(laptop(i), fmt.Sprintf("round%d-%d.json", round, i)))
		}
		cmd(args...)
		cmd("ceremony", "export", "--out", exchange)
	}
	for i := 1; i <= 3; i++ {
		runVerify(t, "trustee", "round1", "--session", id, "--n", "3", "--trustee", fmt.Sprint(i),
			"--secret", filepath.Join(laptop(i), "secret.json"), "--out", filepath.Join(laptop(i), fmt.Sprintf("round1-%d.json", i)))
	}
	addRound(1)
	for _, round := range []string{"round2", "round3"} {
		for i := 1; i <= 3; i++ {
			runVerify(t, "trustee", round, "--secret", filepath.Join(laptop(i), "secret.json"), "--in", exchange,
				"--out", filepath.Join(laptop(i), fmt.Sprintf("%s-%d.json", round, i)))
		}
		addRound(int(round[5] - '0'))
	}
	cmd("ceremony", "complete")
	cmd("ceremony", "export", "--out", exchange)
	result := filepath.Join(exchange, "result.json")
	for i := 1; i <= 3; i++ {
		runVerify(t, "trustee", "key", "--secret", filepath.Join(laptop(i), "secret.json"), "--in", exchange,
			"--result", result, "--out", filepath.Join(laptop(i), "key.json"))
	}
	cmd("session", "open")

	// Ten ballots of two options per line (0 no mark, 1 tín nhiệm, 2 không
	// tín nhiệm): cadre 1 gets 6 "không tín nhiệm" of 10, more than half.
	codes := decodeCards(t, cards)
	want := make([][3]int, 5) // per cadre: unmarked, tín nhiệm, không tín nhiệm
	func() {
		store, err := sqlite.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		ik, err := readKeyFile(key, false)
		if err != nil {
			t.Fatal(err)
		}
		svc := ballot.NewService(store, ik, nil, nil)
		ctx := context.Background()
		for n, u := range codes[:10] {
			code := u[strings.LastIndex(u, "/")+1:]
			form, err := svc.Form(ctx, code)
			if err != nil || form.Box == nil || form.Box.Options != 2 {
				t.Fatalf("form of card %d: %v (box %+v), want a box of two options", n, err, form)
			}
			canonical, _ := ballot.NormalizeToken(code)
			ck, err := box.CardKey(id, canonical)
			if err != nil {
				t.Fatal(err)
			}
			choices := make([]int, 5)
			for j := range choices {
				choices[j] = (n + j) % 3
			}
			if n < 6 {
				choices[0] = 2
			} else {
				choices[0] = 1
			}
			for j, c := range choices {
				want[j][c]++
			}
			b, _, err := box.EncryptBallot(rand.Reader, form.Box, ck, choices)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CastEncrypted(ctx, code, box.FormatBallot(b)); err != nil {
				t.Fatalf("cast card %d: %v", n, err)
			}
		}
	}()
	if out := cmd("session", "close"); !strings.Contains(out, "10 phiếu thu về") {
		t.Fatalf("close printed %q", out)
	}
	tallyFile := filepath.Join(exchange, "tally.json")
	if out := cmd("partial", "export-tally", "--out", tallyFile); !strings.Contains(out, "5 dòng / lines × 2") {
		t.Fatalf("partial export-tally printed:\n%s", out)
	}
	for i := 1; i <= 2; i++ {
		p := filepath.Join(laptop(i), fmt.Sprintf("partial-%d.json", i))
		runVerify(t, "trustee", "decrypt", "--key", filepath.Join(laptop(i), "key.json"), "--tally", tallyFile, "--result", result, "--out", p)
		cmd("partial", "add", p)
	}
	reports := filepath.Join(dir, "reports")
	if out := cmd("tally", "--out", reports); !strings.Contains(out, "tallied: 10 phiếu thu về") {
		t.Fatalf("tally printed:\n%s", out)
	}

	// results.csv: one heading per column, the denominator, two options.
	raw, err := os.ReadFile(filepath.Join(reports, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != 6 {
		t.Fatalf("results.csv: %d rows, %v", len(rows), err)
	}
	head := "STT|Họ và tên|Chức vụ|Phiếu phát ra|Phiếu thu về|Phiếu hợp lệ|Phiếu không hợp lệ|Số tính tỷ lệ (tổng số phiếu thu về)|Tín nhiệm|% Tín nhiệm|Không tín nhiệm|% Không tín nhiệm|Kết luận"
	if got := strings.Join(rows[0], "|"); got != head {
		t.Errorf("results.csv header\n%s\nwant\n%s", got, head)
	}
	for j := range 5 {
		r := rows[j+1]
		got := [3]string{r[6], r[8], r[10]}
		exp := [3]string{fmt.Sprint(want[j][0]), fmt.Sprint(want[j][1]), fmt.Sprint(want[j][2])}
		if r[3] != "12" || r[4] != "10" || r[7] != "10" || got != exp {
			t.Errorf("results.csv row %d: %q; want 12 issued, 10 collected, denominator 10, invalid/tín nhiệm/không %v", j+1, r, exp)
		}
	}
	if c := rows[1][12]; !strings.Contains(c, "quá nửa tổng số phiếu thu về bỏ phiếu “không tín nhiệm”") || !strings.Contains(c, "miễn nhiệm") ||
		!strings.Contains(c, "(Điều 17 Nghị quyết 96/2023/QH15)") {
		t.Errorf("cadre 1's conclusion %q does not state the Điều 17 consequence", c)
	}
	if c := rows[2][12]; !strings.HasPrefix(c, "Số phiếu “không tín nhiệm” không quá một nửa") {
		t.Errorf("cadre 2's conclusion %q", c)
	}
	json, err := os.ReadFile(filepath.Join(reports, "results.json"))
	if err != nil || !strings.Contains(string(json), `"rules": "nq96-bpt"`) || !strings.Contains(string(json), `"levels_vi": ["", "Tín nhiệm", "Không tín nhiệm"]`) {
		t.Errorf("results.json is not the formal vote's: %v\n%.400s", err, json)
	}
	// The minutes and a report, read back as text.
	for file, wants := range map[string][]string{
		"bien-ban-kiem-phieu.pdf": {"BIÊN BẢN KIỂM PHIẾU BỎ PHIẾU TÍN NHIỆM", "Kết quả bỏ phiếu tín nhiệm tại", "tổ chức bỏ phiếu tín nhiệm bằng phiếu kín",
			"Không tín nhiệm", "Quá nửa không tín nhiệm (1)", "Điều 17 Nghị quyết 96/2023/QH15", "05/BB-HĐND", "Bắc Ninh, ngày 09 tháng 12 năm 2026"},
		"bao-cao-c1.pdf": {"KẾT QUẢ BỎ PHIẾU TÍN NHIỆM", "Người được bỏ phiếu tín nhiệm:", "Không tín nhiệm", "Điều 17 Nghị quyết 96/2023/QH15"},
	} {
		out, err := exec.Command("pdftotext", filepath.Join(reports, file), "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", file, err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, w := range wants {
			if !strings.Contains(text, strings.Join(strings.Fields(w), " ")) {
				t.Errorf("%s lacks %q", file, w)
			}
		}
		if strings.Contains(text, "Tín nhiệm cao") || strings.Contains(text, "Tín nhiệm thấp") {
			t.Errorf("%s shows a rating's levels", file)
		}
	}

	if d := os.Getenv("TINNHIEM_FORMAL_DOCS"); d != "" {
		// Where the rendered pages of docs/minutes/formal-hdnd come from.
		for _, f := range []string{"bien-ban-kiem-phieu.pdf", "bao-cao-c1.pdf"} {
			data, _ := os.ReadFile(filepath.Join(reports, f))
			os.WriteFile(filepath.Join(d, f), data, 0o644)
		}
	}

	// The bundle verifies offline, the results check included.
	bundle := filepath.Join(dir, "hoso.zip")
	cmd("export", "--out", bundle)
	rep := runVerify(t, bundle)
	t.Logf("tinnhiem-verify:\n%s", rep)
	if strings.Contains(rep, "✗") || !regexp.MustCompile(`✓.*results\.csv`).MatchString(rep) {
		t.Fatalf("tinnhiem-verify does not accept the formal bundle:\n%s", rep)
	}
}
