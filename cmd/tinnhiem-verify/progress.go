package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// progressMinBytes is the log size below which no bar is drawn: small
// bundles verify faster than a bar could be read.
const progressMinBytes = 8 << 20

// progress draws a one-line bar on standard error while the log of a large
// bundle is read and checked (the verifier does both in one pass, so the
// bytes read measure the work), and only when standard error is a
// terminal, so that
// redirected output and logs never hold control characters. A nil
// *progress draws nothing.
type progress struct {
	w            io.Writer
	total, count int64
	stage        string
	shown        int // last percentage drawn, -1 before the first
	drawn        bool
}

func newProgress(stderr io.Writer) *progress {
	f, ok := stderr.(*os.File)
	if !ok {
		return nil
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progress{w: stderr, shown: -1}
}

func (p *progress) startBytes(total int64) {
	if p == nil || total < progressMinBytes {
		return
	}
	p.stage, p.total, p.count, p.shown = "kiểm tra nhật ký / checking the log", total, 0, -1
}

func (p *progress) addBytes(n int) {
	if p == nil || p.total == 0 || p.stage == "" {
		return
	}
	p.count += int64(n)
	p.draw()
}

func (p *progress) draw() {
	pct := int(100 * p.count / max(p.total, 1))
	if pct == p.shown {
		return
	}
	p.shown, p.drawn = pct, true
	const width = 30
	n := min(width, pct*width/100)
	fmt.Fprintf(p.w, "\r[%s%s] %3d%% %s", strings.Repeat("#", n), strings.Repeat(" ", width-n), pct, p.stage)
}

// finish clears the bar so that the report starts on a clean line.
func (p *progress) finish() {
	if p == nil || !p.drawn {
		return
	}
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 80))
}
