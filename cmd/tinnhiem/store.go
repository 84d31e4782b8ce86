package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/web"
)

// openService opens the database and the installation key named by f. The
// key is created beside the database on first use, and only then: once a
// log exists, its checkpoints are signed with the installation's key, and a
// new key in place of a missing one would sign checkpoints that no longer
// match the old ones. The returned function closes the store.
func openService(f *flags) (*ballot.Service, func(), error) {
	store, err := sqlite.Open(*f.db)
	if err != nil {
		return nil, nil, err
	}
	path := f.installation().Key
	_, statErr := os.Stat(path)
	create := false
	if errors.Is(statErr, fs.ErrNotExist) {
		fresh, err := hasNoLog(store)
		if err != nil {
			store.Close()
			return nil, nil, err
		}
		if !fresh {
			store.Close()
			return nil, nil, cli.WithHint(fmt.Errorf("the installation key %s is missing, and this database's audit logs were signed with it", path),
				"restore the key file from its backup (or give its place with --key FILE); a new key cannot continue logs signed by the old one")
		}
		create = true
	}
	key, err := readKeyFile(path, create)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	svc := ballot.NewService(store, key, nil, nil)
	// Every command that may open a vote logs the voter page this binary
	// serves, so that inspectors compare it with the release.
	_, assets := web.VoterAssets()
	svc.VoterAssets = hex.EncodeToString(assets[:])
	_, member := web.MemberAssets()
	svc.MemberAssets = hex.EncodeToString(member[:])
	return svc, func() { store.Close() }, nil
}

// hasNoLog reports whether the database holds no audit log yet: a new
// installation, whose key may still be created.
func hasNoLog(store ballot.Store) (bool, error) {
	var ids []string
	err := store.View(context.Background(), func(tx ballot.Tx) (err error) {
		ids, err = tx.AuditSessions()
		return err
	})
	return len(ids) == 0, err
}
