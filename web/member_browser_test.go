package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/tally/report"
	"tinnhiem/verify"
)

// tamperingServer serves handler, and while tamper is set it hands member
// pages a wrong encrypted tally — the first sealed ballot's ciphertexts in
// place of the sums, the ballots themselves unchanged — as a server that
// wants one ballot decrypted would; partials counts the partial
// decryptions that reach it.
type tamperingServer struct {
	*httptest.Server
	tamper   atomic.Bool
	partials atomic.Int32
}

func newTamperingServer(t *testing.T, handler http.Handler) *tamperingServer {
	ts := &tamperingServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/member/partial" {
			ts.partials.Add(1)
		}
		if r.URL.Path != "/api/v1/member/tally" || !ts.tamper.Load() {
			handler.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, r)
		var body map[string]json.RawMessage
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			t.Errorf("the tally to tamper with is %d %s", rec.Code, rec.Body)
			return
		}
		var tally map[string]any
		var ballots []struct {
			Lines []struct {
				CT string `json:"ct"`
			} `json:"lines"`
		}
		if json.Unmarshal(body["tally"], &tally) != nil || json.Unmarshal(body["ballots"], &ballots) != nil || len(ballots) == 0 {
			t.Errorf("the tally to tamper with does not read")
			return
		}
		var lines []string
		for _, l := range ballots[0].Lines {
			lines = append(lines, l.CT)
		}
		tally["lines"] = lines
		body["tally"], _ = json.Marshal(tally)
		out, _ := json.Marshal(body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// phone opens a phone-sized tab of the browser of ctx, whose console
// errors fail the test.
func phone(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	pctx := refusedPhone(t, ctx)
	listenTab(pctx)
	return pctx
}

// refusedPhone is phone for a page that is meant to be refused: the
// browser logs the API's 404 answer as a failed resource, which is the
// point there.
func refusedPhone(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	pctx, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(pctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
	return pctx
}

// allowDownloads saves the downloads of ctx's browser into dir.
func allowDownloads(t *testing.T, ctx context.Context, dir string) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		return chromedp.FromContext(ctx).Browser.Call(ctx, "Browser.setDownloadBehavior",
			map[string]any{"behavior": "allow", "downloadPath": dir}, nil)
	}))
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor polls a JavaScript condition in a tab.
func waitPage(t *testing.T, ctx context.Context, what, expr string, within time.Duration) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(within), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("%s: %v\npage: %s", what, err, body)
	}
}

func visibleJS(id string) string {
	return fmt.Sprintf(`(function(){var e=document.getElementById(%q);return !!e && !e.hidden && e.offsetParent!==null;})()`, id)
}

