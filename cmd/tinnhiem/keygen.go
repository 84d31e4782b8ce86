package main

import (
	"fmt"
	"os"

	"tinnhiem/cmd/internal/cli"
)

// cmdKeygen creates an installation key and its report certificate, refusing
// to replace any of the three files.
func cmdKeygen(e *env, args []string) error {
	f := newFlags("keygen", false, false)
	path := f.String("key", "", "`FILE` to create")
	org := f.String("org", "", "organisation `NAME` in the report certificate (default: named by the key's fingerprint)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := cli.NoArgs(pos); err != nil {
		return err
	}
	if *path == "" {
		return cli.Usagef("--key FILE is required")
	}
	in := newInstallation("", *path)
	certFile, certKeyFile := in.Cert(), in.CertKey()
	for _, p := range []string{certFile, certKeyFile} {
		if _, err := os.Stat(p); err == nil {
			return cli.WithHint(fmt.Errorf("%s already exists", p), "keep it: it signed this installation's reports; choose another --key FILE for a new key")
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
	if _, err := in.newReportCert(name); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã tạo khóa / created key %s\n", *path)
	fmt.Fprintf(e.stdout, "Chứng thư ký báo cáo / report certificate %s (key %s, mode 0600)\n", certFile, certKeyFile)
	fmt.Fprintf(e.stdout, "public key: %s\nfingerprint: %s\n", k.VerifierKey(), k.Fingerprint())
	return nil
}
