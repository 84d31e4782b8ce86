package report_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/tally/report"
)

// minutesText renders src's minutes and returns what pdftotext reads of
// them, with runs of white space as one space.
func minutesText(t *testing.T, src *report.Source) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed; .ci/run must install it")
		}
		t.Skip("pdftotext is not installed (apt-get install poppler-utils)")
	}
	var b bytes.Buffer
	must(t, report.WriteMinutes(&b, src))
	path := filepath.Join(t.TempDir(), "m.pdf")
	must(t, os.WriteFile(path, b.Bytes(), 0o600))
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestMinutesWarnOfMoreCardsThanPresent reads the minutes with pdftotext:
// when the cards that could vote at opening (issued and not revoked)
// outnumber the members present, the minutes say so with both figures, and
// when they do not, there is no warning.
func TestMinutesWarnOfMoreCardsThanPresent(t *testing.T) {
	text := func(present, issued int) string {
		src := manyCadres(t)
		src.Opened.Present, src.Opened.Issued = present, issued
		return minutesText(t, src)
	}
	want := "Cảnh báo: khi mở phiên, số thẻ đã phát (55) nhiều hơn số người có mặt (38)."
	if got := text(38, 55); !strings.Contains(got, want) {
		t.Errorf("minutes of 55 cards for 38 present lack %q:\n%s", want, got)
	}
	for _, c := range []struct{ present, issued int }{{38, 38}, {40, 38}} {
		if got := text(c.present, c.issued); strings.Contains(got, "Cảnh báo") {
			t.Errorf("minutes of %d cards for %d present warn:\n%s", c.issued, c.present, got)
		}
	}
}
