package web

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests drive the limits on guessing over real HTTP on loopback,
// each client from its own 127.x address where the test needs several, as
// phones behind different addresses would be.

// browserFrom is a browser whose connections come from ip.
func (f *consoleFixture) browserFrom(ip string) *browser {
	b := f.browser()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	b.client.Transport = &http.Transport{DialContext: d.DialContext}
	return b
}

// signInForm opens the sign-in page, so that the browser holds the CSRF
// cookie, and returns the form to post.
func (b *browser) signInForm(name, password string) url.Values {
	b.f.t.Helper()
	_, page := b.do("GET", "/admin/login", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		b.f.t.Fatalf("login page has no CSRF field:\n%s", page)
	}
	return url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}}
}

// answer is what one request got back.
type answer struct {
	status     int
	retryAfter string
	took       time.Duration
	err        error
}

// postForm posts form without failing the test, so that it can run on any
// goroutine.
func (b *browser) postForm(path string, form url.Values) answer {
	start := time.Now()
	req, err := http.NewRequest("POST", b.f.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := b.client.Do(req)
	if err != nil {
		return answer{err: err, took: time.Since(start)}
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return answer{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), took: time.Since(start)}
}

// parallelSignIns posts every form at the same moment, each from its
// browser, and returns the answers in order.
func parallelSignIns(bs []*browser, forms []url.Values) []answer {
	out := make([]answer, len(bs))
	var ready, done sync.WaitGroup
	startGate := make(chan struct{})
	for i := range bs {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-startGate
			out[i] = bs[i].postForm("/admin/login", forms[i])
		}()
	}
	ready.Wait()
	close(startGate)
	done.Wait()
	return out
}

// TestSignInGuessesCountedBeforeHashing sends 30 wrong passwords for one
// account from one address at the same moment. Each attempt must be
// counted before its password is hashed, so that they cannot all be
// checked against a limit none of them has reached yet: the throttle
// checks one attempt of an account and an address at a time, and turns
// the others away with 429 and Retry-After without hashing anything.
func TestSignInGuessesCountedBeforeHashing(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	const n = 30
	bs, forms := make([]*browser, n), make([]url.Values, n)
	for i := range bs {
		bs[i] = f.browserFrom("127.0.2.1")
		forms[i] = bs[i].signInForm("tochuc-a", fmt.Sprintf("sai-mat-khau-%02d", i))
	}
	checked := 0
	for i, a := range parallelSignIns(bs, forms) {
		switch {
		case a.err != nil:
			t.Fatalf("guess %d: %v", i, a.err)
		case a.status == http.StatusUnauthorized: // the password was checked
			checked++
		case a.status == http.StatusTooManyRequests:
			if a.retryAfter == "" || a.retryAfter == "0" {
				t.Errorf("guess %d: 429 with Retry-After %q, want seconds", i, a.retryAfter)
			}
		default:
			t.Errorf("guess %d: status %d, want 401 or 429", i, a.status)
		}
	}
	// One at a time per account and address; a few may follow the first
	// if their requests came in after it ended, never more than the
	// attempts that are free of any wait.
	if checked < 1 || checked > 5 {
		t.Errorf("%d of %d parallel guesses were checked, want between 1 and 5", checked, n)
	}
	t.Logf("%d of %d parallel wrong guesses checked, the others answered 429", checked, n)
}

