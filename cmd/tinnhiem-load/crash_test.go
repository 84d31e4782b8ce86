package main

import (
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// crashRounds is how many times TestKillNineLosesNothing kills the server.
// .ci/run keeps the default of 20; TINNHIEM_CRASH_ROUNDS or -crash.rounds
// asks for more.
var crashRounds = flag.Int("crash.rounds", envInt("TINNHIEM_CRASH_ROUNDS", 20), "kill -9 rounds of the crash test")

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestKillNineLosesNothing casts ballots into the real `tinnhiem serve`
// from concurrent clients and kills it with SIGKILL at a random moment,
// round after round, restarting it each time. Afterwards it closes the
// vote with the real CLI and checks DESIGN.md invariant 6 and the Store's
// durability contract end to end: the server restarted cleanly every time,
// the chain verifies (`tinnhiem log verify`), every ballot whose receipt
// was returned is sealed and its card is in TokensUsed, every used card
// has exactly one ballot, and the only extra ballots are casts whose answer
// the kill swallowed.
func TestKillNineLosesNothing(t *testing.T) {
	rounds := *crashRounds
	if testing.Short() {
		rounds = min(rounds, 3)
	}
	const perRound, clients = 250, 16
	dir := t.TempDir()
	db := filepath.Join(dir, "crash.db")
	p := prepareFile(t, db, rounds*perRound, 4)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))

	var all []outcome
	unanswered, killedMidway := 0, 0
	for round := range rounds {
		srv := startServer(t, "--db", db)
		tokens := p.tokens[round*perRound : (round+1)*perRound]
		c := newCaster(srv.url, clients, p.cadres)
		qs, err := c.requests(rng.Uint64(), tokens)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan []outcome, 1)
		go func() { done <- c.sendAll(context.Background(), clients, 0, qs) }()
		// Kill somewhere between the first casts and the end of the round.
		time.Sleep(time.Duration(5+rng.IntN(60)) * time.Millisecond)
		srv.kill()
		outs := <-done
		c.close()
		acked, lost := 0, 0
		for _, o := range outs {
			switch {
			case o.accepted():
				acked++
			case o.err != nil:
				lost++ // sent, and the kill came before the answer
			case o.status != 0:
				t.Errorf("round %d: a cast was refused with %d %s before the kill", round, o.status, o.code)
			}
		}
		if acked < len(outs) {
			killedMidway++
		}
		unanswered += lost
		all = append(all, outs...)
		t.Logf("round %d: %d acknowledged, %d unanswered, %d never sent", round, acked, lost, len(outs)-acked-lost)
	}
	if killedMidway == 0 {
		t.Logf("no round was killed while casts were in flight; the kill landed after each round's last answer")
	}

	// The server must come back once more, serving from the same file.
	srv := startServer(t, "--db", db)
	srv.stop(t)
	if code, _, stderr := runCLI(t, "session", "close", "--db", db, "--session", p.session); code != 0 {
		t.Fatalf("tinnhiem session close: exit %d\n%s", code, stderr)
	}
	if code, stdout, stderr := runCLI(t, "log", "verify", "--db", db); code != 0 {
		t.Fatalf("tinnhiem log verify: exit %d\n%s%s", code, stdout, stderr)
	}

	svc, store, err := openService(db, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r, _, err := sealedLog(context.Background(), svc, p.session)
	if err != nil {
		t.Fatalf("sealed log: %v", err)
	}
	if err := checkReceipts(r, all); err != nil {
		t.Fatal(err)
	}
	if err := checkMarks(r, all, false, unanswered); err != nil {
		t.Fatal(err)
	}
	acked := 0
	for _, o := range all {
		if o.accepted() {
			acked++
		}
	}
	if acked == 0 {
		t.Fatalf("no ballot was acknowledged in %d rounds: the test proved nothing", rounds)
	}
	t.Logf("%d rounds: %d ballots acknowledged, %d unanswered, %d sealed, %d rounds killed mid-cast",
		rounds, acked, unanswered, len(r.Ballots), killedMidway)
}
