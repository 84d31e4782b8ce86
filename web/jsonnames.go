package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// errJSONSyntax is what checkUniqueNames says of text it cannot follow. The
// caller only needs to know the request is bad; encoding/json, which runs
// afterwards, is the judge of syntax.
var errJSONSyntax = errors.New("malformed JSON")

// errRepeatedName reports an object that repeats a member name.
var errRepeatedName = errors.New("repeated member name")

// nameSet holds the member names of one open object. Ballots hold a few
// dozen names, so a slice of sub-slices of the body, compared bytewise,
// beats a map and allocates nothing for names without escapes; a map takes
// over for very large objects so that a hostile body cannot make the check
// quadratic.
type nameSet struct {
	object bool // false for an array
	list   [][]byte
	big    map[string]struct{}
}

const nameListMax = 64

// add records name and reports whether it was already there.
func (s *nameSet) add(name []byte) bool {
	if s.big != nil {
		if _, ok := s.big[string(name)]; ok {
			return true
		}
		s.big[string(name)] = struct{}{}
		return false
	}
	for _, n := range s.list {
		if bytes.Equal(n, name) {
			return true
		}
	}
	s.list = append(s.list, name)
	if len(s.list) > nameListMax {
		s.big = make(map[string]struct{}, 2*nameListMax)
		for _, n := range s.list {
			s.big[string(n)] = struct{}{}
		}
		s.list = nil
	}
	return false
}

// checkUniqueNames reports an error if any JSON object in data repeats a
// member name, comparing names after unescaping as encoding/json does
// ("\u0063\u0031" is "c1"); encoding/json would keep the last value without
// a word. It follows the structure of valid JSON exactly and may say
// anything of invalid JSON, which the decoder refuses afterwards anyway.
// It is one pass over the bytes, since it runs on every ballot.
func checkUniqueNames(data []byte) error {
	var stack []*nameSet
	i := 0
	for {
		// A value starts at i.
		i = skipSpace(data, i)
		if i == len(data) {
			if len(stack) > 0 {
				return errJSONSyntax
			}
			return nil
		}
		switch data[i] {
		case '{':
			i = skipSpace(data, i+1)
			if i < len(data) && data[i] == '}' {
				i++
				break
			}
			s := &nameSet{object: true}
			stack = append(stack, s)
			var err error
			if i, err = memberName(data, i, s); err != nil {
				return err
			}
			continue
		case '[':
			i = skipSpace(data, i+1)
			if i < len(data) && data[i] == ']' {
				i++
				break
			}
			stack = append(stack, &nameSet{})
			continue
		case '"':
			end, _, err := scanString(data, i)
			if err != nil {
				return err
			}
			i = end
		default:
			start := i
			for i < len(data) && !isDelimiter(data[i]) {
				i++
			}
			if i == start {
				return errJSONSyntax
			}
		}
		// A value ended at i: close what it completes, up to the next value.
	after:
		for len(stack) > 0 {
			i = skipSpace(data, i)
			if i == len(data) {
				return errJSONSyntax
			}
			top := stack[len(stack)-1]
			switch c := data[i]; {
			case c == ',':
				i++
				if top.object {
					var err error
					if i, err = memberName(data, i, top); err != nil {
						return err
					}
				}
				break after
			case c == '}' && top.object, c == ']' && !top.object:
				i++
				stack = stack[:len(stack)-1]
			default:
				return errJSONSyntax
			}
		}
	}
}

// memberName reads `"name" :` at i, records the name in s and returns where
// the member's value starts.
func memberName(data []byte, i int, s *nameSet) (int, error) {
	i = skipSpace(data, i)
	if i == len(data) || data[i] != '"' {
		return 0, errJSONSyntax
	}
	end, plain, err := scanString(data, i)
	if err != nil {
		return 0, err
	}
	name := data[i+1 : end-1]
	if !plain {
		// Escapes and invalid UTF-8 decode to other bytes (U+FFFD for
		// the latter); compare what the decoder will see.
		var decoded string
		if err := json.Unmarshal(data[i:end], &decoded); err != nil {
			return 0, errJSONSyntax
		}
		name = []byte(decoded)
	}
	if s.add(name) {
		return 0, errRepeatedName
	}
	i = skipSpace(data, end)
	if i == len(data) || data[i] != ':' {
		return 0, errJSONSyntax
	}
	return i + 1, nil
}

// scanString finds the end (one past the closing quote) of the string
// starting at data[i] == '"', and reports whether its bytes between the
// quotes are exactly its value: no escape, no invalid UTF-8.
func scanString(data []byte, i int) (end int, plain bool, err error) {
	plain = true
	ascii := true
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(data[i+1:j]) {
				plain = false
			}
			return j + 1, plain, nil
		case c == '\\':
			plain = false
			j++ // the escaped byte cannot end the string
		case c < 0x20:
			return 0, false, errJSONSyntax
		case c >= 0x80:
			ascii = false
		}
	}
	return 0, false, errJSONSyntax
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ':', '[', ']', '{', '}', '"':
		return true
	}
	return false
}

// jsonString decodes v, which must be one JSON string, as json.Unmarshal
// would. Level codes are plain ASCII, so the common case slices the bytes
// without the reflection json.Unmarshal costs on each of a ballot's lines.
func jsonString(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	end, plain, err := scanString(v, 0)
	if err != nil || end != len(v) {
		return "", false
	}
	if plain {
		return string(v[1 : len(v)-1]), true
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", false
	}
	return s, true
}
