package verify_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"tinnhiem/audit"
	"tinnhiem/verify"
)

// fuzzVectors holds the bundles the fuzz targets start from: the test
// vectors, one valid session and every way of tampering with it.
const fuzzVectors = "../audit/testdata/bundles"

// vectorBundle is the files of one vector's bundle, by path.
type vectorBundle struct {
	name  string
	files map[string][]byte
}

func loadVectorBundles(tb testing.TB) []vectorBundle {
	tb.Helper()
	dirs, err := filepath.Glob(filepath.Join(fuzzVectors, "*", "bundle"))
	if err != nil || len(dirs) == 0 {
		tb.Fatalf("no test vectors in %s: %v", fuzzVectors, err)
	}
	slices.Sort(dirs)
	var out []vectorBundle
	for _, d := range dirs {
		v := vectorBundle{name: filepath.Base(filepath.Dir(d)), files: map[string][]byte{}}
		err := fs.WalkDir(os.DirFS(d), ".", func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			v.files[p], err = os.ReadFile(filepath.Join(d, p))
			return err
		})
		if err != nil {
			tb.Fatalf("vector %s: %v", v.name, err)
		}
		out = append(out, v)
	}
	return out
}

// vectorLog is the entries of one vector's log.
type vectorLog struct {
	name    string
	entries []audit.Entry
}

// vectorLogs returns the entries of every vector's log that has any, as
// they are written: lines that are not entries are left out.
func vectorLogs(tb testing.TB) []vectorLog {
	tb.Helper()
	var out []vectorLog
	for _, v := range loadVectorBundles(tb) {
		var entries []audit.Entry
		for line := range bytes.SplitSeq(v.files[audit.BundleLog], []byte("\n")) {
			var e audit.Entry
			if json.Unmarshal(line, &e) == nil {
				entries = append(entries, e)
			}
		}
		if len(entries) > 0 {
			out = append(out, vectorLog{v.name, entries})
		}
	}
	return out
}

// FuzzReplayLog replays a vector's log after one edit — an entry's type and
// data replaced, an entry inserted, or one removed — renumbered and
// re-linked so that it is a valid chain, as ReplayLog requires, and so
// reaches the rules of a vote whatever the edit. The seeds are every entry
// of the valid vector as it is and the first entry of every other vector.
// ReplayLog must never panic, and every refusal must be an
// *audit.ChainError naming an entry of the log.
func FuzzReplayLog(f *testing.F) {
	logs := vectorLogs(f)
	for i, l := range logs {
		for j, e := range l.entries {
			if j > 0 && l.name != "valid" {
				break
			}
			f.Add(uint8(i), uint8(0), uint16(j), string(e.Type), []byte(e.Data))
		}
	}
	f.Fuzz(func(t *testing.T, vec, op uint8, pos uint16, typ string, data []byte) {
		entries := slices.Clone(logs[int(vec)%len(logs)].entries)
		at := int(pos) % (len(entries) + 1)
		switch op % 3 {
		case 0: // replace
			at = min(at, len(entries)-1)
			entries[at].Type, entries[at].Data = audit.Type(typ), data
		case 1: // insert a copy of the entry before, with other type and data
			e := entries[max(at-1, 0)]
			e.Type, e.Data = audit.Type(typ), data
			entries = slices.Insert(entries, at, e)
		case 2: // remove
			if at == len(entries) {
				return
			}
			entries = slices.Delete(entries, at, at+1)
		}
		if len(entries) == 0 {
			return
		}
		var prev audit.Hash
		for i := range entries {
			e := &entries[i]
			e.Seq, e.Prev = uint64(i)+1, prev
			e.Hash = e.ComputeHash()
			prev = e.Hash
		}
		head, err := audit.VerifyChain(entries)
		if err != nil {
			return // not a chain (the type or the data is malformed): not ReplayLog's input
		}
		r, err := verify.ReplayLog(entries)
		if r == nil {
			t.Fatalf("ReplayLog returned no replay (error %v)", err)
		}
		if err != nil {
			checkNamesEntry(t, "ReplayLog", err, len(entries))
			return
		}
		if r.Head != head {
			t.Fatalf("replay head %+v, chain head %+v", r.Head, head)
		}
		if r.Sealed() {
			if _, err := r.Count(); err != nil {
				t.Logf("recount of a replayed log: %v", err)
			}
		}
		if r.Tally != nil {
			if err := r.CheckTally(); err != nil {
				var ce *audit.ChainError
				if errors.As(err, &ce) && (ce.Seq < 1 || ce.Seq > uint64(len(entries))) {
					t.Fatalf("CheckTally names entry %d of a log of %d: %v", ce.Seq, len(entries), err)
				}
			}
		}
	})
}

// checkNamesEntry fails unless err is an *audit.ChainError naming one of
// the n entries of the log.
func checkNamesEntry(t *testing.T, what string, err error, n int) {
	t.Helper()
	var ce *audit.ChainError
	if !errors.As(err, &ce) {
		t.Fatalf("%s failed with %T %v, want an *audit.ChainError naming the entry", what, err, err)
	}
	if ce.Seq < 1 || ce.Seq > uint64(n) || ce.Err == nil {
		t.Fatalf("%s names entry %d of a log of %d: %v", what, ce.Seq, n, err)
	}
}

