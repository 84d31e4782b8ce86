package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestReport(t *testing.T) {
	base := errors.New("failed to open votes.db: no such file")
	tests := []struct {
		name  string
		err   error
		usage string
		code  int
		want  string
	}{
		{"usage", Usagef("--db FILE is required"), "tally --db FILE", 2,
			"p: error: --db FILE is required\np: hint: usage: p tally --db FILE\n"},
		{"own usage", &UsageError{Msg: "unknown trustee command \"x\"", Usage: "trustee round1 …"}, "trustee", 2,
			"p: error: unknown trustee command \"x\"\np: hint: usage: p trustee round1 …\n"},
		{"wrapped usage", fmt.Errorf("key export: %w", Usagef("--out DIR is required")), "key export", 2,
			"p: error: --out DIR is required\np: hint: usage: p key export\n"},
		{"plain", base, "x", 1, "p: error: failed to open votes.db: no such file\n"},
		{"hint", fmt.Errorf("session s1: %w", WithHint(base, "check --db")), "x", 1,
			"p: error: session s1: failed to open votes.db: no such file\np: hint: check --db\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if code := Report(&buf, "p", tt.err, tt.usage); code != tt.code || buf.String() != tt.want {
			t.Errorf("%s: Report = %d %q, want %d %q", tt.name, code, buf.String(), tt.code, tt.want)
		}
	}
	if err := WithHint(base, "h"); !errors.Is(err, base) || err.Error() != base.Error() {
		t.Errorf("WithHint changed the error: %v", err)
	}
}

func TestParse(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	db := fs.String("db", "", "")
	var members StringList
	fs.Var(&members, "member", "")
	pos, err := Parse(fs, []string{"a.csv", "--db", "v.db", "b.csv", "--member", "An", "--member", "Bình"})
	if err != nil || !reflect.DeepEqual(pos, []string{"a.csv", "b.csv"}) || *db != "v.db" ||
		!reflect.DeepEqual([]string(members), []string{"An", "Bình"}) {
		t.Errorf("Parse = %q, %v; db %q, members %q", pos, err, *db, members)
	}
	var ue *UsageError
	if _, err := Parse(flag.NewFlagSet("t", flag.ContinueOnError), []string{"--nope"}); !errors.As(err, &ue) {
		t.Errorf("unknown flag: error %v, want a *UsageError", err)
	}
	if err := NoArgs([]string{"x"}); !errors.As(err, &ue) || ue.Msg != `unexpected argument "x"` {
		t.Errorf("NoArgs = %v", err)
	}
	if err := NoArgs(nil); err != nil {
		t.Errorf("NoArgs(nil) = %v", err)
	}
}

func TestWriteNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vote.key")
	if err := WriteNewFile(path, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := WriteNewFile(path, []byte("two"), 0o600)
	if err == nil || HintOf(err) == "" {
		t.Errorf("second write: error %v with hint %q, want a refusal with a hint", err, HintOf(err))
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Errorf("file holds %q after a refused write, want \"one\"", b)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm()&0o077 != 0 {
		t.Errorf("mode %v, %v; want no access for others", st.Mode(), err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.pdf")
	for _, data := range []string{"old", "new"} {
		if err := WriteFileAtomic(path, []byte(data), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("file holds %q, want \"new\"", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d files, want only report.pdf (no temporary left)", len(entries))
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x"), nil, 0o644); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}
