// This file replays the entries of the committee's member links (SPEC.md
// 11.15): only hashes of the links are logged, so what can be checked is
// their shape — an encrypted session, trustees of the committee named
// once each, a well-formed asset digest — and the asset digests of the
// member page, which the verifier reports for an inspector to compare
// with the release.

package verify

import (
	"encoding/hex"
	"errors"
	"fmt"

	"tinnhiem/audit"
)

// memberLinkPhases are the phases a link may be issued or replaced in:
// before the ceremony, while the vote is open (paper entry) and until the
// tally (decryption). Never while ballots are being sealed.
var memberLinkPhases = []phase{phaseDraft, phaseOpen, phaseUsed, phaseClosed}

func init() {
	for _, p := range memberLinkPhases {
		for _, t := range []audit.Type{audit.MemberLinksIssued, audit.MemberLinkIssued, audit.MemberPageAssets} {
			allowed[p][t] = true
		}
	}
}

// memberTrustee checks that a link names a trustee of the committee of an
// encrypted session.
func (r *Replay) memberTrustee(trustee int) error {
	if !r.Encrypted() {
		return errors.New("a committee member's link in a clear session")
	}
	if n := len(r.Committee); trustee < 1 || trustee > n {
		return fmt.Errorf("a member link for trustee %d of a committee of %d", trustee, n)
	}
	return nil
}

// assetDigest checks a logged asset digest: 64 hexadecimal digits.
func assetDigest(s string) error {
	if b, err := hex.DecodeString(s); err != nil || len(b) != 32 {
		return fmt.Errorf("member page assets %q are not a SHA-256 in hexadecimal", s)
	}
	return nil
}

func (r *Replay) memberLinksIssued(e *audit.Entry) error {
	var d audit.MemberLinksData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if len(d.Links) != len(r.Committee) {
		return fmt.Errorf("%d member links for a committee of %d", len(d.Links), len(r.Committee))
	}
	seen := map[int]bool{}
	for _, l := range d.Links {
		if err := r.memberTrustee(l.Trustee); err != nil {
			return err
		}
		if seen[l.Trustee] {
			return fmt.Errorf("two member links for trustee %d", l.Trustee)
		}
		seen[l.Trustee] = true
	}
	if d.Assets != "" {
		if err := assetDigest(d.Assets); err != nil {
			return err
		}
		r.MemberAssets = append(r.MemberAssets, d.Assets)
	}
	r.memberLinks = true
	return nil
}

func (r *Replay) memberLinkIssued(e *audit.Entry) error {
	var d audit.MemberLinkData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if !r.memberLinks {
		return errors.New("a member link replaced before the committee's links were issued")
	}
	return r.memberTrustee(d.Trustee)
}

func (r *Replay) memberPageAssets(e *audit.Entry) error {
	var d audit.MemberPageAssetsData
	if err := strictDecode(e, &d); err != nil {
		return err
	}
	if !r.memberLinks {
		return errors.New("member page assets logged before the committee's links were issued")
	}
	if err := assetDigest(d.Assets); err != nil {
		return err
	}
	r.MemberAssets = append(r.MemberAssets, d.Assets)
	return nil
}
