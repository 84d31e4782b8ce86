package web

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/tally/report"
	"tinnhiem/verify"
)

// namedFile is one file of a multi-file upload.
type namedFile struct {
	name string
	data []byte
}

// uploadFiles posts several files under the one field "file", as a
// browser's <input type="file" multiple> does.
func (b *browser) uploadFiles(path string, files ...namedFile) (*http.Response, string) {
	b.f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf)
	for _, f := range files {
		fw, _ := mw.CreateFormFile("file", f.name)
		fw.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.f.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.client.Do(req)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// unzipMessages reads the console's zip of ceremony messages as the
// trustees' commands read the unpacked folder: every *.json file a message.
func unzipMessages(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the messages download is not a zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

var spaces = regexp.MustCompile(`\s+`)

// i18nScript is the catalogue every console page carries; failures print
// the page without it.
var i18nScript = regexp.MustCompile(`(?s)<script type="application/json" id="i18n">.*?</script>`)

// visible is a page's text as a reader sees it, on one line.
func visible(body string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(plain(i18nScript.ReplaceAllString(body, "")), " "))
}

// TestConsoleKeyCeremony drives an encrypted session's key ceremony and
// count through the console over HTTP: three trustees (t=2), made with
// ballot/box as their laptops' commands do, carry their messages as files;
// each round is built from the zip the console exports. A refused file is
// named and the good ones still go in; the ceremony completes; after close
// the encrypted tally is downloaded, a bad partial decryption is named, the
// tally waits for two valid ones while the third trustee stays absent, and
// then counts. An organiser of another organisation can neither see nor
// post to any of these routes.
func TestConsoleKeyCeremony(t *testing.T) {
	signer, err := report.NewSelfSigned(rand.Reader, testOrgA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := newConsoleFixture(t, Options{ReportSigner: func(string) (report.Signer, error) { return signer, nil }})
	ctx := t.Context()
	f.svc.VoterAssets = strings.Repeat("ab", 32)
	sess, err := f.svc.CreateSessionIn(ctx, "setup", ballot.NewSession{Org: testOrgA, Title: "Hội nghị mã hóa",
		Body: "Ban Chấp hành " + testOrgA, Date: "2026-11-22", Place: "Hội trường", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	id := sess.ID
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	members := []ballot.Member{{Name: "Nguyễn Văn An"}, {Name: "Trần Thị Bình"}, {Name: "Lê Văn Cường"}, {Name: "Phạm Thị Dung"}}
	must(f.svc.ImportRoster(ctx, "setup", id, members))
	must(f.svc.ImportCadres(ctx, "setup", id, []ballot.Cadre{{ID: "c1", Name: "Hoàng Văn Em", Position: "Bí thư"}, {ID: "c2", Name: "Đỗ Thị Phương", Position: "Phó Bí thư"}}))
	committee := []string{"Ngô Thị Mỹ Duyên", "Vũ Minh Khang", "Lý Thu Hà"}
	must(f.svc.SetCommittee(ctx, "setup", id, committee))
	_, err = f.svc.CheckIn(ctx, "setup", id, nil, true)
	must(err)
	var cards []string
	must(f.svc.IssueTokens(ctx, "setup", id, len(members), func(tokens []string) error { cards = tokens; return nil }))

	b := f.browser().mustLogin("tochuc-a")
	other := f.browser().mustLogin("tochuc-b")
	base := "/admin/s/" + id
	page := func() string {
		t.Helper()
		res, body := b.do("GET", base, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", base, res.StatusCode)
		}
		return visible(body)
	}
	logLen := func() int {
		t.Helper()
		es, _, err := f.svc.Log(ctx, id)
		must(err)
		return len(es)
	}
	download := func(path, wantType string) []byte {
		t.Helper()
		res, body := b.do("GET", base+path, nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != wantType {
			t.Fatalf("GET %s = %d %s, want 200 %s:\n%s", path, res.StatusCode, res.Header.Get("Content-Type"), wantType, visible(body))
		}
		return []byte(body)
	}

	p := page()
	for _, want := range []string{"Lễ tạo khóa của Ban kiểm phiếu", "3 / 2", "Ngô Thị Mỹ Duyên", "Lễ tạo khóa chưa hoàn tất"} {
		if !strings.Contains(p, want) {
			t.Errorf("session page lacks %q:\n%s", want, p)
		}
	}

	// Round 1: the three trustees' files in one upload, with a file that is
	// not a message and one of another session; those two are named with
	// their reasons and the three messages go in.
	var secrets []*box.TrusteeSecret
	var round1 []namedFile
	for i := 1; i <= 3; i++ {
		ts, r1, err := box.NewTrustee(rand.Reader, id, 3, 2, i)
		must(err)
		secrets = append(secrets, ts)
		round1 = append(round1, namedFile{"vong1-" + string(rune('0'+i)) + ".json", box.FormatRound1(r1)})
	}
	_, stray, err := box.NewTrustee(rand.Reader, "phien-khac", 3, 2, 1)
	must(err)
	before := logLen()
	upload := append([]namedFile{{"ghi-chu.json", []byte(`{"format":"tinnhiem-box-ballot/v1"}`)}}, round1[0], round1[1])
	upload = append(upload, namedFile{"nham-phien.json", box.FormatRound1(stray)}, round1[2])
	res, body := b.uploadFiles(base+"/ceremony/messages", upload...)
	text := visible(body)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("upload with refused files = %d, want 422", res.StatusCode)
	}
	for _, want := range []string{"ghi-chu.json ✗ Tệp này không phải thông điệp lễ tạo khóa", "nham-phien.json ✗ Thông điệp này thuộc phiên khác",
		"vong1-1.json ✓ Đã nhận", "vong1-2.json ✓ Đã nhận", "vong1-3.json ✓ Đã nhận", "Không nhận: 2 · Đã nhận: 3"} {
		if !strings.Contains(text, want) {
			t.Errorf("upload result lacks %q:\n%s", want, text)
		}
	}
	if got := logLen() - before; got != 3 {
		t.Errorf("the upload logged %d entries, want the 3 round-1 messages only", got)
	}

	// Every later round is built from the console's zip alone, as the
	// trustees' commands do with --in DIR.
	messages := func(want ...string) map[string][]byte {
		t.Helper()
		files := unzipMessages(t, download("/ceremony/messages.zip", "application/zip"))
		var names []string
		for n := range files {
			names = append(names, n)
		}
		slices.Sort(names)
		if !slices.Equal(names, want) {
			t.Fatalf("zip holds %v, want %v", names, want)
		}
		return files
	}
	readRound1 := func(files map[string][]byte) []*box.Round1 {
		var out []*box.Round1
		for i := 1; i <= 3; i++ {
			r, err := box.ParseRound1(files["round1-"+string(rune('0'+i))+".json"])
			must(err)
			out = append(out, r)
		}
		return out
	}
	files := messages("round1-1.json", "round1-2.json", "round1-3.json")
	r1 := readRound1(files)
	var round2 []namedFile
	for _, ts := range secrets {
		m, err := ts.Round2(r1)
		must(err)
		round2 = append(round2, namedFile{"r2.json", box.FormatRound2(m)})
	}
	if res, body := b.uploadFiles(base+"/ceremony/messages", round2...); res.StatusCode != http.StatusOK {
		t.Fatalf("round 2 upload = %d:\n%s", res.StatusCode, visible(body))
	}
	// Completing before the round-3 statements names who is awaited.
	res, body = b.do("POST", base+"/ceremony/complete", url.Values{"csrf": {b.csrf}})
	if res.StatusCode == http.StatusSeeOther || !strings.Contains(visible(body), "Còn chờ thông điệp của thành viên số 1") {
		t.Errorf("complete before round 3 = %d:\n%s", res.StatusCode, visible(body))
	}

	files = messages("round1-1.json", "round1-2.json", "round1-3.json", "round2-1.json", "round2-2.json", "round2-3.json")
	r1 = readRound1(files)
	var r2 []*box.Round2
	for i := 1; i <= 3; i++ {
		r, err := box.ParseRound2(files["round2-"+string(rune('0'+i))+".json"])
		must(err)
		r2 = append(r2, r)
	}
	var round3 []namedFile
	for _, ts := range secrets {
		complaints, err := ts.CheckShares(rand.Reader, r1, r2)
		must(err)
		st := &box.Round3{Session: id, Trustee: ts.Trustee, Complaints: complaints, Checked: []int{}}
		for _, m := range r2 {
			if m.Trustee != ts.Trustee {
				st.Checked = append(st.Checked, m.Trustee)
			}
		}
		round3 = append(round3, namedFile{"r3.json", box.FormatRound3(st)})
	}
	if res, body := b.uploadFiles(base+"/ceremony/messages", round3...); res.StatusCode != http.StatusOK {
		t.Fatalf("round 3 upload = %d:\n%s", res.StatusCode, visible(body))
	}
	messages("round1-1.json", "round1-2.json", "round1-3.json", "round2-1.json", "round2-2.json", "round2-3.json",
		"round3-1.json", "round3-2.json", "round3-3.json")

	// An organiser of another organisation sees none of it and changes
	// nothing, whatever the route.
	before = logLen()
	for _, rt := range []struct{ method, path string }{
		{"GET", ""}, {"GET", "/ceremony/messages.zip"}, {"GET", "/ceremony/result.json"}, {"GET", "/ceremony/tally.json"},
		{"POST", "/ceremony/complete"}, {"POST", "/ceremony/messages"}, {"POST", "/ceremony/partials"},
	} {
		var res *http.Response
		if rt.method == "GET" {
			res, _ = other.do("GET", base+rt.path, nil)
		} else if rt.path == "/ceremony/complete" {
			res, _ = other.do("POST", base+rt.path, url.Values{"csrf": {other.csrf}})
		} else {
			res, _ = other.uploadFiles(base+rt.path, round3[0])
		}
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("tochuc-b: %s %s = %d, want 403", rt.method, rt.path, res.StatusCode)
		}
	}
	if logLen() != before {
		t.Errorf("another organisation's requests logged %d entries", logLen()-before)
	}

	res, body = b.do("POST", base+"/ceremony/complete", url.Values{"csrf": {b.csrf}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete = %d:\n%s", res.StatusCode, visible(body))
	}
	result := download("/ceremony/result.json", "application/json")
	cer, err := box.ParseCeremony(bytes.TrimSpace(result))
	must(err)
	sum := sha256.Sum256(result)
	p = page()
	for _, want := range []string{"Đã hoàn tất lễ tạo khóa", base64.RawURLEncoding.EncodeToString(cer.JointKey[:]), hex.EncodeToString(sum[:])} {
		if !strings.Contains(p, want) {
			t.Errorf("completed ceremony's page lacks %q:\n%s", want, p)
		}
	}
	if !slices.Equal(cer.Qualified, []int{1, 2, 3}) {
		t.Errorf("qualified %v, want all three", cer.Qualified)
	}
	keys := map[int]*box.TrusteeKey{}
	for _, ts := range secrets {
		k, err := ts.DecryptionKey(r1, r2, cer)
		must(err)
		keys[ts.Trustee] = k
	}

	if res, body := b.do("POST", base+"/open", url.Values{"csrf": {b.csrf}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("open = %d:\n%s", res.StatusCode, visible(body))
	}
	votes := [][]int{{1, 3}, {2, 3}, {1, 0}}
	for i, v := range votes {
		form, err := f.svc.Form(ctx, cards[i])
		must(err)
		code, _ := ballot.NormalizeToken(cards[i])
		k, err := box.CardKey(id, code)
		must(err)
		bal, _, err := box.EncryptBallot(rand.Reader, form.Box, k, v)
		must(err)
		_, err = f.svc.CastEncrypted(ctx, cards[i], box.FormatBallot(bal))
		must(err)
	}
	if res, body := b.do("POST", base+"/close", url.Values{"csrf": {b.csrf}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close = %d:\n%s", res.StatusCode, visible(body))
	}

	// The tally file is what `trustee decrypt --tally` reads.
	tallyFile := download("/ceremony/tally.json", "application/json")
	encrypted, err := box.ParseTally(bytes.TrimSpace(tallyFile))
	must(err)
	params := &box.Params{Session: id, JointKey: cer.JointKey, Lines: len(encrypted.Lines), Options: len(encrypted.Lines[0])}
	partial := func(i int) *box.Partial {
		part, err := box.PartialDecrypt(rand.Reader, params, keys[i], encrypted)
		must(err)
		return part
	}
	if p := page(); !strings.Contains(p, "0/2 bản giải mã hợp lệ") {
		t.Errorf("page after close lacks the progress 0/2:\n%s", p)
	}

	// A partial whose shares were swapped does not verify: it is named,
	// logged, and left out. It is trustee 3's, who then stays away from
	// the count. (A trustee who sends a bad partial and then a good one
	// gets a log the verifier refuses, verify.Replay leaving out every
	// partial of a trustee with a bad one; not exercised here.)
	bad := partial(3)
	bad.Lines[0].Shares[0], bad.Lines[0].Shares[1] = bad.Lines[0].Shares[1], bad.Lines[0].Shares[0]
	res, body = b.uploadFiles(base+"/ceremony/partials", namedFile{"giai-ma-3.json", box.FormatPartial(bad)})
	text = visible(body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, "giai-ma-3.json ✗ Bản giải mã của thành viên số 3 (Lý Thu Hà) sai") {
		t.Errorf("bad partial = %d:\n%s", res.StatusCode, text)
	}
	if p := page(); !strings.Contains(p, "0/2 bản giải mã hợp lệ") || !strings.Contains(p, "✗ sai") {
		t.Errorf("page after a bad partial lacks 0/2 and the trustee marked wrong:\n%s", p)
	}
	// One valid partial is not enough: the tally says so in Vietnamese.
	if res, body := b.uploadFiles(base+"/ceremony/partials", namedFile{"giai-ma-1.json", box.FormatPartial(partial(1))}); res.StatusCode != http.StatusOK {
		t.Fatalf("good partial of trustee 1 = %d:\n%s", res.StatusCode, visible(body))
	}
	res, body = b.do("POST", base+"/tally", url.Values{"csrf": {b.csrf}})
	if res.StatusCode == http.StatusSeeOther || !strings.Contains(visible(body), "Cần 2 bản giải mã hợp lệ của Ban kiểm phiếu, mới có 1") {
		t.Errorf("tally with one partial = %d:\n%s", res.StatusCode, visible(body))
	}
	if p := page(); !strings.Contains(p, "1/2 bản giải mã hợp lệ") {
		t.Errorf("page lacks the progress 1/2:\n%s", p)
	}
	// Trustee 2's partial completes the count.
	if res, body := b.uploadFiles(base+"/ceremony/partials", namedFile{"giai-ma-2.json", box.FormatPartial(partial(2))}); res.StatusCode != http.StatusOK {
		t.Fatalf("good partial of trustee 2 = %d:\n%s", res.StatusCode, visible(body))
	}
	if p := page(); !strings.Contains(p, "2/2 bản giải mã hợp lệ") {
		t.Errorf("page lacks the progress 2/2:\n%s", p)
	}
	if res, body := b.do("POST", base+"/tally", url.Values{"csrf": {b.csrf}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("tally = %d:\n%s", res.StatusCode, visible(body))
	}
	rec, err := f.svc.Tally(ctx, "setup", id)
	must(err)
	if rec.Counted {
		t.Error("the tally was not logged by the console's action")
	}
	// Line 1: high, normal, high; line 2: low, low, blank.
	if got := rec.Result.Cadres[0].Counts; got != [3]int{2, 1, 0} {
		t.Errorf("cadre 1 counts %v, want [2 1 0]", got)
	}
	if got := rec.Result.Cadres[1]; got.Counts != [3]int{0, 0, 2} || got.Invalid != 1 {
		t.Errorf("cadre 2 = %+v, want counts [0 0 2] and one invalid", got)
	}
	es, _, err := f.svc.Log(ctx, id)
	must(err)
	rep, err := verify.Log(es)
	must(err)
	if !rep.Encrypted() || len(rep.BadPartials()) != 1 {
		t.Errorf("replay: encrypted %v, bad partials %v, want the one bad partial", rep.Encrypted(), rep.BadPartials())
	}
	var parts int
	for _, e := range es {
		if e.Type == audit.PartialDecryption {
			parts++
		}
	}
	if parts != 3 {
		t.Errorf("%d partial decryptions logged, want 3 (the bad one included)", parts)
	}
}

// TestConsoleCeremonyAbsentTrustee completes a ceremony without a trustee
// who sent nothing: the organiser ticks it absent, the page names it
// disqualified with the reason in Vietnamese, and an inspector of the
// session sees the table and the downloads but none of the forms.
func TestConsoleCeremonyAbsentTrustee(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	ctx := t.Context()
	sess, err := f.svc.CreateSessionIn(ctx, "setup", ballot.NewSession{Org: testOrgA, Title: "Hội nghị mã hóa",
		Body: "Ban Chấp hành " + testOrgA, Date: "2026-11-22", Place: "Hội trường", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	id, base := sess.ID, "/admin/s/"+sess.ID
	if err := f.svc.SetCommittee(ctx, "setup", id, []string{"Ngô Thị Mỹ Duyên", "Vũ Minh Khang", "Lý Thu Hà"}); err != nil {
		t.Fatal(err)
	}
	b := f.browser().mustLogin("tochuc-a")
	post := func(files []namedFile) {
		t.Helper()
		if res, body := b.uploadFiles(base+"/ceremony/messages", files...); res.StatusCode != http.StatusOK {
			t.Fatalf("upload = %d:\n%s", res.StatusCode, visible(body))
		}
	}
	var secrets []*box.TrusteeSecret
	var r1 []*box.Round1
	var files []namedFile
	for i := 1; i <= 2; i++ { // trustee 3 never comes
		ts, m, err := box.NewTrustee(rand.Reader, id, 3, 2, i)
		if err != nil {
			t.Fatal(err)
		}
		secrets, r1 = append(secrets, ts), append(r1, m)
		files = append(files, namedFile{"r1.json", box.FormatRound1(m)})
	}
	post(files)
	var r2 []*box.Round2
	files = nil
	for _, ts := range secrets {
		m, err := ts.Round2(r1)
		if err != nil {
			t.Fatal(err)
		}
		r2 = append(r2, m)
		files = append(files, namedFile{"r2.json", box.FormatRound2(m)})
	}
	post(files)
	files = nil
	for _, ts := range secrets {
		complaints, err := ts.CheckShares(rand.Reader, r1, r2)
		if err != nil {
			t.Fatal(err)
		}
		st := &box.Round3{Session: id, Trustee: ts.Trustee, Complaints: complaints, Checked: []int{3 - ts.Trustee}}
		files = append(files, namedFile{"r3.json", box.FormatRound3(st)})
	}
	post(files)
	// Without the absence ticked, the ceremony waits for trustee 3.
	res, body := b.do("POST", base+"/ceremony/complete", url.Values{"csrf": {b.csrf}})
	if res.StatusCode == http.StatusSeeOther || !strings.Contains(visible(body), "Còn chờ thông điệp của thành viên số 3 (Lý Thu Hà)") {
		t.Fatalf("complete without the absence = %d:\n%s", res.StatusCode, visible(body))
	}
	res, body = b.do("POST", base+"/ceremony/complete", url.Values{"csrf": {b.csrf}, "absent": {"3"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete with trustee 3 absent = %d:\n%s", res.StatusCode, visible(body))
	}
	_, body = b.do("GET", base, nil)
	p := visible(body)
	for _, want := range []string{"Đã hoàn tất lễ tạo khóa", "3Lý Thu Hà ✗ Bị loại: không có vòng 1 hợp lệ (Vắng mặt)", "1Ngô Thị Mỹ Duyên✓ tệp✓ tệp✓ tệp ✓ Đủ điều kiện"} {
		if !strings.Contains(p, want) {
			_, tail, _ := strings.Cut(p, "Lễ tạo khóa của Ban kiểm phiếu")
			t.Errorf("page lacks %q:\n%s", want, tail)
		}
	}
	if strings.Contains(body, `id="ceremony-form"`) || strings.Contains(body, `id="ceremony-complete-form"`) {
		t.Error("a completed ceremony still offers its upload or completion form")
	}

	if _, err := f.svc.AddAccount(ctx, ballot.NewAccount{Name: "kiemtra-c", Role: ballot.RoleInspector, Sessions: []string{id}, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	inspector := f.browser().mustLogin("kiemtra-c")
	res, insp := inspector.do("GET", base, nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(visible(insp), "Bị loại: không có vòng 1 hợp lệ") || !strings.Contains(insp, `id="ceremony-zip"`) {
		t.Errorf("inspector's page = %d, want the ceremony's table and downloads:\n%s", res.StatusCode, visible(insp))
	}
	if strings.Contains(insp, `id="ceremony-form"`) || strings.Contains(insp, `id="ceremony-complete-form"`) {
		t.Error("an inspector is offered a ceremony form")
	}
	if res, _ := inspector.do("GET", base+"/ceremony/result.json", nil); res.StatusCode != http.StatusOK {
		t.Errorf("inspector's result download = %d, want 200", res.StatusCode)
	}
	if res, _ := inspector.do("POST", base+"/ceremony/complete", url.Values{"csrf": {inspector.csrf}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("inspector's completion = %d, want 403", res.StatusCode)
	}
}
