package pdfsig

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pkcs7"
)

// Signature is one signature field of a document, as Signatures found it.
type Signature struct {
	// Field is the name of the signature field ("Signature 2").
	Field string
	// Info holds the dictionary's /Name, /Reason, /Location, /ContactInfo
	// and /M (the claimed signing time, zero when absent).
	Info Info
	// SubFilter is the signature's format: ETSI.CAdES.detached or
	// adbe.pkcs7.detached.
	SubFilter string
	// Certificate is the signer's certificate; Chain the other
	// certificates the signature carries.
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
	// Timestamp is the verified RFC 3161 time-stamp on the signature
	// value, nil when there is none.
	Timestamp *Timestamp
	// Revision is the length of the revision the signature covers: the
	// bytes [0, Revision) of the file, except the signature value itself.
	Revision int
	// Err says why the signature does not verify; nil when it does. A
	// verified signature proves that the holder of the certificate's key
	// signed exactly that revision; whether the certificate is to be
	// trusted (its chain to a CA) is the reader's check, not this one.
	Err error
}

// Signatures returns every signature field of doc in the order of the form,
// each verified over its own revision. It fails only when doc cannot be
// read as a PDF; a signature that does not verify is returned with Err.
func Signatures(doc []byte) (sigs []Signature, err error) {
	defer func() {
		if r := recover(); r != nil {
			sigs, err = nil, fmt.Errorf("malformed PDF: %v", r)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		return nil, fmt.Errorf("failed to read the document: %w", err)
	}
	fields := rdr.Trailer().Key("Root").Key("AcroForm").Key("Fields")
	for i := 0; i < fields.Len(); i++ {
		f := fields.Index(i)
		if f.Key("FT").Name() != "Sig" {
			continue
		}
		v := f.Key("V")
		if v.Kind() != pdf.Dict {
			continue // an empty signature field: nobody signed it yet
		}
		s := Signature{Field: f.Key("T").Text(), SubFilter: v.Key("SubFilter").Name()}
		s.Info = Info{Name: v.Key("Name").Text(), Reason: v.Key("Reason").Text(),
			Location: v.Key("Location").Text(), ContactInfo: v.Key("ContactInfo").Text()}
		s.Info.Time, _ = parseDate(v.Key("M").Text())
		s.Err = s.verify(doc, v)
		sigs = append(sigs, s)
	}
	return sigs, nil
}

// verify checks the signature dictionary v against doc and fills in the
// certificate, the time-stamp and the revision.
func (s *Signature) verify(doc []byte, v pdf.Value) error {
	br := v.Key("ByteRange")
	if br.Len() != 4 {
		return errors.New("the byte range does not have four numbers")
	}
	var r [4]int64
	for i := range r {
		if br.Index(i).Kind() != pdf.Integer {
			return errors.New("the byte range holds a value that is not an integer")
		}
		r[i] = br.Index(i).Int64()
	}
	end := r[2] + r[3]
	if r[0] != 0 || r[1] <= 0 || r[2] <= r[1] || r[3] < 0 || end > int64(len(doc)) {
		return fmt.Errorf("the byte range %v does not start the file or lies outside it", r)
	}
	s.Revision = int(end)
	// The gap must be exactly the hex string of /Contents, and the range
	// must end a revision: otherwise bytes could hide in the gap, or the
	// signature cover half an update.
	gap := doc[r[1]:r[2]]
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' || strings.Trim(string(gap[1:len(gap)-1]), "0123456789abcdefABCDEF") != "" {
		return errors.New("the byte range leaves out more than the signature value")
	}
	if !bytes.HasSuffix(bytes.TrimRight(doc[:end], "\r\n"), []byte("%%EOF")) {
		return errors.New("the byte range does not end at the end of a revision")
	}
	content := make([]byte, 0, r[1]+r[3])
	content = append(append(content, doc[:r[1]]...), doc[r[2]:end]...)
	raw := []byte(v.Key("Contents").RawString())
	var der asn1.RawValue
	if _, err := asn1.Unmarshal(raw, &der); err == nil {
		raw = der.FullBytes // drop the zeros that pad the reserved space
	}
	p7, err := pkcs7.Parse(raw)
	if err != nil {
		return fmt.Errorf("the signature value is not a CMS signature: %w", err)
	}
	if len(p7.Signers) != 1 {
		return fmt.Errorf("the signature has %d signers, want 1", len(p7.Signers))
	}
	s.Certificate = p7.GetOnlySigner()
	if s.Certificate == nil {
		return errors.New("the signature does not carry its signer's certificate")
	}
	for _, c := range p7.Certificates {
		if !c.Equal(s.Certificate) {
			s.Chain = append(s.Chain, c)
		}
	}
	p7.Content = content
	if err := p7.Verify(); err != nil {
		return fmt.Errorf("the signature does not verify: %w", err)
	}
	var scv2 signingCertificateV2
	switch err := p7.UnmarshalSignedAttribute(oidSigningCertificateV2, &scv2); {
	case err == nil:
		h := sha256.Sum256(s.Certificate.Raw)
		if len(scv2.Certs) == 0 || !bytes.Equal(scv2.Certs[0].CertHash, h[:]) {
			return errors.New("the signing-certificate attribute names another certificate")
		}
	case s.SubFilter == "ETSI.CAdES.detached":
		return errors.New("a CAdES signature without the signing-certificate-v2 attribute")
	}
	for _, a := range p7.Signers[0].UnauthenticatedAttributes {
		if !a.Type.Equal(oidSignatureTimeStamp) {
			continue
		}
		var token asn1.RawValue
		if _, err := asn1.Unmarshal(a.Value.Bytes, &token); err != nil {
			return fmt.Errorf("malformed time-stamp attribute: %w", err)
		}
		ts, err := checkTimestamp(token.FullBytes, p7.Signers[0].EncryptedDigest)
		if err != nil {
			return err
		}
		s.Timestamp = ts
	}
	return nil
}

