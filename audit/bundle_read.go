package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"iter"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Limits that a bundle reader enforces, so that a hostile bundle (a zip
// bomb, a line without end, thousands of files) fails with an error naming
// the file instead of exhausting memory. Sizes are checked as the bundle
// declares them (the zip's headers, the directory's file sizes) before a
// byte is read, and again while reading. Only the manifest and the small
// files counted by MaxHeldBytes are ever held whole; the log is read line by
// line and documents are hashed as a stream.
const (
	MaxBundleFiles     = 10000
	MaxBundleBytes     = 5 << 30 // all files together, as declared
	MaxManifestBytes   = 4 << 20
	MaxLogBytes        = 4 << 30
	MaxLogLineBytes    = 16 << 20 // one TokensIssued of 100 000 cards is 6.7 MB
	MaxCheckpointBytes = 64 << 10
	MaxDocumentBytes   = 256 << 20
	MaxSignatureBytes  = 4 << 10
	// MaxHeldBytes bounds the checkpoints, detached signatures, key files
	// and README together: the files a reader keeps in memory.
	MaxHeldBytes    = 16 << 20
	maxKeyFileBytes = 64 << 10
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

// BundleReader is a bundle opened for reading: its manifest parsed, every
// file checked against it, the small files held, the documents hashed but
// not held, and the log left on disk to be read once, line by line, with
// Entries. What it holds in memory is bounded by MaxManifestBytes and
// MaxHeldBytes whatever the size of the bundle, so that a zip bomb cannot
// make a verifier exhaust memory.
type BundleReader struct {
	Session     string         // the session the bundle claims to hold
	VerifierKey string         // the installation's note verifier key
	Checkpoints [][]byte       // signed checkpoint notes, in the order they were signed
	Documents   []DocumentFile // sorted by name

	fsys    fs.FS
	logHash Hash
	logSize int64
	logErr  error
}

// DocumentFile is one issued document as OpenBundle found it: its size
// and SHA-256, which match the manifest, and its detached signature. The
// document's bytes stay in the bundle; OpenDocument reads them again.
type DocumentFile struct {
	Name      string
	Size      int64
	SHA256    Hash
	Signature []byte
}

// OpenBundle opens the bundle in fsys: a directory (os.DirFS) or a zip
// archive (*zip.Reader). The root of fsys must hold BUNDLE.txt, or hold one
// directory that does. It checks every size the bundle declares against
// the limits above before reading anything else, that every file is listed
// in the manifest and every listed file present, that each file but the
// log matches its SHA-256 (documents hashed as a stream) and that the key
// files hold the manifest's key. The log is checked by Entries as it is
// read. Errors are a *BundleError naming the file. It never panics on any
// input and does not judge the log's contents or any signature.
func OpenBundle(fsys fs.FS) (*BundleReader, error) {
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
	b.fsys = fsys
	sizes, err := checkFiles(fsys, listed)
	if err != nil {
		return nil, err
	}
	docs := map[string]int{}
	for _, m := range listed {
		switch {
		case m.name == BundleLog:
			b.logHash, b.logSize = m.hash, sizes[m.name]
			continue
		case isDocument(m.name):
			n, err := hashFile(fsys, m.name, MaxDocumentBytes, m.hash)
			if err != nil {
				return nil, err
			}
			b.Documents = append(b.Documents, DocumentFile{Name: strings.TrimPrefix(m.name, bundleDocuments), Size: n, SHA256: m.hash})
			docs[b.Documents[len(b.Documents)-1].Name] = len(b.Documents) - 1
			continue
		}
		data, err := readLimited(fsys, m.name, limitFor(m.name))
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

// ReadBundle reads the whole bundle in fsys into memory: OpenBundle, then
// every entry of the log and every document's bytes. It is for tools and
// tests that inspect or rewrite a bundle; a verifier, which must not hold a
// bundle of any size, uses OpenBundle. Errors are a *BundleError, or a
// *ChainError for a line of log.jsonl that is not an entry.
func ReadBundle(fsys fs.FS) (*Bundle, error) {
	r, err := OpenBundle(fsys)
	if err != nil {
		return nil, err
	}
	b := &Bundle{Session: r.Session, VerifierKey: r.VerifierKey, Checkpoints: r.Checkpoints}
	for e, err := range r.Entries() {
		if err != nil {
			return nil, err
		}
		b.Entries = append(b.Entries, *e)
	}
	for _, d := range r.Documents {
		f, err := r.OpenDocument(d.Name)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		b.Documents = append(b.Documents, BundleDocument{Name: d.Name, Data: data, Signature: d.Signature})
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

// limitFor returns the largest size the file name may have.
func limitFor(name string) int64 {
	switch {
	case name == BundleManifest:
		return MaxManifestBytes
	case name == BundleLog:
		return MaxLogBytes
	case strings.HasPrefix(name, bundleCheckpoints):
		return MaxCheckpointBytes
	case strings.HasPrefix(name, bundleDocuments) && strings.HasSuffix(name, bundleSigSuffix):
		return MaxSignatureBytes
	case strings.HasPrefix(name, bundleDocuments):
		return MaxDocumentBytes
	}
	return maxKeyFileBytes
}

func isDocument(name string) bool {
	return strings.HasPrefix(name, bundleDocuments) && !strings.HasSuffix(name, bundleSigSuffix)
}

// tooLarge names the file and both sizes, so that an inspector handed a
// zip bomb learns which member it is.
func tooLarge(name string, size, limit int64) error {
	return bundleErr(name, "is %d bytes, more than the %d bytes a bundle may hold there", size, limit)
}

func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, bundleErr(name, "is missing: %v", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > limit {
		return nil, tooLarge(name, st.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, bundleErr(name, "cannot be read: %v", err)
	}
	if int64(len(data)) > limit {
		return nil, bundleErr(name, "is larger than %d bytes", limit)
	}
	return data, nil
}

// hashFile reads name as a stream, at most limit bytes, and checks its
// SHA-256 against want. It returns the file's size.
func hashFile(fsys fs.FS, name string, limit int64, want Hash) (int64, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return 0, bundleErr(name, "is missing: %v", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		return 0, bundleErr(name, "cannot be read: %v", err)
	case n > limit:
		return 0, bundleErr(name, "is larger than %d bytes", limit)
	case Hash(h.Sum(nil)) != want:
		return 0, bundleErr(name, "its SHA-256 differs from the one in %s", BundleManifest)
	}
	return n, nil
}
func parseManifest(raw []byte) (*BundleReader, []manifestEntry, error) {
	bad := func(format string, args ...any) error { return bundleErr(BundleManifest, format, args...) }
	text, ok := strings.CutSuffix(string(raw), "\n")
	if !ok {
		return nil, nil, bad("does not end with a newline")
	}
	lines := strings.Split(text, "\n")
	if len(lines) < 5 || lines[0] != BundleHeader {
		return nil, nil, bad("first line must be %q", BundleHeader)
	}
	b := &BundleReader{}
	b.Session, ok = strings.CutPrefix(lines[1], "session ")
	if !ok || !validBundleSession(b.Session) {
		return nil, nil, bad("line 2 must be \"session ID\" with an ID of no spaces or slashes")
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

// checkFiles fails on any file the manifest does not list, so that
// nothing in a bundle escapes its hashes, and on any listed file whose
// declared size is over its limit or that, with those before it, makes the
// bundle or its held files too large: a zip bomb is refused by its
// headers, before it is inflated. It returns the declared sizes.
func checkFiles(fsys fs.FS, listed []manifestEntry) (map[string]int64, error) {
	sizes := map[string]int64{}
	var total, held int64
	n := 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
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
		if p != BundleManifest {
			if _, ok := slices.BinarySearchFunc(listed, p, func(m manifestEntry, p string) int { return strings.Compare(m.name, p) }); !ok {
				return bundleErr(p, "is not listed in %s", BundleManifest)
			}
		}
		info, err := d.Info()
		if err != nil {
			return bundleErr(p, "cannot be read: %v", err)
		}
		size := info.Size()
		if limit := limitFor(p); size < 0 || size > limit {
			return tooLarge(p, size, limit)
		}
		if total += size; total > MaxBundleBytes {
			return bundleErr(p, "makes the bundle larger than %d bytes", int64(MaxBundleBytes))
		}
		if p != BundleManifest && p != BundleLog && !isDocument(p) {
			if held += size; held > MaxHeldBytes {
				return bundleErr(p, "makes the checkpoints, signatures and key files larger than %d bytes together", int64(MaxHeldBytes))
			}
		}
		sizes[p] = size
		return nil
	})
	return sizes, err
}

// addFile stores a verified file in b. docs maps a document's name to its
// index in b.Documents.
func (b *BundleReader) addFile(name string, data []byte, docs map[string]int) error {
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
		// Documents are hashed, not held (OpenBundle); only their
		// signatures come here, after them in the manifest's order.
		base := strings.TrimSuffix(strings.TrimPrefix(name, bundleDocuments), bundleSigSuffix)
		i, ok := docs[base]
		if !ok {
			return bundleErr(name, "signs a document the bundle does not hold")
		}
		b.Documents[i].Signature = data
	}
	return nil
}

// Entries reads log.jsonl once, line by line, and yields each entry as it
// is parsed; it holds one line at a time, so a log of any size is read in
// bounded memory. Entries are parsed, not judged: the chain is the
// caller's to check. The log's SHA-256 is known only at its end, so the
// error, if any, comes last, after every entry that parsed: a *BundleError
// when the log differs from the manifest (whatever its lines say; the
// entries yielded before it must then be disregarded) or is too large, or
// else a *ChainError naming the first line that is not an entry, after
// which no entry is yielded. The caller may stop early, once it has seen
// enough (a broken chain): the rest of the log is then only hashed, not
// parsed, and LogError gives the verdict.
func (b *BundleReader) Entries() iter.Seq2[*Entry, error] {
	return func(yield func(*Entry, error) bool) {
		stopped := false
		b.logErr = b.readLog(func(e *Entry) {
			stopped = stopped || !yield(e, nil)
		}, func() bool { return stopped })
		if b.logErr != nil && !stopped {
			yield(nil, b.logErr)
		}
	}
}

// LogError returns, after Entries has run (to the end or stopped early),
// the error it yields or would have yielded last: nil when log.jsonl
// matches the manifest and every line is an entry.
func (b *BundleReader) LogError() error { return b.logErr }

// readLog reads log.jsonl to its end, hashing every byte, and passes each
// entry to emit until the first line that is not one or until stopped says
// that nobody listens any more.
func (b *BundleReader) readLog(emit func(*Entry), stopped func() bool) error {
	f, err := b.fsys.Open(BundleLog)
	if err != nil {
		return bundleErr(BundleLog, "is missing: %v", err)
	}
	defer f.Close()
	h := &countingHash{Hash: sha256.New()}
	r := bufio.NewReaderSize(io.TeeReader(io.LimitReader(f, MaxLogBytes+1), h), 64<<10)
	var lineErr error
	for seq := uint64(1); ; seq++ {
		if lineErr != nil || stopped() {
			// Nothing more to parse: hash the rest at the speed of
			// reading.
			if _, err := io.Copy(io.Discard, r); err != nil {
				return bundleErr(BundleLog, "cannot be read: %v", err)
			}
			break
		}
		line, err := readLine(r)
		if err == io.EOF && len(line) == 0 {
			break
		}
		switch {
		case errors.Is(err, errLineTooLong):
			lineErr = &ChainError{Seq: seq, Err: fmt.Errorf("line %d of %s is longer than %d bytes", seq, BundleLog, MaxLogLineBytes)}
		case err == io.EOF:
			lineErr = &ChainError{Seq: seq, Err: fmt.Errorf("line %d of %s is cut short (no final newline)", seq, BundleLog)}
		case err != nil:
			return bundleErr(BundleLog, "cannot be read: %v", err)
		default:
			e, err := decodeLogLine(line)
			if err != nil {
				lineErr = &ChainError{Seq: seq, Err: fmt.Errorf("line %d of %s is not an entry: %v", seq, BundleLog, err)}
			} else {
				emit(&e)
			}
		}
	}
	switch {
	case h.n > MaxLogBytes:
		return bundleErr(BundleLog, "is larger than %d bytes", int64(MaxLogBytes))
	// The hash decides first: a log that differs from the manifest is a
	// broken bundle whatever its lines say.
	case Hash(h.Sum(nil)) != b.logHash:
		return bundleErr(BundleLog, "its SHA-256 differs from the one in %s", BundleManifest)
	}
	return lineErr
}

// countingHash is a hash that counts the bytes written to it.
type countingHash struct {
	hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.Hash.Write(p)
}

// OpenDocument opens the document name (a DocumentFile's Name) to read its
// bytes again. The reader fails at its end if the bytes are not those
// OpenBundle hashed, so that nothing checked later (a signature, the
// figures of results.csv) is checked on other bytes than the manifest's.
func (b *BundleReader) OpenDocument(name string) (io.ReadCloser, error) {
	i, ok := slices.BinarySearchFunc(b.Documents, name, func(d DocumentFile, n string) int { return strings.Compare(d.Name, n) })
	if !ok {
		return nil, bundleErr(bundleDocuments+name, "is not in the bundle")
	}
	f, err := b.fsys.Open(bundleDocuments + name)
	if err != nil {
		return nil, bundleErr(bundleDocuments+name, "is missing: %v", err)
	}
	d := b.Documents[i]
	return &checkedFile{f: f, r: io.LimitReader(f, d.Size+1), h: sha256.New(), doc: d}, nil
}

// checkedFile hashes a document as it is read and fails at its end if the
// bytes differ from those hashed when the bundle was opened.
type checkedFile struct {
	f   fs.File
	r   io.Reader
	h   hash.Hash
	n   int64
	doc DocumentFile
}

func (c *checkedFile) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if err == io.EOF && (c.n != c.doc.Size || Hash(c.h.Sum(nil)) != c.doc.SHA256) {
		return n, bundleErr(bundleDocuments+c.doc.Name, "changed while the bundle was being read")
	}
	return n, err
}

func (c *checkedFile) Close() error { return c.f.Close() }

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
