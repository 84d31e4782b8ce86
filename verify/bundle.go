package verify

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"tinnhiem/audit"
	"tinnhiem/tally"
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
	Entries     int        `json:"entries"`        // of the log, up to the first that breaks the chain
	Head        string     `json:"head,omitempty"` // hash of the last entry, when the chain holds
	Checks      []Check    `json:"checks"`
	Cosigners   []Cosigner `json:"cosigners"`
	// MemberAssets lists the committee's member page asset digests (hex)
	// the log names, in log order, for an inspector to compare with the
	// release (SPEC.md 11.15).
	MemberAssets []string `json:"member_assets,omitempty"`
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
	CheckCheckpointCoverage = "checkpoint-coverage"
	CheckEvents             = "events"
	CheckTokens             = "tokens"
	CheckBallots            = "ballots"
	CheckTally              = "tally"
	CheckDocumentHashes     = "document-hashes"
	CheckDocumentSignatures = "document-signatures"
	CheckDocumentsPresent   = "documents-present"
	CheckDocumentSession    = "document-session"
	CheckResults            = "results"
	CheckCosignatures       = "cosignatures"
)

// CheckIDs lists every check ID in order.
var CheckIDs = []string{CheckBundle, CheckKey, CheckChain, CheckCheckpointSig, CheckCheckpointLog, CheckCheckpointCoverage,
	CheckEvents, CheckCeremony, CheckTokens, CheckBallots, CheckBallotProofs, CheckDecryption, CheckTally, CheckDocumentHashes, CheckDocumentSignatures, CheckDocumentsPresent,
	CheckDocumentSession, CheckResults, CheckCosignatures}

var checkTitles = map[string][2]string{
	CheckBundle:             {"Hồ sơ đọc được, mọi tệp khớp danh mục BUNDLE.txt", "bundle readable, every file matches BUNDLE.txt"},
	CheckKey:                {"Khóa ký của hồ sơ", "signing key"},
	CheckChain:              {"Mọi mục nhật ký đúng mã băm và liên kết", "every entry's hash and link"},
	CheckCheckpointSig:      {"Chữ ký của các điểm kiểm tra", "checkpoint signatures"},
	CheckCheckpointLog:      {"Các điểm kiểm tra khớp nhật ký", "checkpoints match the log"},
	CheckCheckpointCoverage: {"Mọi mục nhật ký đều nằm trong một điểm kiểm tra có chữ ký", "every entry is covered by a signed checkpoint"},
	CheckEvents:             {"Trình tự sự kiện đúng quy định", "order of events"},
	CheckCeremony:           {"Lễ tạo khóa của tổ kiểm phiếu được kiểm lại từ các thông điệp đã ghi", "key ceremony re-qualified from its logged messages"},
	CheckBallotProofs:       {"Mọi phiếu mã hóa có chứng minh và chữ ký của thẻ hợp lệ", "every encrypted ballot's proofs and card signature"},
	CheckDecryption:         {"Tổng mã hóa, các phần giải mã và kết quả giải mã khớp nhau", "encrypted sum, partial decryptions and decrypted tally agree"},
	CheckTokens:             {"Thẻ đã dùng đều được phát hành và không bị thu hồi", "used cards were issued and not revoked"},
	CheckBallots:            {"Số phiếu niêm phong bằng số thẻ đã dùng", "sealed ballots equal used cards"},
	CheckTally:              {"Kết quả kiểm phiếu khớp khi đếm lại", "recounted tally equals TallyComputed"},
	CheckDocumentHashes:     {"SHA-256 của văn bản khớp nhật ký (ReportIssued)", "documents' SHA-256 match ReportIssued"},
	CheckDocumentSignatures: {"Chữ ký tách rời của văn bản", "documents' detached signatures"},
	CheckDocumentsPresent:   {"Có đủ mọi văn bản mà nhật ký nêu", "every document the log names is present"},
	CheckDocumentSession:    {"Mỗi tệp PDF ghi đúng phiên và tên văn bản của nó", "every PDF names this session and its own name"},
	CheckResults:            {"results.csv và results.json ghi đúng kết quả đã ghi (TallyComputed)", "results.csv and results.json state the logged tally"},
	CheckCosignatures:       {"Chữ ký đồng xác nhận của người kiểm tra", "inspectors' cosignatures"},
}

// MaxResultsBytes bounds results.csv and results.json, which the verifier
// reads whole to compare with the logged tally (SPEC.md 9.3); every other
// document is only ever streamed.
const MaxResultsBytes = 8 << 20

