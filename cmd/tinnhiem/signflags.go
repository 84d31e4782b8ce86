package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"tinnhiem/cmd/internal/cli"
	"tinnhiem/internal/pdfsig"
	"tinnhiem/tally/report"
)

// signerFlags are the options that choose the certificate and key of a PDF
// signature — a PEM pair, a PKCS #12 file or a key on a token — and the
// time-stamping authority. "tally", "sign" and "serve" share them.
type signerFlags struct {
	certFile, certKey, p12, p12Pass, chain *string
	module, tokenLabel, tokenSerial, slot  *string
	keyLabel, keyID, pinFile               *string
	pinStdin                               *bool
	tsa                                    *string
}

func addSignerFlags(f *flags) *signerFlags {
	return &signerFlags{
		certFile:    f.String("cert", "", "certificate `FILE` (PEM, leaf first) for the PDF signatures"),
		certKey:     f.String("cert-key", "", "private key `FILE` (PEM) of --cert"),
		p12:         f.String("p12", "", "certificate and key as a PKCS #12 `FILE` (.p12, .pfx)"),
		p12Pass:     f.String("p12-password-file", "", "`FILE` whose first line is the password of --p12"),
		chain:       f.String("cert-chain", "", "`FILE` of intermediate CA certificates (PEM) to embed with the signer's"),
		module:      f.String("pkcs11-module", "", "the token vendor's PKCS #11 module `FILE` (.so, .dll, .dylib)"),
		tokenLabel:  f.String("token-label", "", "the token's `LABEL` (tinnhiem pkcs11 list shows them)"),
		tokenSerial: f.String("token-serial", "", "the token's `SERIAL` number"),
		slot:        f.String("slot", "", "the token's slot `NUMBER`"),
		keyLabel:    f.String("key-label", "", "`LABEL` of the signing key on the token (default: the only key with a certificate)"),
		keyID:       f.String("key-id", "", "`HEX` ID (CKA_ID) of the signing key on the token"),
		pinFile:     f.String("pin-file", "", "`FILE` whose first line is the token's PIN (default: asked on the terminal)"),
		pinStdin:    f.Bool("pin-stdin", false, "read the token's PIN from the first line of standard input"),
		tsa:         f.String("tsa", "", "RFC 3161 time-stamping authority `URL`: each signature gets a trusted time"),
	}
}

// check reports a usage error in the combination of options.
func (s *signerFlags) check() error {
	sources := 0
	for _, given := range []bool{*s.certFile != "" || *s.certKey != "", *s.p12 != "", *s.module != ""} {
		if given {
			sources++
		}
	}
	tokenOpts := *s.tokenLabel != "" || *s.tokenSerial != "" || *s.slot != "" || *s.keyLabel != "" || *s.keyID != "" || *s.pinFile != "" || *s.pinStdin
	selectors := 0
	for _, v := range []string{*s.tokenLabel, *s.tokenSerial, *s.slot} {
		if v != "" {
			selectors++
		}
	}
	switch {
	case sources > 1:
		return cli.Usagef("use one of --cert/--cert-key, --p12 or --pkcs11-module")
	case (*s.certFile == "") != (*s.certKey == ""):
		return cli.Usagef("--cert and --cert-key go together")
	case *s.p12Pass != "" && *s.p12 == "":
		return cli.Usagef("--p12-password-file needs --p12")
	case tokenOpts && *s.module == "":
		return cli.Usagef("--token-label, --slot, --key-label, --pin-file… need --pkcs11-module")
	case selectors > 1:
		return cli.Usagef("choose the token by one of --token-label, --token-serial or --slot")
	case *s.pinFile != "" && *s.pinStdin:
		return cli.Usagef("use either --pin-file or --pin-stdin")
	case *s.chain != "" && sources == 0:
		return cli.Usagef("--cert-chain needs --cert, --p12 or --pkcs11-module")
	}
	if *s.slot != "" {
		if n, err := strconv.Atoi(*s.slot); err != nil || n < 0 {
			return cli.Usagef("--slot takes a slot number (tinnhiem pkcs11 list shows them)")
		}
	}
	if *s.keyID != "" {
		if _, err := hex.DecodeString(strings.TrimPrefix(*s.keyID, "0x")); err != nil {
			return cli.Usagef("--key-id takes the key's CKA_ID in hexadecimal")
		}
	}
	if *s.tsa != "" {
		u, err := url.Parse(*s.tsa)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cli.Usagef("--tsa takes an http:// or https:// URL")
		}
	}
	return nil
}

// given reports whether a certificate source was named.
func (s *signerFlags) given() bool { return *s.certFile != "" || *s.p12 != "" || *s.module != "" }

