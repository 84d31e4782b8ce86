package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/tally/report"
	"tinnhiem/web"
)

func init() {
	register(command{"tally",
		"tally --db FILE --session ID --out DIR [--cert FILE --cert-key FILE | --p12 FILE [--p12-password-file FILE] | --pkcs11-module FILE [--token-label L | --slot N] [--key-label L | --key-id HEX] [--pin-file FILE | --pin-stdin]] [--tsa URL]",
		cmdTally})
}

// cmdTally counts a closed session once and writes its signed documents;
// run again, it re-issues them from the logged tally without counting.
func cmdTally(e *env, args []string) error {
	f := newFlags("tally", true, true)
	out := f.String("out", "", "`DIR` for the reports, minutes and results")
	sf := addSignerFlags(f)
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
	if err := sf.check(); err != nil {
		return err
	}
	// Open the organisation's certificate (or log into its token) before
	// touching the database, so that a wrong password, PIN or file
	// changes nothing.
	signer, closeSigner, err := sf.load(e)
	if err != nil {
		return err
	}
	defer closeSigner()
	return withService(f, pos, func(svc *ballot.Service, _ []string) error {
		sess, err := svc.Session(e.ctx, *f.session)
		if err != nil {
			return err
		}
		if signer == nil {
			name := sess.Org
			if name == "" {
				name = sess.Body
			}
			if signer, err = f.installation().signerFor(sess.Org, name); err != nil {
				return err
			}
			if *sf.tsa != "" {
				signer.Timestamper = newHTTPTimestamper(*sf.tsa)
			}
		}
		signer.Location = sess.Place
		rec, docs, err := web.IssueReports(e.ctx, svc, cliActor(), *f.session, signer)
		switch {
		case errors.Is(err, ballot.ErrNotClosed):
			return cli.WithHint(err, "tinnhiem session close --db "+*f.db+" --session "+*f.session)
		case errors.Is(err, ballot.ErrNoCommittee):
			return cli.WithHint(err, "tinnhiem session committee --db "+*f.db+" --session "+*f.session+" --member \"Full Name\" …")
		case err != nil:
			return err
		}
		if err := os.MkdirAll(*out, 0o750); err != nil {
			return fmt.Errorf("failed to create %s: %w", *out, err)
		}
		if rec.Counted {
			fmt.Fprintf(e.stdout, "✓ đã kiểm phiếu / tallied: %d phiếu thu về, mục nhật ký / log entry %d\n", rec.Result.Collected, rec.Seq)
		} else {
			fmt.Fprintf(e.stdout, "✓ kết quả đã có trong nhật ký (mục %d) — không kiểm phiếu lại; tài liệu được phát hành lại / already tallied at entry %d: documents re-issued from the logged result\n", rec.Seq, rec.Seq)
		}
		for _, d := range docs {
			path := filepath.Join(*out, d.Name)
			if err := cli.WriteFileAtomic(path, d.Data, 0o640); err != nil {
				return err
			}
			if err := cli.WriteFileAtomic(path+".sig", d.Signature, 0o640); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "  %s (+ .sig)\n", path)
		}
		fmt.Fprintln(e.stdout, timeNote(signer))
		fmt.Fprintf(e.stdout, "Khóa / key fingerprint: %s\n", rec.Fingerprint)
		fmt.Fprintf(e.stdout, "Kiểm tra / verify: tinnhiem key export --db %s --out DIR; pdfsig FILE.pdf; signify-openbsd -V -p DIR/tinnhiem.pub -x FILE.sig -m FILE\n", *f.db)
		return nil
	})
}

func loadPEMSigner(certFile, keyFile string) (*report.CertSigner, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("failed to read certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("failed to read certificate key: %w", err)
	}
	s, err := report.ParsePEM(certPEM, keyPEM)
	if err != nil {
		return nil, cli.WithHint(err, "--cert takes the certificate (PEM, leaf first), --cert-key its unencrypted private key (PEM)")
	}
	return s, nil
}

func loadP12Signer(p12File, passFile string) (*report.CertSigner, error) {
	data, err := os.ReadFile(p12File)
	if err != nil {
		return nil, fmt.Errorf("failed to read PKCS #12 file: %w", err)
	}
	password := ""
	if passFile != "" {
		b, err := os.ReadFile(passFile)
		if err != nil {
			return nil, fmt.Errorf("failed to read password file: %w", err)
		}
		password, _, _ = strings.Cut(strings.TrimPrefix(string(b), "\uFEFF"), "\n")
		password = strings.TrimSuffix(password, "\r")
	}
	s, err := report.ParsePKCS12(data, password)
	if err != nil {
		return nil, cli.WithHint(err, "check --p12-password-file; the file must hold exactly one certificate and its key")
	}
	return s, nil
}
