package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/cmd/internal/layout"
)

// prepared is an open session ready to take ballots: what the load needs to
// know to cast every card and to check the tally afterwards.
type prepared struct {
	session string
	cadres  []ballot.Cadre
	tokens  []string // plaintext, kept in memory only: this is a load tool
	members int
}

// loadOrCreateKey reads the installation key at path, creating it (mode
// 0600) when it does not exist yet.
func loadOrCreateKey(path string) (*audit.Key, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := audit.ParseKey(b)
		if err != nil {
			return nil, fmt.Errorf("failed to read key file %s: %w", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("failed to read key file: %w", err)
	}
	k, err := audit.GenerateKey(rand.Reader, "tinnhiem")
	if err != nil {
		return nil, fmt.Errorf("failed to generate key: %w", err)
	}
	if err := os.WriteFile(path, audit.MarshalKey(k), 0o600); err != nil {
		return nil, fmt.Errorf("failed to write key file: %w", err)
	}
	return k, nil
}

// openService opens the store at db and the key beside it (or at key). The
// key is where tinnhiem looks for it (votes.db is signed by votes.key), so
// that a `tinnhiem serve --db votes.db` started on the same file verifies
// the checkpoints this tool signs.
func openService(db, key string) (*ballot.Service, *sqlite.Store, error) {
	k, err := loadOrCreateKey(layout.New(db, key).Key)
	if err != nil {
		return nil, nil, err
	}
	st, err := sqlite.Open(db)
	if err != nil {
		return nil, nil, err
	}
	return ballot.NewService(st, k, nil, nil), st, nil
}

// prepare runs a whole meeting's preparation through the service, exactly
// as the organiser's commands do: session, roster of voters members, the
// cadres, committee, check-in of everyone, one card per member, open.
func prepare(ctx context.Context, svc *ballot.Service, voters, cadres int) (*prepared, error) {
	const actor = "cli:tinnhiem-load"
	sess, err := svc.CreateSession(ctx, actor, ballot.NewSession{
		Title: "Hội nghị lấy phiếu tín nhiệm (thử tải)", Body: "Ban Chấp hành Đảng bộ",
		Date: "2026-11-22", Place: "Hội trường A",
	})
	if err != nil {
		return nil, fmt.Errorf("failed to create session: %w", err)
	}
	ms := make([]ballot.Member, voters)
	for i := range ms {
		ms[i] = ballot.Member{Name: fmt.Sprintf("Đại biểu số %d", i+1), Position: "Ủy viên"}
	}
	if err := svc.ImportRoster(ctx, actor, sess.ID, ms); err != nil {
		return nil, fmt.Errorf("failed to import roster: %w", err)
	}
	cs := make([]ballot.Cadre, cadres)
	for i := range cs {
		cs[i] = ballot.Cadre{ID: fmt.Sprintf("c%d", i+1), Name: fmt.Sprintf("Cán bộ số %d", i+1), Position: "Ủy viên Ban Thường vụ"}
	}
	if err := svc.ImportCadres(ctx, actor, sess.ID, cs); err != nil {
		return nil, fmt.Errorf("failed to import cadres: %w", err)
	}
	// A committee of two people who are not rated, as DOMAIN.md requires;
	// the roster may be a single member.
	if err := svc.SetCommittee(ctx, actor, sess.ID, []string{"Thành viên Ban kiểm phiếu 1", "Thành viên Ban kiểm phiếu 2"}); err != nil {
		return nil, fmt.Errorf("failed to set committee: %w", err)
	}
	if _, err := svc.CheckIn(ctx, actor, sess.ID, nil, true); err != nil {
		return nil, fmt.Errorf("failed to check in: %w", err)
	}
	var tokens []string
	err = svc.IssueTokens(ctx, actor, sess.ID, voters, func(ts []string) error {
		tokens = slices.Clone(ts)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to issue cards: %w", err)
	}
	if err := svc.Open(ctx, actor, sess.ID, false, ""); err != nil {
		return nil, fmt.Errorf("failed to open: %w", err)
	}
	// The store numbers cadres itself; read them back in ballot order.
	got, err := svc.Cadres(ctx, sess.ID)
	if err != nil {
		return nil, fmt.Errorf("failed to read cadres: %w", err)
	}
	return &prepared{session: sess.ID, cadres: got, tokens: tokens, members: voters}, nil
}
