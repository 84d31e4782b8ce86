// This file holds the counting committee's personal links to the member
// page (SPEC.md 11.15): each trustee of an encrypted session gets a link
// /bkp/SESSION/CODE whose code is a fresh 160-bit secret like a card's; the
// log keeps only its SHA-256, so the link is stored nowhere else and is
// shown once, on the sheet the organiser prints. A lost phone gets a new
// link for that trustee, and the old one stops working at once.

package ballot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"strconv"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/ballot/box"
)

// MemberLink is one committee member's freshly issued link: its trustee
// number, the member's name and the canonical code (32 base32 characters),
// which exists nowhere but in this value and on the printed sheet.
type MemberLink struct {
	Trustee int
	Name    string
	Code    string
}

// MemberAccess is who a valid member code belongs to: the session, the
// trustee number and the member's name as the committee names it now.
type MemberAccess struct {
	Session string
	Trustee int
	Name    string
}

// MemberLinkStatus says, per trustee, whether a link was issued and how
// many times it was replaced, and which member-page assets the log names
// last: what the console shows of the links without ever holding one.
type MemberLinkStatus struct {
	Issued   map[int]bool
	Reissued map[int]int
	// Assets is the member page's asset digest (hex) last logged, "" if
	// no link was ever issued.
	Assets string
}

// errMemberUnknown is the one answer to a member code that opens nothing,
// whether the session or the code is unknown, so that a guess learns
// neither.
var errMemberUnknown = &Error{Code: ENotFound, Key: "member_link_unknown"}

// memberLinks is the state of the links as a session's log holds it.
type memberLinks struct {
	hashes   map[int]audit.Hash
	reissued map[int]int
	assets   string
}

// readMemberLinks replays the link entries of session id's log.
func readMemberLinks(tx Tx, id string) (*memberLinks, error) {
	es, err := tx.AuditEntries(id, 1, 0)
	if err != nil {
		return nil, err
	}
	m := &memberLinks{hashes: map[int]audit.Hash{}, reissued: map[int]int{}}
	for _, e := range es {
		switch e.Type {
		case audit.MemberLinksIssued:
			var d audit.MemberLinksData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, Errorf(EInternal, "session %s: entry %d (%s) does not read: %v", id, e.Seq, e.Type, err)
			}
			m.hashes, m.reissued = map[int]audit.Hash{}, map[int]int{}
			for _, l := range d.Links {
				m.hashes[l.Trustee] = l.Hash
			}
			m.assets = d.Assets
		case audit.MemberLinkIssued:
			var d audit.MemberLinkData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, Errorf(EInternal, "session %s: entry %d (%s) does not read: %v", id, e.Seq, e.Type, err)
			}
			m.hashes[d.Trustee] = d.Hash
			m.reissued[d.Trustee]++
		case audit.MemberPageAssets:
			var d audit.MemberPageAssetsData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, Errorf(EInternal, "session %s: entry %d (%s) does not read: %v", id, e.Seq, e.Type, err)
			}
			m.assets = d.Assets
		}
	}
	return m, nil
}

// memberSession reads an encrypted session whose committee can hold a key
// and whose links may still be issued: before the tally, since links
// serve the ceremony and then the decryption.
func memberSession(tx Tx, id string) (*Session, error) {
	sess, err := tx.Session(id)
	if err != nil {
		return nil, err
	}
	setup, err := boxSetup(tx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case setup == nil:
		return nil, ErrNotEncrypted
	case sess.State == Tallied:
		return nil, &Error{Code: ELocked, Key: "member_links_tallied"}
	case len(sess.Committee) < 2:
		return nil, ErrNoCommittee
	}
	return sess, nil
}

// IssueMemberLinks gives every member of an encrypted session's counting
// committee a new link and logs their hashes with the member page's assets
// (MemberAssets) as MemberLinksIssued; every earlier link stops working.
// The codes are returned once and never stored. It fails, logging nothing,
// for a clear session, a committee of fewer than two, or after the tally.
func (s *Service) IssueMemberLinks(ctx context.Context, actor, id string) ([]MemberLink, error) {
	var links []MemberLink
	err := s.store.Update(ctx, func(tx Tx) error {
		sess, err := memberSession(tx, id)
		if err != nil {
			return err
		}
		links = links[:0]
		d := audit.MemberLinksData{Assets: s.MemberAssets}
		for i, name := range sess.Committee {
			code, err := NewToken(s.rand)
			if err != nil {
				return err
			}
			links = append(links, MemberLink{Trustee: i + 1, Name: name, Code: code})
			d.Links = append(d.Links, audit.MemberLinkData{Trustee: i + 1, Hash: HashToken(code)})
		}
		return s.logSigned(tx, id, actor, audit.MemberLinksIssued, d)
	})
	if err != nil {
		return nil, err
	}
	return links, nil
}

// IssueMemberLink replaces the link of one trustee, as when a member lost
// their phone, logging MemberLinkIssued; that trustee's earlier link stops
// working and the others keep theirs. It fails, logging nothing, for a
// trustee outside the committee or before any links were issued.
func (s *Service) IssueMemberLink(ctx context.Context, actor, id string, trustee int) (*MemberLink, error) {
	var link *MemberLink
	err := s.store.Update(ctx, func(tx Tx) error {
		sess, err := memberSession(tx, id)
		if err != nil {
			return err
		}
		if trustee < 1 || trustee > len(sess.Committee) {
			return &Error{Code: EInvalid, Key: "ceremony_trustee", Args: Args{"trustee": trustee, "n": len(sess.Committee)}}
		}
		m, err := readMemberLinks(tx, id)
		if err != nil {
			return err
		}
		if len(m.hashes) == 0 {
			return &Error{Code: ELocked, Key: "member_links_none"}
		}
		code, err := NewToken(s.rand)
		if err != nil {
			return err
		}
		link = &MemberLink{Trustee: trustee, Name: sess.Committee[trustee-1], Code: code}
		return s.logSigned(tx, id, actor, audit.MemberLinkIssued, audit.MemberLinkData{Trustee: trustee, Hash: HashToken(code)})
	})
	if err != nil {
		return nil, err
	}
	return link, nil
}

