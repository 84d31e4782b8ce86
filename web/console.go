package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tinnhiem/ballot"
)

// The organiser console at /admin: pages rendered on the server, plain
// forms that work without script, and one small script (admin.js) for the
// live figures and the check-in search. Every route and its permission is
// listed in consoleRoutes; authz.go enforces them.

// maxConsoleBody bounds a console request: a roster of some thousands of
// members is well under a megabyte.
const maxConsoleBody = 4 << 20

// consoleRoutes is the console's route table: every console route, with
// the permission authorize checks before its handler runs.
func (s *Server) consoleRoutes() []consoleRoute {
	const get, post = http.MethodGet, http.MethodPost
	return []consoleRoute{
		{get, "/admin/login", permPublic, s.handleLoginPage},
		{post, "/admin/login", permPublic, s.handleLogin},
		{post, "/admin/logout", permSignedIn, s.handleLogout},
		{get, "/admin", permSignedIn, s.handleHome},
		{get, "/admin/orgs", permAdmin, s.handleOrgs},
		{post, "/admin/orgs", permAdmin, s.handleAddOrg},
		{post, "/admin/accounts", permAdmin, s.handleAddAccount},
		{post, "/admin/sessions", permOrgWrite, s.handleCreateSession},
		{get, "/admin/s/{id}", permSessionRead, s.handleSession},
		{get, "/admin/s/{id}/turnout", permSessionRead, s.handleTurnout},
		{get, "/admin/s/{id}/checkin", permSessionRead, s.handleCheckinPage},
		{post, "/admin/s/{id}/checkin", permSessionWrite, s.handleCheckin},
		{post, "/admin/s/{id}/checkout", permSessionWrite, s.handleCheckout},
		{post, "/admin/s/{id}/roster", permSessionWrite, s.handleUpload(uploadRoster)},
		{post, "/admin/s/{id}/cadres", permSessionWrite, s.handleUpload(uploadCadres)},
		{post, "/admin/s/{id}/import", permSessionWrite, s.handleImport},
		{post, "/admin/s/{id}/committee", permSessionWrite, s.handleCommittee},
		{post, "/admin/s/{id}/cards", permSessionWrite, s.handleCards},
		{post, "/admin/s/{id}/revoke", permSessionWrite, s.handleRevoke},
		{get, "/admin/s/{id}/open", permSessionWrite, s.handleConfirm("open")},
		{post, "/admin/s/{id}/open", permSessionWrite, s.handleOpen},
		{get, "/admin/s/{id}/close", permSessionWrite, s.handleConfirm("close")},
		{post, "/admin/s/{id}/close", permSessionWrite, s.handleClose},
		{post, "/admin/s/{id}/tally", permSessionWrite, s.handleTally},
		{get, "/admin/s/{id}/log", permSessionRead, s.handleLog},
		{get, "/admin/s/{id}/documents/{name}", permSessionRead, s.handleDocument},
		{get, "/admin/s/{id}/bundle", permSessionRead, s.handleBundle},
		{post, "/admin/s/{id}/cosign", permSessionCosign, s.handleCosign},
		{post, "/admin/s/{id}/minutes/signature", permSessionWrite, s.handleMinutesSignature},
		{post, "/admin/s/{id}/ceremony/messages", permSessionWrite, s.handleTrusteeUpload("messages", s.svc.AddCeremonyMessage)},
		{get, "/admin/s/{id}/ceremony/messages.zip", permSessionRead, s.handleCeremonyMessages},
		{get, "/admin/s/{id}/ceremony/result.json", permSessionRead, s.handleCeremonyResult},
		{post, "/admin/s/{id}/ceremony/complete", permSessionWrite, s.handleCompleteCeremony},
		{get, "/admin/s/{id}/ceremony/tally.json", permSessionRead, s.handleEncryptedTally},
		{post, "/admin/s/{id}/ceremony/partials", permSessionWrite, s.handleTrusteeUpload("partials", s.svc.AddPartial)},
		{post, "/admin/s/{id}/display", permSessionWrite, s.handleIssueDisplay},
		{get, "/admin/s/{id}/ceremony/status", permSessionRead, s.handleCeremonyStatus},
		{post, "/admin/s/{id}/members", permSessionWrite, s.handleMemberLinks},
		{post, "/admin/s/{id}/members/reissue", permSessionWrite, s.handleMemberLink},
		{post, "/admin/s/{id}/paper", permSessionWrite, s.handlePaperIssue},
		{post, "/admin/s/{id}/paper/confirmations", permSessionWrite, s.handlePaperConfirmations},
	}
}

// consolePages holds one template set per console page.
type consolePages map[string]*template.Template

