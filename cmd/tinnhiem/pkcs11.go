package main

import (
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/ThalesGroup/crypto11"
	"github.com/miekg/pkcs11"

	"tinnhiem/cmd/internal/cli"
	"tinnhiem/tally/report"
)

// tokenSpec says which key on which token signs: the vendor's PKCS #11
// module (the .so or .dll that ships with a VNPT-CA, Viettel-CA, BKAV-CA…
// token), one way to pick the token, and optionally the key.
type tokenSpec struct {
	Module      string
	TokenLabel  string
	TokenSerial string
	Slot        int // -1: not given
	KeyLabel    string
	KeyID       []byte
}

// tokenInfo describes one token present in a module's slots.
type tokenInfo struct {
	Slot                               uint
	Label, Manufacturer, Model, Serial string
}

func (t tokenInfo) String() string {
	return fmt.Sprintf("slot %d: %q (%s %s, serial %s)", t.Slot, t.Label, t.Manufacturer, t.Model, t.Serial)
}

// loadModule opens the vendor's module, with an error that says what to
// check when it is not there or not a PKCS #11 module.
func loadModule(path string) (*pkcs11.Ctx, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, cli.WithHint(fmt.Errorf("the PKCS #11 module %s does not exist", path),
				"give the module file that came with the token (e.g. /usr/lib/…/libXXXpkcs11.so); the token vendor's installer puts it there")
		}
		return nil, fmt.Errorf("failed to read the PKCS #11 module: %w", err)
	}
	p := pkcs11.New(path)
	if p == nil {
		return nil, cli.WithHint(fmt.Errorf("failed to load %s as a PKCS #11 module", path), "the file must be the token vendor's PKCS #11 library for this system (64-bit)")
	}
	if err := p.Initialize(); err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		p.Destroy()
		return nil, fmt.Errorf("failed to initialise the PKCS #11 module: %w", err)
	}
	return p, nil
}

// listTokens returns the tokens present in the module's slots.
func listTokens(module string) ([]tokenInfo, error) {
	p, err := loadModule(module)
	if err != nil {
		return nil, err
	}
	defer func() { _ = p.Finalize(); p.Destroy() }()
	slots, err := p.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("failed to list the module's slots: %w", err)
	}
	var out []tokenInfo
	for _, s := range slots {
		ti, err := p.GetTokenInfo(s)
		if err != nil {
			return nil, fmt.Errorf("failed to read the token in slot %d: %w", s, err)
		}
		out = append(out, tokenInfo{Slot: s, Label: strings.TrimSpace(ti.Label), Manufacturer: strings.TrimSpace(ti.ManufacturerID),
			Model: strings.TrimSpace(ti.Model), Serial: strings.TrimSpace(ti.SerialNumber)})
	}
	return out, nil
}

// findToken checks that the token spec selects exists, and says which
// tokens do when it does not.
func (s tokenSpec) findToken() (tokenInfo, error) {
	tokens, err := listTokens(s.Module)
	if err != nil {
		return tokenInfo{}, err
	}
	for _, t := range tokens {
		if (s.TokenLabel != "" && t.Label == s.TokenLabel) || (s.TokenSerial != "" && t.Serial == s.TokenSerial) ||
			(s.Slot >= 0 && t.Slot == uint(s.Slot)) {
			return t, nil
		}
	}
	if s.TokenLabel == "" && s.TokenSerial == "" && s.Slot < 0 && len(tokens) == 1 {
		return tokens[0], nil
	}
	var present []string
	for _, t := range tokens {
		present = append(present, t.String())
	}
	want := "a token"
	switch {
	case s.TokenLabel != "":
		want = fmt.Sprintf("a token labelled %q", s.TokenLabel)
	case s.TokenSerial != "":
		want = fmt.Sprintf("the token with serial %q", s.TokenSerial)
	case s.Slot >= 0:
		want = fmt.Sprintf("a token in slot %d", s.Slot)
	}
	if len(tokens) == 0 {
		return tokenInfo{}, cli.WithHint(fmt.Errorf("no token is present in %s: %s was asked for", s.Module, want), "plug the token in (and check that its driver sees it), then try again")
	}
	if want == "a token" {
		return tokenInfo{}, cli.WithHint(fmt.Errorf("%d tokens are present; say which: %s", len(tokens), strings.Join(present, "; ")), "add --token-label LABEL or --slot N")
	}
	return tokenInfo{}, cli.WithHint(fmt.Errorf("%s is not present in %s; present: %s", want, s.Module, strings.Join(present, "; ")), "tinnhiem pkcs11 list --pkcs11-module "+s.Module+" lists the tokens")
}

// tokenSigner is a key on a token with its certificate. The key never
// leaves the token: Key signs by asking the token to sign.
type tokenSigner struct {
	ctx  *crypto11.Context
	Key  crypto.Signer
	Cert *x509.Certificate
}

// Close logs out of the token and unloads the module.
func (t *tokenSigner) Close() { _ = t.ctx.Close() }

