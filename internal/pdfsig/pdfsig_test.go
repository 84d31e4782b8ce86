package pdfsig_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/jung-kurt/gofpdf"

	"tinnhiem/internal/pdfsig"
	"tinnhiem/internal/testtool"
)

// tsa answers time-stamp requests with the test's openssl TSA, without
// HTTP: the transport is the caller's business, tested in cmd/tinnhiem.
type tsa struct{ s *testtool.TSA }

func (a tsa) Timestamp(digest []byte) ([]byte, error) {
	req, err := pdfsig.TimestampRequest(digest)
	if err != nil {
		return nil, err
	}
	resp, err := a.s.Reply(req)
	if err != nil {
		return nil, err
	}
	return pdfsig.TokenFromResponse(resp)
}

// document renders a small one-page PDF with gofpdf, as the reports are.
func document(t *testing.T) []byte {
	t.Helper()
	p := gofpdf.New("P", "mm", "A4", "")
	p.SetCompression(false) // so that a test can find and change the text
	p.AddPage()
	p.SetFont("Helvetica", "", 14)
	p.Cell(40, 10, "Bien ban kiem phieu")
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type signer struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// rsaSigner is a key and certificate made by openssl, as an organisation's
// PKCS #12 export would hold.
func rsaSigner(t *testing.T, ca *testtool.CA, name, subject string) signer {
	keyFile, certFile := ca.IssueKey(name, subject)
	b, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return signer{testtool.Certificate(t, certFile), k.(crypto.Signer)}
}

// ecdsaSigner makes the key in Go and has the CA certify it from a CSR, as
// a token's key is certified.
func ecdsaSigner(t *testing.T, ca *testtool.CA, name, cn string) signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn, Country: []string{"VN"}}}, k)
	if err != nil {
		t.Fatal(err)
	}
	csr := filepath.Join(ca.Dir, name+".csr")
	if err := os.WriteFile(csr, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return signer{testtool.Certificate(t, ca.Issue(csr, name, testtool.SignerExt...)), k}
}

