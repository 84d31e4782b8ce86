package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
)

// The member page of the counting committee (/bkp/SESSION/CODE, SPEC.md
// 11.15) and its API under /api/v1/member/: a member's phone makes its
// share of the key in the browser, takes part in the ceremony through the
// server, and after close decrypts its share of the sums. The server never
// sees a secret: the page keeps it in IndexedDB. Every request carries the
// session and the member code in its JSON body, never in a URL, so that no
// log line or Referer holds it; a wrong code is slowed like a wrong card.

// memberAssetPaths are the embedded files the member page and its paper
// section (/bkp/phieu-giay) are made of, in a fixed order, like
// voterAssetPaths: both are served to committee members, so one logged
// digest covers both.
var memberAssetPaths = []string{
	"static/box.js",
	"static/common.js",
	"static/member.js",
	"static/member-sum.js",
	"static/paper.js",
	"static/style.css",
	"templates/layout.html",
	"templates/member.html",
	"templates/paper.html",
}

// MemberAssets returns the SHA-256 of every embedded file of the committee's
// member page and the digest of that list, computed as VoterAssets does:
// `tinnhiem serve` sets the digest as ballot.Service.MemberAssets, which is
// logged with the members' links and again when it changes.
func MemberAssets() ([]VoterAsset, [32]byte) { return assetDigest(memberAssetPaths) }

// handleMemberPage serves the member page for /bkp/{session}/{code} and
// /bkp/. Like the voter page it ignores the path: the page's script reads
// the code from the address bar, removes it from there and from the
// history, and sends it only in request bodies.
func (s *Server) handleMemberPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, s.pages.member, pageData{Title: "member.title", Script: "member.js", Box: true})
}

// memberRequest is what every member API request carries.
type memberRequest struct {
	Session string          `json:"session"`
	Member  string          `json:"member"`
	Message json.RawMessage `json:"message,omitempty"` // /message: a ceremony message
	Partial json.RawMessage `json:"partial,omitempty"` // /partial: a partial decryption
	Ballot  json.RawMessage `json:"ballot,omitempty"`  // /paper: the ballot made of a paper's code and marks
}

// memberCall decodes a member request and checks its code; on failure it
// has answered already and returns nil.
func (s *Server) memberCall(w http.ResponseWriter, r *http.Request) (*memberRequest, *ballot.MemberAccess) {
	var req memberRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return nil, nil
	}
	if req.Session == "" || req.Member == "" {
		s.fail(w, r, errBadRequest)
		return nil, nil
	}
	m, err := s.svc.Member(r.Context(), req.Session, req.Member)
	if err != nil {
		s.failMember(w, r, err)
		return nil, nil
	}
	return &req, m
}

// failMember answers a member API error; an unknown code is answered late,
// as an unknown card is (ratelimit.go), so that codes cannot be guessed
// quickly.
func (s *Server) failMember(w http.ResponseWriter, r *http.Request, err error) {
	var e *ballot.Error
	if !errors.As(err, &e) || e.Key != "member_link_unknown" {
		s.fail(w, r, err)
		return
	}
	wait, ok := s.lookups.reserve(clientAddress(r))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
		var b errorBody
		b.Error.Code = "rate_limited"
		b.Error.Message = "Liên kết thành viên Ban kiểm phiếu không hợp lệ, và đã có rất nhiều mã sai từ mạng này. Hãy thử lại sau ít giây."
		b.Error.MessageEN = "The committee member's link is not valid, and very many wrong codes have come from this network. Try again in a few seconds."
		writeJSON(w, http.StatusTooManyRequests, b)
		return
	}
	sleep(r.Context(), wait)
	s.fail(w, r, err)
}

// memberStateJSON is what the member page shows and decides its next step
// from.
type memberStateJSON struct {
	Session  sessionJSON `json:"session"`
	State    string      `json:"state"` // draft, open, closed, tallied
	Trustee  int         `json:"trustee"`
	Name     string      `json:"name"`
	N        int         `json:"n"`
	T        int         `json:"t"`
	Assets   string      `json:"assets"` // the member page's digest as served
	Ceremony struct {
		Completed bool  `json:"completed"`
		Round1    []int `json:"round1"` // trustees whose message of the round is in
		Round2    []int `json:"round2"`
		Round3    []int `json:"round3"`
		Qualified []int `json:"qualified"`
		// JointKey (base64url) and ResultSHA256 are what the console shows
		// too, for the members to compare.
		JointKey     string `json:"joint_key,omitempty"`
		ResultSHA256 string `json:"result_sha256,omitempty"`
	} `json:"ceremony"`
	Partials struct {
		Valid  int    `json:"valid"`
		Needed int    `json:"needed"`
		Mine   string `json:"mine"` // "", "valid" or "invalid"
	} `json:"partials"`
}

