package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/verify"
)

// memberPost calls the member API with the session and code in the body.
func (f *fixture) memberPost(path, code string, extra map[string]any) (int, []byte) {
	f.t.Helper()
	body := map[string]any{"session": f.session, "member": code}
	for k, v := range extra {
		body[k] = v
	}
	return f.post("/api/v1/member/"+path, body)
}

// logLen is the number of entries of the fixture's session's log.
func (f *fixture) logLen() int {
	f.t.Helper()
	es, _, err := f.svc.Log(context.Background(), f.session)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(es)
}

// TestMemberAPI runs a key ceremony and the decryption through the member
// API over real HTTP, each trustee's messages made with package box as a
// phone's page makes them: a code opens only its own trustee, a wrong or
// replaced code gets the Vietnamese not-found sentence and logs nothing, a
// message of another trustee is refused, the tally comes with the sealed
// ballots it is the sum of, two partials decrypt it while the third
// member is absent, no member code reaches the server's log, a rebuilt
// member page is logged before its next message, and the verifier accepts
// the whole log.
func TestMemberAPI(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 4, encrypted: true, keyless: true})
	ctx := context.Background()
	links, err := f.svc.IssueMemberLinks(ctx, "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	code := map[int]string{}
	for _, l := range links {
		code[l.Trustee] = strings.ToLower(ballot.FormatCode(l.Code))
	}

	status, body := f.memberPost("state", code[2], nil)
	if status != http.StatusOK {
		t.Fatalf("state: %d %s", status, body)
	}
	var st memberStateJSON
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Trustee != 2 || st.Name != "Đỗ Minh Khang" || st.N != 3 || st.T != 2 || st.State != "draft" || st.Assets != f.svc.MemberAssets {
		t.Errorf("state = %+v", st)
	}

	// Refusals, each logging nothing.
	before := f.logLen()
	old := links[0].Code
	again, err := f.svc.IssueMemberLink(ctx, "test", f.session, 1)
	if err != nil {
		t.Fatal(err)
	}
	code[1] = again.Code
	before++
	for _, bad := range []string{old, strings.Repeat("b", 32), "không phải mã"} {
		status, body := f.memberPost("state", bad, nil)
		wantError(t, status, body, http.StatusNotFound, "member_link_unknown")
		if !strings.Contains(string(body), "Liên kết thành viên Ban kiểm phiếu này không hợp lệ") {
			t.Errorf("the refusal is not the Vietnamese sentence: %s", body)
		}
	}
	status, body = f.post("/api/v1/member/state", map[string]string{"session": "khong-co", "member": code[2]})
	wantError(t, status, body, http.StatusNotFound, "member_link_unknown")

	var secrets []*box.TrusteeSecret
	var r1 []*box.Round1
	for i := 1; i <= 3; i++ {
		ts, m, err := box.NewTrustee(rand.Reader, f.session, 3, 2, i)
		if err != nil {
			t.Fatal(err)
		}
		secrets, r1 = append(secrets, ts), append(r1, m)
	}
	// Trustee 3 works on a laptop: its messages are files the organiser
	// imports, as the console does; 1 and 2 are on their phones.
	send := func(i int, msg []byte) (int, []byte) {
		t.Helper()
		if i == 3 {
			if err := f.svc.AddCeremonyMessage(ctx, "tochuc", f.session, msg); err != nil {
				return describe(err).Status, []byte(err.Error())
			}
			return http.StatusCreated, nil
		}
		return f.memberPost("message", code[i], map[string]any{"message": json.RawMessage(msg)})
	}
	status, body = send(2, box.FormatRound1(r1[0]))
	wantError(t, status, body, http.StatusBadRequest, "member_trustee")
	status, body = send(1, []byte(`{"format":"tinnhiem-box-ballot/v1"}`))
	wantError(t, status, body, http.StatusBadRequest, "ceremony_format")
	if n := f.logLen(); n != before {
		t.Fatalf("refused requests logged %d entries", n-before)
	}

	for i, m := range r1 {
		if status, body := send(i+1, box.FormatRound1(m)); status != http.StatusCreated {
			t.Fatalf("round 1 of %d: %d %s", i+1, status, body)
		}
	}
	status, body = send(1, box.FormatRound1(r1[0]))
	wantError(t, status, body, http.StatusConflict, "ceremony_repeated")

	// The messages as a page reads them for its next round.
	status, body = f.memberPost("messages", code[3], nil)
	if status != http.StatusOK {
		t.Fatalf("messages: %d %s", status, body)
	}
	var msgs memberMessagesJSON
	if err := json.Unmarshal(body, &msgs); err != nil {
		t.Fatal(err)
	}
	if len(msgs.Messages) != 3 || msgs.Result != nil {
		t.Fatalf("messages after round 1: %d, result %s", len(msgs.Messages), msgs.Result)
	}
	var r1read []*box.Round1
	for _, m := range msgs.Messages {
		r, err := box.ParseRound1(m)
		if err != nil {
			t.Fatal(err)
		}
		r1read = append(r1read, r)
	}
	var r2 []*box.Round2
	for i, ts := range secrets {
		m, err := ts.Round2(r1read)
		if err != nil {
			t.Fatal(err)
		}
		r2 = append(r2, m)
		if i == 1 {
			// A rebuilt member page: the next message from a member page
			// is preceded by its digest.
			f.svc.MemberAssets = strings.Repeat("0a", 32)
		}
		if status, body := send(i+1, box.FormatRound2(m)); status != http.StatusCreated {
			t.Fatalf("round 2 of %d: %d %s", i+1, status, body)
		}
	}
	for _, ts := range secrets {
		complaints, err := ts.CheckShares(rand.Reader, r1, r2)
		if err != nil {
			t.Fatal(err)
		}
		st := &box.Round3{Session: f.session, Trustee: ts.Trustee, Checked: []int{}, Complaints: complaints}
		for _, m := range r2 {
			if m.Trustee != ts.Trustee {
				st.Checked = append(st.Checked, m.Trustee)
			}
		}
		if status, body := send(ts.Trustee, box.FormatRound3(st)); status != http.StatusCreated {
			t.Fatalf("round 3 of %d: %d %s", ts.Trustee, status, body)
		}
	}
	if err := f.svc.CompleteCeremony(ctx, "test", f.session, nil); err != nil {
		t.Fatal(err)
	}
	done, err := f.svc.Ceremony(ctx, f.session)
	if err != nil {
		t.Fatal(err)
	}
	cer, err := box.ParseCeremony(done.Result)
	if err != nil {
		t.Fatal(err)
	}

	if err := f.svc.Open(ctx, "test", f.session, false, ""); err != nil {
		t.Fatal(err)
	}
	p := f.encForm(f.tokens[0])
	choices := [][]int{{1, 2, 3, 0, 1}, {1, 1, 1, 1, 1}, {3, 0, 2, 2, 1}}
	for i, c := range choices {
		b, _ := f.encBallot(p, f.tokens[i], c)
		if status, body := f.castEncrypted(f.tokens[i], box.FormatBallot(b)); status != http.StatusCreated {
			t.Fatalf("cast %d: %d %s", i, status, body)
		}
	}
	status, body = f.memberPost("tally", code[1], nil)
	wantError(t, status, body, http.StatusLocked, "session_not_closed")
	if err := f.svc.Close(ctx, "test", f.session); err != nil {
		t.Fatal(err)
	}

	status, body = f.memberPost("tally", code[1], nil)
	if status != http.StatusOK {
		t.Fatalf("tally: %d %s", status, body)
	}
	var mt memberTallyJSON
	if err := json.Unmarshal(body, &mt); err != nil {
		t.Fatal(err)
	}
	var sealed []*box.Ballot
	for _, raw := range mt.Ballots {
		b, err := box.ParseBallot(raw)
		if err != nil {
			t.Fatal(err)
		}
		sealed = append(sealed, b)
	}
	sum, err := box.Sum(p, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed) != len(choices) || !bytes.Equal(box.FormatTally(sum), mt.Tally) || mt.Lines != 5 || mt.Options != 3 {
		t.Fatalf("the tally sent is not the sum of the %d ballots sent with it", len(sealed))
	}
	tally, err := box.ParseTally(mt.Tally)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[int]*box.TrusteeKey{}
	for _, ts := range secrets {
		k, err := ts.DecryptionKey(r1, r2, cer)
		if err != nil {
			t.Fatal(err)
		}
		keys[ts.Trustee] = k
	}
	// Trustee 1 may not send trustee 3's partial; trustees 1 and 3 send
	// their own; trustee 2 is absent.
	part3, err := box.PartialDecrypt(rand.Reader, p, keys[3], tally)
	if err != nil {
		t.Fatal(err)
	}
	status, body = f.memberPost("partial", code[1], map[string]any{"partial": json.RawMessage(box.FormatPartial(part3))})
	wantError(t, status, body, http.StatusBadRequest, "member_trustee")
	for _, i := range []int{1, 3} {
		part, err := box.PartialDecrypt(rand.Reader, p, keys[i], tally)
		if err != nil {
			t.Fatal(err)
		}
		if status, body := f.memberPost("partial", code[i], map[string]any{"partial": json.RawMessage(box.FormatPartial(part))}); status != http.StatusCreated {
			t.Fatalf("partial of %d: %d %s", i, status, body)
		}
	}
	status, body = f.memberPost("state", code[3], nil)
	if err := json.Unmarshal(body, &st); err != nil || status != http.StatusOK {
		t.Fatalf("state: %d %s", status, body)
	}
	if st.Partials.Valid != 2 || st.Partials.Needed != 2 || st.Partials.Mine != "valid" || !st.Ceremony.Completed {
		t.Errorf("state after two partials: %+v", st)
	}
	rec, err := f.svc.Tally(ctx, "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	for k, cr := range rec.Result.Cadres {
		var want [3]int
		for _, c := range choices {
			if c[k] > 0 {
				want[c[k]-1]++
			}
		}
		if cr.Counts != want {
			t.Errorf("cadre %d: %v, want %v", k+1, cr.Counts, want)
		}
	}

	entries, _, err := f.svc.Log(ctx, f.session)
	if err != nil {
		t.Fatal(err)
	}
	phones, assets := 0, 0
	for _, e := range entries {
		if ballot.FromMemberPage(e.Actor) {
			phones++
		}
		if e.Type == audit.MemberPageAssets {
			assets++
		}
	}
	if phones != 9 || assets != 1 {
		t.Errorf("%d entries from member pages (want 6 ceremony messages, 2 partials and the page's new digest), %d MemberPageAssets (want 1)", phones, assets)
	}
	view, err := f.srv.ceremonyOf(ctx, &ballot.Session{ID: f.session, Box: &audit.BoxSetup{}, State: ballot.Tallied}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range view.Trustees {
		want := [4]string{"phone", "phone", "phone", "phone"}
		switch row.Number {
		case 2:
			want[3] = "" // absent at decryption
		case 3:
			want = [4]string{"file", "file", "file", "phone"}
		}
		if row.Sources != want {
			t.Errorf("the console shows trustee %d's sources as %v, want %v", row.Number, row.Sources, want)
		}
	}
	rep, err := verify.Log(entries)
	if err != nil {
		t.Fatalf("the verifier refuses the log: %v", err)
	}
	if len(rep.MemberAssets) != 2 || rep.MemberAssets[1] != strings.Repeat("0a", 32) {
		t.Errorf("the verifier reports member assets %v", rep.MemberAssets)
	}
	bundle, err := f.svc.Bundle(ctx, f.session)
	if err != nil {
		t.Fatal(err)
	}
	if br := verify.Bundle(bundle, verify.Options{}); !br.OK() || len(br.MemberAssets) != 2 {
		t.Errorf("the bundle: OK %v, member assets %v; first failure %+v", br.OK(), br.MemberAssets, br.FirstFailure())
	}
	logs := f.logs.String()
	for _, c := range code {
		canonical, _ := ballot.NormalizeToken(c)
		if strings.Contains(logs, canonical) || strings.Contains(logs, c) {
			t.Errorf("the server's log holds a member code")
		}
	}
	if !strings.Contains(logs, "/api/v1/member/message") {
		t.Errorf("the access log names no member route:\n%s", logs)
	}
}

// TestMemberPageHeaders serves the member page with the voter page's
// headers: strict CSP, no referrer, no store; the page never carries the
// code it was opened with.
func TestMemberPageHeaders(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1, encrypted: true, keyless: true})
	links, err := f.svc.IssueMemberLinks(context.Background(), "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/bkp/" + f.session + "/" + links[0].Code, "/bkp/"} {
		res, body := f.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		for h, want := range map[string]string{"Content-Security-Policy": contentSecurityPolicy, "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("GET %s: %s = %q, want %q", path, h, got, want)
			}
		}
		if strings.Contains(string(body), links[0].Code) {
			t.Errorf("GET %s: the page echoes the member code", path)
		}
		if !strings.Contains(string(body), `src="/static/member.js"`) || !strings.Contains(string(body), "Thành viên Ban kiểm phiếu") {
			t.Errorf("GET %s is not the member page", path)
		}
	}
}

