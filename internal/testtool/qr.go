// Package testtool holds what several packages' tests need from the real
// tools an inspector uses (poppler, zbar), so that each test reads printed
// cards the same way. Nothing outside tests imports it.
package testtool

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// NeedTools skips the test when a tool is missing, and fails it under CI,
// where .ci/run must have installed it.
func NeedTools(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed; .ci/run must install it", n)
			}
			t.Skipf("%s is not installed (apt-get install poppler-utils zbar-tools)", n)
		}
	}
}

// decodeDPI are the resolutions each page is read at: zbarimg sometimes
// misses one code of a page at one resolution and reads it at another, as a
// phone's camera reads a card at a second try.
var decodeDPI = []string{"150", "200"}

// DecodeQR renders every page of the PDF file and returns every distinct QR
// code zbarimg reads on it, page by page, in the order first read.
func DecodeQR(t testing.TB, pdf string) []string {
	t.Helper()
	NeedTools(t, "pdftoppm", "zbarimg")
	dir := t.TempDir()
	pages := map[string][]string{} // page number → PNG of each resolution
	for _, dpi := range decodeDPI {
		prefix := filepath.Join(dir, "r"+dpi)
		if out, err := exec.Command("pdftoppm", "-r", dpi, "-png", pdf, prefix).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		files, _ := filepath.Glob(prefix + "-*.png")
		for _, f := range files {
			n := strings.TrimSuffix(strings.TrimPrefix(f, prefix+"-"), ".png")
			pages[n] = append(pages[n], f)
		}
	}
	numbers := make([]string, 0, len(pages))
	for n := range pages {
		numbers = append(numbers, n)
	}
	// pdftoppm pads page numbers to one width, so text order is page order.
	slices.Sort(numbers)
	var codes []string
	for _, n := range numbers {
		seen := map[string]bool{}
		for _, png := range pages[n] {
			out, err := exec.Command("zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", png).Output()
			// zbarimg exits 4 when it finds no code on a page.
			if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 4) {
				t.Fatalf("zbarimg %s: %v", png, err)
			}
			for _, l := range strings.Split(string(out), "\n") {
				if l = strings.TrimSpace(l); l != "" && !seen[l] {
					seen[l] = true
					codes = append(codes, l)
				}
			}
		}
	}
	return codes
}
