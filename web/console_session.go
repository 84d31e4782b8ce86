package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"tinnhiem/ballot"
	"tinnhiem/internal/msg"
	"tinnhiem/tally/report"
)

// sessionPage is the overview of one session with the actions its state
// allows.
type sessionPage struct {
	Session    *ballot.Session
	Attendance ballot.Attendance
	Turnout    ballot.TokenCounts
	Members    []ballot.Member
	Cadres     []ballot.Cadre
	Documents  []string
	// Signers is who of the counting committee has signed the minutes,
	// once they are issued.
	Signers   []signerRow
	CanWrite  bool
	CanTally  bool
	Excess    ballot.CardExcess // cards that can vote against members present
	AtOpening bool              // Excess is the log's record of the opening
	Ceremony  *ceremonyView     // an encrypted session's key ceremony; nil for a clear one
	Paper     *paperView        // an encrypted session's paper ballots; nil for a clear one
}

// cardExcess compares the cards with the members present: as they stand
// before the vote opens, and afterwards as the log recorded them at
// opening, which is what the minutes print.
func (s *Server) cardExcess(r *http.Request, sess *ballot.Session, a ballot.Attendance, t ballot.TokenCounts) (ballot.CardExcess, bool, error) {
	if sess.State == ballot.Draft {
		return ballot.CardExcess{Cards: t.Valid(), Present: a.Present}, false, nil
	}
	o, err := s.svc.Opening(r.Context(), sess.ID)
	if err != nil || o == nil {
		return ballot.CardExcess{}, false, err
	}
	return ballot.OpeningExcess(*o), true, nil
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request, c *call) {
	ctx := r.Context()
	page := sessionPage{Session: c.session, CanWrite: c.account.CanWrite(c.session), CanTally: s.signer != nil}
	var err error
	if page.Attendance, err = s.svc.Attendance(ctx, c.session.ID); err == nil {
		if page.Turnout, err = s.svc.Turnout(ctx, c.session.ID); err == nil {
			if page.Members, err = s.svc.Members(ctx, c.session.ID); err == nil {
				page.Cadres, err = s.svc.Cadres(ctx, c.session.ID)
			}
		}
	}
	if err == nil {
		page.Documents, err = s.documentNames(r, c.session.ID)
	}
	if err == nil {
		page.Excess, page.AtOpening, err = s.cardExcess(r, c.session, page.Attendance, page.Turnout)
	}
	if err == nil {
		page.Ceremony, err = s.ceremonyOf(ctx, c.session, page.CanWrite)
	}
	if err == nil {
		page.Paper, err = s.paperOf(ctx, c.session, page.CanWrite)
	}
	if err == nil && slices.Contains(page.Documents, report.MinutesName) {
		page.Signers, err = s.minutesSigners(r, c.session.ID)
	}
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	s.renderConsole(w, r, http.StatusOK, "session", c, "console.session", page)
}

// turnout is the live figure the console polls: counts only, never which
// card, which member or anything about content.
type turnout struct {
	State     string `json:"state"`
	Summoned  int    `json:"summoned"`
	Present   int    `json:"present"`
	QuorumMet bool   `json:"quorum_met"`
	Issued    int    `json:"issued"`
	Used      int    `json:"used"`
	Remaining int    `json:"remaining"`
}

func (s *Server) handleTurnout(w http.ResponseWriter, r *http.Request, c *call) {
	a, err := s.svc.Attendance(r.Context(), c.session.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.svc.Turnout(r.Context(), c.session.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sess, err := s.svc.Session(r.Context(), c.session.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, turnout{State: string(sess.State), Summoned: a.Summoned, Present: a.Present, QuorumMet: a.QuorumMet(),
		Issued: t.Valid(), Used: t.Used, Remaining: t.Remaining()})
}

type checkinPage struct {
	Session    *ballot.Session
	Members    []ballot.Member
	Attendance ballot.Attendance
	CanWrite   bool
}

func (s *Server) handleCheckinPage(w http.ResponseWriter, r *http.Request, c *call) {
	ms, err := s.svc.Members(r.Context(), c.session.ID)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	a, err := s.svc.Attendance(r.Context(), c.session.ID)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	open := c.session.State == ballot.Draft || c.session.State == ballot.Open
	s.renderConsole(w, r, http.StatusOK, "checkin", c, "console.checkin",
		checkinPage{Session: c.session, Members: ms, Attendance: a, CanWrite: open && c.account.CanWrite(c.session)})
}

func (s *Server) handleCheckin(w http.ResponseWriter, r *http.Request, c *call) {
	names := r.PostForm["member"]
	if len(names) == 0 {
		s.consoleFail(w, r, &ballot.Error{Code: ballot.EInvalid, Key: "checkin_none", Message: "tick at least one member"})
		return
	}
	if _, err := s.svc.CheckIn(r.Context(), c.account.Name, c.session.ID, names, false); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c)+"/checkin", "checkin")
}