// TestSignInDelayedNotRefused: failed sign-ins slow the next attempts of
// the account, but never refuse the right password — the real organiser
// gets in during an attack, from another address or from the same one,
// after a wait of seconds rather than a lockout of 15 minutes.
func TestSignInDelayedNotRefused(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	attacker := f.browserFrom("127.0.4.1")
	var sent, answered []time.Time
	for i := range 6 {
		form := attacker.signInForm("tochuc-a", fmt.Sprintf("doan-mo-%d", i))
		sent = append(sent, time.Now())
		a := attacker.postForm("/admin/login", form)
		if a.err != nil || a.status != http.StatusUnauthorized {
			t.Fatalf("wrong guess %d: status %d (%v), want 401 after a wait", i+1, a.status, a.err)
		}
		answered = append(answered, time.Now())
	}
	// The first five are free; the sixth is checked a second after the
	// fifth was, so its answer comes at least a second after the fifth
	// was sent.
	if gap := answered[5].Sub(sent[4]); gap < 950*time.Millisecond {
		t.Errorf("the 6th guess was answered %v after the 5th was sent, want at least a second", gap)
	}
	for _, ip := range []string{"127.0.4.2", "127.0.4.1"} {
		b := f.browserFrom(ip)
		a := b.postForm("/admin/login", b.signInForm("tochuc-a", testPassword))
		if a.err != nil || a.status != http.StatusSeeOther {
			t.Fatalf("the right password from %s during the attack: status %d (%v), want 303", ip, a.status, a.err)
		}
		if a.took > 9*time.Second {
			t.Errorf("the right password from %s waited %v, want at most the longest spacing", ip, a.took)
		}
		t.Logf("right password from %s after 6 failures: 303 in %v", ip, a.took.Round(time.Millisecond))
	}
}

// TestValidCardNeverRefused floods the ballot API from one address with
// wrong card codes, 40 at once, then asks for the ballot of a real card
// from the same address — a meeting's Wi-Fi is one NAT address for
// everyone. The real card is answered at once; the wrong codes beyond the
// burst are answered late, or with 429 and Retry-After.
func TestValidCardNeverRefused(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 3})
	client := &http.Client{Timeout: 3 * time.Second}
	const n = 40
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			wrong := strings.Repeat("A", 30) + string(rune('A'+i/26)) + string(rune('A'+i%26))
			resp, err := client.Post(f.url+"/api/v1/ballot", "application/json", strings.NewReader(`{"token": "`+wrong+`"}`))
			if err != nil {
				answers[i] = answer{err: err, took: time.Since(start)}
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			answers[i] = answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), took: time.Since(start)}
		}()
	}
	time.Sleep(500 * time.Millisecond) // the burst has been answered; the rest wait or were refused
	start := time.Now()
	status, body := f.post("/api/v1/ballot", map[string]string{"token": f.tokens[0]})
	if status != http.StatusOK {
		t.Fatalf("a real card after 40 wrong codes from its address: %d %s, want 200", status, body)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("the real card waited %v, want no wait", took)
	}
	if status, body := f.cast(f.tokens[0], map[string]any{"c1": "high"}); status != http.StatusCreated {
		t.Fatalf("casting with the real card: %d %s, want 201", status, body)
	}
	wg.Wait()
	fast, slow, refused := 0, 0, 0
	for i, a := range answers {
		switch {
		case a.err != nil && a.took >= 2900*time.Millisecond: // still waiting when the client gave up
			slow++
		case a.err != nil:
			t.Errorf("wrong code %d: %v", i, a.err)
		case a.status == http.StatusNotFound && a.took < 500*time.Millisecond:
			fast++
		case a.status == http.StatusNotFound:
			slow++
		case a.status == http.StatusTooManyRequests:
			refused++
			if a.retryAfter == "" || a.retryAfter == "0" {
				t.Errorf("wrong code %d: 429 with Retry-After %q", i, a.retryAfter)
			}
		default:
			t.Errorf("wrong code %d: status %d", i, a.status)
		}
	}
	t.Logf("40 wrong codes at once from one address: %d answered at once, %d slowed, %d refused with 429", fast, slow, refused)
	if fast > lookupBurstForTest || slow == 0 {
		t.Errorf("%d wrong codes answered at once and %d slowed; want at most %d at once and the rest slowed", fast, slow, lookupBurstForTest)
	}
	if n := f.ballotCount(); n != 1 {
		t.Errorf("ballots = %d, want 1", n)
	}
}

// lookupBurstForTest is the number of failed look-ups per address answered
// without delay (ratelimit.go), written out so that this test also runs
// against code that had no such burst.
const lookupBurstForTest = 20
