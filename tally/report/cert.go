package report

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"golang.org/x/crypto/pkcs12"

	"tinnhiem/internal/pdfsig"
)

// certValidity is how long a self-signed report certificate is valid. A
// report is checked long after the vote, and a self-signed certificate is
// trusted by its fingerprint, not by its dates.
const certValidity = 20 * 365 * 24 * time.Hour

// NewSelfSigned creates a self-signed certificate for signing reports, with
// an ECDSA P-256 key (which poppler's NSS and Adobe Reader accept, and which
// is far smaller than RSA in every signature). The subject names org — the
// organisation or body that issues the reports — so that a PDF reader shows
// who signed. rand is the key's randomness; now starts the validity period.
func NewSelfSigned(rand io.Reader, org string, now time.Time) (*CertSigner, error) {
	org = clean(org)
	if org == "" {
		return nil, errors.New("failed to create certificate: no organisation name")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand)
	if err != nil {
		return nil, fmt.Errorf("failed to create certificate key: %w", err)
	}
	serialBytes := make([]byte, 16)
	if _, err := io.ReadFull(rand, serialBytes); err != nil {
		return nil, fmt.Errorf("failed to create certificate serial: %w", err)
	}
	serialBytes[0] &= 0x7f // a positive serial number, as RFC 5280 requires
	cn := []rune(org)
	if len(cn) > 64 { // the X.520 upper bound for a common name
		cn = cn[:64]
	}
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(serialBytes),
		Subject: pkix.Name{
			CommonName:         string(cn),
			Organization:       []string{org},
			OrganizationalUnit: []string{"tinnhiem – Ban kiểm phiếu"},
			Country:            []string{"VN"},
		},
		NotBefore:             now.Add(-time.Hour).UTC().Truncate(time.Second),
		NotAfter:              now.Add(certValidity).UTC().Truncate(time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("failed to create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("failed to create certificate: %w", err)
	}
	return &CertSigner{Certificate: cert, Key: key}, nil
}

// MarshalPEM returns the signer's certificate (then its chain) as
// "CERTIFICATE" PEM blocks, and its private key as a PKCS #8 "PRIVATE KEY"
// block. The key is secret: it belongs in a file of mode 0600.
func (s *CertSigner) MarshalPEM() (certPEM, keyPEM []byte, err error) {
	var b bytes.Buffer
	for _, c := range append([]*x509.Certificate{s.Certificate}, s.Chain...) {
		if err := pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}); err != nil {
			return nil, nil, fmt.Errorf("failed to encode certificate: %w", err)
		}
	}
	der, err := x509.MarshalPKCS8PrivateKey(s.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to encode certificate key: %w", err)
	}
	return b.Bytes(), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParseCertificates reads every CERTIFICATE block of a PEM file, in order;
// other blocks are skipped. It fails on a block that does not parse and on a
// file without any certificate.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no CERTIFICATE block in the PEM file")
	}
	return certs, nil
}

// ParsePEM reads a certificate file (the signing certificate first, then
// any intermediates) and its private key (PKCS #8, PKCS #1 or SEC 1 PEM).
// It fails unless the key belongs to the first certificate.
func ParsePEM(certPEM, keyPEM []byte) (*CertSigner, error) {
	certs, err := ParseCertificates(certPEM)
	if err != nil {
		return nil, fmt.Errorf("failed to parse certificate: %w", err)
	}
	block, _ := pem.Decode(keyPEM)
	for block != nil && block.Type != "PRIVATE KEY" && block.Type != "RSA PRIVATE KEY" && block.Type != "EC PRIVATE KEY" {
		block, _ = pem.Decode(bytesAfter(keyPEM, block))
	}
	if block == nil {
		return nil, errors.New("failed to parse certificate key: no PRIVATE KEY block in the PEM file (an encrypted key must be decrypted first, or use --p12)")
	}
	key, err := parsePrivateKey(block)
	if err != nil {
		return nil, err
	}
	s := &CertSigner{Certificate: certs[0], Key: key, Chain: certs[1:]}
	if err := matchKey(s.Certificate, s.Key); err != nil {
		return nil, err
	}
	return s, nil
}

