package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"testing"

	"tinnhiem/internal/testtool"
)

// renderVoterPage renders the voter's page as the server serves it (the token is read by the page's script, not
// by the server, so the page does not depend on it).
func renderVoterPage(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := loadPages().voter.ExecuteTemplate(&buf, "layout", pageData{Title: "voter.title", Script: "voter.js", Catalog: catalog}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestVoterAssets checks the digests an inspector compares: each embedded file's SHA-256 is that of the file in
// the source tree, the digest of the list is SHA-256 of what `sha256sum` prints for those files in web/, and every
// script and style sheet the voter's page loads is in the list. It logs the page's weight, raw and gzipped.
func TestVoterAssets(t *testing.T) {
	testtool.NeedTools(t, "sha256sum")
	assets, digest := VoterAssets()
	var paths []string
	for _, a := range assets {
		disk, err := os.ReadFile(a.Path)
		if err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(disk) != a.SHA256 {
			t.Errorf("%s: the embedded file's SHA-256 is not the source tree's", a.Path)
		}
		paths = append(paths, a.Path)
	}
	out, err := exec.Command("sha256sum", paths...).Output()
	if err != nil {
		t.Fatalf("sha256sum: %v", err)
	}
	if got := sha256.Sum256(out); got != digest {
		t.Errorf("digest %x, want SHA-256 of sha256sum's output %x", digest, got)
	}
	_, again := VoterAssets()
	if again != digest {
		t.Error("the digest changed between two calls")
	}

	page := renderVoterPage(t)
	for _, m := range regexp.MustCompile(`(?:src|href)="/static/([^"]+)"`).FindAllSubmatch(page, -1) {
		if !slices.Contains(paths, "static/"+string(m[1])) {
			t.Errorf("the voter's page loads /static/%s, which VoterAssets does not cover", m[1])
		}
	}
	// box.js is not loaded by the page yet (the server still takes plaintext ballots), but it is what the page
	// will load, so it is weighed with the rest.
	total, totalGz := 0, 0
	weigh := func(name string, b []byte) {
		var z bytes.Buffer
		w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		w.Write(b)
		w.Close()
		total, totalGz = total+len(b), totalGz+z.Len()
		t.Logf("%-24s %7d bytes, gzip %6d", name, len(b), z.Len())
	}
	weigh("voter page (HTML)", page)
	for _, name := range []string{"static/box.js", "static/common.js", "static/voter.js", "static/style.css"} {
		b, err := staticFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		weigh(name, b)
	}
	t.Logf("%-24s %7d bytes, gzip %6d", "total", total, totalGz)
	t.Logf("voter assets digest %s", hex.EncodeToString(digest[:]))
}
