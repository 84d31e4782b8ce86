package web

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"tinnhiem/ballot"
)

// Sign-in is slowed, never locked. A refusal that outlasts an attack would
// keep the real organiser out for as long as the attacker likes; a delay
// only costs them a few seconds, and still spaces the attacker's guesses.
// Each attempt is counted before its password is hashed, so that parallel
// requests cannot all slip under the count, and at most hashSlots argon2id
// checks (19 MiB each) run at once, which bounds the server's memory
// whatever arrives. One slot, because with 200 sign-ins at once the
// server's peak RSS measured 145 MB with two — the garbage collector lets
// the heap grow to twice what is live, 41 MB with two checks, and the
// process starts at 27 MB — against 104–108 MB with one (heap goal 60 MB);
// and because a flood of sign-ins then takes at most one core of the two a
// meeting's laptop has, the other serving the voters. One check takes
// about 60 ms, so the slot serves some 16 sign-ins a second, far more than
// a console needs.
const (
	loginWindow     = 15 * time.Minute // how long a failure is remembered
	loginFreeName   = 5                // failures per account before its attempts are spaced
	loginFreeClient = 10               // failures per client address before its attempts are spaced
	loginStep       = time.Second      // the first spacing, doubled by each further failure…
	loginMaxStep    = 8 * time.Second  // …up to this
	loginMaxWait    = 20 * time.Second // an attempt that would wait longer is refused with 429
	loginKeys       = 100000           // accounts and addresses remembered at most

	hashSlots = 1                // password checks at once (see above)
	hashQueue = 32               // attempts waiting for the slot, about two seconds of work
	hashWait  = 10 * time.Second // the longest wait for the slot before 503
)

// loginThrottle spaces sign-in attempts per account name and per client
// address, and bounds the password checks that run at once.
//
// What it keeps, in memory only: per account name and per client address
// the times of its failures within loginWindow, its attempts in flight and
// the earliest time its next attempt may be checked. It logs nothing.
type loginThrottle struct {
	now func() time.Time
	// The limits; tests lower them.
	freeName, freeClient int
	step, maxStep        time.Duration
	maxWait              time.Duration
	maxKeys              int
	queueMax             int
	slotWait             time.Duration

	slots   chan struct{} // one token per password check running
	checked atomic.Int64  // attempts that reached the password check

	mu     sync.Mutex
	keys   map[string]*attemptState // "name:…" or "addr:…"
	pairs  map[string]time.Time     // account and address with an attempt in flight → its start
	queued int                      // attempts waiting for a slot
}

// attemptState is what the throttle knows about one account name or one
// client address.
type attemptState struct {
	fails   []time.Time // failures within the window, oldest first
	pending int         // attempts admitted and not yet decided
	next    time.Time   // no attempt starts before this
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{now: time.Now, freeName: loginFreeName, freeClient: loginFreeClient,
		step: loginStep, maxStep: loginMaxStep, maxWait: loginMaxWait, maxKeys: loginKeys,
		queueMax: hashQueue, slotWait: hashWait, slots: make(chan struct{}, hashSlots),
		keys: map[string]*attemptState{}, pairs: map[string]time.Time{}}
}

// loginAttempt is one admitted sign-in: it has been counted against its
// account and its address, and must be ended with done.
type loginAttempt struct {
	t            *loginThrottle
	name, client string
	start        time.Time
}

// errLoginLimited and errLoginBusy are the refusals of the throttle; the
// sentence says how long to wait, and the Retry-After header says it again
// for scripts.
func errLoginLimited(retry time.Duration) *ballot.Error {
	return &ballot.Error{Code: ballot.EConflict, Key: "login_limited", Args: ballot.Args{"seconds": retrySeconds(retry)}}
}

func errLoginBusy(retry time.Duration) *ballot.Error {
	return &ballot.Error{Code: ballot.EConflict, Key: "login_busy", Args: ballot.Args{"seconds": retrySeconds(retry)}}
}

// retrySeconds rounds a wait up to whole seconds, at least one, as
// Retry-After wants.
func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// spacing is the least time between an attempt and the next one of the
// same name or address, when n counts the failures in the window and the
// attempts in flight, this one included. Once n reaches free the next
// attempt waits step, and twice as long for each further one.
func (t *loginThrottle) spacing(n, free int) time.Duration {
	if n < free {
		return 0
	}
	if n-free >= 16 {
		return t.maxStep
	}
	return min(t.maxStep, t.step<<(n-free))
}

