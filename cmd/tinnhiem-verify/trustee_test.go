//go:build unix

package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/gtank/ristretto255"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/text/unicode/norm"

	"tinnhiem/ballot/box"
)

// These tests run the real tinnhiem-verify binary, built without cgo as the committee gets it, once per trustee
// "laptop" (a directory of its own), and carry the public messages between laptops through a "stick" directory.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

func verifierBinary(t *testing.T) string {
	t.Helper()
	goBin := needTool(t, "go")
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "tinnhiem-verify-bin")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "tinnhiem-verify")
		cmd := exec.Command(goBin, "build", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// laptop is one machine of the ceremony: a directory where the binary runs, with an inbox of received messages.
type laptop struct {
	t    *testing.T
	bin  string
	dir  string
	logs *[]string // every stdout and stderr, to search for secrets
}

func newLaptop(t *testing.T, bin, root, name string, logs *[]string) *laptop {
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Join(dir, "inbox"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &laptop{t: t, bin: bin, dir: dir, logs: logs}
}

func (l *laptop) path(name string) string { return filepath.Join(l.dir, name) }

// run executes tinnhiem-verify in the laptop's directory with no terminal on standard input.
func (l *laptop) run(args ...string) (int, string, string) {
	l.t.Helper()
	cmd := exec.Command(l.bin, args...)
	cmd.Dir = l.dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		l.t.Fatalf("run %v: %v", args, err)
	}
	*l.logs = append(*l.logs, o.String(), e.String())
	return code, o.String(), e.String()
}

func (l *laptop) must(args ...string) string {
	l.t.Helper()
	code, out, errOut := l.run(args...)
	if code != 0 {
		l.t.Fatalf("tinnhiem-verify %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// refused runs a command that must fail with exit 1, write no out file, and say all of want.
func (l *laptop) refused(out string, want []string, args ...string) string {
	l.t.Helper()
	code, stdout, stderr := l.run(args...)
	if code != 1 {
		l.t.Fatalf("tinnhiem-verify %s: exit %d, want 1\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stdout+stderr, w) {
			l.t.Errorf("tinnhiem-verify %s: output lacks %q:\n%s%s", strings.Join(args, " "), w, stdout, stderr)
		}
	}
	if out != "" {
		if _, err := os.Stat(l.path(out)); err == nil {
			l.t.Errorf("tinnhiem-verify %s refused but wrote %s", strings.Join(args, " "), out)
		}
	}
	return stdout + stderr
}

// send copies a laptop's file to the stick; receive copies the whole stick into the laptop's inbox.
func (l *laptop) send(stick, name string) {
	l.t.Helper()
	copyFile(l.t, l.path(name), filepath.Join(stick, name))
}

func (l *laptop) receive(stick string) {
	l.t.Helper()
	entries, err := os.ReadDir(stick)
	if err != nil {
		l.t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			copyFile(l.t, filepath.Join(stick, e.Name()), l.path(filepath.Join("inbox", e.Name())))
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// committee is three laptops, their stick, and the passphrase file of each trustee that seals its files.
type committee struct {
	t       *testing.T
	session string
	stick   string
	laptops []*laptop
	pass    map[int]string // trustee → passphrase file on its laptop
	logs    []string
}

const passphraseVi = "Bầu cử trung thực, khách quan"

func newCommittee(t *testing.T, session string) *committee {
	bin := verifierBinary(t)
	root := t.TempDir()
	c := &committee{t: t, session: session, stick: filepath.Join(root, "stick"), pass: map[int]string{}}
	if err := os.Mkdir(c.stick, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		c.laptops = append(c.laptops, newLaptop(t, bin, root, fmt.Sprintf("laptop%d", i), &c.logs))
	}
	// Trustee 2 seals its files; it wrote the passphrase composed (NFC) in round 1 and types it decomposed (NFD)
	// later, as another keyboard would: both must open the file.
	l2 := c.laptops[1]
	for name, form := range map[string]norm.Form{"pass-nfc.txt": norm.NFC, "pass-nfd.txt": norm.NFD} {
		if err := os.WriteFile(l2.path(name), []byte(form.String(passphraseVi)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if norm.NFC.String(passphraseVi) == norm.NFD.String(passphraseVi) {
		t.Fatal("the passphrase's two forms are the same bytes: the test would not test normalisation")
	}
	c.pass[2] = "pass-nfd.txt"
	return c
}

func (c *committee) laptop(i int) *laptop { return c.laptops[i-1] }

// passArgs are the passphrase flags of trustee i's commands after round 1.
func (c *committee) passArgs(i int) []string {
	if f, ok := c.pass[i]; ok {
		return []string{"--passphrase-file", f}
	}
	return nil
}

func (c *committee) round1() {
	for i := 1; i <= 3; i++ {
		l := c.laptop(i)
		args := []string{"trustee", "round1", "--session", c.session, "--n", "3", "--trustee", fmt.Sprint(i), "--secret", "secret.json",
			"--out", fmt.Sprintf("round1-%d.json", i)}
		if i == 2 {
			args = append(args, "--passphrase-file", "pass-nfc.txt")
		}
		out := l.must(args...)
		if !strings.Contains(out, "(t=2)") {
			c.t.Errorf("trustee %d round1: the default threshold of 3 is not 2:\n%s", i, out)
		}
		l.send(c.stick, fmt.Sprintf("round1-%d.json", i))
	}
}

func (c *committee) round(name string, i int) string {
	l := c.laptop(i)
	l.receive(c.stick)
	file := fmt.Sprintf("%s-%d.json", name, i)
	out := l.must(append([]string{"trustee", name, "--secret", "secret.json", "--in", "inbox", "--out", file}, c.passArgs(i)...)...)
	l.send(c.stick, file)
	return out
}

func (c *committee) result(i int) string {
	l := c.laptop(i)
	l.receive(c.stick)
	return l.must("trustee", "result", "inbox", "--out", "result.json")
}

func (c *committee) key(i int) string {
	l := c.laptop(i)
	l.receive(c.stick)
	return l.must(append([]string{"trustee", "key", "--secret", "secret.json", "--result", "result.json", "--out", "key.json", "inbox"}, c.passArgs(i)...)...)
}

func readCeremony(t *testing.T, path string) *box.Ceremony {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cer, err := box.ParseCeremony(bytes.TrimSpace(data))
	if err != nil {
		t.Fatal(err)
	}
	return cer
}

// encryptedTally encrypts ballots with known choices as the voters' phones would, sums them as the server does
// at close, and returns the tally with the counts it must decrypt to.
func encryptedTally(t *testing.T, session string, jointKey box.Point, lines, options, voters int, seed uint64) (*box.Tally, *box.Result) {
	t.Helper()
	p := &box.Params{Session: session, JointKey: jointKey, Lines: lines, Options: options}
	rng := mrand.New(mrand.NewPCG(seed, seed))
	want := &box.Result{Session: session, Ballots: voters, Lines: make([]box.ResultLine, lines)}
	for k := range want.Lines {
		want.Lines[k].Counts = make([]int, options)
	}
	var ballots []*box.Ballot
	for v := 0; v < voters; v++ {
		code := make([]byte, 20)
		rand.Read(code)
		card, err := box.CardKey(session, base32.StdEncoding.EncodeToString(code))
		if err != nil {
			t.Fatal(err)
		}
		choices := make([]int, lines)
		for k := range choices {
			switch r := rng.IntN(10); {
			case r == 0:
				choices[k] = 0 // left unmarked
			case r == 1 && v%10 == 0:
				choices[k] = box.MultipleMarks // a paper ballot with two marks on this line
			default:
				choices[k] = 1 + rng.IntN(options)
			}
			switch c := choices[k]; {
			case c > 0:
				want.Lines[k].Counts[c-1]++
			case c == box.MultipleMarks:
				want.Lines[k].Invalid++
				want.Lines[k].MultipleMarks++
			default:
				want.Lines[k].Invalid++
			}
		}
		b, _, err := box.EncryptBallot(rand.Reader, p, card, choices)
		if err != nil {
			t.Fatal(err)
		}
		ballots = append(ballots, b)
	}
	tally, err := box.VerifyAndSum(rand.Reader, p, ballots, true)
	if err != nil {
		t.Fatal(err)
	}
	return tally, want
}

func writeJSON(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readResult(t *testing.T, path string) *box.Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := box.ParseResult(bytes.TrimSpace(data))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func sameCounts(t *testing.T, what string, got, want *box.Result) {
	t.Helper()
	if len(got.Lines) != len(want.Lines) || got.Ballots != want.Ballots {
		t.Fatalf("%s: %d lines of %d ballots, want %d of %d", what, len(got.Lines), got.Ballots, len(want.Lines), want.Ballots)
	}
	for k := range want.Lines {
		g, w := got.Lines[k], want.Lines[k]
		if fmt.Sprint(g.Counts) != fmt.Sprint(w.Counts) || g.Invalid != w.Invalid || g.MultipleMarks != w.MultipleMarks {
			t.Errorf("%s: line %d: counts %v invalid %d multiple %d; want %v %d %d", what, k+1, g.Counts, g.Invalid, g.MultipleMarks, w.Counts, w.Invalid, w.MultipleMarks)
		}
	}
}

// TestTrusteeCeremonyAndCount runs a whole ceremony of three trustees (any two decrypt), each on its own laptop,
// then counts an encrypted tally of 50 ballots with trustees 1 and 3 while trustee 2 stays away.
func TestTrusteeCeremonyAndCount(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	const session = "2026-11-22-hoi-nghi-ban-chap-hanh"
	c := newCommittee(t, session)
	c.round1()
	for i := 1; i <= 3; i++ {
		l := c.laptop(i)
		if m := mode(t, l.path("secret.json")); m != 0o600 {
			t.Errorf("trustee %d: the secret file has mode %#o under umask 000, want 0600", i, m)
		}
		if m := mode(t, l.path(fmt.Sprintf("round1-%d.json", i))); m != 0o644 {
			t.Errorf("trustee %d: the round-1 message has mode %#o, want 0644", i, m)
		}
	}
	for i := 1; i <= 3; i++ {
		c.round("round2", i)
	}
	for i := 1; i <= 3; i++ {
		if out := c.round("round3", i); !strings.Contains(out, "confirmation") || strings.Contains(out, "✗") {
			t.Errorf("trustee %d round3: want a confirmation and no complaint:\n%s", i, out)
		}
	}
	var results [][]byte
	for i := 1; i <= 3; i++ {
		out := c.result(i)
		data, err := os.ReadFile(c.laptop(i).path("result.json"))
		if err != nil {
			t.Fatal(err)
		}
		// The digest the trustees read out to each other is sha256sum's of the file.
		if sum := sha256.Sum256(data); !strings.Contains(out, "SHA-256 của kết quả / of the result: "+hex.EncodeToString(sum[:])) {
			t.Errorf("trustee %d: result does not print the SHA-256 of result.json:\n%s", i, out)
		}
		results = append(results, data)
		c.key(i)
		if m := mode(t, c.laptop(i).path("key.json")); m != 0o600 {
			t.Errorf("trustee %d: the key file has mode %#o under umask 000, want 0600", i, m)
		}
	}
	if !bytes.Equal(results[0], results[1]) || !bytes.Equal(results[0], results[2]) {
		t.Fatalf("the three laptops computed different results:\n%s%s%s", results[0], results[1], results[2])
	}
	cer := readCeremony(t, c.laptop(1).path("result.json"))
	if fmt.Sprint(cer.Qualified) != "[1 2 3]" || len(cer.Disqualified) != 0 || len(cer.VerificationKeys) != 3 {
		t.Fatalf("ceremony %+v; want 1, 2, 3 qualified", cer)
	}

	// The vote: 50 ballots of 5 cadres on 3 levels, summed at close. The organiser hands the tally out.
	tally, want := encryptedTally(t, session, cer.JointKey, 5, 3, 50, 12)
	unmarked := 0
	for _, l := range want.Lines {
		unmarked += l.Invalid - l.MultipleMarks
	}
	if unmarked == 0 || want.Lines[0].MultipleMarks+want.Lines[1].MultipleMarks+want.Lines[2].MultipleMarks+want.Lines[3].MultipleMarks+want.Lines[4].MultipleMarks == 0 {
		t.Fatalf("the generated ballots have no unmarked line or no multiple mark: %+v", want.Lines)
	}
	writeJSON(t, filepath.Join(c.stick, "tally.json"), box.FormatTally(tally))
	inspector := newLaptop(t, c.laptop(1).bin, filepath.Dir(c.stick), "inspector", &c.logs)
	copyFile(t, c.laptop(1).path("result.json"), inspector.path("result.json"))
	copyFile(t, filepath.Join(c.stick, "tally.json"), inspector.path("tally.json"))
	for _, i := range []int{1, 3} {
		l := c.laptop(i)
		l.receive(c.stick)
		file := fmt.Sprintf("partial-%d.json", i)
		out := l.must(append([]string{"trustee", "decrypt", "--key", "key.json", "--tally", "inbox/tally.json", "--result", "result.json", "--out", file}, c.passArgs(i)...)...)
		if !strings.Contains(out, "SHA-256") {
			t.Errorf("decrypt does not print the tally's SHA-256:\n%s", out)
		}
		copyFile(t, l.path(file), inspector.path(filepath.Join("inbox", file)))
	}
	out := inspector.must("trustee", "combine", "--result", "result.json", "--tally", "tally.json", "--in", "inbox", "--out", "counts.json")
	got := readResult(t, inspector.path("counts.json"))
	sameCounts(t, "trustees 1 and 3", got, want)
	if fmt.Sprint(got.Trustees) != "[1 3]" || !strings.Contains(out, "combined from trustees 1, 3") {
		t.Errorf("combined from %v, want [1 3]:\n%s", got.Trustees, out)
	}

	// Trustee 2 comes back and decrypts too, after a wrong passphrase is refused.
	l2 := c.laptop(2)
	l2.receive(c.stick)
	if err := os.WriteFile(l2.path("wrong.txt"), []byte("Bầu cử trung thực\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l2.refused("partial-2.json", []string{"sai mật khẩu", "wrong passphrase"},
		"trustee", "decrypt", "--key", "key.json", "--tally", "inbox/tally.json", "--out", "partial-2.json", "--passphrase-file", "wrong.txt")
	l2.refused("round3-again.json", []string{"sai mật khẩu", "wrong passphrase"},
		"trustee", "round3", "--secret", "secret.json", "--in", "inbox", "--out", "round3-again.json", "--passphrase-file", "wrong.txt")
	l2.refused("partial-2.json", []string{"not a terminal", "--passphrase-file"},
		"trustee", "decrypt", "--key", "key.json", "--tally", "inbox/tally.json", "--out", "partial-2.json")
	l2.must("trustee", "decrypt", "--key", "key.json", "--tally", "inbox/tally.json", "--out", "partial-2.json", "--passphrase-file", "pass-nfd.txt")
	copyFile(t, l2.path("partial-2.json"), inspector.path(filepath.Join("inbox", "partial-2.json")))

	// Trustee 1's partial is tampered with: its proofs are trustee 3's. With three partials the count goes on
	// from trustees 2 and 3, and names trustee 1.
	p1, p3 := readPartial(t, inspector.path("inbox/partial-1.json")), readPartial(t, inspector.path("inbox/partial-3.json"))
	p1.Lines[2].Proofs = p3.Lines[2].Proofs
	writeJSON(t, inspector.path("inbox/partial-1.json"), box.FormatPartial(p1))
	out = inspector.must("trustee", "combine", "--result", "result.json", "--tally", "tally.json", "--in", "inbox", "--out", "counts-23.json")
	for _, w := range []string{"✗ Bản giải mã từng phần của thành viên 1 không hợp lệ", "partial decryption of trustee 1 does not verify", "line 3", "partial-1.json", "combined from trustees 2, 3"} {
		if !strings.Contains(out, w) {
			t.Errorf("combine with a tampered partial: output lacks %q:\n%s", w, out)
		}
	}
	got = readResult(t, inspector.path("counts-23.json"))
	sameCounts(t, "trustees 2 and 3", got, want)
	if fmt.Sprint(got.Trustees) != "[2 3]" {
		t.Errorf("combined from %v, want [2 3]", got.Trustees)
	}
	// With the tampered one and a single good one, there is nothing to combine and nothing is written.
	if err := os.Remove(inspector.path("inbox/partial-2.json")); err != nil {
		t.Fatal(err)
	}
	inspector.refused("counts-13.json", []string{"trustee 1 does not verify", "1 valid partial decryptions, 2 needed"},
		"trustee", "combine", "--result", "result.json", "--tally", "tally.json", "--in", "inbox", "--out", "counts-13.json")

	// A tally of another session is refused before anything is decrypted.
	other, _ := encryptedTally(t, "phien-khac", cer.JointKey, 5, 3, 3, 1)
	writeJSON(t, c.laptop(3).path("other-tally.json"), box.FormatTally(other))
	c.laptop(3).refused("partial-other.json", []string{"thuộc phiên khác", "belongs to another session", `"phien-khac"`},
		"trustee", "decrypt", "--key", "key.json", "--tally", "other-tally.json", "--out", "partial-other.json")
	inspector.refused("counts-other.json", []string{"belongs to another session"},
		"trustee", "combine", "--result", "result.json", "--tally", c.laptop(3).path("other-tally.json"), "--in", "inbox", "--out", "counts-other.json")

	// No secret leaves a laptop: no file outside secret.json and key.json, and nothing printed, holds any secret
	// scalar, in base64url or hex; trustee 2's sealed files do not hold theirs either.
	var secrets []string
	for i := 1; i <= 3; i++ {
		l := c.laptop(i)
		pass := []byte(nil)
		if i == 2 {
			pass = []byte(norm.NFC.String(passphraseVi))
		}
		ts, err := box.ParseTrusteeSecret(openTrusteeFile(t, l.path("secret.json"), pass))
		if err != nil {
			t.Fatal(err)
		}
		key, err := box.ParseTrusteeKey(openTrusteeFile(t, l.path("key.json"), pass))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range append([]box.Scalar{ts.EncryptionSecret, key.Secret}, ts.Coefficients...) {
			secrets = append(secrets, b64.EncodeToString(x[:]), hex.EncodeToString(x[:]))
		}
	}
	var files []string
	filepath.Walk(filepath.Dir(c.stick), func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, path)
		}
		return err
	})
	checked := 0
	for _, f := range files {
		base := filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if (base == "secret.json" || base == "key.json") && !strings.Contains(f, "laptop2") {
			// Trustees 1 and 3 keep theirs in clear, as they chose: there the search must find them, which shows
			// that it looks for the right encodings.
			found := false
			for _, s := range secrets {
				found = found || bytes.Contains(data, []byte(s))
			}
			if !found {
				t.Errorf("%s holds none of the secrets searched for", f)
			}
			continue
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds a secret scalar (%s)", f, s)
			}
		}
		checked++
	}
	for _, log := range c.logs {
		for _, s := range secrets {
			if strings.Contains(log, s) {
				t.Errorf("the output of a command holds a secret scalar (%s):\n%s", s, log)
			}
		}
	}
	if checked < 30 || len(secrets) != 2*3*4 {
		t.Fatalf("searched %d files for %d secret encodings: the search looked at too little", checked, len(secrets))
	}
}

func readPartial(t *testing.T, path string) *box.Partial {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := box.ParsePartial(bytes.TrimSpace(data))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// openTrusteeFile returns the trustee JSON of a plain or sealed file.
func openTrusteeFile(t *testing.T, path string, pass []byte) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if sniffFormat(data) != FormatSealedV1 {
		if pass != nil {
			t.Fatalf("%s is not sealed", path)
		}
		return bytes.TrimSpace(data)
	}
	plain, _, err := openSealed(path, data, pass)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// frame is the transcript framing of SPEC.md 11.1, written here from the text, not taken from box.
func frame(items ...[]byte) []byte {
	var out []byte
	for _, it := range items {
		out = binary.BigEndian.AppendUint32(out, uint32(len(it)))
		out = append(out, it...)
	}
	return out
}

func u32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

func scalarInt(v int) *ristretto255.Scalar {
	var b [32]byte
	binary.LittleEndian.PutUint64(b[:], uint64(v))
	s := ristretto255.NewScalar()
	if err := s.Decode(b[:]); err != nil {
		panic(err)
	}
	return s
}

// badShare encrypts f(to) + 1 from dealer to receiver exactly as SPEC.md 11.6 round 2 says: the share decrypts,
// and only the check against the dealer's commitments can catch it.
func badShare(t *testing.T, ts *box.TrusteeSecret, dealer, receiver *box.Round1) []byte {
	t.Helper()
	f := ristretto255.NewScalar()
	for k := len(ts.Coefficients) - 1; k >= 0; k-- {
		a := ristretto255.NewScalar()
		if err := a.Decode(ts.Coefficients[k][:]); err != nil {
			t.Fatal(err)
		}
		f.Multiply(f, scalarInt(receiver.Trustee)).Add(f, a)
	}
	f.Add(f, scalarInt(1))
	e := ristretto255.NewScalar()
	if err := e.Decode(ts.EncryptionSecret[:]); err != nil {
		t.Fatal(err)
	}
	ej := ristretto255.NewElement()
	if err := ej.Decode(receiver.EncryptionKey[:]); err != nil {
		t.Fatal(err)
	}
	dh := ristretto255.NewElement().ScalarMult(e, ej).Encode(nil)
	i, j := dealer.Trustee, receiver.Trustee
	h := sha512.Sum512(frame([]byte("tinnhiem/box/v1/dkg-share-key"), []byte(ts.Session), u32(ts.N), u32(ts.T), u32(i), u32(j),
		dealer.EncryptionKey[:], receiver.EncryptionKey[:], dh))
	aead, err := chacha20poly1305.New(h[:32])
	if err != nil {
		t.Fatal(err)
	}
	ad := frame([]byte("tinnhiem/box/v1/dkg-share"), []byte(ts.Session), u32(ts.N), u32(ts.T), u32(i), u32(j))
	return aead.Seal(nil, make([]byte, 12), f.Encode(nil), ad)
}

func readRound1(t *testing.T, path string) *box.Round1 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := box.ParseRound1(bytes.TrimSpace(data))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTrusteeBadShare has trustee 1 send trustee 2 a share that decrypts but is not on its polynomial: trustee 2
// complains, the result disqualifies trustee 1 and names it, and trustees 2 and 3 still count.
func TestTrusteeBadShare(t *testing.T) {
	const session = "2026-12-01-bad-share"
	c := newCommittee(t, session)
	c.round1()
	for i := 1; i <= 3; i++ {
		c.round("round2", i)
	}
	ts, err := box.ParseTrusteeSecret(openTrusteeFile(t, c.laptop(1).path("secret.json"), nil))
	if err != nil {
		t.Fatal(err)
	}
	r1 := readRound1(t, filepath.Join(c.stick, "round1-1.json"))
	r2of2 := readRound1(t, filepath.Join(c.stick, "round1-2.json"))
	data, err := os.ReadFile(filepath.Join(c.stick, "round2-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := box.ParseRound2(bytes.TrimSpace(data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Shares[0].To != 2 {
		t.Fatalf("round 2 of trustee 1 starts with a share for %d", msg.Shares[0].To)
	}
	msg.Shares[0].Ciphertext = badShare(t, ts, r1, r2of2)
	writeJSON(t, filepath.Join(c.stick, "round2-1.json"), box.FormatRound2(msg))

	out := c.round("round3", 2)
	for _, w := range []string{"✗ Phần chia của thành viên 1 không qua kiểm tra", "the share from trustee 1 fails its check: a complaint is written",
		"✓ Phần chia của thành viên 3 đúng", "wrote 1 complaint(s)"} {
		if !strings.Contains(out, w) {
			t.Errorf("round3 of trustee 2: output lacks %q:\n%s", w, out)
		}
	}
	st, err := os.ReadFile(filepath.Join(c.stick, "round3-2.json"))
	if err != nil {
		t.Fatal(err)
	}
	r3, err := box.ParseRound3(bytes.TrimSpace(st))
	if err != nil {
		t.Fatal(err)
	}
	if len(r3.Complaints) != 1 || r3.Complaints[0].Against != 1 || fmt.Sprint(r3.Checked) != "[3]" {
		t.Fatalf("round 3 of trustee 2: %d complaints, checked %v; want one against trustee 1, checked [3]", len(r3.Complaints), r3.Checked)
	}
	c.round("round3", 1)

	// Before trustee 3's statement is in, qualification is not known and nothing is written.
	l3 := c.laptop(3)
	l3.receive(c.stick)
	l3.refused("early.json", []string{"round 3 of trustee 3 is missing", "qualification is not known yet", "--absent 3"},
		"trustee", "result", "--in", "inbox", "--out", "early.json")
	c.round("round3", 3)

	out = c.result(3)
	for _, w := range []string{"qualified: trustees 2, 3", "✗ Bị loại / disqualified: thành viên / trustee 1", "sent a bad share"} {
		if !strings.Contains(out, w) {
			t.Errorf("result: output lacks %q:\n%s", w, out)
		}
	}
	res, err := os.ReadFile(l3.path("result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var named struct {
		Qualified    []int `json:"qualified"`
		Disqualified []struct {
			Trustee int    `json:"trustee"`
			Reason  string `json:"reason"`
		} `json:"disqualified"`
	}
	if err := json.Unmarshal(res, &named); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(named.Qualified) != "[2 3]" || len(named.Disqualified) != 1 || named.Disqualified[0].Trustee != 1 || named.Disqualified[0].Reason != "share" {
		t.Fatalf("result.json names %+v; want 2, 3 qualified and trustee 1 disqualified for its share\n%s", named, res)
	}
	cer := readCeremony(t, l3.path("result.json"))
	a2, a3 := ristretto255.NewElement(), ristretto255.NewElement()
	a2.Decode(r2of2.Commitments[0][:])
	a3.Decode(readRound1(t, filepath.Join(c.stick, "round1-3.json")).Commitments[0][:])
	if !bytes.Equal(ristretto255.NewElement().Add(a2, a3).Encode(nil), cer.JointKey[:]) {
		t.Error("the joint key is not A_20 + A_30 of the qualified trustees")
	}

	for i := 1; i <= 3; i++ {
		copyFile(t, l3.path("result.json"), c.laptop(i).path("result.json"))
	}
	c.laptop(1).receive(c.stick)
	c.laptop(1).refused("key.json", []string{"trustee 1 is not qualified", "sent a bad share"},
		"trustee", "key", "--secret", "secret.json", "--result", "result.json", "--out", "key.json", "inbox")
	c.key(2)
	c.key(3)
	tally, want := encryptedTally(t, session, cer.JointKey, 2, 2, 7, 3)
	writeJSON(t, l3.path("tally.json"), box.FormatTally(tally))
	for _, i := range []int{2, 3} {
		copyFile(t, l3.path("tally.json"), c.laptop(i).path("tally.json"))
		c.laptop(i).must(append([]string{"trustee", "decrypt", "--key", "key.json", "--tally", "tally.json", "--out", fmt.Sprintf("partial-%d.json", i)}, c.passArgs(i)...)...)
	}
	copyFile(t, c.laptop(2).path("partial-2.json"), l3.path("partial-2.json"))
	l3.must("trustee", "combine", "--result", "result.json", "--tally", "tally.json", "--out", "counts.json", "partial-2.json", "partial-3.json")
	sameCounts(t, "trustees 2 and 3 after trustee 1 was disqualified", readResult(t, l3.path("counts.json")), want)
}

// TestTrusteeBadInputs feeds each command a wrong message and checks that it is refused, named, and that nothing
// is written.
func TestTrusteeBadInputs(t *testing.T) {
	c := newCommittee(t, "2026-12-02-bad-inputs")
	c.round1()
	l1 := c.laptop(1)
	l1.receive(c.stick)
	round2 := []string{"trustee", "round2", "--secret", "secret.json", "--in", "inbox", "--out", "round2-1.json"}

	// Round 1 of trustee 3 made for another session.
	other := newCommittee(t, "phien-khac")
	other.round1()
	good3, err := os.ReadFile(l1.path("inbox/round1-3.json"))
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(other.stick, "round1-3.json"), l1.path("inbox/round1-3.json"))
	l1.refused("round2-1.json", []string{"round1-3.json", "round 1 of trustee 3 belongs to another ceremony", `"phien-khac"`, "vòng 1 của thành viên 3"}, round2...)

	// Round 1 of trustee 3 with a proof that does not verify.
	r3, err := box.ParseRound1(bytes.TrimSpace(good3))
	if err != nil {
		t.Fatal(err)
	}
	r3.CoefficientProof.C, r3.CoefficientProof.S = r3.CoefficientProof.S, r3.CoefficientProof.C
	writeJSON(t, l1.path("inbox/round1-3.json"), box.FormatRound1(r3))
	l1.refused("round2-1.json", []string{"round 1 of trustee 3 does not verify", "constant term", "--absent 3"}, round2...)

	// Round 1 of trustee 3 missing: refused until the committee says it goes on without trustee 3.
	if err := os.Remove(l1.path("inbox/round1-3.json")); err != nil {
		t.Fatal(err)
	}
	l1.refused("round2-1.json", []string{"round 1 of trustee 3 is missing", "--absent 3"}, round2...)
	out := l1.must(append(round2, "--absent", "3")...)
	if !strings.Contains(out, "trustee 3 absent") || !strings.Contains(out, "shares for trustees 2:") {
		t.Errorf("round2 with trustee 3 absent:\n%s", out)
	}
	if err := os.WriteFile(l1.path("inbox/round1-3.json"), good3, 0o644); err != nil {
		t.Fatal(err)
	}

	// The secret file is never overwritten, never read when others can read it, never taken as a message.
	before, err := os.ReadFile(l1.path("secret.json"))
	if err != nil {
		t.Fatal(err)
	}
	l1.refused("", []string{"secret.json already exists"}, "trustee", "round1", "--session", "x", "--n", "3", "--trustee", "1", "--secret", "secret.json", "--out", "new-round1.json")
	if after, _ := os.ReadFile(l1.path("secret.json")); !bytes.Equal(before, after) {
		t.Fatal("round1 changed an existing secret file")
	}
	if _, err := os.Stat(l1.path("new-round1.json")); err == nil {
		t.Error("round1 wrote its message although the secret file existed")
	}
	copyFile(t, l1.path("secret.json"), l1.path("inbox/secret-copy.json"))
	l1.refused("round3-1.json", []string{"secret-copy.json is a trustee's secret file"},
		"trustee", "round3", "--secret", "secret.json", "--in", "inbox", "--out", "round3-1.json")
	if err := os.Remove(l1.path("inbox/secret-copy.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(l1.path("secret.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	l1.refused("round3-1.json", []string{"others on this machine can read it", "chmod 600"},
		"trustee", "round3", "--secret", "secret.json", "--in", "inbox", "--out", "round3-1.json")
	if err := os.Chmod(l1.path("secret.json"), 0o600); err != nil {
		t.Fatal(err)
	}

	// A valid round 1 for trustee 1 of this ceremony, but not the one this laptop made: its shares would fail
	// against the commitments, so it is refused.
	_, swapped, err := box.NewTrustee(rand.Reader, c.session, 3, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	writeJSON(t, l1.path("inbox/round1-1.json"), box.FormatRound1(swapped))
	l1.refused("round2-x.json", []string{"the round 1 of trustee 1 among the inputs does not match this laptop's secret file"},
		"trustee", "round2", "--secret", "secret.json", "--in", "inbox", "--out", "round2-x.json")

	// Usage mistakes exit 2.
	for _, args := range [][]string{{"trustee"}, {"trustee", "bogus"}, {"trustee", "round1", "--session", "s", "--n", "1", "--trustee", "1", "--secret", "a", "--out", "b"},
		{"trustee", "round1", "--session", "s", "--n", "3", "--t", "4", "--trustee", "1", "--secret", "a", "--out", "b"},
		{"trustee", "round2", "--secret", "secret.json", "--out", "x.json"}, {"trustee", "combine", "--result", "r", "--out", "o", "p"}} {
		if code, _, errOut := l1.run(args...); code != 2 || !strings.Contains(errOut, "hint: usage: tinnhiem-verify trustee") {
			t.Errorf("tinnhiem-verify %q: exit %d, want 2 with the subcommand's usage:\n%s", args, code, errOut)
		}
	}
	if code, out, _ := l1.run("trustee", "help"); code != 0 || !strings.Contains(out, "Thứ tự / order") || !strings.Contains(out, "trustee combine --result FILE") {
		t.Errorf("trustee help: exit %d:\n%s", code, out)
	}
}
