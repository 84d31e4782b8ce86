//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"tinnhiem/ballot/box"
)

// These tests put a phone among the laptops: trustee 1 is the browser bundle (web/static/box.js, what the trustee
// page loads) driven by web/box/test/trustee-cli.mjs under node, trustees 2 and 3 the real tinnhiem-verify binary.
// The phone and the laptops exchange the same files through the stick.

// phone is trustee 1's device: the bundle under node, working in the laptop's directory.
type phone struct {
	t      *testing.T
	node   string
	script string
	l      *laptop
}

func newPhone(t *testing.T, l *laptop) *phone {
	t.Helper()
	node := needTool(t, "node")
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	script := filepath.Join(root, "web", "box", "test", "trustee-cli.mjs")
	if _, err := os.Stat(filepath.Join(root, "web", "static", "box.js")); err != nil {
		t.Fatal(err)
	}
	return &phone{t: t, node: node, script: script, l: l}
}

// run calls the bundle's trustee API through the script; it returns the exit status and standard error.
func (p *phone) run(args ...string) (int, string) {
	p.t.Helper()
	cmd := exec.Command(p.node, append([]string{p.script}, args...)...)
	cmd.Dir = p.l.dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	start := time.Now()
	err := cmd.Run()
	p.t.Logf("phone %s: %v", args[0], time.Since(start).Round(time.Millisecond))
	*p.l.logs = append(*p.l.logs, o.String(), e.String())
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), e.String()
	} else if err != nil {
		p.t.Fatalf("node %v: %v", args, err)
	}
	return 0, e.String()
}

