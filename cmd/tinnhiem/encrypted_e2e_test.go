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

// verifyBin is tinnhiem-verify, built by TestMain from this repository: the
// trustees' and the inspectors' binary.
var verifyBin string

// runVerify runs tinnhiem-verify and fails the test unless it exits 0.
func runVerify(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(verifyBin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("tinnhiem-verify %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestEncryptedVoteCLI runs a whole encrypted vote from the command line:
// three trustees make the key with the real tinnhiem-verify trustee
// commands, each in a folder of their own, their messages carried by
// ceremony export and ceremony add; ballots are encrypted with ballot/box
// as the voter's page does and cast into the database; after close two of
// the three trustees decrypt (the third is absent), the tally writes the
// documents from the decrypted totals, and tinnhiem-verify accepts the
// exported bundle.
func TestEncryptedVoteCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vote.db")
	key := filepath.Join(dir, "vote.key")
	k := []string{"--db", db, "--key", key}
	must(t, "keygen", "--key", key)
	id := strings.TrimSpace(must(t, append([]string{"session", "create", "--title", "Hội nghị lấy phiếu tín nhiệm năm 2026",
		"--body", "Ban Chấp hành Đảng bộ Khối", "--date", "2026-11-22", "--place", "Hội trường A"}, k...)...))
	sk := append([]string{"--session", id}, k...)
	cmd := func(args ...string) string { t.Helper(); return must(t, append(args, sk...)...) }
	cmd("roster", "import", testdata+"members-15.csv")
	cmd("cadres", "import", testdata+"cadres-5.csv")
	cmd("checkin", "--all")
	committee := []string{"Thái Thị Ngọc Hân", "Khổng Minh Triết", "Doãn Thị Yến"}
	cmd("session", "committee", "--member", committee[0], "--member", committee[1], "--member", committee[2])
	cards := filepath.Join(dir, "cards.pdf")
	cmd("tokens", "issue", "--count", "12", "--out", cards, "--base-url", "http://127.0.0.1:8080")

	// An encrypted session opens only with the committee's key.
	fails(t, 1, "chưa thể mở phiên.*ceremony is not completed(?s:.*)hint: see who is missing: tinnhiem ceremony status --db "+regexp.QuoteMeta(db), append([]string{"session", "open"}, sk...)...)

	exchange := filepath.Join(dir, "exchange") // what goes between the console and the laptops
	laptop := func(i int) string { return filepath.Join(dir, fmt.Sprintf("trustee-%d", i)) }
	for i := 1; i <= 3; i++ {
		if err := os.Mkdir(laptop(i), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	addRound := func(round int, want string) {
		t.Helper()
		args := []string{"ceremony", "add"}
		for i := 1; i <= 3; i++ {
			args = append(args, filepath.Join(laptop(i), fmt.Sprintf("round%d-%d.json", round, i)))
		}
		out := cmd(args...)
		for i := 1; i <= 3; i++ {
			if !strings.Contains(out, fmt.Sprintf("round %d, thành viên / trustee %d", round, i)) {
				t.Fatalf("ceremony add did not report trustee %d's round %d:\n%s", i, round, out)
			}
		}
		if !strings.Contains(out, want) {
			t.Fatalf("ceremony add after round %d printed\n%s\nwant %q", round, out, want)
		}
		out = cmd("ceremony", "export", "--out", exchange)
		if !strings.Contains(out, fmt.Sprintf("exported %d messages", 3*round)) {
			t.Fatalf("ceremony export after round %d:\n%s", round, out)
		}
	}
	for i := 1; i <= 3; i++ {
		runVerify(t, "trustee", "round1", "--session", id, "--n", "3", "--trustee", fmt.Sprint(i),
			"--secret", filepath.Join(laptop(i), "secret.json"), "--out", filepath.Join(laptop(i), fmt.Sprintf("round1-%d.json", i)))
	}
	addRound(1, "round 2: còn chờ / waiting for trustee 1, 2, 3")
	// The same file again is reported, not refused; another trustee's
	// second round 1 would be.
	if out := cmd("ceremony", "add", filepath.Join(exchange, "round1-2.json")); !strings.Contains(out, "already recorded") {
		t.Fatalf("ceremony add of a recorded message: %q", out)
	}
	// Refused messages name the file and record nothing: a second round 1
	// of trustee 1, and a file that is no ceremony message.
	other := filepath.Join(dir, "other")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	runVerify(t, "trustee", "round1", "--session", id, "--n", "3", "--trustee", "1",
		"--secret", filepath.Join(other, "secret.json"), "--out", filepath.Join(other, "round1-1.json"))
	fails(t, 1, `^tinnhiem: error: Thành viên số 1 đã gửi thông điệp vòng này rồi\. / .*round1-1\.json: trustee 1 already sent this round's message \(this file was not recorded\)`,
		append([]string{"ceremony", "add", filepath.Join(other, "round1-1.json")}, sk...)...)
	notMessage := filepath.Join(other, "note.json")
	if err := os.WriteFile(notMessage, []byte(`{"format":"tinnhiem-box-tally/v1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	fails(t, 1, `không phải thông điệp lễ tạo khóa.*note\.json: this is not a key-ceremony message`, append([]string{"ceremony", "add", notMessage}, sk...)...)
	if out := cmd("ceremony", "status"); !strings.Contains(out, "not completed: 3 messages") {
		t.Fatalf("ceremony status after refused messages:\n%s", out)
	}
	fails(t, 2, `--absent takes trustee numbers`, append([]string{"ceremony", "complete", "--absent", "x"}, sk...)...)

	for i := 1; i <= 3; i++ {
		runVerify(t, "trustee", "round2", "--secret", filepath.Join(laptop(i), "secret.json"), "--in", exchange,
			"--out", filepath.Join(laptop(i), fmt.Sprintf("round2-%d.json", i)))
	}
	addRound(2, "round 3: còn chờ / waiting for trustee 1, 2, 3")
	for i := 1; i <= 3; i++ {
		out := runVerify(t, "trustee", "round3", "--secret", filepath.Join(laptop(i), "secret.json"), "--in", exchange,
			"--out", filepath.Join(laptop(i), fmt.Sprintf("round3-%d.json", i)))
		t.Logf("trustee %d round3:\n%s", i, out)
	}
	addRound(3, "all three rounds are in: tinnhiem ceremony complete")
	status := cmd("ceremony", "status")
	t.Logf("ceremony status:\n%s", status)
	if !regexp.MustCompile(`(?m)^3 +Doãn Thị Yến +✓ +✓ +✓`).MatchString(status) || !strings.Contains(status, "n=3, t=2") {
		t.Fatalf("ceremony status before completing:\n%s", status)
	}
	done := cmd("ceremony", "complete")
	digest := regexp.MustCompile(`of the result: ([0-9a-f]{64})`).FindStringSubmatch(done)
	if digest == nil || !strings.Contains(done, "qualified trustees 1, 2, 3 (n=3, t=2)") {
		t.Fatalf("ceremony complete printed:\n%s", done)
	}
	cmd("ceremony", "export", "--out", exchange)
	result := filepath.Join(exchange, "result.json")
	// Every trustee recomputes the result from the messages and finds the
	// digest the server's result has.
	mine := runVerify(t, "trustee", "result", "--in", exchange, "--out", filepath.Join(laptop(1), "result.json"))
	if !strings.Contains(mine, digest[1]) {
		t.Fatalf("the result recomputed by a trustee does not have the server's SHA-256 %s:\n%s", digest[1], mine)
	}
	for i := 1; i <= 3; i++ {
		runVerify(t, "trustee", "key", "--secret", filepath.Join(laptop(i), "secret.json"), "--in", exchange,
			"--result", result, "--out", filepath.Join(laptop(i), "key.json"))
	}
	cmd("session", "open")
	clear := strings.TrimSpace(must(t, append([]string{"session", "create", "--clear", "--title", "Phiên không mã hóa", "--body", "Đảng ủy",
		"--date", "2026-11-22", "--place", "Hội trường B"}, k...)...))
	fails(t, 1, `không dùng hòm phiếu mã hóa\. / this session does not use the encrypted ballot box\ntinnhiem: hint: this session was created with --clear`,
		append([]string{"ceremony", "status", "--session", clear}, k...)...)
	fails(t, 2, `--threshold applies to an encrypted session`, append([]string{"session", "create", "--clear", "--threshold", "2", "--title", "x",
		"--body", "y", "--date", "2026-11-22", "--place", "z"}, k...)...)
	help := must(t, "help")
	for _, c := range []string{"ceremony status", "ceremony add", "ceremony export", "ceremony complete", "partial export-tally", "partial add", "--threshold T | --clear"} {
		if !strings.Contains(help, c) {
			t.Errorf("tinnhiem help does not list %q", c)
		}
	}

	// Casting: each card's ballot encrypted to the joint key from the form
	// the server gives, as box.js does on the phone, and cast through the
	// service's one-vote transaction on the same database file.
	codes := decodeCards(t, cards)
	if len(codes) != 12 {
		t.Fatalf("decoded %d cards, want 12", len(codes))
	}
	want := make([][4]int, 5) // per cadre: unmarked, high, normal, low
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
			if err != nil || form.Box == nil {
				t.Fatalf("form of card %d: %v (box %v)", n, err, form)
			}
			canonical, _ := ballot.NormalizeToken(code)
			ck, err := box.CardKey(id, canonical)
			if err != nil {
				t.Fatal(err)
			}
			choices := make([]int, 5)
			for j := range choices {
				choices[j] = (n + 2*j) % 4
				want[j][choices[j]]++
			}
			b, _, err := box.EncryptBallot(rand.Reader, form.Box, ck, choices)
			if err != nil {
				t.Fatal(err)
			}
			rc, err := svc.CastEncrypted(ctx, code, box.FormatBallot(b))
			if err != nil || !strings.HasPrefix(rc.Code, "TB1-") {
				t.Fatalf("cast card %d: %v %v", n, rc, err)
			}
		}
	}()
	if out := cmd("session", "close"); !strings.Contains(out, "10 phiếu thu về") {
		t.Fatalf("close printed %q", out)
	}

	// Short of partial decryptions, the tally says how many are in and
	// how many are needed, and writes nothing.
	reports := filepath.Join(dir, "reports")
	tallyArgs := append([]string{"tally", "--out", reports}, sk...)
	fails(t, 1, `2 valid partial decryptions are needed, 0 are in(?s:.*)hint: each trustee decrypts the tally from tinnhiem partial export-tally`, tallyArgs...)
	tallyFile := filepath.Join(exchange, "tally.json")
	out := cmd("partial", "export-tally", "--out", tallyFile)
	sum := regexp.MustCompile(`SHA-256: ([0-9a-f]{64})`).FindStringSubmatch(out)
	if sum == nil || !strings.Contains(out, "10 phiếu / ballots, 5 dòng / lines × 3") {
		t.Fatalf("partial export-tally printed:\n%s", out)
	}
	partial := func(i int) string {
		p := filepath.Join(laptop(i), fmt.Sprintf("partial-%d.json", i))
		out := runVerify(t, "trustee", "decrypt", "--key", filepath.Join(laptop(i), "key.json"), "--tally", tallyFile,
			"--result", result, "--out", p)
		if !strings.Contains(out, sum[1]) {
			t.Fatalf("trustee %d decrypted a tally whose SHA-256 is not the exported one %s:\n%s", i, sum[1], out)
		}
		return p
	}
	if out := cmd("partial", "add", partial(1)); !strings.Contains(out, "partial decryption of trustee 1") {
		t.Fatalf("partial add printed %q", out)
	}
	fails(t, 1, `2 valid partial decryptions are needed, 1 are in`, tallyArgs...)
	if _, err := os.Stat(reports); !os.IsNotExist(err) {
		t.Fatalf("a tally short of partials created %s: %v", reports, err)
	}
	// Trustee 3 stays away: trustees 1 and 2 are enough (t = 2 of 3).
	cmd("partial", "add", partial(2))
	out = must(t, tallyArgs...)
	t.Logf("tally:\n%s", out)
	if !strings.Contains(out, "tallied: 10 phiếu thu về") {
		t.Fatalf("tally printed:\n%s", out)
	}

	// The documents state the decrypted counts.
	raw, err := os.ReadFile(filepath.Join(reports, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != 6 {
		t.Fatalf("results.csv: %d rows, %v", len(rows), err)
	}
	cadres := []string{"Tạ Quang Vinh", "Mai Thị Thanh Thủy", "Kiều Đức Thịnh", "Lã Thị Kim Oanh", "Âu Minh Khôi"}
	for j, name := range cadres {
		// Columns: STT, name, post, issued, collected, valid, invalid, denominator, high, % high, normal,
		// % normal, low, % low, conclusion.
		r := rows[j+1]
		got := [4]string{r[6], r[8], r[10], r[12]}
		exp := [4]string{fmt.Sprint(want[j][0]), fmt.Sprint(want[j][1]), fmt.Sprint(want[j][2]), fmt.Sprint(want[j][3])}
		if r[1] != name || r[3] != "12" || r[4] != "10" || got != exp {
			t.Errorf("results.csv row %d: %q; want %s, 12 issued, 10 collected, invalid/high/normal/low %v", j+1, r, name, exp)
		}
	}
	for _, f := range []string{"bien-ban-kiem-phieu.pdf", "bao-cao-c1.pdf", "bao-cao-c5.pdf", "results.json"} {
		if _, err := os.Stat(filepath.Join(reports, f)); err != nil {
			t.Errorf("the tally did not write %s: %v", f, err)
		}
	}

	// Anyone may combine the partials offline and finds the same counts.
	partials := filepath.Join(dir, "partials")
	if err := os.Mkdir(partials, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		data, err := os.ReadFile(filepath.Join(laptop(i), fmt.Sprintf("partial-%d.json", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(partials, fmt.Sprintf("partial-%d.json", i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	combined := runVerify(t, "trustee", "combine", "--result", result, "--tally", tallyFile, "--in", partials, "--out", filepath.Join(dir, "counts.json"))
	for j := range cadres {
		line := fmt.Sprintf("line %d: %d / %d / %d; không hợp lệ / invalid %d", j+1, want[j][1], want[j][2], want[j][3], want[j][0])
		if !strings.Contains(combined, line) {
			t.Errorf("trustee combine lacks %q:\n%s", line, combined)
		}
	}

	// The bundle verifies offline, every ballot proof and the decryption included.
	bundle := filepath.Join(dir, "hoso.zip")
	cmd("export", "--out", bundle)
	report := runVerify(t, bundle)
	t.Logf("tinnhiem-verify:\n%s", report)
	if strings.Contains(report, "✗") || !strings.Contains(report, "✓") {
		t.Fatalf("tinnhiem-verify does not accept the bundle:\n%s", report)
	}
}

// TestPaperBallotsCLI prints paper ballots from the command line: tokens
// issue --paper writes one official ballot per card, whose QR code decodes
// to a code the server knows as a paper card, and the log says "paper".
func TestPaperBallotsCLI(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm", "zbarimg", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "vote.db")
	key := filepath.Join(dir, "vote.key")
	k := []string{"--db", db, "--key", key}
	must(t, "keygen", "--key", key)
	id := strings.TrimSpace(must(t, append([]string{"session", "create", "--title", "Hội nghị lấy phiếu tín nhiệm năm 2026",
		"--body", "Ban Chấp hành Đảng bộ Khối", "--date", "2026-11-22", "--place", "Hội trường A", "--paper-confirmations", "1"}, k...)...))
	sk := append([]string{"--session", id}, k...)
	cmd := func(args ...string) string { t.Helper(); return must(t, append(args, sk...)...) }
	paper := filepath.Join(dir, "paper.pdf")
	fails(t, 1, "no_cadres|người được lấy phiếu", append([]string{"tokens", "issue", "--paper", "2", "--out", paper}, sk...)...)
	cmd("cadres", "import", testdata+"cadres-5.csv")
	fails(t, 2, "not both", append([]string{"tokens", "issue", "--paper", "2", "--count", "2", "--out", paper}, sk...)...)
	out := cmd("tokens", "issue", "--paper", "2", "--out", paper)
	if !strings.Contains(out, "issued 2 paper ballots") {
		t.Fatalf("tokens issue --paper said:\n%s", out)
	}
	info, err := exec.Command("pdfinfo", paper).Output()
	if err != nil || !strings.Contains(string(info), "Pages:           2\n") {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	text, err := exec.Command("pdftotext", paper, "-").Output()
	if err != nil || !strings.Contains(string(text), "PHIẾU LẤY PHIẾU TÍN NHIỆM") {
		t.Fatalf("pdftotext: %v\n%s", err, text)
	}
	if err := exec.Command("pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-singlefile", "-png", paper, filepath.Join(dir, "p1")).Run(); err != nil {
		t.Fatal(err)
	}
	qr, err := exec.Command("zbarimg", "-q", "--raw", filepath.Join(dir, "p1.png")).Output()
	if err != nil {
		t.Fatal(err)
	}
	code := strings.TrimSpace(string(qr))
	if !strings.Contains(string(text), code) {
		t.Fatalf("the QR code reads %q, which the ballot's text does not print", code)
	}
	store, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	canonical, ok := ballot.NormalizeToken(code)
	if !ok {
		t.Fatalf("the QR code %q is not a card code", code)
	}
	var paperLogged bool
	if err := store.View(context.Background(), func(tx ballot.Tx) error {
		// A paper card is stored under its public key, not its code's hash.
		card, err := ballot.CardKey(id, canonical)
		if err != nil {
			return err
		}
		if _, _, err := tx.Token(ballot.PaperTokenKey(card)); err != nil {
			return err
		}
		if _, _, err := tx.Token(ballot.HashToken(canonical)); ballot.ErrorCode(err) != ballot.ENotFound {
			return fmt.Errorf("the paper card is found by its code's hash: %v", err)
		}
		es, err := tx.AuditEntries(id, 1, 0)
		for _, e := range es {
			if e.Type == "TokensIssued" && strings.Contains(string(e.Data), `"paper":true`) {
				paperLogged = true
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !paperLogged {
		t.Fatal("TokensIssued does not say paper")
	}
}
