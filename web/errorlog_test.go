package web

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestServerErrorLog feeds the logger the lines net/http writes, in their
// exact formats (net/http/server.go), and checks that what reaches the
// server's log holds no address, no port and no time, and still says what
// happened.
func TestServerErrorLog(t *testing.T) {
	var buf bytes.Buffer
	l := ServerErrorLog(slog.New(slog.NewTextHandler(&buf, nil)))
	lines := []struct{ in, want string }{
		{"http: TLS handshake error from 192.0.2.7:51234: remote error: tls: bad certificate",
			`level=WARN msg="TLS handshake failed" reason="remote error: tls: bad certificate"`},
		{"http: TLS handshake error from [2001:db8::7]:51234: read tcp [2001:db8::1]:8443->[2001:db8::7]:51234: read: connection reset by peer",
			`level=WARN msg="TLS handshake failed" reason="read tcp (address)->(address): read: connection reset by peer"`},
		{"http: TLS handshake error from 192.0.2.7:51234: client sent an HTTP request to an HTTPS server",
			`level=WARN msg="TLS handshake failed" reason="client sent an HTTP request to an HTTPS server"`},
		{"http: panic serving 192.0.2.7:51234: token ABCD\ngoroutine 7 [running]:\nmain.f()",
			`level=ERROR msg="panic serving a request" stack="goroutine 7 [running]:\nmain.f()"`},
		{"http: Accept error: accept tcp 0.0.0.0:8443: too many open files; retrying in 5ms",
			`level=WARN msg="http server" detail="Accept error: accept tcp (address): too many open files; retrying in 5ms"`},
		{"http: superfluous response.WriteHeader call from tinnhiem/web.(*recorder).WriteHeader (middleware.go:102)",
			`level=WARN msg="http server" detail="superfluous response.WriteHeader call from tinnhiem/web.(*recorder).WriteHeader (middleware.go:102)"`},
	}
	for _, tt := range lines {
		buf.Reset()
		l.Print(tt.in)
		got := strings.TrimSpace(buf.String())
		if got != tt.want {
			t.Errorf("%q\n logged as %s\n      want %s", tt.in, got, tt.want)
		}
		for _, leak := range []string{"192.0.2.7", "2001:db8", "51234", "ABCD", "time="} {
			if strings.Contains(got, leak) {
				t.Errorf("%q leaks %q: %s", tt.in, leak, got)
			}
		}
	}
}
