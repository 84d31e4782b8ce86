package web

import (
	"encoding/base64"
	"html/template"
	"net/http"

	"github.com/skip2/go-qrcode"

	"tinnhiem/ballot"
	"tinnhiem/tally"
)

// The hall's projector (/trinh-chieu/{session}). The console issues a
// display code (ballot.Service.IssueDisplayCode) and shows the page's
// address with the code in its fragment, and a QR of it; the page keeps
// the code in sessionStorage, drops it from the address bar and polls
// POST /api/v1/display every 2 s. The code never travels in a query
// string, so no access log or Referer can hold it. What the API answers is
// what the hall may see: counts, never a card or a member, and the result
// only once it is logged (TallyComputed) — before the tally there is none.

// displayRequest is the body of POST /api/v1/display.
type displayRequest struct {
	Session string `json:"session"`
	Code    string `json:"code"`
}

// displayResponse is what the projector shows.
type displayResponse struct {
	Session   displaySessionJSON `json:"session"`
	Summoned  int                `json:"summoned"`
	Present   int                `json:"present"`
	QuorumMet bool               `json:"quorum_met"`
	Received  int                `json:"received"`
	// Results is present only in a tallied session: the logged tally as
	// the minutes print it.
	Results *displayResults `json:"results,omitempty"`
}

type displaySessionJSON struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Date  string `json:"date"`
	Place string `json:"place"`
	State string `json:"state"` // draft, open, closed or tallied
}

// displayResults carries every figure preformatted, so that the page shows
// the minutes' numbers and conditions and computes none of them.
type displayResults struct {
	Rules         string          `json:"rules"` // the regulation's title, as the minutes cite it
	Members       int             `json:"members"`
	Issued        int             `json:"issued"`
	Collected     int             `json:"collected"`
	Denominator   int             `json:"denominator"`
	DenominatorVi string          `json:"denominator_vi"`
	DenominatorEn string          `json:"denominator_en"`
	Cadres        []displayCadre  `json:"cadres"`
	Levels        [3]displayLevel `json:"levels"`
}

type displayLevel struct {
	Vi string `json:"vi"`
	En string `json:"en"`
}

type displayCadre struct {
	Name        string    `json:"name"`
	Position    string    `json:"position"`
	Valid       int       `json:"valid"`
	Invalid     int       `json:"invalid"`
	Counts      [3]int    `json:"counts"`
	Percent     [3]string `json:"percent"` // Vietnamese decimal comma, two decimals, of the denominator
	Condition   string    `json:"condition"`
	ConditionVi string    `json:"condition_vi"`
	ConditionEn string    `json:"condition_en"`
}

func displayResultsOf(r *tally.Result) *displayResults {
	out := &displayResults{Rules: r.Rules.Title(), Members: r.Members, Issued: r.Issued, Collected: r.Collected,
		Denominator: r.Denominator, DenominatorVi: r.Rules.DenominatorVietnamese(), DenominatorEn: r.Rules.DenominatorEnglish(),
		Cadres: []displayCadre{}}
	for i, l := range tally.Levels {
		out.Levels[i] = displayLevel{l.Vietnamese(), l.English()}
	}
	for _, c := range r.Cadres {
		dc := displayCadre{Name: c.Cadre.Name, Position: c.Cadre.Position, Valid: c.Valid, Invalid: c.Invalid, Counts: c.Counts,
			Condition: c.Condition.String(), ConditionVi: c.Condition.Vietnamese(r.Rules), ConditionEn: c.Condition.English(r.Rules)}
		for i, p := range c.Percent {
			dc.Percent[i] = p.Vietnamese()
		}
		out.Cadres = append(out.Cadres, dc)
	}
	return out
}

// handleDisplay answers the projector's poll. A wrong code is a failed
// look-up, slowed like a card's.
func (s *Server) handleDisplay(w http.ResponseWriter, r *http.Request) {
	var req displayRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.svc.Display(r.Context(), req.Session, req.Code)
	if err != nil {
		s.failLookup(w, r, err)
		return
	}
	resp := displayResponse{
		Session: displaySessionJSON{Title: v.Session.Title, Body: v.Session.Body, Date: v.Session.Date, Place: v.Session.Place,
			State: string(v.Session.State)},
		Summoned: v.Attendance.Summoned, Present: v.Attendance.Present, QuorumMet: v.Attendance.QuorumMet(), Received: v.Received,
	}
	if v.Result != nil {
		resp.Results = displayResultsOf(v.Result)
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleDisplayPage serves the projection page. Like the voter page it
// ignores its path's variable: the script reads the session from the
// address and the code from the fragment or from the person at the
// projector.
func (s *Server) handleDisplayPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, s.pages.display, pageData{Title: "display.title", Script: "display.js", Class: "projector"})
}

// displayIssued is the console page that shows a new display code once.
type displayIssued struct {
	Session *ballot.Session
	Code    string       // grouped by four, for typing
	URL     string       // the page's address with the code in its fragment
	QR      template.URL // data: URL of a PNG of URL, made here, so trusted by the template
}

// handleIssueDisplay issues a new display code and shows it, with the
// page's address and its QR. The code is in this response only: it is
// neither in a redirect nor kept, so a reload of the console shows none.
func (s *Server) handleIssueDisplay(w http.ResponseWriter, r *http.Request, c *call) {
	code, err := s.svc.IssueDisplayCode(r.Context(), c.account.Name, c.session.ID)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	base := s.baseURL
	if base == "" {
		scheme := "http"
		if s.tls {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	url := base + "/trinh-chieu/" + c.session.ID + "#" + code
	png, err := qrcode.Encode(url, qrcode.Medium, 320)
	if err != nil {
		s.consoleFail(w, r, ballot.Errorf(ballot.EInternal, "failed to draw the QR code: %v", err))
		return
	}
	s.renderConsole(w, r, http.StatusOK, "display", c, "display.console.title", displayIssued{Session: c.session,
		Code: ballot.FormatDisplayCode(code), URL: url, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))})
}
