package ballot_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// TestBundleRefusesAnotherKey exports a session whose checkpoints one key
// signed through a service holding another key, on the same SQLite file:
// Bundle refuses, naming both keys, instead of returning a bundle that
// fails verification. A document signed by another key is refused too.
func TestBundleRefusesAnotherKey(t *testing.T) {
	f := newSvcFixture(t, 3)
	f.checkIn(3)
	f.issue(3)
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	signer := f.svc.Key()
	if _, err := f.svc.Bundle(f.ctx, f.id); err != nil {
		t.Fatalf("Bundle with the signing key: %v", err)
	}
	other, err := audit.GenerateKey(rand.Reader, "test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ballot.NewService(f.svc.Store(), other, nil, nil).Bundle(f.ctx, f.id)
	if !errors.Is(err, ballot.ErrKeyMismatch) {
		t.Fatalf("Bundle with another key: %v, want ErrKeyMismatch", err)
	}
	for _, want := range []string{fmt.Sprintf("test+%08x", signer.KeyHash()), fmt.Sprintf("test+%08x", other.KeyHash()), other.Fingerprint()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q does not name %s", err, want)
		}
	}

	data := []byte("not a real report")
	f.ok(f.svc.Store().Update(f.ctx, func(tx ballot.Tx) error {
		return tx.PutDocument(f.id, ballot.Document{Name: "results.csv", Data: data, Signature: other.SignDetached(data, "tinnhiem.pub")})
	}))
	_, err = f.svc.Bundle(f.ctx, f.id)
	if !errors.Is(err, ballot.ErrKeyMismatch) || !strings.Contains(err.Error(), "results.csv") {
		t.Fatalf("Bundle with a document signed by another key: %v, want ErrKeyMismatch naming results.csv", err)
	}
}
