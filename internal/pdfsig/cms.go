package pdfsig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sort"
)

// Object identifiers of the CMS structures written here (RFC 5652,
// RFC 5035, RFC 3161 appendix A).
var (
	oidData                  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningCertificateV2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSignatureTimeStamp    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidSHA256                = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA256WithRSA         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSAWithSHA256       = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	asn1Null                 = asn1.RawValue{Tag: asn1.TagNull}
	algorithmSHA256          = algorithmIdentifier{Algorithm: oidSHA256}
	errUnsupportedSignerType = errors.New("the signing key is neither RSA nor ECDSA")
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue // a SET, already encoded
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type signerInfo struct {
	Version            int
	SID                issuerAndSerial
	DigestAlgorithm    algorithmIdentifier
	SignedAttrs        asn1.RawValue // [0] IMPLICIT SET OF Attribute
	SignatureAlgorithm algorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional"` // [1] IMPLICIT
}

type encapContent struct {
	ContentType asn1.ObjectIdentifier
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue // SET OF AlgorithmIdentifier
	EncapContentInfo encapContent
	Certificates     asn1.RawValue // [0] IMPLICIT SET OF Certificate
	SignerInfos      asn1.RawValue // SET OF SignerInfo
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue // [0] EXPLICIT, built by hand: encoding/asn1 writes a RawValue's FullBytes verbatim
}

// essCertIDv2 leaves hashAlgorithm at its default, SHA-256 (RFC 5035).
type essCertIDv2 struct {
	CertHash     []byte
	IssuerSerial issuerSerial
}

type issuerSerial struct {
	Issuer generalNames
	Serial *big.Int
}

type generalNames struct {
	Name asn1.RawValue // [4] EXPLICIT Name: the directoryName choice
}

type signingCertificateV2 struct {
	Certs []essCertIDv2
}

// setOf encodes the DER elements as a SET OF with tag class and number of
// the caller's choosing, sorted as DER requires.
func setOf(class, tag int, elems ...[]byte) asn1.RawValue {
	sorted := append([][]byte(nil), elems...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	return asn1.RawValue{Class: class, Tag: tag, IsCompound: true, Bytes: bytes.Join(sorted, nil)}
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		// Every value marshalled here is built by this file from
		// well-formed parts: a failure is a bug, not bad input.
		panic(fmt.Sprintf("pdfsig: cannot encode %T: %v", v, err))
	}
	return b
}

func attr(t asn1.ObjectIdentifier, values ...[]byte) []byte {
	return mustMarshal(attribute{Type: t, Values: setOf(asn1.ClassUniversal, asn1.TagSet, values...)})
}

// signatureAlgorithm names the algorithm of key's signatures over SHA-256.
func signatureAlgorithm(pub crypto.PublicKey) (algorithmIdentifier, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return algorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1Null}, nil
	case *ecdsa.PublicKey:
		return algorithmIdentifier{Algorithm: oidECDSAWithSHA256}, nil
	}
	return algorithmIdentifier{}, errUnsupportedSignerType
}

// buildCMS returns a detached CMS SignedData over content as PAdES baseline
// wants it (ETSI EN 319 142-1): SHA-256, signed attributes content-type,
// message-digest and signing-certificate-v2, and no signing-time attribute
// (the signature dictionary's /M carries the claimed time). With ts set, the
// signature value is time-stamped and the token added as the unsigned
// signature-time-stamp attribute (PAdES B-T).
func buildCMS(content []byte, cert *x509.Certificate, chain []*x509.Certificate, key crypto.Signer, ts Timestamper) ([]byte, error) {
	alg, err := signatureAlgorithm(cert.PublicKey)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(content)
	certHash := sha256.Sum256(cert.Raw)
	scv2 := signingCertificateV2{Certs: []essCertIDv2{{
		CertHash: certHash[:],
		IssuerSerial: issuerSerial{
			Issuer: generalNames{Name: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: cert.RawIssuer}},
			Serial: cert.SerialNumber,
		},
	}}}
	attrs := [][]byte{
		attr(oidContentType, mustMarshal(oidData)),
		attr(oidMessageDigest, mustMarshal(digest[:])),
		attr(oidSigningCertificateV2, mustMarshal(scv2)),
	}
	// The signature covers the attributes encoded as a universal SET;
	// the SignerInfo holds the same bytes under [0] IMPLICIT.
	toSign := mustMarshal(setOf(asn1.ClassUniversal, asn1.TagSet, attrs...))
	h := sha256.Sum256(toSign)
	sig, err := key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("failed to sign: %w", err)
	}
	if err := cert.CheckSignature(sigAlgorithmX509(alg), toSign, sig); err != nil {
		// A token that signs with another key than its certificate's
		// would produce PDFs that every reader rejects.
		return nil, fmt.Errorf("the signature does not verify with the certificate's public key: %w", err)
	}
	si := signerInfo{
		Version:            1,
		SID:                issuerAndSerial{Issuer: asn1.RawValue{FullBytes: cert.RawIssuer}, Serial: cert.SerialNumber},
		DigestAlgorithm:    algorithmSHA256,
		SignedAttrs:        setOf(asn1.ClassContextSpecific, 0, attrs...),
		SignatureAlgorithm: alg,
		Signature:          sig,
	}
	if ts != nil {
		imprint := sha256.Sum256(sig)
		token, err := ts.Timestamp(imprint[:])
		if err != nil {
			return nil, fmt.Errorf("failed to get a timestamp: %w", err)
		}
		if _, err := checkTimestamp(token, sig); err != nil {
			return nil, fmt.Errorf("the time-stamping authority answered with an unusable token: %w", err)
		}
		si.UnsignedAttrs = setOf(asn1.ClassContextSpecific, 1, attr(oidSignatureTimeStamp, token))
	}
	var certs [][]byte
	seen := map[string]bool{}
	for _, c := range append([]*x509.Certificate{cert}, chain...) {
		if !seen[string(c.Raw)] {
			seen[string(c.Raw)] = true
			certs = append(certs, c.Raw)
		}
	}
	sd := signedData{
		Version:          1,
		DigestAlgorithms: setOf(asn1.ClassUniversal, asn1.TagSet, mustMarshal(algorithmSHA256)),
		EncapContentInfo: encapContent{ContentType: oidData},
		Certificates:     setOf(asn1.ClassContextSpecific, 0, certs...),
		SignerInfos:      setOf(asn1.ClassUniversal, asn1.TagSet, mustMarshal(si)),
	}
	return mustMarshal(contentInfo{ContentType: oidSignedData, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: mustMarshal(sd)}}), nil
}

func sigAlgorithmX509(a algorithmIdentifier) x509.SignatureAlgorithm {
	if a.Algorithm.Equal(oidECDSAWithSHA256) {
		return x509.ECDSAWithSHA256
	}
	return x509.SHA256WithRSA
}
