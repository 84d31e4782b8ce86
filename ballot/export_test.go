package ballot_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
)

// TestBundleRefusesAnotherKey exports a session whose checkpoints one key
// signed through a service holding another key, on the same SQLite file:
// Bundle refuses, naming both keys, instead of returning a bundle that
// fails verification, and BundleWith picks the key that signed. A document
// signed by another key is refused too.
func TestBundleRefusesAnotherKey(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	signer, err := audit.GenerateKey(rand.Reader, "test")
	if err != nil {
		t.Fatal(err)
	}
	other, err := audit.GenerateKey(rand.Reader, "test")
	if err != nil {
		t.Fatal(err)
	}
	ok := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	svc := ballot.NewService(store, signer, nil, nil)
	sess, err := svc.CreateSession(ctx, actor, ballot.NewSession{Title: "Hội nghị", Body: "Đảng ủy", Date: "2026-11-22", Place: "Hà Nội"})
	ok(err)
	ok(svc.ImportRoster(ctx, actor, sess.ID, []ballot.Member{{Name: "An"}, {Name: "Bình"}}))
	ok(svc.ImportCadres(ctx, actor, sess.ID, []ballot.Cadre{{ID: "c1", Name: "Cúc", Position: "Bí thư"}}))
	_, err = svc.CheckIn(ctx, actor, sess.ID, nil, true)
	ok(err)
	ok(svc.IssueTokens(ctx, actor, sess.ID, 2, func([]string) error { return nil }))
	ok(svc.Open(ctx, actor, sess.ID, false, ""))
	if _, err := svc.Bundle(ctx, sess.ID); err != nil {
		t.Fatalf("Bundle with the signing key: %v", err)
	}

	wrong := ballot.NewService(store, other, nil, nil)
	_, err = wrong.Bundle(ctx, sess.ID)
	if !errors.Is(err, ballot.ErrKeyMismatch) {
		t.Fatalf("Bundle with another key: %v, want ErrKeyMismatch", err)
	}
	for _, want := range []string{fmt.Sprintf("test+%08x", signer.KeyHash()), fmt.Sprintf("test+%08x", other.KeyHash()), other.Fingerprint()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q does not name %s", err, want)
		}
	}
	b, used, err := wrong.BundleWith(ctx, sess.ID, signer)
	if err != nil || used != signer || b.VerifierKey != signer.VerifierKey() {
		t.Fatalf("BundleWith the signing key among others: key %v, %v; want the signing key", used, err)
	}

	data := []byte("not a real report")
	ok(store.Update(ctx, func(tx ballot.Tx) error {
		return tx.PutDocument(sess.ID, ballot.Document{Name: "results.csv", Data: data, Signature: other.SignDetached(data, "tinnhiem.pub")})
	}))
	_, err = svc.Bundle(ctx, sess.ID)
	if !errors.Is(err, ballot.ErrKeyMismatch) || !strings.Contains(err.Error(), "results.csv") {
		t.Fatalf("Bundle with a document signed by another key: %v, want ErrKeyMismatch naming results.csv", err)
	}
}
