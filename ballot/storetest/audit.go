package storetest

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// auditTime is a fixed moment, so that entries are reproducible.
var auditTime = time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)

// nextEntry builds the entry that follows head, as the service does.
func nextEntry(t *testing.T, head audit.Head, session string, typ audit.Type) audit.Entry {
	t.Helper()
	e, err := head.Next(session, typ, "thu-ky", auditTime.Add(time.Duration(head.Size)*time.Minute),
		audit.CommitteeSetData{Members: []string{"Trần Thị Bình", string(typ)}})
	if err != nil {
		t.Fatalf("Head.Next: %v", err)
	}
	return e
}

// appendChain appends n entries to the session's log and returns them.
func appendChain(t *testing.T, s ballot.Store, session string, n int) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	update(t, s, func(tx ballot.Tx) error {
		for range n {
			head, err := tx.AuditHead(session)
			if err != nil {
				return err
			}
			e := nextEntry(t, head, session, audit.CommitteeSet)
			if err := tx.AppendAudit(&e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out
}

func auditHead(t *testing.T, s ballot.Store, session string) audit.Head {
	t.Helper()
	var h audit.Head
	view(t, s, func(tx ballot.Tx) (err error) {
		h, err = tx.AuditHead(session)
		return err
	})
	return h
}

func auditEntries(t *testing.T, s ballot.Store, session string, from, to uint64) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	view(t, s, func(tx ballot.Tx) (err error) {
		es, err = tx.AuditEntries(session, from, to)
		return err
	})
	return es
}

func testAuditChain(t *testing.T, s ballot.Store) {
	const id = "nhat-ky"
	setup(t, s, id, ballot.Draft, 0)
	if got := auditHead(t, s, id); got != (audit.Head{}) {
		t.Errorf("AuditHead() of an empty log = %+v, want the zero Head", got)
	}
	want := appendChain(t, s, id, 3)
	want = append(want, appendChain(t, s, id, 2)...)
	last := want[len(want)-1]
	if got, wantHead := auditHead(t, s, id), (audit.Head{Size: 5, Hash: last.Hash}); got != wantHead {
		t.Errorf("AuditHead() = %+v, want %+v", got, wantHead)
	}
	got := auditEntries(t, s, id, 1, 0)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AuditEntries(1, 0) = %+v, want %+v", got, want)
	}
	if _, err := audit.VerifyChain(got); err != nil {
		t.Errorf("the stored log is not a valid chain: %v", err)
	}
	for i := range got {
		if !bytes.Equal(got[i].Data, want[i].Data) {
			t.Errorf("entry %d data = %s, want byte for byte %s", i+1, got[i].Data, want[i].Data)
		}
	}
}

// testAuditRejects offers entries that do not follow the head and checks
// that each is refused and leaves the log as it was.
func testAuditRejects(t *testing.T, s ballot.Store) {
	const id = "nhat-ky-sai"
	setup(t, s, id, ballot.Draft, 0)
	chain := appendChain(t, s, id, 2)
	head := audit.Head{Size: 2, Hash: chain[1].Hash}

	skip := nextEntry(t, audit.Head{Size: 3, Hash: chain[1].Hash}, id, audit.CheckedIn)
	badPrev := nextEntry(t, audit.Head{Size: 2, Hash: chain[0].Hash}, id, audit.CheckedIn)
	again := nextEntry(t, audit.Head{Size: 1, Hash: chain[0].Hash}, id, audit.CheckedIn)
	first := nextEntry(t, audit.Head{}, id, audit.SessionCreated)
	for _, tc := range []struct {
		name string
		e    audit.Entry
	}{
		{"skips a number", skip},
		{"links to the wrong entry", badPrev},
		{"repeats a number", again},
		{"starts over", first},
	} {
		t.Run(tc.name, func(t *testing.T) {
			update(t, s, func(tx ballot.Tx) error {
				if err := tx.AppendAudit(&tc.e); err == nil {
					t.Errorf("AppendAudit(seq %d, prev %s): got nil error, want one", tc.e.Seq, tc.e.Prev)
				}
				return nil
			})
			if got := auditHead(t, s, id); got != head {
				t.Errorf("after a refused AppendAudit: head %+v, want %+v", got, head)
			}
			if got := auditEntries(t, s, id, 1, 0); !reflect.DeepEqual(got, chain) {
				t.Errorf("after a refused AppendAudit: log %+v, want %+v", got, chain)
			}
		})
	}
	// The entry that does follow the head is accepted.
	next := nextEntry(t, head, id, audit.CheckedIn)
	update(t, s, func(tx ballot.Tx) error { return tx.AppendAudit(&next) })
	if got, want := auditHead(t, s, id), (audit.Head{Size: 3, Hash: next.Hash}); got != want {
		t.Errorf("after appending the head's successor: head %+v, want %+v", got, want)
	}
}

func testAuditEntriesRange(t *testing.T, s ballot.Store) {
	const id = "khoang"
	setup(t, s, id, ballot.Draft, 0)
	chain := appendChain(t, s, id, 5)
	for _, tc := range []struct {
		from, to uint64
		want     []audit.Entry
	}{
		{1, 0, chain},
		{0, 0, chain},
		{2, 4, chain[1:4]},
		{3, 3, chain[2:3]},
		{4, 0, chain[3:]},
		{5, 99, chain[4:]},
		{6, 0, nil},
		{4, 2, nil},
	} {
		if got := auditEntries(t, s, id, tc.from, tc.to); !equalLists(got, tc.want) {
			t.Errorf("AuditEntries(%d, %d) holds %d entries, want %d: %+v", tc.from, tc.to, len(got), len(tc.want), got)
		}
	}
}

func testAuditSessions(t *testing.T, s ballot.Store) {
	setup(t, s, "co-nhat-ky-b", ballot.Draft, 0)
	setup(t, s, "khong-nhat-ky", ballot.Draft, 0)
	setup(t, s, "co-nhat-ky-a", ballot.Draft, 0)
	view(t, s, func(tx ballot.Tx) error {
		if ids, err := tx.AuditSessions(); err != nil || len(ids) != 0 {
			t.Errorf("AuditSessions() with no log = %q, %v; want none", ids, err)
		}
		return nil
	})
	appendChain(t, s, "co-nhat-ky-b", 2)
	appendChain(t, s, "co-nhat-ky-a", 1)
	// Each session's chain is its own: the second one starts at 1.
	if got := auditHead(t, s, "co-nhat-ky-a"); got.Size != 1 {
		t.Errorf("AuditHead(second log).Size = %d, want 1", got.Size)
	}
	view(t, s, func(tx ballot.Tx) error {
		ids, err := tx.AuditSessions()
		if err != nil {
			t.Fatalf("AuditSessions: %v", err)
		}
		if want := []string{"co-nhat-ky-a", "co-nhat-ky-b"}; !sameSet(ids, want) {
			t.Errorf("AuditSessions() = %q, want %q in any order", ids, want)
		}
		return nil
	})
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func testCheckpoints(t *testing.T, s ballot.Store) {
	const id = "moc"
	setup(t, s, id, ballot.Draft, 0)
	appendChain(t, s, id, 3)
	want := []ballot.StoredCheckpoint{
		{Size: 1, Note: []byte("tinnhiem checkpoint v1\nsession moc\nsize 1\n\n— sig1\n")},
		{Size: 3, Note: []byte("tinnhiem checkpoint v1\nsession moc\nsize 3\n\n— sig3\n")},
	}
	for _, c := range want {
		update(t, s, func(tx ballot.Tx) error { return tx.InsertCheckpoint(id, c) })
	}
	view(t, s, func(tx ballot.Tx) error {
		got, err := tx.Checkpoints(id)
		if err != nil {
			t.Fatalf("Checkpoints: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Checkpoints() = %+v, want %+v", got, want)
		}
		return nil
	})
}

// testDocuments checks that documents round-trip, are replaced by name and
// are listed by name.
func testDocuments(t *testing.T, s ballot.Store) {
	setup(t, s, "docs", ballot.Tallied, 1)
	update(t, s, func(tx ballot.Tx) error {
		for _, d := range []ballot.Document{
			{Name: "minutes.pdf", Data: []byte("v1"), Signature: []byte("sig1")},
			{Name: "c1.pdf", Data: []byte("c1"), Signature: []byte("sigc1")},
			{Name: "minutes.pdf", Data: []byte("v2"), Signature: []byte("sig2")},
		} {
			if err := tx.PutDocument("docs", d); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx ballot.Tx) error {
		got, err := tx.Documents("docs")
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].Name != "c1.pdf" || got[1].Name != "minutes.pdf" || string(got[1].Data) != "v2" || string(got[1].Signature) != "sig2" {
			t.Errorf("Documents = %+v, want c1.pdf and the replaced minutes.pdf", got)
		}
		_, err = tx.Documents("missing")
		wantErr(t, "Documents of a missing session", err, ballot.ErrNotFound)
		return nil
	})
}
