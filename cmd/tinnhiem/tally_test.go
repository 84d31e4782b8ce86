package main

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/internal/testtool"
)

// TestEndToEndTally drives a vote to its end with the built binary and
// checks every issued document with the tools an inspector types: pdfsig,
// pdftotext, signify-openbsd and openssl.
func TestEndToEndTally(t *testing.T) {
	testtool.NeedTools(t, "pdftoppm", "zbarimg", "pdftotext", "pdfsig", "signify-openbsd", "openssl")
	dir := t.TempDir()
	db := filepath.Join(dir, "vote.db")
	key := filepath.Join(dir, "vote.key")
	addr := freePort(t)
	base := "http://" + addr
	k := []string{"--db", db, "--key", key}

	must(t, "keygen", "--key", key, "--org", "Đảng ủy Khối các cơ quan")
	if fi, err := os.Stat(filepath.Join(dir, "vote.cert-key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("certificate key mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	id := strings.TrimSpace(must(t, append([]string{"session", "create", "--clear", "--title", "Hội nghị lấy phiếu tín nhiệm năm 2026",
		"--body", "Ban Chấp hành Đảng bộ Khối", "--date", "2026-11-22", "--place", "Hội trường A"}, k...)...))
	sk := append([]string{"--session", id}, k...)
	must(t, append([]string{"roster", "import", testdata + "members-15.csv"}, sk...)...)
	must(t, append([]string{"cadres", "import", testdata + "cadres-5.csv"}, sk...)...)
	must(t, append([]string{"checkin", "--all"}, sk...)...)
	cards := filepath.Join(dir, "cards.pdf")
	must(t, append([]string{"tokens", "issue", "--count", "15", "--out", cards, "--base-url", base}, sk...)...)
	must(t, append([]string{"session", "open"}, sk...)...)
	out := filepath.Join(dir, "reports")
	fails(t, 1, "close the session first", append([]string{"tally", "--out", out}, sk...)...)

	// 15 ballots: c1 gets 7 high, 5 normal, 3 low; c5 is left unmarked on
	// every third ballot.
	srv := startServer(t, db, addr)
	urls := decodeCards(t, cards)
	levels := []string{"high", "normal", "low"}
	for i, u := range urls {
		tok := u[strings.LastIndex(u, "/")+1:]
		choices := map[string]string{"c1": levels[min(i/5, 2)], "c2": levels[i%3], "c3": "low", "c4": "high"}
		if i%3 != 0 {
			choices["c5"] = "normal"
		}
		if i < 7 {
			choices["c1"] = "high"
		} else if i < 12 {
			choices["c1"] = "normal"
		}
		if code, resp := post(t, base+"/api/v1/cast", map[string]any{"token": tok, "choices": choices}); code != 201 {
			t.Fatalf("cast %d: %d %v", i, code, resp)
		}
	}
	srv.stop()
	must(t, append([]string{"session", "close"}, sk...)...)
	fails(t, 1, "counting committee", append([]string{"tally", "--out", out}, sk...)...)
	_, errOut, _ := run(t, append([]string{"tally", "--out", out}, sk...)...)
	if !strings.Contains(errOut, "hint: tinnhiem session committee") {
		t.Fatalf("tally without a committee: stderr %q lacks the committee hint", errOut)
	}
	must(t, append([]string{"session", "committee", "--member", "Thái Thị Ngọc Hân", "--member", "Khổng Minh Triết"}, sk...)...)

	first := must(t, append([]string{"tally", "--out", out}, sk...)...)
	if !strings.Contains(first, "tallied: 15") {
		t.Fatalf("tally printed %q, want 15 ballots tallied", first)
	}
	second := must(t, append([]string{"tally", "--out", out}, sk...)...)
	if !strings.Contains(second, "already tallied") {
		t.Fatalf("second tally printed %q, want it to re-issue without counting", second)
	}
	logOut := must(t, append([]string{"log", "show"}, sk...)...)
	if n := strings.Count(logOut, " TallyComputed "); n != 1 {
		t.Fatalf("log show has %d TallyComputed entries, want exactly 1", n)
	}
	if n := strings.Count(logOut, " ReportIssued "); n != 2 {
		t.Fatalf("log show has %d ReportIssued entries, want 2", n)
	}
	must(t, append([]string{"log", "verify"}, k...)...)

	keys := filepath.Join(dir, "keys")
	exported := must(t, "key", "export", "--db", db, "--key", key, "--out", keys)
	if !strings.Contains(exported, "fingerprint: ") {
		t.Fatalf("key export printed %q, want the fingerprint", exported)
	}
	for _, f := range []string{"tinnhiem.pub", "tinnhiem.pem", "tinnhiem.vkey", "tinnhiem.cert.pem"} {
		if _, err := os.Stat(filepath.Join(keys, f)); err != nil {
			t.Fatalf("key export did not write %s: %v", f, err)
		}
	}

	cadres := []string{"Tạ Quang Vinh", "Mai Thị Thanh Thủy", "Kiều Đức Thịnh", "Lã Thị Kim Oanh", "Âu Minh Khôi"}
	files := []string{"bien-ban-kiem-phieu.pdf", "results.csv", "results.json"}
	for i := range cadres {
		files = append(files, fmt.Sprintf("bao-cao-c%d.pdf", i+1))
	}
	for _, name := range files {
		path := filepath.Join(out, name)
		if out, err := exec.Command("signify-openbsd", "-V", "-q", "-p", filepath.Join(keys, "tinnhiem.pub"), "-x", path+".sig", "-m", path).CombinedOutput(); err != nil {
			t.Errorf("signify-openbsd rejects %s: %v\n%s", name, err, out)
		}
		// openssl reads the raw Ed25519 signature: the last 64 bytes of
		// the base64 line of the signify file.
		sig, err := os.ReadFile(path + ".sig")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.StdEncoding.DecodeString(strings.Split(string(sig), "\n")[1])
		if err != nil || len(raw) != 74 {
			t.Fatalf("%s.sig: second line is not a signify signature: %v", name, err)
		}
		rawFile := filepath.Join(dir, name+".raw")
		if err := os.WriteFile(rawFile, raw[10:], 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", filepath.Join(keys, "tinnhiem.pem"),
			"-in", path, "-sigfile", rawFile).CombinedOutput(); err != nil || !strings.Contains(string(out), "Signature Verified Successfully") {
			t.Errorf("openssl pkeyutl rejects %s: %v\n%s", name, err, out)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)/2] ^= 0x20
		changed := filepath.Join(dir, "changed-"+name)
		if err := os.WriteFile(changed, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := exec.Command("signify-openbsd", "-V", "-q", "-p", filepath.Join(keys, "tinnhiem.pub"), "-x", path+".sig", "-m", changed).Run(); err == nil {
			t.Errorf("signify-openbsd accepts %s after one byte changed", name)
		}
		if !strings.HasSuffix(name, ".pdf") {
			continue
		}
		sigOut, _ := exec.Command("pdfsig", path).CombinedOutput()
		if !bytes.Contains(sigOut, []byte("Signature is Valid.")) || !bytes.Contains(sigOut, []byte("Total document signed")) ||
			!bytes.Contains(sigOut, []byte("Đảng ủy Khối các cơ quan")) {
			t.Errorf("pdfsig does not accept %s:\n%s", name, sigOut)
		}
	}
	minutes, err := exec.Command("pdftotext", filepath.Join(out, "bien-ban-kiem-phieu.pdf"), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cadres {
		text, err := exec.Command("pdftotext", filepath.Join(out, fmt.Sprintf("bao-cao-c%d.pdf", i+1)), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), c) || !strings.Contains(string(minutes), c) {
			t.Errorf("%s is missing from its report or from the minutes", c)
		}
	}
	report1, _ := exec.Command("pdftotext", filepath.Join(out, "bao-cao-c1.pdf"), "-").Output()
	// 7, 5, 3 of 15, and the head signs for the committee (the first named).
	for _, want := range []string{"46,67%", "33,33%", "20,00%", "T/M BAN KIỂM PHIẾU", "Thái Thị Ngọc Hân"} {
		if !strings.Contains(string(report1), want) {
			t.Errorf("report c1 lacks %q", want)
		}
	}
	checkCSV(t, filepath.Join(out, "results.csv"))
	checkOrganisationCertificate(t, dir, sk, out)
}

// checkCSV reads results.csv as a spreadsheet would and fails on any cell
// that a spreadsheet would run as a formula.
func checkCSV(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatalf("results.csv: %v", err)
	}
	if len(rows) != 6 {
		t.Fatalf("results.csv has %d rows, want a header and 5 cadres", len(rows))
	}
	for _, r := range rows {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("results.csv cell %q would run as a formula", c)
			}
		}
	}
}

