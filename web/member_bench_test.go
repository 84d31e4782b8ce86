package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
)

// TestBenchCommitteePhones measures, in headless Chromium over loopback,
// the two figures of issue 13 for the committee's phones, and only logs
// them (no timing is asserted; the machine is shared): a key ceremony of
// n = 5 members, each on its own page, from the first tap to every
// member's key, and one trustee's decryption of V = 500 ballots of K = 30
// cadres on a page throttled 4× (CDP Emulation.setCPUThrottlingRate),
// split into the recomputation of the sums from the sealed ballots and
// the partial decryption with its proofs. It runs only with
// TINNHIEM_BENCH=1.
func TestBenchCommitteePhones(t *testing.T) {
	if os.Getenv("TINNHIEM_BENCH") != "1" {
		t.Skip("set TINNHIEM_BENCH=1 to measure the committee's phones")
	}
	const V, K, n = 500, 30, 5
	f := newFixture(t, fixtureOptions{tokens: V, encrypted: true, keyless: true})
	ctx := context.Background()
	var cadres []ballot.Cadre
	for k := range K {
		cadres = append(cadres, ballot.Cadre{ID: fmt.Sprintf("c%d", k+1), Name: fmt.Sprintf("Cán bộ %02d", k+1), Position: "Ủy viên"})
	}
	if err := f.svc.ImportCadres(ctx, "test", f.session, cadres); err != nil {
		t.Fatal(err)
	}
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("Thành viên Ban kiểm phiếu %d", i+1))
	}
	if err := f.svc.SetCommittee(ctx, "test", f.session, names); err != nil {
		t.Fatal(err)
	}
	links, err := f.svc.IssueMemberLinks(ctx, "test", f.session)
	if err != nil {
		t.Fatal(err)
	}

	bctx := newBrowserWithin(t, 590*time.Second)
	pages := make([]context.Context, n)
	for i := range pages {
		pages[i] = phone(t, bctx)
		if err := chromedp.Do(pages[i], chromedp.Navigate(f.url+"/bkp/"+f.session+"/"+links[i].Code), chromedp.WaitVisible(chromedp.ID("keygen"))); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	for i := range pages {
		if err := chromedp.Do(pages[i], chromedp.Click(chromedp.ID("keygen"))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range pages {
		waitPage(t, pages[i], "round 3", `document.getElementById("step-status").getAttribute("data-step") === "round3"`, 120*time.Second)
	}
	rounds := time.Since(start)
	if err := f.svc.CompleteCeremony(ctx, "test", f.session, nil); err != nil {
		t.Fatal(err)
	}
	for i := range pages {
		waitPage(t, pages[i], "key", visibleJS("step-done"), 120*time.Second)
	}
	t.Logf("ceremony n=%d, t=%d, through the member API on %d pages of one headless Chromium: rounds 1–3 of every member %v after the first tap; every member's key %v after it (completion by the organiser included)",
		n, box.DefaultThreshold(n), n, rounds.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	// V ballots of K lines, cast as phones do, verified by the server.
	if err := f.svc.Open(ctx, "test", f.session, false, ""); err != nil {
		t.Fatal(err)
	}
	p := f.encForm(f.tokens[0])
	castStart := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, V)
	work := make(chan int)
	for range 2 {
		wg.Go(func() {
			for v := range work {
				choices := make([]int, K)
				for k := range choices {
					choices[k] = (v + k) % 4
				}
				canonical, _ := ballot.NormalizeToken(f.tokens[v])
				key, err := box.CardKey(p.Session, canonical)
				if err == nil {
					var b *box.Ballot
					if b, _, err = box.EncryptBallot(rand.Reader, p, key, choices); err == nil {
						_, err = f.svc.CastEncrypted(ctx, f.tokens[v], box.FormatBallot(b))
					}
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	for v := range V {
		work <- v
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	page := pages[0]
	if err := chromedp.Do(page, throttle(4)); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Close(ctx, "test", f.session); err != nil {
		t.Fatal(err)
	}
	closed := time.Now()
	t.Logf("%d ballots of %d lines encrypted in Go and cast in %v", V, K, closed.Sub(castStart).Round(time.Millisecond))
	waitPage(t, page, "close", visibleJS("decrypt"), 30*time.Second)
	waitPage(t, page, "the sum check that starts at close", `document.getElementById("step-decrypt").getAttribute("data-checked") === "true"`, 400*time.Second)
	t.Logf("the page's sum check in its worker, started when the page saw the close (polled every 3 s): done %v after the close", time.Since(closed).Round(time.Millisecond))
	// The two parts apart, on the data the page fetches, in the page.
	parts, err := chromedp.Run(page, chromedp.Evaluate[map[string]float64](fmt.Sprintf(`(async () => {
		const db = await new Promise((ok, no) => { const r = indexedDB.open("tinnhiem-member", 1); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
		const rec = await new Promise((ok, no) => { const r = db.transaction("trustees").objectStore("trustees").get(%q + "#1"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
		const t0 = performance.now();
		const res = await fetch("/api/v1/member/tally", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({session: %q, member: %q})});
		const b = await res.json();
		const tallyJSON = JSON.stringify(b.tally), ballots = b.ballots.map((x) => JSON.stringify(x));
		const t1 = performance.now();
		tinnhiemBox.checkTallySum({session: %q, lines: b.lines, options: b.options, tallyJSON, ballotJSONs: ballots});
		const t2 = performance.now();
		tinnhiemBox.trustee.decrypt({lines: b.lines, options: b.options, trusteeKeyJSON: rec.key, tallyJSON});
		const t3 = performance.now();
		return {fetch: t1 - t0, sum: t2 - t1, partial: t3 - t2};
	})()`, f.session, f.session, links[0].Code, f.session), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	clickStart := time.Now()
	if err := chromedp.Do(page, chromedp.Click(chromedp.ID("decrypt"))); err != nil {
		t.Fatal(err)
	}
	waitPage(t, page, "decrypt", visibleJS("decrypt-done"), 400*time.Second)
	t.Logf("decryption by one trustee, V=%d K=%d, headless Chromium throttled 4×: fetch and parse %.0f ms, sum recomputation (α of %d ciphertexts, on the page's thread) %.0f ms, partial decryption with proofs %.0f ms; the tap once the sum is checked (partial, post) %v",
		V, K, parts["fetch"], V*K*3, parts["sum"], parts["partial"], time.Since(clickStart).Round(time.Millisecond))
}
