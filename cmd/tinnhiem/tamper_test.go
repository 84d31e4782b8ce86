package main

import (
	"database/sql"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// TestServerRefusesBrokenChain changes the database behind tinnhiem's back,
// as a dishonest operator with the file might, and checks that the server
// refuses to start and names the entry, and that log verify fails the same.
func TestServerRefusesBrokenChain(t *testing.T) {
	tests := []struct {
		name, sql string
		entry     string
	}{
		{"changed title", `UPDATE audit_entries SET data = replace(data, 'Hội nghị', 'Hội nghi') WHERE seq = 1`, "audit entry 1"},
		{"removed entry", `DELETE FROM audit_entries WHERE seq = 2`, "audit entry 2"},
		{"rewritten tail", `DELETE FROM audit_entries WHERE seq >= 3`, "checkpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "v.db")
			id := strings.TrimSpace(must(t, "session", "create", "--clear", "--db", db, "--title", "Hội nghị", "--body", "Đảng ủy",
				"--date", "2026-11-22", "--place", "Hà Nội"))
			sk := []string{"--db", db, "--session", id}
			must(t, append([]string{"roster", "import", testdata + "members-15.csv"}, sk...)...)
			must(t, append([]string{"cadres", "import", testdata + "cadres-5.csv"}, sk...)...)
			must(t, append([]string{"checkin", "--all"}, sk...)...)
			must(t, append([]string{"tokens", "issue", "--count", "2", "--out", filepath.Join(dir, "c.pdf")}, sk...)...)
			must(t, append([]string{"session", "open"}, sk...)...)
			must(t, "log", "verify", "--db", db)

			conn, err := sql.Open("sqlite3", db)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(tt.sql); err != nil {
				t.Fatal(err)
			}
			conn.Close()

			fails(t, 1, tt.entry, "log", "verify", "--db", db)
			cmd := exec.Command(binPath, "serve", "--db", db, "--addr", freePort(t))
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), "refusing to serve") || !strings.Contains(string(out), tt.entry) {
				t.Fatalf("serve on a broken log: %v\n%s\nwant a refusal naming %q", err, out, tt.entry)
			}
		})
	}
}