// handleMemberState answers who the code belongs to and where the session
// and its ceremony stand.
func (s *Server) handleMemberState(w http.ResponseWriter, r *http.Request) {
	_, m := s.memberCall(w, r)
	if m == nil {
		return
	}
	ctx := r.Context()
	sess, err := s.svc.Session(ctx, m.Session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.svc.Ceremony(ctx, m.Session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var out memberStateJSON
	out.Session = sessionJSON{ID: sess.ID, Title: sess.Title, Body: sess.Body, Date: sess.Date, Place: sess.Place}
	out.State, out.Trustee, out.Name, out.N, out.T, out.Assets = string(sess.State), m.Trustee, m.Name, st.N, st.T, s.svc.MemberAssets
	c := &out.Ceremony
	c.Round1, c.Round2, c.Round3, c.Qualified = []int{}, []int{}, []int{}, []int{}
	for _, ts := range st.Trustees {
		if ts.Round1 {
			c.Round1 = append(c.Round1, ts.Number)
		}
		if ts.Round2 {
			c.Round2 = append(c.Round2, ts.Number)
		}
		if ts.Round3 {
			c.Round3 = append(c.Round3, ts.Number)
		}
		if st.Completed && ts.Disqualified == "" && !ts.Absent {
			c.Qualified = append(c.Qualified, ts.Number)
		}
	}
	if st.Completed {
		c.Completed = true
		c.JointKey = base64.RawURLEncoding.EncodeToString(st.JointKey[:])
		sum := sha256.Sum256(resultFile(st.Result))
		c.ResultSHA256 = hex.EncodeToString(sum[:])
	}
	out.Partials.Needed = st.T
	if st.Completed && (sess.State == ballot.Closed || sess.State == ballot.Tallied) {
		partials, valid, err := s.partialsOf(ctx, sess.ID, st.Result)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out.Partials.Valid, out.Partials.Mine = valid, partials[m.Trustee]
	}
	writeJSON(w, http.StatusOK, out)
}

// memberMessagesJSON is every ceremony message logged so far, in log order,
// and the result once the ceremony completed: what the page's next round
// and its decryption key are computed from.
type memberMessagesJSON struct {
	Messages []json.RawMessage `json:"messages"`
	Result   json.RawMessage   `json:"result,omitempty"`
}

func (s *Server) handleMemberMessages(w http.ResponseWriter, r *http.Request) {
	_, m := s.memberCall(w, r)
	if m == nil {
		return
	}
	st, err := s.svc.Ceremony(r.Context(), m.Session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := memberMessagesJSON{Messages: st.Messages}
	if out.Messages == nil {
		out.Messages = []json.RawMessage{}
	}
	if st.Completed {
		out.Result = st.Result
	}
	writeJSON(w, http.StatusOK, out)
}

// handleMemberMessage records one of the member's own ceremony messages.
func (s *Server) handleMemberMessage(w http.ResponseWriter, r *http.Request) {
	s.memberRecord(w, r, func(q *memberRequest) json.RawMessage { return q.Message }, s.svc.MemberMessage)
}

// memberRecord checks a member request, takes the document it carries
// (part) and hands it to record with the member's session and code: the
// one path of the member's ceremony messages and partial decryptions.
func (s *Server) memberRecord(w http.ResponseWriter, r *http.Request, part func(*memberRequest) json.RawMessage,
	record func(ctx context.Context, id, code string, data []byte) error) {
	req, m := s.memberCall(w, r)
	if m == nil {
		return
	}
	data := part(req)
	if len(data) == 0 {
		s.fail(w, r, errBadRequest)
		return
	}
	if err := record(r.Context(), m.Session, req.Member, data); err != nil {
		s.failMember(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		OK bool `json:"ok"`
	}{true})
}

// memberTallyJSON is what a trustee's device decrypts, with what it checks
// first: the encrypted tally as logged and every sealed ballot, whose sum
// it must be.
type memberTallyJSON struct {
	Tally   json.RawMessage   `json:"tally"`
	Ballots []json.RawMessage `json:"ballots"`
	Lines   int               `json:"lines"`
	Options int               `json:"options"`
	Result  json.RawMessage   `json:"result"` // the ceremony's, for the verification keys
}

func (s *Server) handleMemberTally(w http.ResponseWriter, r *http.Request) {
	_, m := s.memberCall(w, r)
	if m == nil {
		return
	}
	ctx := r.Context()
	sum, p, err := s.svc.EncryptedTally(ctx, m.Session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ballots, err := s.svc.SealedBallots(ctx, m.Session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.svc.Ceremony(ctx, m.Session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ballots == nil {
		ballots = []json.RawMessage{}
	}
	writeJSON(w, http.StatusOK, memberTallyJSON{Tally: box.FormatTally(sum), Ballots: ballots, Lines: p.Lines, Options: p.Options, Result: st.Result})
}

// handleMemberPartial records the member's own partial decryption.
func (s *Server) handleMemberPartial(w http.ResponseWriter, r *http.Request) {
	s.memberRecord(w, r, func(q *memberRequest) json.RawMessage { return q.Partial }, s.svc.MemberPartial)
}

// memberFromLog reports, for the console, which ceremony rounds and
// partials of each trustee came from a member page rather than a file.
func memberFromLog(entries []audit.Entry) map[int]map[audit.Type]bool {
	out := map[int]map[audit.Type]bool{}
	for _, e := range entries {
		switch e.Type {
		case audit.KeyCeremonyRound1, audit.KeyCeremonyRound2, audit.KeyCeremonyRound3, audit.PartialDecryption:
		default:
			continue
		}
		if !ballot.FromMemberPage(e.Actor) {
			continue
		}
		var head struct {
			Trustee int `json:"trustee"`
		}
		if json.Unmarshal(e.Data, &head) != nil {
			continue
		}
		if out[head.Trustee] == nil {
			out[head.Trustee] = map[audit.Type]bool{}
		}
		out[head.Trustee][e.Type] = true
	}
	return out
}

func init() {
	for k, t := range memberPageTexts {
		if _, dup := texts[k]; dup {
			panic("web: text " + k + " is defined twice")
		}
		texts[k] = t
		catalog["vi"][k], catalog["en"][k] = t.vi, t.en
	}
}

// memberPageTexts are the member page's texts.
var memberPageTexts = map[string]text{
	"member.title":          {"Thành viên Ban kiểm phiếu", "Counting committee member"},
	"member.loading":        {"Đang mở trang của thành viên Ban kiểm phiếu…", "Opening the committee member's page…"},
	"member.you":            {"Thành viên số", "Trustee"},
	"member.of":             {"Số thành viên (n) / ngưỡng giải mã (t)", "Trustees (n) / threshold (t)"},
	"member.assets":         {"Mã băm của trang này", "This page's asset digest"},
	"member.nolink":         {"Trang này cần liên kết riêng của thành viên (mã QR do tổ chức hội nghị phát). Hãy quét lại mã QR của mình.", "This page needs the member's own link (the QR code the organiser handed out). Scan your QR code again."},
	"member.keygen":         {"Tạo khóa", "Make my key"},
	"member.keygen.help":    {"Bấm \"Tạo khóa\": điện thoại tạo phần khóa của bạn; phần bí mật chỉ nằm trên máy này và không bao giờ được gửi đi.", "Tap \"Make my key\": the phone makes your share of the key; the secret part stays on this device and is never sent."},
	"member.step.round1":    {"Đã gửi vòng 1. Đang chờ các thành viên khác…", "Round 1 sent. Waiting for the other members…"},
	"member.step.round2":    {"Đã gửi vòng 2. Đang chờ các thành viên khác…", "Round 2 sent. Waiting for the other members…"},
	"member.step.round3":    {"Đã gửi vòng 3. Chờ tổ chức hội nghị hoàn tất lễ tạo khóa…", "Round 3 sent. Waiting for the organiser to complete the ceremony…"},
	"member.missing":        {"Còn chờ thành viên số", "Still waiting for trustees"},
	"member.continue":       {"Tiếp tục không chờ", "Go on without them"},
	"member.continue.help":  {"Chỉ bấm khi tổ chức hội nghị xác nhận các thành viên này vắng mặt: lễ tạo khóa tiếp tục không có họ.", "Tap only when the organiser confirms these members are absent: the ceremony goes on without them."},
	"member.step.working":   {"Điện thoại đang tính, xin chờ…", "The phone is computing, please wait…"},
	"member.done":           {"Đã xong", "Done"},
	"member.done.help":      {"Lễ tạo khóa đã hoàn tất. Hãy so dấu vân tay khóa chung dưới đây với màn hình của tổ chức hội nghị.", "The key ceremony is complete. Compare the joint key's fingerprint below with the organiser's screen."},
	"member.fingerprint":    {"Dấu vân tay khóa chung", "Joint key fingerprint"},
	"member.nosecret":       {"Máy này không giữ khóa của bạn. Nếu bạn đã sao lưu, hãy khôi phục từ tệp sao lưu.", "This device does not hold your key. If you made a backup, restore it from the backup file."},
	"member.excluded":       {"Bạn không giữ phần khóa của phiên này (vắng mặt hoặc bị loại khi hoàn tất lễ tạo khóa).", "You hold no share of this session's key (absent or disqualified when the ceremony completed)."},
	"member.backup":         {"Tải bản sao lưu", "Download a backup"},
	"member.backup.help":    {"Bản sao lưu được khóa bằng mật khẩu bạn chọn; không có mật khẩu thì không mở được. Cất giữ tệp và mật khẩu riêng nhau.", "The backup is locked with a passphrase you choose; without it the file cannot be opened. Keep the file and the passphrase apart."},
	"member.passphrase":     {"Mật khẩu sao lưu", "Backup passphrase"},
	"member.passphrase2":    {"Nhập lại mật khẩu", "Type the passphrase again"},
	"member.passphrase.bad": {"Hai lần nhập mật khẩu không giống nhau, hoặc mật khẩu ngắn hơn 8 ký tự.", "The two passphrases differ, or the passphrase is shorter than 8 characters."},
	"member.backup.ok":      {"Đã tạo bản sao lưu.", "Backup made."},
	"member.backup.qr":      {"Mã sao lưu để in (quét để khôi phục)", "Backup code to print (scan to restore)"},
	"member.restore":        {"Khôi phục", "Restore"},
	"member.restore.file":   {"Tệp sao lưu", "Backup file"},
	"member.restore.ok":     {"Đã khôi phục khóa trên máy này.", "The key is restored on this device."},
	"member.restore.bad":    {"Không mở được tệp sao lưu: sai mật khẩu, hoặc tệp không phải bản sao lưu của thành viên này.", "The backup does not open: a wrong passphrase, or not this member's backup."},
	"member.decrypt":        {"Giải mã kết quả", "Decrypt the result"},
	"member.decrypt.help":   {"Phiên đã đóng. Bấm \"Giải mã kết quả\": điện thoại kiểm tra rằng bảng cộng mã hóa đúng là tổng của các phiếu đã niêm phong, rồi giải mã phần của bạn.", "The vote is closed. Tap \"Decrypt the result\": the phone checks that the encrypted tally is the sum of the sealed ballots, then decrypts your share."},
	"member.decrypt.sum":    {"Đang cộng lại các phiếu đã niêm phong…", "Adding up the sealed ballots…"},
	"member.decrypt.ok":     {"Đã gửi phần giải mã của bạn.", "Your partial decryption is sent."},
	"member.decrypt.refused": {"Từ chối giải mã: bảng cộng máy chủ gửi không phải là tổng của các phiếu đã niêm phong. Không có gì được giải mã. Hãy báo ngay cho Ban kiểm phiếu và tổ chức hội nghị.",
		"Decryption refused: the tally the server sent is not the sum of the sealed ballots. Nothing was decrypted. Tell the committee and the organiser at once."},
	"member.ballots":       {"Số phiếu đã niêm phong", "Sealed ballots"},
	"member.partials":      {"bản giải mã hợp lệ", "valid partial decryptions"},
	"member.open":          {"Phiên đang bỏ phiếu. Sau khi đóng phiên, mở lại trang này để giải mã kết quả.", "The vote is open. After it closes, open this page again to decrypt the result."},
	"member.tallied":       {"Đã kiểm phiếu xong. Cảm ơn bạn.", "The tally is done. Thank you."},
	"member.error.network": {"Không liên lạc được với máy chủ. Hãy kiểm tra mạng rồi thử lại.", "The server cannot be reached. Check the network and try again."},
	"member.error.crypto":  {"Điện thoại không tính được ({err}). Hãy thử lại hoặc báo tổ chức hội nghị.", "The phone could not compute this ({err}). Try again or tell the organiser."},
	"member.retry":         {"Thử lại", "Try again"},
}
