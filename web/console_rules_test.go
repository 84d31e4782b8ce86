package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tinnhiem/ballot"
)

var (
	htmlScript = regexp.MustCompile(`(?s)<script[^>]*>.*?</script>`)
	htmlTag    = regexp.MustCompile(`<[^>]*>`)
)

// pageText is what a reader sees of a page: its text without scripts or
// markup, with runs of white space as one space.
func pageText(page string) string {
	page = htmlTag.ReplaceAllString(htmlScript.ReplaceAllString(page, " "), "")
	return strings.Join(strings.Fields(html.UnescapeString(page)), " ")
}

// TestConsoleCommitteeRules names the counting committee through the
// console's form over HTTP: one person, the same name twice in other case
// and spacing, and a cadre being rated are each refused with 400 and a
// sentence in Vietnamese and English, and nothing is saved.
func TestConsoleCommitteeRules(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	ctx := context.Background()
	if err := f.svc.ImportCadres(ctx, "setup", f.sessA, []ballot.Cadre{
		{ID: "c1", Name: "Phạm Văn Dũng", Position: "Bí thư"}, {ID: "c2", Name: "Hoàng Thị Em", Position: "Phó Bí thư"},
	}); err != nil {
		t.Fatal(err)
	}
	b := f.browser().mustLogin("tochuc-a")
	base := "/admin/s/" + f.sessA
	for _, tt := range []struct{ members, vi, en string }{
		{"Ngô Thị Mỹ Duyên\r\n", "Ban kiểm phiếu phải có ít nhất hai người (mới có 1).", "the counting committee needs at least two members"},
		{"Ngô Thị Mỹ Duyên\r\nDương Văn Hùng\r\nngô thị  mỹ duyên ", "“Ngô Thị Mỹ Duyên” và “ngô thị mỹ duyên” là cùng một tên", "are the same name"},
		{"Ngô Thị Mỹ Duyên\r\nphạm văn dũng", "“phạm văn dũng” là người được lấy phiếu tín nhiệm (Phạm Văn Dũng, Bí thư) nên không thể là thành viên Ban kiểm phiếu.", "is a cadre being rated"},
	} {
		res, page := b.do("POST", base+"/committee", url.Values{"csrf": {b.csrf}, "members": {tt.members}})
		text := pageText(page)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(text, tt.vi) || !strings.Contains(text, tt.en) {
			t.Errorf("committee %q: status %d, want 400 with %q and %q:\n%s", tt.members, res.StatusCode, tt.vi, tt.en, text)
		}
	}
	if sess, _ := f.svc.Session(ctx, f.sessA); len(sess.Committee) != 0 {
		t.Fatalf("a refused committee was saved: %q", sess.Committee)
	}
	if res, _ := b.do("POST", base+"/committee", url.Values{"csrf": {b.csrf}, "members": {"Ngô Thị Mỹ Duyên\r\nDương Văn Hùng"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a valid committee: status %d, want 303", res.StatusCode)
	}
}

// TestConsoleWarnsOfMoreCardsThanPresent opens, from the console over
// HTTP, a vote with four cards for two members present: the confirmation
// page says so before opening, and the session page after opening shows the
// figures the log recorded at opening, also once a third member has checked
// in. A vote with as many cards as members present shows no warning.
func TestConsoleWarnsOfMoreCardsThanPresent(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	ctx := context.Background()
	prepare := func(id string, cards int) {
		t.Helper()
		ok := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		ok(f.svc.ImportRoster(ctx, "setup", id, []ballot.Member{{Name: "Nguyễn Văn An"}, {Name: "Trần Thị Bình"}, {Name: "Lê Văn Cường"}}))
		ok(f.svc.ImportCadres(ctx, "setup", id, []ballot.Cadre{{ID: "c1", Name: "Phạm Văn Dũng", Position: "Bí thư"}}))
		_, err := f.svc.CheckIn(ctx, "setup", id, []string{"Nguyễn Văn An", "Trần Thị Bình"}, false)
		ok(err)
		ok(f.svc.IssueTokens(ctx, "setup", id, cards, func([]string) error { return nil }))
	}
	prepare(f.sessA, 4)
	prepare(f.sessB, 2)
	const warning = "Cảnh báo: số thẻ đã phát (4) nhiều hơn số người có mặt (2)."

	b := f.browser().mustLogin("tochuc-a")
	base := "/admin/s/" + f.sessA
	if _, page := b.do("GET", base+"/open", nil); !strings.Contains(pageText(page), warning) {
		t.Errorf("the confirmation to open lacks %q:\n%s", warning, pageText(page))
	}
	res, _ := b.do("POST", base+"/open", url.Values{"csrf": {b.csrf}, "confirm": {"yes"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("open = %d", res.StatusCode)
	}
	_, page := b.do("GET", res.Header.Get("Location"), nil)
	if text := pageText(page); !strings.Contains(text, warning) || !strings.Contains(text, "Đã mở phiên bỏ phiếu.") {
		t.Errorf("the session page after opening lacks %q:\n%s", warning, text)
	}
	if _, err := f.svc.CheckIn(ctx, "setup", f.sessA, []string{"Lê Văn Cường"}, false); err != nil {
		t.Fatal(err)
	}
	_, page = b.do("GET", base, nil)
	if text := pageText(page); !strings.Contains(text, warning) || !strings.Contains(text, "Số liệu lúc mở phiên") {
		t.Errorf("the session page after a later check-in lacks the figures at opening %q:\n%s", warning, text)
	}

	other := f.browser().mustLogin("tochuc-b")
	base = "/admin/s/" + f.sessB
	if _, page := other.do("GET", base+"/open", nil); strings.Contains(pageText(page), "Cảnh báo") {
		t.Errorf("the confirmation warns with two cards for two present:\n%s", pageText(page))
	}
	other.do("POST", base+"/open", url.Values{"csrf": {other.csrf}, "confirm": {"yes"}})
	if _, page := other.do("GET", base, nil); strings.Contains(pageText(page), "Cảnh báo") || !strings.Contains(page, `data-state="open"`) {
		t.Errorf("the open session with two cards for two present warns, or is not open:\n%s", pageText(page))
	}
}
