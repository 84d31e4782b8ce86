package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// The console's sign-in: a random session identifier in a cookie that
// scripts cannot read (HttpOnly), that no other site's page can send
// (SameSite=Strict) and that travels only over TLS when the server has it
// (Secure). The server keeps only the SHA-256 of the identifier, with the
// account's name and the CSRF token of its forms; signing out, or a restart,
// ends every session.
const (
	sessionCookie   = "tinnhiem_console"
	loginCSRFCookie = "tinnhiem_login"
	sessionIdle     = 2 * time.Hour  // a meeting's pause
	sessionMaxAge   = 12 * time.Hour // a whole meeting day
	maxLogins       = 10000          // bounds memory whatever the traffic
)

type login struct {
	account string
	csrf    string
	created time.Time
	seen    time.Time
}

// logins holds the signed-in console sessions; the failed attempts are the
// throttle's (loginlimit.go).
type logins struct {
	mu     sync.Mutex
	byHash map[[32]byte]*login
	now    func() time.Time
}

func newLogins() *logins {
	return &logins{byHash: map[[32]byte]*login{}, now: time.Now}
}

func randomID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("web: crypto/rand failed: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// start records a new sign-in and returns the cookie value.
func (l *logins) start(account string) (id string, csrf string) {
	id, csrf = randomID(), randomID()
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.byHash) >= maxLogins {
		l.pruneLocked(now)
	}
	l.byHash[sha256.Sum256([]byte(id))] = &login{account: account, csrf: csrf, created: now, seen: now}
	return id, csrf
}

// lookup returns the sign-in of a cookie value, or nil if it is unknown or
// expired; it refreshes the idle timer.
func (l *logins) lookup(id string) *login {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := sha256.Sum256([]byte(id))
	lg := l.byHash[h]
	if lg == nil {
		return nil
	}
	now := l.now()
	if now.Sub(lg.seen) > sessionIdle || now.Sub(lg.created) > sessionMaxAge {
		delete(l.byHash, h)
		return nil
	}
	lg.seen = now
	c := *lg
	return &c
}

func (l *logins) end(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.byHash, sha256.Sum256([]byte(id)))
}

func (l *logins) pruneLocked(now time.Time) {
	for h, lg := range l.byHash {
		if now.Sub(lg.seen) > sessionIdle || now.Sub(lg.created) > sessionMaxAge {
			delete(l.byHash, h)
		}
	}
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/admin", MaxAge: maxAge,
		HttpOnly: true, Secure: s.tls, SameSite: http.SameSiteStrictMode,
	})
}

// sameToken compares two CSRF tokens in constant time; an empty one never
// matches.
func sameToken(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// sameOrigin refuses a state-changing request that a browser says came
// from another origin. SameSite=Strict and the CSRF token already stop
// such requests; this is a third, independent check. Browsers send
// "Origin: null" for our own forms, since every page has
// Referrer-Policy: no-referrer, so null says nothing and passes.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return true
	}
	return origin == "http://"+r.Host || origin == "https://"+r.Host
}