// Options tune Bundle and BundleFS.
type Options struct {
	// Key, if set, is the installation's public key as the inspector knows
	// it from elsewhere (published, printed). Without it the bundle's own
	// key is used, which proves only that the bundle is consistent.
	Key ed25519.PublicKey
	// Visit, if set, sees every entry of the log in order as it is read,
	// up to the first that breaks the chain. It must not keep e. What it
	// saw is worth something only if the report is OK: the log's SHA-256
	// against the manifest is known only after its last line.
	Visit func(e *audit.Entry)
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

// ReadFailure returns the report for a bundle that could not be read
// (audit.OpenBundle or audit.ReadBundle refused it, or its log or a
// document did not match the manifest): the bundle check fails, or the
// chain check when a line of the log is not an entry, and nothing else can
// run.
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

// Bundle runs every check of SPEC.md section 10 on a bundle held in
// memory, laid out as it would be written (audit.Bundle.FS), so that it is
// read by the same code as a bundle on disk.
func Bundle(b *audit.Bundle, opts Options) *Report {
	fsys, err := b.FS()
	if err != nil {
		return ReadFailure(&audit.BundleError{Err: err})
	}
	return BundleFS(fsys, opts)
}

// BundleFS reads the bundle in fsys (a directory or a zip archive, see
// audit.OpenBundle) and runs every check of SPEC.md section 10, reporting
// each one. It never stops at the first failure when later checks still
// mean something, so that an inspector sees the whole picture; the first
// bad entry of each failed check is named. It reads the log once, line by
// line, and each document twice as a stream (hashed on opening, then its
// signature and contents), and keeps only what the checks must remember: a
// hash per entry, the cards issued, the roster and cadres, the counts. Its
// memory therefore does not grow with the size of the documents or of the
// ballots, and a zip bomb is refused by the limits of audit.OpenBundle.
func BundleFS(fsys fs.FS, opts Options) *Report {
	b, err := audit.OpenBundle(fsys)
	if err != nil {
		return ReadFailure(err)
	}
	r := newReport()
	r.Session = b.Session
	bundlePub, err := audit.PublicKeyFromVerifierKey(b.VerifierKey)
	if err != nil {
		return ReadFailure(&audit.BundleError{File: audit.BundleManifest, Err: err})
	}
	verifier, err := note.NewVerifier(b.VerifierKey)
	if err != nil {
		return ReadFailure(&audit.BundleError{File: audit.BundleManifest, Err: err})
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
	cps := r.checkpointSigs(b.Checkpoints, verifier, keyOK)

	s := &scan{session: b.Session, server: verifier, keyOK: keyOK, replay: newReplay(false), latest: map[string]logged{}}
	for e, err := range b.Entries() {
		if err != nil {
			break // LogError has it
		}
		if !s.entry(e) {
			// The chain is broken: nothing after it counts, and the rest
			// of the log is only hashed.
			break
		}
		if opts.Visit != nil {
			opts.Visit(e)
		}
	}
	var be *audit.BundleError
	switch err := b.LogError(); {
	case errors.As(err, &be):
		// The log differs from the manifest, or could not be read:
		// nothing read from it counts.
		return ReadFailure(err)
	case err != nil && s.chainErr == nil:
		s.chainErr = err
	}
	r.Entries = len(s.hashes)
	r.ok(CheckBundle, fmt.Sprintf("every file matches the manifest: the log, %d checkpoints, %d documents", len(b.Checkpoints), len(b.Documents)))
	if !r.chain(s) {
		r.skipRest("the chain is broken: nothing after it can be trusted")
		return r.sorted()
	}
	r.checkpointLog(s, cps)
	r.replayed(s)
	if err := r.documents(b, s, bundlePub, keyOK); err != nil {
		// A document changed since OpenBundle hashed it.
		return ReadFailure(err)
	}
	r.cosignatures(s)
	return r.sorted()
}

// scan is what the checks remember of a log read once, entry by entry.
type scan struct {
	session string
	server  note.Verifier
	keyOK   bool

	head     audit.Head
	hashes   []audit.Hash // of every entry of the unbroken chain, in order
	chainErr error        // the first entry that breaks the chain

	replay    *Replay
	replayErr error // the first event that breaks the rules of a vote

	// The documents the ReportIssued entries name, each with the latest
	// entry naming it; more names than a bundle can hold are not kept.
	latest   map[string]logged
	names    []string
	tooMany  uint64 // the first ReportIssued entry whose names were not kept
	cosigErr error
	cosign   []Cosigner
}

// entry feeds one entry to every check that reads the log and reports
// whether the chain still holds.
func (s *scan) entry(e *audit.Entry) bool {
	head, err := s.head.Extend(e, s.session)
	if err != nil {
		s.chainErr = err
		return false
	}
	s.head = head
	// The cosignature names an earlier entry: check it before this one's
	// hash joins the list.
	if e.Type == audit.CosignatureAdded && s.keyOK && s.cosigErr == nil {
		c, err := cosignature(e, s.server, s.session, s.hashes)
		if err != nil {
			s.cosigErr = &audit.ChainError{Seq: e.Seq, Err: err}
		} else {
			s.cosign = append(s.cosign, c)
		}
	}
	s.hashes = append(s.hashes, e.Hash)
	if s.replayErr == nil {
		s.replayErr = s.replay.step(e)
	}
	switch e.Type {
	case audit.ReportIssued:
		s.reportIssued(e)
	case audit.DocumentSigned:
		s.documentSigned(e)
	}
	return true
}

// reportIssued notes the documents a ReportIssued entry names. Malformed
// data is for the events check to report.
func (s *scan) reportIssued(e *audit.Entry) {
	var d audit.ReportIssuedData
	if json.Unmarshal(e.Data, &d) != nil {
		return
	}
	for _, doc := range d.Documents {
		if _, ok := s.latest[doc.Name]; !ok {
			if len(s.names) >= audit.MaxBundleFiles || len(doc.Name) > 200 {
				if s.tooMany == 0 {
					s.tooMany = e.Seq
				}
				continue
			}
			s.names = append(s.names, doc.Name)
		}
		s.latest[doc.Name] = logged{doc.SHA256, e.Seq}
	}
}

// documentSigned notes a committee member's signature on a document: it
// replaces the document, so the latest version is the one the bundle must
// hold. Malformed data is for the events check to report.
func (s *scan) documentSigned(e *audit.Entry) {
	var d audit.DocumentSignedData
	if json.Unmarshal(e.Data, &d) != nil {
		return
	}
	if _, ok := s.latest[d.Name]; ok {
		s.latest[d.Name] = logged{d.SHA256, e.Seq}
	}
}

// chain reports the chain check: every entry's hash and link, and that
// the log is the manifest's session.
func (r *report) chain(s *scan) bool {
	switch {
	case s.chainErr != nil:
		r.fail(CheckChain, s.chainErr)
		return false
	case len(s.hashes) == 0:
		r.fail(CheckChain, fmt.Errorf("%s holds no entry: the log is empty", audit.BundleLog))
		return false
	}
	r.Head = s.head.Hash.String()
	r.ok(CheckChain, fmt.Sprintf("%d entries, head %s", s.head.Size, s.head.Hash))
	return true
}

// checkpointSigs verifies every checkpoint's signature and returns the
// checkpoints that verified.
func (r *report) checkpointSigs(notes [][]byte, v note.Verifier, keyOK bool) []audit.Checkpoint {
	if !keyOK {
		r.add(CheckCheckpointSig, StatusSkipped, 0, "the bundle's key is not the pinned key")
		return nil
	}
	var cps []audit.Checkpoint
	for i, msg := range notes {
		c, _, err := audit.OpenCheckpoint(msg, note.VerifierList(v))
		if err != nil {
			r.fail(CheckCheckpointSig, fmt.Errorf("checkpoint file %d: %w", i+1, err))
			return cps
		}
		cps = append(cps, c)
	}
	r.ok(CheckCheckpointSig, fmt.Sprintf("%d checkpoints signed by %s", len(cps), verifierName(v)))
	return cps
}

func verifierName(v note.Verifier) string { return fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash()) }

// checkpointLog checks that each signed checkpoint names an entry of this
// log (same session, and the log's hash at its size), then that they
// cover every entry: an entry after the last signed checkpoint is one
// that whoever relayed the bundle may have appended.
func (r *report) checkpointLog(s *scan, cps []audit.Checkpoint) {
	if !r.done[CheckCheckpointSig] || r.Check(CheckCheckpointSig).Status != StatusOK {
		r.add(CheckCheckpointLog, StatusSkipped, 0, "the checkpoints' signatures were not verified")
		r.add(CheckCheckpointCoverage, StatusSkipped, 0, "the checkpoints' signatures were not verified")
		return
	}
	n := uint64(len(s.hashes))
	var covered uint64
	for i, c := range cps {
		var err error
		if c.Session != s.session {
			err = fmt.Errorf("checkpoint file %d (size %d) is of session %q", i+1, c.Size, c.Session)
		} else {
			err = audit.CheckCheckpoint(c, s.session, s.hashes)
		}
		if err != nil {
			r.fail(CheckCheckpointLog, err)
			r.add(CheckCheckpointCoverage, StatusSkipped, 0, "a signed checkpoint does not match the log")
			return
		}
		covered = max(covered, c.Size)
	}
	r.ok(CheckCheckpointLog, fmt.Sprintf("%d signed checkpoints, all on this log", len(cps)))
	if covered < n {
		what := fmt.Sprintf("entries %d–%d are", covered+1, n)
		if covered+1 == n {
			what = fmt.Sprintf("entry %d is", n)
		}
		r.fail(CheckCheckpointCoverage, &audit.ChainError{Seq: covered + 1,
			Err: fmt.Errorf("%s covered by no signed checkpoint: the log's tail is unsigned, and anyone could have appended it", what)})
		return
	}
	r.ok(CheckCheckpointCoverage, fmt.Sprintf("signed checkpoints cover entries 1–%d", n))
}

// replayed sorts the replay's verdict into the events, tokens and ballots
// checks, then compares the recount with the logged tally.
func (r *report) replayed(s *scan) {
	rep, err := s.replay, s.replayErr
	if err == nil {
		err = rep.finish()
	}
	if err != nil {
		id := kindOf(err)
		r.fail(id, err)
		var ce *audit.ChainError
		errors.As(err, &ce)
		for _, other := range []string{CheckEvents, CheckCeremony, CheckTokens, CheckBallots, CheckBallotProofs, CheckDecryption, CheckTally} {
			if other != id {
				r.add(other, StatusSkipped, 0, fmt.Sprintf("the replay stopped at entry %d", ce.Seq))
			}
		}
		return
	}
	r.ok(CheckEvents, fmt.Sprintf("rule set %s, %d members, %d cadres", rep.Session.Rules, len(rep.Members), len(rep.Cadres)))
	r.encryptedChecks(rep)
	r.ok(CheckTokens, fmt.Sprintf("%d cards issued, %d revoked, %d used", len(rep.Issued), len(rep.Revoked), rep.UsedCards()))
	if rep.Sealed() {
		r.ok(CheckBallots, fmt.Sprintf("%d sealed ballots, %d used cards", rep.SealedBallots(), rep.UsedCards()))
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

// encryptedChecks reports the key-ceremony, ballot-proofs and decryption
// checks of a replay that ran to its end: OK with what was checked, or
// skipped with the reason (a clear session, or a stage not reached yet).
func (r *report) encryptedChecks(rep *Replay) {
	if !rep.Encrypted() {
		for _, id := range []string{CheckCeremony, CheckBallotProofs, CheckDecryption} {
			r.add(id, StatusSkipped, 0, "a clear session: its ballots are marks, not encrypted (SPEC.md 11 does not apply)")
		}
		return
	}
	r.MemberAssets = rep.MemberAssets
	if rep.Ceremony == nil {
		r.add(CheckCeremony, StatusSkipped, 0, "the key ceremony has not completed yet")
	} else {
		r.ok(CheckCeremony, fmt.Sprintf("%d trustees, %d qualified, threshold %d", rep.Ceremony.N, len(rep.Ceremony.Qualified), rep.Ceremony.T))
	}
	if !rep.Sealed() {
		r.add(CheckBallotProofs, StatusSkipped, 0, "the vote has not been closed: no encrypted ballot is sealed yet")
		r.add(CheckDecryption, StatusSkipped, 0, "the vote has not been closed: there is no encrypted tally yet")
		return
	}
	if n := rep.ProofsVerified(); n == rep.SealedBallots() {
		detail := fmt.Sprintf("%d ballots, every proof and signature checked", n)
		if p := rep.Proceedings; p.PaperIssued > 0 {
			// The minutes state these two numbers (SPEC.md 11.5.2).
			detail += fmt.Sprintf("; phone ballots: %d, paper ballots: %d (of %d printed)", n-p.PaperBallots, p.PaperBallots, p.PaperIssued)
		}
		r.ok(CheckBallotProofs, detail)
	} else {
		// Only LogOptions.SkipBallotProofs leaves proofs out, which a
		// bundle's verification never sets: say so rather than pass.
		r.add(CheckBallotProofs, StatusSkipped, 0, fmt.Sprintf("%d ballots, signatures checked, proofs of %d", rep.SealedBallots(), n))
	}
	if rep.Decrypted == nil {
		r.add(CheckDecryption, StatusSkipped, 0, fmt.Sprintf("EncryptedTally is the sum of the %d sealed ballots; no decrypted tally has been logged yet", rep.SealedBallots()))
		return
	}
	detail := fmt.Sprintf("EncryptedTally is the sum of the %d sealed ballots; trustees %s combined", rep.SealedBallots(), listInts(rep.Decrypted.Trustees))
	if bad := rep.BadPartials(); len(bad) == 1 {
		detail += fmt.Sprintf("; trustee %d's partial does not verify and was left out", bad[0])
	} else if len(bad) > 1 {
		detail += fmt.Sprintf("; the partials of trustees %s do not verify and were left out", listInts(bad))
	}
	r.ok(CheckDecryption, detail)
}

// listInts writes 1, 2 and 3 as "1, 2 and 3".
func listInts(xs []int) string {
	var b strings.Builder
	for i, x := range xs {
		switch {
		case i == 0:
		case i == len(xs)-1:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		fmt.Fprint(&b, x)
	}
	return b.String()
}

// logged is a document as the latest ReportIssued or DocumentSigned entry
// naming it states.
type logged struct {
	hash audit.Hash
	seq  uint64
}

// documents checks the issued documents against the log, the key, this
// session and the logged tally, reading each document once more as a
// stream. It returns the bundle's error if a document changed since it was
// hashed, or could no longer be read.
func (r *report) documents(b *audit.BundleReader, s *scan, pub ed25519.PublicKey, keyOK bool) error {
	held := map[string]bool{}
	var hashErr error
	for _, d := range b.Documents {
		held[d.Name] = true
		l, ok := s.latest[d.Name]
		switch {
		case hashErr != nil:
		case !ok:
			hashErr = fmt.Errorf("document %q is not named by any ReportIssued entry", d.Name)
		case d.SHA256 != l.hash:
			hashErr = &audit.ChainError{Seq: l.seq, Err: fmt.Errorf("document %q has SHA-256 %s, the log names %s", d.Name, d.SHA256, l.hash)}
		}
	}
	if hashErr != nil {
		r.fail(CheckDocumentHashes, hashErr)
	} else {
		r.ok(CheckDocumentHashes, fmt.Sprintf("%d documents", len(b.Documents)))
	}

	// Only a document the log names with its hash is this session's
	// document to judge further; one that is not already failed above.
	var sigErr, sessErr, resErr error
	pdfs, results := 0, 0
	tallyOK := r.done[CheckTally] && r.Check(CheckTally).Status == StatusOK
	for _, d := range b.Documents {
		l, named := s.latest[d.Name]
		named = named && l.hash == d.SHA256
		c, err := readDocument(b, d, pub, keyOK && sigErr == nil, named, s.session, tallyOK && named)
		if err != nil {
			return err
		}
		if c.sigErr != nil && sigErr == nil {
			sigErr = fmt.Errorf("document %q: %w", d.Name, c.sigErr)
		}
		if c.isPDF {
			pdfs++
			if c.sessErr != nil && sessErr == nil {
				sessErr = &audit.ChainError{Seq: l.seq, Err: fmt.Errorf("document %q %w", d.Name, c.sessErr)}
			}
		}
		if c.name != "" {
			results++
			if resErr == nil {
				if err := c.compare(*s.replay.Tally); err != nil {
					resErr = &audit.ChainError{Seq: l.seq, Err: fmt.Errorf("%s does not state the logged tally (entry %d): %w", d.Name, s.replay.TallySeq, err)}
				}
			}
		}
	}
	switch {
	case !keyOK:
		r.add(CheckDocumentSignatures, StatusSkipped, 0, "the bundle's key is not the pinned key")
	case sigErr != nil:
		r.fail(CheckDocumentSignatures, sigErr)
	default:
		r.ok(CheckDocumentSignatures, fmt.Sprintf("%d signatures", len(b.Documents)))
	}
	switch {
	case s.tooMany != 0:
		r.fail(CheckDocumentsPresent, &audit.ChainError{Seq: s.tooMany, Err: fmt.Errorf("the log names more documents than a bundle can hold (%d)", audit.MaxBundleFiles)})
	default:
		missing := false
		for _, n := range s.names {
			if !held[n] {
				r.fail(CheckDocumentsPresent, &audit.ChainError{Seq: s.latest[n].seq, Err: fmt.Errorf("document %q is missing from the bundle", n)})
				missing = true
				break
			}
		}
		if !missing {
			r.ok(CheckDocumentsPresent, fmt.Sprintf("%d documents named in the log", len(s.names)))
		}
	}
	if sessErr != nil {
		r.fail(CheckDocumentSession, sessErr)
	} else {
		r.ok(CheckDocumentSession, fmt.Sprintf("PDF files naming session %s and themselves: %d", s.session, pdfs))
	}
	switch {
	case resErr != nil:
		r.fail(CheckResults, resErr)
	case !tallyOK:
		r.add(CheckResults, StatusSkipped, 0, "no logged tally that recounts to compare with")
	default:
		r.ok(CheckResults, fmt.Sprintf("results files stating the tally of entry %d: %d", s.replay.TallySeq, results))
	}
	return nil
}

// contents is what reading one document found.
type contents struct {
	sigErr  error // the detached signature does not verify
	isPDF   bool
	sessErr error  // the PDF does not name this session and itself
	name    string // results.csv or results.json, when asked to compare it
	results []byte // the whole file, unless tooBig
	tooBig  bool
}

func (c contents) compare(t tally.Result) error {
	switch {
	case c.tooBig:
		return fmt.Errorf("it is larger than %d bytes", MaxResultsBytes)
	case c.name == audit.ResultsCSVDocument:
		return tally.CheckCSV(c.results, t)
	default:
		return tally.CheckJSON(c.results, t)
	}
}

// readDocument reads d once as a stream: its detached signature (when
// sign), whether a PDF names session and d (when named), and the whole
// bytes of a results file (when results). The error is the bundle's: the
// document changed since it was hashed.
func readDocument(b *audit.BundleReader, d audit.DocumentFile, pub ed25519.PublicKey, sign, named bool, session string, results bool) (contents, error) {
	c := contents{isPDF: strings.HasSuffix(d.Name, ".pdf") && named}
	if !sign && !c.isPDF && !(results && isResults(d.Name)) {
		return c, nil
	}
	f, err := b.OpenDocument(d.Name)
	if err != nil {
		return c, err
	}
	defer f.Close()
	var sinks []io.Writer
	var kw *keywordScanner
	if c.isPDF {
		kw = newKeywordScanner(audit.PDFKeywordsPrefix, audit.PDFKeywords(session, d.Name))
		sinks = append(sinks, kw)
	}
	var buf bytes.Buffer
	if results && isResults(d.Name) {
		c.name = d.Name
		if d.Size > MaxResultsBytes {
			c.tooBig = true
		} else {
			buf.Grow(int(d.Size))
			sinks = append(sinks, &buf)
		}
	}
	in := io.TeeReader(f, io.MultiWriter(sinks...))
	if sign {
		c.sigErr = audit.VerifyDetachedReader(pub, in, d.Signature)
	}
	// Whatever the signature check left unread still feeds the others.
	if _, err := io.Copy(io.Discard, in); err != nil {
		return c, err
	}
	var be *audit.BundleError
	if errors.As(c.sigErr, &be) {
		return c, c.sigErr
	}
	if kw != nil {
		c.sessErr = kw.verdict(session, d.Name)
	}
	c.results = buf.Bytes()
	return c, nil
}

func isResults(name string) bool {
	return name == audit.ResultsCSVDocument || name == audit.ResultsJSONDocument
}

// cosignatures reports the cosignatures checked as the log was read.
func (r *report) cosignatures(s *scan) {
	if r.Check(CheckKey).Status != StatusOK {
		r.add(CheckCosignatures, StatusSkipped, 0, "the bundle's key is not the pinned key")
		return
	}
	r.Cosigners = s.cosign
	if s.cosigErr != nil {
		r.fail(CheckCosignatures, s.cosigErr)
		return
	}
	if len(r.Cosigners) == 0 {
		r.ok(CheckCosignatures, "no cosignature was recorded")
		return
	}
	r.ok(CheckCosignatures, fmt.Sprintf("%d cosignatures", len(r.Cosigners)))
}
