package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"tinnhiem/ballot"
)

// Failed card look-ups are slowed, never a card that exists. A card code
// has 160 random bits, so it cannot be guessed online whatever the rate
// (SECURITY.md does the sums); what the delay buys is that a script
// hammering the ballot API with guesses gets its failures slowly, and that
// the server stays responsive for the voters meanwhile. A refusal before
// the look-up, as this server used to do, would hold back every voter
// behind the same address — and a meeting's Wi-Fi is one NAT address — so
// the look-up always runs first, and only an unknown code waits.
//
// Each failure takes a token from its address's bucket and from the
// server's: a bucket holds burst tokens and refills at rate per second; a
// failure that finds its bucket empty is answered when its token would
// have come. One whose answer would wait longer than maxDelay is answered
// at once with 429 and Retry-After, so that waiting requests stay bounded.
const (
	lookupBurst       = 20               // failures per address answered at once
	lookupRate        = 1.0              // failures per second per address after that
	lookupGlobalBurst = 200              // failures over all addresses answered at once
	lookupGlobalRate  = 50.0             // failures per second over all addresses after that
	lookupMaxDelay    = 10 * time.Second // the longest a failure's answer waits
	lookupClients     = 100000           // addresses remembered at most
)

// lookupLimiter delays the answers of voter API requests whose card code is
// unknown, per client address and over the whole server.
//
// What it keeps: per client address (an IPv6 one by its /64) a token count
// and the time it was last updated, in memory only, until its bucket is
// full again; never a token, a path, a body or the time of a vote. It logs
// nothing. A card that exists is never counted, so the limiter cannot be
// used to learn who voted.
type lookupLimiter struct {
	now          func() time.Time
	burst, rate  float64 // per address
	gBurst, gRat float64 // over all addresses
	maxDelay     time.Duration
	clients      int

	mu      sync.Mutex
	buckets map[string]*bucket
	global  bucket
}

// bucket is a token bucket whose count may go below zero: a negative count
// is the failures already promised an answer later.
type bucket struct {
	tokens float64
	last   time.Time
}

func newLookupLimiter() *lookupLimiter {
	return &lookupLimiter{now: time.Now, burst: lookupBurst, rate: lookupRate, gBurst: lookupGlobalBurst,
		gRat: lookupGlobalRate, maxDelay: lookupMaxDelay, clients: lookupClients, buckets: map[string]*bucket{}}
}

// clientAddress is the address the limits key on: the peer's IP, an IPv6
// one by its /64, since a single host is usually given a whole /64 and
// could otherwise take a fresh address per request. Headers such as
// X-Forwarded-For are ignored, since any client can set them; a server
// behind a reverse proxy therefore limits the proxy as a whole.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		return host
	case ip.To4() != nil:
		return ip.To4().String() // also an IPv4 client of a dual-stack socket
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// level returns what b holds at now, refilled at rate up to burst.
func (b *bucket) level(now time.Time, burst, rate float64) float64 {
	if b.last.IsZero() {
		return burst
	}
	return min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
}

// waitFor is how long a bucket at level (after taking a token) makes the
// failure wait.
func waitFor(level, rate float64) time.Duration {
	if level >= 0 {
		return 0
	}
	return time.Duration(-level / rate * float64(time.Second))
}

// reserve takes one failure of addr from its bucket and the server's and
// returns how long its answer must wait. When that would exceed maxDelay it
// takes nothing and returns ok false, with the wait before a retry would
// fit.
func (l *lookupLimiter) reserve(addr string) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[addr]
	if b == nil {
		b = &bucket{}
	}
	a := b.level(now, l.burst, l.rate) - 1
	g := l.global.level(now, l.gBurst, l.gRat) - 1
	wait = max(waitFor(a, l.rate), waitFor(g, l.gRat))
	if wait > l.maxDelay {
		return wait - l.maxDelay, false
	}
	if l.buckets[addr] == nil {
		if len(l.buckets) >= l.clients {
			l.sweep(now)
		}
		if len(l.buckets) >= l.clients {
			// Too many addresses at once: forget them rather than let
			// memory grow without bound. The server's bucket still holds.
			clear(l.buckets)
		}
		l.buckets[addr] = b
	}
	b.tokens, b.last = a, now
	l.global.tokens, l.global.last = g, now
	return wait, true
}

// sweep forgets the addresses whose bucket is full again: they hold
// nothing a fresh bucket would not.
func (l *lookupLimiter) sweep(now time.Time) {
	for a, b := range l.buckets {
		if b.level(now, l.burst, l.rate) >= l.burst {
			delete(l.buckets, a)
		}
	}
}

// rateLimitedBody is the 429 answer, in the shape of every API error. Only
// a code that was not found gets it, so it may say so; tracker says the
// code was a receipt's rather than a card's.
func rateLimitedBody(tracker bool) errorBody {
	var b errorBody
	b.Error.Code = "rate_limited"
	if tracker {
		b.Error.Message = "Không tìm thấy phiếu có mã xác nhận này, và đã có rất nhiều mã sai được nhập từ mạng này. Hãy kiểm tra lại mã xác nhận rồi thử lại sau ít giây."
		b.Error.MessageEN = "No counted ballot has this receipt, and very many wrong codes have come from this network. Check the receipt and try again in a few seconds."
		return b
	}
	b.Error.Message = "Không tìm thấy thẻ bỏ phiếu có mã này, và đã có rất nhiều mã sai được nhập từ mạng này. Hãy kiểm tra lại mã trên thẻ rồi thử lại sau ít giây; nếu vẫn không được, hãy liên hệ Ban kiểm phiếu."
	b.Error.MessageEN = "No card has this code, and very many wrong codes have come from this network. Check the code on the card and try again in a few seconds; if it still fails, ask the counting committee."
	return b
}

// failLookup answers a voter API request whose look-up failed with err. An
// unknown card code or tracker is answered only once the limiter allows (or
// with 429 if that would take too long); every other failure, and every
// card or tracker that exists, is answered at once.
func (s *Server) failLookup(w http.ResponseWriter, r *http.Request, err error) {
	var e *ballot.Error
	tracker := errors.As(err, &e) && e.Key == "tracker_unknown"
	display := errors.Is(err, ballot.ErrDisplayUnknown)
	if !errors.Is(err, ballot.ErrTokenUnknown) && !tracker && !display {
		s.fail(w, r, err)
		return
	}
	wait, ok := s.lookups.reserve(clientAddress(r))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
		writeJSON(w, http.StatusTooManyRequests, rateLimitedBody(tracker))
		return
	}
	sleep(r.Context(), wait) // a client that has gone is answered at once, to nobody
	s.fail(w, r, err)
}

// sleep waits d, or less if ctx ends first; it reports whether it waited
// the whole time.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
