package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"tinnhiem/audit"
	"tinnhiem/cmd/internal/cli"
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
		return nil, cli.WithHint(fmt.Errorf("key file %s already exists", path), "keep it: it signed this installation's checkpoints; choose another --key FILE for a new key")
	}
	if err := cli.WriteNewFile(path, audit.MarshalKey(k), 0o600); err != nil {
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
			return nil, cli.WithHint(fmt.Errorf("key file %s does not exist", path), "create it with: tinnhiem keygen --key "+path)
		}
		return nil, cli.WithHint(fmt.Errorf("failed to read key file: %w", err), "the key file must be readable by the user running tinnhiem (mode 0600)")
	}
	k, err := audit.ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}
