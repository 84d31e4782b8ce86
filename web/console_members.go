package web

import (
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/skip2/go-qrcode"

	"tinnhiem/ballot"
)

// The committee members' links (SPEC.md 11.15), organiser side: the
// console issues a link per member of the counting committee and shows
// them once, as a printable sheet of QR codes and short codes, since the
// log keeps only their hashes; a member who lost a phone gets a new link
// ("Cấp lại") and the old one stops working.

// memberLinksView is what the ceremony section shows of the links: who
// has one, and the member page's assets the log names.
type memberLinksView struct {
	Issued   bool // the committee's links were issued
	Trustees []memberLinkRow
	Assets   string // logged member-page assets (hex), "" before any link
	// Serving is the digest of the member page this server serves; it
	// differs from Assets after a restart with another build.
	Serving  string
	CanIssue bool
}

// memberLinkRow is one trustee in the links' table.
type memberLinkRow struct {
	Number   int
	Name     string
	Issued   bool
	Reissued int
}

// memberLinksOf builds the links' part of the ceremony section.
func (s *Server) memberLinksOf(ctx context.Context, sess *ballot.Session, canWrite bool) (*memberLinksView, error) {
	st, err := s.svc.MemberLinks(ctx, sess.ID)
	if err != nil {
		return nil, err
	}
	v := &memberLinksView{Issued: len(st.Issued) > 0, Assets: st.Assets, Serving: s.svc.MemberAssets,
		CanIssue: canWrite && sess.State != ballot.Tallied && len(sess.Committee) >= 2}
	for i, name := range sess.Committee {
		v.Trustees = append(v.Trustees, memberLinkRow{Number: i + 1, Name: name, Issued: st.Issued[i+1], Reissued: st.Reissued[i+1]})
	}
	return v, nil
}

// memberSheet is the printable page of freshly issued links.
type memberSheet struct {
	Session *ballot.Session
	Links   []memberSheetLink
	Single  bool // one re-issued link, not the whole committee's
}

// memberSheetLink is one link on the sheet: the QR of the full address,
// the address and the code grouped by four for typing.
type memberSheetLink struct {
	Trustee int
	Name    string
	URL     string
	Code    string
	QR      template.URL // a data: URL of the QR code's PNG
}

// MemberURL returns the address of a committee member's page for a link
// code of session id: what the member's QR code encodes.
func MemberURL(baseURL, session, code string) string {
	return baseURL + "/bkp/" + url.PathEscape(session) + "/" + code
}

// sheetLink renders one link for the sheet; the QR is level M, enough for
// a sheet that is printed and scanned the same hour.
func sheetLink(base, session string, l ballot.MemberLink) (memberSheetLink, error) {
	u := MemberURL(base, session, l.Code)
	png, err := qrcode.Encode(u, qrcode.Medium, 320)
	if err != nil {
		return memberSheetLink{}, fmt.Errorf("failed to encode a member link's QR code: %w", err)
	}
	return memberSheetLink{Trustee: l.Trustee, Name: l.Name, URL: u, Code: ballot.FormatCode(l.Code),
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}, nil
}

// handleMemberLinks issues a link for every committee member and shows
// the sheet to print: the only time the codes are ever shown.
func (s *Server) handleMemberLinks(w http.ResponseWriter, r *http.Request, c *call) {
	links, err := s.svc.IssueMemberLinks(r.Context(), c.account.Name, c.session.ID)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	s.renderMemberSheet(w, r, c, links, false)
}

// handleMemberLink re-issues one member's link (a lost phone).
func (s *Server) handleMemberLink(w http.ResponseWriter, r *http.Request, c *call) {
	i, err := strconv.Atoi(r.PostFormValue("trustee"))
	if err != nil {
		s.consoleFail(w, r, errBadRequest)
		return
	}
	link, err := s.svc.IssueMemberLink(r.Context(), c.account.Name, c.session.ID, i)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	s.renderMemberSheet(w, r, c, []ballot.MemberLink{*link}, true)
}

func (s *Server) renderMemberSheet(w http.ResponseWriter, r *http.Request, c *call, links []ballot.MemberLink, single bool) {
	base := s.cardBaseURL(r)
	page := memberSheet{Session: c.session, Single: single}
	for _, l := range links {
		sl, err := sheetLink(base, c.session.ID, l)
		if err != nil {
			s.consoleFail(w, r, ballot.Errorf(ballot.EInternal, "%v", err))
			return
		}
		page.Links = append(page.Links, sl)
	}
	s.renderConsole(w, r, http.StatusOK, "members", c, "console.members", page)
}

func init() {
	for k, t := range memberTexts {
		if _, dup := texts[k]; dup {
			panic("web: text " + k + " is defined twice")
		}
		texts[k] = t
		catalog["vi"][k], catalog["en"][k] = t.vi, t.en
	}
}

// memberTexts are the texts of the committee members' links.
var memberTexts = map[string]text{
	"members.title":     {"Liên kết của Ban kiểm phiếu", "Committee members' links"},
	"members.issue":     {"Phát liên kết cho Ban kiểm phiếu", "Issue the committee's links"},
	"members.reissue":   {"Cấp lại", "Re-issue"},
	"members.help":      {"Mỗi thành viên quét mã QR của mình bằng điện thoại để tạo khóa và sau đó giải mã kết quả. Phát lại cho cả Ban thì mọi liên kết cũ mất hiệu lực; \"Cấp lại\" chỉ thay liên kết của một người (mất điện thoại).", "Each member scans their QR code with their phone to make their key and later decrypt the result. Issuing again voids every earlier link; \"Re-issue\" replaces one member's link only (a lost phone)."},
	"members.issued":    {"Đã phát", "Issued"},
	"members.none":      {"Chưa phát", "Not issued"},
	"members.reissued":  {"Số lần cấp lại", "Times re-issued"},
	"members.assets":    {"Mã băm trang của Ban kiểm phiếu (ghi trong nhật ký)", "Member page asset digest (logged)"},
	"members.serving":   {"Mã băm trang máy chủ đang phục vụ", "Member page asset digest served now"},
	"members.sheet":     {"In trang này và trao cho từng thành viên phần của mình. Mã chỉ hiện một lần: máy chủ không lưu.", "Print this page and hand each member their part. The codes are shown once: the server does not keep them."},
	"members.sheet.one": {"Liên kết mới của một thành viên; liên kết cũ của người này không dùng được nữa.", "One member's new link; their old link no longer works."},
	"members.code":      {"Mã nhập tay", "Code to type"},
	"members.trustee":   {"Thành viên số", "Trustee"},
	"console.members":   {"Liên kết của Ban kiểm phiếu", "Committee members' links"},
}