// TestMemberCodesSlowed floods the member API with wrong member codes from
// one address: they are answered late and then refused with 429 and a
// Vietnamese sentence, like wrong card codes, while a valid member code is
// answered at once.
func TestMemberCodesSlowed(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1, encrypted: true, keyless: true})
	links, err := f.svc.IssueMemberLinks(context.Background(), "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	f.srv.lookups.burst, f.srv.lookups.rate, f.srv.lookups.maxDelay = 2, 4, time.Second
	const n = 10
	statuses := make([]int, n)
	bodies := make([]errorBody, n)
	retry := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := `{"session":"` + f.session + `","member":"` + strings.Repeat("C", 31) + string(rune('A'+i)) + `"}`
			resp, err := clientFrom("127.0.7.1").Post(f.url+"/api/v1/member/state", "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			statuses[i], retry[i] = resp.StatusCode, resp.Header.Get("Retry-After")
			json.Unmarshal(raw, &bodies[i])
		})
	}
	wg.Wait()
	t.Logf("statuses of ten wrong member codes at once from one address: %v", statuses)
	refused := 0
	for i, st := range statuses {
		switch st {
		case http.StatusNotFound:
		case http.StatusTooManyRequests:
			refused++
			if retry[i] == "" || !strings.Contains(bodies[i].Error.Message, "Liên kết thành viên Ban kiểm phiếu không hợp lệ") {
				t.Errorf("a refusal without Retry-After or the Vietnamese sentence: %+v", bodies[i])
			}
		default:
			t.Errorf("wrong code %d: status %d", i, st)
		}
	}
	if refused < 3 || refused > 7 {
		t.Errorf("%d of %d wrong codes refused, want about half (burst 2, then 4/s up to 1 s)", refused, n)
	}
	start := time.Now()
	status, body := f.memberPost("state", links[0].Code, nil)
	if status != http.StatusOK || time.Since(start) > 500*time.Millisecond {
		t.Errorf("a valid member code after the flood: %d after %v: %s", status, time.Since(start), body)
	}
}