// bytesAfter returns what follows block in b, so that ParsePEM can skip
// parameter blocks such as "EC PARAMETERS".
func bytesAfter(b []byte, block *pem.Block) []byte {
	enc := pem.EncodeToMemory(block)
	if i := bytes.Index(b, enc[:len(enc)-1]); i >= 0 {
		return b[i+len(enc)-1:]
	}
	_, rest := pem.Decode(b)
	return rest
}

func parsePrivateKey(block *pem.Block) (crypto.Signer, error) {
	var k any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to parse certificate key: %w", err)
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return nil, errors.New("failed to parse certificate key: Ed25519 certificates are not accepted by PDF readers; use RSA or ECDSA")
	}
	return nil, fmt.Errorf("failed to parse certificate key: unsupported key type %T", k)
}

// ParsePKCS12 reads a PKCS #12 (.p12, .pfx) file holding one certificate and
// its private key, as organisations' signing tokens export them.
func ParsePKCS12(data []byte, password string) (*CertSigner, error) {
	key, cert, err := pkcs12.Decode(data, password)
	if err != nil {
		return nil, fmt.Errorf("failed to read PKCS #12 file: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("failed to read PKCS #12 file: unsupported key type %T", key)
	}
	switch signer.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey:
	default:
		return nil, fmt.Errorf("failed to read PKCS #12 file: unsupported key type %T; use RSA or ECDSA", key)
	}
	s := &CertSigner{Certificate: cert, Key: signer}
	if err := matchKey(cert, signer); err != nil {
		return nil, err
	}
	return s, nil
}

// matchKey fails unless key is the private half of cert's public key: a
// mismatched pair would yield PDFs that every reader rejects.
func matchKey(cert *x509.Certificate, key crypto.Signer) error {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := key.Public().(equaler)
	if !ok || !pub.Equal(cert.PublicKey) {
		return errors.New("the private key does not belong to the certificate")
	}
	return nil
}

// Signer embeds a signature in a finished PDF. Issue calls it once per PDF
// document, after rendering and before hashing, so the hash logged in
// ReportIssued is the hash of the signed file.
type Signer interface {
	// SignPDF returns doc with an embedded signature that covers the whole
	// document. It never modifies doc.
	SignPDF(doc []byte) ([]byte, error)
}

// CertSigner signs PDFs with an X.509 certificate and its private key, as
// a PAdES baseline signature (ETSI.CAdES.detached, SHA-256) appended as an
// incremental update, which PDF readers and poppler's pdfsig check. The
// certificate may be self-signed (NewSelfSigned) or issued to the
// organisation or a person by a CA, in which case Chain holds the
// intermediates, leaf excluded. The key may live on a token (PKCS #11):
// only its crypto.Signer is needed, never the key itself.
type CertSigner struct {
	Certificate *x509.Certificate
	Key         crypto.Signer
	Chain       []*x509.Certificate
	// Name, Reason and Location are the signature's statements, in any
	// language (they are written as PDF text strings). An empty Name is
	// the certificate's common name; an empty Reason is DefaultReason.
	Name, Reason, Location string
	// Timestamper, if set, has every signature time-stamped by an RFC
	// 3161 time-stamping authority (PAdES B-T). Without it the signing
	// time is only the signer's clock.
	Timestamper pdfsig.Timestamper
	// Now stamps the claimed signing time (/M); nil means time.Now.
	Now func() time.Time
}

// DefaultReason is the reason stated by the signature that issues a
// document.
const DefaultReason = "Phát hành kết quả kiểm phiếu"

// SignPDF implements Signer: it appends one signature to doc, which may
// already carry others (each stays valid).
func (s *CertSigner) SignPDF(doc []byte) ([]byte, error) {
	if s == nil || s.Certificate == nil || s.Key == nil {
		return nil, errors.New("failed to sign pdf: no certificate or key")
	}
	if err := matchKey(s.Certificate, s.Key); err != nil {
		return nil, fmt.Errorf("failed to sign pdf: %w", err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	info := pdfsig.Info{Name: s.Name, Reason: s.Reason, Location: s.Location, Time: now().Truncate(time.Second)}
	if info.Name == "" {
		info.Name = s.Certificate.Subject.CommonName
	}
	if info.Reason == "" {
		info.Reason = DefaultReason
	}
	return pdfsig.Sign(doc, pdfsig.Options{Certificate: s.Certificate, Chain: s.Chain, Key: s.Key, Info: info, Timestamper: s.Timestamper})
}
