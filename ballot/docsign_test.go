package ballot_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/tally/report"
	"tinnhiem/verify"
)

// memberSigner makes a certificate for cn, issued by a CA made here, with
// its key in memory, as a member's PKCS #12 file would hold.
func memberSigner(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, cn string, serial int64) *report.CertSigner {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &report.CertSigner{Certificate: cert, Key: key, Reason: "Ký biên bản kiểm phiếu"}
}

// TestCommitteeSignaturesAreSerialised has both committee members upload a
// signature on the same stored minutes at once: one is recorded, the other
// is refused because the minutes it extends are no longer the stored ones,
// and the log replays with exactly one DocumentSigned.
func TestCommitteeSignaturesAreSerialised(t *testing.T) {
	f := newSvcFixture(t, 3)
	f.checkIn(3)
	cards := f.issue(3)
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	_, err := f.svc.Cast(f.ctx, cards[0], map[string][]ballot.Level{"c1": {ballot.High}, "c2": {ballot.Low}, "c3": {ballot.Normal}})
	f.ok(err)
	f.ok(f.svc.Close(f.ctx, actor, f.id))
	f.ok(f.svc.SetCommittee(f.ctx, actor, f.id, []string{"Ngô Thị Mỹ Duyên", "Dương Văn Hùng"}))
	rec, err := f.svc.Tally(f.ctx, actor, f.id)
	f.ok(err)
	org, err := report.NewSelfSigned(rand.Reader, "Đảng ủy", time.Now())
	f.ok(err)
	rendered, err := report.Render(&report.Source{Session: rec.Session, Opened: rec.Opened, Committee: rec.Committee,
		Result: rec.Result, Checkpoint: rec.Checkpoint, Fingerprint: rec.Fingerprint}, org, f.svc.Key())
	f.ok(err)
	var docs []ballot.Document
	var minutes []byte
	for _, d := range rendered {
		docs = append(docs, ballot.Document{Name: d.Name, Data: d.Data, Signature: d.Signature})
		if d.Name == report.MinutesName {
			minutes = d.Data
		}
	}
	f.ok(f.svc.IssueDocuments(f.ctx, actor, f.id, rec.Seq, docs))

	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caDER, _ := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, &x509.Certificate{Subject: pkix.Name{CommonName: "CA"}}, caKey.Public(), caKey)
	ca, err := x509.ParseCertificate(caDER)
	f.ok(err)
	var uploads [][]byte
	for i, name := range []string{"Ngô Thị Mỹ Duyên", "Dương Văn Hùng"} {
		signed, err := memberSigner(t, ca, caKey, name, int64(i+2)).SignPDF(minutes)
		f.ok(err)
		uploads = append(uploads, signed)
	}
	before := f.logSize()
	var wg sync.WaitGroup
	errs := make([]error, len(uploads))
	for i := range uploads {
		wg.Go(func() {
			_, errs[i] = f.svc.AddDocumentSignature(f.ctx, actor, f.id, report.MinutesName, uploads[i])
		})
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("concurrent signatures on the same minutes: %v, %v; want exactly one recorded", errs[0], errs[1])
	}
	if got := f.logSize(); got != before+1 {
		t.Fatalf("log grew by %d entries, want 1 (DocumentSigned)", got-before)
	}
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	replay, err := verify.ReplayLog(entries)
	f.ok(err)
	if len(replay.Signed) != 1 || replay.Signed[0].Prev != audit.Sum(minutes) {
		t.Fatalf("replayed signatures %+v, want one on the issued minutes", replay.Signed)
	}
	st, err := f.svc.DocumentSignatures(f.ctx, f.id, report.MinutesName)
	f.ok(err)
	if len(st.Signed) != 1 || len(st.Committee) != 2 {
		t.Fatalf("status %+v, want one of two signed", st)
	}
	// Re-issuing would drop the signature: refused, nothing logged.
	err = f.svc.IssueDocuments(f.ctx, actor, f.id, rec.Seq, docs)
	wantErr(t, err, &ballot.Error{Code: ballot.EConflict, Key: "documents_signed"})
	if got := f.logSize(); got != before+1 {
		t.Fatalf("a refused re-issue wrote %d entries", got-before-1)
	}
}
