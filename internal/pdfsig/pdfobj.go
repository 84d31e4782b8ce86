package pdfsig

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/digitorus/pdf"
)

// TextString encodes s as a PDF text string (ISO 32000-1 7.9.2.2): plain
// ASCII as an escaped literal, anything else as UTF-16BE with a byte-order
// mark written in hexadecimal. Hex leaves no byte for a PDF reader to
// misparse: a literal string of raw UTF-16 (as pdfsign writes it) breaks on
// any code unit holding 0x28, 0x29, 0x5C or 0x0D — "ĩ" is U+0129 — which
// is why the signature fields used to be ASCII only.
func TextString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 {
			ascii = false
			break
		}
	}
	if ascii {
		r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
		return "(" + r.Replace(s) + ")"
	}
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2, 2+2*len(units))
	b[0], b[1] = 0xFE, 0xFF
	for _, u := range units {
		b = append(b, byte(u>>8), byte(u))
	}
	return "<" + strings.ToUpper(hex.EncodeToString(b)) + ">"
}

// dateString formats t as a PDF date (7.9.4) in its own zone.
func dateString(t time.Time) string {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("(D:%s%c%02d'%02d')", t.Format("20060102150405"), sign, off/3600, off%3600/60)
}

// writeName writes a PDF name, escaping every byte outside the regular
// characters as #xx (7.3.5).
func writeName(b *bytes.Buffer, n string) {
	b.WriteByte('/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("#()<>[]{}/%", c) >= 0 {
			fmt.Fprintf(b, "#%02X", c)
			continue
		}
		b.WriteByte(c)
	}
}

// writeValue serialises v, a value read from an object numbered owner:
// every value that the reader resolved from another object is written as a
// reference to it, so that copying a dictionary never inlines (or loses)
// the objects it points to.
func writeValue(b *bytes.Buffer, owner uint32, v pdf.Value) error {
	if id, gen := ref(v); id != owner {
		fmt.Fprintf(b, "%d %d R", id, gen)
		return nil
	}
	switch v.Kind() {
	case pdf.Null:
		b.WriteString("null")
	case pdf.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case pdf.Integer:
		b.WriteString(strconv.FormatInt(v.Int64(), 10))
	case pdf.Real:
		b.WriteString(strconv.FormatFloat(v.Float64(), 'f', -1, 64))
	case pdf.String:
		b.WriteString("<" + hex.EncodeToString([]byte(v.RawString())) + ">")
	case pdf.Name:
		writeName(b, v.Name())
	case pdf.Array:
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			if err := writeValue(b, owner, v.Index(i)); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case pdf.Dict:
		b.WriteString("<<")
		for _, k := range v.Keys() {
			writeName(b, k)
			b.WriteByte(' ')
			if err := writeValue(b, owner, v.Key(k)); err != nil {
				return err
			}
			b.WriteByte('\n')
		}
		b.WriteString(">>")
	default:
		return fmt.Errorf("a direct %v cannot be copied", v.Kind())
	}
	return nil
}

// writeDictExcept writes the dictionary v (object owner) without the keys in
// skip, leaving it open so that the caller can add its own entries.
func writeDictExcept(b *bytes.Buffer, owner uint32, v pdf.Value, skip ...string) error {
	b.WriteString("<<\n")
	for _, k := range v.Keys() {
		if contains(skip, k) {
			continue
		}
		writeName(b, k)
		b.WriteByte(' ')
		if err := writeValue(b, owner, v.Key(k)); err != nil {
			return fmt.Errorf("/%s: %w", k, err)
		}
		b.WriteByte('\n')
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ref returns the number and generation of the object v was read from.
func ref(v pdf.Value) (id uint32, gen uint16) {
	p := v.GetPtr()
	return p.GetID(), p.GetGen()
}

// objID returns the number of the object v was read from.
func objID(v pdf.Value) uint32 {
	id, _ := ref(v)
	return id
}
