// This file holds the one transition that changes an issued document: a
// counting committee member's signature, added on their own machine and
// handed back to the server, which checks it and logs it.

package ballot

import (
	"context"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/audit"
	"tinnhiem/internal/pdfsig"
)

// detachedKeyName is the public key file that detached signatures name in
// their comment line (report.PublicKeyName, which ballot cannot import).
const detachedKeyName = "tinnhiem.pub"

// MaxSignedDocument bounds an uploaded signed document: the minutes are a
// few hundred kilobytes, each signature adds tens.
const MaxSignedDocument = 32 << 20

// AddDocumentSignature records the signed document data, the issued
// document name with one more PDF signature by a member of the counting
// committee. In one transaction it checks that the session is tallied, that
// the stored document is an unchanged prefix of data and the new signature
// verifies over all of it, that the certificate names a committee member
// (by the common name, compared without regard to case, and to accents only
// when that still picks one member) who has not signed this document yet;
// then it stores data with a new detached signature by the installation key,
// logs DocumentSigned and signs a checkpoint. A refused document changes
// nothing. Whether the certificate chains to a trusted CA is not checked
// here: the server holds no trust store, and the inspector's pdfsig does.
func (s *Service) AddDocumentSignature(ctx context.Context, actor, id, name string, data []byte) (audit.DocumentSignedData, error) {
	var rec audit.DocumentSignedData
	if len(data) > MaxSignedDocument {
		return rec, &Error{Code: EInvalid, Key: "document_too_large", Args: Args{"mib": MaxSignedDocument >> 20}}
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		if sess.State != Tallied {
			return ErrNotTallied
		}
		replay, err := s.replay(tx, id)
		if err != nil {
			return err
		}
		docs, err := tx.Documents(id)
		if err != nil {
			return err
		}
		var stored *Document
		for i := range docs {
			if docs[i].Name == name {
				stored = &docs[i]
			}
		}
		if stored == nil {
			return &Error{Code: ENotFound, Key: "document_unknown", Args: Args{"name": name}}
		}
		sig, err := pdfsig.VerifyIncrement(stored.Data, data)
		if err != nil {
			return &Error{Code: EInvalid, Key: "signature_invalid", Args: Args{"name": name}, Err: err}
		}
		cn := sig.Certificate.Subject.CommonName
		member := committeeMember(replay.Committee, cn)
		if member == "" {
			return &Error{Code: EInvalid, Key: "signer_not_committee", Args: Args{"signer": cn, "committee": strings.Join(replay.Committee, ", ")}}
		}
		for _, d := range replay.Signed {
			if d.Name == name && d.Member == member {
				return &Error{Code: EConflict, Key: "already_signed", Args: Args{"member": member, "name": name}}
			}
		}
		rec = audit.DocumentSignedData{Name: name, Member: member, Signer: CleanText(cn), Issuer: CleanText(sig.Certificate.Issuer.CommonName),
			Certificate: audit.Sum(sig.Certificate.Raw), Prev: audit.Sum(stored.Data), SHA256: audit.Sum(data)}
		if rec.Signer == "" {
			rec.Signer = member
		}
		if sig.Timestamp != nil {
			rec.Timestamp = sig.Timestamp.Time.UTC().Format(time.RFC3339)
		}
		if err := tx.PutDocument(id, Document{Name: name, Data: data, Signature: s.key.SignDetached(data, detachedKeyName)}); err != nil {
			return err
		}
		return s.logSigned(tx, id, actor, audit.DocumentSigned, rec)
	})
	if err != nil {
		return audit.DocumentSignedData{}, err
	}
	return rec, nil
}

// SignatureStatus is who of the counting committee has signed a document.
type SignatureStatus struct {
	Committee []string
	// Signed holds the DocumentSigned record of each member who signed,
	// by member name.
	Signed map[string]audit.DocumentSignedData
}

// DocumentSignatures returns who of the counting committee has signed the
// document name, from the session's log.
func (s *Service) DocumentSignatures(ctx context.Context, id, name string) (*SignatureStatus, error) {
	var st *SignatureStatus
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		replay, err := s.replay(tx, id)
		if err != nil {
			return err
		}
		st = &SignatureStatus{Committee: replay.Committee, Signed: map[string]audit.DocumentSignedData{}}
		for _, d := range replay.Signed {
			if d.Name == name {
				st.Signed[d.Member] = d
			}
		}
		return nil
	})
	return st, err
}

// committeeMember returns the committee member that a certificate's common
// name cn names: equal ignoring case and spacing, or else, if exactly one
// member matches, equal ignoring accents too (certificates are often
// issued as "NGUYEN VAN AN").
func committeeMember(committee []string, cn string) string {
	key := foldName(cn)
	for _, m := range committee {
		if foldName(m) == key {
			return m
		}
	}
	var found []string
	for _, m := range committee {
		if stripAccents(foldName(m)) == stripAccents(key) {
			found = append(found, m)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

func foldName(s string) string { return strings.ToLower(CleanText(s)) }

func stripAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ' || r == 'Đ':
			b.WriteRune('d')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