func (p *phone) must(args ...string) {
	p.t.Helper()
	if code, errOut := p.run(args...); code != 0 {
		p.t.Fatalf("phone %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(data)
}

// TestTrusteePhoneAndLaptops runs a ceremony n=3, t=2 where trustee 1 is the phone and trustees 2 and 3 laptops:
// all three get the same joint key; the phone's sealed secret opens with `trustee key --passphrase-file` and gives
// the very key file the phone computed; a laptop's sealed key opens on the phone; a wrong passphrase is refused
// clearly on both sides; the phone's partial decryption verifies in Go and combines with a laptop's.
func TestTrusteePhoneAndLaptops(t *testing.T) {
	const session = "2026-12-02-dien-thoai-va-may-tinh"
	c := newCommittee(t, session) // trustee 2's laptop seals its files with pass-nfc.txt / pass-nfd.txt
	ph := newPhone(t, c.laptop(1))
	l1, l2, l3 := c.laptop(1), c.laptop(2), c.laptop(3)
	type file struct {
		l          *laptop
		name, text string
	}
	for _, f := range []file{{l1, "pass.txt", passphraseVi}, {l1, "wrong.txt", passphraseVi + "!"}, {l3, "pass.txt", "mật khẩu máy ba"}} {
		if err := os.WriteFile(f.l.path(f.name), []byte(f.text+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// Round 1: the phone seals its secret under the same Vietnamese passphrase as trustee 2's laptop.
	ph.must("round1", session, "3", "2", "1", "secret.json", "round1-1.json", "pass.txt")
	if m := mode(t, l1.path("secret.json")); m != 0o600 {
		t.Errorf("the phone's secret file has mode %#o, want 0600", m)
	}
	if sniffFormat(readFile(t, l1.path("secret.json"))) != FormatSealedV1 {
		t.Fatalf("the phone's secret file is not sealed:\n%s", readFile(t, l1.path("secret.json")))
	}
	l1.send(c.stick, "round1-1.json")
	l2.must("trustee", "round1", "--session", session, "--n", "3", "--trustee", "2", "--secret", "secret.json", "--out", "round1-2.json", "--passphrase-file", "pass-nfc.txt")
	l2.send(c.stick, "round1-2.json")
	l3.must("trustee", "round1", "--session", session, "--n", "3", "--trustee", "3", "--secret", "secret.json", "--out", "round1-3.json", "--passphrase-file", "pass.txt")
	l3.send(c.stick, "round1-3.json")
	c.pass[3] = "pass.txt"

	phoneRound := func(name string) {
		l1.receive(c.stick)
		ph.must(name, "secret.json", "inbox", name+"-1.json", "pass.txt")
		l1.send(c.stick, name+"-1.json")
	}
	// Round 2: the laptops read the phone's round 1, the phone theirs; each laptop's round 3 decrypts and checks the
	// phone's share, the phone's round 3 the laptops' shares.
	phoneRound("round2")
	c.round("round2", 2)
	c.round("round2", 3)
	phoneRound("round3")
	for i := 2; i <= 3; i++ {
		if out := c.round("round3", i); !strings.Contains(out, "✓ Phần chia của thành viên 1 đúng") || strings.Contains(out, "✗") {
			t.Errorf("laptop %d round3: the phone's share does not check:\n%s", i, out)
		}
	}
	r3, err := box.ParseRound3(readFile(t, filepath.Join(c.stick, "round3-1.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(r3.Complaints) != 0 || fmt.Sprint(r3.Checked) != "[2 3]" {
		t.Fatalf("the phone's round 3: %d complaints, checked %v; want a confirmation with [2 3]", len(r3.Complaints), r3.Checked)
	}

	// The result, the keys: laptops with the binary, the phone with the bundle, all from the same messages.
	out := c.result(2)
	if !strings.Contains(out, "qualified: trustees 1, 2, 3") {
		t.Fatalf("result:\n%s", out)
	}
	copyFile(t, l2.path("result.json"), filepath.Join(c.stick, "result.json"))
	copyFile(t, l2.path("result.json"), l3.path("result.json"))
	c.key(2)
	c.key(3)
	l1.receive(c.stick)
	ph.must("key", "secret.json", "inbox", "inbox/result.json", "key.json", "pass.txt")
	cer := readCeremony(t, l2.path("result.json"))
	phoneKey, err := box.ParseTrusteeKey(readFile(t, l1.path("key.json")))
	if err != nil {
		t.Fatal(err)
	}
	laptop2Key, err := box.ParseTrusteeKey(openTrusteeFile(t, l2.path("key.json"), []byte(passphraseVi)))
	if err != nil {
		t.Fatal(err)
	}
	if phoneKey.JointKey != cer.JointKey || laptop2Key.JointKey != cer.JointKey {
		t.Fatal("the phone, laptop 2 and the result do not have the same joint key")
	}
	if vk, _ := verificationKey(cer, 1); vk != baseMult(phoneKey.Secret) {
		t.Fatal("the phone's key share does not match its verification key")
	}

	// A laptop opens the phone's sealed secret with --passphrase-file and computes the same key file, byte for byte.
	l1.must("trustee", "key", "--secret", "secret.json", "--passphrase-file", "pass.txt", "--result", "inbox/result.json", "--out", "key-by-laptop.json", "inbox")
	// The laptop tool seals the key file under the secret's passphrase.
	if !bytes.Equal(openTrusteeFile(t, l1.path("key-by-laptop.json"), []byte(passphraseVi)), readFile(t, l1.path("key.json"))) {
		t.Error("the laptop tool and the phone computed different key files from the phone's secret")
	}
	// A wrong passphrase: the laptop tool refuses the phone's file clearly, and writes nothing.
	l1.refused("key-wrong.json", []string{"sai mật khẩu", "wrong passphrase"},
		"trustee", "key", "--secret", "secret.json", "--passphrase-file", "wrong.txt", "--result", "inbox/result.json", "--out", "key-wrong.json", "inbox")

	// The phone opens laptop 3's sealed key file (the laptop tool's cost: 64 MiB, 3 passes, 4 lanes), and refuses it
	// under a wrong passphrase.
	copyFile(t, l3.path("key.json"), l1.path("key-3.sealed.json"))
	if err := os.Chmod(l1.path("key-3.sealed.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(l1.path("pass-3.txt"), []byte("mật khẩu máy ba\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ph.must("unseal", "key-3.sealed.json", "pass-3.txt", "key-3.json")
	if !bytes.Equal(readFile(t, l1.path("key-3.json")), box.FormatTrusteeKey(mustKey(t, openTrusteeFile(t, l3.path("key.json"), []byte("mật khẩu máy ba"))))) {
		t.Error("the phone opened laptop 3's sealed key to something else")
	}
	if code, errOut := ph.run("unseal", "key-3.sealed.json", "wrong.txt", "key-3-wrong.json"); code != 1 || !strings.Contains(errOut, "sai mật khẩu") || !strings.Contains(errOut, "wrong passphrase") {
		t.Errorf("the phone under a wrong passphrase: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(l1.path("key-3-wrong.json")); err == nil {
		t.Error("the phone refused a wrong passphrase but wrote the file")
	}
	// The phone seals its key file; the laptop tool decrypts with it below.
	ph.must("seal", "key.json", "pass.txt", "key.sealed.json")

	// The count: 30 ballots of 4 cadres on 3 levels; the phone and laptop 3 decrypt, trustee 2 stays away.
	tally, want := encryptedTally(t, session, cer.JointKey, 4, 3, 30, 7)
	writeJSON(t, filepath.Join(c.stick, "tally.json"), box.FormatTally(tally))
	l1.receive(c.stick)
	ph.must("decrypt", "key.sealed.json", "inbox/tally.json", "4", "3", "partial-1.json", "pass.txt")
	p := &box.Params{Session: session, JointKey: cer.JointKey, Lines: 4, Options: 3}
	part1, err := box.ParsePartial(readFile(t, l1.path("partial-1.json")))
	if err != nil {
		t.Fatal(err)
	}
	if err := box.VerifyPartial(p, cer, tally, part1); err != nil {
		t.Fatalf("the phone's partial decryption does not verify in Go: %v", err)
	}
	l3.receive(c.stick)
	l3.must("trustee", "decrypt", "--key", "key.json", "--passphrase-file", "pass.txt", "--tally", "inbox/tally.json", "--result", "result.json", "--out", "partial-3.json")
	// The laptop tool decrypts with the key file the phone sealed, too.
	l1.must("trustee", "decrypt", "--key", "key.sealed.json", "--passphrase-file", "pass.txt", "--tally", "inbox/tally.json", "--result", "inbox/result.json", "--out", "partial-1-laptop.json")
	l1.send(c.stick, "partial-1.json")
	l3.send(c.stick, "partial-3.json")
	inspector := newLaptop(t, l1.bin, filepath.Dir(c.stick), "inspector", &c.logs)
	copyFile(t, l2.path("result.json"), inspector.path("result.json"))
	copyFile(t, filepath.Join(c.stick, "tally.json"), inspector.path("tally.json"))
	for _, f := range []string{"partial-1.json", "partial-3.json"} {
		copyFile(t, filepath.Join(c.stick, f), inspector.path(filepath.Join("inbox", f)))
	}
	out = inspector.must("trustee", "combine", "--result", "result.json", "--tally", "tally.json", "--out", "counts.json", "inbox")
	if !strings.Contains(out, "combined from trustees 1, 3") || strings.Contains(out, "✗") {
		t.Fatalf("combine:\n%s", out)
	}
	sameCounts(t, "the phone and laptop 3", readResult(t, inspector.path("counts.json")), want)

	// No secret of any trustee in anything the phone or the laptops printed.
	secrets := [][]byte{readFile(t, l1.path("key.json")), readFile(t, l1.path("key-3.json"))}
	for _, k := range []*box.TrusteeKey{phoneKey, laptop2Key} {
		secrets = append(secrets, []byte(b64.EncodeToString(k.Secret[:])))
	}
	for _, logged := range c.logs {
		for _, s := range secrets {
			if s := string(s); strings.Contains(logged, s[len(s)-20:]) {
				t.Errorf("a secret was printed:\n%s", logged)
			}
		}
		if strings.Contains(logged, passphraseVi) {
			t.Errorf("a passphrase was printed:\n%s", logged)
		}
	}
}

func mustKey(t *testing.T, data []byte) *box.TrusteeKey {
	t.Helper()
	k, err := box.ParseTrusteeKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestTrusteePhoneComplains tampers laptop 2's share for the phone: the phone's round 3 complains, and the laptop
// tool's result (Go's Qualify) disqualifies dealer 2 for its share; the phone and laptop 3 still get their keys.
func TestTrusteePhoneComplains(t *testing.T) {
	const session = "2026-12-02-phan-chia-sai"
	c := newCommittee(t, session)
	delete(c.pass, 2) // nobody seals here: the test reads laptop 2's secret to forge its share
	ph := newPhone(t, c.laptop(1))
	l1, l2 := c.laptop(1), c.laptop(2)
	ph.must("round1", session, "3", "2", "1", "secret.json", "round1-1.json")
	l1.send(c.stick, "round1-1.json")
	for i := 2; i <= 3; i++ {
		c.laptop(i).must("trustee", "round1", "--session", session, "--n", "3", "--trustee", fmt.Sprint(i), "--secret", "secret.json", "--out", fmt.Sprintf("round1-%d.json", i))
		c.laptop(i).send(c.stick, fmt.Sprintf("round1-%d.json", i))
	}
	l1.receive(c.stick)
	ph.must("round2", "secret.json", "inbox", "round2-1.json")
	l1.send(c.stick, "round2-1.json")
	c.round("round2", 2)
	c.round("round2", 3)

	// Laptop 2's share for the phone becomes f_2(1)+1, correctly encrypted: only the commitments catch it.
	ts, err := box.ParseTrusteeSecret(readFile(t, l2.path("secret.json")))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := box.ParseRound2(readFile(t, filepath.Join(c.stick, "round2-2.json")))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Shares[0].To != 1 {
		t.Fatalf("round 2 of trustee 2 starts with a share for %d", msg.Shares[0].To)
	}
	msg.Shares[0].Ciphertext = badShare(t, ts, readRound1(t, filepath.Join(c.stick, "round1-2.json")), readRound1(t, filepath.Join(c.stick, "round1-1.json")))
	writeJSON(t, filepath.Join(c.stick, "round2-2.json"), box.FormatRound2(msg))

	l1.receive(c.stick)
	ph.must("round3", "secret.json", "inbox", "round3-1.json")
	l1.send(c.stick, "round3-1.json")
	r3, err := box.ParseRound3(readFile(t, l1.path("round3-1.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(r3.Complaints) != 1 || r3.Complaints[0].Against != 2 || fmt.Sprint(r3.Checked) != "[3]" {
		t.Fatalf("the phone's round 3: %d complaints, checked %v; want one against trustee 2, checked [3]", len(r3.Complaints), r3.Checked)
	}
	c.round("round3", 2)
	c.round("round3", 3)
	out := c.result(3)
	for _, w := range []string{"qualified: trustees 1, 3", "disqualified: thành viên / trustee 2"} {
		if !strings.Contains(out, w) {
			t.Errorf("result lacks %q:\n%s", w, out)
		}
	}
	cer := readCeremony(t, c.laptop(3).path("result.json"))
	if len(cer.Disqualified) != 1 || cer.Disqualified[0] != (box.Disqualification{Trustee: 2, Reason: "share"}) {
		t.Fatalf("disqualified %+v, want trustee 2 for its share", cer.Disqualified)
	}
	copyFile(t, c.laptop(3).path("result.json"), filepath.Join(c.stick, "result.json"))
	l1.receive(c.stick)
	ph.must("key", "secret.json", "inbox", "inbox/result.json", "key.json")
	if k := mustKey(t, readFile(t, l1.path("key.json"))); k.JointKey != cer.JointKey {
		t.Error("the phone's key is not for the qualified trustees' joint key")
	}
	c.key(3)
	// The dealer it accused gets no key, on its laptop as on a phone.
	l2.receive(c.stick)
	l2.refused("key.json", []string{"trustee 2 is not qualified"}, "trustee", "key", "--secret", "secret.json", "--out", "key.json", "inbox")
}
