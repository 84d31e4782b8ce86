package ballot

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// CleanText returns s as tinnhiem stores every name and title: NFC, so that
// the same name typed on different machines compares equal and renders its
// accents in place, with surrounding space trimmed and inner runs of white
// space collapsed to one space.
func CleanText(s string) string {
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}
