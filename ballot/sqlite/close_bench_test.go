package sqlite

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// BenchmarkCloseRewritesPool measures Service.Close of a vote of 10,000
// ballots of 30 cadres, cast through the service into a real file: the
// rewrite of the ballot pool (ForgetBallotOrder), the sealing of every
// ballot into the audit log and the truncation of the WAL. Since the
// rewrite copies every session's ballots, the second case closes the same
// vote with another 50,000 ballots of an earlier, closed session in the
// pool. Each operation is one close. rewrite-ms is a rewrite of the pool
// exactly as the vote left it, timed just before the close: the work the
// rewrite adds to a close (the close's own rewrite then finds the pool in
// order already, which costs somewhat less).
//
// close-ms of the second case varies from run to run for a reason that has
// nothing to do with the rewrite: when the new session's ID sorts just
// before the earlier one's, each audit entry Close appends lands next to
// the earlier session's CheckedIn entry (a megabyte for 50,000 names),
// which SQLite reads whole at every seek past it.
//
//	go test ./ballot/sqlite -run '^$' -bench CloseRewritesPool -benchtime 1x
func BenchmarkCloseRewritesPool(b *testing.B) {
	for _, others := range []int{0, 50000} {
		b.Run(fmt.Sprintf("ballots=10000,cadres=30,others=%d", others), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				path := filepath.Join(b.TempDir(), "close.db")
				st, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}
				key, err := audit.GenerateKey(rand.Reader, "bench")
				if err != nil {
					b.Fatal(err)
				}
				svc := ballot.NewService(st, key, nil, nil)
				if others > 0 {
					earlier := benchVote(b, svc, others, 30)
					if err := svc.Close(ctx, "bench", earlier); err != nil {
						b.Fatal(err)
					}
				}
				id := benchVote(b, svc, 10000, 30)
				start := time.Now()
				if err := st.Update(ctx, func(tx ballot.Tx) error { return tx.ForgetBallotOrder() }); err != nil {
					b.Fatal(err)
				}
				rewrite := time.Since(start)
				b.StartTimer()
				start = time.Now()
				if err := svc.Close(ctx, "bench", id); err != nil {
					b.Fatal(err)
				}
				closed := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(rewrite.Microseconds())/1000, "rewrite-ms")
				b.ReportMetric(float64(closed.Microseconds())/1000, "close-ms")
				if fi, err := os.Stat(path); err == nil {
					b.ReportMetric(float64(fi.Size())/(1<<20), "file-MiB")
				}
				st.Close()
				b.StartTimer()
			}
		})
	}
}

// benchVote opens a session of n members and k cadres, everyone present,
// and casts all n cards through the service from 64 voters at once.
func benchVote(b *testing.B, svc *ballot.Service, n, k int) string {
	b.Helper()
	sess, err := svc.CreateSession(ctx, "bench", ballot.NewSession{Title: "Hội nghị", Body: "Ban Chấp hành", Date: "2026-11-22", Place: "Hội trường"})
	if err != nil {
		b.Fatal(err)
	}
	members := make([]ballot.Member, n)
	for i := range members {
		members[i] = ballot.Member{Name: fmt.Sprintf("Đại biểu %d", i+1)}
	}
	cadres := make([]ballot.Cadre, k)
	choices := map[string][]ballot.Level{}
	for i := range cadres {
		cadres[i] = ballot.Cadre{ID: fmt.Sprintf("c%d", i+1), Name: fmt.Sprintf("Cán bộ %d", i+1), Position: "Ủy viên"}
		choices[cadres[i].ID] = []ballot.Level{ballot.Levels[i%3]}
	}
	var tokens []string
	for _, err := range []error{
		svc.ImportRoster(ctx, "bench", sess.ID, members),
		svc.ImportCadres(ctx, "bench", sess.ID, cadres),
		func() error { _, err := svc.CheckIn(ctx, "bench", sess.ID, nil, true); return err }(),
		svc.IssueTokens(ctx, "bench", sess.ID, n, func(ts []string) error { tokens = append([]string(nil), ts...); return nil }),
		svc.Open(ctx, "bench", sess.ID, false, ""),
	} {
		if err != nil {
			b.Fatal(err)
		}
	}
	work := make(chan string)
	var wg sync.WaitGroup
	var failed sync.Once
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tok := range work {
				if _, err := svc.Cast(ctx, tok, choices); err != nil {
					failed.Do(func() { b.Error(err) })
				}
			}
		}()
	}
	for _, tok := range tokens {
		work <- tok
	}
	close(work)
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return sess.ID
}
