package verify

import (
	"bytes"
	"errors"
	"fmt"
)

// keywordScanner finds, in a PDF streamed through Write, the keywords
// that bind it to its session and name (SPEC.md 8.2): how often any
// tinnhiem keywords appear, how often exactly the expected ones, and the
// text of the first, to name another session when it is one. It holds a
// few hundred bytes whatever the size of the file.
type keywordScanner struct {
	prefix, want []byte
	buf          []byte // the last bytes written, from offset base
	base         int64
	next         [2]int64 // where to look next for prefix and want
	count        [2]int
	capture      []byte // the bytes after the first prefix
	captureAt    int64  // where they start; -1 before the prefix is seen
}

// keywordsShown bounds what the scanner keeps of the first keywords found.
const keywordsShown = 300

func newKeywordScanner(prefix, want []byte) *keywordScanner {
	return &keywordScanner{prefix: prefix, want: want, captureAt: -1}
}

func (k *keywordScanner) Write(p []byte) (int, error) {
	k.buf = append(k.buf, p...)
	end := k.base + int64(len(k.buf))
	for i, pat := range [2][]byte{k.prefix, k.want} {
		for {
			j := bytes.Index(k.buf[k.next[i]-k.base:], pat)
			if j < 0 {
				k.next[i] = max(k.next[i], end-int64(len(pat))+1)
				break
			}
			at := k.next[i] + int64(j)
			k.count[i]++
			k.next[i] = at + 1
			if i == 0 && k.captureAt < 0 {
				k.captureAt = at + int64(len(pat))
			}
		}
	}
	if k.captureAt >= 0 && len(k.capture) < keywordsShown {
		from := k.captureAt + int64(len(k.capture))
		to := min(end, k.captureAt+keywordsShown)
		if from < to && from >= k.base {
			k.capture = append(k.capture, k.buf[from-k.base:to-k.base]...)
		}
	}
	// Keep what a pattern or the capture may still need.
	keep := int64(max(len(k.prefix), len(k.want)))
	if k.captureAt >= 0 && len(k.capture) < keywordsShown {
		keep = max(keep, end-(k.captureAt+int64(len(k.capture))))
	}
	if drop := int64(len(k.buf)) - keep; drop > 0 {
		k.buf = append(k.buf[:0], k.buf[drop:]...)
		k.base += drop
	}
	return len(p), nil
}

// verdict says whether the PDF named session and name exactly once.
func (k *keywordScanner) verdict(session, name string) error {
	switch {
	case k.count[0] == 1 && k.count[1] == 1:
		return nil
	case k.count[0] == 0:
		return errors.New("carries no tinnhiem keywords naming its session and name (SPEC.md 8.2)")
	case k.count[1] == 0:
		shown, _, _ := bytes.Cut(k.capture, []byte(")"))
		return fmt.Errorf("is not session %s's %s: its keywords say %q", session, name, "session "+string(shown))
	}
	return fmt.Errorf("carries tinnhiem keywords %d times; a document names its session once", k.count[0])
}