func pdfsigOutput(t *testing.T, doc []byte, nssdb string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{f}
	if nssdb != "" {
		args = []string{"-nssdir", "sql:" + nssdb, f}
	}
	out, err := exec.Command("pdfsig", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	return string(out)
}

// TestTwoSignersVietnameseFieldsTimestamped signs one document twice, each
// signature time-stamped, with Vietnamese names, reason and location, and
// checks the result with pdfsig against the test CA.
func TestTwoSignersVietnameseFieldsTimestamped(t *testing.T) {
	testtool.NeedTools(t, "openssl", "pdfsig", "certutil")
	ca := testtool.NewCA(t, "CA thử nghiệm")
	ts := ca.NewTSA()
	first := rsaSigner(t, ca, "duyen", "/C=VN/CN=Ngô Thị Mỹ Duyên")
	second := ecdsaSigner(t, ca, "nghia", "Nguyễn Văn Nghĩa")
	doc := document(t)
	when := time.Date(2026, 11, 22, 10, 30, 0, 0, time.FixedZone("ICT", 7*3600))
	info := func(name string) pdfsig.Info {
		return pdfsig.Info{Name: name, Reason: "Ký biên bản kiểm phiếu", Location: "Hội trường A (tầng 2), Hà Nội", Time: when}
	}
	one, err := pdfsig.Sign(doc, pdfsig.Options{Certificate: first.cert, Key: first.key, Info: info("Ngô Thị Mỹ Duyên"), Timestamper: tsa{ts}})
	if err != nil {
		t.Fatal(err)
	}
	two, err := pdfsig.Sign(one, pdfsig.Options{Certificate: second.cert, Key: second.key, Info: info("Nguyễn Văn Nghĩa"), Timestamper: tsa{ts}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(one, doc) || !bytes.HasPrefix(two, one) {
		t.Fatal("a signature rewrote the bytes before it")
	}
	if ts.Requests != 2 {
		t.Fatalf("the TSA answered %d requests, want 2", ts.Requests)
	}
	for _, c := range []struct {
		old, new []byte
		name     string
	}{{doc, one, "Ngô Thị Mỹ Duyên"}, {one, two, "Nguyễn Văn Nghĩa"}} {
		s, err := pdfsig.VerifyIncrement(c.old, c.new)
		if err != nil {
			t.Fatal(err)
		}
		if s.Info.Name != c.name || s.Info.Reason != "Ký biên bản kiểm phiếu" || s.Certificate.Subject.CommonName != c.name {
			t.Fatalf("signature reads back as %+v (certificate %s)", s.Info, s.Certificate.Subject)
		}
		if s.Timestamp == nil || s.Timestamp.Authority != "Test TSA" || time.Since(s.Timestamp.Time) > time.Hour {
			t.Fatalf("time-stamp %+v, want a fresh one by Test TSA", s.Timestamp)
		}
		if !s.Info.Time.Equal(when) {
			t.Fatalf("claimed time %v, want %v", s.Info.Time, when)
		}
	}

	out := pdfsigOutput(t, two, ca.NSSDB())
	t.Logf("pdfsig -nssdir:\n%s", out)
	for _, want := range []string{"Signature #1:", "Signature #2:", "Signer Certificate Common Name: Ngô Thị Mỹ Duyên",
		"Signer Certificate Common Name: Nguyễn Văn Nghĩa", "Signer full Distinguished Name: CN=Nguyễn Văn Nghĩa,C=VN",
		"Signature Type: ETSI.CAdES.detached", "Total document signed", "Signature Field Name: Signature 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig output lacks %q", want)
		}
	}
	if n := strings.Count(out, "Signature Validation: Signature is Valid."); n != 2 {
		t.Errorf("pdfsig says %d signatures are valid, want 2", n)
	}
	if n := strings.Count(out, "Certificate Validation: Certificate is Trusted."); n != 2 {
		t.Errorf("pdfsig trusts %d certificates, want 2", n)
	}
	// pdfsig 22.12 prints neither reason nor location; qpdf decodes every
	// text string of the signature dictionaries.
	fields := qpdfFields(t, two)
	want := []map[string]string{
		{"/Name": "Ngô Thị Mỹ Duyên", "/Reason": "Ký biên bản kiểm phiếu", "/Location": "Hội trường A (tầng 2), Hà Nội"},
		{"/Name": "Nguyễn Văn Nghĩa", "/Reason": "Ký biên bản kiểm phiếu", "/Location": "Hội trường A (tầng 2), Hà Nội"},
	}
	if len(fields) != 2 {
		t.Fatalf("qpdf finds %d signature fields, want 2", len(fields))
	}
	for i, f := range fields {
		for k, v := range want[i] {
			if f[k] != v {
				t.Errorf("qpdf: signature %d %s = %q, want %q", i+1, k, f[k], v)
			}
		}
	}
}

// qpdfFields checks the file's structure with qpdf --check and returns the
// text entries of each signature dictionary as qpdf decodes them.
func qpdfFields(t *testing.T, doc []byte) []map[string]string {
	t.Helper()
	testtool.NeedTools(t, "qpdf")
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", f).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command("qpdf", "--json=2", "--json-key=acroform", "--json-key=qpdf", f).Output()
	if err != nil {
		t.Fatalf("qpdf --json: %v", err)
	}
	var j struct {
		AcroForm struct {
			Fields []struct {
				Value string `json:"value"`
				Page  int    `json:"pageposfrom1"`
			} `json:"fields"`
		} `json:"acroform"`
		QPDF []json.RawMessage `json:"qpdf"` // a header, then the objects
	}
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatal(err)
	}
	var objects map[string]struct {
		Value any `json:"value"`
	}
	if len(j.QPDF) != 2 || json.Unmarshal(j.QPDF[1], &objects) != nil {
		t.Fatalf("qpdf --json: unexpected layout")
	}
	var res []map[string]string
	for _, fl := range j.AcroForm.Fields {
		if fl.Page != 1 {
			t.Errorf("signature field %s is on page %d, want the widget on page 1", fl.Value, fl.Page)
		}
		obj, _ := objects["obj:"+fl.Value].Value.(map[string]any)
		m := map[string]string{}
		for k, v := range obj {
			if s, ok := v.(string); ok {
				m[k] = strings.TrimPrefix(s, "u:")
			}
		}
		res = append(res, m)
	}
	return res
}