// TestBrowserCommitteeOnPhones runs a whole encrypted meeting with the
// counting committee on three phone-sized tabs of real Chromium: the
// organiser prints the members' links from the console; each member taps
// "Tạo khóa" and the rounds run through the server by themselves; the
// console completes the ceremony, and every page shows the fingerprint of
// the key the console shows. Member 2 makes a backup, then loses the
// phone: the organiser re-issues the link, and the old one gets the
// Vietnamese refusal and logs nothing. Voters vote on the voter page and
// through the API; after close member 1's page is handed a tally that is
// not the sum of the sealed ballots and refuses to decrypt; then members 1
// and 3 decrypt with one tap each, the console shows the tally button, and
// member 2's backup restores on a fresh browser profile and yields a valid
// partial; the tally counts the ballots cast.
func TestBrowserCommitteeOnPhones(t *testing.T) {
	signer, err := report.NewSelfSigned(rand.Reader, testOrgA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := newConsoleFixture(t, Options{ReportSigner: func(string) (report.Signer, error) { return signer, nil }})
	_, member := MemberAssets()
	f.svc.MemberAssets = fmt.Sprintf("%x", member)
	_, voter := VoterAssets()
	f.svc.VoterAssets = fmt.Sprintf("%x", voter)
	srv := newTamperingServer(t, f.srv.Handler())
	ctx := t.Context()
	sess, err := f.svc.CreateSessionIn(ctx, "setup", ballot.NewSession{Org: testOrgA, Title: "Hội nghị Ban Chấp hành mở rộng",
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
	logLen := func() int {
		t.Helper()
		es, _, err := f.svc.Log(ctx, id)
		must(err)
		return len(es)
	}

	bctx := newBrowserWithin(t, 300*time.Second)
	downloads := t.TempDir()
	allowDownloads(t, bctx, downloads)
	run := func(c context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(c, actions...); err != nil {
			body, _ := chromedp.Run(c, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s: %v\npage: %s", what, err, body)
		}
	}
	base := srv.URL + "/admin/s/" + id
	run(bctx, "sign in",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/admin/login"),
		chromedp.SendKeys(chromedp.ID("name"), "tochuc-a"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("sessions")),
		chromedp.Navigate(base),
		chromedp.Click(chromedp.ID("member-links-issue")),
		chromedp.WaitVisible(chromedp.ID("member-sheet")),
	)
	screenshot(t, bctx, "committee-links-sheet.png", false)
	sheetURLs := func() []string {
		t.Helper()
		urls, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".member-url")).map(e => e.textContent)`))
		must(err)
		return urls
	}
	urls := sheetURLs()
	if len(urls) != 3 || !strings.HasPrefix(urls[0], srv.URL+"/bkp/"+id+"/") {
		t.Fatalf("the sheet's links are %q", urls)
	}

	// The ceremony: each member opens their link and taps once.
	start := time.Now()
	phones := make([]context.Context, 3)
	for i := range phones {
		phones[i] = phone(t, bctx)
		run(phones[i], fmt.Sprintf("member %d opens the link", i+1),
			chromedp.Navigate(urls[i]),
			chromedp.WaitVisible(chromedp.ID("keygen")),
		)
		loc, _ := chromedp.Run(phones[i], chromedp.Evaluate[string](`location.pathname`))
		if loc != "/bkp/" {
			t.Errorf("member %d's address bar still holds %q", i+1, loc)
		}
		who, _ := chromedp.Run(phones[i], chromedp.Text(chromedp.ID("member")))
		for _, want := range []string{committee[i], "Thành viên số", fmt.Sprint(i + 1), "3 / 2", f.svc.MemberAssets} {
			if !strings.Contains(who, want) {
				t.Errorf("member %d's page lacks %q:\n%s", i+1, want, who)
			}
		}
	}
	screenshot(t, phones[0], "committee-member-keygen.png", false)
	checkViews(t, phones[0], "member page: before the key is made")
	for i := range phones {
		run(phones[i], fmt.Sprintf("member %d taps Tạo khóa", i+1), chromedp.Click(chromedp.ID("keygen")))
	}
	for i := range phones {
		waitPage(t, phones[i], fmt.Sprintf("member %d's rounds", i+1),
			`document.getElementById("step-status").getAttribute("data-step") === "round3" && !document.getElementById("step-status").hidden`, 90*time.Second)
	}
	t.Logf("ceremony n=3 on phones: three rounds of every member in %v", time.Since(start).Round(time.Millisecond))
	screenshot(t, phones[1], "committee-member-waiting.png", false)
	run(bctx, "the console shows the rounds", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.ID("ceremony-complete")))
	table, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("ceremony-trustees")))
	if strings.Count(table, "✓ điện thoại") != 9 {
		t.Errorf("the console does not show nine rounds from phones:\n%s", table)
	}
	screenshot(t, bctx, "committee-console-ceremony.png", false)
	run(bctx, "complete", chromedp.Click(chromedp.ID("ceremony-complete")), chromedp.WaitVisible(chromedp.ID("ceremony-done")))
	jointKey, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("ceremony-key")))
	for i := range phones {
		waitPage(t, phones[i], fmt.Sprintf("member %d done", i+1), visibleJS("step-done"), 60*time.Second)
		fp, _ := chromedp.Run(phones[i], chromedp.Text(chromedp.ID("fingerprint")))
		if strings.ReplaceAll(fp, " ", "") != strings.TrimSpace(jointKey)[:16] {
			t.Errorf("member %d's fingerprint %q is not the console's key %q", i+1, fp, jointKey)
		}
	}
	screenshot(t, phones[2], "committee-member-done.png", false)
	checkViews(t, phones[2], "member page: the key ceremony done")

	// Member 2 makes a backup before the phone is lost.
	const passphrase = "hoa sen nở giữa hồ"
	run(phones[1], "backup",
		chromedp.Click(chromedp.CSS("#backup summary")),
		chromedp.SendKeys(chromedp.ID("backup-pass"), passphrase),
		chromedp.SendKeys(chromedp.ID("backup-pass2"), passphrase),
		chromedp.Click(chromedp.ID("backup-submit")),
	)
	waitPage(t, phones[1], "backup file", `!!document.getElementById("backup-status").getAttribute("data-file")`, 60*time.Second)
	name, _ := chromedp.Run(phones[1], chromedp.Evaluate[string](`document.getElementById("backup-status").getAttribute("data-file")`))
	backupFile := filepath.Join(downloads, name)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if st, err := os.Stat(backupFile); err == nil && st.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the backup %s was not downloaded", backupFile)
		}
		time.Sleep(100 * time.Millisecond)
	}
	sealed, _ := os.ReadFile(backupFile)
	if !strings.Contains(string(sealed), `"tinnhiem-box-sealed/v1"`) || strings.Contains(string(sealed), "tinnhiem-box-trustee-key/v1\",\"session") {
		t.Errorf("the backup is not a sealed file: %.200s", sealed)
	}
	screenshot(t, phones[1], "committee-member-backup.png", false)
	run(phones[1], "the phone is lost", chromedp.Navigate("about:blank"))

	// The phone is lost: a new link for member 2; the old one is refused
	// in Vietnamese and logs nothing.
	run(bctx, "re-issue", chromedp.Navigate(base), chromedp.Click(chromedp.ID("member-reissue-2")), chromedp.WaitVisible(chromedp.ID("member-sheet")))
	newLink := sheetURLs()
	if len(newLink) != 1 || newLink[0] == urls[1] {
		t.Fatalf("the re-issued sheet holds %q", newLink)
	}
	before := logLen()
	stale := refusedPhone(t, bctx)
	run(stale, "the old link", chromedp.Navigate(urls[1]), chromedp.WaitVisible(chromedp.ID("error-message")))
	msg, _ := chromedp.Run(stale, chromedp.Text(chromedp.ID("error-message")))
	if !strings.Contains(msg, "Liên kết thành viên Ban kiểm phiếu này không hợp lệ hoặc đã được cấp lại") {
		t.Errorf("the old link's page says %q", msg)
	}
	screenshot(t, stale, "committee-old-link.png", false)
	if n := logLen(); n != before {
		t.Errorf("the refused link logged %d entries", n-before)
	}

	// The vote: two voters on the voter page, two through the API.
	must(f.svc.Open(ctx, "setup", id, false, ""))
	for i, pick := range [][2]string{{"c1-high", "c2-low"}, {"c1-high", "c2-normal"}} {
		v := phone(t, bctx)
		run(v, fmt.Sprintf("voter %d", i+1),
			chromedp.Navigate(srv.URL+"/V/"+cards[i]),
			chromedp.WaitVisible(chromedp.ID("ballot")),
			chromedp.Click(chromedp.ID(pick[0])),
			chromedp.Click(chromedp.ID(pick[1])),
			chromedp.Click(chromedp.ID("submit")),
			// Every line is marked: the encrypted ballot's review, then send.
			chromedp.WaitVisible(chromedp.ID("review-send")),
			chromedp.Click(chromedp.ID("review-send")),
			chromedp.WaitVisible(chromedp.ID("receipt-code")),
		)
	}
	apiFixture := &fixture{t: t, svc: f.svc, session: id, url: srv.URL}
	p := apiFixture.encForm(cards[2])
	for i, choices := range [][]int{{3, 1}, {2, 0}} {
		b, _ := apiFixture.encBallot(p, cards[2+i], choices)
		if status, body := apiFixture.castEncrypted(cards[2+i], box.FormatBallot(b)); status != http.StatusCreated {
			t.Fatalf("cast: %d %s", status, body)
		}
	}
	// A server that hands the members a tally that is not the sum of the
	// sealed ballots gets no partial decryption: the pages' checks, which
	// start at close, refuse it, and so does member 1's tap.
	srv.tamper.Store(true)
	must(f.svc.Close(ctx, "setup", id))
	before = logLen()
	for _, i := range []int{0, 2} {
		waitPage(t, phones[i], fmt.Sprintf("member %d refuses the tampered tally", i+1), visibleJS("decrypt")+` && document.getElementById("step-decrypt").getAttribute("data-checked") === "refused"`, 30*time.Second)
	}
	run(phones[0], "tampered decryption", chromedp.Click(chromedp.ID("decrypt")), chromedp.WaitVisible(chromedp.ID("decrypt-refused")))
	screenshot(t, phones[0], "committee-member-refused.png", false)
	if n := logLen(); n != before || srv.partials.Load() != 0 {
		t.Fatalf("a tampered tally led to %d entries and %d partials sent", n-before, srv.partials.Load())
	}
	srv.tamper.Store(false)

	// Members 1 and 3 decrypt with one tap; member 2 is absent.
	for _, i := range []int{0, 2} {
		waitPage(t, phones[i], fmt.Sprintf("member %d sees the close", i+1), visibleJS("decrypt"), 30*time.Second)
		start := time.Now()
		run(phones[i], fmt.Sprintf("member %d decrypts", i+1), chromedp.Click(chromedp.ID("decrypt")), chromedp.WaitVisible(chromedp.ID("decrypt-done")))
		t.Logf("member %d: sum check and partial decryption of V=4, K=2 in %v", i+1, time.Since(start).Round(time.Millisecond))
	}
	screenshot(t, phones[2], "committee-member-decrypted.png", false)
	checkViews(t, phones[2], "member page: partial decryption sent")
	run(bctx, "the console", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.ID("partials-ready")), chromedp.WaitVisible(chromedp.ID("tally-submit")))
	screenshot(t, bctx, "committee-console-tally-ready.png", false)

	// Member 2's backup on a fresh browser profile, with the new link: it
	// restores and makes a valid partial (kept, not sent: the tally runs
	// without member 2).
	fresh := phone(t, newBrowserWithin(t, 120*time.Second))
	run(fresh, "member 2 on a new phone",
		chromedp.Navigate(newLink[0]),
		chromedp.WaitVisible(chromedp.ID("step-nosecret")),
		chromedp.Click(chromedp.CSS("#restore summary")),
		chromedp.SetUploadFiles(chromedp.ID("restore-file"), []string{backupFile}),
		chromedp.SendKeys(chromedp.ID("restore-pass"), passphrase),
		chromedp.Click(chromedp.ID("restore-submit")),
	)
	waitPage(t, fresh, "restore", `document.getElementById("restore-status").getAttribute("data-restored") === "true"`, 60*time.Second)
	waitPage(t, fresh, "member 2 may decrypt", visibleJS("decrypt"), 30*time.Second)
	screenshot(t, fresh, "committee-member-restored.png", false)
	code2 := newLink[0][strings.LastIndex(newLink[0], "/")+1:]
	partial2, err := chromedp.Run(fresh, chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
		const db = await new Promise((ok, no) => { const r = indexedDB.open("tinnhiem-member", 1); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
		const rec = await new Promise((ok, no) => { const r = db.transaction("trustees").objectStore("trustees").get(%q + "#2"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
		const res = await fetch("/api/v1/member/tally", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({session: %q, member: %q})});
		const b = await res.json();
		return tinnhiemBox.trustee.decrypt({lines: b.lines, options: b.options, trusteeKeyJSON: rec.key, tallyJSON: JSON.stringify(b.tally)});
	})()`, id, id, code2), chromedp.EvalAwaitPromise))
	must(err)
	sum, params, err := f.svc.EncryptedTally(ctx, id)
	must(err)
	st, err := f.svc.Ceremony(ctx, id)
	must(err)
	cer, err := box.ParseCeremony(st.Result)
	must(err)
	part, err := box.ParsePartial([]byte(partial2))
	must(err)
	if err := box.VerifyPartial(params, cer, sum, part); err != nil || part.Trustee != 2 {
		t.Errorf("the restored key's partial (trustee %d) does not verify: %v", part.Trustee, err)
	}

	run(bctx, "tally", chromedp.Click(chromedp.ID("tally-submit")), chromedp.WaitVisible(chromedp.ID("done")))
	screenshot(t, bctx, "committee-console-tallied.png", false)
	entries, _, err := f.svc.Log(ctx, id)
	must(err)
	rep, err := verify.Log(entries)
	must(err)
	if rep.Tally == nil {
		t.Fatal("no tally logged")
	}
	want := [][3]int{{2, 1, 1}, {1, 1, 1}} // c1: H H L N; c2: L N H -
	for k, cr := range rep.Tally.Cadres {
		if cr.Counts != want[k] {
			t.Errorf("cadre %d: %v, want %v", k+1, cr.Counts, want[k])
		}
	}
	var fromPhones, partials int
	for _, e := range entries {
		if ballot.FromMemberPage(e.Actor) && e.Type == audit.PartialDecryption {
			fromPhones++
		}
		if e.Type == audit.PartialDecryption {
			partials++
		}
	}
	if fromPhones != 2 || partials != 2 {
		t.Errorf("%d partials, %d from phones; want members 1 and 3's", partials, fromPhones)
	}
	if len(rep.MemberAssets) != 1 || rep.MemberAssets[0] != f.svc.MemberAssets {
		t.Errorf("the verifier reports member assets %v", rep.MemberAssets)
	}
}

