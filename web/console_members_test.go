package web

import (
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/internal/testtool"
)

var sheetQR = regexp.MustCompile(`src="data:image/png;base64,([A-Za-z0-9+/=]+)"`)

// readSheetQRs decodes every QR code of a printable links sheet with
// zbarimg, as a phone's camera reads the printed page.
func readSheetQRs(t *testing.T, body string) []string {
	t.Helper()
	testtool.NeedTools(t, "zbarimg")
	var out []string
	for i, m := range sheetQR.FindAllStringSubmatch(html.UnescapeString(body), -1) {
		png, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "qr.png")
		if err := os.WriteFile(path, png, 0o600); err != nil {
			t.Fatal(err)
		}
		raw, err := exec.Command("zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", path).Output()
		if err != nil {
			t.Fatalf("zbarimg on QR %d: %v", i+1, err)
		}
		out = append(out, strings.TrimSpace(string(raw)))
	}
	return out
}

// TestConsoleMemberLinks issues the committee's links from the console of
// an encrypted session: the sheet shows one readable QR code and short
// code per member, each opening its own trustee; "Cấp lại" replaces one
// member's link; the page shows who has a link and the logged assets; an
// organiser of another organisation and an inspector may do neither.
func TestConsoleMemberLinks(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	ctx := t.Context()
	f.svc.MemberAssets = strings.Repeat("ef", 32)
	sess, err := f.svc.CreateSessionIn(ctx, "setup", ballot.NewSession{Org: testOrgA, Title: "Hội nghị mã hóa",
		Body: "Ban Chấp hành " + testOrgA, Date: "2026-11-22", Place: "Hội trường", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	id := sess.ID
	committee := []string{"Ngô Thị Mỹ Duyên", "Vũ Minh Khang", "Lý Thu Hà"}
	if err := f.svc.SetCommittee(ctx, "setup", id, committee); err != nil {
		t.Fatal(err)
	}
	b := f.browser().mustLogin("tochuc-a")
	base := "/admin/s/" + id
	_, body := b.do("GET", base, nil)
	if p := visible(body); !strings.Contains(p, "Phát liên kết cho Ban kiểm phiếu") || !strings.Contains(p, "Chưa phát") {
		t.Fatalf("session page lacks the links section:\n%s", p)
	}
	for _, who := range []string{"tochuc-b", "kiemtra-a"} {
		o := f.browser().mustLogin(who)
		if res, _ := o.do("POST", base+"/members", url.Values{"csrf": {o.csrf}}); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
			t.Errorf("%s issues links: %d", who, res.StatusCode)
		}
	}
	if st, _ := f.svc.MemberLinks(ctx, id); len(st.Issued) != 0 {
		t.Fatalf("refused requests issued links: %+v", st)
	}

	res, body := b.do("POST", base+"/members", url.Values{"csrf": {b.csrf}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST members = %d:\n%s", res.StatusCode, visible(body))
	}
	urls := readSheetQRs(t, body)
	if len(urls) != 3 {
		t.Fatalf("the sheet has %d readable QR codes, want 3", len(urls))
	}
	codes := map[int]string{}
	for i, u := range urls {
		prefix := f.url + "/bkp/" + id + "/"
		if !strings.HasPrefix(u, prefix) {
			t.Fatalf("QR %d encodes %q, want %s…", i+1, u, prefix)
		}
		code := strings.TrimPrefix(u, prefix)
		m, err := f.svc.Member(ctx, id, code)
		if err != nil || m.Trustee != i+1 || m.Name != committee[i] {
			t.Errorf("QR %d opens %+v, %v", i+1, m, err)
		}
		if !strings.Contains(visible(body), ballot.FormatCode(code)) {
			t.Errorf("the sheet lacks the short code of trustee %d", i+1)
		}
		codes[i+1] = code
	}

	_, body = b.do("GET", base, nil)
	p := visible(body)
	for _, want := range []string{"1Ngô Thị Mỹ Duyên✓ Đã phát0 Cấp lại", strings.Repeat("ef", 32)} {
		if !strings.Contains(p, want) {
			t.Errorf("session page lacks %q:\n%s", want, p)
		}
	}
	res, body = b.do("POST", base+"/members/reissue", url.Values{"csrf": {b.csrf}, "trustee": {"2"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("re-issue = %d:\n%s", res.StatusCode, visible(body))
	}
	again := readSheetQRs(t, body)
	if len(again) != 1 {
		t.Fatalf("the re-issued sheet has %d QR codes", len(again))
	}
	if m, err := f.svc.Member(ctx, id, strings.TrimPrefix(again[0], f.url+"/bkp/"+id+"/")); err != nil || m.Trustee != 2 {
		t.Errorf("the re-issued link opens %+v, %v", m, err)
	}
	if _, err := f.svc.Member(ctx, id, codes[2]); ballot.ErrorCode(err) != ballot.ENotFound {
		t.Errorf("the old link of trustee 2 still opens: %v", err)
	}
	entries, _, err := f.svc.Log(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		for _, c := range codes {
			if strings.Contains(string(e.Data), c) {
				t.Errorf("entry %d (%s) holds a member code", e.Seq, e.Type)
			}
		}
	}
	if entries[len(entries)-1].Type != audit.MemberLinkIssued {
		t.Errorf("last entry %s", entries[len(entries)-1].Type)
	}
	if res, _ := b.do("POST", base+"/members/reissue", url.Values{"csrf": {b.csrf}, "trustee": {"9"}}); res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
		t.Errorf("re-issue for trustee 9 = %d", res.StatusCode)
	}
}