// FuzzBundle verifies bundles made from a vector's files with one file
// edited: cut bytes at off and insert others there, so that inputs stay
// small while an edit can land anywhere in any file. With rehash the
// manifest then lists every file with its SHA-256, so that the edit gets
// past the manifest to the checks of the log, the checkpoints and the
// documents; without it an edit mostly stops at the manifest. The seeds are
// every vector as it is, with and without rehash, and the valid vector once
// for each of its files. Reading and verifying must never panic, and every
// failure must name an entry of the log or a file of the bundle, so that an
// inspector knows where to look.
func FuzzBundle(f *testing.F) {
	vectors := loadVectorBundles(f)
	for i, v := range vectors {
		for j := range len(v.files) {
			if j > 0 && v.name != "valid" {
				break
			}
			for _, rehash := range []bool{false, true} {
				f.Add(uint8(i), rehash, uint8(j), uint16(0), uint16(0), []byte(nil))
			}
		}
	}
	f.Fuzz(func(t *testing.T, vec uint8, rehash bool, file uint8, off, cut uint16, insert []byte) {
		v := vectors[int(vec)%len(vectors)]
		names := slices.Sorted(maps.Keys(v.files))
		name := names[int(file)%len(names)]
		old := v.files[name]
		at := min(int(off), len(old))
		edited := slices.Concat(old[:at], insert, old[min(at+int(cut), len(old)):])
		files := maps.Clone(v.files)
		files[name] = edited
		if rehash && name != audit.BundleManifest {
			files[audit.BundleManifest] = relist(files)
		}
		// A directory in memory: the zip layer has fuzz targets of its own in
		// audit, and leaving it out leaves the fuzzer's time to the checks.
		dir := fstest.MapFS{}
		for name, data := range files {
			dir[name] = &fstest.MapFile{Data: data, Mode: 0o644}
		}
		b, err := audit.ReadBundle(dir)
		if err != nil {
			checkReadError(t, err)
			checkReport(t, verify.ReadFailure(err), nil)
			return
		}
		checkReport(t, verify.Bundle(b, verify.Options{}), b)
	})
}

// relist rewrites the file lines of the manifest in files: every other file,
// sorted, with its SHA-256. The header lines are kept as they are.
func relist(files map[string][]byte) []byte {
	header, _, _ := bytes.Cut(files[audit.BundleManifest], []byte("\n\n"))
	var b bytes.Buffer
	b.Write(header)
	b.WriteString("\n\n")
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if name == audit.BundleManifest {
			continue
		}
		b.WriteString(audit.Sum(files[name]).String())
		b.WriteString("  ")
		b.WriteString(name)
		b.WriteString("\n")
	}
	return b.Bytes()
}

// checkReadError fails unless ReadBundle's error names a line of the log
// (a *audit.ChainError) or a file (a *audit.BundleError).
func checkReadError(t *testing.T, err error) {
	t.Helper()
	var ce *audit.ChainError
	var be *audit.BundleError
	switch {
	case errors.As(err, &ce):
		if ce.Seq < 1 {
			t.Fatalf("ReadBundle names log line %d: %v", ce.Seq, err)
		}
	case errors.As(err, &be):
		if be.File == "" && !namesFile(be.Error(), nil) {
			t.Fatalf("ReadBundle failed without naming a file: %v", err)
		}
	default:
		t.Fatalf("ReadBundle failed with %T %v, want *audit.BundleError or *audit.ChainError", err, err)
	}
}

// checkReport checks the shape of a report and that each failed check
// names an entry of b's log or a file of the bundle.
func checkReport(t *testing.T, rep *verify.Report, b *audit.Bundle) {
	t.Helper()
	if len(rep.Checks) != len(verify.CheckIDs) {
		t.Fatalf("report has %d checks, want %d", len(rep.Checks), len(verify.CheckIDs))
	}
	failed := false
	for i, c := range rep.Checks {
		if c.ID != verify.CheckIDs[i] {
			t.Fatalf("check %d is %q, want %q", i, c.ID, verify.CheckIDs[i])
		}
		switch c.Status {
		case verify.StatusOK, verify.StatusSkipped:
			continue
		case verify.StatusFailed:
		default:
			t.Fatalf("check %s has status %q", c.ID, c.Status)
		}
		failed = true
		if c.Detail == "" {
			t.Errorf("check %s failed without a reason", c.ID)
		}
		if c.Entry != 0 {
			if b != nil && c.Entry > uint64(len(b.Entries)) {
				t.Errorf("check %s names entry %d of a log of %d", c.ID, c.Entry, len(b.Entries))
			}
			continue
		}
		if !namesFile(c.Detail, b) {
			t.Errorf("check %s failed without naming an entry or a file: %s", c.ID, c.Detail)
		}
	}
	if rep.OK() == failed {
		t.Errorf("report OK() = %v with a failed check = %v", rep.OK(), failed)
	}
}

var (
	bundlePaths = []string{audit.BundleManifest, audit.BundleLog, "keys/", "checkpoints/", "documents/"}
	// A *audit.BundleError reads "bundle file NAME: …"; the checkpoint
	// checks name the N-th file of checkpoints/ (a bundle read back keeps
	// their order, not their names) as "checkpoint file N".
	bundleFileRE = regexp.MustCompile(`\bbundle file \S|\bcheckpoint file [1-9][0-9]*\b`)
)

// namesFile reports whether detail names a file of the bundle: by its path,
// or a document by its name.
func namesFile(detail string, b *audit.Bundle) bool {
	if bundleFileRE.MatchString(detail) {
		return true
	}
	for _, p := range bundlePaths {
		if strings.Contains(detail, p) {
			return true
		}
	}
	if b != nil {
		for _, d := range b.Documents {
			if strings.Contains(detail, `"`+d.Name+`"`) {
				return true
			}
		}
	}
	return false
}
