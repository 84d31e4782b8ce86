package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Limits that ReadBundle enforces, so that a hostile bundle (a zip bomb, a
// line without end) fails with an error instead of exhausting memory.
const (
	MaxBundleFiles     = 10000
	MaxManifestBytes   = 4 << 20
	MaxLogBytes        = 4 << 30
	MaxLogLineBytes    = 16 << 20 // one TokensIssued of 100 000 cards is 6.7 MB
	MaxCheckpointBytes = 64 << 10
	MaxDocumentBytes   = 256 << 20
	MaxSignatureBytes  = 4 << 10
	maxKeyFileBytes    = 64 << 10
)

// BundleError reports why a bundle cannot be read: which file and what is
// wrong with it. A malformed line of the log is a *ChainError instead,
// naming the entry.
type BundleError struct {
	File string
	Err  error
}

// Error names the file of the bundle, then the reason.
func (e *BundleError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("bundle: %v", e.Err)
	}
	return fmt.Sprintf("bundle file %s: %v", e.File, e.Err)
}

// Unwrap returns the underlying reason.
func (e *BundleError) Unwrap() error { return e.Err }

func bundleErr(file, format string, args ...any) error {
	return &BundleError{File: file, Err: fmt.Errorf(format, args...)}
}

// manifestEntry is one file line of BUNDLE.txt.
type manifestEntry struct {
	hash Hash
	name string
}

// ReadBundle reads a bundle from fsys: a directory (os.DirFS) or a zip
// archive (*zip.Reader). The root of fsys must hold BUNDLE.txt, or hold one
// directory that does. ReadBundle checks that every file is listed in the
// manifest with its SHA-256, that every listed file is present, and that
// each file is well formed; it does not judge the log's contents or any
// signature. Errors are a *BundleError, or a *ChainError for a line of
// log.jsonl that is not an entry. It never panics on any input.
func ReadBundle(fsys fs.FS) (*Bundle, error) {
	fsys, err := bundleRoot(fsys)
	if err != nil {
		return nil, err
	}
	raw, err := readLimited(fsys, BundleManifest, MaxManifestBytes)
	if err != nil {
		return nil, err
	}
	b, listed, err := parseManifest(raw)
	if err != nil {
		return nil, err
	}
	if err := checkUnlisted(fsys, listed); err != nil {
		return nil, err
	}
	docs := map[string]int{}
	for _, m := range listed {
		if m.name == BundleLog {
			if b.Entries, err = readLog(fsys, m.hash); err != nil {
				return nil, err
			}
			continue
		}
		limit := int64(maxKeyFileBytes)
		switch {
		case strings.HasPrefix(m.name, bundleCheckpoints):
			limit = MaxCheckpointBytes
		case strings.HasSuffix(m.name, bundleSigSuffix):
			limit = MaxSignatureBytes
		case strings.HasPrefix(m.name, bundleDocuments):
			limit = MaxDocumentBytes
		}
		data, err := readLimited(fsys, m.name, limit)
		if err != nil {
			return nil, err
		}
		if Sum(data) != m.hash {
			return nil, bundleErr(m.name, "its SHA-256 differs from the one in %s", BundleManifest)
		}
		if err := b.addFile(m.name, data, docs); err != nil {
			return nil, err
		}
	}
	for _, d := range b.Documents {
		if d.Signature == nil {
			return nil, bundleErr(bundleDocuments+d.Name, "has no detached signature %s", d.Name+bundleSigSuffix)
		}
	}
	return b, nil
}

// bundleRoot returns fsys, or its only directory when the archive was made
// from the bundle's parent directory.
func bundleRoot(fsys fs.FS) (fs.FS, error) {
	if _, err := fs.Stat(fsys, BundleManifest); err == nil {
		return fsys, nil
	}
	top, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, bundleErr("", "cannot list the bundle: %v", err)
	}
	if len(top) == 1 && top[0].IsDir() {
		sub, err := fs.Sub(fsys, top[0].Name())
		if err == nil {
			if _, err := fs.Stat(sub, BundleManifest); err == nil {
				return sub, nil
			}
		}
	}
	return nil, bundleErr("", "no %s: this is not a tinnhiem bundle", BundleManifest)
}

func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, bundleErr(name, "is missing: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, bundleErr(name, "cannot be read: %v", err)
	}
	if int64(len(data)) > limit {
		return nil, bundleErr(name, "is larger than %d bytes", limit)
	}
	return data, nil
}

