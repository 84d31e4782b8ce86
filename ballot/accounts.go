package ballot

import (
	"regexp"
	"slices"
	"strings"
)

// Role is what an account may do on the server. Each role is bounded:
//
//   - an administrator manages organisations and accounts, and sees no
//     session: a vote is run by its own organisation's organisers;
//   - an organiser runs the sessions of the organisations named in the
//     account's scope, and only those;
//   - an inspector reads the sessions named in the account's scope —
//     turnout, audit log, checkpoints, documents after close — and may add
//     a cosignature, but changes nothing else.
type Role string

// The roles.
const (
	RoleAdmin     Role = "admin"
	RoleOrganiser Role = "organiser"
	RoleInspector Role = "inspector"
)

// Roles lists every role, for forms and usage messages.
var Roles = []Role{RoleAdmin, RoleOrganiser, RoleInspector}

// ParseRole accepts a role's code.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleAdmin, RoleOrganiser, RoleInspector:
		return r, nil
	}
	return "", &Error{Code: EInvalid, Key: "role_unknown", Args: Args{"role": s}}
}

// Vietnamese returns the role as shown in the console.
func (r Role) Vietnamese() string {
	switch r {
	case RoleAdmin:
		return "Quản trị hệ thống"
	case RoleOrganiser:
		return "Tổ chức hội nghị"
	case RoleInspector:
		return "Kiểm tra, giám sát"
	}
	return string(r)
}

// DefaultOrg is the name of the organisation that sessions created before
// organisations existed, or without naming one, belong to.
const DefaultOrg = ""

// Organisation is one body whose votes the server runs — for example one
// grassroots Party organisation under a higher committee. Its name is its
// identity: sessions refer to it by name, and reports print it.
type Organisation struct {
	Name string
}

// Label returns the name to show people; the default organisation has an
// empty name.
func (o Organisation) Label() string {
	if o.Name == DefaultOrg {
		return "(mặc định / default)"
	}
	return o.Name
}

// MaxOrgName bounds an organisation's name in characters.
const MaxOrgName = 200

// Account is one person who signs in to the console. PasswordHash is an
// argon2id PHC string (HashPassword); the password itself is never kept.
// Orgs scopes an organiser and Sessions an inspector; both are empty for an
// administrator.
type Account struct {
	Name         string
	Role         Role
	PasswordHash string
	Orgs         []string // organisation names, sorted
	Sessions     []string // session IDs, sorted
}

var accountNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// ValidAccountName reports whether name can name an account: 2 to 32
// lower-case letters, digits, '.', '_' or '-', starting with a letter or a
// digit. The name is the actor of the account's audit entries, so it holds
// no ':' and cannot pass for a command-line actor ("cli:…").
func ValidAccountName(name string) bool { return accountNamePattern.MatchString(name) }

// CanManageAccounts reports whether the account may create organisations
// and accounts.
func (a *Account) CanManageAccounts() bool { return a != nil && a.Role == RoleAdmin }

// CanCreateIn reports whether the account may create sessions in org.
func (a *Account) CanCreateIn(org string) bool {
	return a != nil && a.Role == RoleOrganiser && slices.Contains(a.Orgs, org)
}

// CanRead reports whether the account may see sess: an organiser of its
// organisation or an inspector named for it.
func (a *Account) CanRead(sess *Session) bool {
	if a == nil || sess == nil {
		return false
	}
	switch a.Role {
	case RoleOrganiser:
		return slices.Contains(a.Orgs, sess.Org)
	case RoleInspector:
		return slices.Contains(a.Sessions, sess.ID)
	}
	return false
}

// CanWrite reports whether the account may act on sess as an organiser.
func (a *Account) CanWrite(sess *Session) bool {
	return a != nil && sess != nil && a.Role == RoleOrganiser && slices.Contains(a.Orgs, sess.Org)
}

// CanCosign reports whether the account may add a cosignature to sess:
// whoever may read it, since cosigning is an inspector's act of checking.
func (a *Account) CanCosign(sess *Session) bool { return a.CanRead(sess) }

// NewAccount is what an administrator fixes when creating an account.
type NewAccount struct {
	Name     string
	Role     Role
	Password string
	Orgs     []string // required for organisers, refused otherwise
	Sessions []string // required for inspectors, refused otherwise
}

// check validates the parts of in that need no store.
func (in *NewAccount) check() error {
	if !ValidAccountName(in.Name) {
		return &Error{Code: EInvalid, Key: "account_name", Args: Args{"name": in.Name}}
	}
	if _, err := ParseRole(string(in.Role)); err != nil {
		return err
	}
	in.Orgs = cleanSet(in.Orgs, CleanText)
	in.Sessions = cleanSet(in.Sessions, strings.TrimSpace)
	switch {
	case in.Role == RoleOrganiser && len(in.Orgs) == 0:
		return &Error{Code: EInvalid, Key: "account_scope", Args: Args{"variant": "organiser_no_org"}}
	case in.Role == RoleInspector && len(in.Sessions) == 0:
		return &Error{Code: EInvalid, Key: "account_scope", Args: Args{"variant": "inspector_no_session"}}
	case in.Role != RoleOrganiser && len(in.Orgs) > 0:
		return &Error{Code: EInvalid, Key: "account_scope", Args: Args{"variant": "org_not_organiser"}}
	case in.Role != RoleInspector && len(in.Sessions) > 0:
		return &Error{Code: EInvalid, Key: "account_scope", Args: Args{"variant": "session_not_inspector"}}
	}
	return checkPassword(in.Password)
}

// cleanSet cleans each value, drops duplicates and sorts. An empty value is
// kept: among organisations it names the default one, and among sessions
// the existence check refuses it.
func cleanSet(in []string, clean func(string) string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		out = append(out, clean(v))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checkOrgName validates a new organisation's name, already cleaned.
func checkOrgName(name string) error {
	switch {
	case name == "":
		return &Error{Code: EInvalid, Key: "org_name", Args: Args{"variant": "empty"}}
	case len([]rune(name)) > MaxOrgName:
		return &Error{Code: EInvalid, Key: "org_name", Args: Args{"variant": "long", "max": MaxOrgName}}
	}
	return nil
}