func loadConsolePages() consolePages {
	p := consolePages{}
	for _, name := range []string{"login", "home", "orgs", "session", "preview", "checkin", "confirm", "log", "error", "ceremony", "display", "members"} {
		files := []string{"templates/console_layout.html", "templates/console_" + name + ".html"}
		if name == "session" {
			files = append(files, "templates/console_ceremony_section.html", "templates/console_display_section.html", "templates/console_members_section.html", "templates/console_paper_section.html")
		}
		p[name] = template.Must(template.New("console_layout.html").Funcs(templateFuncs).ParseFS(templateFS, files...))
	}
	return p
}

// consoleData is what every console template sees.
type consoleData struct {
	Title   string // catalogue key
	Account *ballot.Account
	CSRF    string
	Done    string // catalogue key of the last action's confirmation
	Catalog map[string]map[string]string
	Page    any
}

func (s *Server) renderConsole(w http.ResponseWriter, r *http.Request, status int, page string, c *call, title string, data any) {
	d := consoleData{Title: title, Account: c.account, CSRF: c.csrf, Catalog: catalog, Page: data}
	if done := r.URL.Query().Get("done"); done != "" {
		if _, ok := texts["done."+done]; ok {
			d.Done = "done." + done
		}
	}
	var buf bytes.Buffer
	if err := s.console[page].ExecuteTemplate(&buf, "clayout", d); err != nil {
		s.failPage(w, r, ballot.Errorf(ballot.EInternal, "failed to render console page %s: %v", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// consoleFail shows err as a console page: the sentence in both languages
// and a way back. Like failPage, it logs only the detail of a 5xx.
func (s *Server) consoleFail(w http.ResponseWriter, r *http.Request, err error) {
	p := describe(err)
	switch {
	case errors.Is(err, errForbidden):
		p.Status = http.StatusForbidden
	case errors.Is(err, errSignedOut):
		p.Status = http.StatusUnauthorized
	case errors.Is(err, errCSRF):
		p.Status = http.StatusForbidden
	case errors.Is(err, ballot.ErrLogin):
		p.Status = http.StatusUnauthorized
	case p.Code == "login_limited":
		p.Status = http.StatusTooManyRequests
	case p.Code == "login_busy":
		p.Status = http.StatusServiceUnavailable
	}
	if p.Status >= 500 {
		info(r.Context()).err = p.Detail
	}
	s.renderConsole(w, r, p.Status, "error", &call{}, "console.error", p)
}

// back redirects to a console page after a successful action (post,
// redirect, get), naming the action so the page can confirm it.
func back(w http.ResponseWriter, r *http.Request, path, done string) {
	http.Redirect(w, r, path+"?done="+url.QueryEscape(done), http.StatusSeeOther)
}

func sessionPath(c *call) string { return "/admin/s/" + c.session.ID }

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request, c *call) {
	token := randomID()
	s.setCookie(w, loginCSRFCookie, token, 3600)
	s.renderConsole(w, r, http.StatusOK, "login", c, "console.login", token)
}

// handleLogin checks the login form's CSRF pair (cookie and field), then
// the password, through the throttle (loginlimit.go): the attempt is
// counted against the name and the client address before the password is
// hashed, waits its turn if earlier ones failed, and a wrong password
// counts as a failure of both whatever the name.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, c *call) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	ck, err := r.Cookie(loginCSRFCookie)
	if err != nil || !sameOrigin(r) || !sameToken(ck.Value, r.PostFormValue("csrf")) {
		s.consoleFail(w, r, errCSRF)
		return
	}
	name := strings.ToLower(strings.TrimSpace(r.PostFormValue("name")))
	attempt, refused, retry := s.throttle.admit(name, clientAddress(r))
	if refused != nil {
		s.loginRefused(w, r, refused, retry)
		return
	}
	failed := false
	defer func() { attempt.done(failed) }()
	if !attempt.wait(r.Context()) {
		s.loginRefused(w, r, errLoginBusy(time.Second), time.Second) // the client has gone: nothing checked
		return
	}
	var a *ballot.Account
	if refused, retry := attempt.check(r.Context(), func() {
		a, err = s.svc.Authenticate(r.Context(), name, r.PostFormValue("password"))
	}); refused != nil {
		s.loginRefused(w, r, refused, retry)
		return
	}
	if err != nil {
		failed = errors.Is(err, ballot.ErrLogin)
		s.consoleFail(w, r, err)
		return
	}
	id, _ := s.logins.start(a.Name)
	s.setCookie(w, loginCSRFCookie, "", -1)
	s.setCookie(w, sessionCookie, id, int(sessionMaxAge.Seconds()))
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

// loginRefused answers a sign-in the throttle turned away: 429 when the
// account or the address must wait, 503 when the server is busy checking
// other passwords, with the wait in Retry-After and in the sentence.
func (s *Server) loginRefused(w http.ResponseWriter, r *http.Request, refused *ballot.Error, retry time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(retry)))
	s.consoleFail(w, r, refused)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, c *call) {
	s.logins.end(c.cookie)
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

type homePage struct {
	Sessions []ballot.Session
	Orgs     []string // organisations the account may create sessions in
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, c *call) {
	list, err := s.svc.SessionsFor(r.Context(), c.account)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	page := homePage{Sessions: list}
	if c.account.Role == ballot.RoleOrganiser {
		page.Orgs = c.account.Orgs
	}
	s.renderConsole(w, r, http.StatusOK, "home", c, "console.home", page)
}

func (s *Server) handleCreateSession(w http.ResponseWriter, r *http.Request, c *call) {
	copies := 0
	if v := strings.TrimSpace(r.PostFormValue("copies")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.consoleFail(w, r, &ballot.Error{Code: ballot.EInvalid, Key: "session_copies", Args: ballot.Args{"variant": "whole"}})
			return
		}
		copies = n
	}
	// An unchecked box is absent from the form: only "encrypted" present
	// makes an encrypted session, and the threshold is the service's to
	// check (it refuses one given to a clear session).
	threshold := 0
	if v := strings.TrimSpace(r.PostFormValue("threshold")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.consoleFail(w, r, &ballot.Error{Code: ballot.EInvalid, Key: "session_threshold", Args: ballot.Args{"max": ballot.MaxTrustees}})
			return
		}
		threshold = n
	}
	sess, err := s.svc.CreateSessionIn(r.Context(), c.account.Name, ballot.NewSession{
		Org: r.PostFormValue("org"), Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Date: r.PostFormValue("date"), Place: r.PostFormValue("place"), Rules: ballot.Rules(r.PostFormValue("rules")),
		Kind:     ballot.Kind(r.PostFormValue("kind")),
		BodyKind: r.PostFormValue("body_kind"), Superior: r.PostFormValue("superior"), Number: r.PostFormValue("number"),
		Locality: r.PostFormValue("locality"), Copies: copies,
		Encrypted: r.PostFormValue("encrypted") != "", Threshold: threshold,
	})
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, "/admin/s/"+sess.ID, "created")
}