// stateLocked returns the state of key, forgetting failures older than the
// window; create says whether a missing key is made.
func (t *loginThrottle) stateLocked(key string, now time.Time, create bool) *attemptState {
	st := t.keys[key]
	if st == nil {
		if !create {
			return &attemptState{}
		}
		st = &attemptState{}
		t.keys[key] = st
	}
	i := 0
	for i < len(st.fails) && now.Sub(st.fails[i]) > loginWindow {
		i++
	}
	st.fails = st.fails[i:]
	return st
}

// pruneLocked forgets the keys that hold nothing any more: no failure in
// the window, nothing in flight, no spacing still running.
func (t *loginThrottle) pruneLocked(now time.Time) {
	for k, st := range t.keys {
		if st.pending == 0 && now.After(st.next) &&
			(len(st.fails) == 0 || now.Sub(st.fails[len(st.fails)-1]) > loginWindow) {
			delete(t.keys, k)
		}
	}
}

// admit counts an attempt for name from client before anything is checked,
// and returns it with the time it may start. It refuses (with the wait
// before a retry could be admitted) an attempt while the same account and
// address already have one in flight, and one that would have to wait
// longer than maxWait: the answer is then 429 and nothing is counted.
func (t *loginThrottle) admit(name, client string) (*loginAttempt, *ballot.Error, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	pair := name + "\x00" + client
	if start, busy := t.pairs[pair]; busy {
		retry := start.Sub(now) + time.Second
		return nil, errLoginLimited(retry), retry
	}
	kn, kc := "name:"+name, "addr:"+client
	n, c := t.stateLocked(kn, now, false), t.stateLocked(kc, now, false)
	start := now
	if n.next.After(start) {
		start = n.next
	}
	if c.next.After(start) {
		start = c.next
	}
	if wait := start.Sub(now); wait > t.maxWait {
		retry := wait - t.maxWait
		return nil, errLoginLimited(retry), retry
	}
	if len(t.keys)+2 > t.maxKeys {
		t.pruneLocked(now)
		if len(t.keys)+2 > t.maxKeys {
			// Forgetting failures would hand an attacker fresh attempts;
			// refusing keeps the limits and the memory bounded.
			return nil, errLoginBusy(time.Minute), time.Minute
		}
	}
	n, c = t.stateLocked(kn, now, true), t.stateLocked(kc, now, true)
	n.pending++
	c.pending++
	n.next = start.Add(t.spacing(len(n.fails)+n.pending, t.freeName))
	c.next = start.Add(t.spacing(len(c.fails)+c.pending, t.freeClient))
	t.pairs[pair] = start
	return &loginAttempt{t: t, name: name, client: client, start: start}, nil, 0
}

// wait sleeps until the attempt may start; it reports false if the client
// went away first.
func (a *loginAttempt) wait(ctx context.Context) bool {
	return sleep(ctx, a.start.Sub(a.t.now()))
}

// check runs fn, the password check, in one of the hashing slots. It
// refuses with errLoginBusy when hashQueue attempts already wait for a slot
// or none frees up within slotWait, so that waiting requests are bounded
// too.
func (a *loginAttempt) check(ctx context.Context, fn func()) (*ballot.Error, time.Duration) {
	t := a.t
	t.mu.Lock()
	if t.queued >= t.queueMax {
		t.mu.Unlock()
		return errLoginBusy(2 * time.Second), 2 * time.Second
	}
	t.queued++
	t.mu.Unlock()
	timer := time.NewTimer(t.slotWait)
	defer timer.Stop()
	got := false
	select {
	case t.slots <- struct{}{}:
		got = true
	case <-timer.C:
	case <-ctx.Done(): // the client has gone; nobody reads the answer
	}
	t.mu.Lock()
	t.queued--
	t.mu.Unlock()
	if !got {
		return errLoginBusy(2 * time.Second), 2 * time.Second
	}
	defer func() { <-t.slots }()
	t.checked.Add(1)
	fn()
	return nil, 0
}

// done ends the attempt: failed says the password was checked and wrong,
// which counts against the account and the address for the window. An
// attempt that ended otherwise (right password, refused, client gone)
// leaves no failure.
func (a *loginAttempt) done(failed bool) {
	t := a.t
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	delete(t.pairs, a.name+"\x00"+a.client)
	for _, k := range []string{"name:" + a.name, "addr:" + a.client} {
		st := t.stateLocked(k, now, true)
		st.pending--
		if failed {
			st.fails = append(st.fails, now)
		}
	}
}
