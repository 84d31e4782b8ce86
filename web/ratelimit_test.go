package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLookupBuckets(t *testing.T) {
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	l := newLookupLimiter()
	l.now = func() time.Time { return now }
	l.burst, l.rate, l.gBurst, l.gRat, l.maxDelay = 3, 1, 1000, 1000, 5*time.Second
	tests := []struct {
		step     string
		advance  time.Duration
		addr     string
		wantWait time.Duration
		wantOK   bool
	}{
		{"first failure", 0, "10.0.0.1", 0, true},
		{"second", 0, "10.0.0.1", 0, true},
		{"third: the burst is spent", 0, "10.0.0.1", 0, true},
		{"fourth waits a second", 0, "10.0.0.1", time.Second, true},
		{"fifth waits two", 0, "10.0.0.1", 2 * time.Second, true},
		{"another address waits nothing", 0, "10.0.0.2", 0, true},
		{"sixth", 0, "10.0.0.1", 3 * time.Second, true},
		{"seventh", 0, "10.0.0.1", 4 * time.Second, true},
		{"eighth: the longest wait", 0, "10.0.0.1", 5 * time.Second, true},
		{"ninth would wait 6 s: refused, retry in 1 s", 0, "10.0.0.1", time.Second, false},
		{"a refusal takes nothing", 0, "10.0.0.1", time.Second, false},
		{"a second later it fits again", time.Second, "10.0.0.1", 5 * time.Second, true},
		{"a full refill forgives everything", time.Minute, "10.0.0.1", 0, true},
	}
	for _, tt := range tests {
		now = now.Add(tt.advance)
		wait, ok := l.reserve(tt.addr)
		if ok != tt.wantOK || wait.Round(time.Millisecond) != tt.wantWait {
			t.Errorf("%s: reserve(%s) = %v, %v; want %v, %v", tt.step, tt.addr, wait, ok, tt.wantWait, tt.wantOK)
		}
	}

	// The server's bucket slows failures spread over many addresses.
	l = newLookupLimiter()
	l.now = func() time.Time { return now }
	l.burst, l.rate, l.gBurst, l.gRat, l.maxDelay = 100, 1, 2, 2, time.Second
	var got []string
	for i := range 6 {
		wait, ok := l.reserve(fmt.Sprintf("192.0.2.%d", i))
		got = append(got, fmt.Sprintf("%v/%v", wait.Round(time.Millisecond), ok))
	}
	if want := "0s/true 0s/true 500ms/true 1s/true 500ms/false 500ms/false"; strings.Join(got, " ") != want {
		t.Errorf("failures from six addresses: %s, want %s", strings.Join(got, " "), want)
	}

	// Memory stays bounded: more addresses than l.clients never pile up.
	l.clients, l.gBurst, l.global = 2, 1000, bucket{}
	for i := range 10 {
		l.reserve(fmt.Sprintf("198.51.100.%d", i))
	}
	if n := len(l.buckets); n > l.clients {
		t.Errorf("limiter remembers %d addresses, want at most %d", n, l.clients)
	}
}

// clientFrom is an HTTP client whose connections come from ip.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// TestLookupSlowedOverall sends wrong codes from many addresses at once to
// a server whose overall bucket is small: the failures are answered one
// after the other at the bucket's rate, those that would wait too long get
// 429 with the sentence and Retry-After, and a real card from yet another
// address is answered at once.
func TestLookupSlowedOverall(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2})
	f.srv.lookups.gBurst, f.srv.lookups.gRat, f.srv.lookups.maxDelay = 2, 4, time.Second
	const n = 10
	type result struct {
		status int
		took   time.Duration
		retry  string
		body   errorBody
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			resp, err := clientFrom(fmt.Sprintf("127.0.6.%d", i+1)).Post(f.url+"/api/v1/cast", "application/json",
				strings.NewReader(`{"token": "`+strings.Repeat("B", 31)+string(rune('A'+i))+`", "choices": {}}`))
			if err != nil {
				t.Error(err)
				return
			}
			var e errorBody
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			json.Unmarshal(raw, &e)
			results[i] = result{resp.StatusCode, time.Since(start), resp.Header.Get("Retry-After"), e}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	resp, err := clientFrom("127.0.6.200").Post(f.url+"/api/v1/ballot", "application/json",
		strings.NewReader(`{"token": "`+f.tokens[0]+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || time.Since(start) > 500*time.Millisecond {
		t.Errorf("a real card during the flood: %d after %v, want 200 at once", resp.StatusCode, time.Since(start))
	}
	wg.Wait()
	var delays []time.Duration
	refused := 0
	for i, r := range results {
		switch r.status {
		case http.StatusNotFound:
			delays = append(delays, r.took)
		case http.StatusTooManyRequests:
			refused++
			if r.retry == "" || r.body.Error.Code != "rate_limited" || !strings.Contains(r.body.Error.Message, "Không tìm thấy thẻ") || r.body.Error.MessageEN == "" {
				t.Errorf("wrong code %d: 429 with Retry-After %q and body %+v", i, r.retry, r.body)
			}
		default:
			t.Errorf("wrong code %d: status %d", i, r.status)
		}
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	// Two at once, then one every 250 ms up to the longest wait of 1 s: six
	// answered, the other four refused.
	t.Logf("answers of 404 after %v; %d refused", delays, refused)
	if len(delays) < 5 || len(delays) > 7 || refused != n-len(delays) {
		t.Fatalf("%d answered and %d refused, want about 6 and 4", len(delays), refused)
	}
	if last := delays[len(delays)-1]; last < 700*time.Millisecond {
		t.Errorf("the last failure was answered after %v, want about 1 s", last)
	}
	if n := f.ballotCount(); n != 0 {
		t.Errorf("ballots = %d, want 0", n)
	}
}

func TestClientAddress(t *testing.T) {
	tests := []struct{ remote, forwarded, want string }{
		{"192.0.2.7:51234", "", "192.0.2.7"},
		{"[2001:db8::1]:443", "", "2001:db8::/64"},
		{"[2001:db8:0:0:ffff::2]:443", "", "2001:db8::/64"}, // the same /64: one host
		{"[2001:db8:0:1::1]:443", "", "2001:db8:0:1::/64"},
		{"[::ffff:192.0.2.7]:443", "", "192.0.2.7"},     // an IPv4 client of a dual-stack socket
		{"192.0.2.7:51234", "203.0.113.9", "192.0.2.7"}, // a header anyone can set is ignored
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/cast", nil)
		r.RemoteAddr = tt.remote
		if tt.forwarded != "" {
			r.Header.Set("X-Forwarded-For", tt.forwarded)
		}
		if got := clientAddress(r); got != tt.want {
			t.Errorf("clientAddress(%s, XFF %q) = %q, want %q", tt.remote, tt.forwarded, got, tt.want)
		}
	}
}
