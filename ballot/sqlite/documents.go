package sqlite

import "tinnhiem/ballot"

// PutDocument stores a document, replacing one of the same name.
func (t *txn) PutDocument(session string, d ballot.Document) error {
	const op = "store document"
	if err := t.prepare(op, session, true); err != nil {
		return err
	}
	_, err := t.exec(op, "INSERT OR REPLACE INTO documents (session_id, name, data, signature) VALUES (?, ?, ?, ?)",
		session, d.Name, d.Data, d.Signature)
	return err
}

// Documents returns the session's documents by name.
func (t *txn) Documents(session string) ([]ballot.Document, error) {
	const op = "read documents"
	if err := t.prepare(op, session, false); err != nil {
		return nil, err
	}
	return queryAll(t, op, func(sc scanner) (*ballot.Document, error) {
		var d ballot.Document
		return &d, sc.Scan(&d.Name, &d.Data, &d.Signature)
	}, "SELECT name, data, signature FROM documents WHERE session_id = ? ORDER BY name", session)
}
