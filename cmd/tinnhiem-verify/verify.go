package main

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/verify"
)

func cmdVerify(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("tinnhiem-verify", flag.ContinueOnError)
	key := fl.String("key", "", "pinned public key: verifier key, or a `FILE` holding one, or a signify .pub")
	asJSON := fl.Bool("json", false, "print the report as JSON")
	pos, err := parseFlags(fl, args, 1)
	if err != nil {
		return err
	}
	pinned, err := loadPinned(*key)
	if err != nil {
		return err
	}
	rep := verifyPath(pos[0], pinned, stderr, nil)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(struct {
			Bundle string `json:"bundle"`
			OK     bool   `json:"ok"`
			*verify.Report
		}{pos[0], rep.OK(), rep}); err != nil {
			return err
		}
	} else {
		printReport(stdout, pos[0], rep)
	}
	if !rep.OK() {
		return errFailed
	}
	return nil
}

// verifyPath reads and verifies the bundle at path, drawing a progress bar
// on stderr when it is a terminal. visit, if set, sees every entry as the
// log is read (verify.Options.Visit).
func verifyPath(path string, pinned ed25519.PublicKey, stderr io.Writer, visit func(*audit.Entry)) *verify.Report {
	bar := newProgress(stderr)
	defer bar.finish()
	fsys, closeBundle, err := openBundle(path, bar)
	if err != nil {
		return verify.ReadFailure(err)
	}
	defer closeBundle()
	return verify.BundleFS(fsys, verify.Options{Key: pinned, Visit: visit})
}

// loadPinned reads --key: a verifier key given inline, or a file.
func loadPinned(arg string) (ed25519.PublicKey, error) {
	if arg == "" {
		return nil, nil
	}
	data := []byte(arg)
	if !strings.Contains(arg, "+") || fileExists(arg) {
		var err error
		if data, err = os.ReadFile(arg); err != nil {
			return nil, cli.Usagef("--key: %v", err)
		}
	}
	pub, err := verify.ParsePinnedKey(data)
	if err != nil {
		return nil, cli.Usagef("--key: %v", err)
	}
	return pub, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// openBundle opens a bundle in a zip file or a directory as a file system
// to verify, and returns what closes it.
func openBundle(path string, bar *progress) (fs.FS, func(), error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, &audit.BundleError{Err: fmt.Errorf("cannot open %s: %w", path, err)}
	}
	if st.IsDir() {
		return countingFS{os.DirFS(path), bar}, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, &audit.BundleError{Err: fmt.Errorf("cannot open %s: %w", path, err)}
	}
	// The central directory says how many files the archive holds; refuse
	// a bundle of too many before archive/zip reads them all into memory.
	if n, err := zipRecords(f, st.Size()); err == nil && n > 2*audit.MaxBundleFiles {
		f.Close()
		return nil, nil, &audit.BundleError{Err: fmt.Errorf("%s holds %d files, more than %d", path, n, audit.MaxBundleFiles)}
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, &audit.BundleError{Err: fmt.Errorf("%s is neither a directory nor a zip archive: %w", path, err)}
	}
	if len(zr.File) > 2*audit.MaxBundleFiles {
		f.Close()
		return nil, nil, &audit.BundleError{Err: fmt.Errorf("%s holds %d files, more than %d", path, len(zr.File), audit.MaxBundleFiles)}
	}
	return countingFS{zr, bar}, func() { f.Close() }, nil
}

// zipRecords reads the number of files a zip archive declares in its end
// of central directory record (the zip64 one when the archive has it),
// without reading the directory itself.
func zipRecords(f io.ReaderAt, size int64) (uint64, error) {
	// The record is 22 bytes and may be followed by a comment of up to
	// 65535 bytes; a zip64 locator of 20 bytes comes just before it.
	n := min(size, 22+65535+20)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-n); err != nil {
		return 0, err
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < 22 {
		return 0, errors.New("no end of central directory record")
	}
	records := uint64(binary.LittleEndian.Uint16(buf[i+10:]))
	if records != 0xffff || i < 20 || !bytes.Equal(buf[i-20:i-16], []byte("PK\x06\x07")) {
		return records, nil
	}
	// Zip64: the locator gives the offset of the zip64 record, whose
	// total number of entries is at byte 32.
	off := int64(binary.LittleEndian.Uint64(buf[i-20+8:]))
	rec := make([]byte, 40)
	if _, err := f.ReadAt(rec, off); err != nil || !bytes.Equal(rec[:4], []byte("PK\x06\x06")) {
		return 0, errors.New("no zip64 end of central directory record")
	}
	return binary.LittleEndian.Uint64(rec[32:]), nil
}