type orgsPage struct {
	Orgs     []ballot.Organisation
	Accounts []ballot.Account
	Sessions []ballot.Session
	Roles    []ballot.Role
}

func (s *Server) handleOrgs(w http.ResponseWriter, r *http.Request, c *call) {
	var page orgsPage
	var err error
	if page.Orgs, err = s.svc.Organisations(r.Context()); err == nil {
		if page.Accounts, err = s.svc.Accounts(r.Context()); err == nil {
			page.Sessions, err = s.svc.Sessions(r.Context())
		}
	}
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	page.Roles = ballot.Roles
	s.renderConsole(w, r, http.StatusOK, "orgs", c, "console.orgs", page)
}

func (s *Server) handleAddOrg(w http.ResponseWriter, r *http.Request, c *call) {
	if _, err := s.svc.AddOrg(r.Context(), r.PostFormValue("name")); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, "/admin/orgs", "org")
}

func (s *Server) handleAddAccount(w http.ResponseWriter, r *http.Request, c *call) {
	in := ballot.NewAccount{Name: r.PostFormValue("name"), Role: ballot.Role(r.PostFormValue("role")),
		Password: r.PostFormValue("password")}
	switch in.Role {
	case ballot.RoleOrganiser:
		in.Orgs = r.PostForm["org"]
	case ballot.RoleInspector:
		in.Sessions = r.PostForm["session"]
	}
	if _, err := s.svc.AddAccount(r.Context(), in); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, "/admin/orgs", "account")
}

// displayDate shows a YYYY-MM-DD date as dd/mm/yyyy, as dates are written
// in Vietnam; anything else is shown as it is.
func displayDate(d string) string {
	if t, err := time.Parse(time.DateOnly, d); err == nil {
		return t.Format("02/01/2006")
	}
	return d
}

// orgLabel shows an organisation's name, naming the default one.
func orgLabel(name string) string { return ballot.Organisation{Name: name}.Label() }

func init() {
	templateFuncs["org"] = orgLabel
	templateFuncs["key"] = fmt.Sprintf
	templateFuncs["inc"] = func(i int) int { return i + 1 }
	templateFuncs["date"] = displayDate
	// tr renders a catalogue text in Vietnamese inside an element that
	// common.js re-renders when the language changes.
	templateFuncs["tr"] = func(key string) (template.HTML, error) {
		t, ok := texts[key]
		if !ok {
			return "", fmt.Errorf("no text for key %q", key)
		}
		return template.HTML(`<span data-i18n="` + template.HTMLEscapeString(key) + `">` + template.HTMLEscapeString(t.vi) + `</span>`), nil
	}
}
