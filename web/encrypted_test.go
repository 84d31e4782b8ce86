package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/internal/msg"
)

// encForm asks the API for the ballot of token and returns the box
// parameters of its answer, decoded as a page would.
func (f *fixture) encForm(token string) *box.Params {
	f.t.Helper()
	status, body := f.post("/api/v1/ballot", map[string]string{"token": token})
	if status != http.StatusOK {
		f.t.Fatalf("ballot: %d %s", status, body)
	}
	var resp formResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		f.t.Fatal(err)
	}
	if resp.Box == nil {
		f.t.Fatalf("the ballot of an encrypted session carries no box: %s", body)
	}
	key, err := base64.RawURLEncoding.Strict().DecodeString(resp.Box.JointKey)
	if err != nil || len(key) != 32 {
		f.t.Fatalf("joint_key %q is not 32 bytes of base64url: %v", resp.Box.JointKey, err)
	}
	p := &box.Params{Session: resp.Box.Session, Lines: resp.Box.Lines, Options: resp.Box.Options}
	copy(p.JointKey[:], key)
	return p
}

// encBallot encrypts choices for the card token as the page does, with the
// card key it derives, and returns the ballot and that key.
func (f *fixture) encBallot(p *box.Params, token string, choices []int) (*box.Ballot, ed25519.PrivateKey) {
	f.t.Helper()
	canonical, _ := ballot.NormalizeToken(token)
	k, err := box.CardKey(p.Session, canonical)
	if err != nil {
		f.t.Fatal(err)
	}
	b, _, err := box.EncryptBallot(rand.Reader, p, k, choices)
	if err != nil {
		f.t.Fatal(err)
	}
	return b, k
}

func (f *fixture) castEncrypted(token string, ballotJSON []byte) (int, []byte) {
	f.t.Helper()
	return f.post("/api/v1/cast", `{"token": "`+token+`", "ballot": `+string(ballotJSON)+`}`)
}

// sealedTrackers closes the session and returns the receipt code of every
// EncryptedBallot entry of its log, as the bundle holds them.
func (f *fixture) sealedTrackers() []string {
	f.t.Helper()
	ctx := context.Background()
	if err := f.svc.Close(ctx, "test", f.session); err != nil {
		f.t.Fatalf("Close: %v", err)
	}
	_, p, err := f.svc.EncryptedTally(ctx, f.session)
	if err != nil {
		f.t.Fatal(err)
	}
	entries, _, err := f.svc.Log(ctx, f.session)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Type != audit.EncryptedBallot {
			continue
		}
		b, err := box.ParseBallot(e.Data)
		if err != nil {
			f.t.Fatalf("EncryptedBallot entry %d: %v", e.Seq, err)
		}
		out = append(out, audit.TrackerCode(b.Tracker(p)))
	}
	return out
}

// catalogVI is the Vietnamese sentence of the message catalog for a domain
// error key, as the API must answer it.
func catalogVI(t *testing.T, key string, args ballot.Args) string {
	t.Helper()
	vi, _, ok := msg.Render(&ballot.Error{Code: ballot.EInvalid, Key: key, Args: args})
	if !ok {
		t.Fatalf("no catalog message for %s", key)
	}
	return vi
}

