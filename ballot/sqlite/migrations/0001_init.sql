-- 0001_init: the first schema of tinnhiem's store.
--
-- Anonymity is a property of this schema as much as of the code: no table
-- links a token to a member or a ballot to a token, and the ballot pool holds
-- nothing but a random identifier and the marks. Every table is WITHOUT
-- ROWID, so no hidden, increasing rowid records the order of insertion.

CREATE TABLE sessions (
    id        TEXT NOT NULL PRIMARY KEY,
    org       TEXT NOT NULL,
    title     TEXT NOT NULL,
    body      TEXT NOT NULL,
    date      TEXT NOT NULL,
    place     TEXT NOT NULL,
    rules     TEXT NOT NULL,
    state     TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed', 'tallied')),
    committee TEXT NOT NULL DEFAULT '[]' -- JSON array of names
) WITHOUT ROWID;

-- The roster. present says that the member checked in, never which card
-- they took: cards are not numbered and not linked to anyone.
CREATE TABLE members (
    session_id TEXT    NOT NULL REFERENCES sessions (id),
    pos        INTEGER NOT NULL, -- place in the imported roster, from 0
    name       TEXT    NOT NULL,
    position   TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    present    INTEGER NOT NULL DEFAULT 0 CHECK (present IN (0, 1)),
    PRIMARY KEY (session_id, pos)
) WITHOUT ROWID;

CREATE INDEX members_by_name ON members (session_id, name);

CREATE TABLE cadres (
    session_id TEXT    NOT NULL REFERENCES sessions (id),
    pos        INTEGER NOT NULL, -- place on the ballot, from 0
    id         TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    position   TEXT    NOT NULL,
    PRIMARY KEY (session_id, pos),
    UNIQUE (session_id, id)
) WITHOUT ROWID;

-- Cards, by SHA-256 of the token only. state: 0 issued, 1 used, 2 revoked
-- (ballot.TokenState).
CREATE TABLE tokens (
    hash       BLOB    NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
    session_id TEXT    NOT NULL REFERENCES sessions (id),
    state      INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2))
) WITHOUT ROWID;

-- By session only: an index holding state would have to be rewritten by
-- every cast, and per-session counts are rare (open, close) and cheap.
CREATE INDEX tokens_by_session ON tokens (session_id);

-- The ballot pool: no time, address, sequence, rowid or token. Rows are
-- kept in the order of their random id, which says nothing about casting.
CREATE TABLE ballots (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    id         TEXT NOT NULL CHECK (id <> ''),
    marks      TEXT NOT NULL,
    PRIMARY KEY (session_id, id)
) WITHOUT ROWID;

CREATE TABLE audit_entries (
    session_id TEXT    NOT NULL REFERENCES sessions (id),
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    time       TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    prev       BLOB    NOT NULL CHECK (length(prev) = 32),
    data       BLOB    NOT NULL, -- compact JSON, kept byte for byte: it is hashed
    hash       BLOB    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
    session_id TEXT    NOT NULL REFERENCES sessions (id),
    size       INTEGER NOT NULL CHECK (size >= 0),
    note       BLOB    NOT NULL, -- the signed note, byte for byte
    PRIMARY KEY (session_id, size)
) WITHOUT ROWID;
