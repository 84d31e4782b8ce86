package web

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"

	"tinnhiem/ballot"
)

// ballotRequest asks for the ballot a card votes on.
type ballotRequest struct {
	Token string `json:"token"`
}

// castRequest is one voter's ballot. Each choice is a JSON string (one
// mark) or an array of level codes: the page only ever sends strings, and
// an array is how a forged multi-mark submission arrives, to be recorded
// as an invalid line rather than corrected.
//
// In an encrypted session the page sends Ballot instead: the
// tinnhiem-box-ballot/v1 object its box.js made, passed to the service
// byte for byte, since its tracker is a hash of what was signed.
type castRequest struct {
	Token   string                     `json:"token"`
	Choices map[string]json.RawMessage `json:"choices"`
	Ballot  json.RawMessage            `json:"ballot"`
}

// trackerRequest asks whether the ballot of a receipt was counted.
type trackerRequest struct {
	Tracker string `json:"tracker"`
}

type sessionJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
	Date  string `json:"date"`
	Place string `json:"place"`
	Kind  string `json:"kind"` // "rating" or "formal"
}

type cadreJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position string `json:"position"`
}

type levelJSON struct {
	Code    ballot.Level `json:"code"`
	Label   string       `json:"label"`
	LabelEN string       `json:"label_en"`
}

type formResponse struct {
	Session sessionJSON `json:"session"`
	Cadres  []cadreJSON `json:"cadres"`
	Levels  []levelJSON `json:"levels"`
	Box     *boxJSON    `json:"box,omitempty"`
}

// boxJSON is what the page encrypts under (SPEC.md 11.1): absent for a
// clear session, which the page tells apart by it.
type boxJSON struct {
	Session  string `json:"session"`
	JointKey string `json:"joint_key"` // base64url without padding
	Lines    int    `json:"lines"`
	Options  int    `json:"options"`
}

type castResponse struct {
	Receipt string `json:"receipt"`
	Tracker string `json:"tracker,omitempty"` // 64 hex digits, encrypted sessions only
}

type trackerSessionJSON struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Date  string `json:"date"`
}

type trackerResponse struct {
	Status  string             `json:"status"`
	Session trackerSessionJSON `json:"session"`
}

// handleBallot returns the ballot for a card, or why the card cannot vote.
// It changes nothing, so a voter may reload the page freely.
func (s *Server) handleBallot(w http.ResponseWriter, r *http.Request) {
	var req ballotRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Token == "" {
		s.fail(w, r, errBadRequest)
		return
	}
	form, err := s.svc.Form(r.Context(), req.Token)
	if err != nil {
		s.failLookup(w, r, err)
		return
	}
	sess := form.Session
	// The options the ballot shows are the rule set's, in ballot order:
	// three levels of a rating, two of a formal vote; the page renders
	// what it is given and numbers the encrypted options in this order.
	levels := ballot.LevelsFor(sess.Rules)
	resp := formResponse{
		Session: sessionJSON{ID: sess.ID, Title: sess.Title, Body: sess.Body, Date: sess.Date, Place: sess.Place, Kind: string(sess.Kind())},
		Cadres:  make([]cadreJSON, len(form.Cadres)),
		Levels:  make([]levelJSON, len(levels)),
	}
	for i, c := range form.Cadres {
		resp.Cadres[i] = cadreJSON{ID: c.ID, Name: c.Name, Position: c.Position}
	}
	for i, l := range levels {
		resp.Levels[i] = levelJSON{Code: l, Label: l.Vietnamese(), LabelEN: l.English()}
	}
	if p := form.Box; p != nil {
		resp.Box = &boxJSON{Session: p.Session, JointKey: base64.RawURLEncoding.EncodeToString(p.JointKey[:]),
			Lines: p.Lines, Options: p.Options}
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleCast records one ballot and answers with the receipt. Whether the
// token may vote, and that it votes once, is decided by ballot.Service in
// one transaction; this handler only translates JSON.
func (s *Server) handleCast(w http.ResponseWriter, r *http.Request) {
	var req castRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Token == "" || (req.Choices == nil) == (req.Ballot == nil) {
		s.fail(w, r, errBadRequest)
		return
	}
	if req.Ballot != nil {
		rc, err := s.svc.CastEncrypted(r.Context(), req.Token, req.Ballot)
		if err != nil {
			s.failLookup(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, castResponse{Receipt: rc.Code, Tracker: hex.EncodeToString(rc.Tracker[:])})
		return
	}
	choices, err := parseChoices(req.Choices)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	receipt, err := s.svc.Cast(r.Context(), req.Token, choices)
	if err != nil {
		s.failLookup(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, castResponse{Receipt: receipt})
}

// handleTracker says whether the ballot of a receipt (TB1-…, in any case
// and spacing, or the tracker's 64 hex digits) was sealed into a closed
// session's count, and which session. While a vote is open nothing is said
// of any ballot, so "not found" covers both an unknown receipt and one
// whose session has not closed; such failures are slowed like unknown card
// codes.
func (s *Server) handleTracker(w http.ResponseWriter, r *http.Request) {
	var req trackerRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	code := strings.Join(strings.Fields(req.Tracker), "")
	if code == "" {
		s.fail(w, r, errTrackerMalformed)
		return
	}
	st, err := s.svc.FindTracker(r.Context(), code)
	if err != nil {
		s.failLookup(w, r, err)
		return
	}
	sess := st.Session
	writeJSON(w, http.StatusOK, trackerResponse{Status: "counted",
		Session: trackerSessionJSON{Title: sess.Title, Body: sess.Body, Date: sess.Date}})
}

// parseChoices turns each choice into the levels marked. A string is one
// mark and an array of strings is that many marks ([] is none); anything
// else is refused, since only a broken or hostile client sends it. Level
// codes are checked by the domain, which knows the ballot.
func parseChoices(raw map[string]json.RawMessage) (map[string][]ballot.Level, error) {
	out := make(map[string][]ballot.Level, len(raw))
	for id, v := range raw {
		v = bytes.TrimSpace(v)
		if len(v) == 0 {
			return nil, errBadRequest
		}
		switch v[0] {
		case '"':
			code, ok := jsonString(v)
			if !ok {
				return nil, errBadRequest
			}
			out[id] = []ballot.Level{ballot.Level(code)}
		case '[':
			var items []json.RawMessage
			if err := json.Unmarshal(v, &items); err != nil {
				return nil, errBadRequest
			}
			levels := make([]ballot.Level, 0, len(items))
			for _, it := range items {
				code, ok := jsonString(it)
				if !ok {
					return nil, errBadRequest
				}
				levels = append(levels, ballot.Level(code))
			}
			out[id] = levels
		default:
			return nil, errBadRequest
		}
	}
	return out, nil
}

// decodeJSON reads exactly one JSON object into v. Unknown fields, trailing
// data and repeated member names are refused: a repeated cadre would
// otherwise be silently resolved to its last mark, which DOMAIN.md forbids
// ("never silently fixed"). Member names must be v's exactly: encoding/json
// alone would take "Choices" for "choices", and two names differing in
// case would then pass as distinct and overwrite one another.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return errTooLarge
		}
		return errBadRequest
	}
	if err := checkNames(body, shapeOf(reflect.TypeOf(v))); err != nil {
		if errors.Is(err, errFieldName) {
			return errFieldCase
		}
		return errBadRequest
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errBadRequest
	}
	if _, err := dec.Token(); err != io.EOF {
		return errBadRequest
	}
	return nil
}
