package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/edwards25519"
)

// Detached signatures of reports use OpenBSD signify's format, so that an
// inspector can check a document with signify (or minisign, or openssl on the
// raw signature) without tinnhiem: an "untrusted comment:" line, then the
// base64 of the algorithm "Ed", an 8-byte key number and the Ed25519
// signature (or public key).

var signifyAlg = []byte("Ed")

// signifyKeyNum identifies the key in signify files: the first eight bytes of
// SHA-256 of the public key, so the same key always gets the same number.
func signifyKeyNum(pub ed25519.PublicKey) []byte {
	h := Sum(pub)
	return h[:8]
}

// SignifyPublicKey returns k's public key as a signify public key file.
func (k *Key) SignifyPublicKey() []byte {
	pub := k.PublicKey()
	raw := bytes.Join([][]byte{signifyAlg, signifyKeyNum(pub), pub}, nil)
	return []byte("untrusted comment: tinnhiem public key " + k.Fingerprint() + "\n" + base64.StdEncoding.EncodeToString(raw) + "\n")
}

// ed25519SPKIPrefix is the DER of an Ed25519 SubjectPublicKeyInfo (RFC 8410)
// up to the key itself. Writing it by hand spares crypto/x509, which would
// pull the network stack into the offline verifier.
var ed25519SPKIPrefix = []byte{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}

// PublicKeyPEM returns k's public key as a PKIX "PUBLIC KEY" PEM block, the
// form openssl pkeyutl reads.
func (k *Key) PublicKeyPEM() []byte { return publicKeyPEM(k.PublicKey()) }

// publicKeyPEM is Key.PublicKeyPEM for a public key alone.
func publicKeyPEM(pub ed25519.PublicKey) []byte {
	der := append(bytes.Clone(ed25519SPKIPrefix), pub...)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// parsePublicKeyDER reads the DER that publicKeyPEM writes: an Ed25519
// SubjectPublicKeyInfo, and nothing else.
func parsePublicKeyDER(der []byte) (ed25519.PublicKey, error) {
	if len(der) != len(ed25519SPKIPrefix)+ed25519.PublicKeySize || !bytes.HasPrefix(der, ed25519SPKIPrefix) {
		return nil, errors.New("not an Ed25519 public key")
	}
	return ed25519.PublicKey(der[len(ed25519SPKIPrefix):]), nil
}

// SignDetached returns a signify signature file of msg by k. pubName is the
// file name of the public key, written in the comment as signify does.
func (k *Key) SignDetached(msg []byte, pubName string) []byte {
	sig := ed25519.Sign(k.priv, msg)
	raw := bytes.Join([][]byte{signifyAlg, signifyKeyNum(k.PublicKey()), sig}, nil)
	return []byte("untrusted comment: verify with " + pubName + "\n" + base64.StdEncoding.EncodeToString(raw) + "\n")
}

// parseSignifyFile returns the decoded second line of a signify file whose
// payload is n bytes after the algorithm and key number.
func parseSignifyFile(b []byte, n int) (keyNum, payload []byte, err error) {
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "untrusted comment: ") {
		return nil, nil, errors.New("not a signify file: want an \"untrusted comment:\" line and one base64 line")
	}
	raw, err := base64.StdEncoding.DecodeString(lines[1])
	if err != nil || len(raw) != 2+8+n || !bytes.Equal(raw[:2], signifyAlg) {
		return nil, nil, errors.New("not an Ed25519 signify file")
	}
	return raw[2:10], raw[10:], nil
}

// ParseSignifyPublicKey reads a signify public key file.
func ParseSignifyPublicKey(b []byte) (ed25519.PublicKey, error) {
	_, pub, err := parseSignifyFile(b, ed25519.PublicKeySize)
	if err != nil {
		return nil, err
	}
	return ed25519.PublicKey(pub), nil
}

// VerifyDetached checks a signify signature file of msg against pub.
func VerifyDetached(pub ed25519.PublicKey, msg, sigFile []byte) error {
	num, sig, err := parseSignifyFile(sigFile, ed25519.SignatureSize)
	if err != nil {
		return err
	}
	if !bytes.Equal(num, signifyKeyNum(pub)) {
		return fmt.Errorf("signed by another key (key number %x)", num)
	}
	if !ed25519.Verify(pub, msg, sig) {
		return errors.New("the signature does not match the document")
	}
	return nil
}

// VerifyDetachedReader checks a signify signature file of the bytes r
// yields against pub, reading r once as a stream: a document of any size is
// checked in constant memory, where ed25519.Verify needs the whole message
// at once. It computes exactly what ed25519.Verify does (RFC 8032, with a
// canonical S and a cofactorless equation), which the tests check on random
// and corrupted inputs. An error reading r is returned as is; a bad
// signature is an error that says so.
func VerifyDetachedReader(pub ed25519.PublicKey, r io.Reader, sigFile []byte) error {
	num, sig, err := parseSignifyFile(sigFile, ed25519.SignatureSize)
	if err != nil {
		return err
	}
	if len(pub) != ed25519.PublicKeySize {
		return errors.New("the public key is not an Ed25519 key")
	}
	if !bytes.Equal(num, signifyKeyNum(pub)) {
		return fmt.Errorf("signed by another key (key number %x)", num)
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(pub)
	if _, err := io.Copy(h, r); err != nil {
		return err
	}
	if !verifyEd25519(pub, h.Sum(nil), sig) {
		return errors.New("the signature does not match the document")
	}
	return nil
}

// verifyEd25519 finishes an Ed25519 verification whose SHA-512 of
// R ‖ A ‖ message is digest: [S]B = R + [k]A, checked as R = [k](−A) + [S]B
// on the encodings, as crypto/ed25519 does.
func verifyEd25519(pub ed25519.PublicKey, digest, sig []byte) bool {
	if len(sig) != ed25519.SignatureSize || sig[63]&224 != 0 {
		return false
	}
	A, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return false
	}
	k, err := edwards25519.NewScalar().SetUniformBytes(digest)
	if err != nil {
		return false
	}
	S, err := edwards25519.NewScalar().SetCanonicalBytes(sig[32:])
	if err != nil {
		return false
	}
	minusA := new(edwards25519.Point).Negate(A)
	R := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, minusA, S)
	return bytes.Equal(sig[:32], R.Bytes())
}

// PublicKeyFromVerifierKey extracts the Ed25519 public key from a note
// verifier key ("name+hash+base64(0x01 ‖ key)").
func PublicKeyFromVerifierKey(vkey string) (ed25519.PublicKey, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, errors.New("malformed verifier key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 1 {
		return nil, errors.New("verifier key is not an Ed25519 key")
	}
	return ed25519.PublicKey(raw[1:]), nil
}
