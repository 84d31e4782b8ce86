package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/verify"
)

// closedVote runs a small vote to its close on a real SQLite file and
// returns the database path and the session ID.
func closedVote(t *testing.T) (db, id string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db = filepath.Join(dir, "vote.db")
	key, err := readKeyFile(newInstallation(db, "").Key, true)
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ballot.NewService(store, key, nil, nil)
	ok := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sess, err := svc.CreateSession(ctx, "cli:test", ballot.NewSession{Title: "Hội nghị", Body: "Đảng ủy", Date: "2026-11-22", Place: "Hà Nội"})
	ok(err)
	ok(svc.ImportRoster(ctx, "cli:test", sess.ID, []ballot.Member{{Name: "An"}, {Name: "Bình"}, {Name: "Cúc"}}))
	ok(svc.ImportCadres(ctx, "cli:test", sess.ID, []ballot.Cadre{{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư"}}))
	_, err = svc.CheckIn(ctx, "cli:test", sess.ID, nil, true)
	ok(err)
	var cards []string
	ok(svc.IssueTokens(ctx, "cli:test", sess.ID, 3, func(ts []string) error { cards = ts; return nil }))
	ok(svc.Open(ctx, "cli:test", sess.ID, false, ""))
	for _, c := range cards[:2] {
		_, err := svc.Cast(ctx, c, map[string][]ballot.Level{"c1": {ballot.High}})
		ok(err)
	}
	ok(svc.Close(ctx, "cli:test", sess.ID))
	return db, sess.ID
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func readZipBundle(t *testing.T, p string) *audit.Bundle {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	b, err := audit.ReadBundle(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExportAndCosign(t *testing.T) {
	db, id := closedVote(t)
	dir := filepath.Dir(db)
	atClose := filepath.Join(dir, "at-close.zip")
	if code, out, errOut := runCLI(t, "export", "--db", db, "--session", id, "--out", atClose); code != 0 {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	old := readZipBundle(t, atClose)
	if rep := verify.Bundle(old, verify.Options{}); !rep.OK() {
		t.Fatalf("exported bundle does not verify: %+v", rep.FirstFailure())
	}
	if code, _, errOut := runCLI(t, "export", "--db", db, "--session", id, "--out", atClose); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("export over an existing file: exit %d, %s; want 1 and a refusal", code, errOut)
	}

	// An inspector cosigns the checkpoint signed at close.
	inspector, err := audit.GenerateKey(rand.Reader, "thanh-tra")
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := verify.Cosign(old.Checkpoints[len(old.Checkpoints)-1], inspector)
	if err != nil {
		t.Fatal(err)
	}
	cosig := filepath.Join(dir, "cosigned.note")
	if err := os.WriteFile(cosig, cosigned, 0o644); err != nil {
		t.Fatal(err)
	}
	// Refusals first: each must leave the log as it was.
	forged := bytes.Replace(cosigned, []byte("size "), []byte("size 1"), 1)
	if err := os.WriteFile(filepath.Join(dir, "forged.note"), forged, 0o644); err != nil {
		t.Fatal(err)
	}
	other, _ := audit.GenerateKey(rand.Reader, "thanh-tra")
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"--cosigner", inspector.VerifierKey(), filepath.Join(dir, "forged.note")}, 1},
		{[]string{"--cosigner", other.VerifierKey(), cosig}, 1},
		{[]string{cosig}, 2},
	} {
		args := append([]string{"cosign", "add", "--db", db, "--session", id}, tt.args...)
		if code, out, errOut := runCLI(t, args...); code != tt.code {
			t.Errorf("%q: exit %d, want %d\n%s%s", args, code, tt.code, out, errOut)
		}
	}
	if code, out, errOut := runCLI(t, "cosign", "add", "--db", db, "--session", id, "--cosigner", inspector.VerifierKey(), cosig); code != 0 {
		t.Fatalf("cosign add: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "cosign", "add", "--db", db, "--session", id, "--cosigner", inspector.VerifierKey(), cosig); code != 1 || !strings.Contains(errOut, "already") {
		t.Errorf("second cosign add: exit %d, %s; want 1, recorded already", code, errOut)
	}

	final := filepath.Join(dir, "final") + "/"
	if code, out, errOut := runCLI(t, "export", "--db", db, "--session", id, "--out", final); code != 0 {
		t.Fatalf("export to a directory: exit %d\n%s%s", code, out, errOut)
	}
	b, err := audit.ReadBundle(os.DirFS(final))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := audit.PublicKeyFromVerifierKey(old.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	rep := verify.Bundle(b, verify.Options{Key: pub})
	if !rep.OK() {
		t.Fatalf("final bundle does not verify: %+v", rep.FirstFailure())
	}
	if len(rep.Cosigners) != 1 || rep.Cosigners[0].Key != inspector.VerifierKey() {
		t.Errorf("cosigners = %+v, want the inspector", rep.Cosigners)
	}
	if err := verify.Extends(old, b); err != nil {
		t.Errorf("the final bundle does not extend the one exported at close: %v", err)
	}
	if len(b.Entries) != len(old.Entries)+1 || b.Entries[len(b.Entries)-1].Type != audit.CosignatureAdded {
		t.Errorf("log grew from %d to %d entries, want exactly one CosignatureAdded", len(old.Entries), len(b.Entries))
	}
	if code, _, _ := runCLI(t, "export", "--db", db, "--session", id, "--out", final); code != 1 {
		t.Errorf("export into a non-empty directory: exit %d, want 1", code)
	}
	if code, _, _ := runCLI(t, "export", "--db", db, "--session", "khong-co", "--out", filepath.Join(dir, "x.zip")); code != 1 {
		t.Errorf("export of an unknown session: exit %d, want 1", code)
	}
}
