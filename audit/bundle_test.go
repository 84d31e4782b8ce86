package audit

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
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
