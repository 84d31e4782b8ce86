package ballot

import (
	"errors"
	"testing"
)

// TestMarks checks the marks a ballot gets from a voter's choices, through
// the same index the cast path builds for a frozen ballot.
func TestMarks(t *testing.T) {
	cadres := []Cadre{{ID: "c1"}, {ID: "c2"}, {ID: "c3"}}
	H, N, L := High, Normal, Low
	tests := []struct {
		name    string
		choices map[string][]Level
		want    string
		wantKey string
	}{
		{"one mark each", map[string][]Level{"c1": {H}, "c2": {N}, "c3": {L}}, "HNL", ""},
		{"left out and empty", map[string][]Level{"c2": {}}, "---", ""},
		{"two levels", map[string][]Level{"c1": {H, L}, "c2": {N}}, "XN-", ""},
		{"the same level twice", map[string][]Level{"c1": {H, H}, "c2": {N}}, "XN-", ""},
		{"three marks", map[string][]Level{"c3": {L, L, L}}, "--X", ""},
		{"unknown level beside a repeat", map[string][]Level{"c1": {H, "x"}}, "", "unknown_level"},
		{"unknown cadre", map[string][]Level{"c9": {H}}, "", "unknown_cadre"},
	}
	for _, tt := range tests {
		got, err := marksFor(QD96, cadreIndex(cadres), len(cadres), tt.choices)
		if tt.wantKey != "" {
			if !errors.Is(err, &Error{Code: EInvalid, Key: tt.wantKey}) {
				t.Errorf("%s: error %v, want %s", tt.name, err, tt.wantKey)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: marks = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

// TestFormalMarks checks the formal vote's marks (T, K) and that a level
// of the other kind is refused whole, in both directions.
func TestFormalMarks(t *testing.T) {
	cadres := []Cadre{{ID: "c1"}, {ID: "c2"}, {ID: "c3"}}
	got, err := marksFor(NQ96BPT, cadreIndex(cadres), len(cadres),
		map[string][]Level{"c1": {Confidence}, "c2": {NoConfidence}, "c3": {Confidence, NoConfidence}})
	if err != nil || got != "TKX" {
		t.Errorf("formal marks = %q, %v; want TKX", got, err)
	}
	if _, err := marksFor(NQ96BPT, cadreIndex(cadres), len(cadres), map[string][]Level{"c1": {High}}); !errors.Is(err, &Error{Code: EInvalid, Key: "unknown_level"}) {
		t.Errorf("a rating level on a formal ballot: %v, want unknown_level", err)
	}
	if _, err := marksFor(NQ96, cadreIndex(cadres), len(cadres), map[string][]Level{"c1": {NoConfidence}}); !errors.Is(err, &Error{Code: EInvalid, Key: "unknown_level"}) {
		t.Errorf("a formal option on a rating ballot: %v, want unknown_level", err)
	}
}
