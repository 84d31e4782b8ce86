package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tinnhiem/ballot"
)

func TestParseChoices(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string][]ballot.Level
		wantErr bool
	}{
		{`{}`, map[string][]ballot.Level{}, false},
		{`{"c1": "high"}`, map[string][]ballot.Level{"c1": {"high"}}, false},
		{`{"c1": ["high", "low"]}`, map[string][]ballot.Level{"c1": {"high", "low"}}, false},
		{`{"c1": []}`, map[string][]ballot.Level{"c1": {}}, false},
		{`{"c1": "whatever"}`, map[string][]ballot.Level{"c1": {"whatever"}}, false}, // the domain judges levels
		{`{"c1": 1}`, nil, true},
		{`{"c1": true}`, nil, true},
		{`{"c1": null}`, nil, true},
		{`{"c1": {}}`, nil, true},
		{`{"c1": ["high", null]}`, nil, true},
		{`{"c1": [["high"]]}`, nil, true},
		{`{"c1": [1]}`, nil, true},
	}
	for _, tt := range tests {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(tt.in), &raw); err != nil {
			t.Fatal(err)
		}
		got, err := parseChoices(raw)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseChoices(%s) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("parseChoices(%s) = %v, want %v", tt.in, got, tt.want)
		}
		for k, v := range tt.want {
			if !slices.Equal(got[k], v) {
				t.Errorf("parseChoices(%s)[%s] = %v, want %v", tt.in, k, got[k], v)
			}
		}
	}
}

func TestCheckUniqueNames(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{`{"a": 1, "b": 2}`, true},
		{`{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}`, true},
		{`{"a": [], "b": {}, "c": [[{}]]}`, true},
		{`[{"a": 1}, {"a": 1}]`, true},
		{`"a"`, true},
		{`{"a": 1, "a": 2}`, false},
		{`{"a": {"b": 1, "b": 1}}`, false},
		{`{"a": [{"x": 1, "x": 2}]}`, false},
		{`{"a": {"b": 1}, "a": 2}`, false},
		{`{"a": 1,`, false},
		{`{"a" 1}`, false},
	}
	for _, tt := range tests {
		if err := checkUniqueNames([]byte(tt.in)); (err == nil) != tt.ok {
			t.Errorf("checkUniqueNames(%s) = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}

func decodeCast(body string) (castRequest, error) {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/cast", strings.NewReader(body))
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, maxAPIBody)
	var req castRequest
	err := decodeJSON(r, &req)
	return req, err
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{`{"token": "x", "choices": {"c1": "high"}}`, nil},
		{` {"token": "x"} `, nil},
		{`{"token": "x"} {"token": "y"}`, errBadRequest},
		{`{"token": "x", "extra": 1}`, errBadRequest},
		{`{"token": 1}`, errBadRequest},
		{`{"choices": {"c1": "a", "c1": "b"}}`, errBadRequest},
		{`{"Token": "x"}`, errFieldCase},
		{`{"token": "x", "choices": {}, "Choices": {"c1": "low"}}`, errFieldCase},
		{`{"token": "x", "choices": {"C1": "high", "c1": "low"}}`, nil}, // cadre IDs are data: the domain judges them
		{``, errBadRequest},
		{`nul`, errBadRequest},
		{`{"token": "` + strings.Repeat("x", maxAPIBody) + `"}`, errTooLarge},
	}
	for _, tt := range tests {
		_, err := decodeCast(tt.in)
		if !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
			name := tt.in
			if len(name) > 60 {
				name = name[:60] + "…"
			}
			t.Errorf("decode(%s) = %v, want %v", name, err, tt.want)
		}
	}
}

// FuzzCastRequest checks the whole decoding path of a ballot: it never
// panics, it accepts only what encoding/json accepts, and what it accepts
// has no repeated cadre, only string choices, and no member name but
// "token" and "choices", spelled exactly.
func FuzzCastRequest(f *testing.F) {
	for _, s := range []string{
		`{"token": "AAAA", "choices": {"c1": "high", "c2": ["low", "normal"], "c3": []}}`,
		`{"token": "AAAA", "choices": {"c1": "high", "c1": "low"}}`,
		`{"token": "AAAA", "choices": {"c1": 1}}`,
		`{"token": "AAAA", "choices": {"c1": [null]}}`,
		`{"token": "AAAA", "choices": null}`,
		`{"token": "AAAA"} []`,
		`[{"a": {"b": [1, {"c": 2, "c": 3}]}}]`,
		`{"token": "\u0041", "choices": {"\u0063\u0031": "high", "c1": "low"}}`,
		`{"token": "AAAA", "choices": {"c1": "high"}, "Choices": {"c1": "low"}}`,
		`{"toKen": "AAAA", "choices": {}}`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req, err := decodeCast(body)
		if err != nil {
			return
		}
		var plain castRequest
		if err := json.Unmarshal([]byte(body), &plain); err != nil {
			t.Fatalf("decodeJSON accepted what encoding/json refuses (%v): %q", err, body)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &top); err != nil {
			t.Fatal(err)
		}
		for name := range top {
			if name != "token" && name != "choices" {
				t.Fatalf("decodeJSON accepted the member name %q: %q", name, body)
			}
		}
		choices, err := parseChoices(req.Choices)
		if err != nil {
			return
		}
		for id, levels := range choices {
			raw := strings.TrimSpace(string(req.Choices[id]))
			if raw[0] == '"' && len(levels) != 1 {
				t.Fatalf("a string choice became %d marks: %q", len(levels), body)
			}
		}
	})
}

// BenchmarkDecodeCast decodes a ballot of 30 cadres as the cast route
// does, the name checks included.
func BenchmarkDecodeCast(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"token": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "choices": {`)
	for i := range 30 {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(`"c` + strconv.Itoa(i+1) + `": "` + levelCodes[i%3] + `"`)
	}
	sb.WriteString("}}")
	body := sb.String()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeCast(body); err != nil {
			b.Fatal(err)
		}
	}
}
