package main

import (
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
)

// openService opens the database and the installation key named by f. The
// key is created beside the database on first use. The returned function
// closes the store.
func openService(f *flags) (*ballot.Service, func(), error) {
	key, err := readKeyFile(f.keyPath(), true)
	if err != nil {
		return nil, nil, err
	}
	store, err := sqlite.Open(*f.db)
	if err != nil {
		return nil, nil, err
	}
	return ballot.NewService(store, key, nil, nil), func() { store.Close() }, nil
}