// spec returns the token options as a tokenSpec.
func (s *signerFlags) spec() tokenSpec {
	t := tokenSpec{Module: *s.module, TokenLabel: *s.tokenLabel, TokenSerial: *s.tokenSerial, Slot: -1, KeyLabel: *s.keyLabel}
	if *s.slot != "" {
		t.Slot, _ = strconv.Atoi(*s.slot) // checked by check
	}
	if *s.keyID != "" {
		t.KeyID, _ = hex.DecodeString(strings.TrimPrefix(*s.keyID, "0x"))
	}
	return t
}

// load opens the chosen certificate and key. It returns nil, with nothing
// to close, when no source was named. The caller must call closeFn when
// done: a token stays logged in until then.
func (s *signerFlags) load(e *env) (signer *report.CertSigner, closeFn func(), err error) {
	closeFn = func() {}
	var chain []*x509.Certificate
	if *s.chain != "" {
		if chain, err = readChain(*s.chain); err != nil {
			return nil, closeFn, err
		}
	}
	switch {
	case *s.certFile != "":
		signer, err = loadPEMSigner(*s.certFile, *s.certKey)
	case *s.p12 != "":
		signer, err = loadP12Signer(*s.p12, *s.p12Pass)
	case *s.module != "":
		var pin string
		if pin, err = s.readPIN(e); err != nil {
			return nil, closeFn, err
		}
		var tok *tokenSigner
		if tok, err = openToken(s.spec(), pin); err != nil {
			return nil, closeFn, err
		}
		signer, closeFn = tok.certSigner(nil), tok.Close
	default:
		return nil, closeFn, nil
	}
	if err != nil {
		return nil, closeFn, err
	}
	signer.Chain = append(signer.Chain, chain...)
	if *s.tsa != "" {
		signer.Timestamper = newHTTPTimestamper(*s.tsa)
	}
	return signer, closeFn, nil
}

// readPIN takes the token's PIN from --pin-file, --pin-stdin or, on a
// terminal, from a prompt without echo. It is never taken from the command
// line, where other users and the shell history would see it.
func (s *signerFlags) readPIN(e *env) (string, error) {
	switch {
	case *s.pinFile != "":
		b, err := os.ReadFile(*s.pinFile)
		if err != nil {
			return "", fmt.Errorf("failed to read the PIN file: %w", err)
		}
		return firstLine(b), nil
	case *s.pinStdin:
		line, err := bufio.NewReader(io.LimitReader(e.stdin, 1024)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("failed to read the PIN: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	in, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return "", cli.Usagef("standard input is not a terminal: give the token's PIN with --pin-file FILE or --pin-stdin")
	}
	fmt.Fprint(e.stderr, "PIN của token / token PIN: ")
	pin, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("failed to read the PIN: %w", err)
	}
	return string(pin), nil
}

// firstLine returns the first line of a secret file, without a byte-order
// mark or line ending, as editors on every system write them.
func firstLine(b []byte) string {
	line, _, _ := strings.Cut(strings.TrimPrefix(string(b), "\uFEFF"), "\n")
	return strings.TrimSuffix(line, "\r")
}

// readChain reads intermediate CA certificates from a PEM file.
func readChain(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read the certificate chain: %w", err)
	}
	chain, err := report.ParseCertificates(b)
	if err != nil {
		return nil, fmt.Errorf("failed to parse the certificate chain %s: %w", path, err)
	}
	return chain, nil
}

// httpTimestamper asks an RFC 3161 time-stamping authority over HTTP(S).
type httpTimestamper struct {
	url    string
	client *http.Client
}

func newHTTPTimestamper(u string) *httpTimestamper {
	return &httpTimestamper{url: u, client: &http.Client{Timeout: 30 * time.Second}}
}

// maxTSAResponse bounds a TSA's answer: a token with the TSA's chain is a
// few kilobytes.
const maxTSAResponse = 1 << 20

// Timestamp implements pdfsig.Timestamper.
func (h *httpTimestamper) Timestamp(digest []byte) ([]byte, error) {
	req, err := pdfsig.TimestampRequest(digest)
	if err != nil {
		return nil, err
	}
	name := h.url
	if u, err := url.Parse(h.url); err == nil {
		name = u.Redacted() // a TSA account's password stays out of messages
	}
	resp, err := h.client.Post(h.url, "application/timestamp-query", bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("failed to reach the TSA %s: %w", name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTSAResponse+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read the TSA's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the TSA %s answered %s", name, resp.Status)
	}
	if len(body) > maxTSAResponse {
		return nil, fmt.Errorf("the TSA %s answered with more than %d bytes", name, maxTSAResponse)
	}
	return pdfsig.TokenFromResponse(body)
}
