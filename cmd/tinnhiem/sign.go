package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"text/tabwriter"
	"time"

	"tinnhiem/cmd/internal/cli"
	"tinnhiem/internal/pdfsig"
	"tinnhiem/tally/report"
)

func init() {
	register(
		command{"sign", "sign --in FILE.pdf --out FILE.pdf (--pkcs11-module FILE [--token-label L | --slot N] [--key-label L | --key-id HEX] [--pin-file FILE | --pin-stdin] | --p12 FILE [--p12-password-file FILE] | --cert FILE --cert-key FILE) [--tsa URL] [--name TEXT] [--reason TEXT] [--location TEXT]", cmdSign},
		command{"signatures", "signatures FILE.pdf", cmdSignatures},
		command{"pkcs11 list", "pkcs11 list --pkcs11-module FILE [--token-label L | --slot N [--pin-file FILE | --pin-stdin]]", cmdPKCS11List},
	)
}

// MinutesReason is the reason a committee member's signature on the
// minutes states.
const MinutesReason = "Ký biên bản kiểm phiếu"

// cmdSign appends one signature to a PDF, on the signer's own machine: with
// their token (the key never leaves it) or their certificate file. It needs
// no database and sends nothing anywhere but to the TSA, if one is named.
func cmdSign(e *env, args []string) error {
	f := newFlags("sign", false, false)
	in := f.String("in", "", "the PDF `FILE` to sign (the minutes as downloaded)")
	out := f.String("out", "", "`FILE` to write the signed PDF to (a new file)")
	name := f.String("name", "", "signer's `NAME` in the signature (default: the certificate's common name)")
	reason := f.String("reason", MinutesReason, "`REASON` stated by the signature")
	location := f.String("location", "", "`PLACE` of signing")
	sf := addSignerFlags(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := cli.NoArgs(pos); err != nil {
		return err
	}
	switch {
	case *in == "" || *out == "":
		return cli.Usagef("--in FILE and --out FILE are required")
	case !sf.given():
		return cli.Usagef("name the certificate: --pkcs11-module (a token), --p12 or --cert/--cert-key")
	}
	if err := sf.check(); err != nil {
		return err
	}
	doc, err := os.ReadFile(*in)
	if err != nil {
		return fmt.Errorf("failed to read %s: %w", *in, err)
	}
	// Signing over a broken signature would add a valid one to a file
	// whose history does not hold: refuse before asking for a PIN.
	before, err := pdfsig.Signatures(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	for _, s := range before {
		if s.Err != nil {
			return cli.WithHint(fmt.Errorf("%s: signature %q does not verify: %w", *in, s.Field, s.Err), "download the document again from the organisers")
		}
	}
	if _, err := os.Stat(*out); err == nil {
		return cli.WithHint(fmt.Errorf("%s already exists", *out), "choose a new --out FILE")
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("failed to check %s: %w", *out, err)
	}
	signer, closeSigner, err := sf.load(e)
	if err != nil {
		return err
	}
	defer closeSigner()
	signer.Name, signer.Reason, signer.Location = *name, *reason, *location
	signed, err := signer.SignPDF(doc)
	if err != nil {
		return err
	}
	sig, err := pdfsig.VerifyIncrement(doc, signed)
	if err != nil {
		return fmt.Errorf("the signed file does not verify, nothing written: %w", err)
	}
	if err := cli.WriteNewFile(*out, signed, 0o644); err != nil {
		return err
	}
	sum := sha256.Sum256(signed)
	fmt.Fprintf(e.stdout, "✓ đã ký / signed: %s → %s\n", *in, *out)
	fmt.Fprintf(e.stdout, "  người ký / signer: %s (cấp bởi / issued by %s)\n", sig.Certificate.Subject.CommonName, sig.Certificate.Issuer.CommonName)
	fmt.Fprintln(e.stdout, "  "+timeNote(signer))
	if sig.Timestamp != nil {
		fmt.Fprintf(e.stdout, "  dấu thời gian / timestamp: %s by %s\n", sig.Timestamp.Time.Format(time.RFC3339), sig.Timestamp.Authority)
	}
	fmt.Fprintf(e.stdout, "  SHA-256: %s\n", hex.EncodeToString(sum[:]))
	fmt.Fprintf(e.stdout, "Gửi lại cho ban tổ chức / send it back to the organisers: tinnhiem minutes add-signature --db FILE --session ID %s\n", *out)
	return nil
}

// timeNote says where a signature's time comes from.
func timeNote(s *report.CertSigner) string {
	if s != nil && s.Timestamper != nil {
		return "thời điểm ký do tổ chức cấp dấu thời gian (TSA) xác nhận / signing time certified by the TSA (RFC 3161)"
	}
	return "thời điểm ký là đồng hồ của máy này, không được xác nhận (không có --tsa) / signing time is this computer's clock, not certified (no --tsa)"
}

// cmdSignatures lists a PDF's signatures and whether each verifies, as the
// server checks them; trust in the certificates is pdfsig's (or a PDF
// reader's) check against the CAs it trusts.
func cmdSignatures(e *env, args []string) error {
	f := newFlags("signatures", false, false)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("give one PDF file")
	}
	doc, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("failed to read %s: %w", pos[0], err)
	}
	sigs, err := pdfsig.Signatures(doc)
	if err != nil {
		return err
	}
	bad := 0
	for i, s := range sigs {
		mark := "✓"
		if s.Err != nil {
			mark, bad = "✗", bad+1
		}
		fmt.Fprintf(e.stdout, "%s %d. %s", mark, i+1, s.Field)
		if s.Certificate != nil {
			fmt.Fprintf(e.stdout, ": %s (cấp bởi / issued by %s)", s.Certificate.Subject.CommonName, s.Certificate.Issuer.CommonName)
		}
		fmt.Fprintln(e.stdout)
		if s.Info.Reason != "" {
			fmt.Fprintf(e.stdout, "    lý do / reason: %s\n", s.Info.Reason)
		}
		switch {
		case s.Err != nil:
			fmt.Fprintf(e.stdout, "    không hợp lệ / invalid: %v\n", s.Err)
		case s.Timestamp != nil:
			fmt.Fprintf(e.stdout, "    dấu thời gian / timestamp: %s (%s)\n", s.Timestamp.Time.Format(time.RFC3339), s.Timestamp.Authority)
		default:
			fmt.Fprintf(e.stdout, "    không có dấu thời gian; giờ theo máy người ký / no timestamp; signer's clock: %s\n", s.Info.Time.Format(time.RFC3339))
		}
		if s.Err == nil && s.Revision < len(doc) {
			fmt.Fprintf(e.stdout, "    phủ %d/%d byte đầu: phần sau là các chữ ký kế tiếp / covers the first %d of %d bytes: later signatures follow\n", s.Revision, len(doc), s.Revision, len(doc))
		}
	}
	if len(sigs) == 0 {
		fmt.Fprintln(e.stdout, "không có chữ ký / no signature")
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d signatures do not verify", bad, len(sigs))
	}
	return nil
}

