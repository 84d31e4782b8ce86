package main

import (
	"context"
	"fmt"
	"slices"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/tally"
	"tinnhiem/verify"
)

// sealedLog reads a closed session's log, verifies its chain, replays it as
// the inspector's verifier does and recounts the sealed ballots.
func sealedLog(ctx context.Context, svc *ballot.Service, session string) (*verify.Replay, tally.Result, error) {
	entries, _, err := svc.Log(ctx, session)
	if err != nil {
		return nil, tally.Result{}, fmt.Errorf("failed to read log: %w", err)
	}
	r, err := verify.Log(entries)
	if err != nil {
		return nil, tally.Result{}, fmt.Errorf("failed to verify the log: %w", err)
	}
	res, err := r.Count()
	if err != nil {
		return nil, tally.Result{}, fmt.Errorf("failed to count: %w", err)
	}
	if len(r.Used) != len(r.Ballots) {
		return nil, tally.Result{}, fmt.Errorf("%d cards used but %d ballots sealed: every used card must have exactly one ballot", len(r.Used), len(r.Ballots))
	}
	return r, res, nil
}

// checkReceipts checks that every acknowledged ballot's receipt is the one
// its card should get and that its card is among the sealed used cards.
func checkReceipts(r *verify.Replay, outs []outcome) error {
	used := make(map[audit.Hash]bool, len(r.Used))
	for _, h := range r.Used {
		used[h] = true
	}
	for _, o := range outs {
		if !o.accepted() {
			continue
		}
		canonical, _ := ballot.NormalizeToken(o.token)
		h := ballot.HashToken(canonical)
		if !audit.ReceiptMatches(o.receipt, h) {
			return fmt.Errorf("receipt %s does not belong to the card that was cast", o.receipt)
		}
		if !used[h] {
			return fmt.Errorf("receipt %s was given but its card is not in TokensUsed: an acknowledged ballot was lost", o.receipt)
		}
	}
	return nil
}

// checkMarks compares the multiset of sealed marks with the marks of the
// acknowledged ballots. With exact, they must be equal; without, every
// acknowledged ballot must be sealed and the extra sealed ballots, at most
// unknown of them, are those whose answer was lost (a crash between commit
// and reply).
func checkMarks(r *verify.Replay, outs []outcome, exact bool, unknown int) error {
	sealed := make(map[string]int)
	for _, b := range r.Ballots {
		sealed[b.Marks]++
	}
	acked := 0
	for _, o := range outs {
		if !o.accepted() {
			continue
		}
		acked++
		if sealed[o.marks] == 0 {
			return fmt.Errorf("an acknowledged ballot %q is not among the sealed ballots", o.marks)
		}
		sealed[o.marks]--
	}
	extra := len(r.Ballots) - acked
	switch {
	case exact && extra != 0:
		return fmt.Errorf("%d ballots sealed, %d acknowledged", len(r.Ballots), acked)
	case !exact && extra > unknown:
		return fmt.Errorf("%d ballots sealed beyond the %d acknowledged, but only %d casts went unanswered", extra, acked, unknown)
	}
	return nil
}

// expectedTally counts, independently of the server, the ballots the load
// sent and had acknowledged.
func expectedTally(p *prepared, outs []outcome) (tally.Result, error) {
	in := tally.Input{Rules: tally.QD96, Members: p.members, Issued: len(p.tokens)}
	for _, c := range p.cadres {
		in.Cadres = append(in.Cadres, tally.Cadre{ID: c.ID, Name: c.Name, Position: c.Position})
	}
	for _, o := range outs {
		if o.accepted() {
			in.Ballots = append(in.Ballots, o.marks)
		}
	}
	// Count is order-independent, but sort anyway so that a failure is
	// reproducible whatever order the answers came in.
	slices.Sort(in.Ballots)
	return tally.Count(in)
}
