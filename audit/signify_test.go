package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/iotest"
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

// signifyFile wraps a raw 64-byte signature by pub in the signify format,
// whatever its bytes, so that corrupted signatures can be fed to both
// verifiers.
func signifyFile(pub ed25519.PublicKey, sig []byte) []byte {
	raw := bytes.Join([][]byte{signifyAlg, signifyKeyNum(pub), sig}, nil)
	return []byte("untrusted comment: test\n" + base64.StdEncoding.EncodeToString(raw) + "\n")
}

// agree checks that the streaming verifier gives ed25519.Verify's verdict.
func agree(t *testing.T, pub ed25519.PublicKey, msg, sig []byte) bool {
	t.Helper()
	want := ed25519.Verify(pub, msg, sig)
	err := VerifyDetachedReader(pub, iotest.OneByteReader(bytes.NewReader(msg)), signifyFile(pub, sig))
	if (err == nil) != want {
		t.Errorf("streaming verifier: %v; ed25519.Verify: %v (message %d bytes, signature %x)", err, want, len(msg), sig)
	}
	return want
}

// TestVerifyDetachedReader checks the streaming verifier against
// crypto/ed25519 on genuine signatures and on every kind of corruption:
// a flipped bit of R, of S or of the message, S not reduced (S + ℓ), the
// high bits of S set, and another key.
func TestVerifyDetachedReader(t *testing.T) {
	// ℓ, the order of the base point, little-endian.
	ell := []byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	r := mrand.New(mrand.NewPCG(1, 2))
	for i := range 200 {
		k, err := GenerateKey(rand.Reader, "tinnhiem")
		if err != nil {
			t.Fatal(err)
		}
		pub := k.PublicKey()
		msg := make([]byte, r.IntN(5000))
		for j := range msg {
			msg[j] = byte(r.Uint32())
		}
		sig := ed25519.Sign(k.priv, msg)
		if !agree(t, pub, msg, sig) {
			t.Fatalf("case %d: a genuine signature does not verify", i)
		}
		bad := bytes.Clone(sig)
		bad[r.IntN(64)] ^= 1 << r.IntN(8)
		agree(t, pub, msg, bad)
		if len(msg) > 0 {
			m := bytes.Clone(msg)
			m[r.IntN(len(m))] ^= 1
			agree(t, pub, m, sig)
		}
		// S + ℓ is the same scalar, not in canonical form: both refuse it.
		plus := bytes.Clone(sig)
		var carry uint16
		for j := range 32 {
			v := uint16(plus[32+j]) + uint16(ell[j]) + carry
			plus[32+j], carry = byte(v), v>>8
		}
		agree(t, pub, msg, plus)
		high := bytes.Clone(sig)
		high[63] |= 0xe0
		agree(t, pub, msg, high)
		other, _ := GenerateKey(rand.Reader, "tinnhiem")
		if err := VerifyDetachedReader(other.PublicKey(), bytes.NewReader(msg), signifyFile(pub, sig)); err == nil {
			t.Fatalf("case %d: another key's number passed", i)
		}
	}
	k, _ := GenerateKey(rand.Reader, "tinnhiem")
	sig := k.SignDetached([]byte("x"), "tinnhiem.pub")
	boom := errors.New("disk gone")
	if err := VerifyDetachedReader(k.PublicKey(), iotest.ErrReader(boom), sig); !errors.Is(err, boom) {
		t.Errorf("a failing reader: %v, want its error", err)
	}
}

// FuzzVerifyDetachedReader feeds arbitrary keys, messages and signatures
// to both verifiers: they must always agree.
func FuzzVerifyDetachedReader(f *testing.F) {
	k, _ := GenerateKey(rand.Reader, "tinnhiem")
	msg := []byte("%PDF-1.7 báo cáo")
	f.Add([]byte(k.PublicKey()), msg, ed25519.Sign(k.priv, msg))
	f.Add(make([]byte, 32), []byte{}, make([]byte, 64))
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
			return
		}
		agree(t, ed25519.PublicKey(pub), msg, sig)
	})
}