// countingFS reports the bytes read from log.jsonl to the progress bar.
type countingFS struct {
	fs.FS
	bar *progress
}

func (c countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err != nil || !strings.HasSuffix(name, audit.BundleLog) {
		return f, err
	}
	if st, err := f.Stat(); err == nil {
		c.bar.startBytes(st.Size())
	}
	return countingFile{f, c.bar}, nil
}

type countingFile struct {
	fs.File
	bar *progress
}

func (c countingFile) Read(p []byte) (int, error) {
	n, err := c.File.Read(p)
	c.bar.addBytes(n)
	return n, err
}

func printReport(w io.Writer, path string, r *verify.Report) {
	fmt.Fprintf(w, "Hồ sơ / bundle: %s\n", path)
	if r.Session != "" {
		fmt.Fprintf(w, "Phiên / session: %s — %d mục / entries\n", r.Session, r.Entries)
	}
	switch {
	case r.Fingerprint == "":
	case r.KeyPinned:
		fmt.Fprintf(w, "Khóa / key: %s (khớp khóa đã ghim / matches the pinned key)\n", r.Fingerprint)
	default:
		fmt.Fprintf(w, "Khóa / key: %s\n", r.Fingerprint)
		fmt.Fprintln(w, "  Chưa ghim khóa (--key): hãy so dấu vân tay này với dấu vân tay in trên biên bản.")
		fmt.Fprintln(w, "  Key not pinned (--key): compare this fingerprint with the one printed on the reports.")
	}
	for _, c := range r.Checks {
		mark := map[verify.Status]string{verify.StatusOK: "✓", verify.StatusFailed: "✗", verify.StatusSkipped: "–"}[c.Status]
		fmt.Fprintf(w, "%s %s / %s", mark, c.Vietnamese, c.English)
		switch {
		case c.Status == verify.StatusFailed && c.Entry > 0:
			fmt.Fprintf(w, "\n    mục / entry %d: %s", c.Entry, c.Detail)
		case c.Status == verify.StatusSkipped:
			fmt.Fprintf(w, " (bỏ qua / skipped: %s)", c.Detail)
		case c.Detail != "":
			fmt.Fprintf(w, "\n    %s", c.Detail)
		}
		fmt.Fprintln(w)
	}
	for _, a := range r.MemberAssets {
		fmt.Fprintf(w, "Trang Ban kiểm phiếu / member page assets: %s\n", a)
	}
	for _, c := range r.Cosigners {
		fmt.Fprintf(w, "Đồng ký / cosigned by: %s (%s), điểm kiểm tra / checkpoint %d, mục / entry %d\n", c.Name, c.Fingerprint, c.Size, c.Entry)
	}
	if f := r.FirstFailure(); f != nil {
		if first := firstBadEntry(r); first > 0 {
			fmt.Fprintf(w, "KHÔNG HỢP LỆ — mục sai đầu tiên: %d / INVALID — first bad entry: %d\n", first, first)
		} else {
			fmt.Fprintln(w, "KHÔNG HỢP LỆ / INVALID")
		}
		return
	}
	fmt.Fprintln(w, "HỢP LỆ: mọi phép kiểm tra đều đạt / VALID: every check holds")
}

// firstBadEntry returns the smallest entry number any failed check names.
func firstBadEntry(r *verify.Report) uint64 {
	var first uint64
	for _, c := range r.Checks {
		if c.Status == verify.StatusFailed && c.Entry > 0 && (first == 0 || c.Entry < first) {
			first = c.Entry
		}
	}
	return first
}
