package layout

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

func TestPaths(t *testing.T) {
	in := New(filepath.Join("data", "votes.db"), "")
	id := orgCertID("Đảng ủy Khối")
	got := []string{in.DB, in.Key, in.Cert(), in.CertKey(), in.OrgCertDir(),
		in.OrgCert("Đảng ủy Khối"), in.OrgCertKey("Đảng ủy Khối"), in.TLSCert(), in.TLSKey()}
	want := []string{"data/votes.db", "data/votes.key", "data/votes.cert.pem", "data/votes.cert-key.pem", "data/votes.org-certs",
		"data/votes.org-certs/" + id + ".cert.pem", "data/votes.org-certs/" + id + ".cert-key.pem",
		"data/votes.tls.crt", "data/votes.tls.key"}
	for i := range want {
		want[i] = filepath.FromSlash(want[i])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paths of votes.db:\n got %q\nwant %q", got, want)
	}
	if len(id) != 16 || orgCertID(" Đảng ủy  Khối ") != orgCertID(ballot.CleanText(" Đảng ủy  Khối ")) {
		t.Errorf("organisation ID %q: want 16 hex digits, the same for the cleaned name", id)
	}

	// The certificates follow the key, the TLS files the database.
	other := New("votes.db", filepath.Join("keys", "k.key"))
	if other.Key != filepath.Join("keys", "k.key") || other.Cert() != filepath.Join("keys", "k.cert.pem") || other.TLSKey() != "votes.tls.key" {
		t.Errorf("with --key keys/k.key: key %q, cert %q, TLS key %q", other.Key, other.Cert(), other.TLSKey())
	}
}

func TestOtherKeys(t *testing.T) {
	dir := t.TempDir()
	in := New(filepath.Join(dir, "votes.db"), "")
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(name string) *audit.Key {
		k, err := audit.GenerateKey(rand.Reader, "tinnhiem")
		if err != nil {
			t.Fatal(err)
		}
		write(name, audit.MarshalKey(k))
		return k
	}
	mk("votes.key") // the default key is not "other"
	old := mk("old.key")
	write("votes.tls.key", []byte("-----BEGIN PRIVATE KEY-----\n"))
	keys, paths := in.OtherKeys()
	if len(keys) != 1 || keys[0].VerifierKey() != old.VerifierKey() || paths[keys[0]] != filepath.Join(dir, "old.key") {
		t.Errorf("OtherKeys = %d keys %v, want only old.key", len(keys), paths)
	}
}
