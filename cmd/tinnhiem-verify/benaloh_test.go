package main

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot/box"
)

// encryptedBundle is the committed bundle of an encrypted session whose ceremony the audit files below use.
func encryptedBundle() string { return filepath.Join(vectors, "valid-encrypted", "bundle") }

// bundleCeremony reads the key ceremony's result from the committed encrypted bundle.
func bundleCeremony(t *testing.T) *box.Ceremony {
	t.Helper()
	var logged []byte
	rep := verifyPath(encryptedBundle(), nil, io.Discard, func(e *audit.Entry) {
		if e.Type == audit.KeyCeremonyCompleted {
			logged = append([]byte(nil), e.Data...)
		}
	})
	if !rep.OK() {
		t.Fatal("the committed encrypted bundle does not verify")
	}
	cer, err := ceremonyOfEntry(logged)
	if err != nil {
		t.Fatal(err)
	}
	return cer
}

// auditFile encrypts choices as the voter page does (a card key from a card code) and writes the audit file the
// page offers; it returns the path and the tracker as the phone shows it.
func auditFile(t *testing.T, dir string, session string, key box.Point, choices []int) (string, *box.Audit) {
	t.Helper()
	p := &box.Params{Session: session, JointKey: key, Lines: len(choices), Options: 3}
	card, err := box.CardKey(session, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
	if err != nil {
		t.Fatal(err)
	}
	b, sec, err := box.EncryptBallot(rand.Reader, p, card, choices)
	if err != nil {
		t.Fatal(err)
	}
	tr := b.Tracker(p)
	a := &box.Audit{Params: *p, Ballot: b, BallotJSON: box.FormatBallot(b), Randomness: sec.Randomness, Tracker: hex.EncodeToString(tr[:])}
	names := []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"}
	for k := range choices {
		a.Cadres = append(a.Cadres, box.AuditCadre{ID: "c" + string(rune('1'+k)), Name: names[k], Position: "Phó Giám đốc Sở"})
	}
	path := filepath.Join(dir, "tinnhiem-kiem-tra.json")
	if err := os.WriteFile(path, box.FormatAudit(a), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, a
}

// TestBenaloh: the verifier decodes an audit file to the choices that were encrypted, Vietnamese first, with the
// tracker the phone showed, and checks the joint key against the ceremony's result and against a bundle.
func TestBenaloh(t *testing.T) {
	cer := bundleCeremony(t)
	dir := t.TempDir()
	path, a := auditFile(t, dir, cer.Session, cer.JointKey, []int{1, 3, 0, 2})
	tr := a.Ballot.Tracker(&a.Params)
	code, out, errOut := run("benaloh", path)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"Mã xác nhận / tracker: " + audit.TrackerCode(audit.Hash(tr)) + "\n",
		"  1. Nguyễn Văn An (Phó Giám đốc Sở): Tín nhiệm cao / high confidence\n",
		"  2. Trần Thị Bình (Phó Giám đốc Sở): Tín nhiệm thấp / low confidence\n",
		"  3. Lê Văn Cường (Phó Giám đốc Sở): Không đánh dấu (không hợp lệ) / no mark (invalid)\n",
		"  4. Phạm Thị Dung (Phó Giám đốc Sở): Tín nhiệm / confidence\n",
		"✓ Phiếu mở được",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	resultPath := filepath.Join(dir, "result.json")
	writeJSON(t, resultPath, box.FormatCeremony(cer))
	for _, flagArgs := range [][]string{{"--result", resultPath}, {"--bundle", encryptedBundle()}} {
		code, out, errOut := run(append([]string{"benaloh"}, append(flagArgs, path)...)...)
		if code != 0 || !strings.Contains(out, "✓ Khóa chung khớp / the joint key matches: "+flagArgs[1]) {
			t.Errorf("%v: exit %d\n%s%s", flagArgs, code, out, errOut)
		}
	}
}

// TestBenalohRefuses: a file that is not an audit file, randomness that does not open the ballot, a ballot
// encrypted to another key than the ceremony's, and a tracker that is not the ballot's all exit 1 with a sentence.
func TestBenalohRefuses(t *testing.T) {
	cer := bundleCeremony(t)
	dir := t.TempDir()
	_, a := auditFile(t, dir, cer.Session, cer.JointKey, []int{1, 2})
	resultPath := filepath.Join(dir, "result.json")
	writeJSON(t, resultPath, box.FormatCeremony(cer))

	notAudit := filepath.Join(dir, "ballot.json")
	writeJSON(t, notAudit, a.BallotJSON)
	other := t.TempDir()
	_, b := auditFile(t, other, cer.Session, cer.JointKey, []int{1, 2})
	wrongRand := *a
	wrongRand.Randomness = b.Randomness
	wrongRandPath := filepath.Join(dir, "wrong-randomness.json")
	writeJSON(t, wrongRandPath, box.FormatAudit(&wrongRand))
	// A ballot encrypted to a key of the phone's own choosing: it opens, but not under the ceremony's key.
	otherCer := runOwnCeremony(t, cer.Session)
	foreignPath, _ := auditFile(t, t.TempDir(), cer.Session, otherCer.JointKey, []int{1, 2})
	badTracker := *a
	badTracker.Tracker = strings.Repeat("0", 64)
	badTrackerPath := filepath.Join(dir, "bad-tracker.json")
	writeJSON(t, badTrackerPath, box.FormatAudit(&badTracker))

	for _, c := range []struct {
		args []string
		want string
		out  bool
	}{
		{[]string{"benaloh", filepath.Join(dir, "missing.json")}, "does not exist", false},
		{[]string{"benaloh", notAudit}, "không đọc được tệp kiểm tra", false},
		{[]string{"benaloh", wrongRandPath}, "phiếu không mở được bằng độ ngẫu nhiên đã tiết lộ", false},
		{[]string{"benaloh", "--result", resultPath, foreignPath}, "khóa chung trong tệp kiểm tra không phải khóa của lễ tạo khóa", false},
		{[]string{"benaloh", badTrackerPath}, "✗ Mã xác nhận trong tệp khác mã tính lại", true},
	} {
		code, out, errOut := run(c.args...)
		got := errOut
		if c.out {
			got = out
		}
		if code != 1 || !strings.Contains(got, c.want) {
			t.Errorf("%v: exit %d, want 1 and %q\nstdout: %s\nstderr: %s", c.args, code, c.want, out, errOut)
		}
	}
	if code, _, errOut := run("benaloh"); code != 2 {
		t.Errorf("no file: exit %d, want 2: %s", code, errOut)
	}
}

// runOwnCeremony runs a one-trustee-of-two ceremony for session, as a phone that picked its own key could.
func runOwnCeremony(t *testing.T, session string) *box.Ceremony {
	t.Helper()
	var secrets []*box.TrusteeSecret
	var r1 []*box.Round1
	for i := 1; i <= 2; i++ {
		ts, r, err := box.NewTrustee(rand.Reader, session, 2, 1, i)
		if err != nil {
			t.Fatal(err)
		}
		secrets, r1 = append(secrets, ts), append(r1, r)
	}
	var r2 []*box.Round2
	for _, ts := range secrets {
		r, err := ts.Round2(r1)
		if err != nil {
			t.Fatal(err)
		}
		r2 = append(r2, r)
	}
	cer, err := box.Qualify(session, 2, 1, r1, r2, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cer
}