// TestBrowserCeremonyAbsentMember runs the ceremony on two phones while
// the third member never comes: each page names the member it waits for,
// both members go on without them, and the ceremony completes with the
// third declared absent, as it does with files.
func TestBrowserCeremonyAbsentMember(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2, encrypted: true, keyless: true})
	ctx := context.Background()
	links, err := f.svc.IssueMemberLinks(ctx, "test", f.session)
	if err != nil {
		t.Fatal(err)
	}
	bctx := newBrowserWithin(t, 120*time.Second)
	var phones []context.Context
	for i := range 2 {
		p := phone(t, bctx)
		if err := chromedp.Do(p, chromedp.Navigate(f.url+"/bkp/"+f.session+"/"+links[i].Code), chromedp.WaitVisible(chromedp.ID("keygen")), chromedp.Click(chromedp.ID("keygen"))); err != nil {
			t.Fatal(err)
		}
		phones = append(phones, p)
	}
	for i, p := range phones {
		waitPage(t, p, fmt.Sprintf("member %d waits for member 3 only", i+1), visibleJS("continue")+` && document.getElementById("missing").textContent === "3"`, 60*time.Second)
	}
	screenshot(t, phones[0], "committee-member-absent.png", false)
	for _, p := range phones {
		if err := chromedp.Do(p, chromedp.Click(chromedp.ID("continue"))); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range phones {
		waitPage(t, p, fmt.Sprintf("member %d's round 3", i+1), `document.getElementById("step-status").getAttribute("data-step") === "round3"`, 60*time.Second)
	}
	if err := f.svc.CompleteCeremony(ctx, "test", f.session, []int{3}); err != nil {
		t.Fatalf("the ceremony does not complete without member 3: %v", err)
	}
	for i, p := range phones {
		waitPage(t, p, fmt.Sprintf("member %d done", i+1), visibleJS("step-done"), 60*time.Second)
	}
	st, err := f.svc.Ceremony(ctx, f.session)
	if err != nil {
		t.Fatal(err)
	}
	cer, err := box.ParseCeremony(st.Result)
	if err != nil {
		t.Fatal(err)
	}
	if len(cer.Qualified) != 2 || cer.Qualified[0] != 1 || cer.Qualified[1] != 2 {
		t.Errorf("qualified %v, want [1 2]", cer.Qualified)
	}
}
