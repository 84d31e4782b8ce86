package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/tally/report"
	"tinnhiem/web"
)

func cmdServe(e *env, args []string) error {
	f := newFlags("serve", true, false)
	addr := f.String("addr", "127.0.0.1:8080", "`ADDRESS` to listen on")
	baseURL := f.String("base-url", "", "public URL of the server (default: http://ADDRESS, or https:// with TLS)")
	certFile := f.String("tls-cert", "", "serve HTTPS with this certificate `FILE` (PEM, chain included)")
	keyFile := f.String("tls-key", "", "the private key `FILE` of --tls-cert (PEM)")
	selfSigned := f.Bool("tls-self-signed", false, "serve HTTPS with a certificate for this host's names and addresses, made once and kept beside the database")
	sf := addSignerFlags(f)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if err := sf.check(); err != nil {
			return err
		}
		switch {
		case (*certFile == "") != (*keyFile == ""):
			return cli.Usagef("--tls-cert and --tls-key go together")
		case *selfSigned && *certFile != "":
			return cli.Usagef("use either --tls-cert/--tls-key or --tls-self-signed, not both")
		}
		var tlsConfig *tls.Config
		if *selfSigned {
			in := f.installation()
			*certFile, *keyFile = in.TLSCert(), in.TLSKey()
			if err := ensureSelfSigned(*certFile, *keyFile, time.Now()); err != nil {
				return err
			}
		}
		if *certFile != "" {
			cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
			if err != nil {
				return cli.WithHint(fmt.Errorf("failed to load the TLS certificate: %w", err), "give a PEM certificate and its PEM private key")
			}
			tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return cli.WithHint(fmt.Errorf("failed to listen on %s: %w", *addr, err), "is another server using this port? choose another with --addr")
		}
		base := *baseURL
		if base == "" {
			scheme := "http://"
			if tlsConfig != nil {
				scheme = "https://"
			}
			base = scheme + ln.Addr().String()
		}
		opts, err := webOptions(f.installation(), base, tlsConfig != nil)
		if err != nil {
			return err
		}
		// A token (or certificate file) named here signs the console's
		// tally for every organisation; the PIN is asked once, now.
		fixed, closeSigner, err := sf.load(e)
		if err != nil {
			return err
		}
		defer closeSigner()
		if fixed != nil || *sf.tsa != "" {
			perOrg := opts.ReportSigner
			tsa := *sf.tsa
			opts.ReportSigner = func(org string) (report.Signer, error) {
				if fixed != nil {
					return fixed, nil
				}
				s, err := perOrg(org)
				if cs, ok := s.(*report.CertSigner); ok && err == nil && tsa != "" {
					cs.Timestamper = newHTTPTimestamper(tsa)
				}
				return s, err
			}
		}
		if tlsConfig != nil {
			ln = tls.NewListener(ln, tlsConfig)
		}
		return serveWith(e, svc, ln, opts)
	})
}

// webOptions returns the web server's options. The console's tally signs
// PDFs with the organisation's own certificate if it brought one (tinnhiem
// org cert), else with the report certificate kept beside the key, made on
// first use like tinnhiem tally does. Certificates are read at each tally,
// so one installed while the server runs is used at once.
func webOptions(in installation, baseURL string, tls bool) (web.Options, error) {
	if _, err := in.reportCert("tinnhiem"); err != nil {
		return web.Options{}, err
	}
	return web.Options{BaseURL: baseURL, TLS: tls,
		ReportSigner: func(org string) (report.Signer, error) {
			s, err := in.signerFor(org, "tinnhiem")
			if err != nil {
				return nil, err
			}
			return s, nil
		}}, nil
}

// serveWith checks every audit log, then serves until the context ends. A
// server never serves from a broken chain: it names the entry and stops.
func serveWith(e *env, svc *ballot.Service, ln net.Listener, opts web.Options) error {
	defer ln.Close()
	if err := svc.VerifyLogs(e.ctx); err != nil {
		return cli.WithHint(fmt.Errorf("refusing to serve: %w", err), "the database was changed outside tinnhiem; keep a copy of it and call the inspectors")
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	svc.OnWarning = func(err error) { logger.Warn("tinnhiem: warning", "err", err.Error()) }
	opts.Logger = logger
	baseURL := opts.BaseURL
	// The digest of the voter page's embedded files is logged at each open
	// (SessionOpened.voter_assets) and printed here, so that an inspector
	// can compare it with the one computed from the release's source.
	_, assets := web.VoterAssets()
	svc.VoterAssets = hex.EncodeToString(assets[:])
	_, member := web.MemberAssets()
	svc.MemberAssets = hex.EncodeToString(member[:])
	srv := &http.Server{
		Handler:           web.New(svc, opts).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          web.ServerErrorLog(logger), // without client addresses or times
	}
	logger.Info("tinnhiem serving", "addr", ln.Addr().String(), "base_url", baseURL,
		"key_fingerprint", audit.Fingerprint(svc.Key().VerifierKey()), "voter_assets", svc.VoterAssets, "member_assets", svc.MemberAssets)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("server stopped: %w", err)
	case <-e.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("failed to stop the server cleanly: %w", err)
	}
	logger.Info("tinnhiem stopped")
	return nil
}

// ensureSelfSigned makes a certificate for this host's names and addresses
// unless one is already there, so that phones that accepted it once keep
// trusting it across restarts. The key file is 0600.
func ensureSelfSigned(certFile, keyFile string, now time.Time) error {
	if _, err := os.Stat(certFile); err == nil {
		if _, err := os.Stat(keyFile); err == nil {
			return nil
		}
		return cli.WithHint(fmt.Errorf("%s exists but %s does not", certFile, keyFile), "move the certificate away to make a new pair")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("failed to make a TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return fmt.Errorf("failed to make a TLS certificate: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "tinnhiem", Organization: []string{"tinnhiem"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
	}
	if host, err := os.Hostname(); err == nil && host != "" && host != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, host, host+".local")
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ipn.IP)
			}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("failed to make a TLS certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("failed to encode the TLS key: %w", err)
	}
	if err := cli.WriteNewFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	if err := cli.WriteNewFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		os.Remove(keyFile)
		return err
	}
	return nil
}
