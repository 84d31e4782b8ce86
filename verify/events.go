package verify

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

func decodeStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	return nil
}

func (r *Replay) rosterSet(e *audit.Entry) error {
	var d audit.RosterSetData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if len(d.Members) == 0 {
		return errors.New("the roster is empty")
	}
	seen := make(map[string]bool, len(d.Members))
	for _, m := range d.Members {
		if !nonEmpty(m.Name) || seen[m.Name] {
			return fmt.Errorf("the roster has an empty or repeated name %q", m.Name)
		}
		seen[m.Name] = true
	}
	r.Members, r.roster, r.Present = d.Members, seen, map[string]bool{}
	return nil
}

func (r *Replay) cadresSet(e *audit.Entry) error {
	var d audit.CadresSetData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if len(d.Cadres) == 0 {
		return errors.New("the list of cadres is empty")
	}
	seen := map[string]bool{}
	for i, c := range d.Cadres {
		if want := fmt.Sprintf("c%d", i+1); c.ID != want {
			return fmt.Errorf("cadre %d has ID %q, want %q", i+1, c.ID, want)
		}
		if !nonEmpty(c.Name) || !nonEmpty(c.Position) || seen[personKey(c)] {
			return fmt.Errorf("cadre %q (%q) is empty or repeated", c.Name, c.Position)
		}
		seen[personKey(c)] = true
	}
	r.Cadres = d.Cadres
	return nil
}

func (r *Replay) committeeSet(e *audit.Entry) error {
	var d audit.CommitteeSetData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if len(d.Members) == 0 {
		return errors.New("the counting committee is empty")
	}
	if d.Head != "" && !slices.Contains(d.Members, d.Head) {
		return fmt.Errorf("the head of the counting committee %q is not one of its members", d.Head)
	}
	if r.box != nil && !slices.Equal(d.Members, r.Committee) {
		return ceremonyErr(errors.New("the counting committee changed after its key ceremony started: it numbers the trustees"))
	}
	r.Committee = d.Members
	r.Proceedings.Head, r.Proceedings.Chair, r.Proceedings.Secretary = d.Head, d.Chair, d.Secretary
	return nil
}

func (r *Replay) checkedIn(e *audit.Entry) error {
	var d audit.CheckedInData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	for _, n := range d.Members {
		if !r.roster[n] {
			return fmt.Errorf("%q checked in but is not on the roster", n)
		}
		if r.phase == phaseOpen && !r.Present[n] {
			r.Proceedings.Arrived = append(r.Proceedings.Arrived, n)
		}
		r.Present[n] = true
	}
	if d.Present != len(r.Present) || d.Summoned != len(r.Members) {
		return fmt.Errorf("CheckedIn says %d of %d present, the log says %d of %d", d.Present, d.Summoned, len(r.Present), len(r.Members))
	}
	return nil
}

func (r *Replay) checkedOut(e *audit.Entry) error {
	var d audit.CheckedInData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if len(d.Members) == 0 {
		return errors.New("CheckedOut names no member")
	}
	for _, n := range d.Members {
		if !r.Present[n] {
			return fmt.Errorf("%q checked out but was not present", n)
		}
		delete(r.Present, n)
		if r.phase == phaseOpen {
			r.Proceedings.Left = append(r.Proceedings.Left, n)
		}
	}
	if d.Present != len(r.Present) || d.Summoned != len(r.Members) {
		return fmt.Errorf("CheckedOut says %d of %d present, the log says %d of %d", d.Present, d.Summoned, len(r.Present), len(r.Members))
	}
	return nil
}

func (r *Replay) tokensIssued(e *audit.Entry) error {
	var d audit.TokensData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if len(d.Hashes) == 0 {
		return errors.New("TokensIssued lists no card")
	}
	if d.Paper && !r.Encrypted() {
		return errors.New("paper ballots issued in a session without the encrypted ballot box")
	}
	for i, h := range d.Hashes {
		if i > 0 && compareHash(d.Hashes[i-1], h) >= 0 {
			return errors.New("issued token hashes are not in ascending order")
		}
		if r.Issued[h] {
			return fmt.Errorf("token %s… was issued twice", h.String()[:12])
		}
		r.Issued[h] = true
		if d.Paper {
			r.Paper[h] = true
		}
	}
	r.Proceedings.CardsIssued += len(d.Hashes)
	if d.Paper {
		r.Proceedings.PaperIssued += len(d.Hashes)
	}
	return nil
}

func (r *Replay) tokenRevoked(e *audit.Entry) error {
	var d audit.TokenRevokedData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if !r.Issued[d.Hash] {
		return fmt.Errorf("revoked token %s… was never issued", d.Hash.String()[:12])
	}
	if r.Revoked[d.Hash] {
		return fmt.Errorf("token %s… was revoked twice", d.Hash.String()[:12])
	}
	r.Revoked[d.Hash] = true
	r.Proceedings.Revocations = append(r.Proceedings.Revocations, d.Reason)
	if r.phase == phaseOpen {
		r.Proceedings.RevokedDuringVote++
	}
	return nil
}

