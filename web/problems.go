package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"tinnhiem/ballot"
	"tinnhiem/internal/msg"
)

// The web layer's own failures are *ballot.Error values too, so that one
// function, describe, maps every failure to a status and a sentence.
var (
	errBadRequest = &ballot.Error{Code: ballot.EInvalid, Key: "bad_request", Message: "malformed request"}
	errFieldCase  = &ballot.Error{Code: ballot.EInvalid, Key: "field_name", Message: "a member name differs from the API's only in letter case"}
	errTooLarge   = &ballot.Error{Code: ballot.EInvalid, Key: "body_too_large", Message: "request body too large"}
	errNoRoute    = &ballot.Error{Code: ballot.ENotFound, Key: "not_found", Message: "no such route"}
	errMethod     = &ballot.Error{Code: ballot.EInvalid, Key: "method_not_allowed", Message: "method not allowed"}

	errTrackerMalformed = &ballot.Error{Code: ballot.EInvalid, Key: "tracker_malformed"}
)

// statusByKey holds the reasons whose status is more precise than their
// code's: everything a voter can run into.
var statusByKey = map[string]int{
	"token_unknown":      http.StatusNotFound,
	"token_used":         http.StatusConflict,
	"token_revoked":      http.StatusConflict,
	"session_not_open":   http.StatusLocked,
	"session_closed":     http.StatusLocked,
	"unknown_cadre":      http.StatusBadRequest,
	"unknown_level":      http.StatusBadRequest,
	"bad_request":        http.StatusBadRequest,
	"field_name":         http.StatusBadRequest,
	"body_too_large":     http.StatusRequestEntityTooLarge,
	"not_found":          http.StatusNotFound,
	"method_not_allowed": http.StatusMethodNotAllowed,
}

// fallbackByCode gives the status and the key of a generic sentence for
// domain errors whose Key this package does not know (organiser actions, in
// the console to come).
var fallbackByCode = map[ballot.Code]struct {
	status int
	key    string
}{
	ballot.EInvalid:  {http.StatusBadRequest, "bad_request"},
	ballot.ENotFound: {http.StatusNotFound, "not_found"},
	ballot.EConflict: {http.StatusConflict, "conflict"},
	ballot.ELocked:   {http.StatusLocked, "locked"},
}

// problem is how one failure is shown to people and scripts.
type problem struct {
	Status     int
	Code       string // stable, for scripts and tests: "token_used", "internal", …
	Vietnamese string // what happened and what to do next
	English    string
	Detail     string // for the log, 5xx only; never shown
}

// describe is the one place where errors become statuses and sentences.
// Anything that is not a *ballot.Error, or has code EInternal, becomes a
// 500 with a generic sentence: its detail is for the log, never for the
// page.
func describe(err error) problem {
	var e *ballot.Error
	if !errors.As(err, &e) || e.Code == ballot.EInternal {
		return internalProblem(err)
	}
	status, key := 0, e.Key
	if st, ok := statusByKey[key]; ok {
		status = st
	} else if fb, ok := fallbackByCode[e.Code]; ok {
		status = fb.status
		if key == "" {
			key = fb.key
		}
	} else {
		return internalProblem(err)
	}
	p := problem{Status: status, Code: key}
	vi, en, rendered := msg.Render(e)
	switch text, ok := texts["error."+e.Key]; {
	case ok && e.Key != "":
		p.Vietnamese, p.English = text.vi, text.en
	case rendered:
		// The message catalog's sentence has the details (names,
		// numbers); the CLI shows the same one.
		p.Vietnamese, p.English = vi, en
	default:
		generic := texts["error."+fallbackByCode[e.Code].key]
		p.Vietnamese, p.English = generic.vi, generic.en
	}
	return p
}

func internalProblem(err error) problem {
	text := texts["error.internal"]
	p := problem{Status: http.StatusInternalServerError, Code: "internal", Vietnamese: text.vi, English: text.en}
	var e *ballot.Error
	if errors.As(err, &e) {
		// The domain error's own line: its Message when set, else the
		// line generated from its key and arguments.
		p.Detail = e.Error()
	} else if err != nil {
		p.Detail = err.Error()
	}
	return p
}

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		MessageEN string `json:"message_en"`
	} `json:"error"`
}

// fail answers an API request with err. The detail of a 5xx goes to the
// access log line; 4xx are the voter's business and are not logged beyond
// their status.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := describe(err)
	if p.Status >= 500 {
		info(r.Context()).err = p.Detail
	}
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.MessageEN = p.Code, p.Vietnamese, p.English
	writeJSON(w, p.Status, body)
}

// failPage answers a request for a page with err as plain text in both
// languages; like fail, it logs the detail of a 5xx only.
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, err error) {
	p := describe(err)
	if p.Status >= 500 {
		info(r.Context()).err = p.Detail
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(p.Status)
	_, _ = w.Write([]byte(p.Vietnamese + "\n" + p.English + "\n"))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only this package's own response types reach here.
		panic("web: failed to encode response: " + err.Error())
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