// VerifyIncrement checks that updated is doc with exactly one signature
// more, appended as an incremental update: doc is a proper prefix of
// updated, every signature field of doc is still there, the new signature
// verifies over the whole of updated, and the appended revision changes no
// page content, resource or other object of doc (checkRevision). It
// returns that signature.
func VerifyIncrement(doc, updated []byte) (*Signature, error) {
	if len(updated) <= len(doc) || !bytes.Equal(updated[:len(doc)], doc) {
		return nil, errors.New("the file is not an incremental update of the stored document: its first bytes differ (sign the document exactly as downloaded)")
	}
	before, err := Signatures(doc)
	if err != nil {
		return nil, err
	}
	after, err := Signatures(updated)
	if err != nil {
		return nil, err
	}
	if len(after) != len(before)+1 {
		return nil, fmt.Errorf("the update holds %d signatures, the stored document %d: want exactly one more", len(after), len(before))
	}
	had := map[string]bool{}
	for _, s := range before {
		had[s.Field] = true
	}
	var added *Signature
	for i := range after {
		s := &after[i]
		switch {
		case had[s.Field]:
			delete(had, s.Field)
		case added != nil:
			return nil, errors.New("the update adds more than one signature field")
		default:
			added = s
		}
	}
	switch {
	case len(had) > 0 || added == nil:
		return nil, errors.New("the update removes or renames a signature field of the stored document")
	case added.Err != nil:
		return nil, fmt.Errorf("the new signature (%s): %w", added.Field, added.Err)
	case added.Revision != len(updated):
		return nil, errors.New("the new signature does not cover the whole file")
	}
	if err := checkRevision(doc, updated); err != nil {
		return nil, err
	}
	return added, nil
}

// parseDate reads a PDF date (D:YYYYMMDDHHmmSS+HH'mm'), as much of it as
// is there.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimPrefix(s, "D:")
	s = strings.ReplaceAll(s, "'", "")
	for _, layout := range []string{"20060102150405-0700", "20060102150405Z", "20060102150405"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a PDF date: %q", s)
}
