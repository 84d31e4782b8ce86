package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"tinnhiem/audit"
	"tinnhiem/verify"
)

const vectors = "../../audit/testdata/bundles"

func validBundle() string { return filepath.Join(vectors, "valid", "bundle") }

// needTool returns the path of a tool, skipping the test when it is
// missing, except under CI=true where a missing tool is a failure.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

func run(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Main(args, &o, &e)
	return code, o.String(), e.String()
}

// TestDependencies keeps SQL, HTTP and cgo out of the verifier, so that it
// builds anywhere without a C compiler and cannot talk to a network.
func TestDependencies(t *testing.T) {
	goBin := needTool(t, "go")
	forbidden := []string{"database/sql", "net/http", "github.com/mattn/go-sqlite3", "runtime/cgo"}
	for _, cgo := range []string{"0", "1"} {
		cmd := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}", ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps (CGO_ENABLED=%s): %v", cgo, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			pkg, std, cgoFiles := f[0], f[1] == "true", f[2] != "0"
			for _, bad := range forbidden {
				// Even with cgo enabled nothing may pull in runtime/cgo:
				// audit writes the PEM key without crypto/x509, whose
				// dependency on net would bring in the cgo resolver.
				if pkg == bad {
					t.Errorf("CGO_ENABLED=%s: the verifier depends on %s", cgo, bad)
				}
			}
			if cgoFiles && !std {
				t.Errorf("CGO_ENABLED=%s: the verifier depends on %s, which uses cgo", cgo, pkg)
			}
		}
	}
}

