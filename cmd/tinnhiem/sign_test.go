package main

import (
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ThalesGroup/crypto11"

	"tinnhiem/audit"
	"tinnhiem/internal/testtool"
	"tinnhiem/verify"
)

const softhsmModule = "/usr/lib/softhsm/libsofthsm2.so"

// softHSM initialises a SoftHSM2 token in a directory of the test's own
// (SOFTHSM2_CONF, inherited by the binary the test runs), generates an
// ECDSA key on it, has the CA certify that key from a CSR signed on the
// token, and stores the certificate beside the key. A second key has no
// certificate. It returns the token's label and PIN file.
func softHSM(t *testing.T, ca *testtool.CA, cn string) (label, pinFile string) {
	t.Helper()
	testtool.NeedTools(t, "softhsm2-util")
	if _, err := os.Stat(softhsmModule); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; .ci/run must install softhsm2", softhsmModule)
		}
		t.Skipf("%s is missing (apt-get install softhsm2)", softhsmModule)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.MkdirAll(filepath.Join(dir, "tokens"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+filepath.Join(dir, "tokens")+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	label, pin := "Token Duyên", "246810"
	if out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "13579135").CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util --init-token: %v\n%s", err, out)
	}
	ctx, err := crypto11.Configure(&crypto11.Config{Path: softhsmModule, TokenLabel: label, Pin: pin})
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	key, err := ctx.GenerateECDSAKeyPairWithLabel([]byte{0x01}, []byte("chu-ky"), elliptic.P256())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ctx.GenerateECDSAKeyPairWithLabel([]byte{0x02}, []byte("chua-co-chung-thu"), elliptic.P256()); err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn, Country: []string{"VN"}}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr := filepath.Join(ca.Dir, "token.csr")
	if err := os.WriteFile(csr, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert := testtool.Certificate(t, ca.Issue(csr, "token", testtool.SignerExt...))
	if err := ctx.ImportCertificateWithLabel([]byte{0x01}, []byte("chu-ky"), cert); err != nil {
		t.Fatal(err)
	}
	pinFile = filepath.Join(dir, "pin.txt")
	if err := os.WriteFile(pinFile, []byte(pin+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return label, pinFile
}

// p12For makes a key and certificate for subject and exports them as a
// PKCS #12 file with a password, as a CA delivers a "soft" certificate.
func p12For(t *testing.T, ca *testtool.CA, name, subject string) (p12, passFile string) {
	t.Helper()
	key, cert := ca.IssueKey(name, subject)
	p12 = filepath.Join(ca.Dir, name+".p12")
	testtool.OpenSSL(t, ca.Dir, "pkcs12", "-export", "-inkey", key, "-in", cert, "-out", p12, "-passout", "pass:mật khẩu "+name,
		"-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1")
	passFile = filepath.Join(ca.Dir, name+".pass")
	if err := os.WriteFile(passFile, []byte("mật khẩu "+name+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p12, passFile
}

func logTypes(t *testing.T, db, id string) []audit.Entry {
	t.Helper()
	b := exportBundle(t, db, id)
	return b.Entries
}

func exportBundle(t *testing.T, db, id string) *audit.Bundle {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "b") + "/"
	must(t, "export", "--db", db, "--session", id, "--out", dir)
	b, err := audit.ReadBundle(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMinutesSignedByTwoCommitteeMembers is issue 15's "done when": the
// minutes of a session, issued with the organisation's certificate, signed
// by two committee members on their own machines — one with a key on a
// SoftHSM2 token, one with a PKCS #12 file — each signature time-stamped by
// a local TSA, pass pdfsig: every signature valid, every certificate
// trusted through the test CA.
func TestMinutesSignedByTwoCommitteeMembers(t *testing.T) {
	testtool.NeedTools(t, "openssl", "pdfsig", "certutil")
	ca := testtool.NewCA(t, "CA thử nghiệm tinnhiem")
	tsa := ca.NewTSA()
	tsaURL := tsa.Serve(t)
	tokenLabel, pinFile := softHSM(t, ca, "Ngô Thị Mỹ Duyên")
	orgP12, orgPass := p12For(t, ca, "org", "/C=VN/O=Đảng ủy Khối/CN=Đảng ủy Khối các cơ quan")
	hungP12, hungPass := p12For(t, ca, "hung", "/C=VN/CN=DUONG VAN HUNG")
	otherP12, otherPass := p12For(t, ca, "other", "/C=VN/CN=Trần Văn Khác")

	db, id := closedVote(t)
	dir := filepath.Dir(db)
	sk := []string{"--db", db, "--session", id}
	must(t, append([]string{"session", "committee", "--member", "Ngô Thị Mỹ Duyên", "--member", "Dương Văn Hùng"}, sk...)...)
	out := filepath.Join(dir, "reports")
	tallied := must(t, append([]string{"tally", "--out", out, "--p12", orgP12, "--p12-password-file", orgPass, "--tsa", tsaURL}, sk...)...)
	if !strings.Contains(tallied, "certified by the TSA") {
		t.Errorf("tally does not say its signatures are time-stamped:\n%s", tallied)
	}
	status := must(t, append([]string{"minutes", "status"}, sk...)...)
	if !strings.Contains(status, "✗ Ngô Thị Mỹ Duyên — chưa ký / not signed") || !strings.Contains(status, "0/2") {
		t.Errorf("status before signing:\n%s", status)
	}

	// The first member signs with the key on her token, on her machine.
	m0 := filepath.Join(dir, "bien-ban-0.pdf")
	must(t, append([]string{"minutes", "export", "--out", m0}, sk...)...)
	m1 := filepath.Join(dir, "bien-ban-1.pdf")
	wrongPIN := filepath.Join(dir, "wrong-pin")
	if err := os.WriteFile(wrongPIN, []byte("000000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	token := []string{"sign", "--in", m0, "--out", m1, "--pkcs11-module", softhsmModule, "--tsa", tsaURL, "--location", "Hội trường A, Hà Nội"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--token-label", tokenLabel, "--pin-file", wrongPIN}, "refused the PIN"},
		{[]string{"--token-label", "Token khác", "--pin-file", pinFile}, `a token labelled "Token khác" is not present`},
		{[]string{"--token-label", tokenLabel, "--key-label", "chua-co-chung-thu", "--pin-file", pinFile}, "has no certificate"},
		{[]string{"--token-label", tokenLabel, "--pin-file", pinFile, "--p12", hungP12}, "use one of"},
	} {
		_, errOut, code := run(t, append(token, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("sign %v: exit %d, stderr %q; want a failure saying %q", c.args, code, errOut, c.want)
		}
		if _, err := os.Stat(m1); err == nil {
			t.Fatalf("sign %v failed but wrote %s", c.args, m1)
		}
	}
	listed := must(t, "pkcs11", "list", "--pkcs11-module", softhsmModule)
	if !strings.Contains(listed, tokenLabel) || !strings.Contains(listed, "SoftHSM") {
		t.Errorf("pkcs11 list does not show the token:\n%s", listed)
	}
	listed = must(t, "pkcs11", "list", "--pkcs11-module", softhsmModule, "--token-label", tokenLabel, "--pin-file", pinFile)
	if !strings.Contains(listed, "certificate: CN=Ngô Thị Mỹ Duyên") || !strings.Contains(listed, "CA thử nghiệm tinnhiem") {
		t.Errorf("pkcs11 list with the PIN does not show the key's certificate:\n%s", listed)
	}
	before := tsa.Requests
	signed := must(t, append(token, "--token-label", tokenLabel, "--key-label", "chu-ky", "--pin-file", pinFile)...)
	if tsa.Requests != before+1 || !strings.Contains(signed, "signer: Ngô Thị Mỹ Duyên") || !strings.Contains(signed, "timestamp:") {
		t.Fatalf("sign with the token printed:\n%s", signed)
	}
	// A document the server never issued, or signed by someone not on
	// the committee, is refused and logs nothing.
	entries := len(logTypes(t, db, id))
	stranger := filepath.Join(dir, "stranger.pdf")
	must(t, "sign", "--in", m0, "--out", stranger, "--p12", otherP12, "--p12-password-file", otherPass)
	for _, c := range []struct{ file, want string }{
		{stranger, "not on the counting committee"},
		{filepath.Join(out, "bao-cao-c1.pdf"), "not an incremental update"},
		{m0, "not an incremental update"},
	} {
		_, errOut, code := run(t, append([]string{"minutes", "add-signature"}, append(sk, c.file)...)...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("add-signature %s: exit %d, %q; want 1 and %q", filepath.Base(c.file), code, errOut, c.want)
		}
	}
	if n := len(logTypes(t, db, id)); n != entries {
		t.Fatalf("refused signatures changed the log: %d entries, then %d", entries, n)
	}
	added := must(t, append([]string{"minutes", "add-signature"}, append(sk, m1)...)...)
	if !strings.Contains(added, "✓ Ngô Thị Mỹ Duyên — đã ký") || !strings.Contains(added, "✗ Dương Văn Hùng — chưa ký") {
		t.Errorf("add-signature printed:\n%s", added)
	}
	if _, errOut, code := run(t, append([]string{"minutes", "add-signature"}, append(sk, m1)...)...); code != 1 || !strings.Contains(errOut, "not an incremental update") {
		t.Errorf("the same file twice: exit %d, %q", code, errOut)
	}

	// The second member signs with his PKCS #12 file, whose certificate
	// names him without accents, on his machine.
	m1b := filepath.Join(dir, "bien-ban-1b.pdf")
	must(t, append([]string{"minutes", "export", "--out", m1b}, sk...)...)
	m2 := filepath.Join(dir, "bien-ban-2.pdf")
	must(t, "sign", "--in", m1b, "--out", m2, "--p12", hungP12, "--p12-password-file", hungPass, "--tsa", tsaURL,
		"--name", "Dương Văn Hùng", "--location", "Hội trường A, Hà Nội")
	added = must(t, append([]string{"minutes", "add-signature"}, append(sk, m2)...)...)
	if !strings.Contains(added, "recorded the signature of Dương Văn Hùng") || !strings.Contains(added, "2/2") {
		t.Errorf("second add-signature printed:\n%s", added)
	}
	if _, errOut, code := run(t, append([]string{"tally", "--out", out}, sk...)...); code != 1 || !strings.Contains(errOut, "not re-issued") {
		t.Errorf("re-issuing signed minutes: exit %d, %q; want a refusal", code, errOut)
	}

	final := filepath.Join(dir, "bien-ban-ky.pdf")
	must(t, append([]string{"minutes", "export", "--out", final}, sk...)...)
	pdfsigOut, err := exec.Command("pdfsig", "-nssdir", "sql:"+ca.NSSDB(), final).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, pdfsigOut)
	}
	t.Logf("pdfsig -nssdir sql:NSSDB %s:\n%s", filepath.Base(final), pdfsigOut)
	got := string(pdfsigOut)
	for _, want := range []string{
		"Signature #1:", "Signature #2:", "Signature #3:",
		"Signer Certificate Common Name: Đảng ủy Khối các cơ quan",
		"Signer Certificate Common Name: Ngô Thị Mỹ Duyên",
		"Signer Certificate Common Name: DUONG VAN HUNG",
		"Total document signed",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("pdfsig output lacks %q", want)
		}
	}
	if n := strings.Count(got, "Signature Validation: Signature is Valid."); n != 3 {
		t.Errorf("pdfsig: %d valid signatures, want 3", n)
	}
	if n := strings.Count(got, "Certificate Validation: Certificate is Trusted."); n != 3 {
		t.Errorf("pdfsig: %d trusted certificates, want 3", n)
	}
	if n := strings.Count(got, "Total document signed"); n != 1 {
		t.Errorf("pdfsig: %d signatures cover the whole file, want the last one only", n)
	}
	listed = must(t, "signatures", final)
	t.Logf("tinnhiem signatures:\n%s", listed)
	if strings.Count(listed, "dấu thời gian / timestamp:") != 3 || strings.Count(listed, "Ký biên bản kiểm phiếu") != 2 {
		t.Errorf("tinnhiem signatures: want three time-stamped signatures, two with the committee's reason:\n%s", listed)
	}

	// The bundle holds the signed minutes and verifies, DocumentSigned
	// entries included.
	b := exportBundle(t, db, id)
	if rep := verify.Bundle(b, verify.Options{}); !rep.OK() {
		t.Fatalf("bundle with signed minutes does not verify: %+v", rep.FirstFailure())
	}
	var signers []string
	for _, e := range b.Entries {
		if e.Type == audit.DocumentSigned {
			var d audit.DocumentSignedData
			if err := e.Decode(&d); err != nil {
				t.Fatal(err)
			}
			if d.Timestamp == "" {
				t.Errorf("DocumentSigned of %s has no timestamp", d.Member)
			}
			signers = append(signers, d.Member+" / "+d.Signer)
		}
	}
	if strings.Join(signers, "; ") != "Ngô Thị Mỹ Duyên / Ngô Thị Mỹ Duyên; Dương Văn Hùng / DUONG VAN HUNG" {
		t.Errorf("DocumentSigned entries: %q", signers)
	}
}
