package verify

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"

	"tinnhiem/audit"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check. A check is skipped when an earlier failure makes
// it meaningless (a broken chain has no events to replay) or when the log
// has not reached it yet (no tally before close); only a failure makes a
// bundle invalid.
const (
	StatusOK      Status = "ok"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped"
)

// Check is the outcome of one of the checks of SPEC.md section 10, with its
// title in Vietnamese and English and, when it failed, the first bad entry
// (counted from 1; 0 when no entry is to blame) and what is wrong.
type Check struct {
	ID         string `json:"id"`
	Status     Status `json:"status"`
	Entry      uint64 `json:"entry,omitempty"`
	Vietnamese string `json:"vi"`
	English    string `json:"en"`
	Detail     string `json:"detail,omitempty"`
}

// Cosigner is an inspector whose cosignature of a checkpoint the log
// records and the verifier checked.
type Cosigner struct {
	Name        string `json:"name"`
	Key         string `json:"key"`
	Fingerprint string `json:"fingerprint"`
	Size        uint64 `json:"size"`  // the cosigned checkpoint's size
	Entry       uint64 `json:"entry"` // the CosignatureAdded entry
}

// Report is the outcome of verifying a bundle: every check in the order of
// SPEC.md section 10, and what the inspector needs to compare with paper.
type Report struct {
	Session     string     `json:"session"`
	Fingerprint string     `json:"fingerprint"` // of the key the signatures were checked against
	KeyPinned   bool       `json:"key_pinned"`
	Entries     int        `json:"entries"`
	Head        string     `json:"head,omitempty"` // hash of the last entry, when the chain holds
	Checks      []Check    `json:"checks"`
	Cosigners   []Cosigner `json:"cosigners"`
}

// OK reports whether no check failed.
func (r *Report) OK() bool { return r.FirstFailure() == nil }

// FirstFailure returns the first failed check, or nil.
func (r *Report) FirstFailure() *Check {
	for i := range r.Checks {
		if r.Checks[i].Status == StatusFailed {
			return &r.Checks[i]
		}
	}
	return nil
}

// Check returns the check with the given ID, or nil.
func (r *Report) Check(id string) *Check {
	for i := range r.Checks {
		if r.Checks[i].ID == id {
			return &r.Checks[i]
		}
	}
	return nil
}

// The check IDs of SPEC.md section 10, in the order they run and print.
const (
	CheckBundle             = "bundle"
	CheckKey                = "key"
	CheckChain              = "chain"
	CheckCheckpointSig      = "checkpoint-sig"
	CheckCheckpointLog      = "checkpoint-log"
	CheckEvents             = "events"
	CheckTokens             = "tokens"
	CheckBallots            = "ballots"
	CheckTally              = "tally"
	CheckDocumentHashes     = "document-hashes"
	CheckDocumentSignatures = "document-signatures"
	CheckDocumentsPresent   = "documents-present"
	CheckCosignatures       = "cosignatures"
)

// CheckIDs lists every check ID in order.
var CheckIDs = []string{CheckBundle, CheckKey, CheckChain, CheckCheckpointSig, CheckCheckpointLog, CheckEvents,
	CheckTokens, CheckBallots, CheckTally, CheckDocumentHashes, CheckDocumentSignatures, CheckDocumentsPresent, CheckCosignatures}

var checkTitles = map[string][2]string{
	CheckBundle:             {"Hồ sơ đọc được, mọi tệp khớp danh mục BUNDLE.txt", "bundle readable, every file matches BUNDLE.txt"},
	CheckKey:                {"Khóa ký của hồ sơ", "signing key"},
	CheckChain:              {"Mọi mục nhật ký đúng mã băm và liên kết", "every entry's hash and link"},
	CheckCheckpointSig:      {"Chữ ký của các điểm kiểm tra", "checkpoint signatures"},
	CheckCheckpointLog:      {"Các điểm kiểm tra khớp nhật ký", "checkpoints match the log"},
	CheckEvents:             {"Trình tự sự kiện đúng quy định", "order of events"},
	CheckTokens:             {"Thẻ đã dùng đều được phát hành và không bị thu hồi", "used cards were issued and not revoked"},
	CheckBallots:            {"Số phiếu niêm phong bằng số thẻ đã dùng", "sealed ballots equal used cards"},
	CheckTally:              {"Kết quả kiểm phiếu khớp khi đếm lại", "recounted tally equals TallyComputed"},
	CheckDocumentHashes:     {"SHA-256 của văn bản khớp nhật ký (ReportIssued)", "documents' SHA-256 match ReportIssued"},
	CheckDocumentSignatures: {"Chữ ký tách rời của văn bản", "documents' detached signatures"},
	CheckDocumentsPresent:   {"Có đủ mọi văn bản mà nhật ký nêu", "every document the log names is present"},
	CheckCosignatures:       {"Chữ ký đồng xác nhận của người kiểm tra", "inspectors' cosignatures"},
}

