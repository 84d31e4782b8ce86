// Package layout names the files of a tinnhiem installation, so that the
// server, the organiser's commands and the load tool find the key and the
// certificates in the same places; see Installation for the layout.
package layout

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// Installation is where one installation's files live. Everything is named
// after the database, and the certificates after the key, so that a backup
// of the folder is the whole installation; with --db votes.db:
//
//	votes.db                       the SQLite database (never a private key)
//	votes.key                      the installation key, mode 0600, signing the
//	                               audit log's checkpoints (--key FILE names
//	                               another; the files below then follow it)
//	votes.cert.pem                 the report certificate, signing the PDFs
//	votes.cert-key.pem             its private key, mode 0600
//	votes.org-certs/ID.cert.pem    an organisation's own certificate (tinnhiem
//	votes.org-certs/ID.cert-key.pem  org cert) and its key, mode 0600; ID is
//	                               derived from the organisation's name, so
//	                               any name in any script is a safe file name
//	votes.tls.crt, votes.tls.key   serve --tls-self-signed's certificate and
//	                               key, mode 0600, kept across restarts
//
// Any other installation key among the *.key files beside the database is a
// candidate for export, which looks for the key that signed a session when
// the server was started with --key.
type Installation struct {
	DB  string // the database file; empty when only a key was named
	Key string // the installation key file
}

// New returns the installation of the database db whose key is key, or,
// when key is empty, the .key file beside the database.
func New(db, key string) Installation {
	if key == "" {
		key = stem(db) + ".key"
	}
	return Installation{DB: db, Key: key}
}

// stem is path without its extension: votes.db gives votes.
func stem(path string) string { return strings.TrimSuffix(path, filepath.Ext(path)) }

// Cert is the report certificate's file, public.
func (in Installation) Cert() string { return stem(in.Key) + ".cert.pem" }

// CertKey is the report certificate's private key file, mode 0600.
func (in Installation) CertKey() string { return stem(in.Key) + ".cert-key.pem" }

// OrgCertDir is the folder of the organisations' own certificates.
func (in Installation) OrgCertDir() string { return stem(in.Key) + ".org-certs" }

// orgCertID names org's files: the same name, cleaned as the database cleans
// it, always gives the same ID.
func orgCertID(org string) string {
	h := audit.Sum([]byte(ballot.CleanText(org)))
	return hex.EncodeToString(h[:8])
}

// OrgCert is the file of org's own certificate, public.
func (in Installation) OrgCert(org string) string {
	return filepath.Join(in.OrgCertDir(), orgCertID(org)+".cert.pem")
}

// OrgCertKey is the private key file of org's own certificate, mode 0600.
func (in Installation) OrgCertKey(org string) string {
	return filepath.Join(in.OrgCertDir(), orgCertID(org)+".cert-key.pem")
}

// TLSCert is the self-signed TLS certificate's file beside the database.
func (in Installation) TLSCert() string { return stem(in.DB) + ".tls.crt" }

// TLSKey is the self-signed TLS certificate's private key file, mode 0600.
func (in Installation) TLSKey() string { return stem(in.DB) + ".tls.key" }

// OtherKeys reads the installation keys among the *.key files beside the
// database, other than the default one, with the path of each; files that
// are not installation keys (a TLS key) are passed over.
func (in Installation) OtherKeys() ([]*audit.Key, map[*audit.Key]string) {
	var keys []*audit.Key
	paths := map[*audit.Key]string{}
	found, _ := filepath.Glob(filepath.Join(filepath.Dir(in.DB), "*.key"))
	for _, p := range found {
		if filepath.Clean(p) == filepath.Clean(New(in.DB, "").Key) {
			continue
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if k, err := audit.ParseKey(raw); err == nil {
			keys = append(keys, k)
			paths[k] = p
		}
	}
	return keys, paths
}
