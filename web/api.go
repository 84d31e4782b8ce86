package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"

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
type castRequest struct {
	Token   string                     `json:"token"`
	Choices map[string]json.RawMessage `json:"choices"`
}

type sessionJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
	Date  string `json:"date"`
	Place string `json:"place"`
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
}

type castResponse struct {
	Receipt string `json:"receipt"`
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
	resp := formResponse{
		Session: sessionJSON{ID: sess.ID, Title: sess.Title, Body: sess.Body, Date: sess.Date, Place: sess.Place},
		Cadres:  make([]cadreJSON, len(form.Cadres)),
		Levels:  make([]levelJSON, len(ballot.Levels)),
	}
	for i, c := range form.Cadres {
		resp.Cadres[i] = cadreJSON{ID: c.ID, Name: c.Name, Position: c.Position}
	}
	for i, l := range ballot.Levels {
		resp.Levels[i] = levelJSON{Code: l, Label: l.Vietnamese(), LabelEN: l.English()}
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
	if req.Token == "" || req.Choices == nil {
		s.fail(w, r, errBadRequest)
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
