package box

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// FormatRound3V1 is a trustee's round-3 statement (SPEC.md 11.6.1): the dealers whose shares it checked and its
// complaints against the others. An empty list of complaints is its confirmation; the statements of all trustees
// are what tells the committee that qualification is known.
const FormatRound3V1 = "tinnhiem-box-dkg-round3/v1"

// Round3 is the statement of FormatRound3V1: Checked lists, ascending, the dealers whose share to Trustee
// decrypted and checked; Complaints are its complaints against the others.
type Round3 struct {
	Session    string
	Trustee    int
	Checked    []int
	Complaints []*Complaint
}

type round3JSON struct {
	Format     string            `json:"format"`
	Session    string            `json:"session"`
	Trustee    int               `json:"trustee"`
	Checked    []int             `json:"checked"`
	Complaints []json.RawMessage `json:"complaints"`
}

// FormatRound3 encodes a round-3 statement as compact JSON (SPEC.md 11.6.1).
func FormatRound3(r *Round3) []byte {
	j := round3JSON{Format: FormatRound3V1, Session: r.Session, Trustee: r.Trustee, Checked: append([]int{}, r.Checked...),
		Complaints: []json.RawMessage{}}
	for _, c := range r.Complaints {
		j.Complaints = append(j.Complaints, FormatComplaint(c))
	}
	out, err := json.Marshal(j)
	if err != nil {
		panic("box: a round-3 statement did not marshal")
	}
	return out
}

// ParseRound3 reads a round-3 statement; every complaint must be its author's, in its session.
func ParseRound3(data []byte) (*Round3, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, err
	}
	for _, m := range []string{"session", "trustee", "checked", "complaints"} {
		if _, ok := members[m]; !ok {
			return nil, fmt.Errorf("member %q is missing", m)
		}
	}
	var j round3JSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	r := &Round3{Session: j.Session, Trustee: j.Trustee, Checked: j.Checked}
	for n, raw := range j.Complaints {
		c, err := ParseComplaint(raw)
		if err != nil {
			return nil, fmt.Errorf("complaint %d: %w", n+1, err)
		}
		if c.Session != r.Session || c.Trustee != r.Trustee {
			return nil, fmt.Errorf("complaint %d is not trustee %d's in this session", n+1, r.Trustee)
		}
		r.Complaints = append(r.Complaints, c)
	}
	return r, nil
}
