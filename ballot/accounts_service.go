package ballot

import (
	"context"
	"slices"
)

// AddOrg creates an organisation. Names are cleaned (NFC, single spaces)
// and unique; creating an existing name is a conflict.
func (s *Service) AddOrg(ctx context.Context, name string) (*Organisation, error) {
	name = CleanText(name)
	if err := checkOrgName(name); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Organisation(name); err == nil {
			return orgExists(name)
		} else if ErrorCode(err) != ENotFound {
			return err
		}
		return tx.InsertOrganisation(Organisation{Name: name})
	})
	if err != nil {
		return nil, err
	}
	return &Organisation{Name: name}, nil
}

func orgExists(name string) error {
	return &Error{Code: EConflict, Key: "org_exists", Args: Args{"name": name}}
}

// Organisation returns the organisation of that name, ErrNotFound (with a
// sentence naming it) if there is none.
func (s *Service) Organisation(ctx context.Context, name string) (*Organisation, error) {
	var o *Organisation
	err := s.store.View(ctx, func(tx Tx) (err error) { o, err = tx.Organisation(CleanText(name)); return err })
	if ErrorCode(err) == ENotFound {
		return nil, orgUnknown(name)
	}
	return o, err
}

func orgUnknown(name string) error {
	return &Error{Code: ENotFound, Key: "org_unknown", Args: Args{"name": name}}
}

// Organisations returns every organisation ordered by name, the default
// one first.
func (s *Service) Organisations(ctx context.Context) (out []Organisation, err error) {
	err = s.store.View(ctx, func(tx Tx) (err error) { out, err = tx.Organisations(); return err })
	return out, err
}

// AddAccount creates an account with an argon2id hash of its password.
// Every organisation and session of its scope must exist; otherwise, or
// when the name is taken, nothing is created.
func (s *Service) AddAccount(ctx context.Context, in NewAccount) (*Account, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(s.rand, in.Password)
	if err != nil {
		return nil, err
	}
	a := &Account{Name: in.Name, Role: in.Role, PasswordHash: hash, Orgs: in.Orgs, Sessions: in.Sessions}
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Account(a.Name); err == nil {
			return &Error{Code: EConflict, Key: "account_exists", Args: Args{"name": a.Name}}
		} else if ErrorCode(err) != ENotFound {
			return err
		}
		for _, o := range a.Orgs {
			if _, err := tx.Organisation(o); err != nil {
				if ErrorCode(err) == ENotFound {
					return orgUnknown(o)
				}
				return err
			}
		}
		for _, id := range a.Sessions {
			if _, err := tx.Session(id); err != nil {
				if ErrorCode(err) == ENotFound {
					return &Error{Code: ENotFound, Key: "session_unknown", Args: Args{"id": id}}
				}
				return err
			}
		}
		return tx.InsertAccount(a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Account returns one account, ErrNotFound if there is none.
func (s *Service) Account(ctx context.Context, name string) (a *Account, err error) {
	err = s.store.View(ctx, func(tx Tx) (err error) { a, err = tx.Account(name); return err })
	return a, err
}

// Accounts returns every account ordered by name.
func (s *Service) Accounts(ctx context.Context) (out []Account, err error) {
	err = s.store.View(ctx, func(tx Tx) (err error) { out, err = tx.Accounts(); return err })
	return out, err
}

// ErrLogin is the one answer to a failed sign-in, whether the name or the
// password was wrong, so that the answer does not reveal which names exist.
var ErrLogin = &Error{Code: EInvalid, Key: "login_failed"}

// Authenticate returns the account if password is its password, ErrLogin
// otherwise. An unknown name costs the same argon2id work as a wrong
// password.
func (s *Service) Authenticate(ctx context.Context, name, password string) (*Account, error) {
	a, err := s.Account(ctx, name)
	if err != nil {
		if ErrorCode(err) != ENotFound {
			return nil, err
		}
		CheckPassword(dummyHash(), password)
		return nil, ErrLogin
	}
	if !CheckPassword(a.PasswordHash, password) {
		return nil, ErrLogin
	}
	return a, nil
}

// SessionsFor returns the sessions the account may read, ordered by ID.
func (s *Service) SessionsFor(ctx context.Context, a *Account) ([]Session, error) {
	all, err := s.Sessions(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(sess Session) bool { return !a.CanRead(&sess) }), nil
}

// CreateSessionIn creates a session in an existing organisation, refusing
// a name that no organisation has (a typo would otherwise start a new
// organisation of its own).
func (s *Service) CreateSessionIn(ctx context.Context, actor string, in NewSession) (*Session, error) {
	in.Org = CleanText(in.Org)
	if _, err := s.Organisation(ctx, in.Org); err != nil {
		return nil, err
	}
	return s.CreateSession(ctx, actor, in)
}