func parseManifest(raw []byte) (*Bundle, []manifestEntry, error) {
	bad := func(format string, args ...any) error { return bundleErr(BundleManifest, format, args...) }
	text, ok := strings.CutSuffix(string(raw), "\n")
	if !ok {
		return nil, nil, bad("does not end with a newline")
	}
	lines := strings.Split(text, "\n")
	if len(lines) < 5 || lines[0] != BundleHeader {
		return nil, nil, bad("first line must be %q", BundleHeader)
	}
	b := &Bundle{}
	b.Session, ok = strings.CutPrefix(lines[1], "session ")
	if !ok || !validField(b.Session) {
		return nil, nil, bad("line 2 must be \"session ID\"")
	}
	b.VerifierKey, ok = strings.CutPrefix(lines[2], "key ")
	if !ok {
		return nil, nil, bad("line 3 must be \"key VERIFIER-KEY\"")
	}
	if _, err := note.NewVerifier(b.VerifierKey); err != nil {
		return nil, nil, bad("line 3 holds a malformed verifier key: %v", err)
	}
	if _, err := PublicKeyFromVerifierKey(b.VerifierKey); err != nil {
		return nil, nil, bad("line 3: %v", err)
	}
	if fp, ok := strings.CutPrefix(lines[3], "fingerprint "); !ok || fp != Fingerprint(b.VerifierKey) {
		return nil, nil, bad("line 4 must be \"fingerprint %s\", the key's fingerprint", Fingerprint(b.VerifierKey))
	}
	if lines[4] != "" {
		return nil, nil, bad("line 5 must be empty")
	}
	if len(lines)-5 > MaxBundleFiles {
		return nil, nil, bad("lists more than %d files", MaxBundleFiles)
	}
	var listed []manifestEntry
	for i, l := range lines[5:] {
		h, name, ok := strings.Cut(l, "  ")
		hash, err := ParseHash(h)
		if !ok || err != nil || h != hash.String() {
			return nil, nil, bad("line %d must be a SHA-256 in lowercase hex, two spaces and a path", i+6)
		}
		if err := checkBundlePath(name); err != nil {
			return nil, nil, bad("line %d: %v", i+6, err)
		}
		if len(listed) > 0 && listed[len(listed)-1].name >= name {
			return nil, nil, bad("line %d: paths must be sorted and listed once", i+6)
		}
		listed = append(listed, manifestEntry{hash, name})
	}
	for _, want := range []string{BundleLog, BundleVerifierKey, BundleSignifyKey, BundlePEMKey, BundleFingerprint} {
		if !slices.ContainsFunc(listed, func(m manifestEntry) bool { return m.name == want }) {
			return nil, nil, bad("does not list %s", want)
		}
	}
	return b, listed, nil
}

// checkBundlePath accepts only the paths a bundle may hold.
func checkBundlePath(name string) error {
	if !fs.ValidPath(name) {
		return fmt.Errorf("%q is not a valid path", name)
	}
	switch name {
	case BundleLog, BundleReadme, BundleVerifierKey, BundleSignifyKey, BundlePEMKey, BundleFingerprint:
		return nil
	}
	if n, ok := strings.CutPrefix(name, bundleCheckpoints); ok && !strings.Contains(n, "/") && len(n) > len(bundleNoteSuffix) && strings.HasSuffix(n, bundleNoteSuffix) {
		return nil
	}
	if n, ok := strings.CutPrefix(name, bundleDocuments); ok {
		return checkDocumentName(strings.TrimSuffix(n, bundleSigSuffix))
	}
	return fmt.Errorf("%q is not a file a bundle holds", name)
}

// checkUnlisted fails on any file the manifest does not list, so that
// nothing in a bundle escapes its hashes.
func checkUnlisted(fsys fs.FS, listed []manifestEntry) error {
	n := 0
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return bundleErr(p, "cannot be read: %v", err)
		}
		if n++; n > 2*MaxBundleFiles {
			return bundleErr("", "holds more than %d files", MaxBundleFiles)
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return bundleErr(p, "is not a regular file")
		}
		if p == BundleManifest {
			return nil
		}
		if _, ok := slices.BinarySearchFunc(listed, p, func(m manifestEntry, p string) int { return strings.Compare(m.name, p) }); !ok {
			return bundleErr(p, "is not listed in %s", BundleManifest)
		}
		return nil
	})
}

