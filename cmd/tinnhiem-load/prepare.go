package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/ballot/simtrustee"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/cmd/internal/layout"
	"tinnhiem/web"
)

// prepared is an open session ready to take ballots: what the load needs to
// know to cast every card and to check the tally afterwards.
type prepared struct {
	session string
	cadres  []ballot.Cadre
	tokens  []string // plaintext, kept in memory only: this is a load tool
	members int
	// Of an encrypted session: the ballot parameters the cards encrypt
	// under and the simulated trustees who hold the key.
	box       *box.Params
	committee *simtrustee.Committee
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
	svc := ballot.NewService(st, k, nil, nil)
	// What the server logs at open: the digest of the voter page it serves.
	_, assets := web.VoterAssets()
	svc.VoterAssets = hex.EncodeToString(assets[:])
	return svc, st, nil
}

// prepare runs a whole meeting's preparation of a clear session (ballots
// as marks) through the service; see prepareSession.
func prepare(ctx context.Context, svc *ballot.Service, voters, cadres int) (*prepared, error) {
	return prepareSession(ctx, svc, voters, cadres, false)
}

// prepareSession runs a whole meeting's preparation through the service,
// exactly as the organiser's commands do: session, roster of voters
// members, the cadres, committee, check-in of everyone, one card per
// member, and open. An encrypted session has a committee of three
// simulated trustees (ballot/simtrustee) who hold the key two of three,
// and its key ceremony is run before the opening.
func prepareSession(ctx context.Context, svc *ballot.Service, voters, cadres int, encrypted bool) (*prepared, error) {
	const actor = "cli:tinnhiem-load"
	sess, err := svc.CreateSession(ctx, actor, ballot.NewSession{
		Title: "Hội nghị lấy phiếu tín nhiệm (thử tải)", Body: "Ban Chấp hành Đảng bộ",
		Date: "2026-11-22", Place: "Hội trường A", Encrypted: encrypted,
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
	// A committee of people who are not rated, as DOMAIN.md requires; the
	// roster may be a single member. Of an encrypted session they are the
	// trustees, three so that one may be absent at the count.
	committee := []string{"Thành viên Ban kiểm phiếu 1", "Thành viên Ban kiểm phiếu 2"}
	if encrypted {
		committee = append(committee, "Thành viên Ban kiểm phiếu 3")
	}
	if err := svc.SetCommittee(ctx, actor, sess.ID, committee); err != nil {
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
	p := &prepared{session: sess.ID, tokens: tokens, members: voters}
	if encrypted {
		if p.committee, err = simtrustee.Ceremony(ctx, svc, actor, sess.ID, rand.Reader); err != nil {
			return nil, fmt.Errorf("failed to run the key ceremony: %w", err)
		}
	}
	if err := svc.Open(ctx, actor, sess.ID, false, ""); err != nil {
		return nil, fmt.Errorf("failed to open: %w", err)
	}
	// The store numbers cadres itself; read them back in ballot order.
	if p.cadres, err = svc.Cadres(ctx, sess.ID); err != nil {
		return nil, fmt.Errorf("failed to read cadres: %w", err)
	}
	if encrypted {
		// The parameters as the voter's page gets them with its form.
		if len(tokens) == 0 {
			return nil, errors.New("failed to read the ballot parameters: no card issued")
		}
		form, err := svc.Form(ctx, tokens[0])
		if err != nil {
			return nil, fmt.Errorf("failed to read the ballot form: %w", err)
		}
		if form.Box == nil {
			return nil, errors.New("the form of the encrypted session has no ballot parameters")
		}
		p.box = form.Box
	}
	return p, nil
}
