package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"tinnhiem/ballot"
)

// Paper ballots (SPEC.md 11.5.2). The organiser prints them from the
// console before opening; while the vote is open each one is entered by
// committee members on the member page's paper section /bkp/phieu-giay,
// whose browser encrypts it deterministically from the card code and the
// marks, so that the second member's entry confirms the first by tracker.
// The member is known by the code of their personal link (MemberAccess),
// which the page holds in sessionStorage and sends in the body only.

// paperView is the console's paper-ballot section of an encrypted session.
type paperView struct {
	Counts         ballot.PaperCounts
	CanIssue       bool // draft, an organiser of the session
	CanConfirmSet  bool // draft, an organiser: the number of confirmations may change
	ConfirmOptions []int
}

// paperOf builds the paper section, or nil for a clear session.
func (s *Server) paperOf(ctx context.Context, sess *ballot.Session, canWrite bool) (*paperView, error) {
	if sess.Box == nil {
		return nil, nil
	}
	c, err := s.svc.PaperStatus(ctx, sess.ID)
	if err != nil {
		return nil, err
	}
	draft := canWrite && sess.State == ballot.Draft
	return &paperView{Counts: c, CanIssue: draft, CanConfirmSet: draft, ConfirmOptions: []int{1, 2}}, nil
}

