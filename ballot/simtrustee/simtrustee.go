// Package simtrustee plays the counting committee of an encrypted session
// with every trustee's secrets in one process: for the demo of `make run`
// and for tests, which need a whole vote to run without people. It goes
// through the same Service methods as the console and the trustees'
// commands, so what it logs is what real trustees log. A real vote never
// uses it: its whole point is that no single machine holds every share.
package simtrustee

import (
	"context"
	"fmt"
	"io"

	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
)

// Committee holds the secrets of every simulated trustee of one session.
type Committee struct {
	Session string
	N, T    int
	secrets []*box.TrusteeSecret
	// Keys holds each qualified trustee's decryption key, by number.
	Keys map[int]*box.TrusteeKey
}

// Ceremony runs the whole key ceremony of session id through svc: every
// member of its committee makes round 1, round 2 and its round-3
// statement, and the ceremony is completed. The committee must be named.
func Ceremony(ctx context.Context, svc *ballot.Service, actor, id string, rand io.Reader) (*Committee, error) {
	st, err := svc.Ceremony(ctx, id)
	if err != nil {
		return nil, err
	}
	c := &Committee{Session: id, N: st.N, T: st.T, Keys: map[int]*box.TrusteeKey{}}
	var r1 []*box.Round1
	for i := 1; i <= c.N; i++ {
		ts, m, err := box.NewTrustee(rand, id, c.N, c.T, i)
		if err != nil {
			return nil, err
		}
		c.secrets, r1 = append(c.secrets, ts), append(r1, m)
		if err := svc.AddCeremonyMessage(ctx, actor, id, box.FormatRound1(m)); err != nil {
			return nil, fmt.Errorf("round 1 of trustee %d: %w", i, err)
		}
	}
	var r2 []*box.Round2
	for _, ts := range c.secrets {
		m, err := ts.Round2(r1)
		if err != nil {
			return nil, err
		}
		r2 = append(r2, m)
		if err := svc.AddCeremonyMessage(ctx, actor, id, box.FormatRound2(m)); err != nil {
			return nil, fmt.Errorf("round 2 of trustee %d: %w", ts.Trustee, err)
		}
	}
	for _, ts := range c.secrets {
		complaints, err := ts.CheckShares(rand, r1, r2)
		if err != nil {
			return nil, err
		}
		st := &box.Round3{Session: id, Trustee: ts.Trustee, Checked: []int{}, Complaints: complaints}
		for _, m := range r2 {
			if m.Trustee != ts.Trustee {
				st.Checked = append(st.Checked, m.Trustee)
			}
		}
		if err := svc.AddCeremonyMessage(ctx, actor, id, box.FormatRound3(st)); err != nil {
			return nil, fmt.Errorf("round 3 of trustee %d: %w", ts.Trustee, err)
		}
	}
	if err := svc.CompleteCeremony(ctx, actor, id, nil); err != nil {
		return nil, err
	}
	done, err := svc.Ceremony(ctx, id)
	if err != nil {
		return nil, err
	}
	cer, err := box.ParseCeremony(done.Result)
	if err != nil {
		return nil, err
	}
	for _, ts := range c.secrets {
		if k, err := ts.DecryptionKey(r1, r2, cer); err == nil {
			c.Keys[ts.Trustee] = k
		}
	}
	return c, nil
}

// Decrypt sends the partial decryption of the closed session's encrypted
// tally by each of the trustees named (all qualified ones when none is).
func (c *Committee) Decrypt(ctx context.Context, svc *ballot.Service, actor string, rand io.Reader, trustees ...int) error {
	sum, params, err := svc.EncryptedTally(ctx, c.Session)
	if err != nil {
		return err
	}
	if len(trustees) == 0 {
		for i := 1; i <= c.N; i++ {
			if c.Keys[i] != nil {
				trustees = append(trustees, i)
			}
		}
	}
	for _, i := range trustees {
		k := c.Keys[i]
		if k == nil {
			return fmt.Errorf("trustee %d holds no decryption key", i)
		}
		part, err := box.PartialDecrypt(rand, params, k, sum)
		if err != nil {
			return err
		}
		if err := svc.AddPartial(ctx, actor, c.Session, box.FormatPartial(part)); err != nil {
			return fmt.Errorf("partial decryption of trustee %d: %w", i, err)
		}
	}
	return nil
}
