// Package box is the cryptography of the encrypted ballot box (SPEC.md section 11): ballots encrypted on the
// voter's phone to a key that the counting committee holds t of n, proofs that every line holds no mark or one
// option, the dealerless key ceremony, partial decryptions of the sums and their combination.
//
// The package is pure: it reads no file, opens no connection and keeps no state; randomness comes from the
// io.Reader its callers pass in. Its API is made of statements and checks: every value that crosses a trust
// boundary (a ballot, a ceremony message, a partial decryption) is a struct of canonical encodings that a Parse
// function has checked, and every Verify function says which line, option or trustee is at fault.
//
// Group arithmetic is github.com/gtank/ristretto255; operations on secrets (randomness, key shares, the voter's
// choice) use its constant-time operations only, and the prover computes every branch of a proof so that its time
// does not depend on the choice. Variable-time operations are used on public data only (verification).
package box