// handlePaperIssue issues paper ballots and streams their PDF, as
// handleCards does for cards: rendered inside the issuing transaction, so
// a rendering failure issues nothing.
func (s *Server) handlePaperIssue(w http.ResponseWriter, r *http.Request, c *call) {
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("count")))
	if err != nil || n < 1 || n > ballot.MaxTokensPerIssue {
		s.consoleFail(w, r, &ballot.Error{Code: ballot.EInvalid, Key: "cards_count", Args: ballot.Args{"max": ballot.MaxTokensPerIssue}})
		return
	}
	sheet, err := PaperSheet(r.Context(), s.svc, c.session.ID)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	var pdf bytes.Buffer
	err = s.svc.IssuePaperTokens(r.Context(), c.account.Name, c.session.ID, n, func(tokens []string) error {
		return WritePaperBallots(&pdf, sheet, tokens)
	})
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="phieu-giay-%s-%d.pdf"`, c.session.ID, n))
	_, _ = io.Copy(w, &pdf)
}

// handlePaperConfirmations sets how many members enter each paper ballot.
func (s *Server) handlePaperConfirmations(w http.ResponseWriter, r *http.Request, c *call) {
	n, err := strconv.Atoi(r.PostFormValue("confirmations"))
	if err != nil {
		n = 0 // refused by the service with its message
	}
	if err := s.svc.SetPaperConfirmations(r.Context(), c.account.Name, c.session.ID, n); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c), "paper_confirmations")
}

// handlePaperPage serves the paper-entry section of the member page. Like
// the voter page it needs nothing from the address: the member code is
// in the page's sessionStorage.
func (s *Server) handlePaperPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, s.pages.paper, pageData{Title: "paper.title", Script: "paper.js", Box: true})
}

type paperCadreJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position string `json:"position"`
}

type paperFormResponse struct {
	Session       trackerSessionJSON `json:"session"`
	Trustee       int                `json:"trustee"`
	Name          string             `json:"name"`
	Open          bool               `json:"open"`
	Confirmations int                `json:"confirmations"`
	Cadres        []paperCadreJSON   `json:"cadres"`
	Levels        []levelJSON        `json:"levels"`
	Box           *boxJSON           `json:"box,omitempty"`
	Counts        paperCountsJSON    `json:"counts"`
}

type paperCountsJSON struct {
	Issued    int `json:"issued"`
	Entered   int `json:"entered"`
	Confirmed int `json:"confirmed"`
	Pending   int `json:"pending"`
}

type paperEnterResponse struct {
	Status  string `json:"status"` // "waiting" for another member, or "cast"
	Waiting int    `json:"waiting,omitempty"`
	Receipt string `json:"receipt,omitempty"`
	Tracker string `json:"tracker"`
}

// handlePaperForm gives a committee member what the paper section needs:
// the session, its cadres and levels, the box parameters to encrypt with
// and the paper counts.
func (s *Server) handlePaperForm(w http.ResponseWriter, r *http.Request) {
	_, m := s.memberCall(w, r)
	if m == nil {
		return
	}
	ctx := r.Context()
	sess, err := s.svc.Session(ctx, m.Session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cadres, err := s.svc.Cadres(ctx, m.Session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.svc.PaperStatus(ctx, m.Session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	resp := paperFormResponse{Session: trackerSessionJSON{Title: sess.Title, Body: sess.Body, Date: sess.Date},
		Trustee: m.Trustee, Name: m.Name, Open: sess.State == ballot.Open, Confirmations: counts.Confirmations,
		Counts: paperCountsJSON{counts.Issued, counts.Entered, counts.Confirmed, counts.Pending}}
	for _, c := range cadres {
		resp.Cadres = append(resp.Cadres, paperCadreJSON{c.ID, c.Name, c.Position})
	}
	for _, l := range ballot.LevelsFor(sess.Rules) {
		resp.Levels = append(resp.Levels, levelJSON{Code: l, Label: l.Vietnamese(), LabelEN: l.English()})
	}
	if sess.State == ballot.Open {
		st, err := s.svc.Ceremony(ctx, m.Session)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		resp.Box = &boxJSON{Session: m.Session, JointKey: base64.RawURLEncoding.EncodeToString(st.JointKey[:]),
			Lines: len(cadres), Options: ballot.OptionsFor(sess.Rules)}
	}
	writeJSON(w, http.StatusOK, resp)
}

// handlePaperEnter records one member's entry of a paper ballot; whether
// it waits, casts or is refused is ballot.Service's decision.
func (s *Server) handlePaperEnter(w http.ResponseWriter, r *http.Request) {
	req, m := s.memberCall(w, r)
	if m == nil {
		return
	}
	// The ballot names its card by the card's public key; the paper's code
	// stays in the member's browser.
	if len(req.Ballot) == 0 {
		s.fail(w, r, errBadRequest)
		return
	}
	e, err := s.svc.EnterPaperBallot(r.Context(), m.Trustee, m.Session, req.Ballot)
	if err != nil {
		s.failLookup(w, r, err)
		return
	}
	resp := paperEnterResponse{Status: "waiting", Waiting: e.Waiting, Tracker: hex.EncodeToString(e.Tracker[:])}
	if e.Cast {
		resp.Status, resp.Waiting, resp.Receipt = "cast", 0, e.Receipt.Code
	}
	writeJSON(w, http.StatusOK, resp)
}

// paperTexts are the texts of paper ballots, on the console and on the
// member page.
var paperTexts = map[string]text{
	"paper.title":              {"Nhập phiếu giấy", "Paper ballot entry"},
	"paper.loading":            {"Đang tải…", "Loading…"},
	"paper.heading":            {"Nhập phiếu giấy", "Enter paper ballots"},
	"paper.member":             {"Ủy viên Ban kiểm phiếu", "Committee member"},
	"paper.link.heading":       {"Mở bằng liên kết của ủy viên", "Open with your member link"},
	"paper.link.help":          {"Trang này dành cho ủy viên Ban kiểm phiếu. Hãy mở từ liên kết cá nhân (mã QR được phát), hoặc dán liên kết đó vào đây.", "This page is for members of the counting committee. Open it from your personal link (the QR code you were given), or paste that link here."},
	"paper.link.label":         {"Liên kết cá nhân", "Personal link"},
	"paper.link.submit":        {"Tiếp tục", "Continue"},
	"paper.link.invalid":       {"Đây không phải liên kết của ủy viên Ban kiểm phiếu (…/bkp/PHIÊN/MÃ).", "This is not a committee member's link (…/bkp/SESSION/CODE)."},
	"paper.not_open":           {"Phiên bỏ phiếu chưa mở hoặc đã đóng: chỉ nhập phiếu giấy khi phiên đang mở.", "The vote is not open: paper ballots are entered while it is open."},
	"paper.card.label":         {"Mã phiếu in trên phiếu giấy", "Card code printed on the paper ballot"},
	"paper.card.help":          {"32 chữ cái và chữ số, in ở chân phiếu cạnh mã QR; không phân biệt hoa thường, dấu gạch ngang không quan trọng.", "32 letters and digits, printed at the foot of the ballot beside the QR code; case and dashes do not matter."},
	"paper.card.invalid":       {"Mã phiếu phải gồm đúng 32 ký tự: chữ cái A–Z và chữ số 2–7.", "A card code has exactly 32 characters: letters A–Z and digits 2–7."},
	"paper.intro":              {"Đánh dấu đúng như trên phiếu giấy: không ô nào, một ô, hoặc nhiều ô nếu phiếu có nhiều dấu (khi đó phiếu không hợp lệ đối với người đó).", "Tick exactly what the paper shows: no box, one box, or several if the paper has several marks (then it is invalid for that cadre)."},
	"paper.summary":            {"Tóm tắt phiếu sẽ gửi", "Summary of what will be sent"},
	"paper.summary.none":       {"không đánh dấu — không hợp lệ", "no mark — invalid"},
	"paper.summary.many":       {"{n} ô — không hợp lệ", "{n} boxes — invalid"},
	"paper.submit":             {"Gửi phiếu giấy này", "Send this paper ballot"},
	"paper.encrypting":         {"Đang mã hóa…", "Encrypting…"},
	"paper.waiting":            {"Đã ghi lần nhập của bạn. Cần một ủy viên khác nhập lại phiếu này để xác nhận.", "Your entry is recorded. Another member must enter this paper ballot again to confirm it."},
	"paper.cast":               {"Phiếu giấy đã được xác nhận và bỏ vào hòm phiếu. Mã xác nhận: {receipt}", "The paper ballot is confirmed and in the ballot box. Receipt: {receipt}"},
	"paper.counts":             {"Phiếu giấy: đã in {issued}, đã nhập {entered}, đã xác nhận {confirmed}, chờ xác nhận {pending}", "Paper ballots: printed {issued}, entered {entered}, confirmed {confirmed}, awaiting confirmation {pending}"},
	"paper.console.title":      {"Phiếu giấy", "Paper ballots"},
	"paper.console.help":       {"Dành cho người không có điện thoại. In phiếu giấy trước khi mở phiên; khi phiên đang mở, Ban kiểm phiếu nhập từng phiếu từ trang của ủy viên, mỗi phiếu do số ủy viên dưới đây nhập và phải khớp nhau.", "For members without a phone. Print paper ballots before opening; while the vote is open the committee enters each one from the member page, by as many members as set below, whose entries must match."},
	"paper.issued":             {"Đã in", "Printed"},
	"paper.entered":            {"Đã nhập", "Entered"},
	"paper.confirmed":          {"Đã xác nhận (đã bỏ vào hòm phiếu)", "Confirmed (in the ballot box)"},
	"paper.pending":            {"Chờ xác nhận", "Awaiting confirmation"},
	"paper.mismatches":         {"Lần nhập không khớp", "Mismatched entries"},
	"paper.confirmations":      {"Số ủy viên xác nhận mỗi phiếu giấy", "Committee members who enter each paper ballot"},
	"paper.confirmations.save": {"Lưu", "Save"},
	"paper.count":              {"Số phiếu giấy cần in", "Number of paper ballots to print"},
	"paper.print":              {"Phát hành và in phiếu giấy (PDF)", "Issue and print paper ballots (PDF)"},
	"paper.console.entry":      {"Trang nhập phiếu giấy của ủy viên:", "The members' paper entry page:"},
	"done.paper_confirmations": {"Đã lưu số ủy viên xác nhận mỗi phiếu giấy.", "The number of members who enter each paper ballot was saved."},
}

func init() {
	for k, t := range paperTexts {
		if _, dup := texts[k]; dup {
			panic("web: text " + k + " is defined twice")
		}
		texts[k] = t
		catalog["vi"][k], catalog["en"][k] = t.vi, t.en
	}
}