// checkOrganisationCertificate re-issues the reports with an organisation's
// own RSA certificate, first given as PKCS #12 with a wrong password (which
// must change nothing), then with the right one.
func checkOrganisationCertificate(t *testing.T, dir string, sk []string, out string) {
	t.Helper()
	orgKey, orgCert, p12 := filepath.Join(dir, "org.key"), filepath.Join(dir, "org.crt"), filepath.Join(dir, "org.p12")
	for _, args := range [][]string{
		{"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", orgKey, "-out", orgCert, "-days", "30", "-subj", "/CN=Van phong Dang uy Khoi/O=Dang uy Khoi"},
		{"pkcs12", "-export", "-inkey", orgKey, "-in", orgCert, "-out", p12, "-passout", "pass:bí mật", "-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"},
	} {
		if b, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", args[0], err, b)
		}
	}
	wrong, right := filepath.Join(dir, "wrong.txt"), filepath.Join(dir, "right.txt")
	os.WriteFile(wrong, []byte("sai\n"), 0o600)
	os.WriteFile(right, []byte("bí mật\n"), 0o600)
	before := must(t, append([]string{"log", "show"}, sk...)...)
	fails(t, 1, "PKCS #12", append([]string{"tally", "--out", out, "--p12", p12, "--p12-password-file", wrong}, sk...)...)
	if after := must(t, append([]string{"log", "show"}, sk...)...); after != before {
		t.Fatalf("a refused certificate changed the log")
	}
	must(t, append([]string{"tally", "--out", out, "--p12", p12, "--p12-password-file", right}, sk...)...)
	sigOut, _ := exec.Command("pdfsig", filepath.Join(out, "bien-ban-kiem-phieu.pdf")).CombinedOutput()
	if !bytes.Contains(sigOut, []byte("Signature is Valid.")) || !bytes.Contains(sigOut, []byte("Van phong Dang uy Khoi")) {
		t.Errorf("pdfsig on the minutes signed with the organisation's PKCS #12:\n%s", sigOut)
	}
	must(t, append([]string{"tally", "--out", out, "--cert", orgCert, "--cert-key", orgKey}, sk...)...)
	fails(t, 2, "go together", append([]string{"tally", "--out", out, "--cert", orgCert}, sk...)...)
}
