package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"tinnhiem/cmd/internal/cli"
	"tinnhiem/tally/report"
)

// newReportCert creates the installation's self-signed report certificate
// naming org, refusing to overwrite either file: a replaced certificate
// would make earlier reports look signed by a stranger.
func (in installation) newReportCert(org string) (*report.CertSigner, error) {
	s, err := report.NewSelfSigned(rand.Reader, org, time.Now())
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := s.MarshalPEM()
	if err != nil {
		return nil, err
	}
	certFile, certKeyFile := in.Cert(), in.CertKey()
	if err := cli.WriteNewFile(certKeyFile, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := cli.WriteNewFile(certFile, certPEM, 0o644); err != nil {
		os.Remove(certKeyFile)
		return nil, err
	}
	return s, nil
}

// reportCert loads the installation's report certificate; with org set, a
// missing pair is created naming org, which is how keys made before
// certificates existed get one on their first tally.
func (in installation) reportCert(org string) (*report.CertSigner, error) {
	certFile, certKeyFile := in.Cert(), in.CertKey()
	_, err := os.Stat(certFile)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err2 := os.Stat(certKeyFile); err2 == nil {
			return nil, cli.WithHint(fmt.Errorf("%s exists but %s does not", certKeyFile, certFile), "restore the certificate file, or move both away to create a new pair")
		}
		if org == "" {
			return nil, cli.WithHint(fmt.Errorf("no report certificate %s", certFile), "create it with: tinnhiem keygen --key FILE --org NAME, or run tinnhiem tally once")
		}
		return in.newReportCert(org)
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
