package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
)

const signInPassword = "mat-khau-dung-roi"

// addAccounts creates the database with one account through the CLI,
// which also makes the installation key, then n more accounts with the
// same password directly in the store: they share the first account's
// argon2id hash, which spares the test n hashes and changes nothing for
// the server, which checks each sign-in against the stored hash.
func addAccounts(t *testing.T, db string, n int) []string {
	t.Helper()
	cmd := exec.Command(binPath, "admin", "add", "--db", db, "quantri", "--role", "admin", "--password-stdin")
	cmd.Stdin = strings.NewReader(signInPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("admin add: %v\n%s", err, out)
	}
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	names := make([]string, n)
	err = st.Update(context.Background(), func(tx ballot.Tx) error {
		first, err := tx.Account("quantri")
		if err != nil {
			return err
		}
		for i := range names {
			names[i] = fmt.Sprintf("bantochuc-%03d", i)
			if err := tx.InsertAccount(&ballot.Account{Name: names[i], Role: ballot.RoleAdmin, PasswordHash: first.PasswordHash}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// peakRSS reads the peak resident set size of a process, in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc on this system: %v", err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// signInClient is one console user's browser, its connections coming from
// ip, as if each were another phone or laptop.
type signInClient struct {
	c    *http.Client
	base string
	form url.Values
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func newSignInClient(t *testing.T, base, ip, name string) *signInClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c := &http.Client{Jar: jar, Timeout: 60 * time.Second,
		Transport:     &http.Transport{DialContext: d.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/admin/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(page)
	if m == nil {
		t.Fatalf("the sign-in page has no CSRF field:\n%s", page)
	}
	return &signInClient{c: c, base: base, form: url.Values{"csrf": {string(m[1])}, "name": {name}, "password": {signInPassword}}}
}

// TestSignInMemoryBounded signs in 200 console users at the same moment,
// each from its own address, against a real server process, and reads the
// server's peak resident memory from /proc. Each argon2id check takes
// 19 MiB; the server runs at most two at once, lets 64 more wait, and
// answers the others 503 with Retry-After at once, so that its memory
// stays under 150 MB whatever arrives.
func TestSignInMemoryBounded(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "votes.db")
	const n = 200
	names := addAccounts(t, db, n)
	srv := startServer(t, db, freePort(t))
	pid := srv.cmd.Process.Pid
	clients := make([]*signInClient, n)
	for i := range clients {
		clients[i] = newSignInClient(t, srv.base, fmt.Sprintf("127.0.%d.%d", 10+i/200, 1+i%200), names[i])
	}
	before := peakRSS(t, pid)

	type result struct {
		status int
		retry  string
		took   time.Duration
		err    error
	}
	results := make([]result, n)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	for i, c := range clients {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			start := time.Now()
			resp, err := c.c.PostForm(c.base+"/admin/login", c.form)
			if err != nil {
				results[i].err = err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			results[i] = result{status: resp.StatusCode, retry: resp.Header.Get("Retry-After"), took: time.Since(start)}
		}()
	}
	ready.Wait()
	start := time.Now()
	close(gate)
	done.Wait()
	took := time.Since(start)

	signedIn, busy := 0, 0
	var slowestIn, slowestBusy time.Duration
	for i, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("sign-in %d was not answered: %v", i, r.err)
		case r.status == http.StatusSeeOther:
			signedIn++
			slowestIn = max(slowestIn, r.took)
		case r.status == http.StatusServiceUnavailable || r.status == http.StatusTooManyRequests:
			busy++
			slowestBusy = max(slowestBusy, r.took)
			if r.retry == "" {
				t.Errorf("sign-in %d: %d without Retry-After", i, r.status)
			}
		default:
			t.Errorf("sign-in %d: status %d, want 303, or 503/429 with Retry-After", i, r.status)
		}
	}
	peak := peakRSS(t, pid)
	t.Logf("%d parallel sign-ins in %v: %d signed in (303, the slowest after %v), %d told to retry (503/429, the slowest after %v); "+
		"server peak RSS %.1f MB before, %.1f MB after", n, took.Round(time.Millisecond), signedIn, slowestIn.Round(time.Millisecond),
		busy, slowestBusy.Round(time.Millisecond), float64(before)/1e6, float64(peak)/1e6)
	if peak >= 150e6 {
		t.Errorf("the server's peak RSS reached %.1f MB, want under 150 MB", float64(peak)/1e6)
	}
	if signedIn < 2 {
		t.Errorf("only %d of %d sign-ins succeeded", signedIn, n)
	}
	// Those told to retry get in when they do.
	for i, r := range results {
		if r.status != http.StatusSeeOther {
			resp, err := clients[i].c.PostForm(clients[i].base+"/admin/login", clients[i].form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("sign-in %d retried: status %d, want 303", i, resp.StatusCode)
			}
			break
		}
	}
}
