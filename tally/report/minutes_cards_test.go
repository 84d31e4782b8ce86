package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/tally/report"
)

// TestMinutesWarnOfMoreCardsThanPresent reads the minutes with pdftotext:
// when the cards that could vote at opening (issued and not revoked)
// outnumber the members present, the minutes say so with both figures, and
// when they do not, there is no warning.
func TestMinutesWarnOfMoreCardsThanPresent(t *testing.T) {
	needTools(t, "pdftotext")
	text := func(present, issued int) string {
		src := manyCadres(t)
		src.Opened.Present, src.Opened.Issued = present, issued
		var b bytes.Buffer
		must(t, report.WriteMinutes(&b, src))
		path := filepath.Join(t.TempDir(), "m.pdf")
		must(t, os.WriteFile(path, b.Bytes(), 0o600))
		return fields(tool(t, "pdftotext", path, "-"))
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
