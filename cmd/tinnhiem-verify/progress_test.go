package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	if p := newProgress(&buf); p != nil {
		t.Fatalf("newProgress on a buffer = %v, want nil (not a terminal)", p)
	}
	p := &progress{w: &buf, shown: -1}
	p.startBytes(progressMinBytes * 2)
	p.addBytes(progressMinBytes)
	p.addBytes(1) // same percentage: nothing drawn
	p.addBytes(progressMinBytes - 1)
	p.finish()
	got := buf.String()
	for _, want := range []string{"[###############               ]  50% kiểm tra nhật ký / checking the log", "100% kiểm tra nhật ký / checking the log"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output %q lacks %q", got, want)
		}
	}
	if strings.Count(got, "50%") != 1 || !strings.HasSuffix(got, "\r") {
		t.Errorf("progress output %q: want one 50%% line and a cleared line at the end", got)
	}
	buf.Reset()
	small := &progress{w: &buf, shown: -1}
	small.startBytes(100)
	small.addBytes(100)
	small.finish()
	if buf.Len() != 0 {
		t.Errorf("a small bundle drew %q, want no bar", buf.String())
	}
	var none *progress
	none.startBytes(1 << 30)
	none.addBytes(1)
	none.finish()
}
