package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
)

// The key ceremony and the count of an encrypted session, organiser side
// (SPEC.md 11.6, 11.6.1). The trustees work on their own laptops with
// `tinnhiem-verify trustee` and carry message files; the console only
// imports what they bring, through the service, which checks and logs
// each message, and exports what the log holds in the shape their
// commands read: one message per *.json file, the result, the encrypted
// tally. The console never holds a trustee's secret.

// maxTrusteeFile bounds one uploaded message; the whole request is bounded
// by maxConsoleBody already.
const maxTrusteeFile = 1 << 20

// trusteeRow is one member of the committee in the ceremony's table.
type trusteeRow struct {
	ballot.TrusteeStatus
	// Reason is the catalogue key of why it was disqualified, "" if not.
	Reason string
	// Partial is how its partial decryption stands after close: "" none
	// sent, "valid", or "invalid" when every one it sent fails to verify.
	Partial string
	// Sources says where each round (1, 2, 3) and the partial came from:
	// "phone" (the member page) or "file" (imported here), "" not in.
	Sources [4]string
}

// ceremonyView is the "Key ceremony" section of an encrypted session's
// page.
type ceremonyView struct {
	N, T      int
	Trustees  []trusteeRow
	Completed bool
	Messages  int
	// JointKey is base64url as the trustees' commands print it; ResultSHA256
	// the SHA-256 of the result file, which they compare with each other.
	JointKey     string
	ResultSHA256 string
	CanUpload    bool // draft, not completed, an organiser of the session
	Counting     bool // closed or tallied: the encrypted tally exists
	CanPartial   bool // closed, an organiser of the session
	Valid        int  // valid partial decryptions logged
	// Links is the committee members' links to the member page.
	Links *memberLinksView
}

// disqualifiedKeys maps box.Qualify's reasons to catalogue keys.
var disqualifiedKeys = map[string]string{
	"round1":    "ceremony.dq.round1",
	"round2":    "ceremony.dq.round2",
	"share":     "ceremony.dq.share",
	"complaint": "ceremony.dq.complaint",
}

// ceremonyOf builds the section for an encrypted session; a clear session
// has none (nil).
func (s *Server) ceremonyOf(ctx context.Context, sess *ballot.Session, canWrite bool) (*ceremonyView, error) {
	if sess.Box == nil {
		return nil, nil
	}
	st, err := s.svc.Ceremony(ctx, sess.ID)
	if err != nil {
		return nil, err
	}
	v := &ceremonyView{N: st.N, T: st.T, Completed: st.Completed, Messages: len(st.Messages),
		CanUpload: canWrite && sess.State == ballot.Draft && !st.Completed,
		Counting:  sess.State == ballot.Closed || sess.State == ballot.Tallied}
	v.CanPartial = canWrite && sess.State == ballot.Closed
	if st.Completed {
		v.JointKey = base64.RawURLEncoding.EncodeToString(st.JointKey[:])
		sum := sha256.Sum256(resultFile(st.Result))
		v.ResultSHA256 = hex.EncodeToString(sum[:])
	}
	var partials map[int]string
	if v.Counting && st.Completed {
		if partials, v.Valid, err = s.partialsOf(ctx, sess.ID, st.Result); err != nil {
			return nil, err
		}
	}
	entries, _, err := s.svc.Log(ctx, sess.ID)
	if err != nil {
		return nil, err
	}
	phones := memberFromLog(entries)
	source := func(i int, in bool, typ audit.Type) string {
		switch {
		case !in:
			return ""
		case phones[i][typ]:
			return "phone"
		}
		return "file"
	}
	for _, ts := range st.Trustees {
		row := trusteeRow{TrusteeStatus: ts, Partial: partials[ts.Number]}
		row.Sources = [4]string{source(ts.Number, ts.Round1, audit.KeyCeremonyRound1), source(ts.Number, ts.Round2, audit.KeyCeremonyRound2),
			source(ts.Number, ts.Round3, audit.KeyCeremonyRound3), source(ts.Number, row.Partial != "", audit.PartialDecryption)}
		if ts.Disqualified != "" {
			row.Reason = disqualifiedKeys[ts.Disqualified]
			if row.Reason == "" {
				row.Reason = "ceremony.dq.other"
			}
		}
		v.Trustees = append(v.Trustees, row)
	}
	if v.Links, err = s.memberLinksOf(ctx, sess, canWrite); err != nil {
		return nil, err
	}
	return v, nil
}

