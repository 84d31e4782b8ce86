// This file replays the paper-ballot entries of an encrypted session
// (SPEC.md 11.5.2). What can be checked without the paper is checked: the
// setting is 1 or 2 and set before opening, each entry names a committee
// member and a card issued as paper, and a card's entries are by different
// members. Whether an entry matched is the server's comparison of trackers,
// which the sealed ballot's own tracker lets anyone recheck.

package verify

import (
	"errors"
	"fmt"

	"tinnhiem/audit"
)

func (r *Replay) paperConfirmationsSet(e *audit.Entry) error {
	var d audit.PaperConfirmationsData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if !r.Encrypted() {
		return errors.New("a paper-ballot setting in a session without the encrypted ballot box")
	}
	if d.Confirmations != 1 && d.Confirmations != 2 {
		return fmt.Errorf("%d members to enter each paper ballot, want 1 or 2", d.Confirmations)
	}
	return nil
}

// paperCard checks what a paper entry names: a member of the committee and
// a card issued as paper, not revoked.
func (r *Replay) paperCard(trustee int, card audit.Hash) error {
	switch {
	case !r.Encrypted():
		return errors.New("a paper-ballot entry in a session without the encrypted ballot box")
	case trustee < 1 || trustee > len(r.Committee):
		return fmt.Errorf("a paper-ballot entry by member %d of a committee of %d", trustee, len(r.Committee))
	case !r.Paper[card]:
		return tokenErr(fmt.Errorf("a paper-ballot entry of card %s…, which was not issued as paper", card.String()[:12]))
	case r.Revoked[card]:
		return tokenErr(fmt.Errorf("a paper-ballot entry of card %s…, which was revoked", card.String()[:12]))
	}
	return nil
}

func (r *Replay) paperBallotEntered(e *audit.Entry) error {
	var d audit.PaperBallotEnteredData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if err := r.paperCard(d.Trustee, d.Card); err != nil {
		return err
	}
	if r.paperBy == nil {
		r.paperBy = map[audit.Hash][]int{}
	}
	for _, t := range r.paperBy[d.Card] {
		if t == d.Trustee {
			return fmt.Errorf("member %d entered the paper ballot of card %s… twice", d.Trustee, d.Card.String()[:12])
		}
	}
	r.paperBy[d.Card] = append(r.paperBy[d.Card], d.Trustee)
	return nil
}

func (r *Replay) paperBallotMismatch(e *audit.Entry) error {
	var d audit.PaperBallotMismatchData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if err := r.paperCard(d.Trustee, d.Card); err != nil {
		return err
	}
	// A mismatch voids the card's earlier entries: the paper is entered afresh.
	delete(r.paperBy, d.Card)
	return nil
}