// Options tune Bundle.
type Options struct {
	// Key, if set, is the installation's public key as the inspector knows
	// it from elsewhere (published, printed). Without it the bundle's own
	// key is used, which proves only that the bundle is consistent.
	Key ed25519.PublicKey
	// Progress, if set, hears how many entries have been hashed.
	Progress func(done, total int)
}

// report collects checks as they run.
type report struct {
	*Report
	done map[string]bool
}

func (r *report) add(id string, st Status, entry uint64, detail string) {
	t := checkTitles[id]
	r.Checks = append(r.Checks, Check{ID: id, Status: st, Entry: entry, Vietnamese: t[0], English: t[1], Detail: detail})
	r.done[id] = true
}

func (r *report) ok(id, detail string) { r.add(id, StatusOK, 0, detail) }

func (r *report) fail(id string, err error) {
	var ce *audit.ChainError
	if errors.As(err, &ce) {
		r.add(id, StatusFailed, ce.Seq, ce.Err.Error())
		return
	}
	r.add(id, StatusFailed, 0, err.Error())
}

// skipRest marks every check not yet run as skipped, for why.
func (r *report) skipRest(why string) {
	for _, id := range CheckIDs {
		if !r.done[id] {
			r.add(id, StatusSkipped, 0, why)
		}
	}
}

func newReport() *report { return &report{Report: &Report{}, done: map[string]bool{}} }

// ReadFailure returns the report for a bundle that ReadBundle refused: the
// bundle check fails, or the chain check when a line of the log is not an
// entry, and nothing else can run.
func ReadFailure(err error) *Report {
	r := newReport()
	if err == nil {
		err = errors.New("no reason given")
	}
	var ce *audit.ChainError
	if errors.As(err, &ce) {
		r.ok(CheckBundle, "every file matches the manifest")
		r.fail(CheckChain, err)
	} else {
		r.fail(CheckBundle, err)
	}
	r.skipRest("the bundle could not be read")
	return r.sorted()
}

// sorted orders the checks as CheckIDs does.
func (r *report) sorted() *Report {
	out := make([]Check, 0, len(r.Checks))
	for _, id := range CheckIDs {
		for _, c := range r.Checks {
			if c.ID == id {
				out = append(out, c)
			}
		}
	}
	r.Checks = out
	return r.Report
}

// Bundle runs every check of SPEC.md section 10 on a bundle that
// audit.ReadBundle read, and reports each one. It never stops at the first
// failure when later checks still mean something, so that an inspector sees
// the whole picture; the first bad entry of each failed check is named.
func Bundle(b *audit.Bundle, opts Options) *Report {
	r := newReport()
	r.Session, r.Entries = b.Session, len(b.Entries)
	r.ok(CheckBundle, fmt.Sprintf("%d entries, %d checkpoints, %d documents", len(b.Entries), len(b.Checkpoints), len(b.Documents)))

	bundlePub, err := audit.PublicKeyFromVerifierKey(b.VerifierKey)
	if err != nil {
		r.fail(CheckBundle, err)
		r.skipRest("the bundle's key is malformed")
		return r.sorted()
	}
	verifier, err := note.NewVerifier(b.VerifierKey)
	if err != nil {
		r.fail(CheckBundle, err)
		r.skipRest("the bundle's key is malformed")
		return r.sorted()
	}
	r.Fingerprint = audit.Fingerprint(b.VerifierKey)
	keyOK := true
	switch {
	case opts.Key == nil:
		r.ok(CheckKey, "not pinned: the bundle's own key was used; compare its fingerprint "+r.Fingerprint+" with the one printed on the reports")
	case opts.Key.Equal(bundlePub):
		r.KeyPinned = true
		r.ok(CheckKey, "the bundle's key is the pinned key, fingerprint "+r.Fingerprint)
	default:
		keyOK = false
		r.fail(CheckKey, fmt.Errorf("the bundle's key (fingerprint %s) is not the pinned key", r.Fingerprint))
	}

	chainOK := r.chain(b, opts.Progress)
	cps := r.checkpointSigs(b, verifier, keyOK, chainOK)
	if !chainOK {
		r.skipRest("the chain is broken: nothing after it can be trusted")
		return r.sorted()
	}
	r.checkpointLog(b, cps)
	r.replay(b.Entries)
	r.documents(b, bundlePub, keyOK)
	r.cosignatures(b, verifier)
	return r.sorted()
}

