package ballot

import (
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
			return &Error{Code: EInvalid, Key: "committee_duplicate", Args: Args{"first": first, "name": n}}
		}
		seen[k] = n
	}
	if len(names) < 2 {
		return &Error{Code: EInvalid, Key: "committee_too_small", Args: Args{"count": len(names)}}
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
	return &Error{Code: EInvalid, Key: "committee_cadre", Args: Args{"member": member, "name": c.Name, "position": c.Position}}
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
			return &Error{Code: EInvalid, Key: "cadre_on_committee", Args: Args{"name": c.Name, "position": c.Position, "member": n}}
		}
	}
	return nil
}
