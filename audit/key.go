package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// KeyHeader is the first line of a private key file.
const KeyHeader = "tinnhiem private key v1"

// Key is an installation's Ed25519 signing key. It signs checkpoints as
// signed notes and, elsewhere, detached signatures of reports. It implements
// note.Signer.
type Key struct {
	name string
	priv ed25519.PrivateKey
	hash uint32
	vkey string
}

// GenerateKey creates a key named name (a note key name: no spaces or '+')
// from 32 bytes of rand.
func GenerateKey(rand io.Reader, name string) (*Key, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rand, seed); err != nil {
		return nil, fmt.Errorf("failed to read randomness: %w", err)
	}
	return newKey(name, ed25519.NewKeyFromSeed(seed))
}

func newKey(name string, priv ed25519.PrivateKey) (*Key, error) {
	vkey, err := note.NewEd25519VerifierKey(name, priv.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, fmt.Errorf("invalid key name %q: %w", name, err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("failed to derive verifier: %w", err)
	}
	return &Key{name: name, priv: priv, hash: v.KeyHash(), vkey: vkey}, nil
}

// Name returns the key's name, as shown in signature lines.
func (k *Key) Name() string { return k.name }

// KeyHash returns the note key hash that identifies the key in signatures.
func (k *Key) KeyHash() uint32 { return k.hash }

// Sign signs msg with Ed25519.
func (k *Key) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(k.priv, msg), nil }

// PublicKey returns the raw Ed25519 public key.
func (k *Key) PublicKey() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// PrivateKey returns the raw Ed25519 private key, for signature formats
// other than notes. Callers must not write it anywhere but the key file.
func (k *Key) PrivateKey() ed25519.PrivateKey { return k.priv }

// VerifierKey returns the note verifier key ("name+hash+base64"), which is
// what inspectors pin.
func (k *Key) VerifierKey() string { return k.vkey }

// Fingerprint returns a short, printable identifier of the public key:
// the first 16 bytes of SHA-256 of the verifier key, in groups of four hex
// digits. It is printed on reports so that people can compare keys by eye.
func (k *Key) Fingerprint() string { return Fingerprint(k.vkey) }

// Fingerprint returns the printable fingerprint of a note verifier key.
func Fingerprint(vkey string) string {
	h := Sum([]byte(vkey)).String()[:32]
	var b strings.Builder
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+4])
	}
	return b.String()
}

// MarshalKey encodes a key in the private key file format of SPEC.md. The
// result is secret and belongs in a file only its owner can read.
func MarshalKey(k *Key) []byte {
	return []byte(fmt.Sprintf("%s\nname %s\ned25519 %s\n", KeyHeader, k.name,
		base64.StdEncoding.EncodeToString(k.priv.Seed())))
}

// ParseKey decodes a private key file.
func ParseKey(b []byte) (*Key, error) {
	lines := strings.Split(strings.TrimRight(string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))), "\n"), "\n")
	if len(lines) != 3 || lines[0] != KeyHeader {
		return nil, fmt.Errorf("not a tinnhiem private key file (first line must be %q)", KeyHeader)
	}
	name, ok := strings.CutPrefix(lines[1], "name ")
	if !ok {
		return nil, fmt.Errorf("key file has no name line")
	}
	enc, ok := strings.CutPrefix(lines[2], "ed25519 ")
	if !ok {
		return nil, fmt.Errorf("key file has no ed25519 line")
	}
	seed, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("key file holds a malformed ed25519 seed")
	}
	return newKey(name, ed25519.NewKeyFromSeed(seed))
}

// Verifier returns the note verifier of k's public key.
func (k *Key) Verifier() note.Verifier {
	v, err := note.NewVerifier(k.vkey)
	if err != nil {
		// newKey derived vkey and parsed it already.
		panic("audit: verifier key of a valid key does not parse: " + err.Error())
	}
	return v
}