// handleCheckout records members leaving, before or during the vote; the
// minutes report who was present at close.
func (s *Server) handleCheckout(w http.ResponseWriter, r *http.Request, c *call) {
	names := r.PostForm["member"]
	if len(names) == 0 {
		s.consoleFail(w, r, &ballot.Error{Code: ballot.EInvalid, Key: "checkout_none", Message: "tick at least one member who leaves"})
		return
	}
	if _, err := s.svc.CheckOut(r.Context(), c.account.Name, c.session.ID, names); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c)+"/checkin", "checkout")
}

// The two-step import: an uploaded file is parsed and shown first; only
// the confirmation, which names the parsed upload by a random identifier,
// saves it. Nothing is written before the confirmation, and a file with
// errors is never kept.
type uploadKind string

const (
	uploadRoster uploadKind = "roster"
	uploadCadres uploadKind = "cadres"
)

const pendingTTL = 30 * time.Minute

type pendingUpload struct {
	account, session string
	kind             uploadKind
	members          []ballot.Member
	cadres           []ballot.Cadre
	expires          time.Time
}

type pendingUploads struct {
	mu sync.Mutex
	m  map[string]*pendingUpload
}

func (p *pendingUploads) put(u *pendingUpload) string {
	id := randomID()
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	for k, v := range p.m {
		if now.After(v.expires) {
			delete(p.m, k)
		}
	}
	p.m[id] = u
	return id
}

// take removes and returns the upload if it belongs to this account and
// session and has not expired.
func (p *pendingUploads) take(id, account, session string) *pendingUpload {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.m[id]
	if u == nil || u.account != account || u.session != session || time.Now().After(u.expires) {
		return nil
	}
	delete(p.m, id)
	return u
}

type previewPage struct {
	Session  *ballot.Session
	Kind     uploadKind
	Pending  string
	Members  []ballot.Member
	Cadres   []ballot.Cadre
	Problems []string // Vietnamese, one per problem
	English  []string
}

func (s *Server) handleUpload(kind uploadKind) func(http.ResponseWriter, *http.Request, *call) {
	return func(w http.ResponseWriter, r *http.Request, c *call) {
		f, _, err := r.FormFile("file")
		if err != nil {
			s.consoleFail(w, r, &ballot.Error{Code: ballot.EInvalid, Key: "upload_missing", Message: "choose a CSV or XLSX file to upload"})
			return
		}
		defer f.Close()
		page := previewPage{Session: c.session, Kind: kind}
		u := &pendingUpload{account: c.account.Name, session: c.session.ID, kind: kind, expires: time.Now().Add(pendingTTL)}
		switch kind {
		case uploadRoster:
			u.members, err = ballot.ParseRoster(f)
			page.Members = u.members
		case uploadCadres:
			u.cadres, err = ballot.ParseCadres(f)
			page.Cadres = u.cadres
		}
		status := http.StatusOK
		var be *ballot.Error
		switch {
		case err == nil:
			page.Pending = s.pending.put(u)
		case errors.As(err, &be) && be.Key == "csv_invalid":
			vi, en, _ := msg.Render(be)
			page.Problems, page.English = splitProblems(vi, "Dòng "), splitProblems(en, "line ")
			status = http.StatusUnprocessableEntity
		default:
			s.consoleFail(w, r, err)
			return
		}
		s.renderConsole(w, r, status, "preview", c, "console.preview", page)
	}
}