// chain checks every entry's hash and link and that the log is the
// manifest's session, reporting progress as it goes.
func (r *report) chain(b *audit.Bundle, progress func(done, total int)) bool {
	if len(b.Entries) == 0 {
		r.fail(CheckChain, fmt.Errorf("%s holds no entry: the log is empty", audit.BundleLog))
		return false
	}
	var h audit.Head
	for i := range b.Entries {
		e := &b.Entries[i]
		seq := uint64(i) + 1
		err := e.Check()
		if err == nil && e.Session != b.Session {
			err = fmt.Errorf("belongs to session %q, the bundle is of session %q", e.Session, b.Session)
		}
		if err == nil {
			h, err = h.Append(e)
		}
		if err != nil {
			r.fail(CheckChain, &audit.ChainError{Seq: seq, Err: err})
			return false
		}
		if progress != nil && (i%4096 == 0 || i == len(b.Entries)-1) {
			progress(i+1, len(b.Entries))
		}
	}
	r.Head = h.Hash.String()
	r.ok(CheckChain, fmt.Sprintf("%d entries, head %s", h.Size, h.Hash))
	return true
}

// checkpointSigs verifies every checkpoint's signature and returns the
// checkpoints that verified.
func (r *report) checkpointSigs(b *audit.Bundle, v note.Verifier, keyOK, chainOK bool) []audit.Checkpoint {
	if !keyOK {
		r.add(CheckCheckpointSig, StatusSkipped, 0, "the bundle's key is not the pinned key")
		return nil
	}
	var cps []audit.Checkpoint
	for i, msg := range b.Checkpoints {
		c, _, err := audit.OpenCheckpoint(msg, note.VerifierList(v))
		if err != nil {
			r.fail(CheckCheckpointSig, fmt.Errorf("checkpoint file %d: %w", i+1, err))
			return cps
		}
		cps = append(cps, c)
	}
	if len(cps) == 0 && chainOK && hasType(b.Entries, audit.SessionOpened) {
		r.fail(CheckCheckpointSig, errors.New("the vote was opened but checkpoints/ holds no signed checkpoint"))
		return nil
	}
	r.ok(CheckCheckpointSig, fmt.Sprintf("%d checkpoints signed by %s", len(cps), verifierName(v)))
	return cps
}

func verifierName(v note.Verifier) string { return fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash()) }

func hasType(entries []audit.Entry, t audit.Type) bool {
	for i := range entries {
		if entries[i].Type == t {
			return true
		}
	}
	return false
}

// checkpointLog checks that each signed checkpoint names an entry of this
// log: same session, and the log's hash at its size.
func (r *report) checkpointLog(b *audit.Bundle, cps []audit.Checkpoint) {
	if !r.done[CheckCheckpointSig] || r.Check(CheckCheckpointSig).Status != StatusOK {
		r.add(CheckCheckpointLog, StatusSkipped, 0, "the checkpoints' signatures were not verified")
		return
	}
	var covered uint64
	for i, c := range cps {
		switch {
		case c.Session != b.Session:
			r.fail(CheckCheckpointLog, fmt.Errorf("checkpoint file %d (size %d) is of session %q", i+1, c.Size, c.Session))
			return
		case c.Size == 0 || c.Size > uint64(len(b.Entries)):
			r.fail(CheckCheckpointLog, &audit.ChainError{Seq: uint64(len(b.Entries)),
				Err: fmt.Errorf("a signed checkpoint covers %d entries, the log holds %d: entries were removed", c.Size, len(b.Entries))})
			return
		case b.Entries[c.Size-1].Hash != c.Hash:
			r.fail(CheckCheckpointLog, &audit.ChainError{Seq: c.Size,
				Err: fmt.Errorf("the signed checkpoint at %d names head %s, the log has %s: history was rewritten", c.Size, c.Hash, b.Entries[c.Size-1].Hash)})
			return
		}
		covered = max(covered, c.Size)
	}
	r.ok(CheckCheckpointLog, fmt.Sprintf("signed checkpoints cover entries 1–%d of %d", covered, len(b.Entries)))
}

