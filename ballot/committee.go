package ballot

import (
	"fmt"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// nameKey is the form in which the committee's rules compare names: two
// names are the same person's when they are equal once spacing, Unicode
// normalisation and letter case are set aside. Accents count: "Nguyễn Văn
// An" and "Nguyen Van An" are different names.
func nameKey(s string) string {
	return norm.NFC.String(cases.Fold().String(CleanText(s)))
}

// checkCommittee holds cleaned, non-empty committee names to DOMAIN.md:
// distinct people, at least two, none of them a cadre being rated.
func checkCommittee(names []string, cadres []Cadre) error {
	seen := make(map[string]string, len(names))
	for _, n := range names {
		k := nameKey(n)
		if first, ok := seen[k]; ok {
			return &Error{Code: EInvalid, Key: "committee_duplicate",
				Message:    fmt.Sprintf("%q and %q are the same name: the members of the counting committee must be different people", first, n),
				Vietnamese: fmt.Sprintf("“%s” và “%s” là cùng một tên: các thành viên Ban kiểm phiếu phải là những người khác nhau.", first, n)}
		}
		seen[k] = n
	}
	if len(names) < 2 {
		return &Error{Code: EInvalid, Key: "committee_too_small",
			Message:    fmt.Sprintf("the counting committee needs at least two members, %d given", len(names)),
			Vietnamese: fmt.Sprintf("Ban kiểm phiếu phải có ít nhất hai người (mới có %d).", len(names)),
			Hint:       "name every member: --member \"Full Name\" --member \"Full Name\" …"}
	}
	for _, c := range cadres {
		if n, ok := seen[nameKey(c.Name)]; ok {
			return committeeCadreError(n, c)
		}
	}
	return nil
}

// committeeCadreError says that a committee member is also rated: the
// committee counts the cadres' ballots, so none of its members may be one.
func committeeCadreError(member string, c Cadre) *Error {
	return &Error{Code: EInvalid, Key: "committee_cadre",
		Message:    fmt.Sprintf("%q is a cadre being rated (%s, %s) and cannot sit on the counting committee", member, c.Name, c.Position),
		Vietnamese: fmt.Sprintf("“%s” là người được lấy phiếu tín nhiệm (%s, %s) nên không thể là thành viên Ban kiểm phiếu.", member, c.Name, c.Position)}
}

// checkCadresApart refuses cadres one of whom sits on the committee, so
// that the rule holds whichever of the two lists is set first.
func checkCadresApart(cadres []Cadre, committee []string) error {
	members := make(map[string]string, len(committee))
	for _, n := range committee {
		members[nameKey(n)] = n
	}
	for _, c := range cadres {
		if n, ok := members[nameKey(c.Name)]; ok {
			return &Error{Code: EInvalid, Key: "cadre_on_committee",
				Message:    fmt.Sprintf("cadre %q (%s) is a member of the counting committee: change the committee first", c.Name, c.Position),
				Vietnamese: fmt.Sprintf("“%s” (%s) đang là thành viên Ban kiểm phiếu (“%s”) nên không thể là người được lấy phiếu; hãy sửa Ban kiểm phiếu trước.", c.Name, c.Position, n),
				Hint:       "tinnhiem session committee --db FILE --session ID --member \"Full Name\" …"}
		}
	}
	return nil
}
