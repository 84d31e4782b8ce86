package audit

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// BundleHeader is the first line of a bundle's manifest, BUNDLE.txt. It
// names the layout of every file in the bundle (SPEC.md section 9).
const BundleHeader = "tinnhiem bundle v1"

// FingerprintHeader is the first line of keys/FINGERPRINT.
const FingerprintHeader = "tinnhiem key fingerprint v1"

// The fixed paths of a bundle, relative to its root.
const (
	BundleManifest    = "BUNDLE.txt"
	BundleLog         = "log.jsonl"
	BundleReadme      = "README-vi-en.txt"
	BundleVerifierKey = "keys/tinnhiem.vkey"
	BundleSignifyKey  = "keys/tinnhiem.pub"
	BundlePEMKey      = "keys/tinnhiem.pem"
	BundleFingerprint = "keys/FINGERPRINT"
	bundleCheckpoints = "checkpoints/"
	bundleDocuments   = "documents/"
	bundleSigSuffix   = ".sig"
	bundleNoteSuffix  = ".note"
)

// Bundle is everything an inspector needs to check one session offline: its
// whole audit log, every signed checkpoint, the installation's public key
// and the issued documents with their detached signatures. A Bundle read by
// ReadBundle is well formed and its files match the manifest; whether its
// contents are true is for package verify to decide.
type Bundle struct {
	Session     string           // the session the bundle claims to hold
	VerifierKey string           // the installation's note verifier key
	Entries     []Entry          // the log, in order from entry 1
	Checkpoints [][]byte         // signed checkpoint notes, in the order they were signed
	Documents   []BundleDocument // sorted by name
}

// BundleDocument is one issued document (a report, the minutes, the
// results) and its detached signature in signify format.
type BundleDocument struct {
	Name      string
	Data      []byte
	Signature []byte
}

// FileWriter receives the files of a bundle, one call per file, with
// slash-separated paths relative to the bundle's root. The command line
// supplies one that writes a directory; WriteZip uses one that writes a zip.
type FileWriter interface {
	WriteFile(name string, data []byte) error
}

// bundleFile is one file of a bundle before it is written.
type bundleFile struct {
	name string
	data []byte
}

// WriteBundle writes b through w: the manifest first, then every other file
// in the order the manifest lists them. It refuses a Bundle that ReadBundle
// would not read back, so that an export is never unreadable.
func WriteBundle(w FileWriter, b *Bundle) error {
	files, err := bundleFiles(b)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := w.WriteFile(f.name, f.data); err != nil {
			return fmt.Errorf("failed to write %s: %w", f.name, err)
		}
	}
	return nil
}

// WriteZip writes b as a zip archive whose root holds BUNDLE.txt. The
// archive is deterministic: the same Bundle always gives the same bytes.
func WriteZip(w io.Writer, b *Bundle) error {
	zw := zip.NewWriter(w)
	mod := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	if n := len(b.Entries); n > 0 {
		if t, err := time.Parse(time.RFC3339, b.Entries[n-1].Time); err == nil && t.Year() >= 1980 {
			mod = t.UTC()
		}
	}
	if err := WriteBundle(zipFiles{zw, mod}, b); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("failed to finish the zip archive: %w", err)
	}
	return nil
}

type zipFiles struct {
	zw  *zip.Writer
	mod time.Time
}

func (z zipFiles) WriteFile(name string, data []byte) error {
	fw, err := z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.mod})
	if err != nil {
		return err
	}
	_, err = fw.Write(data)
	return err
}

// validBundleSession says whether s can be the session of a bundle: a field
// of the log that can also be part of a file name. The reader and the writer
// share it, so that every bundle that reads can be written back.
func validBundleSession(s string) bool {
	return validField(s) && !strings.ContainsAny(s, " /\\")
}

