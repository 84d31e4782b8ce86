package box

import "crypto/ed25519"

// VerifySignature checks only that the card's signature covers the ballot's
// bytes: for a replay of ballots whose proofs were all verified when they
// were cast, which still catches any ballot changed since without the card.
// It is never a substitute for VerifyBallot on a ballot that arrives.
func VerifySignature(p *Params, b *Ballot) error {
	if !ed25519.Verify(b.Card[:], b.Bytes(p), b.Signature[:]) {
		return &BallotError{Ballot: -1, Err: ErrSignature}
	}
	return nil
}
