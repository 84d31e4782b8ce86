package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// errJSONSyntax is what checkUniqueNames says of text it cannot follow. The
// caller only needs to know the request is bad; encoding/json, which runs
// afterwards, is the judge of syntax.
var errJSONSyntax = errors.New("malformed JSON")

// errRepeatedName reports an object that repeats a member name.
var errRepeatedName = errors.New("repeated member name")

// errFieldName reports a member name that is not exactly one of the names
// the request's type declares but that encoding/json would take for one:
// it matches names without regard to case, and with Unicode's simple
// folding ("choiceſ" is "choices", the Kelvin sign is "k"), so "Choices"
// beside "choices" would slip past the repeated-name check and replace the
// voter's choices.
var errFieldName = errors.New("member name differs from the API's only in letter case")

// errUnknownName reports a member name a request's type does not have at
// all; the decoder would refuse it too.
var errUnknownName = errors.New("unknown member name")

// shape is what checkNames knows of the Go value a JSON value decodes
// into: for a struct, its exact member names and the shape of each
// member's value; for a map or a slice, the shape of its values. A nil
// shape (json.RawMessage, strings, numbers) constrains nothing but the
// uniqueness of names.
type shape struct {
	fields map[string]*shape // a struct's members by their exact JSON names; nil if not a struct
	elem   *shape            // a map's values or a slice's elements
}

// shapes caches shapeOf, since every request decodes into the same few
// types.
var shapes sync.Map // reflect.Type → *shape

// shapeOf returns the shape of values of type t, built from the struct
// tags the way encoding/json reads them.
func shapeOf(t reflect.Type) *shape {
	if s, ok := shapes.Load(t); ok {
		return s.(*shape)
	}
	s := buildShape(t, map[reflect.Type]bool{})
	shapes.Store(t, s)
	return s
}

func buildShape(t reflect.Type, seen map[reflect.Type]bool) *shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if seen[t] {
		return nil // a recursive type: the decoder still refuses unknown names below
	}
	switch t.Kind() {
	case reflect.Struct:
		seen[t] = true
		defer delete(seen, t)
		s := &shape{fields: map[string]*shape{}}
		for k := range t.NumField() {
			f := t.Field(k)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			s.fields[name] = buildShape(f.Type, seen)
		}
		return s
	case reflect.Map, reflect.Array:
		if e := buildShape(t.Elem(), seen); e != nil {
			return &shape{elem: e}
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // []byte and json.RawMessage: any JSON, or a base64 string
		}
		if e := buildShape(t.Elem(), seen); e != nil {
			return &shape{elem: e}
		}
	}
	return nil
}

// member returns the shape of the value of member name in an object of
// shape s, or an error if s is a struct without a member of exactly that
// name.
func (s *shape) member(name []byte) (*shape, error) {
	if s == nil {
		return nil, nil
	}
	if s.fields == nil {
		return s.elem, nil
	}
	if v, ok := s.fields[string(name)]; ok {
		return v, nil
	}
	for f := range s.fields {
		if bytes.EqualFold([]byte(f), name) {
			return nil, errFieldName
		}
	}
	return nil, errUnknownName
}

// nameSet holds the member names of one open object. Ballots hold a few
// dozen names, so a slice of sub-slices of the body, compared bytewise,
// beats a map and allocates nothing for names without escapes; a map takes
// over for very large objects so that a hostile body cannot make the check
// quadratic.
type nameSet struct {
	object bool   // false for an array
	shape  *shape // of this object or array, nil if unconstrained
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
func checkUniqueNames(data []byte) error { return checkNames(data, nil) }

// checkNames is checkUniqueNames that also holds the objects of data to the
// exact member names of root, the shape of the value data decodes into, at
// every level: a name that differs from one of them only in letter case is
// errFieldName, any other name they lack is errUnknownName. It is one pass
// over the bytes, since it runs on every ballot.
func checkNames(data []byte, root *shape) error {
	var stack []*nameSet
	next := root // the shape of the value that starts at i
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
			s := &nameSet{object: true, shape: next}
			stack = append(stack, s)
			var err error
			if i, next, err = memberName(data, i, s); err != nil {
				return err
			}
			continue
		case '[':
			i = skipSpace(data, i+1)
			if i < len(data) && data[i] == ']' {
				i++
				break
			}
			s := &nameSet{shape: next}
			stack = append(stack, s)
			next = s.elemShape()
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
					if i, next, err = memberName(data, i, top); err != nil {
						return err
					}
				} else {
					next = top.elemShape()
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

// elemShape is the shape of the elements of an array of shape s.shape.
func (s *nameSet) elemShape() *shape {
	if s.shape == nil {
		return nil
	}
	return s.shape.elem
}

// memberName reads `"name" :` at i, records the name in s, checks it
// against s's shape and returns where the member's value starts and the
// shape of that value.
func memberName(data []byte, i int, s *nameSet) (int, *shape, error) {
	i = skipSpace(data, i)
	if i == len(data) || data[i] != '"' {
		return 0, nil, errJSONSyntax
	}
	end, plain, err := scanString(data, i)
	if err != nil {
		return 0, nil, err
	}
	name := data[i+1 : end-1]
	if !plain {
		// Escapes and invalid UTF-8 decode to other bytes (U+FFFD for
		// the latter); compare what the decoder will see.
		var decoded string
		if err := json.Unmarshal(data[i:end], &decoded); err != nil {
			return 0, nil, errJSONSyntax
		}
		name = []byte(decoded)
	}
	if s.add(name) {
		return 0, nil, errRepeatedName
	}
	value, err := s.shape.member(name)
	if err != nil {
		return 0, nil, err
	}
	i = skipSpace(data, end)
	if i == len(data) || data[i] != ':' {
		return 0, nil, errJSONSyntax
	}
	return i + 1, value, nil
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
