package audit

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// memFiles is a FileWriter into an in-memory file system.
type memFiles fstest.MapFS

func (m memFiles) WriteFile(name string, data []byte) error {
	m[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	return nil
}

func testBundle(t testing.TB) (*Bundle, *Key) {
	t.Helper()
	k, err := GenerateKey(rand.Reader, "tinnhiem")
	if err != nil {
		t.Fatal(err)
	}
	log := testLog(t.(*testing.T), 6)
	cp, err := SignCheckpoint(Checkpoint{Session: "s1", Head: Head{Size: 6, Hash: log[5].Hash}}, k)
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte("Biên bản kiểm phiếu\n")
	return &Bundle{Session: "s1", VerifierKey: k.VerifierKey(), Entries: log, Checkpoints: [][]byte{cp},
		Documents: []BundleDocument{{Name: "biên-bản.pdf", Data: doc, Signature: k.SignDetached(doc, "tinnhiem.pub")}}}, k
}

func TestBundleRoundTrip(t *testing.T) {
	b, _ := testBundle(t)
	var z1, z2 bytes.Buffer
	if err := WriteZip(&z1, b); err != nil {
		t.Fatal(err)
	}
	if err := WriteZip(&z2, b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(z1.Bytes(), z2.Bytes()) {
		t.Errorf("WriteZip is not deterministic")
	}
	zr, err := zip.NewReader(bytes.NewReader(z1.Bytes()), int64(z1.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadBundle(zr)
	if err != nil {
		t.Fatalf("ReadBundle(zip): %v", err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Errorf("round trip through zip:\ngot  %+v\nwant %+v", got, b)
	}
	// A zip made from the bundle's parent directory holds one folder.
	nested := fstest.MapFS{}
	m := memFiles{}
	if err := WriteBundle(m, b); err != nil {
		t.Fatal(err)
	}
	for name, f := range m {
		nested["tinnhiem-s1/"+name] = f
	}
	if got, err := ReadBundle(nested); err != nil || len(got.Entries) != len(b.Entries) {
		t.Errorf("ReadBundle of a nested bundle: %v", err)
	}
}

func TestWriteBundleRefusesWhatCannotBeRead(t *testing.T) {
	for name, edit := range map[string]func(*Bundle){
		"bad session":       func(b *Bundle) { b.Session = "a/b" },
		"bad key":           func(b *Bundle) { b.VerifierKey = "tinnhiem+00000000+AAAA" },
		"document path":     func(b *Bundle) { b.Documents[0].Name = "../etc/passwd" },
		"windows name":      func(b *Bundle) { b.Documents[0].Name = "a:b.pdf" },
		"signature suffix":  func(b *Bundle) { b.Documents[0].Name = "x.sig" },
		"no signature":      func(b *Bundle) { b.Documents[0].Signature = nil },
		"repeated document": func(b *Bundle) { b.Documents = append(b.Documents, b.Documents[0]) },
	} {
		b, _ := testBundle(t)
		edit(b)
		if err := WriteBundle(memFiles{}, b); err == nil {
			t.Errorf("%s: WriteBundle succeeded, want an error", name)
		}
	}
}

func TestReadBundleErrors(t *testing.T) {
	b, _ := testBundle(t)
	good := memFiles{}
	if err := WriteBundle(good, b); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(fstest.MapFS)
	}{
		{"no manifest", func(m fstest.MapFS) { delete(m, BundleManifest) }},
		// The writer refuses such a session, so the reader must too: a
		// bundle that reads has to be one that can be written back (found by
		// FuzzBundle on CI).
		{"session with a space", func(m fstest.MapFS) {
			m[BundleManifest].Data = bytes.Replace(m[BundleManifest].Data, []byte("session "+b.Session), []byte("session l4i7np r3"), 1)
		}},
		{"session with a slash", func(m fstest.MapFS) {
			m[BundleManifest].Data = bytes.Replace(m[BundleManifest].Data, []byte("session "+b.Session), []byte("session a/b"), 1)
		}},
		{"unlisted file", func(m fstest.MapFS) { m["documents/x.pdf"] = &fstest.MapFile{Data: []byte("x")} }},
		{"missing file", func(m fstest.MapFS) { delete(m, BundleFingerprint) }},
		{"changed file", func(m fstest.MapFS) { m[BundleLog].Data = append([]byte(nil), m[BundleLog].Data[1:]...) }},
		{"signature without document", func(m fstest.MapFS) { delete(m, "documents/biên-bản.pdf") }},
		{"pem of another key", func(m fstest.MapFS) {
			k, _ := GenerateKey(rand.Reader, "x")
			m[BundlePEMKey].Data = k.PublicKeyPEM()
		}},
	}
	for _, tt := range tests {
		m := fstest.MapFS{}
		for n, f := range good {
			m[n] = &fstest.MapFile{Data: bytes.Clone(f.Data), Mode: f.Mode}
		}
		tt.edit(m)
		_, err := ReadBundle(m)
		var be *BundleError
		if !errors.As(err, &be) {
			t.Errorf("%s: error %v, want a *BundleError", tt.name, err)
		}
	}
}

func TestReadBundleLongLine(t *testing.T) {
	b, _ := testBundle(t)
	m := memFiles{}
	if err := WriteBundle(m, b); err != nil {
		t.Fatal(err)
	}
	log := append(bytes.Clone(m[BundleLog].Data), bytes.Repeat([]byte("x"), MaxLogLineBytes+10)...)
	log = append(log, '\n')
	m[BundleLog].Data = log
	m[BundleManifest].Data = []byte(strings.Replace(string(m[BundleManifest].Data), Sum(b.mustLog(t)).String(), Sum(log).String(), 1))
	_, err := ReadBundle(fstest.MapFS(m))
	var ce *ChainError
	if !errors.As(err, &ce) || ce.Seq != 7 {
		t.Fatalf("error %v, want a *ChainError at entry 7", err)
	}
}

func (b *Bundle) mustLog(t *testing.T) []byte {
	t.Helper()
	l, err := EncodeLog(b.Entries)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// vectorSeeds returns every test vector's bundle as zip bytes.
func vectorSeeds(t testing.TB) [][]byte {
	dirs, err := filepath.Glob(filepath.Join("testdata", "bundles", "*", "bundle"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no test vectors in testdata/bundles: %v", err)
	}
	var seeds [][]byte
	for _, d := range dirs {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		err := fs.WalkDir(os.DirFS(d), ".", func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			data, err := os.ReadFile(filepath.Join(d, p))
			if err != nil {
				return err
			}
			w, err := zw.Create(p)
			if err != nil {
				return err
			}
			_, err = w.Write(data)
			return err
		})
		if err != nil || zw.Close() != nil {
			t.Fatalf("zip %s: %v", d, err)
		}
		seeds = append(seeds, buf.Bytes())
	}
	return seeds
}

// FuzzReadBundleZip feeds zip archives to ReadBundle: it must return a
// bundle or an error, never panic, and a bundle it returns must write back.
func FuzzReadBundleZip(f *testing.F) {
	for _, s := range vectorSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		b, err := ReadBundle(zr)
		if err != nil {
			return
		}
		if err := WriteBundle(memFiles{}, b); err != nil {
			t.Fatalf("a bundle ReadBundle accepted does not write back: %v", err)
		}
	})
}

// FuzzReadBundleDir varies the manifest, the log and a checkpoint of the
// valid vector's directory.
func FuzzReadBundleDir(f *testing.F) {
	dir := filepath.Join("testdata", "bundles", "valid", "bundle")
	base := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(filepath.Join(dir, p))
		base[p] = &fstest.MapFile{Data: data, Mode: 0o644}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(base[BundleManifest].Data, base[BundleLog].Data, base["checkpoints/0001.note"].Data)
	for _, v := range []string{"truncated-log-line", "non-json-line", "bad-bundle-header", "unknown-field"} {
		d := filepath.Join("testdata", "bundles", v, "bundle")
		m, _ := os.ReadFile(filepath.Join(d, BundleManifest))
		l, _ := os.ReadFile(filepath.Join(d, BundleLog))
		f.Add(m, l, base["checkpoints/0001.note"].Data)
	}
	f.Fuzz(func(t *testing.T, manifest, log, cp []byte) {
		m := fstest.MapFS{}
		for n, file := range base {
			m[n] = file
		}
		m[BundleManifest] = &fstest.MapFile{Data: manifest}
		m[BundleLog] = &fstest.MapFile{Data: log}
		m["checkpoints/0001.note"] = &fstest.MapFile{Data: cp}
		if b, err := ReadBundle(m); err == nil {
			if err := WriteBundle(memFiles{}, b); err != nil {
				t.Fatalf("a bundle ReadBundle accepted does not write back: %v", err)
			}
		}
	})
}

// TestBundleFS checks the in-memory file system of a bundle with the
// standard library's conformance test, and that it reads back as the
// bundle it came from.
func TestBundleFS(t *testing.T) {
	b, _ := testBundle(t)
	fsys, err := b.FS()
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(fsys, BundleManifest, BundleLog, "checkpoints/0001.note", "documents/biên-bản.pdf", BundleFingerprint); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBundle(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Errorf("ReadBundle(b.FS()):\ngot  %+v\nwant %+v", got, b)
	}
}

// zipOf writes files into a zip archive; raw names a member written with
// the headers given instead of its real sizes, as a zip bomb would be.
func zipOf(t *testing.T, files map[string][]byte, raw map[string]*zip.FileHeader) *zip.Reader {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := slices.Sorted(maps.Keys(files))
	for _, n := range names {
		if h, ok := raw[n]; ok {
			h.Name, h.Method = n, zip.Store
			w, err := zw.CreateRaw(h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(files[n])
			continue
		}
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

// TestOpenBundleDeclaredSizes checks that sizes are judged as the bundle
// declares them, before anything is inflated: a member whose header claims
// a terabyte, a log over its limit, and checkpoints that together exceed
// what a reader holds in memory are refused, naming the file.
func TestOpenBundleDeclaredSizes(t *testing.T) {
	b, _ := testBundle(t)
	good := memFiles{}
	if err := WriteBundle(good, b); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for n, f := range good {
		files[n] = f.Data
	}
	doc := "documents/biên-bản.pdf"
	zr := zipOf(t, files, map[string]*zip.FileHeader{doc: {UncompressedSize64: 1 << 40, CompressedSize64: uint64(len(files[doc]))}})
	_, err := OpenBundle(zr)
	var be *BundleError
	if !errors.As(err, &be) || be.File != doc || !strings.Contains(err.Error(), "1099511627776 bytes") {
		t.Errorf("a document declaring 1 TiB: %v, want a *BundleError naming %s and its size", err, doc)
	}
	zr = zipOf(t, files, map[string]*zip.FileHeader{BundleLog: {UncompressedSize64: MaxLogBytes + 1, CompressedSize64: uint64(len(files[BundleLog]))}})
	if _, err = OpenBundle(zr); !errors.As(err, &be) || be.File != BundleLog {
		t.Errorf("a log declaring more than MaxLogBytes: %v, want a *BundleError naming %s", err, BundleLog)
	}
	// A member that holds more than its header declares stops at the
	// declared size: archive/zip refuses to read on.
	zr = zipOf(t, files, map[string]*zip.FileHeader{doc: {UncompressedSize64: 3, CompressedSize64: uint64(len(files[doc]))}})
	if _, err = OpenBundle(zr); !errors.As(err, &be) || be.File != doc {
		t.Errorf("a document longer than its header says: %v, want a *BundleError naming %s", err, doc)
	}

	many := *b
	many.Checkpoints = nil
	for range MaxHeldBytes/MaxCheckpointBytes + 1 {
		many.Checkpoints = append(many.Checkpoints, bytes.Repeat([]byte("x"), MaxCheckpointBytes))
	}
	m := memFiles{}
	if err := WriteBundle(m, &many); err != nil {
		t.Fatal(err)
	}
	_, err = OpenBundle(fstest.MapFS(m))
	if !errors.As(err, &be) || !strings.HasPrefix(be.File, "checkpoints/") || !strings.Contains(err.Error(), "together") {
		t.Errorf("%d checkpoints of %d bytes: %v, want a *BundleError naming the checkpoint that crosses MaxHeldBytes",
			len(many.Checkpoints), MaxCheckpointBytes, err)
	}
}

// TestEntriesHashDecidesFirst checks that a log that differs from the
// manifest is a broken bundle even when one of its lines is not an entry,
// and that the line's own error comes only when the hash holds.
func TestEntriesHashDecidesFirst(t *testing.T) {
	b, _ := testBundle(t)
	m := memFiles{}
	if err := WriteBundle(m, b); err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(m[BundleLog].Data, []byte("\n"))
	lines[2] = []byte("không phải JSON\n")
	m[BundleLog].Data = bytes.Join(lines, nil)
	r, err := OpenBundle(fstest.MapFS(m))
	if err != nil {
		t.Fatal(err)
	}
	var got []error
	n := 0
	for e, err := range r.Entries() {
		if err != nil {
			got = append(got, err)
			continue
		}
		n++
		if e.Seq != uint64(n) {
			t.Fatalf("entry %d yielded as number %d", e.Seq, n)
		}
	}
	var be *BundleError
	if n != 2 || len(got) != 1 || !errors.As(got[0], &be) || be.File != BundleLog {
		t.Fatalf("%d entries and errors %v; want the 2 entries before line 3, then one *BundleError for %s", n, got, BundleLog)
	}
	m[BundleManifest].Data = []byte(strings.Replace(string(m[BundleManifest].Data), Sum(b.mustLog(t)).String(), Sum(m[BundleLog].Data).String(), 1))
	if r, err = OpenBundle(fstest.MapFS(m)); err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, err := range r.Entries() {
		if err != nil {
			got = append(got, err)
		}
	}
	var ce *ChainError
	if len(got) != 1 || !errors.As(got[0], &ce) || ce.Seq != 3 {
		t.Fatalf("errors %v, want one *ChainError at entry 3 once the manifest matches", got)
	}
}

// TestOpenDocumentChanged checks that a document read again after the
// bundle was opened must still be the bytes the manifest lists.
func TestOpenDocumentChanged(t *testing.T) {
	b, _ := testBundle(t)
	m := memFiles{}
	if err := WriteBundle(m, b); err != nil {
		t.Fatal(err)
	}
	r, err := OpenBundle(fstest.MapFS(m))
	if err != nil {
		t.Fatal(err)
	}
	name := r.Documents[0].Name
	m[bundleDocuments+name].Data = []byte("Biên bản khác\n")
	f, err := r.OpenDocument(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var be *BundleError
	if _, err := io.ReadAll(f); !errors.As(err, &be) || !strings.Contains(err.Error(), "changed") {
		t.Fatalf("reading a document changed since it was hashed: %v, want a *BundleError", err)
	}
}
