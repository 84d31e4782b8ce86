package ballot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"tinnhiem/audit"

	"golang.org/x/mod/sumdb/note"
)

// ErrKeyMismatch matches the error of Bundle when the session was signed by
// another key than the service's.
var ErrKeyMismatch = &Error{Code: EConflict, Key: "key_mismatch"}

// Bundle gathers what an inspector needs to check session id offline: its
// whole audit log, every signed checkpoint, the installation's public key,
// and the issued documents with their detached signatures. All of it is
// read in one snapshot, so the log, the checkpoints and the documents agree
// even while the server keeps running. The private key never leaves the
// service: the bundle holds the verifier key only.
//
// A bundle is only as good as the key in it: if a checkpoint or a document
// of the session was signed by another key than the service's — a server
// started with --key FILE, a command run without it — Bundle returns an
// error matching ErrKeyMismatch that names the key that signed and the
// service's, rather than a bundle that fails verification.
func (s *Service) Bundle(ctx context.Context, id string) (*audit.Bundle, error) {
	b, _, err := s.BundleWith(ctx, id)
	return b, err
}

// BundleWith is Bundle for a caller that holds several key files and cannot
// tell which one signed the session: the bundle carries the first of the
// service's key and others that signed every checkpoint and document of
// the session, and that key is returned. Only public keys enter the bundle.
// When none of them signed, the error matches ErrKeyMismatch.
func (s *Service) BundleWith(ctx context.Context, id string, others ...*audit.Key) (*audit.Bundle, *audit.Key, error) {
	b := &audit.Bundle{Session: id}
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		var err error
		if b.Entries, err = tx.AuditEntries(id, 1, 0); err != nil {
			return err
		}
		cps, err := tx.Checkpoints(id)
		if err != nil {
			return err
		}
		for _, c := range cps {
			b.Checkpoints = append(b.Checkpoints, c.Note)
		}
		docs, err := tx.Documents(id)
		if err != nil {
			return err
		}
		for _, d := range docs {
			b.Documents = append(b.Documents, audit.BundleDocument{Name: d.Name, Data: d.Data, Signature: d.Signature})
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for _, k := range append([]*audit.Key{s.key}, others...) {
		if signedBy(k, b) == nil {
			b.VerifierKey = k.VerifierKey()
			return b, k, nil
		}
	}
	return nil, nil, signedBy(s.key, b)
}

// signedBy checks that every checkpoint and document of b was signed by
// key, and otherwise names who signed them.
func signedBy(key *audit.Key, b *audit.Bundle) error {
	var signers []string
	for _, cp := range b.Checkpoints {
		if _, err := note.Open(cp, note.VerifierList(key.Verifier())); err == nil {
			continue
		}
		// Name whoever signed: a note carries each signer's key name and
		// the four-byte hash that starts its verifier key.
		var unverified *note.UnverifiedNoteError
		if _, err := note.Open(cp, note.VerifierList()); errors.As(err, &unverified) {
			for _, sig := range unverified.Note.UnverifiedSigs {
				signers = append(signers, fmt.Sprintf("%s+%08x", sig.Name, sig.Hash))
			}
		}
		if len(signers) == 0 {
			signers = append(signers, "?")
		}
	}
	var docs []string
	for _, d := range b.Documents {
		if audit.VerifyDetached(key.PublicKey(), d.Data, d.Signature) != nil {
			docs = append(docs, d.Name)
		}
	}
	if len(signers) == 0 && len(docs) == 0 {
		return nil
	}
	slices.Sort(signers)
	signers = slices.Compact(signers)
	own := fmt.Sprintf("%s+%08x", key.Name(), key.KeyHash())
	args := Args{"variant": "documents", "session": b.Session, "documents": strings.Join(docs, ", "), "own": own, "fingerprint": key.Fingerprint()}
	if len(signers) > 0 {
		args = Args{"variant": "checkpoints", "session": b.Session, "signers": strings.Join(signers, ", "), "own": own, "fingerprint": key.Fingerprint()}
	}
	return &Error{Code: EConflict, Key: ErrKeyMismatch.Key, Args: args}
}