func TestTextString(t *testing.T) {
	for in, want := range map[string]string{
		"Signature 1": "(Signature 1)",
		`a(b)\c`:      `(a\(b\)\\c)`,
		// ĩ is U+0129: raw UTF-16 in a literal string would hold an
		// unbalanced ")" byte.
		"ĩ(": "<FEFF01290028>",
		"Ký": "<FEFF004B00FD>",
	} {
		if got := pdfsig.TextString(in); got != want {
			t.Errorf("TextString(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestVerifyIncrementRefuses checks that an upload is accepted only when it
// is the stored document with exactly one more valid signature over all of
// it.
func TestVerifyIncrementRefuses(t *testing.T) {
	testtool.NeedTools(t, "openssl")
	ca := testtool.NewCA(t, "CA")
	s := ecdsaSigner(t, ca, "a", "Lê Văn Tám")
	doc := document(t)
	sign := func(d []byte) []byte {
		t.Helper()
		out, err := pdfsig.Sign(d, pdfsig.Options{Certificate: s.cert, Key: s.key, Info: pdfsig.Info{Name: "Lê Văn Tám"}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	one := sign(doc)
	two := sign(one)
	if _, err := pdfsig.VerifyIncrement(one, two); err != nil {
		t.Fatalf("a second signature by the same person: %v", err)
	}
	other := sign(document(t)) // another rendering: different bytes
	tampered := bytes.Clone(one)
	i := bytes.Index(tampered, []byte("Bien ban"))
	tampered[i] = 'X'
	truncated := one[:len(one)-10]
	badSig := bytes.Clone(one)
	j := bytes.Index(badSig, []byte("/Contents <")) + len("/Contents <") + 600 // inside the signer's certificate
	if badSig[j] == '0' {
		badSig[j] = '1'
	} else {
		badSig[j] = '0'
	}
	for name, c := range map[string]struct {
		old, new []byte
		want     string
	}{
		"no signature added":      {doc, append(bytes.Clone(doc), "\n% nothing\n"...), "want exactly one more"},
		"not the stored document": {doc, two[:0], "not an incremental update"},
		"other prefix":            {one, sign(other), "not an incremental update"},
		"two signatures at once":  {doc, two, "want exactly one more"},
		"signature value changed": {doc, badSig, "the new signature"},
		"cut short":               {doc, truncated, ""},
		"identical":               {one, one, "not an incremental update"},
	} {
		_, err := pdfsig.VerifyIncrement(c.old, c.new)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", name, err, c.want)
		}
	}
	// The tampered file still parses; its signature fails, and says so.
	sigs, err := pdfsig.Signatures(tampered)
	if err != nil || len(sigs) != 1 || sigs[0].Err == nil {
		t.Fatalf("tampered: %v, %+v", err, sigs)
	}
	if _, err := pdfsig.Signatures([]byte("%PDF-1.4\nnot really")); err == nil {
		t.Fatal("garbage read as a PDF")
	}
}

// TestVerifyIncrementRefusesChangedContent appends a revision that
// rewrites the first page's text, then a valid signature over it: the
// signature verifies, but the upload must be refused, since it would change
// what the earlier signers signed.
func TestVerifyIncrementRefusesChangedContent(t *testing.T) {
	testtool.NeedTools(t, "openssl")
	ca := testtool.NewCA(t, "CA")
	s := ecdsaSigner(t, ca, "a", "Lê Văn Tám")
	doc := document(t)
	rdr, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	tr := rdr.Trailer()
	root := tr.Key("Root").GetPtr()
	contents := rdr.Page(1).V.Key("Contents").GetPtr()
	text := "BT /F1 14 Tf 10 800 Td (Ket qua da bi sua) Tj ET"
	var b bytes.Buffer
	b.Write(doc)
	at := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", contents.GetID(), len(text), text)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n%d 1\n%010d 00000 n\r\ntrailer\n<< /Size %d /Root %d %d R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		contents.GetID(), at, tr.Key("Size").Int64(), root.GetID(), root.GetGen(), rdr.XrefInformation.StartPos, xref)
	changed, err := pdfsig.Sign(b.Bytes(), pdfsig.Options{Certificate: s.cert, Key: s.key})
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := pdfsig.Signatures(changed)
	if err != nil || len(sigs) != 1 || sigs[0].Err != nil {
		t.Fatalf("the signature itself should verify: %v %+v", err, sigs)
	}
	if _, err := pdfsig.VerifyIncrement(doc, changed); err == nil || !strings.Contains(err.Error(), "redefines object") {
		t.Fatalf("VerifyIncrement of a changed page: %v, want a refusal", err)
	}
}