// replay runs ReplayLog and sorts its verdict into the events, tokens and
// ballots checks, then recounts the tally.
func (r *report) replay(entries []audit.Entry) {
	rep, err := ReplayLog(entries)
	if err != nil {
		id := kindOf(err)
		r.fail(id, err)
		var ce *audit.ChainError
		errors.As(err, &ce)
		for _, other := range []string{CheckEvents, CheckTokens, CheckBallots, CheckTally} {
			if other != id {
				r.add(other, StatusSkipped, 0, fmt.Sprintf("the replay stopped at entry %d", ce.Seq))
			}
		}
		return
	}
	r.ok(CheckEvents, fmt.Sprintf("rule set %s, %d members, %d cadres", rep.Session.Rules, len(rep.Members), len(rep.Cadres)))
	r.ok(CheckTokens, fmt.Sprintf("%d cards issued, %d revoked, %d used", len(rep.Issued), len(rep.Revoked), len(rep.Used)))
	if rep.Sealed() {
		r.ok(CheckBallots, fmt.Sprintf("%d sealed ballots, %d used cards", len(rep.Ballots), len(rep.Used)))
	} else {
		r.add(CheckBallots, StatusSkipped, 0, "the vote has not been closed: no ballot is sealed yet")
	}
	if rep.Tally == nil {
		r.add(CheckTally, StatusSkipped, 0, "no tally has been logged yet")
		return
	}
	if err := rep.CheckTally(); err != nil {
		var ce *audit.ChainError
		if !errors.As(err, &ce) {
			err = &audit.ChainError{Seq: rep.TallySeq, Err: err}
		}
		r.fail(CheckTally, err)
		return
	}
	r.ok(CheckTally, fmt.Sprintf("entry %d: %d ballots collected, %d cadres", rep.TallySeq, rep.Tally.Collected, len(rep.Tally.Cadres)))
}

// logged is a document as the latest ReportIssued or DocumentSigned entry
// naming it states.
type logged struct {
	hash audit.Hash
	seq  uint64
}

// documents checks the issued documents against the log and the key.
func (r *report) documents(b *audit.Bundle, pub ed25519.PublicKey, keyOK bool) {
	latest := map[string]logged{}
	var names []string
	for i := range b.Entries {
		e := &b.Entries[i]
		if e.Type == audit.DocumentSigned {
			// A committee member's signature replaces the document:
			// the latest version is the one the bundle must hold.
			var d audit.DocumentSignedData
			if json.Unmarshal(e.Data, &d) == nil {
				if _, ok := latest[d.Name]; ok {
					latest[d.Name] = logged{d.SHA256, e.Seq}
				}
			}
			continue
		}
		if e.Type != audit.ReportIssued {
			continue
		}
		var d audit.ReportIssuedData
		if json.Unmarshal(e.Data, &d) != nil {
			continue // the events check reports malformed data
		}
		for _, doc := range d.Documents {
			if _, ok := latest[doc.Name]; !ok {
				names = append(names, doc.Name)
			}
			latest[doc.Name] = logged{doc.SHA256, e.Seq}
		}
	}
	held := map[string]bool{}
	failed := false
	for _, d := range b.Documents {
		held[d.Name] = true
		l, ok := latest[d.Name]
		switch {
		case !ok && !failed:
			r.fail(CheckDocumentHashes, fmt.Errorf("document %q is not named by any ReportIssued entry", d.Name))
			failed = true
		case ok && audit.Sum(d.Data) != l.hash && !failed:
			r.fail(CheckDocumentHashes, &audit.ChainError{Seq: l.seq,
				Err: fmt.Errorf("document %q has SHA-256 %s, the log names %s", d.Name, audit.Sum(d.Data), l.hash)})
			failed = true
		}
	}
	if !failed {
		r.ok(CheckDocumentHashes, fmt.Sprintf("%d documents", len(b.Documents)))
	}
	switch {
	case !keyOK:
		r.add(CheckDocumentSignatures, StatusSkipped, 0, "the bundle's key is not the pinned key")
	default:
		failed = false
		for _, d := range b.Documents {
			if err := audit.VerifyDetached(pub, d.Data, d.Signature); err != nil {
				r.fail(CheckDocumentSignatures, fmt.Errorf("document %q: %w", d.Name, err))
				failed = true
				break
			}
		}
		if !failed {
			r.ok(CheckDocumentSignatures, fmt.Sprintf("%d signatures", len(b.Documents)))
		}
	}
	for _, n := range names {
		if !held[n] {
			r.fail(CheckDocumentsPresent, &audit.ChainError{Seq: latest[n].seq, Err: fmt.Errorf("document %q is missing from the bundle", n)})
			return
		}
	}
	r.ok(CheckDocumentsPresent, fmt.Sprintf("%d documents named in the log", len(names)))
}