// openToken logs into the token with pin and finds the key and its
// certificate. A wrong PIN, a missing token or a key without a certificate
// are errors that change nothing; the PIN is never logged or kept.
func openToken(s tokenSpec, pin string) (*tokenSigner, error) {
	tok, err := s.findToken()
	if err != nil {
		return nil, err
	}
	slot := int(tok.Slot)
	ctx, err := crypto11.Configure(&crypto11.Config{Path: s.Module, SlotNumber: &slot, Pin: pin})
	if err != nil {
		var perr pkcs11.Error
		if errors.As(err, &perr) {
			switch perr {
			case pkcs11.CKR_PIN_INCORRECT:
				return nil, cli.WithHint(fmt.Errorf("the token %q refused the PIN", tok.Label), "check the PIN; after a few wrong PINs the token locks itself")
			case pkcs11.CKR_PIN_LOCKED:
				return nil, cli.WithHint(fmt.Errorf("the token %q is locked after too many wrong PINs", tok.Label), "the token's owner must unlock it with the vendor's tool (SO PIN / PUK)")
			case pkcs11.CKR_PIN_LEN_RANGE:
				return nil, fmt.Errorf("the token %q refused the PIN: wrong length", tok.Label)
			}
		}
		return nil, fmt.Errorf("failed to log into the token %q: %w", tok.Label, err)
	}
	ts := &tokenSigner{ctx: ctx}
	if err := ts.findKey(s, tok); err != nil {
		ts.Close()
		return nil, err
	}
	return ts, nil
}

func (t *tokenSigner) findKey(s tokenSpec, tok tokenInfo) error {
	var keys []crypto11.Signer
	var err error
	if s.KeyLabel != "" || len(s.KeyID) > 0 {
		var label []byte
		if s.KeyLabel != "" {
			label = []byte(s.KeyLabel)
		}
		keys, err = t.ctx.FindKeyPairs(s.KeyID, label)
	} else {
		keys, err = t.ctx.FindAllKeyPairs()
	}
	if err != nil {
		return fmt.Errorf("failed to search the token %q for keys: %w", tok.Label, err)
	}
	type candidate struct {
		key  crypto11.Signer
		cert *x509.Certificate
		desc string
	}
	var withCert []candidate
	var without []string
	for _, k := range keys {
		c := candidate{key: k}
		var id, label []byte
		if a, err := t.ctx.GetAttribute(k, crypto11.CkaId); err == nil && a != nil {
			id = a.Value
		}
		if a, err := t.ctx.GetAttribute(k, crypto11.CkaLabel); err == nil && a != nil {
			label = a.Value
		}
		c.desc = fmt.Sprintf("key label %q id %s", label, hex.EncodeToString(id))
		if len(id) > 0 {
			c.cert, _ = t.ctx.FindCertificate(id, nil, nil)
		}
		if c.cert == nil && len(label) > 0 {
			c.cert, _ = t.ctx.FindCertificate(nil, label, nil)
		}
		if c.cert == nil {
			without = append(without, c.desc)
			continue
		}
		withCert = append(withCert, c)
	}
	switch {
	case len(keys) == 0 && (s.KeyLabel != "" || len(s.KeyID) > 0):
		return cli.WithHint(fmt.Errorf("the token %q holds no key pair with label %q / id %s", tok.Label, s.KeyLabel, hex.EncodeToString(s.KeyID)),
			"tinnhiem pkcs11 list --pkcs11-module "+s.Module+" --token-label … --pin-file … lists the keys")
	case len(withCert) == 0 && len(without) > 0:
		return cli.WithHint(fmt.Errorf("the key on the token %q has no certificate (%s)", tok.Label, strings.Join(without, "; ")),
			"the CA's certificate for this key must be stored on the token (the vendor's tool imports it), or choose another key with --key-label/--key-id")
	case len(withCert) == 0:
		return fmt.Errorf("the token %q holds no key with a certificate", tok.Label)
	case len(withCert) > 1:
		var list []string
		for _, c := range withCert {
			list = append(list, c.desc+" ("+c.cert.Subject.CommonName+")")
		}
		return cli.WithHint(fmt.Errorf("the token %q holds %d keys with certificates: %s", tok.Label, len(withCert), strings.Join(list, "; ")), "choose one with --key-label LABEL or --key-id HEX")
	}
	c := withCert[0]
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pub, ok := c.key.Public().(equaler); !ok || !pub.Equal(c.cert.PublicKey) {
		return fmt.Errorf("the certificate stored with %s on the token %q is for another key", c.desc, tok.Label)
	}
	t.Key, t.Cert = c.key, c.cert
	return nil
}

// certSigner returns the report signer of the token's key.
func (t *tokenSigner) certSigner(chain []*x509.Certificate) *report.CertSigner {
	return &report.CertSigner{Certificate: t.Cert, Key: t.Key, Chain: chain}
}
