package ballot_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
)

// BenchmarkServiceCast casts ballots of 30 cadres through Service.Cast into
// a real SQLite file, with as many concurrent voters as -cpu × 64, so that
// the store's group commit works as it does under a crowd. Each operation
// is one ballot made durable; README.md records the figures.
func BenchmarkServiceCast(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	key, err := audit.GenerateKey(rand.Reader, "bench")
	if err != nil {
		b.Fatal(err)
	}
	svc := ballot.NewService(st, key, nil, nil)
	n := b.N
	sess, err := svc.CreateSession(ctx, "bench", ballot.NewSession{Title: "Hội nghị", Body: "Ban Chấp hành", Date: "2026-11-22", Place: "Hội trường"})
	if err != nil {
		b.Fatal(err)
	}
	members := make([]ballot.Member, n)
	for i := range members {
		members[i] = ballot.Member{Name: fmt.Sprintf("Đại biểu %d", i+1)}
	}
	cadres := make([]ballot.Cadre, 30)
	for i := range cadres {
		cadres[i] = ballot.Cadre{ID: fmt.Sprintf("c%d", i+1), Name: fmt.Sprintf("Cán bộ %d", i+1), Position: "Ủy viên"}
	}
	var tokens []string
	steps := []error{
		svc.ImportRoster(ctx, "bench", sess.ID, members),
		svc.ImportCadres(ctx, "bench", sess.ID, cadres),
	}
	_, err = svc.CheckIn(ctx, "bench", sess.ID, nil, true)
	steps = append(steps, err,
		svc.IssueTokens(ctx, "bench", sess.ID, n, func(ts []string) error { tokens = slices.Clone(ts); return nil }),
		svc.Open(ctx, "bench", sess.ID, false, ""))
	if err := errors.Join(steps...); err != nil {
		b.Fatal(err)
	}
	levels := []ballot.Level{"high", "normal", "low"}
	choices := make(map[string][]ballot.Level, len(cadres))
	for i, c := range cadres {
		choices[c.ID] = []ballot.Level{levels[i%3]}
	}
	var next atomic.Int64
	b.SetParallelism(64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tok := tokens[next.Add(1)-1]
			if _, err := svc.Cast(ctx, tok, choices); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if c, err := svc.Turnout(ctx, sess.ID); err != nil || c.Used != n {
		b.Fatalf("after %d casts: %d cards used (%v)", n, c.Used, err)
	}
}