func (r *Replay) sessionOpened(e *audit.Entry) error {
	var d audit.SessionOpenedData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	switch {
	case len(r.Members) == 0 || len(r.Cadres) == 0 || r.ValidIssued() == 0:
		return errors.New("the vote opened without a roster, cadres or cards")
	case d.Summoned != len(r.Members) || d.Present != len(r.Present) || d.Issued != r.ValidIssued():
		return fmt.Errorf("SessionOpened says %d summoned, %d present, %d cards; the log says %d, %d, %d",
			d.Summoned, d.Present, d.Issued, len(r.Members), len(r.Present), r.ValidIssued())
	case d.QuorumMet != (3*d.Present >= 2*d.Summoned):
		return errors.New("SessionOpened misstates whether two thirds were present")
	case d.Override == d.QuorumMet:
		return errors.New("the quorum override must be recorded exactly when the quorum was not met")
	case d.Override && !nonEmpty(d.Reason):
		return errors.New("the quorum was overridden without a reason")
	}
	if r.Encrypted() {
		if err := r.openEncrypted(); err != nil {
			return err
		}
	}
	t, err := entryTime(e)
	if err != nil {
		return err
	}
	r.Opened, r.OpenedSeq, r.phase = &d, e.Seq, phaseOpen
	r.Proceedings.OpenedAt = t
	return nil
}

func (r *Replay) sessionClosed(e *audit.Entry) error {
	var d audit.SessionClosedData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if d.Issued != r.ValidIssued() {
		return fmt.Errorf("SessionClosed says %d cards issued, the log says %d", d.Issued, r.ValidIssued())
	}
	t, err := entryTime(e)
	if err != nil {
		return err
	}
	cadres := make([]tally.Cadre, len(r.Cadres))
	for i, c := range r.Cadres {
		cadres[i] = tally.Cadre{ID: c.ID, Name: c.Name, Position: c.Position}
	}
	counter, err := tally.NewCounter(tally.Rules(r.Session.Rules), cadres)
	if err != nil {
		return err
	}
	r.Closed, r.ClosedSeq, r.phase, r.counter = &d, e.Seq, phaseSealing, counter
	if r.Encrypted() {
		if err := r.closeEncrypted(); err != nil {
			return err
		}
	}
	r.Proceedings.ClosedAt, r.Proceedings.PresentAtClose = t, len(r.Present)
	return nil
}

func (r *Replay) ballot(e *audit.Entry) error {
	if r.Encrypted() {
		return errors.New("a ballot in clear in an encrypted session")
	}
	var d audit.BallotData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if len(d.ID) != 32 || !isLowerHex(d.ID) {
		return fmt.Errorf("ballot ID %q is not 32 lowercase hex digits", d.ID)
	}
	if err := tally.CheckBallotUnder(tally.Rules(r.Session.Rules), d.Marks, len(r.Cadres)); err != nil {
		return fmt.Errorf("ballot %s", err)
	}
	h := audit.BallotHash(d)
	if r.counter.Ballots() > 0 && compareHash(r.lastBallot, h) >= 0 {
		return errors.New("sealed ballots are not in ascending order of ballot hash (or one is repeated)")
	}
	if err := r.counter.Add(d.Marks); err != nil {
		return fmt.Errorf("ballot %s", err)
	}
	r.lastBallot = h
	if r.keep {
		r.Ballots = append(r.Ballots, d)
	}
	return nil
}

func (r *Replay) ballotsSealed(e *audit.Entry) error {
	var d audit.BallotsSealedData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if r.Encrypted() {
		if err := r.sealEncrypted(); err != nil {
			return err
		}
	}
	if n := r.SealedBallots(); d.Count != n {
		return ballotErr(fmt.Errorf("BallotsSealed counts %d ballots, the log holds %d", d.Count, n))
	}
	if n := r.SealedBallots(); r.Closed.Collected != n {
		return ballotErr(fmt.Errorf("SessionClosed says %d ballots collected, %d were sealed", r.Closed.Collected, n))
	}
	r.SealedSeq, r.phase = e.Seq, phaseUsed
	return nil
}

func (r *Replay) tokensUsed(e *audit.Entry) error {
	var d audit.TokensData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if len(d.Hashes) == 0 {
		return errors.New("TokensUsed lists no card")
	}
	for _, h := range d.Hashes {
		if r.nUsed > 0 && compareHash(r.lastUsed, h) >= 0 {
			return tokenErr(errors.New("used token hashes are not in ascending order (or one is repeated)"))
		}
		if !r.Issued[h] {
			return tokenErr(fmt.Errorf("used token %s… was never issued", h.String()[:12]))
		}
		if r.Revoked[h] {
			return tokenErr(fmt.Errorf("used token %s… had been revoked", h.String()[:12]))
		}
		if r.Encrypted() {
			if err := r.usedEncrypted(h); err != nil {
				return err
			}
		}
		r.lastUsed, r.nUsed = h, r.nUsed+1
		if r.keep {
			r.Used = append(r.Used, h)
		}
	}
	return nil
}