// splitProblems splits ParseRoster's list of problems back into one line
// per problem for the preview: each starts with its line number ("Dòng 3:",
// "line 3:"). A workbook whose list is not on its first sheet puts the
// sheet's name before the list ("Trang tính “Danh sách”: Dòng 3: …"); it is
// repeated on every line, which would otherwise point into the wrong tab.
func splitProblems(s, prefix string) []string {
	var out []string
	lead := ""
	for i, p := range strings.Split(s, prefix) {
		p = strings.TrimRight(strings.TrimSpace(p), ";")
		if p == "" {
			continue
		}
		if i > 0 {
			p = lead + prefix + p
		} else if strings.HasSuffix(p, ":") && strings.Contains(s[len(p):], prefix) {
			lead = p + " "
			continue
		}
		out = append(out, p)
	}
	return out
}

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request, c *call) {
	u := s.pending.take(r.PostFormValue("pending"), c.account.Name, c.session.ID)
	if u == nil {
		s.consoleFail(w, r, &ballot.Error{Code: ballot.EInvalid, Key: "upload_expired", Message: "the previewed file has expired or was already saved; upload it again"})
		return
	}
	var err error
	switch u.kind {
	case uploadRoster:
		err = s.svc.ImportRoster(r.Context(), c.account.Name, c.session.ID, u.members)
	case uploadCadres:
		err = s.svc.ImportCadres(r.Context(), c.account.Name, c.session.ID, u.cadres)
	}
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c), string(u.kind))
}

func (s *Server) handleCommittee(w http.ResponseWriter, r *http.Request, c *call) {
	names := strings.Split(strings.ReplaceAll(r.PostFormValue("members"), "\r", ""), "\n")
	o := ballot.Officers{Committee: names, Head: r.PostFormValue("head"), Chair: r.PostFormValue("chair"), Secretary: r.PostFormValue("secretary")}
	if err := s.svc.SetOfficers(r.Context(), c.account.Name, c.session.ID, o); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c), "committee")
}

// handleCards issues cards and streams their PDF: the one copy of the codes
// goes to the organiser's browser and nowhere else. The PDF is rendered
// inside the issuing transaction into memory, so a rendering failure
// issues nothing; it is sent only once the cards are recorded.
func (s *Server) handleCards(w http.ResponseWriter, r *http.Request, c *call) {
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("count")))
	if err != nil || n < 1 || n > ballot.MaxTokensPerIssue {
		s.consoleFail(w, r, ballot.Errorf(ballot.EInvalid, "the number of cards must be between 1 and %d", ballot.MaxTokensPerIssue))
		return
	}
	base := s.cardBaseURL(r)
	var pdf bytes.Buffer
	err = s.svc.IssueTokens(r.Context(), c.account.Name, c.session.ID, n, func(tokens []string) error {
		return WriteCards(&pdf, c.session, tokens, base)
	})
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="the-bo-phieu-%s-%d.pdf"`, c.session.ID, n))
	_, _ = io.Copy(w, &pdf)
}

// cardBaseURL is the address printed on the cards: the configured base
// URL, or the one this request came to.
func (s *Server) cardBaseURL(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request, c *call) {
	if err := s.svc.RevokeToken(r.Context(), c.account.Name, c.session.ID, r.PostFormValue("code"), r.PostFormValue("reason")); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c), "revoked")
}

type confirmPage struct {
	Session    *ballot.Session
	Action     string
	Attendance ballot.Attendance
	Turnout    ballot.TokenCounts
	Excess     ballot.CardExcess
	AtOpening  bool
}

// handleConfirm shows what opening or closing will do, with the figures,
// before the organiser confirms it.
func (s *Server) handleConfirm(action string) func(http.ResponseWriter, *http.Request, *call) {
	return func(w http.ResponseWriter, r *http.Request, c *call) {
		page := confirmPage{Session: c.session, Action: action}
		var err error
		if page.Attendance, err = s.svc.Attendance(r.Context(), c.session.ID); err == nil {
			if page.Turnout, err = s.svc.Turnout(r.Context(), c.session.ID); err == nil {
				page.Excess, page.AtOpening, err = s.cardExcess(r, c.session, page.Attendance, page.Turnout)
			}
		}
		if err != nil {
			s.consoleFail(w, r, err)
			return
		}
		s.renderConsole(w, r, http.StatusOK, "confirm", c, "console."+action, page)
	}
}

// confirmed requires the confirmation box of the open and close forms, so
// that a stray click cannot change a vote's state.
func (s *Server) confirmed(w http.ResponseWriter, r *http.Request) bool {
	if r.PostFormValue("confirm") != "yes" {
		s.consoleFail(w, r, &ballot.Error{Code: ballot.EInvalid, Key: "confirm_missing", Message: "tick the confirmation box first"})
		return false
	}
	return true
}

func (s *Server) handleOpen(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.confirmed(w, r) {
		return
	}
	override := r.PostFormValue("override") == "yes"
	if err := s.svc.Open(r.Context(), c.account.Name, c.session.ID, override, r.PostFormValue("reason")); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c), "opened")
}

func (s *Server) handleClose(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.confirmed(w, r) {
		return
	}
	if err := s.svc.Close(r.Context(), c.account.Name, c.session.ID); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c), "closed")
}
