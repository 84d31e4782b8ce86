package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// EntryHeader is the first line of an entry's canonical bytes. It names the
// format and its version so that a future format can never be confused with
// this one.
const EntryHeader = "tinnhiem audit entry v1"

// Entry is one record in a session's audit log. Every entry commits to the
// one before it through Prev, so changing, removing, inserting or reordering
// any entry changes every hash after it.
type Entry struct {
	Seq     uint64          `json:"seq"`     // position in the session's log, from 1
	Session string          `json:"session"` // the vote session the log belongs to
	Time    string          `json:"time"`    // RFC 3339 UTC, seconds; ballots carry the sealing time, never their casting time
	Type    Type            `json:"type"`
	Actor   string          `json:"actor"` // account that acted; organiser actions are not secret
	Prev    Hash            `json:"prev"`  // hash of entry Seq-1, zero for the first
	Data    json.RawMessage `json:"data"`  // compact JSON object, hashed byte for byte
	Hash    Hash            `json:"hash"`  // SHA-256 of the canonical bytes
}

// Canonical returns the exact bytes whose SHA-256 is the entry's hash, as
// defined in SPEC.md. It does not validate the entry; see Check.
func (e *Entry) Canonical() []byte {
	var b bytes.Buffer
	b.Grow(160 + len(e.Data))
	b.WriteString(EntryHeader)
	b.WriteString("\nsession ")
	b.WriteString(e.Session)
	b.WriteString("\nseq ")
	b.WriteString(strconv.FormatUint(e.Seq, 10))
	b.WriteString("\ntime ")
	b.WriteString(e.Time)
	b.WriteString("\ntype ")
	b.WriteString(string(e.Type))
	b.WriteString("\nactor ")
	b.WriteString(e.Actor)
	b.WriteString("\nprev ")
	b.WriteString(e.Prev.String())
	b.WriteString("\n\n")
	b.Write(e.Data)
	b.WriteString("\n")
	return b.Bytes()
}

// ComputeHash returns the SHA-256 of the entry's canonical bytes, ignoring
// the stored Hash field.
func (e *Entry) ComputeHash() Hash { return Sum(e.Canonical()) }

// Check reports whether the entry is well formed on its own: header fields
// free of line breaks, known type, data a compact JSON object, and a stored
// hash that matches the canonical bytes. It does not look at neighbours.
func (e *Entry) Check() error {
	if e.Seq == 0 {
		return fmt.Errorf("sequence number must start at 1")
	}
	for name, v := range map[string]string{"session": e.Session, "actor": e.Actor, "time": e.Time} {
		if !validField(v) {
			return fmt.Errorf("%s field %q is empty, too long or holds a control character", name, v)
		}
	}
	if _, err := time.Parse(time.RFC3339, e.Time); err != nil {
		return fmt.Errorf("time %q is not RFC 3339: %w", e.Time, err)
	}
	if !KnownType(e.Type) {
		return fmt.Errorf("unknown entry type %q", e.Type)
	}
	if err := checkData(e.Data); err != nil {
		return err
	}
	if got := e.ComputeHash(); got != e.Hash {
		return fmt.Errorf("stored hash %s does not match the entry's content (%s)", e.Hash, got)
	}
	return nil
}

// Decode unmarshals the entry's data into v.
func (e *Entry) Decode(v any) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("failed to decode %s data of entry %d: %w", e.Type, e.Seq, err)
	}
	return nil
}

func validField(s string) bool {
	if s == "" || len(s) > 256 || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func checkData(d json.RawMessage) error {
	if len(d) == 0 || d[0] != '{' || !json.Valid(d) {
		return fmt.Errorf("data is not a JSON object")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, d); err != nil {
		return fmt.Errorf("data is not JSON: %w", err)
	}
	if !bytes.Equal(compact.Bytes(), d) {
		return fmt.Errorf("data is not compact JSON")
	}
	return nil
}

// Head is the state of a log after its last entry: how many entries it holds
// and the hash of the last one. The zero Head is the empty log.
type Head struct {
	Size uint64 `json:"size"`
	Hash Hash   `json:"hash"`
}

// Next builds the entry that follows h, with payload encoded as its data.
// The time is truncated to seconds and written in UTC, so that entries carry
// no finer timing than an organiser's action needs.
func (h Head) Next(session string, typ Type, actor string, at time.Time, payload any) (Entry, error) {
	data, err := json.Marshal(payload)
	if err != nil {
		return Entry{}, fmt.Errorf("failed to encode %s data: %w", typ, err)
	}
	e := Entry{
		Seq:     h.Size + 1,
		Session: session,
		Time:    at.UTC().Truncate(time.Second).Format(time.RFC3339),
		Type:    typ,
		Actor:   actor,
		Prev:    h.Hash,
		Data:    data,
	}
	e.Hash = e.ComputeHash()
	if err := e.Check(); err != nil {
		return Entry{}, fmt.Errorf("failed to build %s entry: %w", typ, err)
	}
	return e, nil
}

// Append returns the head after e, or an error if e does not directly follow
// h. It does not call Check; callers that did not build e themselves must.
func (h Head) Append(e *Entry) (Head, error) {
	if e.Seq != h.Size+1 {
		return h, fmt.Errorf("entry %d does not follow entry %d", e.Seq, h.Size)
	}
	if e.Prev != h.Hash {
		return h, fmt.Errorf("entry %d does not link to the hash of entry %d", e.Seq, h.Size)
	}
	return Head{Size: e.Seq, Hash: e.Hash}, nil
}
