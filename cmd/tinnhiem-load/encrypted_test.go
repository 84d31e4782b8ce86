package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestEncryptedRun runs the whole tool in a small configuration against
// its in-process server over loopback HTTP: an encrypted session with its
// key ceremony, ballots encrypted before the clock, cast as
// {"token","ballot"}, then close, decryption by two of three trustees, the
// tally and the log verified with every proof.
func TestEncryptedRun(t *testing.T) {
	var out bytes.Buffer
	cfg := &config{voters: 24, cadres: 4, clients: 6, seed: 7, db: filepath.Join(t.TempDir(), "load.db")}
	err := run(context.Background(), cfg, &out)
	t.Logf("output:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"encrypted session",
		"encrypted 24 ballots",
		"cast: 24 ballots acknowledged",
		"errors: 0",
		"decrypted by trustees [1 3] of 3",
		"the proofs and signatures of all 24 sealed ballots verify",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestEncryptedCheck casts the tool's pre-encrypted ballots straight into
// the service (as the web handler will) and runs the post-run check: it
// must pass on an honest run and catch an acknowledged ballot that was not
// sealed, and a receipt that is not the ballot's.
func TestEncryptedCheck(t *testing.T) {
	ctx := context.Background()
	svc, store, err := openService(filepath.Join(t.TempDir(), "load.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	p, err := prepareSession(ctx, svc, 12, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	if p.box == nil || p.committee == nil || p.box.Lines != 3 {
		t.Fatalf("prepared encrypted session without its parameters: %+v", p.box)
	}
	qs, err := encryptedRequests(ctx, p.box, 3, p.tokens)
	if err != nil {
		t.Fatal(err)
	}
	// The last card is not cast: an unused card must not disturb the check.
	var outs []outcome
	for _, q := range qs[:len(qs)-1] {
		var body struct {
			Token  string          `json:"token"`
			Ballot json.RawMessage `json:"ballot"`
		}
		if err := json.Unmarshal(q.cast, &body); err != nil {
			t.Fatal(err)
		}
		rc, err := svc.CastEncrypted(ctx, body.Token, body.Ballot)
		if err != nil {
			t.Fatalf("CastEncrypted: %v", err)
		}
		if err := checkEncryptedReceipt(&q, rc.Code, hex.EncodeToString(rc.Tracker[:])); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, outcome{token: q.token, marks: q.marks, tracker: q.tracker, card: q.card, status: http.StatusCreated, receipt: rc.Code})
	}
	// A receipt for another ballot is refused at once.
	if err := checkEncryptedReceipt(&qs[0], outs[1].receipt, hex.EncodeToString(qs[1].tracker[:])); err == nil {
		t.Error("a receipt of another ballot was taken for this one")
	}
	// The check must see a lost ballot: claim the unused card's ballot
	// was acknowledged too.
	last := qs[len(qs)-1]
	lost := append(outs[:len(outs):len(outs)], outcome{token: last.token, marks: last.marks, tracker: last.tracker, card: last.card, status: http.StatusCreated, receipt: "TB1-LOST"})
	if _, err := finishEncrypted(ctx, svc, p, lost); err == nil || !strings.Contains(err.Error(), "not sealed") {
		t.Fatalf("a lost acknowledged ballot went unnoticed: %v", err)
	}
	// The session is now tallied; the honest outcomes check out against it.
	res, err := checkEncryptedRun(ctx, svc, p, outs)
	if err != nil {
		t.Fatal(err)
	}
	if res.sealed != len(outs) || res.verified != len(outs) {
		t.Errorf("sealed %d, verified %d, want %d", res.sealed, res.verified, len(outs))
	}
}