// bundleFiles lays b out as files, manifest first.
func bundleFiles(b *Bundle) ([]bundleFile, error) {
	if !validBundleSession(b.Session) {
		return nil, fmt.Errorf("failed to write bundle: session %q cannot name a bundle", b.Session)
	}
	pub, err := PublicKeyFromVerifierKey(b.VerifierKey)
	if err != nil {
		return nil, fmt.Errorf("failed to write bundle: %w", err)
	}
	if _, err := note.NewVerifier(b.VerifierKey); err != nil {
		return nil, fmt.Errorf("failed to write bundle: verifier key: %w", err)
	}
	log, err := EncodeLog(b.Entries)
	if err != nil {
		return nil, err
	}
	fp := Fingerprint(b.VerifierKey)
	files := []bundleFile{
		{BundleLog, log},
		{BundleReadme, bundleReadme(b.Session, fp)},
		{BundleVerifierKey, []byte(b.VerifierKey + "\n")},
		{BundleSignifyKey, signifyPublicKey(pub, fp)},
		{BundlePEMKey, publicKeyPEM(pub)},
		{BundleFingerprint, []byte(FingerprintHeader + "\n" + fp + "\n")},
	}
	for i, cp := range b.Checkpoints {
		if len(cp) == 0 || len(cp) > MaxCheckpointBytes {
			return nil, fmt.Errorf("failed to write bundle: checkpoint %d is empty or too large", i+1)
		}
		files = append(files, bundleFile{fmt.Sprintf("%s%04d%s", bundleCheckpoints, i+1, bundleNoteSuffix), cp})
	}
	seen := map[string]bool{}
	for _, d := range b.Documents {
		if err := checkDocumentName(d.Name); err != nil {
			return nil, fmt.Errorf("failed to write bundle: %w", err)
		}
		if seen[d.Name] {
			return nil, fmt.Errorf("failed to write bundle: document %q appears twice", d.Name)
		}
		if len(d.Data) > MaxDocumentBytes || len(d.Signature) == 0 || len(d.Signature) > MaxSignatureBytes {
			return nil, fmt.Errorf("failed to write bundle: document %q is too large or has no signature", d.Name)
		}
		seen[d.Name] = true
		files = append(files, bundleFile{bundleDocuments + d.Name, d.Data},
			bundleFile{bundleDocuments + d.Name + bundleSigSuffix, d.Signature})
	}
	slices.SortFunc(files, func(a, b bundleFile) int { return strings.Compare(a.name, b.name) })
	var m bytes.Buffer
	fmt.Fprintf(&m, "%s\nsession %s\nkey %s\nfingerprint %s\n\n", BundleHeader, b.Session, b.VerifierKey, fp)
	for _, f := range files {
		fmt.Fprintf(&m, "%s  %s\n", Sum(f.data), f.name)
	}
	return append([]bundleFile{{BundleManifest, m.Bytes()}}, files...), nil
}

// EncodeLog returns entries in the JSON Lines form of SPEC.md section 4.4:
// one JSON object per line, each entry's data inline and byte for byte as
// hashed.
func EncodeLog(entries []Entry) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Data is hashed as stored; HTML escaping would change its bytes.
	enc.SetEscapeHTML(false)
	for i := range entries {
		if err := enc.Encode(&entries[i]); err != nil {
			return nil, fmt.Errorf("failed to encode entry %d: %w", entries[i].Seq, err)
		}
	}
	return buf.Bytes(), nil
}

// checkDocumentName accepts names that are safe as a file name on Linux,
// Windows and macOS alike, so that a bundle unpacks anywhere.
func checkDocumentName(name string) error {
	switch {
	case name == "" || len(name) > 200 || !utf8.ValidString(name):
		return fmt.Errorf("document name %q is empty, too long or not UTF-8", name)
	case name[0] == '.' || name[0] == ' ' || strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return fmt.Errorf("document name %q starts or ends with a dot or a space", name)
	case strings.HasSuffix(name, bundleSigSuffix):
		return fmt.Errorf("document name %q ends in %s, which is kept for signatures", name, bundleSigSuffix)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) }):
		return fmt.Errorf("document name %q holds a character not allowed in file names", name)
	}
	return nil
}

// signifyPublicKey is Key.SignifyPublicKey for a public key alone: the
// exporting side holds only the verifier key.
func signifyPublicKey(pub ed25519.PublicKey, fp string) []byte {
	raw := bytes.Join([][]byte{signifyAlg, signifyKeyNum(pub), pub}, nil)
	return []byte("untrusted comment: tinnhiem public key " + fp + "\n" + base64.StdEncoding.EncodeToString(raw) + "\n")
}