// TestEncryptedCastRefusesTampered posts ballots straight to the API that
// a phone running the served page could not make: each is refused with the
// catalog's Vietnamese sentence, nothing is recorded, and the card still
// votes afterwards.
func TestEncryptedCastRefusesTampered(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2, encrypted: true})
	p := f.encForm(f.tokens[0])
	if p.Session != f.session || p.Lines != len(testCadres) || p.Options != 3 {
		t.Fatalf("box parameters %+v, want session %s, %d lines, 3 options", p, f.session, len(testCadres))
	}
	choices := []int{1, 2, 3, 0, 1}

	// The signature no longer covers the ballot.
	b, _ := f.encBallot(p, f.tokens[0], choices)
	b.Signature[5] ^= 1
	bad := map[string][]byte{"ballot_signature": box.FormatBallot(b)}
	// A proof that does not hold, signed anyway with the card's own key.
	b, k := f.encBallot(p, f.tokens[0], choices)
	b.Lines[1].Responses[0], b.Lines[1].Responses[1] = b.Lines[1].Responses[1], b.Lines[1].Responses[0]
	copy(b.Signature[:], ed25519.Sign(k, b.Bytes(p)))
	bad["ballot_proof"] = box.FormatBallot(b)
	// A valid ballot of the other card.
	other, _ := f.encBallot(p, f.tokens[1], choices)
	bad["ballot_card"] = box.FormatBallot(other)
	// Not a ballot.
	bad["ballot_malformed"] = []byte(`{"format": "tinnhiem-box-ballot/v1"}`)

	for key, data := range bad {
		status, body := f.castEncrypted(f.tokens[0], data)
		wantError(t, status, body, http.StatusBadRequest, key)
		var e errorBody
		json.Unmarshal(body, &e)
		switch key {
		case "ballot_malformed":
		case "ballot_proof":
			// The sentence names the line whose proof fails.
			if !strings.Contains(e.Error.Message, "dòng 2") {
				t.Errorf("%s: message %q does not name line 2", key, e.Error.Message)
			}
		default:
			if want := catalogVI(t, key, nil); e.Error.Message != want {
				t.Errorf("%s: message %q, want the catalog's %q", key, e.Error.Message, want)
			}
		}
		if n := f.ballotCount(); n != 0 {
			t.Fatalf("after a refused %s, %d ballots are pooled", key, n)
		}
	}
	// A clear ballot is refused in an encrypted session.
	status, body := f.cast(f.tokens[0], map[string]any{"c1": "high"})
	wantError(t, status, body, http.StatusBadRequest, "session_encrypted")

	good, _ := f.encBallot(p, f.tokens[0], choices)
	status, body = f.castEncrypted(f.tokens[0], box.FormatBallot(good))
	if status != http.StatusCreated {
		t.Fatalf("the card's own valid ballot after the refusals: %d %s", status, body)
	}
	var rc castResponse
	json.Unmarshal(body, &rc)
	if want := audit.TrackerCode(good.Tracker(p)); rc.Receipt != want {
		t.Errorf("receipt %q, want %q", rc.Receipt, want)
	}
	if got := f.sealedTrackers(); len(got) != 1 || got[0] != rc.Receipt {
		t.Errorf("sealed trackers %q, want only %q", got, rc.Receipt)
	}
}

