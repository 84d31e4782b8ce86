package report_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestRendersOnly keeps tally/report pure rendering: it must not reach the
// ballot service, its store, the verifier or a network or SQL package, so
// that no workflow can creep back into the renderer.
func TestRendersOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "tinnhiem/tally/report").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "tinnhiem/ballot", "tinnhiem/verify", "tinnhiem/web", "database/sql", "net/http":
			t.Errorf("tally/report depends on %s", dep)
		}
	}
}
