package ballot

import (
	"strings"
	"testing"
)

func TestNormalizeToken(t *testing.T) {
	const tok = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	for _, in := range []string{tok, strings.ToLower(tok), FormatCode(tok), " abcd efgh-ijkl mnop qrst uvwx yz23 4567 "} {
		if got, ok := NormalizeToken(in); !ok || got != tok {
			t.Errorf("NormalizeToken(%q) = %q, %v; want %q", in, got, ok, tok)
		}
	}
	for _, in := range []string{"", tok[:31], tok + "A", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234561", "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456!"} {
		if got, ok := NormalizeToken(in); ok {
			t.Errorf("NormalizeToken(%q) = %q, accepted a non-token", in, got)
		}
	}
}

func TestVoteURL(t *testing.T) {
	const tok = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	for _, tt := range []struct{ base, want string }{
		{"http://192.168.1.10:8080", "HTTP://192.168.1.10:8080/V/" + tok},
		{"https://bau.example.vn/", "HTTPS://BAU.EXAMPLE.VN/V/" + tok},
		{"https://example.vn/tn", "HTTPS://EXAMPLE.VN/tn/V/" + tok},
	} {
		if got := VoteURL(tt.base, tok); got != tt.want {
			t.Errorf("VoteURL(%q) = %q, want %q", tt.base, got, tt.want)
		}
	}
}
