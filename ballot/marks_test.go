package ballot_test

import (
	"errors"
	"testing"

	"tinnhiem/ballot"
)

func TestMarksFor(t *testing.T) {
	cadres := []ballot.Cadre{{ID: "c1"}, {ID: "c2"}, {ID: "c3"}}
	H, N, L := ballot.High, ballot.Normal, ballot.Low
	tests := []struct {
		name    string
		choices map[string][]ballot.Level
		want    string
		wantKey string
	}{
		{"one mark each", map[string][]ballot.Level{"c1": {H}, "c2": {N}, "c3": {L}}, "HNL", ""},
		{"left out and empty", map[string][]ballot.Level{"c2": {}}, "---", ""},
		{"two levels", map[string][]ballot.Level{"c1": {H, L}, "c2": {N}}, "XN-", ""},
		{"the same level twice", map[string][]ballot.Level{"c1": {H, H}, "c2": {N}}, "XN-", ""},
		{"three marks", map[string][]ballot.Level{"c3": {L, L, L}}, "--X", ""},
		{"unknown level beside a repeat", map[string][]ballot.Level{"c1": {H, "x"}}, "", "unknown_level"},
		{"unknown cadre", map[string][]ballot.Level{"c9": {H}}, "", "unknown_cadre"},
	}
	for _, tt := range tests {
		got, err := ballot.MarksFor(cadres, tt.choices)
		if tt.wantKey != "" {
			if !errors.Is(err, &ballot.Error{Code: ballot.EInvalid, Key: tt.wantKey}) {
				t.Errorf("%s: error %v, want %s", tt.name, err, tt.wantKey)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: MarksFor = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}