// addFile stores a verified file in b. docs maps a document's name to its
// index in b.Documents.
func (b *Bundle) addFile(name string, data []byte, docs map[string]int) error {
	pub, _ := PublicKeyFromVerifierKey(b.VerifierKey)
	switch name {
	case BundleReadme:
		if !bytes.HasPrefix(data, []byte(readmeHeader+"\n")) {
			return bundleErr(name, "first line must be %q", readmeHeader)
		}
	case BundleVerifierKey:
		if string(data) != b.VerifierKey+"\n" {
			return bundleErr(name, "does not hold the key named in %s", BundleManifest)
		}
	case BundleSignifyKey:
		got, err := ParseSignifyPublicKey(data)
		if err != nil || !pub.Equal(got) {
			return bundleErr(name, "is not the signify form of the bundle's key")
		}
	case BundlePEMKey:
		blk, rest := pem.Decode(data)
		if blk == nil || blk.Type != "PUBLIC KEY" || len(bytes.TrimSpace(rest)) != 0 {
			return bundleErr(name, "is not one PEM public key")
		}
		got, err := parsePublicKeyDER(blk.Bytes)
		if err != nil || !pub.Equal(got) {
			return bundleErr(name, "is not the PEM form of the bundle's key")
		}
	case BundleFingerprint:
		if string(data) != FingerprintHeader+"\n"+Fingerprint(b.VerifierKey)+"\n" {
			return bundleErr(name, "does not hold the fingerprint of the bundle's key")
		}
	default:
		if strings.HasPrefix(name, bundleCheckpoints) {
			b.Checkpoints = append(b.Checkpoints, data)
			return nil
		}
		base, isSig := strings.CutSuffix(strings.TrimPrefix(name, bundleDocuments), bundleSigSuffix)
		i, ok := docs[base]
		if !ok {
			if isSig {
				return bundleErr(name, "signs a document the bundle does not hold")
			}
			b.Documents = append(b.Documents, BundleDocument{Name: base})
			i = len(b.Documents) - 1
			docs[base] = i
		}
		if isSig {
			b.Documents[i].Signature = data
		} else {
			b.Documents[i].Data = data
		}
	}
	return nil
}

// readLog parses log.jsonl line by line while hashing it, so that a large
// log is read once.
func readLog(fsys fs.FS, want Hash) ([]Entry, error) {
	f, err := fsys.Open(BundleLog)
	if err != nil {
		return nil, bundleErr(BundleLog, "is missing: %v", err)
	}
	defer f.Close()
	h := sha256.New()
	r := bufio.NewReaderSize(io.TeeReader(io.LimitReader(f, MaxLogBytes+1), h), 64<<10)
	var entries []Entry
	var lineErr error
	var total int64
	for seq := uint64(1); ; seq++ {
		line, err := readLine(r)
		total += int64(len(line))
		if err == io.EOF && len(line) == 0 {
			break
		}
		if lineErr == nil {
			var e Entry
			switch {
			case errors.Is(err, errLineTooLong):
				lineErr = &ChainError{Seq: seq, Err: fmt.Errorf("line %d of %s is longer than %d bytes", seq, BundleLog, MaxLogLineBytes)}
			case err == io.EOF:
				lineErr = &ChainError{Seq: seq, Err: fmt.Errorf("line %d of %s is cut short (no final newline)", seq, BundleLog)}
			case err != nil:
				return nil, bundleErr(BundleLog, "cannot be read: %v", err)
			default:
				if e, err = decodeLogLine(line); err != nil {
					lineErr = &ChainError{Seq: seq, Err: fmt.Errorf("line %d of %s is not an entry: %v", seq, BundleLog, err)}
				}
			}
			entries = append(entries, e)
		}
		if err == io.EOF {
			break
		}
	}
	if total > MaxLogBytes {
		return nil, bundleErr(BundleLog, "is larger than %d bytes", int64(MaxLogBytes))
	}
	// The hash decides first: a log that differs from the manifest is a
	// broken bundle whatever its lines say.
	if Hash(h.Sum(nil)) != want {
		return nil, bundleErr(BundleLog, "its SHA-256 differs from the one in %s", BundleManifest)
	}
	if lineErr != nil {
		return nil, lineErr
	}
	return entries, nil
}

var errLineTooLong = errors.New("line too long")

// readLine returns one line without its newline, draining (and reporting)
// lines longer than MaxLogLineBytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLogLineBytes+1 {
			for err == bufio.ErrBufferFull {
				_, err = r.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return []byte{0}, errLineTooLong
		}
		line = append(line, chunk...)
		switch err {
		case bufio.ErrBufferFull:
			continue
		case nil:
			return line[:len(line)-1], nil
		default:
			return line, err
		}
	}
}

func decodeLogLine(line []byte) (Entry, error) {
	var e Entry
	d := json.NewDecoder(bytes.NewReader(line))
	d.DisallowUnknownFields()
	if err := d.Decode(&e); err != nil {
		return e, err
	}
	if _, err := d.Token(); err != io.EOF {
		return e, errors.New("trailing data after the entry")
	}
	return e, nil
}
