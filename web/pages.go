package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"tinnhiem/ballot"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one parsed template set per page: the shared layout plus the
// page's own "main" block.
type pages struct {
	voter   *template.Template
	entry   *template.Template
	tracker *template.Template
	display *template.Template
	paper   *template.Template // the paper-entry section of the member page
	member  *template.Template // the committee member page (member.go)
}

// pageData is what every page template sees.
type pageData struct {
	Title   string // catalogue key of the page title
	Script  string // the page's own script under /static/
	Box     bool   // load the encrypted ballot box (box.js) before Script: the voter's page only
	Class   string // the body's class: "projector" for the hall's screen
	BaseURL string
	Catalog map[string]map[string]string
}

var templateFuncs = template.FuncMap{
	// t renders a catalogue text in Vietnamese, the default language; a
	// missing key fails the render, which the page tests catch.
	"t": func(key string) (string, error) {
		t, ok := texts[key]
		if !ok {
			return "", fmt.Errorf("no text for key %q", key)
		}
		return t.vi, nil
	},
}

// loadPages parses the embedded templates. They are part of the binary, so
// a parse error is a broken build, not a runtime condition.
func loadPages() *pages {
	parse := func(page string) *template.Template {
		return template.Must(template.New("layout.html").Funcs(templateFuncs).
			ParseFS(templateFS, "templates/layout.html", "templates/codeform.html", "templates/"+page))
	}
	return &pages{voter: parse("voter.html"), entry: parse("entry.html"), tracker: parse("tracker.html"), display: parse("display.html"), paper: parse("paper.html"), member: parse("member.html")}
}

// handleVoterPage serves the ballot page for /V/{token}, /v/{token} and /v/.
// It deliberately ignores the token: the page's script reads it from the
// address bar, removes it from there and from the history, and sends it
// only in the body of API requests, which nothing logs.
func (s *Server) handleVoterPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, s.pages.voter, pageData{Title: "voter.title", Script: "voter.js", Box: true})
}

// handleEntryPage serves the manual card code entry (Mã phiếu — nhập tay)
// for when the camera fails. The code typed there goes to sessionStorage
// and the page moves on to /v/, so the code never travels in a URL.
func (s *Server) handleEntryPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, s.pages.entry, pageData{Title: "entry.title", Script: "entry.js"})
}

// handleTrackerPage serves the receipt look-up (Tra cứu mã xác nhận): after
// a vote closes, a voter types the TB1-… code the phone showed and sees
// that the ballot was counted, with no command line.
func (s *Server) handleTrackerPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, s.pages.tracker, pageData{Title: "tracker.title", Script: "tracker.js"})
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, t *template.Template, d pageData) {
	d.BaseURL, d.Catalog = s.baseURL, catalog
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		s.failPage(w, r, ballot.Errorf(ballot.EInternal, "failed to render page: %v", err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// staticHandler serves the embedded CSS and scripts. Directory paths are
// refused rather than listed.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic("web: embedded static directory missing: " + err.Error())
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}
