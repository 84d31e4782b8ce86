package audit

import (
	"bytes"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// FS returns the files of b, laid out as WriteBundle writes them, as a
// read-only file system in memory. A bundle built in memory (an export
// before it is written, a test's forgery) is then read and verified by the
// same code as one on disk, OpenBundle's checks included.
func (b *Bundle) FS() (fs.FS, error) {
	files, err := bundleFiles(b)
	if err != nil {
		return nil, err
	}
	m := memFS{files: map[string][]byte{}, dirs: map[string][]fs.DirEntry{}}
	for _, f := range files {
		m.files[f.name] = f.data
		for name := f.name; name != "."; {
			dir := path.Dir(name)
			info := memInfo{name: path.Base(name), size: int64(len(m.files[name])), dir: name != f.name}
			if !slices.ContainsFunc(m.dirs[dir], func(e fs.DirEntry) bool { return e.Name() == info.name }) {
				m.dirs[dir] = append(m.dirs[dir], fs.FileInfoToDirEntry(info))
			}
			name = dir
		}
	}
	for _, es := range m.dirs {
		slices.SortFunc(es, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	}
	return m, nil
}

// memFS is a read-only file system of files and the directories that hold
// them.
type memFS struct {
	files map[string][]byte
	dirs  map[string][]fs.DirEntry
}

func (m memFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if data, ok := m.files[name]; ok {
		return &memFile{info: memInfo{name: path.Base(name), size: int64(len(data))}, r: bytes.NewReader(data)}, nil
	}
	if es, ok := m.dirs[name]; ok {
		return &memDir{info: memInfo{name: path.Base(name), dir: true}, entries: es}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }

type memFile struct {
	info memInfo
	r    *bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *memFile) Close() error               { return nil }

type memDir struct {
	info    memInfo
	entries []fs.DirEntry
	off     int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: fs.ErrInvalid}
}
func (d *memDir) Close() error { return nil }

// ReadDir follows fs.ReadDirFile: n <= 0 returns the rest, n > 0 at most n
// entries and io.EOF at the end.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return slices.Clone(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.off += len(rest)
	return slices.Clone(rest), nil
}
