// This file holds the transitions after close: the one tally, the issued
// documents, and the inspectors' cosignatures. Each is one transaction that
// checks the session's state, appends its entries and moves the state, so
// that no other package writes a session's state or its log.

package ballot

import (
	"context"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/tally"
	"tinnhiem/verify"
)

// TallyRecord is what the log holds of a tallied session: everything its
// documents show. Documents are rendered from a TallyRecord only, never from
// a fresh count, so a re-issued document states exactly what was logged.
type TallyRecord struct {
	// Counted is true when this call computed and logged the tally, false
	// when the tally was logged already and is only read back.
	Counted bool
	// Seq is the number of the TallyComputed entry.
	Seq       uint64
	Session   audit.SessionCreatedData
	Opened    audit.SessionOpenedData
	Committee []string
	// Proceedings is what the minutes report besides the tally: officers,
	// times, attendance during the vote and the fate of the cards.
	Proceedings audit.Proceedings
	Result      tally.Result
	// Checkpoint is the signed note of the checkpoint at the TallyComputed
	// entry, printed on every document.
	Checkpoint string
	// Fingerprint is the installation key's fingerprint.
	Fingerprint string
}

// Tally counts a closed session exactly once. In one transaction it
// verifies the session's chain and replays it with the verifier's own
// rules, counts the sealed ballots, logs the result as TallyComputed with a
// signed checkpoint and moves the session from closed to tallied, so that of
// two concurrent calls only one can log a tally. Called on a tallied
// session it reads the logged result back and counts nothing. Before close,
// or without a counting committee, it fails and changes nothing.
func (s *Service) Tally(ctx context.Context, actor, id string) (*TallyRecord, error) {
	var rec *TallyRecord
	err := s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		if sess.State != Closed && sess.State != Tallied {
			return ErrNotClosed
		}
		replay, err := s.replay(tx, id)
		if err != nil {
			return err
		}
		counted := false
		if replay.Tally == nil {
			if sess.State != Closed {
				return Errorf(EInternal, "session %s is tallied but its log holds no tally", id)
			}
			if len(replay.Committee) == 0 {
				return ErrNoCommittee
			}
			if replay.Encrypted() {
				// The counts exist only once t trustees' partial
				// decryptions combine; log them, then count from them.
				if err := s.decryptTally(tx, id, actor); err != nil {
					return err
				}
				if replay, err = s.replay(tx, id); err != nil {
					return err
				}
			}
			res, err := replay.Count()
			if err != nil {
				return Errorf(EInternal, "failed to count: %v", err)
			}
			if err := s.log(tx, id, actor, audit.TallyComputed, res); err != nil {
				return err
			}
			if err := s.checkpoint(tx, id); err != nil {
				return err
			}
			sess.State = Tallied
			if err := tx.UpdateSession(sess); err != nil {
				return err
			}
			if replay, err = s.replay(tx, id); err != nil {
				return err
			}
			counted = true
		}
		// A logged tally that the sealed ballots do not count to is never
		// printed: that is tampering, and the verifier would say so too.
		if err := replay.CheckTally(); err != nil {
			return Errorf(EInternal, "refusing to read back the tally: %v", err)
		}
		rec = &TallyRecord{Counted: counted, Seq: replay.TallySeq, Session: replay.Session,
			Committee: replay.Committee, Proceedings: replay.Proceedings, Result: *replay.Tally, Fingerprint: s.key.Fingerprint()}
		if replay.Opened != nil {
			rec.Opened = *replay.Opened
		}
		cps, err := tx.Checkpoints(id)
		if err != nil {
			return err
		}
		for _, cp := range cps {
			if cp.Size == replay.TallySeq {
				rec.Checkpoint = string(cp.Note)
			}
		}
		if rec.Checkpoint == "" {
			return Errorf(EInternal, "no signed checkpoint at the tally entry %d", replay.TallySeq)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// replay reads a session's log inside tx, verifies its chain and replays it.
func (s *Service) replay(tx Tx, id string) (*verify.Replay, error) {
	entries, err := tx.AuditEntries(id, 1, 0)
	if err != nil {
		return nil, err
	}
	// Every proof was verified before its ballot was recorded; the replay
	// still checks signatures and sums (the offline verifier checks all).
	replay, err := verify.LogWith(entries, verify.LogOptions{SkipBallotProofs: true})
	if err != nil {
		return nil, Errorf(EInternal, "refusing to tally a log that does not verify: %v", err)
	}
	return replay, nil
}

// IssueDocuments stores the documents rendered from the tally logged at
// entry tallySeq, with a ReportIssued entry listing each one's name and
// SHA-256, followed by a signed checkpoint, in one transaction. It refuses
// documents for a session that is not tallied, for another tally entry, or
// with a missing or repeated name, and a document that committee members
// have signed (AddDocumentSignature); issuing again replaces the stored
// files and logs the new hashes.
func (s *Service) IssueDocuments(ctx context.Context, actor, id string, tallySeq uint64, docs []Document) error {
	list := make([]audit.ReportDocument, len(docs))
	seen := make(map[string]bool, len(docs))
	for i, d := range docs {
		if d.Name == "" || strings.ContainsAny(d.Name, "/\\") || seen[d.Name] {
			return &Error{Code: EInvalid, Key: "document_name", Args: Args{"name": d.Name}}
		}
		seen[d.Name] = true
		list[i] = audit.ReportDocument{Name: d.Name, SHA256: audit.Sum(d.Data)}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		if sess.State != Tallied {
			return ErrNotTallied
		}
		replay, err := s.replay(tx, id)
		if err != nil {
			return err
		}
		if replay.TallySeq != tallySeq {
			return &Error{Code: EConflict, Key: "documents_stale", Args: Args{"entry": tallySeq, "tally": replay.TallySeq}}
		}
		// Re-issuing a document that committee members have signed
		// would replace it with an unsigned one and drop their
		// signatures without a trace on paper.
		for _, d := range replay.Signed {
			if seen[d.Name] {
				return &Error{Code: EConflict, Key: "documents_signed", Args: Args{"name": d.Name, "member": d.Member}}
			}
		}
		for _, d := range docs {
			if err := tx.PutDocument(id, d); err != nil {
				return err
			}
		}
		return s.logSigned(tx, id, actor, audit.ReportIssued, audit.ReportIssuedData{Documents: list})
	})
}

// Documents returns a session's issued documents, each with its detached
// signature; none before the tally.
func (s *Service) Documents(ctx context.Context, id string) (docs []Document, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		docs, err = tx.Documents(id)
		return err
	})
	return docs, err
}