// TestTrackerAPI looks receipts up: malformed is 400, unknown or not yet
// closed is 404 with a Vietnamese sentence, and after close the receipt, in
// any case and spacing, is counted; failed look-ups are slowed.
func TestTrackerAPI(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2, encrypted: true})
	p := f.encForm(f.tokens[0])
	b, _ := f.encBallot(p, f.tokens[0], []int{1, 1, 1, 1, 1})
	status, body := f.castEncrypted(f.tokens[0], box.FormatBallot(b))
	if status != http.StatusCreated {
		t.Fatalf("cast: %d %s", status, body)
	}
	var rc castResponse
	json.Unmarshal(body, &rc)
	lookup := func(code string) (int, []byte) {
		return f.post("/api/v1/tracker", map[string]string{"tracker": code})
	}
	status, body = lookup("TB1-nonsense")
	wantError(t, status, body, http.StatusBadRequest, "tracker_malformed")
	status, body = lookup(rc.Receipt)
	wantError(t, status, body, http.StatusNotFound, "tracker_unknown") // the vote is still open
	f.sealedTrackers()
	messy := " " + strings.ToLower(strings.ReplaceAll(rc.Receipt, "-", " - ")) + "\n"
	for _, code := range []string{rc.Receipt, messy, rc.Tracker} {
		status, body = lookup(code)
		var got trackerResponse
		if err := json.Unmarshal(body, &got); status != http.StatusOK || err != nil || got.Status != "counted" ||
			got.Session.Title != "Hội nghị lấy phiếu tín nhiệm năm 2026" || got.Session.Date != "2026-11-22" {
			t.Errorf("look-up %q: %d %s", code, status, body)
		}
	}
	unknown := audit.TrackerCode(audit.Hash{1, 2, 3})
	status, body = lookup(unknown)
	wantError(t, status, body, http.StatusNotFound, "tracker_unknown")
	if !strings.Contains(string(body), "sau khi phiên bỏ phiếu đã đóng") {
		t.Errorf("not-found answer does not say a receipt is found only after close: %s", body)
	}

	// With no failures left in the address's bucket and a short patience,
	// the next unknown receipt is answered 429, while a counted one is not.
	l := f.srv.lookups
	l.mu.Lock()
	l.burst, l.rate, l.maxDelay = 1, 0.001, time.Millisecond
	l.mu.Unlock()
	lookup(unknown)
	status, body = lookup(unknown)
	wantError(t, status, body, http.StatusTooManyRequests, "rate_limited")
	if status, _ = lookup(rc.Receipt); status != http.StatusOK {
		t.Errorf("a counted receipt was held back by the limiter: %d", status)
	}
}

// TestCastBodyFitsLargestBallot makes the largest ballot a phone can send
// (box.MaxLines lines of 3 options) and posts it: the cast route reads it
// whole (no 413) and the service refuses it only because this session's
// ballot has fewer lines.
func TestCastBodyFitsLargestBallot(t *testing.T) {
	if testing.Short() {
		t.Skip("encrypts 1000 lines")
	}
	f := newFixture(t, fixtureOptions{tokens: 1, encrypted: true})
	p := f.encForm(f.tokens[0])
	big := *p
	big.Lines = box.MaxLines
	b, _ := f.encBallot(&big, f.tokens[0], make([]int, box.MaxLines))
	data := box.FormatBallot(b)
	req := `{"token": "` + f.tokens[0] + `", "ballot": ` + string(data) + `}`
	t.Logf("a %d-line ballot is %d bytes; the cast route takes %d", box.MaxLines, len(req), maxCastBody)
	if len(req) > maxCastBody {
		t.Fatalf("a %d-line ballot request is %d bytes, over maxCastBody %d", box.MaxLines, len(req), maxCastBody)
	}
	status, body := f.post("/api/v1/cast", req)
	if status == http.StatusRequestEntityTooLarge || status == http.StatusCreated {
		t.Fatalf("largest ballot: %d %s, want a refusal of its lines, not of its size", status, body)
	}
	if f.ballotCount() != 0 {
		t.Fatal("a refused ballot was pooled")
	}
}

