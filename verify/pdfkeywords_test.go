package verify

import (
	"bytes"
	"strings"
	"testing"

	"tinnhiem/audit"
)

// TestKeywordScanner feeds PDF-like bytes to the scanner whole, one byte
// at a time and in chunks of every size up to 64, so that keywords split
// across writes are found exactly as in one piece.
func TestKeywordScanner(t *testing.T) {
	body := bytes.Repeat([]byte("stream\x00\xff binary ( ) \\ "), 200)
	ours := audit.PDFKeywords("l4i7npr3", "bien-ban-kiem-phieu.pdf")
	theirs := audit.PDFKeywords("3auhr2jr", "bien-ban-kiem-phieu.pdf")
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tt := range []struct {
		name string
		pdf  []byte
		want string // "" for no error
	}{
		{"this session's", cat(body, ours, body), ""},
		{"another session's", cat(body, theirs, body), `its keywords say "session 3auhr2jr name bien-ban-kiem-phieu.pdf"`},
		{"another document's", cat(body, audit.PDFKeywords("l4i7npr3", "bao-cao-c1.pdf"), body), "name bao-cao-c1.pdf"},
		{"none", cat(body, body), "carries no tinnhiem keywords"},
		{"both", cat(ours, body, theirs), "2 times"},
		{"twice", cat(ours, body, ours), "2 times"},
		{"at the very start and end", cat(ours), ""},
	} {
		for _, chunk := range []int{len(tt.pdf), 1, 2, 3, 7, 13, 64} {
			k := newKeywordScanner(audit.PDFKeywordsPrefix, ours)
			for b := tt.pdf; len(b) > 0; {
				n := min(chunk, len(b))
				k.Write(b[:n])
				b = b[n:]
			}
			err := k.verdict("l4i7npr3", "bien-ban-kiem-phieu.pdf")
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%s in chunks of %d: %v, want none", tt.name, chunk, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("%s in chunks of %d: %v, want an error containing %q", tt.name, chunk, err, tt.want)
			}
			if len(k.buf) > 2*len(ours)+64+keywordsShown {
				t.Errorf("%s in chunks of %d: the scanner holds %d bytes", tt.name, chunk, len(k.buf))
			}
		}
	}
}

// TestReportIssuedNames checks which document names a ReportIssued entry
// of a session with three cadres may carry.
func TestReportIssuedNames(t *testing.T) {
	r := &Replay{Cadres: []audit.Person{{ID: "c1"}, {ID: "c2"}, {ID: "c3"}}}
	for name, want := range map[string]bool{
		"bao-cao-c1.pdf": true, "bao-cao-c3.pdf": true, "bien-ban-kiem-phieu.pdf": true, "results.csv": true, "results.json": true,
		"bao-cao-c4.pdf": false, "bao-cao-c0.pdf": false, "bao-cao-c01.pdf": false, "bao-cao-c.pdf": false, "bao-cao-c1.PDF": false,
		"results2.csv": false, "biên-bản.pdf": false, "bao-cao-c1": false, "c1.pdf": false, "": false,
	} {
		if got := r.documentName(name); got != want {
			t.Errorf("documentName(%q) = %v, want %v", name, got, want)
		}
	}
}
