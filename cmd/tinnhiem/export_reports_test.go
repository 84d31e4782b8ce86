package main

import (
	"archive/zip"
	"path/filepath"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/verify"

	"tinnhiem/cmd/internal/layout"
)

// TestExportedReportsVerify tallies a closed vote with the real command
// (signed PDFs, results files, detached signatures), exports the bundle as
// a zip and verifies it as tinnhiem-verify does: every check holds, the
// PDFs name their session and themselves, and the results files state the
// logged tally. An honest export must satisfy every rule the verifier
// applies to documents.
func TestExportedReportsVerify(t *testing.T) {
	db, id := closedVote(t)
	dir := filepath.Dir(db)
	for _, args := range [][]string{
		{"session", "committee", "--db", db, "--session", id, "--member", "An", "--member", "Bình"},
		{"tally", "--db", db, "--session", id, "--out", filepath.Join(dir, "reports")},
		{"export", "--db", db, "--session", id, "--out", filepath.Join(dir, "hoso.zip")},
	} {
		if code, out, errOut := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	zr, err := zip.OpenReader(filepath.Join(dir, "hoso.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	key, err := readKeyFile(layout.New(db, "").Key, false)
	if err != nil {
		t.Fatal(err)
	}
	rep := verify.BundleFS(zr, verify.Options{Key: key.PublicKey()})
	// The session is a clear one: the checks of an encrypted ballot box
	// do not apply to it and say so; every other check holds.
	encrypted := map[string]bool{verify.CheckCeremony: true, verify.CheckBallotProofs: true, verify.CheckDecryption: true}
	for _, c := range rep.Checks {
		want := verify.StatusOK
		if encrypted[c.ID] {
			want = verify.StatusSkipped
		}
		if c.Status != want {
			t.Errorf("check %s = %s (entry %d: %s), want %s", c.ID, c.Status, c.Entry, c.Detail, want)
		}
	}
	b, err := audit.OpenBundle(zr)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range b.Documents {
		names = append(names, d.Name)
	}
	want := []string{"bao-cao-c1.pdf", "bien-ban-kiem-phieu.pdf", "results.csv", "results.json"}
	if len(names) != len(want) {
		t.Fatalf("documents %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("documents %v, want %v", names, want)
		}
	}
	if d := rep.Check(verify.CheckDocumentSession).Detail; d != "PDF files naming session "+id+" and themselves: 2" {
		t.Errorf("document-session: %q, want both PDFs checked", d)
	}
}
