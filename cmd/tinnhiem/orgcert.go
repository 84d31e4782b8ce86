package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/tally/report"
)

func init() {
	register(command{"org cert",
		"org cert --db FILE --name ORG (--cert FILE --cert-key FILE | --p12 FILE [--p12-password-file FILE])",
		cmdOrgCert})
}

// signerFor returns the certificate that signs the reports of org's
// sessions: the organisation's own if it brought one, else the
// installation's report certificate (created on first use naming
// fallbackName). Like every private key, an organisation's lives in a file
// of mode 0600 beside the installation key, never in the database.
func (in installation) signerFor(org, fallbackName string) (*report.CertSigner, error) {
	if org != "" {
		certFile, keyFile := in.OrgCert(org), in.OrgCertKey(org)
		if _, err := os.Stat(certFile); err == nil {
			s, err := loadPEMSigner(certFile, keyFile)
			if err != nil {
				return nil, fmt.Errorf("certificate of organisation %q: %w", org, err)
			}
			return s, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("failed to read the certificate of organisation %q: %w", org, err)
		}
	}
	return in.reportCert(fallbackName)
}

// cmdOrgCert installs an organisation's own certificate and key for the PDF
// signatures of its reports, after checking that they belong together.
func cmdOrgCert(e *env, args []string) error {
	f := newFlags("org cert", true, false)
	name := f.String("name", "", "organisation `NAME`")
	certFile := f.String("cert", "", "certificate `FILE` (PEM)")
	certKey := f.String("cert-key", "", "private key `FILE` (PEM) of --cert")
	p12 := f.String("p12", "", "certificate and key as a PKCS #12 `FILE`")
	p12Pass := f.String("p12-password-file", "", "`FILE` whose first line is the password of --p12")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if *name == "" {
			return cli.Usagef("--name ORG is required")
		}
		var signer *report.CertSigner
		var err error
		switch {
		case *certFile != "" && *certKey != "" && *p12 == "":
			signer, err = loadPEMSigner(*certFile, *certKey)
		case *p12 != "" && *certFile == "" && *certKey == "":
			signer, err = loadP12Signer(*p12, *p12Pass)
		default:
			return cli.Usagef("give either --cert FILE --cert-key FILE, or --p12 FILE")
		}
		if err != nil {
			return err
		}
		org, err := svc.Organisation(e.ctx, *name)
		if err != nil {
			return cli.WithHint(err, "create the organisation first: tinnhiem org add --db FILE --name NAME")
		}
		certPEM, keyPEM, err := signer.MarshalPEM()
		if err != nil {
			return err
		}
		in := f.installation()
		certPath, keyPath := in.OrgCert(org.Name), in.OrgCertKey(org.Name)
		if err := os.MkdirAll(filepath.Dir(certPath), 0o700); err != nil {
			return fmt.Errorf("failed to create %s: %w", filepath.Dir(certPath), err)
		}
		if err := cli.WriteNewFile(keyPath, keyPEM, 0o600); err != nil {
			return err
		}
		if err := cli.WriteNewFile(certPath, certPEM, 0o644); err != nil {
			os.Remove(keyPath)
			return err
		}
		fmt.Fprintf(e.stdout, "Chứng thư của %s / certificate of %s: %s (%s)\n", org.Name, org.Name,
			signer.Certificate.Subject.CommonName, certPath)
		return nil
	})
}
