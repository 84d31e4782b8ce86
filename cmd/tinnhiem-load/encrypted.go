package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/tally"
	"tinnhiem/verify"
)

// randomChoices draws one voter's encrypted choices, one per line (0 no
// mark, 1 high, 2 normal, 3 low, as the voter's page sends them), and the
// marks string a count of them must give. A phone cannot mark a line
// twice, so unlike randomBallot there is no multiple-mark line.
func randomChoices(r *mrand.Rand, lines int) ([]int, string) {
	choices := make([]int, lines)
	marks := make([]byte, lines)
	letters := [...]byte{'-', 'H', 'N', 'L'}
	for k := range choices {
		if r.IntN(100) < 92 {
			choices[k] = 1 + r.IntN(3)
		}
		marks[k] = letters[choices[k]]
	}
	return choices, string(marks)
}

// encryptedRequests draws every card's choices reproducibly from seed and
// encrypts them as the voter's page would (card key from session and code,
// box.EncryptBallot under the joint key), spread over every core. It runs
// before the clock starts: each phone encrypts on its own processor, so the
// load tool's own cores must not be what limits the server.
func encryptedRequests(ctx context.Context, p *box.Params, seed uint64, tokens []string) ([]request, error) {
	r := mrand.New(mrand.NewPCG(seed, 0))
	qs := make([]request, len(tokens))
	choices := make([][]int, len(tokens))
	for i, t := range tokens {
		choices[i], qs[i].marks = randomChoices(r, p.Lines)
		qs[i].token = t
	}
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		firstEr error
	)
	for range runtime.NumCPU() {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(qs) || ctx.Err() != nil {
					return
				}
				q := &qs[i]
				if err := q.encrypt(p, choices[i]); err != nil {
					mu.Lock()
					firstEr = cmpErr(firstEr, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if firstEr != nil {
		return nil, firstEr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return qs, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// encrypt fills q's bodies with its card's encrypted ballot and records the
// tracker the server must answer with.
func (q *request) encrypt(p *box.Params, choices []int) error {
	canonical, ok := ballot.NormalizeToken(q.token)
	if !ok {
		return fmt.Errorf("failed to encrypt: card code %q is not well formed", q.token)
	}
	k, err := box.CardKey(p.Session, canonical)
	if err != nil {
		return fmt.Errorf("failed to derive a card key: %w", err)
	}
	b, _, err := box.EncryptBallot(rand.Reader, p, k, choices)
	if err != nil {
		return err
	}
	if q.form, err = json.Marshal(map[string]string{"token": q.token}); err != nil {
		return err
	}
	if q.cast, err = json.Marshal(struct {
		Token  string          `json:"token"`
		Ballot json.RawMessage `json:"ballot"`
	}{q.token, box.FormatBallot(b)}); err != nil {
		return err
	}
	q.tracker = audit.Hash(b.Tracker(p))
	copy(q.card[:], b.Card[:])
	q.encrypted = true
	return nil
}

// encryptedResult is what the post-run check of an encrypted session found.
type encryptedResult struct {
	sealed   int          // EncryptedBallot entries
	verified int          // ballots whose proofs and signature the replay verified
	counted  tally.Result // the tally the service logged from the decrypted totals
	trustees []int        // the trustees whose partials were combined
}

// finishEncrypted closes the session, has two of the three simulated
// trustees decrypt the encrypted tally, tallies, and then checks the whole
// log as an inspector would: the chain, the ceremony, every ballot's proofs
// and signature (none skipped), the sum, the partials and the combination,
// and that the logged tally is the count of the decrypted totals. It then
// checks the run against what the load sent: every acknowledged ballot's
// tracker is sealed and its card key used, and the tally equals the count
// of the choices sent.
func finishEncrypted(ctx context.Context, svc *ballot.Service, p *prepared, outs []outcome) (*encryptedResult, error) {
	const actor = "cli:tinnhiem-load"
	if err := svc.Close(ctx, actor, p.session); err != nil {
		return nil, fmt.Errorf("failed to close the session: %w", err)
	}
	// Trustee 2 stays away: two of three are enough and the third must not
	// be needed.
	if err := p.committee.Decrypt(ctx, svc, actor, rand.Reader, 1, 3); err != nil {
		return nil, fmt.Errorf("failed to decrypt the tally: %w", err)
	}
	if _, err := svc.Tally(ctx, actor, p.session); err != nil {
		return nil, fmt.Errorf("failed to tally: %w", err)
	}
	return checkEncryptedRun(ctx, svc, p, outs)
}

// checkEncryptedRun is finishEncrypted's check of a tallied session.
func checkEncryptedRun(ctx context.Context, svc *ballot.Service, p *prepared, outs []outcome) (*encryptedResult, error) {
	entries, _, err := svc.Log(ctx, p.session)
	if err != nil {
		return nil, fmt.Errorf("failed to read log: %w", err)
	}
	r, err := verify.Log(entries)
	if err != nil {
		return nil, fmt.Errorf("failed to verify the log: %w", err)
	}
	if err := r.CheckTally(); err != nil {
		return nil, fmt.Errorf("failed to verify the tally: %w", err)
	}
	res := &encryptedResult{verified: r.ProofsVerified(), counted: *r.Tally}
	if r.Decrypted != nil {
		res.trustees = r.Decrypted.Trustees
	}
	sealed := make(map[audit.Hash]bool)
	for _, e := range entries {
		if e.Type != audit.EncryptedBallot {
			continue
		}
		b, err := box.ParseBallot(e.Data)
		if err != nil {
			return nil, fmt.Errorf("failed to read sealed ballot %d: %w", e.Seq, err)
		}
		sealed[audit.Hash(b.Tracker(p.box))] = true
	}
	res.sealed = len(sealed)
	if res.verified != res.sealed {
		return nil, fmt.Errorf("the replay verified the proofs of %d ballots of %d sealed", res.verified, res.sealed)
	}
	if len(r.Used) != res.sealed {
		return nil, fmt.Errorf("%d cards used but %d ballots sealed: every used card must have exactly one ballot", len(r.Used), res.sealed)
	}
	used := make(map[audit.Hash]bool, len(r.Used))
	for _, h := range r.Used {
		used[h] = true
	}
	acked := 0
	for _, o := range outs {
		if !o.accepted() {
			continue
		}
		acked++
		if !sealed[o.tracker] {
			return nil, fmt.Errorf("receipt %s was given but its ballot is not sealed: an acknowledged ballot was lost", o.receipt)
		}
		if !used[o.card] {
			return nil, fmt.Errorf("receipt %s was given but its card key is not in TokensUsed", o.receipt)
		}
	}
	if acked != res.sealed {
		return nil, fmt.Errorf("%d ballots sealed, %d acknowledged", res.sealed, acked)
	}
	want, err := expectedTally(p, outs)
	if err != nil {
		return nil, fmt.Errorf("failed to count the choices sent: %w", err)
	}
	if !tally.Equal(res.counted, want) {
		return nil, errors.New("the tally of the decrypted totals differs from the choices sent")
	}
	return res, nil
}

// checkEncryptedReceipt checks an encrypted cast's answer against the
// ballot sent: the tracker is the hash of that ballot (SPEC.md 11.5) and
// the receipt its short code, so a server that stored anything else, or
// answered for another ballot, is caught at once.
func checkEncryptedReceipt(q *request, receipt, tracker string) error {
	if tracker != hex.EncodeToString(q.tracker[:]) {
		return fmt.Errorf("failed to match the tracker %q with the ballot sent", tracker)
	}
	if want := audit.TrackerCode(q.tracker); receipt != want {
		return fmt.Errorf("failed to match the receipt %q with the ballot's tracker code %s", receipt, want)
	}
	return nil
}

// trusteeList renders trustee numbers for the run's output.
func trusteeList(ts []int) string {
	ts = slices.Clone(ts)
	slices.Sort(ts)
	return fmt.Sprint(ts)
}
