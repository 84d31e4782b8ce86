package verify

import (
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"

	"tinnhiem/audit"
)

// Cosign adds k's signature to a signed checkpoint note, keeping the
// signatures it already holds. It refuses text that is not a tinnhiem
// checkpoint and a note that nobody has signed yet: an inspector cosigns
// what the server signed, at the meeting, so that the server cannot later
// present a different history for that moment. It does not check the
// existing signatures, which the inspector may have no key for; the
// verifier and "tinnhiem cosign add" do.
func Cosign(msg []byte, k *audit.Key) ([]byte, error) {
	// With no known verifiers, a well-formed note opens as unverified;
	// every other error means the note itself is malformed.
	_, err := note.Open(msg, note.VerifierList())
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unverified) {
		return nil, fmt.Errorf("failed to read the checkpoint note: %w", err)
	}
	n := unverified.Note
	if _, err := audit.ParseCheckpoint(n.Text); err != nil {
		return nil, fmt.Errorf("failed to cosign: %w", err)
	}
	if len(n.UnverifiedSigs) == 0 {
		return nil, errors.New("failed to cosign: the checkpoint carries no signature to cosign")
	}
	for _, s := range n.UnverifiedSigs {
		if s.Name == k.Name() && s.Hash == k.KeyHash() {
			return nil, errors.New("failed to cosign: this key has signed the checkpoint already")
		}
	}
	out, err := note.Sign(n, k)
	if err != nil {
		return nil, fmt.Errorf("failed to cosign: %w", err)
	}
	return out, nil
}

// CheckCosignature checks an inspector's cosigned checkpoint against the
// server's key and a log: both the server's and the cosigner's signatures
// verify, the cosigner is not the server, and the checkpoint is of the log's
// session and names the log's hash at its size. It returns the checkpoint.
// "tinnhiem cosign add" runs it before recording a cosignature, the
// verifier again for every CosignatureAdded entry.
func CheckCosignature(msg []byte, cosignerKey string, server note.Verifier, entries []audit.Entry) (audit.Checkpoint, note.Verifier, error) {
	var session string
	hashes := audit.Hashes(entries)
	if len(entries) > 0 {
		session = entries[0].Session
	}
	return checkCosignature(msg, cosignerKey, server, session, hashes)
}

// checkCosignature is CheckCosignature for a log known by its session and
// the hash of each of its entries, as the verifier keeps it.
func checkCosignature(msg []byte, cosignerKey string, server note.Verifier, session string, hashes []audit.Hash) (audit.Checkpoint, note.Verifier, error) {
	v, err := note.NewVerifier(cosignerKey)
	if err != nil {
		return audit.Checkpoint{}, nil, fmt.Errorf("the cosigner's key is malformed: %w", err)
	}
	if v.Name() == server.Name() && v.KeyHash() == server.KeyHash() {
		return audit.Checkpoint{}, nil, errors.New("the cosigner's key is the server's own key")
	}
	c, n, err := audit.OpenCheckpoint(msg, note.VerifierList(server, v))
	if err != nil {
		return c, nil, err
	}
	var byServer, byCosigner bool
	for _, s := range n.Sigs {
		byServer = byServer || s.Name == server.Name() && s.Hash == server.KeyHash()
		byCosigner = byCosigner || s.Name == v.Name() && s.Hash == v.KeyHash()
	}
	switch {
	case !byServer:
		return c, nil, errors.New("the checkpoint is not signed by the server's key")
	case !byCosigner:
		return c, nil, fmt.Errorf("the checkpoint carries no signature by %s", v.Name())
	}
	if err := audit.CheckCheckpoint(c, session, hashes); err != nil {
		return c, nil, err
	}
	return c, v, nil
}

// cosignature checks one CosignatureAdded entry e against the hashes of
// the entries before it and returns its cosigner.
func cosignature(e *audit.Entry, server note.Verifier, session string, before []audit.Hash) (Cosigner, error) {
	var d audit.CosignatureData
	if err := decodeStrict(e.Data, &d); err != nil {
		return Cosigner{}, fmt.Errorf("malformed CosignatureAdded data: %w", err)
	}
	// A cosignature is only worth the entries before it: the checkpoint
	// must name an earlier state of this same log.
	c, v, err := checkCosignature([]byte(d.Note), d.Key, server, session, before)
	switch {
	case err != nil:
		return Cosigner{}, err
	case len(d.Signature) != 0:
		return Cosigner{}, errors.New("the signature field must be absent: the signature is in the note")
	case d.Name != v.Name() || d.Size != c.Size:
		return Cosigner{}, fmt.Errorf("the entry names %s at size %d, the note holds %s at size %d", d.Name, d.Size, v.Name(), c.Size)
	}
	return Cosigner{Name: d.Name, Key: d.Key, Fingerprint: audit.Fingerprint(d.Key), Size: c.Size, Entry: e.Seq}, nil
}