// Member returns whose link code opens session id. Every current link is
// compared in constant time, and an unknown session, a malformed code, a
// replaced link and a code of another session all get the same ENotFound,
// so that a guess learns nothing. It changes nothing.
func (s *Service) Member(ctx context.Context, id, code string) (*MemberAccess, error) {
	var out *MemberAccess
	err := s.store.View(ctx, func(tx Tx) (err error) {
		out, err = memberIn(tx, id, code)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// memberIn is Member inside a transaction.
func memberIn(tx Tx, id, code string) (*MemberAccess, error) {
	canonical, ok := NormalizeToken(code)
	if !ok {
		return nil, errMemberUnknown
	}
	h := HashToken(canonical)
	sess, err := tx.Session(id)
	if err != nil {
		if ErrorCode(err) == ENotFound {
			return nil, errMemberUnknown
		}
		return nil, err
	}
	m, err := readMemberLinks(tx, id)
	if err != nil {
		return nil, err
	}
	found := 0
	for i, want := range m.hashes {
		if subtle.ConstantTimeCompare(h[:], want[:]) == 1 {
			found = i
		}
	}
	if found < 1 || found > len(sess.Committee) {
		return nil, errMemberUnknown
	}
	return &MemberAccess{Session: id, Trustee: found, Name: sess.Committee[found-1]}, nil
}

// memberActorPrefix starts the actor of every entry a member page caused,
// so that the record and the console tell a phone's message from a file
// the organiser imported.
const memberActorPrefix = "bkp/"

// MemberActor is the actor logged for what trustee i's member page sent.
func MemberActor(trustee int) string { return memberActorPrefix + strconv.Itoa(trustee) }

// FromMemberPage reports whether an entry's actor is a member page's.
func FromMemberPage(actor string) bool { return strings.HasPrefix(actor, memberActorPrefix) }

// MemberMessage records a ceremony message sent from a member page with
// this member code: as AddCeremonyMessage, in the same transaction as the
// code's check, and only a message of the code's own trustee; the member
// page's assets are logged first if they changed (MemberPageAssets). A
// refused message or code logs nothing.
func (s *Service) MemberMessage(ctx context.Context, id, code string, data []byte) error {
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return &Error{Code: EInvalid, Key: "ceremony_message", Args: Args{"err": err.Error()}}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		m, err := memberIn(tx, id, code)
		if err != nil {
			return err
		}
		_, err = s.addCeremonyMessage(tx, MemberActor(m.Trustee), id, head.Format, data, m.Trustee)
		return err
	})
}

// MemberPartial records a partial decryption sent from a member page with
// this member code, as AddPartial does, of the code's own trustee only.
func (s *Service) MemberPartial(ctx context.Context, id, code string, data []byte) error {
	part, err := box.ParsePartial(data)
	if err != nil {
		return &Error{Code: EInvalid, Key: "partial_malformed", Args: Args{"err": err.Error()}}
	}
	var bad error
	err = s.store.Update(ctx, func(tx Tx) error {
		m, err := memberIn(tx, id, code)
		if err != nil {
			return err
		}
		bad, err = s.addPartial(tx, MemberActor(m.Trustee), id, part, m.Trustee)
		return err
	})
	if err != nil {
		return err
	}
	return bad
}

// SealedBallots returns the encrypted ballots a closed session sealed into
// its log (EncryptedBallot entries, as cast, in log order), so that a
// trustee's device can recompute the encrypted tally before it decrypts
// anything.
func (s *Service) SealedBallots(ctx context.Context, id string) ([]json.RawMessage, error) {
	var out []json.RawMessage
	err := s.store.View(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		if sess.State == Draft || sess.State == Open {
			return ErrNotClosed
		}
		es, err := tx.AuditEntries(id, 1, 0)
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.Type == audit.EncryptedBallot {
				out = append(out, json.RawMessage(e.Data))
			}
		}
		return nil
	})
	return out, err
}

// MemberLinks returns which trustees of session id have a link and which
// member-page assets the log names last.
func (s *Service) MemberLinks(ctx context.Context, id string) (*MemberLinkStatus, error) {
	var st *MemberLinkStatus
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		m, err := readMemberLinks(tx, id)
		if err != nil {
			return err
		}
		st = &MemberLinkStatus{Issued: map[int]bool{}, Reissued: m.reissued, Assets: m.assets}
		for i := range m.hashes {
			st.Issued[i] = true
		}
		return nil
	})
	return st, err
}

// logMemberAssets logs MemberPageAssets when the member page this server
// serves differs from the one the log names last, so that whatever a
// member page sends is preceded in the log by the digest of that page.
func (s *Service) logMemberAssets(tx Tx, id, actor string) error {
	if s.MemberAssets == "" {
		return nil
	}
	m, err := readMemberLinks(tx, id)
	if err != nil {
		return err
	}
	if m.assets == s.MemberAssets {
		return nil
	}
	return s.log(tx, id, actor, audit.MemberPageAssets, audit.MemberPageAssetsData{Assets: s.MemberAssets})
}
