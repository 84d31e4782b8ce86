-- 0003_accounts: organisations, console accounts and their scopes.
--
-- An organisation is identified by its name, which sessions.org already
-- holds. The organisation named '' is the default one: sessions created
-- before organisations existed, or without naming one, belong to it, as do
-- any older session's organisation names, registered here. A trigger
-- registers the organisation of every new session, so that every session
-- belongs to an organisation whatever code inserted it; the service refuses
-- unknown names before that (CreateSessionIn), so a typo does not start an
-- organisation of its own.
--
-- Accounts keep an argon2id hash (PHC string with its parameters and salt),
-- never a password. Nothing here refers to tokens, members or ballots: an
-- account is an organiser or an inspector, never a voter. Foreign keys point
-- at sessions only (schema_test checks it); the store checks that scoped
-- organisations exist when it writes an account.

CREATE TABLE organisations (
    name TEXT NOT NULL PRIMARY KEY
) WITHOUT ROWID;

INSERT INTO organisations (name) VALUES ('');
INSERT OR IGNORE INTO organisations (name) SELECT DISTINCT org FROM sessions;

CREATE TRIGGER sessions_register_org AFTER INSERT ON sessions
BEGIN
    INSERT OR IGNORE INTO organisations (name) VALUES (NEW.org);
END;

CREATE TABLE accounts (
    name     TEXT NOT NULL PRIMARY KEY CHECK (name <> ''),
    role     TEXT NOT NULL CHECK (role IN ('admin', 'organiser', 'inspector')),
    password TEXT NOT NULL CHECK (password LIKE '$argon2id$%')
) WITHOUT ROWID;

-- The organisations an organiser runs.
CREATE TABLE account_orgs (
    account TEXT NOT NULL,
    org     TEXT NOT NULL,
    PRIMARY KEY (account, org)
) WITHOUT ROWID;

-- The sessions an inspector reads.
CREATE TABLE account_sessions (
    account    TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    PRIMARY KEY (account, session_id)
) WITHOUT ROWID;