func TestVerifyValidBundle(t *testing.T) {
	code, out, errOut := run(validBundle())
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"✓ Mọi mục nhật ký đúng mã băm và liên kết / every entry's hash and link",
		"Chưa ghim khóa", "compare this fingerprint", "Đồng ký / cosigned by: thanh-tra", "HỢP LỆ"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	vkey, err := os.ReadFile(filepath.Join(validBundle(), "keys", "tinnhiem.vkey"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{strings.TrimSpace(string(vkey)), filepath.Join(validBundle(), "keys", "tinnhiem.pub"), filepath.Join(validBundle(), "keys", "tinnhiem.vkey")} {
		if code, out, _ := run("--key", key, validBundle()); code != 0 || !strings.Contains(out, "khớp khóa đã ghim / matches the pinned key") {
			t.Errorf("--key %s: exit %d, want 0 and the key reported pinned:\n%s", key, code, out)
		}
	}
}

// TestVerifyEncryptedBundle: the three checks of an encrypted session are
// printed with what they saw, and skipped with the reason for a clear one.
func TestVerifyEncryptedBundle(t *testing.T) {
	code, out, errOut := run(filepath.Join(vectors, "valid-encrypted", "bundle"))
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"✓ Lễ tạo khóa của tổ kiểm phiếu được kiểm lại từ các thông điệp đã ghi / key ceremony re-qualified from its logged messages\n    3 trustees, 3 qualified, threshold 2\n",
		"✓ Mọi phiếu mã hóa có chứng minh và chữ ký của thẻ hợp lệ / every encrypted ballot's proofs and card signature\n    5 ballots, every proof and signature checked\n",
		"✓ Tổng mã hóa, các phần giải mã và kết quả giải mã khớp nhau / encrypted sum, partial decryptions and decrypted tally agree\n" +
			"    EncryptedTally is the sum of the 5 sealed ballots; trustees 1 and 3 combined; trustee 2's partial does not verify and was left out\n",
		"HỢP LỆ"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = run(validBundle())
	if want := "– Lễ tạo khóa của tổ kiểm phiếu được kiểm lại từ các thông điệp đã ghi / key ceremony re-qualified from its logged messages (bỏ qua / skipped: a clear session"; !strings.Contains(out, want) {
		t.Errorf("output of a clear session lacks %q:\n%s", want, out)
	}
	// The order of SPEC.md 10: events, then the ceremony, and the proofs
	// and decryption between the ballots and the tally.
	order := []string{"order of events", "key ceremony", "used cards were issued", "sealed ballots equal used cards",
		"every encrypted ballot's proofs", "decrypted tally agree", "recounted tally"}
	last := -1
	for _, w := range order {
		i := strings.Index(out, w)
		if i < last {
			t.Errorf("%q is printed out of order:\n%s", w, out)
		}
		last = i
	}
}

func TestVerifyBrokenBundles(t *testing.T) {
	tests := []struct {
		vector string
		want   []string
	}{
		{"changed-ballot", []string{"✗ Kết quả kiểm phiếu khớp khi đếm lại / recounted tally equals TallyComputed", "mục / entry 18:", "first bad entry: 18"}},
		{"dropped-entry", []string{"✗ Mọi mục nhật ký đúng mã băm và liên kết", "mục / entry 5:", "first bad entry: 5"}},
		{"manifest-hash-mismatch", []string{"✗ Hồ sơ đọc được", "README-vi-en.txt", "KHÔNG HỢP LỆ / INVALID"}},
		{"bad-ballot-proof", []string{"✗ Mọi phiếu mã hóa có chứng minh và chữ ký của thẻ hợp lệ / every encrypted ballot's proofs and card signature",
			"mục / entry 23: encrypted ballot: line 1: the proof", "– Tổng mã hóa", "first bad entry: 23"}},
		{"bad-share", []string{"✗ Lễ tạo khóa của tổ kiểm phiếu được kiểm lại từ các thông điệp đã ghi / key ceremony re-qualified from its logged messages",
			"mục / entry 17: KeyCeremonyCompleted is not what the logged messages qualify to"}},
		{"bad-partial-combined", []string{"✗ Tổng mã hóa, các phần giải mã và kết quả giải mã khớp nhau / encrypted sum, partial decryptions and decrypted tally agree",
			"mục / entry 31: DecryptedTally combines trustee 2, whose logged partial decryption does not verify"}},
		{"card-never-issued", []string{"✗ Thẻ đã dùng đều được phát hành", "mục / entry 22: the ballot of card", "comes from a card that was never issued"}},
	}
	for _, tt := range tests {
		code, out, _ := run(filepath.Join(vectors, tt.vector, "bundle"))
		if code != 1 {
			t.Errorf("%s: exit %d, want 1", tt.vector, code)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", tt.vector, w, out)
			}
		}
	}
}

func TestVerifyJSON(t *testing.T) {
	code, out, _ := run("--json", filepath.Join(vectors, "report-missing", "bundle"))
	var got struct {
		OK     bool           `json:"ok"`
		Checks []verify.Check `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	if code != 1 || got.OK || len(got.Checks) != len(verify.CheckIDs) {
		t.Fatalf("exit %d, ok %v, %d checks; want 1, false, %d", code, got.OK, len(got.Checks), len(verify.CheckIDs))
	}
	for _, c := range got.Checks {
		if (c.Status == verify.StatusFailed) != (c.ID == verify.CheckDocumentsPresent) || c.Vietnamese == "" || c.English == "" {
			t.Errorf("check %+v; want only documents-present failed, both languages", c)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"a", "b"}, {"--bogus", validBundle()}, {"receipt", validBundle()},
		{"receipt", "--receipt", "xyz", validBundle()}, {"extends", validBundle()}, {"keygen"}, {"--key", "nope+nope", validBundle()}} {
		if code, _, _ := run(args...); code != 2 {
			t.Errorf("tinnhiem-verify %q: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := run(filepath.Join(t.TempDir(), "missing.zip")); code != 1 || errOut != "" {
		t.Errorf("missing bundle: exit %d, stderr %q; want 1 and the report on stdout", code, errOut)
	}
}

func TestZipBundle(t *testing.T) {
	b, err := audit.ReadBundle(os.DirFS(validBundle()))
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	if err := audit.WriteZip(&zipped, b); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "bundle.zip")
	if err := os.WriteFile(p, zipped.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(p); code != 0 {
		t.Fatalf("zip bundle: exit %d, want 0\n%s", code, out)
	}
	if err := os.WriteFile(p, zipped.Bytes()[:zipped.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(p); code != 1 || !strings.Contains(out, "✗ Hồ sơ đọc được") {
		t.Fatalf("truncated zip: exit %d, want 1 and the bundle check failed\n%s", code, out)
	}
}

func TestReceipt(t *testing.T) {
	b, err := audit.ReadBundle(os.DirFS(validBundle()))
	if err != nil {
		t.Fatal(err)
	}
	var used audit.TokensData
	for _, e := range b.Entries {
		if e.Type == audit.TokensUsed {
			if err := e.Decode(&used); err != nil {
				t.Fatal(err)
			}
		}
	}
	code, out, _ := run("receipt", "--receipt", strings.ToLower(audit.Receipt(used.Hashes[2])), validBundle())
	if code != 0 || !strings.Contains(out, "✓ Đã tính") || !strings.Contains(out, "counted") {
		t.Errorf("used card: exit %d, want 0 and counted:\n%s", code, out)
	}
	code, out, _ = run("receipt", "--receipt", audit.Receipt(audit.Sum([]byte("never issued"))), validBundle())
	if code != 1 || !strings.Contains(out, "not found") {
		t.Errorf("unknown card: exit %d, want 1 and not found:\n%s", code, out)
	}
	code, out, _ = run("receipt", "--receipt", audit.Receipt(used.Hashes[0]), filepath.Join(vectors, "changed-tally", "bundle"))
	if code != 1 || !strings.Contains(out, "cannot be confirmed") {
		t.Errorf("receipt in a broken bundle: exit %d, want 1 and no confirmation:\n%s", code, out)
	}
}

// closeCopy writes the bundle as it stood at close: the log up to the
// checkpoint signed after the last TokensUsed, no tally, no documents.
func closeCopy(t *testing.T) string {
	t.Helper()
	b, err := audit.ReadBundle(os.DirFS(validBundle()))
	if err != nil {
		t.Fatal(err)
	}
	for i, cp := range b.Checkpoints {
		c, err := audit.ParseCheckpoint(strings.SplitN(string(cp), "\n\n", 2)[0] + "\n")
		if err != nil {
			t.Fatal(err)
		}
		if b.Entries[c.Size-1].Type == audit.TokensUsed {
			b.Entries, b.Checkpoints, b.Documents = b.Entries[:c.Size], b.Checkpoints[:i+1], nil
			break
		}
	}
	if b.Documents != nil {
		t.Fatal("the valid vector has no checkpoint at close")
	}
	dir := filepath.Join(t.TempDir(), "at-close")
	if err := audit.WriteBundle(dirWriter(dir), b); err != nil {
		t.Fatal(err)
	}
	return dir
}

type dirWriter string

func (d dirWriter) WriteFile(name string, data []byte) error {
	p := filepath.Join(string(d), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

func TestExtends(t *testing.T) {
	old := closeCopy(t)
	if code, out, _ := run("extends", old, validBundle()); code != 0 || !strings.Contains(out, "prefix") {
		t.Errorf("close copy → final: exit %d, want 0\n%s", code, out)
	}
	if code, out, _ := run("extends", validBundle(), old); code != 1 {
		t.Errorf("final → close copy: exit %d, want 1\n%s", code, out)
	}
	// A final bundle whose history differs (re-signed by the operator)
	// verifies on its own but does not extend the copy taken at close.
	if code, out, _ := run("extends", old, filepath.Join(vectors, "checkpoint-not-matching", "bundle")); code != 1 {
		t.Errorf("rewritten history: exit %d, want 1\n%s", code, out)
	}
}

func TestKeygenAndCosign(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "inspector.key")
	code, out, errOut := run("keygen", "--key", key, "--name", "thanh-tra-tinh")
	if code != 0 {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, errOut)
	}
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want 0600", err, st.Mode())
	}
	if code, _, _ := run("keygen", "--key", key); code != 1 {
		t.Errorf("keygen over an existing key: exit %d, want 1", code)
	}
	cp := filepath.Join(validBundle(), "checkpoints", "0002.note")
	cosigned := filepath.Join(dir, "cosigned.note")
	if code, out, errOut := run("cosign", "--key", key, "--out", cosigned, cp); code != 0 {
		t.Fatalf("cosign: exit %d\n%s%s", code, out, errOut)
	}
	raw, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	k, err := audit.ParseKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, err := audit.ReadBundle(os.DirFS(validBundle()))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := os.ReadFile(cosigned)
	if err != nil {
		t.Fatal(err)
	}
	server, err := note.NewVerifier(b.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := verify.CheckCosignature(msg, k.VerifierKey(), server, b.Entries); err != nil {
		t.Fatalf("the cosigned checkpoint does not check: %v", err)
	}
	if code, _, _ := run("cosign", "--key", key, filepath.Join(validBundle(), "log.jsonl")); code != 1 {
		t.Errorf("cosigning a file that is not a checkpoint: exit %d, want 1", code)
	}
}
