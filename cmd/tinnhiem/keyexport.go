package main

import (
	"fmt"
	"os"
	"path/filepath"

	"tinnhiem/audit"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/tally/report"
)

func init() {
	register(command{"key export", "key export (--db FILE | --key FILE) --out DIR", cmdKeyExport})
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
	if err := cli.NoArgs(pos); err != nil {
		return err
	}
	if *out == "" {
		return cli.Usagef("--out DIR is required")
	}
	if *keyFile == "" && *db == "" {
		return cli.Usagef("--db FILE or --key FILE is required")
	}
	in := newInstallation(*db, *keyFile)
	k, err := readKeyFile(in.Key, false)
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
	if cert, err := in.reportCert(""); err == nil {
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
		if err := cli.WriteFileAtomic(filepath.Join(*out, file.name), file.data, 0o644); err != nil {
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
