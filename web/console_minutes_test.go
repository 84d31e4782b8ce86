package web

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"html"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/tally/report"
)

// testCA issues certificates for the committee's members, as a CA would
// for a token or a PKCS #12 file.
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newTestCA(t *testing.T) *testCA {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA thử nghiệm"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert, key}
}

func (ca *testCA) signer(t *testing.T, cn string) *report.CertSigner {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &report.CertSigner{Certificate: cert, Key: key, Chain: []*x509.Certificate{ca.cert}, Reason: "Ký biên bản kiểm phiếu"}
}

// TestConsoleMinutesSignatures uploads the minutes signed by a committee
// member through the console, and checks what the session page shows and
// what is refused: a signer not on the committee, a file that is not the
// stored minutes, and an inspector, who may not record signatures.
func TestConsoleMinutesSignatures(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	ctx := context.Background()
	id := f.sessA
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.svc.ImportRoster(ctx, "setup", id, []ballot.Member{{Name: "Nguyễn Văn An"}, {Name: "Lê Thị Bình"}}))
	must(f.svc.ImportCadres(ctx, "setup", id, []ballot.Cadre{{ID: "c1", Name: "Trần Thị Bích Ngọc", Position: "Bí thư"}}))
	_, err := f.svc.CheckIn(ctx, "setup", id, nil, true)
	must(err)
	var cards []string
	must(f.svc.IssueTokens(ctx, "setup", id, 2, func(ts []string) error { cards = ts; return nil }))
	must(f.svc.Open(ctx, "setup", id, false, ""))
	_, err = f.svc.Cast(ctx, cards[0], map[string][]ballot.Level{"c1": {ballot.High}})
	must(err)
	must(f.svc.Close(ctx, "setup", id))
	must(f.svc.SetCommittee(ctx, "setup", id, []string{"Ngô Thị Mỹ Duyên", "Dương Văn Hùng"}))
	org, err := report.NewSelfSigned(rand.Reader, testOrgA, time.Now())
	must(err)
	_, _, err = IssueReports(ctx, f.svc, "setup", id, org)
	must(err)
	document := func(name string) []byte {
		docs, err := f.svc.Documents(ctx, id)
		must(err)
		for _, d := range docs {
			if d.Name == name {
				return d.Data
			}
		}
		t.Fatalf("no %s", name)
		return nil
	}
	minutes := func() []byte { return document(report.MinutesName) }
	entries := func() int {
		es, _, err := f.svc.Log(ctx, id)
		must(err)
		return len(es)
	}

	b := f.browser().mustLogin("tochuc-a")
	_, page := b.do(http.MethodGet, "/admin/s/"+id, nil)
	if !strings.Contains(plain(page), "✗ Ngô Thị Mỹ Duyên — chưa ký") || !strings.Contains(page, `id="minutes-sign-form"`) {
		t.Fatalf("session page before signing lacks the committee's status or the upload form:\n%s", plain(page))
	}

	ca := newTestCA(t)
	sign := func(s *report.CertSigner, doc []byte) string {
		out, err := s.SignPDF(doc)
		must(err)
		return string(out)
	}
	before := entries()
	for _, c := range []struct{ name, file, want string }{
		{"not on the committee", sign(ca.signer(t, "Trần Văn Khác"), minutes()), "không phải thành viên Ban kiểm phiếu"},
		{"a report, not the minutes", sign(ca.signer(t, "Ngô Thị Mỹ Duyên"), document("bao-cao-c1.pdf")), "không hợp lệ"},
		{"the stored minutes unsigned", string(minutes()), "không hợp lệ"},
	} {
		res, body := b.upload("/admin/s/"+id+"/minutes/signature", c.file)
		if res.StatusCode < 400 || !strings.Contains(plain(body), c.want) {
			t.Errorf("%s: %d, page lacks %q", c.name, res.StatusCode, c.want)
		}
	}
	inspector := f.browser().mustLogin("kiemtra-a")
	if res, _ := inspector.upload("/admin/s/"+id+"/minutes/signature", sign(ca.signer(t, "Ngô Thị Mỹ Duyên"), minutes())); res.StatusCode != http.StatusForbidden {
		t.Errorf("an inspector's upload: %d, want 403", res.StatusCode)
	}
	if got := entries(); got != before {
		t.Fatalf("refused uploads wrote %d entries", got-before)
	}

	res, _ := b.upload("/admin/s/"+id+"/minutes/signature", sign(ca.signer(t, "NGO THI MY DUYEN"), minutes()))
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "done=minutes_signed") {
		t.Fatalf("signed minutes: %d %q, want a redirect with done=minutes_signed", res.StatusCode, res.Header.Get("Location"))
	}
	es, _, err := f.svc.Log(ctx, id)
	must(err)
	last := es[len(es)-1]
	var d audit.DocumentSignedData
	must(last.Decode(&d))
	if last.Type != audit.DocumentSigned || last.Actor != "tochuc-a" || d.Member != "Ngô Thị Mỹ Duyên" || d.Signer != "NGO THI MY DUYEN" || d.SHA256 != audit.Sum(minutes()) {
		t.Fatalf("entry %d = %s by %s %+v; want DocumentSigned of Ngô Thị Mỹ Duyên", last.Seq, last.Type, last.Actor, d)
	}
	_, cps, err := f.svc.Log(ctx, id)
	must(err)
	if cps[len(cps)-1].Size != last.Seq {
		t.Errorf("no signed checkpoint after DocumentSigned")
	}
	_, page = b.do(http.MethodGet, "/admin/s/"+id, nil)
	if p := plain(page); !strings.Contains(p, "✓ Ngô Thị Mỹ Duyên — đã ký (NGO THI MY DUYEN, CA thử nghiệm; không có dấu thời gian") || !strings.Contains(p, "✗ Dương Văn Hùng — chưa ký") {
		t.Errorf("session page after one signature does not show who signed")
	}
	if res, body := b.upload("/admin/s/"+id+"/minutes/signature", sign(ca.signer(t, "Ngô Thị Mỹ Duyên"), minutes())); res.StatusCode != http.StatusConflict || !strings.Contains(plain(body), "đã ký") {
		t.Errorf("a second signature by the same member: %d", res.StatusCode)
	}
}

var tags = regexp.MustCompile(`<[^>]*>`)

// plain is a page's text without its markup, as a person reads it.
func plain(page string) string { return html.UnescapeString(tags.ReplaceAllString(page, "")) }
