package sqlite

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mattn/go-sqlite3"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// TestCloseWaitsForCasts closes the store while casts are in flight: every
// cast acknowledged before Close returned must be in the file afterwards,
// and every cast after it must fail.
func TestCloseWaitsForCasts(t *testing.T) {
	s, path := openTemp(t)
	hashes := openSession(t, s, "dong-cua", 300)
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := 0
	for i, h := range hashes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Cast(ctx, h, ballot.Ballot{ID: fmt.Sprintf("%032x", i), Marks: "H"}); err == nil {
				mu.Lock()
				acked++
				mu.Unlock()
			}
		}()
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	if _, err := s.Cast(ctx, hashes[0], ballot.Ballot{ID: "late", Marks: "H"}); err == nil {
		t.Errorf("Cast after Close: got nil error, want one")
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s.Close()
	var n int
	if err := s.View(ctx, func(tx ballot.Tx) (err error) { n, err = tx.BallotCount("dong-cua"); return err }); err != nil {
		t.Fatalf("View: %v", err)
	}
	if n != acked {
		t.Errorf("after Close: %d ballots in the file, %d casts acknowledged", n, acked)
	}
}

// TestCastDiskFull fills the disk while many casts are in flight. Whatever
// batches fail, each cast's answer must match the file: an acknowledged
// cast has its ballot and a used token, a failed one left its token issued.
func TestCastDiskFull(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	const n = 400
	hashes := openSession(t, s, "day-dia", n)
	lift := fillDisk(t, s, 60)
	marks := strings.Repeat("H", 1500) // two ballots fill a page
	errs := make([]error, n)
	// Waves of concurrent casts, so that some batches commit before the
	// disk fills and later ones do not.
	for wave := 0; wave < n; wave += 40 {
		var wg sync.WaitGroup
		for i := wave; i < wave+40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Cast(ctx, hashes[i], ballot.Ballot{ID: fmt.Sprintf("%032x", i), Marks: marks})
			}()
		}
		wg.Wait()
	}
	lift()
	full := 0
	err := s.View(ctx, func(tx ballot.Tx) error {
		bs, err := tx.Ballots("day-dia")
		if err != nil {
			return err
		}
		stored := map[string]bool{}
		for _, b := range bs {
			stored[b.ID] = true
		}
		for i, h := range hashes {
			_, st, err := tx.Token(h)
			if err != nil {
				return err
			}
			id := fmt.Sprintf("%032x", i)
			if ok := errs[i] == nil; ok != (st == ballot.TokenUsed) || ok != stored[id] {
				t.Errorf("cast %d: error %v, but token state %d and ballot stored = %v", i, errs[i], st, stored[id])
			}
			var be *ballot.Error
			if errors.As(errs[i], &be) && be.Key == "storage_full" {
				full++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	t.Logf("%d casts refused for a full disk, %d acknowledged", full, n-full)
	if full == 0 || full == n {
		t.Fatalf("%d of %d casts failed on the full disk, want some but not all", full, n)
	}
	// The store recovers once space is back, and a refused card still votes.
	for i, err := range errs {
		if err != nil {
			if _, err := s.Cast(ctx, hashes[i], ballot.Ballot{ID: fmt.Sprintf("%032x", i), Marks: "H"}); err != nil {
				t.Errorf("casting card %d again after space came back: %v", i, err)
			}
			break
		}
	}
}

// setCommitHook installs hook on the write connection; a hook returning
// non-zero turns every COMMIT into a rollback, which is how a commit that
// fails at the last moment (an I/O error while syncing) looks to the store.
func setCommitHook(t *testing.T, s *Store, hook func() int) {
	t.Helper()
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		t.Fatalf("Conn: %v", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		dc.(*sqlite3.SQLiteConn).RegisterCommitHook(hook)
		return nil
	})
	if err != nil {
		t.Fatalf("Raw: %v", err)
	}
}

// TestCastCommitFails makes the batch's commit fail: every cast of the
// batch must get an error, including those that seemed refused, and none
// may have left a ballot or a used token.
func TestCastCommitFails(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	const n = 100
	hashes := openSession(t, s, "loi-ghi", n)
	setCommitHook(t, s, func() int { return 1 })
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	for i := range n + 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := hashes[i%n] // the last one casts card 0 a second time
			_, errs[i] = s.Cast(ctx, h, ballot.Ballot{ID: fmt.Sprintf("%032x", i), Marks: "H"})
		}()
	}
	wg.Wait()
	setCommitHook(t, s, nil)
	for i, err := range errs {
		if err == nil {
			t.Errorf("cast %d: acknowledged although its commit failed", i)
		} else if errors.Is(err, ballot.ErrTokenUsed) {
			t.Errorf("cast %d: %v, but the cast that used the card was never committed", i, err)
		}
	}
	err := s.View(ctx, func(tx ballot.Tx) error {
		c, err := tx.TokenCounts("loi-ghi")
		if err != nil {
			return err
		}
		nb, err := tx.BallotCount("loi-ghi")
		if c.Used != 0 || nb != 0 {
			t.Errorf("after failed commits: %d tokens used, %d ballots; want none", c.Used, nb)
		}
		return err
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	if _, err := s.Cast(ctx, hashes[0], ballot.Ballot{ID: "sau", Marks: "H"}); err != nil {
		t.Errorf("Cast once commits work again: %v", err)
	}
}

// BenchmarkCast measures durable casts per second on a file in a temporary
// directory, with synchronous=FULL as in production. With one caster every
// cast waits for its own fsync; with many, group commit shares one fsync
// among every cast queued meanwhile. It reports ballots/s and the mean
// number of casts per commit.
func BenchmarkCast(b *testing.B) {
	for _, casters := range []int{1, 256} {
		b.Run(fmt.Sprintf("casters=%d", casters), func(b *testing.B) {
			s, _ := openTemp(b)
			defer s.Close()
			hashes := openSession(b, s, "do-toc", b.N)
			ballots := make([]ballot.Ballot, b.N)
			for i := range ballots {
				// Random-looking IDs, as in production, so that inserts land
				// all over the B-tree instead of appending at its end.
				id := audit.Sum([]byte(fmt.Sprint("ballot", i))).String()[:32]
				ballots[i] = ballot.Ballot{ID: id, Marks: "HNLHN-HNLHNXHNLHNL"}
			}
			commits0, casts0 := s.commits.Load(), s.committedCasts.Load()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range casters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1) - 1)
						if i >= b.N {
							return
						}
						if _, err := s.Cast(ctx, hashes[i], ballots[i]); err != nil {
							b.Errorf("Cast: %v", err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
			if commits := s.commits.Load() - commits0; commits > 0 {
				b.ReportMetric(float64(s.committedCasts.Load()-casts0)/float64(commits), "casts/commit")
			}
		})
	}
}
