package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"tinnhiem/audit"
)

// keyName is the signer name in checkpoint signatures. Installations are
// told apart by the key's fingerprint, which reports print.
const keyName = "tinnhiem"

// writeKeyFile creates a new key at path with mode 0600, refusing to
// overwrite one: losing a key would orphan every checkpoint it signed.
func writeKeyFile(path string) (*audit.Key, error) {
	k, err := audit.GenerateKey(rand.Reader, keyName)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("failed to create the key's directory: %w", err)
	}
	if _, err := os.Stat(path); err == nil {
		return nil, withHint(fmt.Errorf("key file %s already exists", path), "keep it: it signed this installation's checkpoints; choose another --key FILE for a new key")
	}
	if err := writeNewFile(path, audit.MarshalKey(k), 0o600); err != nil {
		return nil, err
	}
	return k, nil
}

// readKeyFile loads the key at path. With create set, a missing key is
// created, which is how a new installation gets its key on first use.
func readKeyFile(path string, create bool) (*audit.Key, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		return writeKeyFile(path)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, withHint(fmt.Errorf("key file %s does not exist", path), "create it with: tinnhiem keygen --key "+path)
		}
		return nil, withHint(fmt.Errorf("failed to read key file: %w", err), "the key file must be readable by the user running tinnhiem (mode 0600)")
	}
	k, err := audit.ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

func cmdKeygen(e *env, args []string) error {
	f := newFlags("keygen", false, false)
	path := f.String("key", "", "`FILE` to create")
	org := f.String("org", "", "organisation `NAME` in the report certificate (default: named by the key's fingerprint)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := requireNoArgs(pos); err != nil {
		return err
	}
	if *path == "" {
		return usagef("--key FILE is required")
	}
	certFile, certKeyFile := certPaths(*path)
	for _, p := range []string{certFile, certKeyFile} {
		if _, err := os.Stat(p); err == nil {
			return withHint(fmt.Errorf("%s already exists", p), "keep it: it signed this installation's reports; choose another --key FILE for a new key")
		}
	}
	k, err := writeKeyFile(*path)
	if err != nil {
		return err
	}
	name := *org
	if name == "" {
		name = "tinnhiem " + k.Fingerprint()[:9]
	}
	if _, err := writeCertFiles(*path, name); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã tạo khóa / created key %s\n", *path)
	fmt.Fprintf(e.stdout, "Chứng thư ký báo cáo / report certificate %s (key %s, mode 0600)\n", certFile, certKeyFile)
	fmt.Fprintf(e.stdout, "public key: %s\nfingerprint: %s\n", k.VerifierKey(), k.Fingerprint())
	return nil
}

func init() {
	register(command{"key export", "key export (--db FILE | --key FILE) --out DIR", cmdKeyExport})
}