// TestBrowserEncryptedVote votes in an encrypted session from a phone-sized
// Chromium window with the real box.js: the page encrypts, the receipt it
// shows is the tracker of the EncryptedBallot sealed in the log at close,
// and the look-up page then says that ballot was counted.
func TestBrowserEncryptedVote(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 3, encrypted: true})
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(f.url+"/V/"+f.tokens[0]),
		chromedp.WaitVisible(chromedp.ID("ballot")),
		chromedp.Click(chromedp.ID("c1-high")),
		chromedp.Click(chromedp.ID("c2-normal")),
		chromedp.Click(chromedp.ID("c3-low")),
		chromedp.Click(chromedp.ID("c5-high")),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("confirm-yes")),
		chromedp.Click(chromedp.ID("confirm-yes")), // one line left blank
		chromedp.WaitVisible(chromedp.ID("review-send")),
	); err != nil {
		t.Fatalf("voter: %v", err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("review-tracker")))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("review-send")),
		chromedp.WaitVisible(chromedp.ID("receipt-code")),
	); err != nil {
		t.Fatalf("voter: %v", err)
	}
	screenshot(t, ctx, "voter-receipt-encrypted.png", false)
	receipt, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("receipt-code")))
	if err != nil {
		t.Fatal(err)
	}
	receipt = strings.TrimSpace(receipt)
	lookupShown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById("receipt-lookup").hidden && document.getElementById("receipt-cli").hidden`))
	if err != nil || !lookupShown {
		t.Errorf("the receipt screen does not point to /tra-cuu instead of the command line (%v)", err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("receipt-lookup")))
	if !strings.Contains(text, "/tra-cuu") || !strings.Contains(text, "đã được tính") {
		t.Errorf("receipt look-up text %q", text)
	}
	if !strings.HasPrefix(receipt, "TB1-") {
		t.Fatalf("receipt %q is not a tracker code", receipt)
	}
	if strings.TrimSpace(shown) != receipt {
		t.Fatalf("the page showed tracker %q before sending, receipt %q after", shown, receipt)
	}
	if f.ballotCount() != 1 {
		t.Fatalf("pool holds %d ballots, want 1", f.ballotCount())
	}
	sealed := f.sealedTrackers()
	if len(sealed) != 1 || sealed[0] != receipt {
		t.Fatalf("sealed EncryptedBallot trackers %q, want the receipt shown %q", sealed, receipt)
	}
	// The trustees decrypt; the counts are the marks clicked.
	c := context.Background()
	if err := f.com.Decrypt(c, f.svc, "test", rand.Reader); err != nil {
		t.Fatalf("Decrypt: %v", err)
	}
	rec, err := f.svc.Tally(c, "test", f.session)
	if err != nil {
		t.Fatalf("Tally: %v", err)
	}
	// Clicked: c1 high, c2 normal, c3 low, c4 blank, c5 high.
	want := [][3]int{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 0}, {1, 0, 0}}
	for i, cr := range rec.Result.Cadres {
		if cr.Counts != want[i] || cr.Valid+cr.Invalid != 1 {
			t.Errorf("cadre %d: counts %v (valid %d, invalid %d), want %v", i+1, cr.Counts, cr.Valid, cr.Invalid, want[i])
		}
	}

	messy := strings.ToLower(strings.ReplaceAll(receipt, "-", " "))
	if err := chromedp.Do(ctx,
		chromedp.Navigate(f.url+"/"),
		chromedp.Click(chromedp.ID("tracker-link")),
		chromedp.WaitVisible(chromedp.ID("tracker-form")),
		chromedp.SendKeys(chromedp.ID("tracker"), messy),
		chromedp.Click(chromedp.ID("tracker-submit")),
		chromedp.WaitVisible(chromedp.ID("tracker-result")),
	); err != nil {
		t.Fatalf("look-up page: %v", err)
	}
	screenshot(t, ctx, "tracker-counted.png", false)
	got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("tracker-result")))
	if !strings.Contains(got, "đã được niêm phong và được tính") || !strings.Contains(got, "Hội nghị lấy phiếu tín nhiệm năm 2026") {
		t.Errorf("look-up result %q", got)
	}
}

// TestOnlyVoterPageLoadsBox keeps the encrypted ballot box off the pages
// that do not encrypt or decrypt (the voter's and the committee member's
// do): a script that is not loaded cannot be misused there.
func TestOnlyVoterPageLoadsBox(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1})
	for path, want := range map[string]bool{"/v/": true, "/V/" + f.tokens[0]: true, "/bkp/": true, "/": false, "/nhap-ma": false, "/tra-cuu": false} {
		res, body := f.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		if got := strings.Contains(string(body), `src="/static/box.js"`); got != want {
			t.Errorf("GET %s loads box.js: %v, want %v", path, got, want)
		}
	}
	if _, body := f.get("/"); !strings.Contains(string(body), `href="/tra-cuu"`) {
		t.Error("the entry page does not link to the receipt look-up")
	}
}