// cmdPKCS11List lists the tokens a module sees and, with a token chosen and
// its PIN, the keys on it and their certificates: what --slot,
// --token-label and --key-label take.
func cmdPKCS11List(e *env, args []string) error {
	f := newFlags("pkcs11 list", false, false)
	sf := addSignerFlags(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := cli.NoArgs(pos); err != nil {
		return err
	}
	if *sf.module == "" {
		return cli.Usagef("--pkcs11-module FILE is required")
	}
	if err := sf.check(); err != nil {
		return err
	}
	tokens, err := listTokens(*sf.module)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SLOT\tNHÃN/LABEL\tHÃNG/MANUFACTURER\tMẪU/MODEL\tSỐ/SERIAL")
	for _, t := range tokens {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", t.Slot, t.Label, t.Manufacturer, t.Model, t.Serial)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(tokens) == 0 {
		fmt.Fprintln(e.stdout, "không có token / no token present")
	}
	spec := sf.spec()
	if spec.TokenLabel == "" && spec.TokenSerial == "" && spec.Slot < 0 {
		return nil
	}
	pin, err := sf.readPIN(e)
	if err != nil {
		return err
	}
	tok, err := spec.findToken()
	if err != nil {
		return err
	}
	slot := int(tok.Slot)
	ts, err := openToken(tokenSpec{Module: spec.Module, Slot: slot, KeyLabel: spec.KeyLabel, KeyID: spec.KeyID}, pin)
	if err != nil {
		return err
	}
	defer ts.Close()
	fmt.Fprintf(e.stdout, "khóa ký / signing key: %s\n  chứng thư / certificate: %s\n  cấp bởi / issuer: %s\n  hiệu lực / valid: %s – %s\n",
		describeKey(ts), ts.Cert.Subject, ts.Cert.Issuer, ts.Cert.NotBefore.Format("2006-01-02"), ts.Cert.NotAfter.Format("2006-01-02"))
	return nil
}

func describeKey(t *tokenSigner) string {
	h := sha256.Sum256(t.Cert.Raw)
	return fmt.Sprintf("%s, SHA-256 %s", t.Cert.Subject.CommonName, hex.EncodeToString(h[:8]))
}
