package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/tally"
	"tinnhiem/verify"
)

// Names of the data files issued with the PDFs.
const (
	ResultsCSVName  = audit.ResultsCSVDocument
	ResultsJSONName = audit.ResultsJSONDocument
	// PublicKeyName is the file name under which the installation's
	// signify public key is exported; detached signatures name it in their
	// comment line, as signify does.
	PublicKeyName = "tinnhiem.pub"
)

// Issued is the outcome of Issue: the documents, each with its detached
// signature, as stored in the database and recorded in the audit log.
type Issued struct {
	// Counted is true when this call computed and logged the tally, false
	// when the tally was already logged and the documents were re-rendered
	// from it.
	Counted bool
	// TallySeq is the number of the TallyComputed entry.
	TallySeq uint64
	// Result is the logged tally the documents show.
	Result tally.Result
	// Checkpoint is the signed note printed on every PDF.
	Checkpoint string
	// Fingerprint is the installation key's fingerprint.
	Fingerprint string
	// Documents are the per-cadre reports in ballot order, the minutes,
	// results.csv and results.json; Data is final (PDFs carry their
	// embedded signature) and Signature is the signify file of Data.
	Documents []ballot.Document
}

// Issue tallies a closed session exactly once and issues its documents.
//
// It verifies the session's chain and replays it (verify.ReplayLog). If no
// tally is logged yet, it requires the counting committee, counts the sealed
// ballots and logs the result as a TallyComputed entry with a signed
// checkpoint, in a transaction that also moves the session from closed to
// tallied, so that of two concurrent calls only one can log a tally. It then
// renders every document from the logged result — never from a fresh count,
// so a second call re-renders the same figures — signs each PDF with s,
// signs every file with the installation key (signify format), and stores
// them with a ReportIssued entry listing their SHA-256, followed by a signed
// checkpoint, in one transaction. Before close it fails and changes nothing.
func Issue(ctx context.Context, svc *ballot.Service, session, actor string, s Signer) (*Issued, error) {
	if s == nil {
		return nil, errors.New("failed to issue reports: no PDF signer")
	}
	replay, cps, err := replaySession(ctx, svc, session)
	if err != nil {
		return nil, err
	}
	out := &Issued{}
	if replay.Tally == nil {
		if !replay.Sealed() {
			return nil, &ballot.Error{Code: ballot.ELocked, Key: "session_not_closed",
				Message:    "the vote is not closed: close the session first",
				Vietnamese: "Phiên bỏ phiếu chưa đóng: hãy đóng phiên trước khi kiểm phiếu.",
				Hint:       "tinnhiem session close --db FILE --session " + session}
		}
		if len(replay.Committee) == 0 {
			return nil, &ballot.Error{Code: ballot.ELocked, Key: "no_committee",
				Message:    "the counting committee is not named",
				Vietnamese: "Chưa có danh sách Ban kiểm phiếu.",
				Hint:       "tinnhiem session committee --db FILE --session " + session + " --member \"Full Name\" …"}
		}
		res, err := replay.Count()
		if err != nil {
			return nil, fmt.Errorf("failed to count: %w", err)
		}
		err = svc.Record(ctx, actor, session, audit.TallyComputed, res, func(sess *ballot.Session, tx ballot.Tx) error {
			if sess.State != ballot.Closed {
				if sess.State == ballot.Tallied {
					return &ballot.Error{Code: ballot.EConflict, Key: "session_tallied", Message: "the session was tallied meanwhile; run the command again to re-issue the reports"}
				}
				return &ballot.Error{Code: ballot.ELocked, Key: "session_not_closed", Message: "the vote is not closed: close the session first"}
			}
			sess.State = ballot.Tallied
			return tx.UpdateSession(sess)
		})
		if err != nil {
			return nil, err
		}
		out.Counted = true
		if replay, cps, err = replaySession(ctx, svc, session); err != nil {
			return nil, err
		}
		if replay.Tally == nil {
			return nil, errors.New("failed to read back the logged tally")
		}
	}
	// A logged tally that the sealed ballots do not count to is never
	// printed: that is tampering, and the verifier would say so too.
	if err := replay.CheckTally(); err != nil {
		return nil, fmt.Errorf("refusing to issue reports: %w", err)
	}
	src := &Source{
		Session:     replay.Session,
		Committee:   replay.Committee,
		Result:      *replay.Tally,
		Fingerprint: svc.Key().Fingerprint(),
	}
	if replay.Opened != nil {
		src.Opened = *replay.Opened
	}
	for _, cp := range cps {
		if cp.Size == replay.TallySeq {
			src.Checkpoint = string(cp.Note)
		}
	}
	if src.Checkpoint == "" {
		return nil, fmt.Errorf("failed to issue reports: no signed checkpoint at the tally entry %d", replay.TallySeq)
	}
	docs, err := Render(src, s, svc.Key())
	if err != nil {
		return nil, err
	}
	list := make([]audit.ReportDocument, len(docs))
	for i, d := range docs {
		list[i] = audit.ReportDocument{Name: d.Name, SHA256: audit.Sum(d.Data)}
	}
	err = svc.Record(ctx, actor, session, audit.ReportIssued, audit.ReportIssuedData{Documents: list}, func(sess *ballot.Session, tx ballot.Tx) error {
		if sess.State != ballot.Tallied {
			return &ballot.Error{Code: ballot.ELocked, Key: "session_not_tallied", Message: "the session has not been tallied"}
		}
		for _, d := range docs {
			if err := tx.PutDocument(session, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.TallySeq, out.Result, out.Checkpoint, out.Fingerprint, out.Documents = replay.TallySeq, src.Result, src.Checkpoint, src.Fingerprint, docs
	return out, nil
}

// replaySession reads, verifies and replays a session's log.
func replaySession(ctx context.Context, svc *ballot.Service, session string) (*verify.Replay, []ballot.StoredCheckpoint, error) {
	entries, cps, err := svc.Log(ctx, session)
	if err != nil {
		return nil, nil, err
	}
	if _, err := audit.VerifyChain(entries); err != nil {
		return nil, nil, fmt.Errorf("refusing to tally a broken audit log: %w", err)
	}
	replay, err := verify.ReplayLog(entries)
	if err != nil {
		return nil, nil, fmt.Errorf("refusing to tally: %w", err)
	}
	return replay, cps, nil
}

// Render produces every document of src: one report per cadre in ballot
// order, the minutes, results.csv and results.json. Each PDF is signed by s;
// every file gets a detached signify signature by key. It is what Issue
// stores; it writes nothing anywhere.
func Render(src *Source, s Signer, key *audit.Key) ([]ballot.Document, error) {
	var docs []ballot.Document
	add := func(name string, data []byte, isPDF bool) error {
		if isPDF {
			signed, err := s.SignPDF(data)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			data = signed
		}
		docs = append(docs, ballot.Document{Name: name, Data: data, Signature: key.SignDetached(data, PublicKeyName)})
		return nil
	}
	var b bytes.Buffer
	for i, cr := range src.Result.Cadres {
		b.Reset()
		if err := WriteCadreReport(&b, src, i); err != nil {
			return nil, err
		}
		if err := add(CadreReportName(cr.Cadre.ID), bytes.Clone(b.Bytes()), true); err != nil {
			return nil, err
		}
	}
	b.Reset()
	if err := WriteMinutes(&b, src); err != nil {
		return nil, err
	}
	if err := add(MinutesName, bytes.Clone(b.Bytes()), true); err != nil {
		return nil, err
	}
	b.Reset()
	if err := tally.WriteCSV(&b, src.Result); err != nil {
		return nil, err
	}
	if err := add(ResultsCSVName, bytes.Clone(b.Bytes()), false); err != nil {
		return nil, err
	}
	b.Reset()
	if err := tally.WriteJSON(&b, src.Result); err != nil {
		return nil, err
	}
	if err := add(ResultsJSONName, bytes.Clone(b.Bytes()), false); err != nil {
		return nil, err
	}
	return docs, nil
}
