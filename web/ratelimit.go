package web

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Failed token look-ups are limited per client address. A token has 160
// random bits, so guessing one is hopeless anyway; the limit is there so
// that a script cannot hammer the ballot API with guesses, and so that the
// organiser's server stays responsive for the voters while someone tries.
// The numbers leave room for a crowded hall behind one NAT address: a
// voter who mistypes a card code fails once or twice, not 30 times a
// minute.
const (
	lookupFailures = 30          // failed look-ups allowed per address per window
	lookupWindow   = time.Minute // how long failures are remembered
	lookupClients  = 100000      // addresses remembered at most
)

// lookupLimiter counts, per client address, the voter API requests that
// ended in token_unknown (404), and turns the address away with 429 once it
// has failed lookupFailures times within lookupWindow.
//
// What it keeps: the client's IP address (without port) and a count, in
// memory only, for at most one window after the last failure; never a
// token, a path, a body or a time of a successful vote. It logs nothing. A
// successful cast is never counted, so the limiter cannot be used to learn
// who voted.
type lookupLimiter struct {
	now     func() time.Time
	max     int
	window  time.Duration
	clients int

	mu       sync.Mutex
	failures map[string]*failureCount
}

type failureCount struct {
	n     int
	start time.Time // start of the window the count belongs to
}

func newLookupLimiter() *lookupLimiter {
	return &lookupLimiter{now: time.Now, max: lookupFailures, window: lookupWindow, clients: lookupClients,
		failures: map[string]*failureCount{}}
}

// clientAddress is the address the limiter keys on: the peer's IP. Headers
// such as X-Forwarded-For are ignored, since any client can set them; a
// server behind a reverse proxy therefore limits the proxy as a whole.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// blocked reports whether addr has used up its failures, and for how long
// it must wait.
func (l *lookupLimiter) blocked(addr string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.failures[addr]
	if !ok {
		return false, 0
	}
	left := l.window - l.now().Sub(f.start)
	if left <= 0 {
		delete(l.failures, addr)
		return false, 0
	}
	return f.n >= l.max, left
}

// fail records one failed look-up from addr.
func (l *lookupLimiter) fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f, ok := l.failures[addr]
	if ok && now.Sub(f.start) >= l.window {
		ok = false
	}
	if !ok {
		if len(l.failures) >= l.clients {
			l.sweep(now)
		}
		if len(l.failures) >= l.clients {
			// Too many addresses at once: forget them all rather than let
			// memory grow without bound. Guessing stays hopeless.
			clear(l.failures)
		}
		f = &failureCount{start: now}
		l.failures[addr] = f
	}
	f.n++
}

// sweep forgets the addresses whose window has passed.
func (l *lookupLimiter) sweep(now time.Time) {
	for a, f := range l.failures {
		if now.Sub(f.start) >= l.window {
			delete(l.failures, a)
		}
	}
}

// rateLimitedBody is the 429 answer, in the shape of every API error.
func rateLimitedBody() errorBody {
	var b errorBody
	b.Error.Code = "rate_limited"
	b.Error.Message = "Thiết bị này đã nhập sai mã phiếu quá nhiều lần. Hãy đợi một phút rồi thử lại; nếu vẫn không được, hãy liên hệ Ban kiểm phiếu."
	b.Error.MessageEN = "Too many wrong card codes from this device. Wait a minute and try again; if it still fails, ask the counting committee."
	return b
}

// wrap limits next, a voter API handler: an address over its limit gets
// 429 before any look-up, and a 404 answer from next counts as a failure.
func (l *lookupLimiter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddress(r)
		if over, wait := l.blocked(addr); over {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
			writeJSON(w, http.StatusTooManyRequests, rateLimitedBody())
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == http.StatusNotFound {
			l.fail(addr)
		}
	})
}

// statusWriter remembers the status a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
