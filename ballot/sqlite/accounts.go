package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"tinnhiem/ballot"
)

// InsertOrganisation adds an organisation; a taken name is a conflict.
func (t *txn) InsertOrganisation(o ballot.Organisation) error {
	const op = "insert organisation"
	if err := t.begin(op, true); err != nil {
		return err
	}
	_, err := t.exec(op, "INSERT INTO organisations (name) VALUES (?)", o.Name)
	if ballot.ErrorCode(err) == ballot.EConflict {
		return &ballot.Error{Code: ballot.EConflict, Key: "org_exists", Message: fmt.Sprintf("failed to %s: %q already exists", op, o.Name)}
	}
	return err
}

// Organisation returns one organisation by name.
func (t *txn) Organisation(name string) (*ballot.Organisation, error) {
	const op = "read organisation"
	if err := t.begin(op, false); err != nil {
		return nil, err
	}
	var o ballot.Organisation
	err := t.tx.QueryRowContext(t.ctx, "SELECT name FROM organisations WHERE name = ?", name).Scan(&o.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("failed to %s: %q not found", op, name)
	}
	if err != nil {
		return nil, t.fail(op, err)
	}
	return &o, nil
}

// Organisations returns every organisation by name; ” sorts first.
func (t *txn) Organisations() ([]ballot.Organisation, error) {
	const op = "list organisations"
	if err := t.begin(op, false); err != nil {
		return nil, err
	}
	return queryAll(t, op, func(sc scanner) (*ballot.Organisation, error) {
		var o ballot.Organisation
		return &o, sc.Scan(&o.Name)
	}, "SELECT name FROM organisations ORDER BY name")
}

// InsertAccount adds an account and its scopes in one savepoint. Scoped
// organisations must exist (there is no foreign key to them: see
// 0003_accounts.sql); scoped sessions are checked by their foreign key.
func (t *txn) InsertAccount(a *ballot.Account) error {
	const op = "insert account"
	if err := t.begin(op, true); err != nil {
		return err
	}
	return t.atomically(op, func() error {
		_, err := t.exec(op, "INSERT INTO accounts (name, role, password) VALUES (?, ?, ?)", a.Name, string(a.Role), a.PasswordHash)
		if ballot.ErrorCode(err) == ballot.EConflict {
			return &ballot.Error{Code: ballot.EConflict, Key: "account_exists", Message: fmt.Sprintf("failed to %s: %q already exists", op, a.Name)}
		}
		if err != nil {
			return err
		}
		for _, org := range a.Orgs {
			if _, err := t.Organisation(org); err != nil {
				return err
			}
			if _, err := t.exec(op, "INSERT INTO account_orgs (account, org) VALUES (?, ?)", a.Name, org); err != nil {
				return err
			}
		}
		for _, id := range a.Sessions {
			if err := t.sessionExists(op, id); err != nil {
				return err
			}
			if _, err := t.exec(op, "INSERT INTO account_sessions (account, session_id) VALUES (?, ?)", a.Name, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// Account returns one account with its scopes.
func (t *txn) Account(name string) (*ballot.Account, error) {
	const op = "read account"
	if err := t.begin(op, false); err != nil {
		return nil, err
	}
	var a ballot.Account
	err := t.tx.QueryRowContext(t.ctx, "SELECT name, role, password FROM accounts WHERE name = ?", name).Scan(&a.Name, &a.Role, &a.PasswordHash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("failed to %s: %q not found", op, name)
	}
	if err != nil {
		return nil, t.fail(op, err)
	}
	if err := t.scopes(op, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Accounts returns every account with its scopes, by name.
func (t *txn) Accounts() ([]ballot.Account, error) {
	const op = "list accounts"
	if err := t.begin(op, false); err != nil {
		return nil, err
	}
	as, err := queryAll(t, op, func(sc scanner) (*ballot.Account, error) {
		var a ballot.Account
		return &a, sc.Scan(&a.Name, &a.Role, &a.PasswordHash)
	}, "SELECT name, role, password FROM accounts ORDER BY name")
	if err != nil {
		return nil, err
	}
	for i := range as {
		if err := t.scopes(op, &as[i]); err != nil {
			return nil, err
		}
	}
	return as, nil
}

func (t *txn) scopes(op string, a *ballot.Account) error {
	str := func(sc scanner) (*string, error) { var s string; return &s, sc.Scan(&s) }
	var err error
	if a.Orgs, err = queryAll(t, op, str, "SELECT org FROM account_orgs WHERE account = ? ORDER BY org", a.Name); err != nil {
		return err
	}
	a.Sessions, err = queryAll(t, op, str, "SELECT session_id FROM account_sessions WHERE account = ? ORDER BY session_id", a.Name)
	return err
}
