//go:build linux

package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"tinnhiem/audit"
)

// maxVerifierRSS is the most memory tinnhiem-verify may use on a hostile
// bundle, whatever it declares or inflates to.
const maxVerifierRSS = 200 << 20

// member is one file of a zip archive under construction: its bytes, or,
// for a member too large to hold, its deflated form and what describes it.
type member struct {
	data []byte
	raw  *rawMember
}

type rawMember struct {
	deflated []byte
	crc      uint32
	size     uint64 // as declared in the headers
	sum      audit.Hash
}

// deflate compresses the chunks of content into a raw member, hashing
// them as they go, so that a member of gigabytes is built in constant
// memory.
func deflate(t *testing.T, content iter.Seq[[]byte]) *rawMember {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	crc, sum := crc32.NewIEEE(), sha256.New()
	w := io.MultiWriter(fw, crc, sum)
	var n int64
	for chunk := range content {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
		n += int64(len(chunk))
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return &rawMember{deflated: buf.Bytes(), crc: crc.Sum32(), size: uint64(n), sum: audit.Hash(sum.Sum(nil))}
}

// repeated yields chunk n times.
func repeated(chunk []byte, n int) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for range n {
			if !yield(chunk) {
				return
			}
		}
	}
}

// validFiles returns the files of the valid test vector.
func validFiles(t *testing.T) map[string]*member {
	t.Helper()
	files := map[string]*member{}
	err := fs.WalkDir(os.DirFS(validBundle()), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(filepath.Join(validBundle(), p))
		files[p] = &member{data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// writeBomb writes files as a zip archive, with a BUNDLE.txt that lists
// every other file under its true SHA-256, as someone who builds a zip
// bomb on purpose would: the bomb must get past the manifest to do harm.
func writeBomb(t *testing.T, files map[string]*member) string {
	t.Helper()
	header, _, _ := strings.Cut(string(files[audit.BundleManifest].data), "\n\n")
	var m strings.Builder
	m.WriteString(header + "\n\n")
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if n != audit.BundleManifest && !yield(n) {
				return
			}
		}
	})
	for _, n := range names {
		sum := audit.Sum(files[n].data)
		if r := files[n].raw; r != nil {
			sum = r.sum
		}
		fmt.Fprintf(&m, "%s  %s\n", sum, n)
	}
	files[audit.BundleManifest] = &member{data: []byte(m.String())}
	p := filepath.Join(t.TempDir(), "bomb.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, n := range append([]string{audit.BundleManifest}, names...) {
		if r := files[n].raw; r != nil {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: n, Method: zip.Deflate, CRC32: r.crc,
				CompressedSize64: uint64(len(r.deflated)), UncompressedSize64: r.size})
			if err == nil {
				_, err = w.Write(r.deflated)
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := zw.Create(n)
		if err == nil {
			_, err = w.Write(files[n].data)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// runMeasured runs the verifier binary on path and returns its exit
// status, its output and its peak resident memory: the VmHWM of
// /proc/PID/status, the high-water mark of the process's own memory since
// it started the verifier, polled until it exits. (getrusage's ru_maxrss
// would not do: Linux carries the parent's high-water mark across the
// exec, and this test's own process is large after building a bomb.) For a
// run too short to be polled, ru_maxrss is returned, which can only be
// larger than the truth.
func runMeasured(t *testing.T, bin, path string) (int, string, int64) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(bin, path)
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var hwm int64
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			if kb, ok := vmHWM(status); ok && cmd.ProcessState == nil {
				hwm = max(hwm, kb<<10)
			}
			select {
			case <-done:
				peak <- hwm
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	hwm := <-peak
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	how := "VmHWM"
	if hwm == 0 {
		hwm, how = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss<<10, "ru_maxrss"
	}
	t.Logf("%s: exit %d in %v, peak RSS %.1f MB (%s)", filepath.Base(path), cmd.ProcessState.ExitCode(), time.Since(start).Round(time.Millisecond), float64(hwm)/(1<<20), how)
	return cmd.ProcessState.ExitCode(), out.String(), hwm
}

// vmHWM reads the VmHWM line of a /proc/PID/status file, in KiB.
func vmHWM(status string) (int64, bool) {
	data, err := os.ReadFile(status)
	if err != nil {
		return 0, false
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
				return kb, true
			}
		}
	}
	return 0, false
}

// TestZipBombs builds small zip archives whose members inflate to hundreds
// of megabytes, or declare terabytes, or number in the tens of thousands,
// runs the real tinnhiem-verify on each, and requires that it refuses the
// bundle with a message naming what is wrong while its peak memory stays
// under maxVerifierRSS.
func TestZipBombs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds archives that inflate to gigabytes")
	}
	goBin := needTool(t, "go")
	bin := filepath.Join(t.TempDir(), "tinnhiem-verify")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	zeros := make([]byte, 1<<20)
	const docSize = 128 << 20

	tests := []struct {
		name  string
		build func(t *testing.T) map[string]*member
		want  string
	}{
		{"four documents of 128 MiB each", func(t *testing.T) map[string]*member {
			files := validFiles(t)
			doc := deflate(t, repeated(zeros, docSize/len(zeros)))
			for i := 1; i <= 4; i++ {
				n := fmt.Sprintf("documents/bao-cao-c%d.pdf", i)
				files[n] = &member{raw: doc}
				files[n+".sig"] = files["documents/bien-ban-kiem-phieu.pdf.sig"]
			}
			return files
		}, `document "bao-cao-c1.pdf" is not named by any ReportIssued entry`},
		{"a document declaring a terabyte", func(t *testing.T) map[string]*member {
			files := validFiles(t)
			doc := deflate(t, repeated(zeros, 1))
			files["documents/bao-cao-c1.pdf"] = &member{raw: &rawMember{deflated: doc.deflated, crc: doc.crc, size: 1 << 40, sum: doc.sum}}
			files["documents/bao-cao-c1.pdf.sig"] = files["documents/bien-ban-kiem-phieu.pdf.sig"]
			return files
		}, "bundle file documents/bao-cao-c1.pdf: is 1099511627776 bytes, more than the 268435456 bytes a bundle may hold there"},
		{"30 000 files", func(t *testing.T) map[string]*member {
			files := validFiles(t)
			for i := range 30000 {
				files[fmt.Sprintf("checkpoints/%05d.note", i+100)] = &member{data: nil}
			}
			return files
		}, "files, more than 10000"},
		{"5 000 checkpoints of 64 KiB", func(t *testing.T) map[string]*member {
			files := validFiles(t)
			note := make([]byte, audit.MaxCheckpointBytes)
			for i := range 5000 {
				files[fmt.Sprintf("checkpoints/%05d.note", i+100)] = &member{data: note}
			}
			return files
		}, "makes the checkpoints, signatures and key files larger than 16777216 bytes together"},
		{"one entry repeated through 256 MiB of log", func(t *testing.T) map[string]*member {
			files := validFiles(t)
			first, _, _ := bytes.Cut(files[audit.BundleLog].data, []byte("\n"))
			line := append(first, '\n')
			files[audit.BundleLog] = &member{raw: deflate(t, repeated(line, (256<<20)/len(line)))}
			return files
		}, "mục / entry 2: entry 1 does not follow entry 1"},
		{"a well-chained log of 500 entries of 512 KiB", func(t *testing.T) map[string]*member {
			files := validFiles(t)
			first, _, _ := bytes.Cut(files[audit.BundleLog].data, []byte("\n"))
			var e audit.Entry
			if err := json.Unmarshal(first, &e); err != nil {
				t.Fatal(err)
			}
			// Each entry is a CommitteeSet naming one member of 512 KiB,
			// hashed and linked to the one before: every line is an entry
			// of an unbroken chain, and each replaces the committee.
			name := strings.Repeat("A", 512<<10)
			lines := func(yield func([]byte) bool) {
				if !yield(append(first, '\n')) {
					return
				}
				h := audit.Head{Size: 1, Hash: e.Hash}
				for range 499 {
					next, err := h.Next(e.Session, audit.CommitteeSet, e.Actor, time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC), audit.CommitteeSetData{Members: []string{name}})
					if err != nil {
						t.Fatal(err)
					}
					h = audit.Head{Size: next.Seq, Hash: next.Hash}
					line, err := audit.EncodeLog([]audit.Entry{next})
					if err != nil {
						t.Fatal(err)
					}
					if !yield(line) {
						return
					}
				}
			}
			files[audit.BundleLog] = &member{raw: deflate(t, lines)}
			return files
		}, "✗ Các điểm kiểm tra khớp nhật ký / checkpoints match the log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeBomb(t, tt.build(t))
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("archive: %.2f MB", float64(st.Size())/1e6)
			code, out, rss := runMeasured(t, bin, p)
			if code != 1 || !strings.Contains(out, tt.want) || strings.Contains(out, "HỢP LỆ: mọi") {
				t.Errorf("exit %d, want 1 and a report containing %q:\n%s", code, tt.want, out)
			}
			if rss > maxVerifierRSS {
				t.Errorf("peak RSS %.1f MB, want under %.0f MB", float64(rss)/(1<<20), float64(maxVerifierRSS)/(1<<20))
			}
		})
	}
}
