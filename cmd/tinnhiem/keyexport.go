package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tinnhiem/audit"
	"tinnhiem/tally/report"
)

// The report certificate lives beside the installation key: vote.key has
// vote.cert.pem (public) and vote.cert-key.pem (secret, mode 0600).
func certPaths(keyPath string) (cert, certKey string) {
	base := strings.TrimSuffix(keyPath, filepath.Ext(keyPath))
	return base + ".cert.pem", base + ".cert-key.pem"
}

// writeCertFiles creates a self-signed report certificate for org beside
// the key at keyPath, refusing to overwrite either file: a replaced
// certificate would make earlier reports look signed by a stranger.
func writeCertFiles(keyPath, org string) (*report.CertSigner, error) {
	s, err := report.NewSelfSigned(rand.Reader, org, time.Now())
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := s.MarshalPEM()
	if err != nil {
		return nil, err
	}
	certFile, certKeyFile := certPaths(keyPath)
	if err := writeNewFile(certKeyFile, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := writeNewFile(certFile, certPEM, 0o644); err != nil {
		os.Remove(certKeyFile)
		return nil, err
	}
	return s, nil
}

// writeNewFile writes data to a file that must not exist yet, durably.
func writeNewFile(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return withHint(fmt.Errorf("%s already exists", path), "keep it; move it away first if you really mean to replace it")
		}
		return fmt.Errorf("failed to create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	return f.Close()
}

// readCertFiles loads the report certificate beside the key at keyPath;
// with org set, a missing pair is created naming org, which is how keys made
// before certificates existed get one on their first tally.
func readCertFiles(keyPath, org string) (*report.CertSigner, error) {
	certFile, certKeyFile := certPaths(keyPath)
	_, err := os.Stat(certFile)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err2 := os.Stat(certKeyFile); err2 == nil {
			return nil, withHint(fmt.Errorf("%s exists but %s does not", certKeyFile, certFile), "restore the certificate file, or move both away to create a new pair")
		}
		if org == "" {
			return nil, withHint(fmt.Errorf("no report certificate %s", certFile), "create it with: tinnhiem keygen --key FILE --org NAME, or run tinnhiem tally once")
		}
		return writeCertFiles(keyPath, org)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read certificate: %w", err)
	}
	s, err := loadPEMSigner(certFile, certKeyFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certFile, err)
	}
	return s, nil
}

// cmdKeyExport writes the installation's public key in every form an
// inspector's tools read, and the report certificate.
func cmdKeyExport(e *env, args []string) error {
	f := newFlags("key export", false, false)
	db := f.String("db", "", "SQLite database `FILE` (the key beside it is exported)")
	keyFile := f.String("key", "", "installation key `FILE`")
	out := f.String("out", "", "`DIR` to write the public key files to")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := requireNoArgs(pos); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out DIR is required")
	}
	path := *keyFile
	if path == "" {
		if *db == "" {
			return usagef("--db FILE or --key FILE is required")
		}
		path = defaultKeyPath(*db)
	}
	k, err := readKeyFile(path, false)
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
	}{
		{report.PublicKeyName, k.SignifyPublicKey()},
		{"tinnhiem.pem", k.PublicKeyPEM()},
		{"tinnhiem.vkey", []byte(k.VerifierKey() + "\n")},
	}
	certNote := ""
	if cert, err := readCertFiles(path, ""); err == nil {
		certPEM, _, err := cert.MarshalPEM()
		if err != nil {
			return err
		}
		files = append(files, struct {
			name string
			data []byte
		}{"tinnhiem.cert.pem", certPEM})
	} else {
		certNote = "no report certificate yet (tinnhiem keygen --org NAME or the first tally creates one)"
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("failed to create %s: %w", *out, err)
	}
	for _, file := range files {
		if err := writeFileAtomic(filepath.Join(*out, file.name), file.data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", filepath.Join(*out, file.name))
	}
	if certNote != "" {
		fmt.Fprintf(e.stdout, "note: %s\n", certNote)
	}
	fmt.Fprintf(e.stdout, "public key: %s\nfingerprint: %s\n", k.VerifierKey(), audit.Fingerprint(k.VerifierKey()))
	return nil
}

// writeFileAtomic replaces path with data: a reader sees the old file or
// the new one, never half of it.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	return nil
}
