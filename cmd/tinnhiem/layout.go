package main

import "tinnhiem/cmd/internal/layout"

// installation is the layout of an installation's files (layout.Installation,
// which documents where each lives) with the operations of this command on
// them: reading and creating its certificates, choosing a report signer.
type installation struct{ layout.Installation }

// newInstallation returns the installation of the database db whose key is
// key, or, when key is empty, the .key file beside the database.
func newInstallation(db, key string) installation {
	return installation{layout.New(db, key)}
}
