package audit

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestDetachedSignature(t *testing.T) {
	k, _ := GenerateKey(rand.Reader, "tinnhiem")
	msg := []byte("%PDF-1.7 báo cáo kết quả")
	sig := k.SignDetached(msg, "tinnhiem.pub")
	pub, err := ParseSignifyPublicKey(k.SignifyPublicKey())
	if err != nil || !pub.Equal(k.PublicKey()) {
		t.Fatalf("ParseSignifyPublicKey = %v, %v", pub, err)
	}
	if err := VerifyDetached(pub, msg, sig); err != nil {
		t.Fatalf("VerifyDetached = %v", err)
	}
	if err := VerifyDetached(pub, append([]byte{}, append(msg, ' ')...), sig); err == nil {
		t.Errorf("a changed document verified")
	}
	other, _ := GenerateKey(rand.Reader, "tinnhiem")
	if err := VerifyDetached(other.PublicKey(), msg, sig); err == nil {
		t.Errorf("another key verified the signature")
	}
	vpub, err := PublicKeyFromVerifierKey(k.VerifierKey())
	if err != nil || !vpub.Equal(k.PublicKey()) {
		t.Errorf("PublicKeyFromVerifierKey = %v, %v", vpub, err)
	}
}

// TestDetachedSignatureStandardTools checks our files with signify-openbsd
// and openssl, the tools the README tells inspectors to use.
func TestDetachedSignatureStandardTools(t *testing.T) {
	dir := t.TempDir()
	k, _ := GenerateKey(rand.Reader, "tinnhiem")
	msg := []byte("Biên bản kiểm phiếu\n")
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	doc := write("report.pdf", msg)
	sig := write("report.pdf.sig", k.SignDetached(msg, "tinnhiem.pub"))
	pub := write("tinnhiem.pub", k.SignifyPublicKey())
	pemFile := write("tinnhiem.pem", k.PublicKeyPEM())
	_, raw, _ := parseSignifyFile(k.SignDetached(msg, "x"), 64)
	rawSig := write("report.sig.bin", raw)

	tools := 0
	if _, err := exec.LookPath("signify-openbsd"); err == nil {
		tools++
		if out, err := exec.Command("signify-openbsd", "-V", "-p", pub, "-x", sig, "-m", doc).CombinedOutput(); err != nil {
			t.Fatalf("signify-openbsd rejected our signature: %v\n%s", err, out)
		}
		write("report.pdf", append(bytes.Clone(msg), 'x'))
		if err := exec.Command("signify-openbsd", "-V", "-q", "-p", pub, "-x", sig, "-m", doc).Run(); err == nil {
			t.Fatalf("signify-openbsd accepted a changed document")
		}
		write("report.pdf", msg)
	}
	if _, err := exec.LookPath("openssl"); err == nil {
		tools++
		out, err := exec.Command("openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", pemFile, "-in", doc, "-sigfile", rawSig).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("Signature Verified Successfully")) {
			t.Fatalf("openssl rejected our signature: %v\n%s", err, out)
		}
	}
	if tools < 2 && os.Getenv("CI") == "true" {
		t.Fatalf("signify-openbsd and openssl must be installed in CI")
	}
}

func TestPublicKeyPEMIsPKIX(t *testing.T) {
	k, _ := GenerateKey(rand.Reader, "tinnhiem")
	block, _ := pem.Decode(k.PublicKeyPEM())
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil || !k.PublicKey().Equal(pub) {
		t.Fatalf("PublicKeyPEM does not parse as the key's PKIX form: %v", err)
	}
}
