package main

import (
	"archive/zip"
	"crypto/ed25519"
	"encoding/json"
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
	rep := verifyPath(pos[0], pinned, stderr)
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
// on stderr when it is a terminal.
func verifyPath(path string, pinned ed25519.PublicKey, stderr io.Writer) *verify.Report {
	bar := newProgress(stderr)
	defer bar.finish()
	b, err := openBundle(path, bar)
	if err != nil {
		return verify.ReadFailure(err)
	}
	return verify.Bundle(b, verify.Options{Key: pinned, Progress: bar.entries})
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

// openBundle reads a bundle from a zip file or a directory.
func openBundle(path string, bar *progress) (*audit.Bundle, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &audit.BundleError{Err: fmt.Errorf("cannot open %s: %w", path, err)}
	}
	var fsys fs.FS
	if st.IsDir() {
		fsys = os.DirFS(path)
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, &audit.BundleError{Err: fmt.Errorf("cannot open %s: %w", path, err)}
		}
		defer f.Close()
		zr, err := zip.NewReader(f, st.Size())
		if err != nil {
			return nil, &audit.BundleError{Err: fmt.Errorf("%s is neither a directory nor a zip archive: %w", path, err)}
		}
		if len(zr.File) > 2*audit.MaxBundleFiles {
			return nil, &audit.BundleError{Err: fmt.Errorf("%s holds more than %d files", path, audit.MaxBundleFiles)}
		}
		fsys = zr
	}
	return audit.ReadBundle(countingFS{fsys, bar})
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
