package web

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"tinnhiem/tally"
	"tinnhiem/verify"
)

// TestSameLevelTwiceIsInvalidForThatCadre sends the forged request of
// issue 10 (item 8) over HTTP: two marks of one level on c1 are two marks,
// so c1's line is sealed as X and counted invalid for c1 only, while the
// same ballot still counts for c2.
func TestSameLevelTwiceIsInvalidForThatCadre(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2})
	status, body := f.post("/api/v1/cast", `{"token":"`+f.tokens[0]+`","choices":{"c1":["high","high"],"c2":"normal"}}`)
	if status != http.StatusCreated {
		t.Fatalf("cast: status %d, body %s", status, body)
	}
	if got, want := f.sealedMarks(), []string{"XN---"}; !slices.Equal(got, want) {
		t.Fatalf("sealed marks = %q, want %q", got, want)
	}
	entries, _, err := f.svc.Log(context.Background(), f.session)
	if err != nil {
		t.Fatal(err)
	}
	replay, err := verify.ReplayLog(entries)
	if err != nil {
		t.Fatal(err)
	}
	res, err := replay.Count()
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := res.Cadres[0], res.Cadres[1]
	if c1.Valid != 0 || c1.Invalid != 1 || c1.Counts != [3]int{} {
		t.Errorf("c1 counted %d valid, %d invalid, counts %v; want 0 valid, 1 invalid, no level counted", c1.Valid, c1.Invalid, c1.Counts)
	}
	if c2.Valid != 1 || c2.Invalid != 0 || c2.Counts[tally.LevelNormal] != 1 {
		t.Errorf("c2 counted %d valid, %d invalid, counts %v; want the ballot's one normal mark", c2.Valid, c2.Invalid, c2.Counts)
	}
}

// TestFieldNamesMatchExactly sends requests whose member names differ from
// the API's only in letter case. encoding/json matches names without
// regard to case, so "Choices" beside "choices" would pass the repeated
// name check and replace the voter's choices; every such request must be
// refused with 400, record nothing, and leave the card usable.
func TestFieldNamesMatchExactly(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2})
	tok := f.tokens[0]
	for _, tt := range []struct{ name, path, body string }{
		{"Choices instead of choices", "/api/v1/cast", `{"token":"` + tok + `","Choices":{"c1":"high"}}`},
		{"choices and Choices", "/api/v1/cast", `{"token":"` + tok + `","choices":{"c1":"high"},"Choices":{"c1":"low"}}`},
		{"Token", "/api/v1/cast", `{"Token":"` + tok + `","choices":{"c1":"high"}}`},
		{"token and TOKEN", "/api/v1/cast", `{"token":"` + f.tokens[1] + `","TOKEN":"` + tok + `","choices":{"c1":"high"}}`},
		{"escaped upper case", "/api/v1/cast", `{"token":"` + tok + `","\u0043hoices":{"c1":"high"}}`},
		{"long s folds to s", "/api/v1/cast", `{"token":"` + tok + `","choiceſ":{"c1":"high"}}`},
		{"Kelvin sign folds to k", "/api/v1/ballot", `{"to` + "\u212a" + `en":"` + tok + `"}`},
		{"Token on the form", "/api/v1/ballot", `{"Token":"` + tok + `"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := f.post(tt.path, tt.body)
			wantError(t, status, body, http.StatusBadRequest, "field_name")
		})
	}
	if got := f.ballotCount(); got != 0 {
		t.Fatalf("refused requests recorded %d ballots", got)
	}
	if status, body := f.cast(tok, map[string]any{"c1": "low"}); status != http.StatusCreated {
		t.Fatalf("the card after the refused requests: status %d, body %s", status, body)
	}
	if got, want := f.sealedMarks(), []string{"L----"}; !slices.Equal(got, want) {
		t.Errorf("sealed marks = %q, want %q", got, want)
	}
}