// AddCosignature records the cosigned checkpoint msg, signed by the
// inspector whose note verifier key is cosignerKey, as a CosignatureAdded
// entry by actor followed by a signed checkpoint. In the same transaction it
// checks that the server signed the checkpoint, that the checkpoint names
// this session's log as it stands, that the inspector's signature verifies,
// and that the same inspector has not cosigned the same checkpoint already;
// a refused cosignature changes nothing.
func (s *Service) AddCosignature(ctx context.Context, actor, id string, msg []byte, cosignerKey string) (audit.CosignatureData, error) {
	vkey := strings.TrimSpace(cosignerKey)
	var data audit.CosignatureData
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		entries, err := tx.AuditEntries(id, 1, 0)
		if err != nil {
			return err
		}
		c, v, err := verify.CheckCosignature(msg, vkey, s.key.Verifier(), entries)
		if err != nil {
			return &Error{Code: EInvalid, Key: "cosign_invalid", Err: err}
		}
		for i := range entries {
			var d audit.CosignatureData
			if entries[i].Type == audit.CosignatureAdded && entries[i].Decode(&d) == nil && d.Key == vkey && d.Size == c.Size {
				return ErrCosignTwice
			}
		}
		data = audit.CosignatureData{Name: v.Name(), Key: vkey, Size: c.Size, Note: string(msg)}
		return s.logSigned(tx, id, actor, audit.CosignatureAdded, data)
	})
	if err != nil {
		return audit.CosignatureData{}, err
	}
	return data, nil
}
