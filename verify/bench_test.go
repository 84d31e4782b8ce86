package verify_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"tinnhiem/audit"
	"tinnhiem/tally"
	"tinnhiem/verify"
)

// mapFiles collects a bundle's files in memory.
type mapFiles fstest.MapFS

func (m mapFiles) WriteFile(name string, data []byte) error {
	m[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	return nil
}

var (
	bigOnce   sync.Once
	bigFiles  fstest.MapFS
	bigKey    *audit.Key
	bigBuildT time.Duration
)

// bigBundle builds, once, the bundle of a vote with 1 000 000 ballots for
// 30 cadres, straight through audit.Head.Next (SQLite would dominate the
// time): 1 000 members, 1 000 000 cards issued and used, every ballot
// sealed, the tally and three signed checkpoints, the last at the tally,
// so that every entry is covered.
func bigBundle(b *testing.B) (fstest.MapFS, *audit.Key) {
	bigOnce.Do(func() {
		start := time.Now()
		const ballots, cadres, members = 1_000_000, 30, 1000
		key := mustKey(b, "bench", "tinnhiem")
		at := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
		var h audit.Head
		var log []audit.Entry
		add := func(t audit.Type, v any) {
			e, err := h.Next("bench", t, actor, at, v)
			if err != nil {
				b.Fatal(err)
			}
			if h, err = h.Append(&e); err != nil {
				b.Fatal(err)
			}
			log = append(log, e)
		}
		var cps [][]byte
		checkpoint := func() {
			msg, err := audit.SignCheckpoint(audit.Checkpoint{Session: "bench", Head: h}, key)
			if err != nil {
				b.Fatal(err)
			}
			cps = append(cps, msg)
		}
		add(audit.SessionCreated, audit.SessionCreatedData{ID: "bench", Title: "Hội nghị", Body: "Quốc hội", Date: "2026-11-22", Place: "Hà Nội", Rules: "nq96"})
		roster := make([]audit.Person, members)
		names := make([]string, members)
		for i := range roster {
			names[i] = fmt.Sprintf("Đại biểu %04d", i+1)
			roster[i] = audit.Person{Name: names[i], Position: "Đại biểu"}
		}
		add(audit.RosterSet, audit.RosterSetData{Members: roster})
		cs := make([]audit.Person, cadres)
		for i := range cs {
			cs[i] = audit.Person{ID: fmt.Sprintf("c%d", i+1), Name: fmt.Sprintf("Cán bộ %02d", i+1), Position: "Bộ trưởng"}
		}
		add(audit.CadresSet, audit.CadresSetData{Cadres: cs})
		add(audit.CommitteeSet, audit.CommitteeSetData{Members: names[:3]})
		add(audit.CheckedIn, audit.CheckedInData{Members: names, Present: members, Summoned: members})
		tokens := make([]audit.Hash, ballots)
		for i := range tokens {
			binary.BigEndian.PutUint64(tokens[i][:], uint64(i))
			tokens[i] = sha256.Sum256(tokens[i][:8])
		}
		slices.SortFunc(tokens, func(a, b audit.Hash) int { return bytes.Compare(a[:], b[:]) })
		for c := range slices.Chunk(tokens, 100_000) {
			add(audit.TokensIssued, audit.TokensData{Hashes: c})
		}
		add(audit.SessionOpened, audit.SessionOpenedData{Summoned: members, Present: members, Issued: ballots, QuorumMet: true})
		checkpoint()
		add(audit.SessionClosed, audit.SessionClosedData{Issued: ballots, Collected: ballots})
		sealed := make([]audit.BallotData, ballots)
		marks := make([]byte, cadres)
		for i := range sealed {
			for j := range marks {
				marks[j] = "HNLHN-"[(i*7+j*3)%6]
			}
			sealed[i] = audit.BallotData{ID: fmt.Sprintf("%032x", i), Marks: string(marks)}
		}
		hashes := make(map[string]audit.Hash, ballots)
		for _, s := range sealed {
			hashes[s.ID] = audit.BallotHash(s)
		}
		slices.SortFunc(sealed, func(a, b audit.BallotData) int {
			ha, hb := hashes[a.ID], hashes[b.ID]
			return bytes.Compare(ha[:], hb[:])
		})
		in := tally.Input{Rules: tally.Rules("nq96"), Members: members, Issued: ballots, Cadres: make([]tally.Cadre, cadres)}
		for i, c := range cs {
			in.Cadres[i] = tally.Cadre{ID: c.ID, Name: c.Name, Position: c.Position}
		}
		for _, s := range sealed {
			add(audit.BallotEntry, s)
			in.Ballots = append(in.Ballots, s.Marks)
		}
		add(audit.BallotsSealed, audit.BallotsSealedData{Count: ballots})
		for c := range slices.Chunk(tokens, 1000) {
			add(audit.TokensUsed, audit.TokensData{Hashes: c})
		}
		checkpoint()
		res, err := tally.Count(in)
		if err != nil {
			b.Fatal(err)
		}
		add(audit.TallyComputed, res)
		checkpoint()
		bigFiles = fstest.MapFS{}
		err = audit.WriteBundle(mapFiles(bigFiles), &audit.Bundle{Session: "bench", VerifierKey: key.VerifierKey(), Entries: log, Checkpoints: cps})
		if err != nil {
			b.Fatal(err)
		}
		bigKey, bigBuildT = key, time.Since(start)
	})
	return bigFiles, bigKey
}

// BenchmarkVerifyBundle1M verifies a bundle of 1 000 000 ballots for 30
// cadres, reading it from memory, and reports in the same run the time
// SHA-256 takes over the same bytes, in process and with sha256sum:
//
//	go test ./verify -run '^$' -bench VerifyBundle1M -benchtime 1x
func BenchmarkVerifyBundle1M(b *testing.B) {
	files, key := bigBundle(b)
	var size int64
	for _, f := range files {
		size += int64(len(f.Data))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		if rep := verify.BundleFS(files, verify.Options{Key: key.PublicKey()}); !rep.OK() {
			b.Fatalf("the generated bundle does not verify: %+v", rep.FirstFailure())
		}
	}
	b.StopTimer()

	start := time.Now()
	for _, f := range files {
		sha256.Sum256(f.Data)
	}
	b.ReportMetric(time.Since(start).Seconds(), "sha256-s")
	b.ReportMetric(float64(size)/1e6, "bundle-MB")
	if sum, err := exec.LookPath("sha256sum"); err == nil {
		p := filepath.Join(b.TempDir(), "log.jsonl")
		if err := os.WriteFile(p, files[audit.BundleLog].Data, 0o644); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if out, err := exec.Command(sum, p).CombinedOutput(); err != nil {
			b.Fatalf("sha256sum: %v\n%s", err, out)
		}
		b.ReportMetric(time.Since(start).Seconds(), "sha256sum-log-s")
	}
	b.Logf("generated in %v: %.0f MB, log.jsonl %.0f MB", bigBuildT.Round(time.Millisecond), float64(size)/1e6, float64(len(files[audit.BundleLog].Data))/1e6)
}