// partialsOf checks every logged partial decryption against the encrypted
// tally, as the service does when it combines them: which trustees have a
// valid one, and how many do.
func (s *Server) partialsOf(ctx context.Context, id string, result []byte) (map[int]string, int, error) {
	cer, err := box.ParseCeremony(result)
	if err != nil {
		return nil, 0, ballot.Errorf(ballot.EInternal, "failed to read the key ceremony's result: %v", err)
	}
	sum, p, err := s.svc.EncryptedTally(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	entries, _, err := s.svc.Log(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	out := map[int]string{}
	for _, e := range entries {
		if e.Type != audit.PartialDecryption {
			continue
		}
		part, err := box.ParsePartial(e.Data)
		if err != nil {
			return nil, 0, ballot.Errorf(ballot.EInternal, "failed to read entry %d: %v", e.Seq, err)
		}
		if box.VerifyPartial(p, cer, sum, part) == nil {
			out[part.Trustee] = "valid"
		} else if out[part.Trustee] == "" {
			out[part.Trustee] = "invalid"
		}
	}
	valid := 0
	for _, v := range out {
		if v == "valid" {
			valid++
		}
	}
	return out, valid, nil
}

// ceremonyStatusJSON is the ceremony section's live figures, which the
// console's script polls while members work on their phones.
type ceremonyStatusJSON struct {
	Completed bool                `json:"completed"`
	Valid     int                 `json:"valid"`
	T         int                 `json:"t"`
	Trustees  []ceremonyTrusteeJS `json:"trustees"`
}

// ceremonyTrusteeJS is one trustee's row: each round's and the partial's
// source ("phone", "file" or ""), and the partial's state.
type ceremonyTrusteeJS struct {
	Number  int       `json:"number"`
	Sources [4]string `json:"sources"`
	Partial string    `json:"partial"`
}

// handleCeremonyStatus answers the ceremony section's live figures.
func (s *Server) handleCeremonyStatus(w http.ResponseWriter, r *http.Request, c *call) {
	v, err := s.ceremonyOf(r.Context(), c.session, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v == nil {
		s.fail(w, r, ballot.ErrNotEncrypted)
		return
	}
	out := ceremonyStatusJSON{Completed: v.Completed, Valid: v.Valid, T: v.T, Trustees: []ceremonyTrusteeJS{}}
	for _, row := range v.Trustees {
		out.Trustees = append(out.Trustees, ceremonyTrusteeJS{Number: row.Number, Sources: row.Sources, Partial: row.Partial})
	}
	writeJSON(w, http.StatusOK, out)
}

// resultFile is the result as a file: the message and a line end, as
// `tinnhiem-verify trustee result` writes it, so that the sha256sum of the
// downloaded file is the SHA-256 the trustees compare.
func resultFile(msg []byte) []byte { return append(append([]byte(nil), msg...), '\n') }

// uploadRow is one uploaded file and what became of it.
type uploadRow struct {
	File       string
	OK         bool
	Vietnamese string // the reason it was refused
	English    string
	Code       string
}

// trusteeUploadPage is the answer to an upload of trustee files: each file
// named with the reason it was refused, if it was.
type trusteeUploadPage struct {
	Session  *ballot.Session
	Kind     string // "messages" or "partials"
	Rows     []uploadRow
	Accepted int
	Refused  int
}

// handleTrusteeUpload takes one or several files from trustees and hands
// each to add on its own: a refused file is named with its reason and the
// others still go in, since each message stands alone in the log.
func (s *Server) handleTrusteeUpload(kind string, add func(ctx context.Context, actor, id string, data []byte) error) func(http.ResponseWriter, *http.Request, *call) {
	return func(w http.ResponseWriter, r *http.Request, c *call) {
		var files []*multipartFile
		if r.MultipartForm != nil {
			for _, fh := range r.MultipartForm.File["file"] {
				files = append(files, &multipartFile{name: fh.Filename, open: func() (io.ReadCloser, error) { return fh.Open() }})
			}
		}
		if len(files) == 0 {
			s.consoleFail(w, r, &ballot.Error{Code: ballot.EInvalid, Key: "trustee_upload_missing", Message: "choose one or more message files (*.json) to upload"})
			return
		}
		page := trusteeUploadPage{Session: c.session, Kind: kind}
		for _, f := range files {
			row := uploadRow{File: f.name}
			data, err := f.read()
			if err == nil {
				err = add(r.Context(), c.account.Name, c.session.ID, data)
			}
			if err != nil {
				p := describe(err)
				if p.Status >= 500 {
					// The store failed, not the file: stop here, as any
					// other console action does.
					s.consoleFail(w, r, err)
					return
				}
				row.Vietnamese, row.English, row.Code = p.Vietnamese, p.English, p.Code
				page.Refused++
			} else {
				row.OK = true
				page.Accepted++
			}
			page.Rows = append(page.Rows, row)
		}
		status := http.StatusOK
		if page.Refused > 0 {
			status = http.StatusUnprocessableEntity
		}
		s.renderConsole(w, r, status, "ceremony", c, "console.ceremony."+kind, page)
	}
}

// multipartFile is one uploaded file, read only when its turn comes.
type multipartFile struct {
	name string
	open func() (io.ReadCloser, error)
}

func (f *multipartFile) read() ([]byte, error) {
	rc, err := f.open()
	if err != nil {
		return nil, fmt.Errorf("failed to read the uploaded file: %w", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxTrusteeFile+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read the uploaded file: %w", err)
	}
	if len(data) > maxTrusteeFile {
		return nil, &ballot.Error{Code: ballot.EInvalid, Key: "trustee_file_large", Args: ballot.Args{"max": maxTrusteeFile >> 20}}
	}
	return data, nil
}

// messageName names a ceremony message's file by round and trustee
// ("round1-2.json"); the trustees' commands read any *.json file, so the
// name is only for people.
func messageName(data []byte) (string, error) {
	var head struct {
		Format  string `json:"format"`
		Trustee int    `json:"trustee"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return "", err
	}
	switch head.Format {
	case box.FormatRound1V1:
		return fmt.Sprintf("round1-%d.json", head.Trustee), nil
	case box.FormatRound2V1:
		return fmt.Sprintf("round2-%d.json", head.Trustee), nil
	case box.FormatRound3V1:
		return fmt.Sprintf("round3-%d.json", head.Trustee), nil
	}
	return "", fmt.Errorf("unexpected format %q", head.Format)
}

// handleCeremonyMessages sends every ceremony message logged so far as one
// zip of *.json files, one message per file as its entry holds it: the
// folder `tinnhiem-verify trustee round2|round3|result|key --in DIR` reads.
func (s *Server) handleCeremonyMessages(w http.ResponseWriter, r *http.Request, c *call) {
	st, err := s.svc.Ceremony(r.Context(), c.session.ID)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	// One fixed time, so that the same messages give the same zip.
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for i, m := range st.Messages {
		name, err := messageName(m)
		if err != nil || seen[name] {
			s.consoleFail(w, r, ballot.Errorf(ballot.EInternal, "failed to name ceremony message %d of session %s: %v", i+1, c.session.ID, err))
			return
		}
		seen[name] = true
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: stamp})
		if err == nil {
			_, err = fw.Write(resultFile(m))
		}
		if err != nil {
			s.consoleFail(w, r, ballot.Errorf(ballot.EInternal, "failed to write the ceremony zip: %v", err))
			return
		}
	}
	if err := zw.Close(); err != nil {
		s.consoleFail(w, r, ballot.Errorf(ballot.EInternal, "failed to write the ceremony zip: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="le-tao-khoa-%s.zip"`, c.session.ID))
	_, _ = io.Copy(w, &buf)
}

// handleCeremonyResult sends the completed ceremony's result
// (tinnhiem-box-dkg-result/v1), as the trustees' `result` command writes it.
func (s *Server) handleCeremonyResult(w http.ResponseWriter, r *http.Request, c *call) {
	st, err := s.svc.Ceremony(r.Context(), c.session.ID)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	if !st.Completed {
		s.consoleFail(w, r, &ballot.Error{Code: ballot.ELocked, Key: "ceremony_not_completed", Message: "the key ceremony is not completed yet"})
		return
	}
	sendJSONFile(w, "result.json", resultFile(st.Result))
}

// handleCompleteCeremony ends the ceremony, going on without the trustees
// ticked absent.
func (s *Server) handleCompleteCeremony(w http.ResponseWriter, r *http.Request, c *call) {
	var absent []int
	for _, v := range r.PostForm["absent"] {
		i, err := strconv.Atoi(v)
		if err != nil {
			s.consoleFail(w, r, errBadRequest)
			return
		}
		absent = append(absent, i)
	}
	if err := s.svc.CompleteCeremony(r.Context(), c.account.Name, c.session.ID, absent); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c), "ceremony")
}

// handleEncryptedTally sends the closed session's encrypted tally
// (tinnhiem-box-tally/v1) as tally.json, which each trustee decrypts its
// share of with `tinnhiem-verify trustee decrypt --tally tally.json`.
func (s *Server) handleEncryptedTally(w http.ResponseWriter, r *http.Request, c *call) {
	sum, _, err := s.svc.EncryptedTally(r.Context(), c.session.ID)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	sendJSONFile(w, "tally.json", resultFile(box.FormatTally(sum)))
}

func sendJSONFile(w http.ResponseWriter, name string, data []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(data)
}

func init() {
	for k, t := range ceremonyTexts {
		if _, dup := texts[k]; dup {
			panic("web: text " + k + " is defined twice")
		}
		texts[k] = t
		catalog["vi"][k], catalog["en"][k] = t.vi, t.en
	}
}

// ceremonyTexts are the texts of the key ceremony and the count of an
// encrypted session.
var ceremonyTexts = map[string]text{
	"ceremony.title":     {"Lễ tạo khóa của Ban kiểm phiếu", "Key ceremony"},
	"ceremony.nt":        {"Số thành viên (n) / ngưỡng giải mã (t)", "Trustees (n) / threshold (t)"},
	"ceremony.trustee":   {"Số thứ tự", "Trustee"},
	"ceremony.round1":    {"Vòng 1", "Round 1"},
	"ceremony.round2":    {"Vòng 2", "Round 2"},
	"ceremony.round3":    {"Vòng 3", "Round 3"},
	"ceremony.status":    {"Tình trạng", "Status"},
	"ceremony.partial":   {"Bản giải mã", "Partial decryption"},
	"ceremony.done":      {"Đã hoàn tất lễ tạo khóa.", "The key ceremony is completed."},
	"ceremony.pending":   {"Lễ tạo khóa chưa hoàn tất: chưa thể mở phiên.", "The key ceremony is not completed: the vote cannot open yet."},
	"ceremony.key":       {"Khóa chung", "Joint key"},
	"ceremony.sha":       {"SHA-256 của kết quả (các thành viên so mã này với kết quả trên máy của mình)", "SHA-256 of the result (the trustees compare it with their own)"},
	"ceremony.absent":    {"Vắng mặt", "Absent"},
	"ceremony.qualified": {"Đủ điều kiện", "Qualified"},
	"ceremony.upload":    {"Nhập thông điệp của các thành viên (vòng 1, vòng 2, vòng 3; chọn được nhiều tệp *.json)", "Import the trustees' messages (round 1, 2, 3; several *.json files at once)"},
	"ceremony.submit":    {"Nhập thông điệp", "Import the messages"},
	"ceremony.zip":       {"Tải tất cả thông điệp (.zip) cho vòng tiếp theo", "Download all messages (.zip) for the next round"},
	"ceremony.zip.help":  {"Giải nén vào một thư mục rồi chạy: tinnhiem-verify trustee round2|round3|result|key --in THƯ-MỤC", "Unpack into a folder and run: tinnhiem-verify trustee round2|round3|result|key --in DIR"},
	"ceremony.result":    {"Tải kết quả lễ tạo khóa (result.json)", "Download the ceremony's result (result.json)"},
	"ceremony.complete":  {"Hoàn tất lễ tạo khóa", "Complete the key ceremony"},
	"ceremony.absent.help": {"Đánh dấu các thành viên vắng mặt, không gửi đủ thông điệp; lễ tạo khóa tiếp tục không có họ.",
		"Tick the trustees who are absent and did not send all their messages; the ceremony goes on without them."},
	"ceremony.tally":        {"Tải bảng cộng mã hóa (tally.json) để các thành viên giải mã", "Download the encrypted tally (tally.json) for the trustees to decrypt"},
	"ceremony.tally.help":   {"Mỗi thành viên chạy: tinnhiem-verify trustee decrypt --key KHÓA --tally tally.json --out TỆP", "Each trustee runs: tinnhiem-verify trustee decrypt --key KEY --tally tally.json --out FILE"},
	"ceremony.partials":     {"Nhập bản giải mã từng phần của các thành viên (*.json)", "Import the trustees' partial decryptions (*.json)"},
	"ceremony.partials.ok":  {"bản giải mã hợp lệ", "valid partial decryptions"},
	"ceremony.partials.go":  {"Nhập bản giải mã", "Import the partial decryptions"},
	"ceremony.p.valid":      {"hợp lệ", "valid"},
	"ceremony.p.invalid":    {"sai", "does not verify"},
	"ceremony.dq.round1":    {"Bị loại: không có vòng 1 hợp lệ", "Disqualified: no valid round 1"},
	"ceremony.dq.round2":    {"Bị loại: vòng 2 thiếu hoặc sai", "Disqualified: round 2 missing or incomplete"},
	"ceremony.dq.share":     {"Bị loại: gửi phần chia sai, bị khiếu nại có căn cứ", "Disqualified: sent a bad share (justified complaint)"},
	"ceremony.dq.complaint": {"Bị loại: khiếu nại sai", "Disqualified: made a false complaint"},
	"ceremony.dq.other":     {"Bị loại", "Disqualified"},
	"ceremony.src.phone":    {"điện thoại", "phone"},
	"ceremony.src.file":     {"tệp", "file"},
	"ceremony.tally.ready":  {"Đã đủ bản giải mã hợp lệ: có thể kiểm phiếu.", "Enough valid partial decryptions: the tally can run."},

	"console.ceremony.messages": {"Nhập thông điệp lễ tạo khóa", "Import of key-ceremony messages"},
	"console.ceremony.partials": {"Nhập bản giải mã từng phần", "Import of partial decryptions"},
	"upload.accepted":           {"Đã nhận", "Accepted"},
	"upload.refused":            {"Không nhận", "Refused"},
	"upload.file":               {"Tệp", "File"},
	"upload.back":               {"Về trang phiên bỏ phiếu", "Back to the session"},
	"done.ceremony":             {"Đã hoàn tất lễ tạo khóa.", "The key ceremony is completed."},

	"error.trustee_upload_missing": {"Hãy chọn một hoặc nhiều tệp thông điệp (*.json) để tải lên.", "Choose one or more message files (*.json) to upload."},
	"error.trustee_file_large":     {"Tệp quá lớn cho một thông điệp của thành viên Ban kiểm phiếu.", "The file is too large for a trustee's message."},
	"error.ceremony_not_completed": {"Lễ tạo khóa chưa hoàn tất: chưa có kết quả để tải về.", "The key ceremony is not completed: there is no result to download yet."},
}
