package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzCheckUniqueNames checks the one-pass checkUniqueNames against the
// token-based oracle below on every input that is valid JSON: both must
// find the same repeated names. On invalid JSON the answer does not matter,
// since the decoder refuses it afterwards, but it must not panic.
func FuzzCheckUniqueNames(f *testing.F) {
	for _, s := range []string{
		`{"token": "AAAA", "choices": {"c1": "high", "c2": ["low", "normal"], "c3": []}}`,
		`{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}`,
		`{"a": 1, "a": 2}`,
		`{"\u0061": 1, "a": 2}`,
		`{"\ud800": 1, "\udfff": 2}`,
		"{\"\xff\": 1, \"\xfe\": 2}",
		`{"a\"b": 1, "a\\\"b": 2}`,
		`[1, -2.5e3, true, false, null, "x", {}, []]`,
		`{"a": [[[{"b": {"c": [1, {"d": 1, "d": 2}]}}]]]}`,
		`"a" "b"`,
		`{"a" 1}`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data := []byte(s)
		got := checkUniqueNames(data)
		if !json.Valid(data) {
			return
		}
		want := uniqueNamesByTokens(data)
		if (got == nil) != (want == nil) {
			t.Fatalf("checkUniqueNames(%q) = %v, oracle says %v", s, got, want)
		}
	})
}

func TestCheckUniqueNamesLargeObject(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 500 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"c` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + `_` + string(rune('0'+i/26%10)) + string(rune('0'+i/260)) + `": "high"`)
	}
	unique := b.String() + "}"
	if err := checkUniqueNames([]byte(unique)); err != nil {
		if want := uniqueNamesByTokens([]byte(unique)); want == nil {
			t.Fatalf("500 distinct names: got %v, oracle says none repeated", err)
		}
	}
	repeated := b.String() + `, "ca_00": "low"}`
	if got, want := checkUniqueNames([]byte(repeated)), uniqueNamesByTokens([]byte(repeated)); (got == nil) != (want == nil) {
		t.Fatalf("500 names and a repeat: got %v, oracle says %v", got, want)
	}
}

// uniqueNamesByTokens is the first, simple checkUniqueNames, built on
// json.Decoder.Token: slow, but plainly right, so it is the oracle the fast
// one is fuzzed against.
// member name, or if data is not JSON at all; encoding/json would keep the
// last value without a word.
func uniqueNamesByTokens(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	// One frame per open object or array; objects remember their names and
	// whether the next string token is a name.
	type frame struct {
		names    map[string]bool
		wantName bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if len(stack) > 0 {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.names != nil && top.wantName {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			name := tok.(string) // the decoder only yields strings in name position
			if top.names[name] {
				return errors.New("repeated member name")
			}
			top.names[name] = true
			top.wantName = false
			continue
		}
		if top != nil && top.names != nil {
			top.wantName = true // this token is a value; a name follows
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{names: map[string]bool{}, wantName: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}
