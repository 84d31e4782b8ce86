package verify_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/verify"
)

// The helpers below play a malicious operator who holds the installation
// key: after changing the log they rebuild the chain, cosign and sign
// checkpoints again, so that only the check the tampering targets can
// catch it. Vectors that model a third party tampering with a copy skip
// the re-signing.

// rechain renumbers entries and recomputes every link and hash, keeping
// each entry's session, time, type, actor and data bytes.
func rechain(entries []audit.Entry) []audit.Entry {
	var prev audit.Hash
	for i := range entries {
		e := &entries[i]
		e.Seq, e.Prev = uint64(i)+1, prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
	}
	return entries
}

func index(entries []audit.Entry, t audit.Type) int {
	for i := range entries {
		if entries[i].Type == t {
			return i
		}
	}
	panic("no entry of type " + string(t))
}

func lastIndex(entries []audit.Entry, t audit.Type) int {
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Type == t {
			return i
		}
	}
	panic("no entry of type " + string(t))
}

func setData(t testing.TB, e *audit.Entry, v any) {
	t.Helper()
	d, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	e.Data = d
}

func decode[T any](t testing.TB, e *audit.Entry) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(e.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func insert(entries []audit.Entry, i int, e audit.Entry) []audit.Entry {
	out := append([]audit.Entry(nil), entries[:i]...)
	out = append(out, e)
	return append(out, entries[i:]...)
}

func remove(entries []audit.Entry, i int) []audit.Entry {
	return append(append([]audit.Entry(nil), entries[:i]...), entries[i+1:]...)
}

// checkpointSizes returns where the service signs checkpoints: at the end
// of every transaction that appends to the log, that is after every entry
// but inside the run that Close appends (SessionClosed, the Ballot
// entries, BallotsSealed, TokensUsed), which is signed once, after its last
// entry.
func checkpointSizes(entries []audit.Entry) []uint64 {
	inClose := func(t audit.Type) bool {
		return t == audit.BallotEntry || t == audit.BallotsSealed || t == audit.TokensUsed
	}
	var sizes []uint64
	for i, e := range entries {
		if i+1 < len(entries) && (e.Type == audit.SessionClosed || inClose(e.Type)) && inClose(entries[i+1].Type) {
			continue
		}
		sizes = append(sizes, uint64(i)+1)
	}
	return sizes
}

func signCheckpoint(t testing.TB, k *audit.Key, session string, entries []audit.Entry, size uint64) []byte {
	t.Helper()
	msg, err := audit.SignCheckpoint(audit.Checkpoint{Session: session, Head: audit.Head{Size: size, Hash: entries[size-1].Hash}}, k)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// forge returns the fixture's bundle with entries in place of its log,
// the chain rebuilt, every cosignature remade by the inspector over the
// new opening checkpoint (when recosign is set), and every checkpoint
// signed again by k. Documents are re-signed when k is not the fixture's
// key.
func (f *fixture) forge(t testing.TB, entries []audit.Entry, k *audit.Key, recosign bool) *audit.Bundle {
	t.Helper()
	entries = rechain(append([]audit.Entry(nil), entries...))
	if recosign {
		open := uint64(index(entries, audit.SessionOpened)) + 1
		for i := range entries {
			if entries[i].Type != audit.CosignatureAdded {
				continue
			}
			co, err := verify.Cosign(signCheckpoint(t, k, f.id, entries, open), f.inspector)
			if err != nil {
				t.Fatal(err)
			}
			setData(t, &entries[i], audit.CosignatureData{Name: f.inspector.Name(), Key: f.inspector.VerifierKey(), Size: open, Note: string(co)})
			entries = rechain(entries)
		}
	}
	b := copyBundle(f.bundle)
	b.Entries, b.VerifierKey, b.Checkpoints = entries, k.VerifierKey(), nil
	for _, size := range checkpointSizes(entries) {
		b.Checkpoints = append(b.Checkpoints, signCheckpoint(t, k, f.id, entries, size))
	}
	if k != f.key {
		for i := range b.Documents {
			b.Documents[i].Signature = k.SignDetached(b.Documents[i].Data, "tinnhiem.pub")
		}
	}
	return b
}

// entries returns a copy of the fixture's log.
func (f *fixture) entries() []audit.Entry { return append([]audit.Entry(nil), f.bundle.Entries...) }

// dirFiles writes a bundle into dir through audit.WriteBundle.
type dirFiles string

func (d dirFiles) WriteFile(name string, data []byte) error {
	p := filepath.Join(string(d), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// fixManifest recomputes the SHA-256 of every listed file still present,
// as a forger who edits files by hand would.
func fixManifest(t testing.TB, dir string) {
	t.Helper()
	p := filepath.Join(dir, audit.BundleManifest)
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	for i, l := range lines {
		h, name, ok := strings.Cut(l, "  ")
		if !ok || len(h) != 64 {
			continue
		}
		if data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
			lines[i] = fmt.Sprintf("%s  %s", audit.Sum(data), name)
		}
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// editFile replaces a bundle file's content by edit's result.
func editFile(t testing.TB, dir, name string, edit func([]byte) []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, edit(raw), 0o644); err != nil {
		t.Fatal(err)
	}
}

// flipSignature changes one bit of the last signature line of a note.
func flipSignature(note []byte) []byte {
	out := bytes.Clone(note)
	i := bytes.LastIndex(out[:len(out)-1], []byte("\n")) + 1
	// The 4-byte key hash takes 5 base64 characters and a bit; change a
	// character well inside the Ed25519 signature.
	j := i + len("— ") + bytes.IndexByte(out[i+len("— "):], ' ') + 20
	if out[j] == 'A' {
		out[j] = 'B'
	} else {
		out[j] = 'A'
	}
	return out
}