// endUsed closes the run of TokensUsed entries: one used card per ballot.
func (r *Replay) endUsed() error {
	if r.nUsed != r.SealedBallots() {
		return ballotErr(fmt.Errorf("%d cards were used but %d ballots were sealed", r.nUsed, r.SealedBallots()))
	}
	r.phase = phaseClosed
	return nil
}

func (r *Replay) tallyComputed(e *audit.Entry) error {
	if r.Encrypted() && r.Decrypted == nil {
		return decryptionErr(errors.New("TallyComputed in an encrypted session without DecryptedTally before it"))
	}
	var res tally.Result
	if err := strictDecode(e, &res); err != nil {
		return err
	}
	t, err := entryTime(e)
	if err != nil {
		return err
	}
	r.Tally, r.TallySeq, r.phase = &res, e.Seq, phaseTallied
	r.Proceedings.TalliedAt = t
	return nil
}

func (r *Replay) reportIssued(e *audit.Entry) error {
	var d audit.ReportIssuedData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if len(d.Documents) == 0 {
		return errors.New("ReportIssued names no document")
	}
	named := make(map[string]bool, len(d.Documents))
	for _, doc := range d.Documents {
		if !r.documentName(doc.Name) || named[doc.Name] {
			return fmt.Errorf("ReportIssued names %q, which is not a document of this session (SPEC.md 8.2) or is named twice", doc.Name)
		}
		named[doc.Name] = true
	}
	if r.docHash == nil {
		r.docHash = map[string]audit.Hash{}
	}
	for _, doc := range d.Documents {
		r.docHash[doc.Name] = doc.SHA256
	}
	return nil
}

// documentSigned checks a committee member's signature on a document: the
// document was issued, the signature builds on its latest version, the
// member is on the committee and signs it once.
func (r *Replay) documentSigned(e *audit.Entry) error {
	var d audit.DocumentSignedData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	prev, issued := r.docHash[d.Name]
	switch {
	case !issued:
		return fmt.Errorf("DocumentSigned names %q, which no ReportIssued entry issued", d.Name)
	case d.Prev != prev:
		return fmt.Errorf("DocumentSigned of %q builds on SHA-256 %s, but the document's latest is %s", d.Name, d.Prev, prev)
	case !slices.Contains(r.Committee, d.Member):
		return fmt.Errorf("DocumentSigned names %q, who is not on the counting committee", d.Member)
	case !nonEmpty(d.Signer):
		return errors.New("DocumentSigned names no signer")
	}
	if d.Timestamp != "" {
		if _, err := time.Parse(time.RFC3339, d.Timestamp); err != nil {
			return fmt.Errorf("DocumentSigned timestamp %q is not RFC 3339", d.Timestamp)
		}
	}
	for _, s := range r.Signed {
		if s.Name == d.Name && s.Member == d.Member {
			return fmt.Errorf("%q signed %q twice", d.Member, d.Name)
		}
	}
	r.Signed = append(r.Signed, d)
	r.docHash[d.Name] = d.SHA256
	return nil
}

// displayCodeIssued checks that the projector's code is logged only as a
// SHA-256: 64 lowercase hex digits, nothing else.
func (r *Replay) displayCodeIssued(e *audit.Entry) error {
	var d audit.DisplayCodeIssuedData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if b, err := hex.DecodeString(d.Hash); err != nil || len(b) != 32 || hex.EncodeToString(b) != d.Hash {
		return errors.New("malformed DisplayCodeIssued data: hash is not 64 lowercase hex digits")
	}
	return nil
}

func (r *Replay) cosignatureAdded(e *audit.Entry) error {
	var d audit.CosignatureData
	return strictDecode(e, &d)
}

// documentName reports whether name is one of the documents a tally of
// this session issues: a report on one of its cadres, the minutes or one
// of the two results files.
func (r *Replay) documentName(name string) bool {
	switch name {
	case audit.MinutesDocument, audit.ResultsCSVDocument, audit.ResultsJSONDocument:
		return true
	}
	// Cadre IDs are c1, c2, … in ballot order (cadresSet), so a report's
	// name is checked without a search.
	id, ok := strings.CutPrefix(name, "bao-cao-c")
	if !ok {
		return false
	}
	if id, ok = strings.CutSuffix(id, ".pdf"); !ok || id == "" || id[0] == '0' || len(id) > 9 {
		return false
	}
	n, err := strconv.Atoi(id)
	return err == nil && n >= 1 && n <= len(r.Cadres) && name == audit.CadreReportDocument(r.Cadres[n-1].ID)
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
