-- 0002_documents: the signed documents issued from a session's tally (the
-- per-cadre reports, the counting minutes, results.csv and results.json)
-- with their detached signatures, so that an export can include them. The
-- audit log holds their SHA-256 (ReportIssued); re-rendering replaces a
-- document, and each version's hash stays in the log.
CREATE TABLE documents (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    name       TEXT NOT NULL CHECK (name <> ''),
    data       BLOB NOT NULL,
    signature  BLOB NOT NULL, -- detached signature file (signify format)
    PRIMARY KEY (session_id, name)
) WITHOUT ROWID;
