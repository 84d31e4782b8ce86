package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestThrottleSpacing admits attempts at one instant on a stopped clock:
// each is counted as it is admitted, so parallel attempts are spaced as if
// each had already failed.
func TestThrottleSpacing(t *testing.T) {
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	th := newLoginThrottle()
	th.now = func() time.Time { return now }

	// Thirty guesses for one account from thirty addresses at once: the
	// first five start now, then 1, 3, 7 and 15 s later; the tenth would
	// start after 23 s, beyond the longest wait, and is refused.
	var starts []string
	var retry time.Duration
	for i := range 30 {
		a, refused, r := th.admit("tochuc", fmt.Sprintf("192.0.2.%d", i))
		if refused != nil {
			if retry == 0 {
				retry = r
			}
			continue
		}
		starts = append(starts, a.start.Sub(now).String())
	}
	if got, want := strings.Join(starts, " "), "0s 0s 0s 0s 0s 1s 3s 7s 15s"; got != want {
		t.Errorf("starts %s, want %s", got, want)
	}
	if retry != 3*time.Second {
		t.Errorf("the first refusal says retry in %v, want 3s", retry)
	}

	// One attempt at a time for an account and an address.
	th = newLoginThrottle()
	th.now = func() time.Time { return now }
	a, refused, _ := th.admit("tochuc", "198.51.100.1")
	if refused != nil {
		t.Fatal(refused)
	}
	if _, refused, _ := th.admit("tochuc", "198.51.100.1"); refused == nil || refused.Key != "login_limited" {
		t.Errorf("a second attempt in flight for the same account and address: %v, want login_limited", refused)
	}
	if _, refused, _ := th.admit("other", "198.51.100.1"); refused != nil {
		t.Errorf("another account from the same address: %v, want admitted", refused)
	}
	a.done(true)

	// Failures are remembered for the window, then forgotten.
	for range 5 {
		a, refused, _ := th.admit("tochuc", "198.51.100.1")
		if refused != nil {
			t.Fatal(refused)
		}
		a.done(true)
	}
	// On the stopped clock the sixth started after 1 s and spaced the
	// next by 2 s more.
	a, _, _ = th.admit("tochuc", "198.51.100.2")
	if wait := a.start.Sub(now); wait != 3*time.Second {
		t.Errorf("after six failures the next attempt starts after %v, want 3s", wait)
	}
	a.done(false)
	now = now.Add(loginWindow + time.Minute)
	a, _, _ = th.admit("tochuc", "198.51.100.3")
	if wait := a.start.Sub(now); wait != 0 {
		t.Errorf("after the window the next attempt waits %v, want none", wait)
	}
	a.done(false)

	// The table is bounded: a full one refuses new keys rather than forget
	// failures.
	th = newLoginThrottle()
	th.now = func() time.Time { return now }
	th.maxKeys = 4
	for i := range 2 {
		a, refused, _ := th.admit(fmt.Sprintf("n%d", i), fmt.Sprintf("203.0.113.%d", i))
		if refused != nil {
			t.Fatalf("attempt %d: %v", i, refused)
		}
		a.done(true)
	}
	if _, refused, _ := th.admit("n9", "203.0.113.9"); refused == nil || refused.Key != "login_busy" {
		t.Errorf("a full table: %v, want login_busy", refused)
	}
	if len(th.keys) > th.maxKeys {
		t.Errorf("%d keys, want at most %d", len(th.keys), th.maxKeys)
	}
}

// TestThrottleHashSlots runs many admitted attempts at once: no more than
// hashSlots checks run together, and beyond queueMax waiting attempts the
// answer is login_busy without a check.
func TestThrottleHashSlots(t *testing.T) {
	th := newLoginThrottle()
	th.queueMax = 6
	var running, most atomic.Int32
	const n = 20
	refusals := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		a, refused, _ := th.admit(fmt.Sprintf("n%d", i), fmt.Sprintf("192.0.2.%d", i))
		if refused != nil {
			t.Fatal(refused)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer a.done(false)
			refused, _ := a.check(context.Background(), func() {
				r := running.Add(1)
				for {
					m := most.Load()
					if r <= m || most.CompareAndSwap(m, r) {
						break
					}
				}
				time.Sleep(30 * time.Millisecond)
				running.Add(-1)
			})
			if refused != nil {
				refusals[i] = refused.Key
			}
		}()
	}
	wg.Wait()
	busy := 0
	for _, k := range refusals {
		if k == "login_busy" {
			busy++
		}
	}
	if m := most.Load(); m > hashSlots {
		t.Errorf("%d checks ran at once, want at most %d", m, hashSlots)
	}
	if got := th.checked.Load(); int(got)+busy != n || busy == 0 {
		t.Errorf("%d checked and %d refused as busy of %d, want every one either, some refused", got, busy, n)
	}
	if len(th.pairs) != 0 || th.queued != 0 {
		t.Errorf("after every attempt ended: %d in flight, %d queued", len(th.pairs), th.queued)
	}
}

// TestSignInHashesCounted counts the password checks themselves while 30
// wrong passwords for one account arrive at once from 30 addresses: the
// spacing admits a few, the rest are answered 429 before any hashing.
func TestSignInHashesCounted(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	f.srv.throttle.step, f.srv.throttle.maxWait = 20*time.Millisecond, 100*time.Millisecond
	const n = 30
	bs, forms := make([]*browser, n), make([]url.Values, n)
	for i := range bs {
		bs[i] = f.browserFrom(fmt.Sprintf("127.0.7.%d", i+1))
		forms[i] = bs[i].signInForm("tochuc-a", fmt.Sprintf("sai-mat-khau-%02d", i))
	}
	wrong, limited := 0, 0
	for i, a := range parallelSignIns(bs, forms) {
		switch a.status {
		case http.StatusUnauthorized:
			wrong++
		case http.StatusTooManyRequests:
			limited++
		default:
			t.Errorf("guess %d: status %d (%v)", i, a.status, a.err)
		}
	}
	// Five free, then 20, 40 and 80 ms apart: one arriving at once after
	// those would start at 140 ms, beyond the longest wait. Requests that
	// arrive a little later may still fit, a few.
	checked := int(f.srv.throttle.checked.Load())
	t.Logf("30 parallel guesses from 30 addresses: %d passwords hashed, %d answered 429", checked, limited)
	if checked != wrong || checked < 5 || checked > 12 || limited != n-checked {
		t.Errorf("%d hashed, %d answered 401, %d answered 429; want 7 or a few more hashed, each a 401, the rest 429",
			checked, wrong, limited)
	}
}
