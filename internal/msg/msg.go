// Package msg is the message catalog: it turns the reason and details of a
// *ballot.Error (its Key, Args and Problems) into a sentence in Vietnamese
// and one in English. The domain writes no sentence for people; web puts
// these on pages and in the API's message and message_en, and cmd on the
// command line. It lives under internal so that both can import it while
// ballot, which it reads, never depends on it.
package msg

import (
	"errors"
	"fmt"
	"strings"

	"tinnhiem/ballot"
)

// text is one entry: a Vietnamese and an English template. In a template
// {name} is replaced by the argument name, {name|q} by it in Go quotes and
// {name|lower} by it in lower case; {line} is a problem's line number and
// {err} the error's wrapped cause.
type text struct{ vi, en string }

// Has reports whether the catalog has sentences for key, refined by
// variant when it is not empty. A key of a problem in an imported file is
// looked up with the prefix "csv.".
func Has(key, variant string) bool {
	_, ok := catalog[lookupKey(key, variant)]
	return ok
}

// Keys returns every key of the catalog, refined ones as "key.variant".
func Keys() []string {
	keys := make([]string, 0, len(catalog))
	for k := range catalog {
		keys = append(keys, k)
	}
	return keys
}

func lookupKey(key, variant string) string {
	if variant != "" {
		return key + "." + variant
	}
	return key
}

// Render returns the Vietnamese and English sentences for err, which is or
// wraps a *ballot.Error; ok is false when err holds none or the catalog has
// no entry for its Key (then the caller uses its own generic sentence).
// For "csv_invalid" the sentences list every problem by line, as the
// import preview and the CLI show them.
func Render(err error) (vi, en string, ok bool) {
	var e *ballot.Error
	if !errors.As(err, &e) || e.Key == "" {
		return "", "", false
	}
	if e.Key == "csv_invalid" && len(e.Problems) > 0 {
		vis, ens := make([]string, 0, len(e.Problems)+1), make([]string, 0, len(e.Problems)+1)
		for _, p := range e.Problems {
			t, ok := catalog[lookupKey("csv."+p.Key, variant(p.Args))]
			if !ok {
				return "", "", false
			}
			vis, ens = append(vis, fill(t.vi, p.Args, p.Line, nil)), append(ens, fill(t.en, p.Args, p.Line, nil))
		}
		vi, en = strings.Join(vis, " "), strings.Join(ens, "; ")
		if sheet, ok := e.Args["sheet"]; ok {
			// Row numbers of a workbook are of the sheet that holds the
			// list, which is not the first tab the organiser sees.
			vi, en = fmt.Sprintf("Trang tính “%v”: %s", sheet, vi), fmt.Sprintf("sheet '%v': %s", sheet, en)
		}
		if n, stopped := e.Args["stopped"]; stopped {
			vi += fmt.Sprintf(" Đã dừng sau %v lỗi; có thể còn lỗi khác.", n)
			en += fmt.Sprintf("; stopped after %v problems, there may be more", n)
		}
		return vi, en, true
	}
	t, found := catalog[lookupKey(e.Key, variant(e.Args))]
	if !found {
		return "", "", false
	}
	return fill(t.vi, e.Args, 0, e.Err), fill(t.en, e.Args, 0, e.Err), true
}

// Text returns the Vietnamese and English sentences of a catalog entry
// that is not an error (a warning such as "card_excess"), filled with
// args. It panics on a key the catalog lacks: callers name their keys in
// code, and a missing one is a broken build, which the tests catch.
func Text(key string, args ballot.Args) (vi, en string) {
	t, ok := catalog[lookupKey(key, variant(args))]
	if !ok {
		panic("msg: no catalog entry " + key)
	}
	return fill(t.vi, args, 0, nil), fill(t.en, args, 0, nil)
}

func variant(args ballot.Args) string {
	v, _ := args["variant"].(string)
	return v
}

// fill replaces the placeholders of tmpl. A placeholder without an
// argument is left as it is, so that a missing detail shows instead of
// vanishing.
func fill(tmpl string, args ballot.Args, line int, cause error) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		name, filter, _ := strings.Cut(tmpl[i+1:i+j], "|")
		var v any
		var have bool
		switch name {
		case "line":
			// A file's problems carry their line apart; an error about one
			// line of a ballot carries it among its details.
			if l, ok := args["line"]; ok {
				v, have = l, true
			} else {
				v, have = line, true
			}
		case "err":
			if cause != nil {
				v, have = cause.Error(), true
			} else {
				v, have = args["err"]
			}
		default:
			v, have = args[name]
		}
		switch {
		case !have:
			b.WriteString(tmpl[i : i+j+1])
		case filter == "q":
			fmt.Fprintf(&b, "%q", fmt.Sprint(v))
		case filter == "lower":
			b.WriteString(strings.ToLower(fmt.Sprint(v)))
		default:
			fmt.Fprint(&b, v)
		}
		tmpl = tmpl[i+j+1:]
	}
}
