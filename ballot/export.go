package ballot

import (
	"context"

	"tinnhiem/audit"
)

// Bundle gathers what an inspector needs to check session id offline: its
// whole audit log, every signed checkpoint, the installation's public key,
// and the issued documents with their detached signatures. All of it is
// read in one snapshot, so the log, the checkpoints and the documents agree
// even while the server keeps running. The private key never leaves the
// service: the bundle holds the verifier key only.
func (s *Service) Bundle(ctx context.Context, id string) (*audit.Bundle, error) {
	b := &audit.Bundle{Session: id, VerifierKey: s.key.VerifierKey()}
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
		return nil, err
	}
	return b, nil
}
