package cli

import (
	"flag"
	"io"
	"strings"
)

// Parse parses args with fs and returns the positional arguments. Unlike
// fs.Parse it accepts flags after positional arguments too ("tally
// --session S FILE --db D"), since people type options in any order; a bad
// flag is a *UsageError, and fs prints nothing of its own.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, Usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// NoArgs returns a *UsageError naming the first of pos, or nil when a
// command that takes no positional argument was given none.
func NoArgs(pos []string) error {
	if len(pos) > 0 {
		return Usagef("unexpected argument %q", pos[0])
	}
	return nil
}

// StringList is a flag that may be repeated (--member A --member B); each
// use appends its value.
type StringList []string

// String returns the values joined by ", ".
func (l *StringList) String() string { return strings.Join(*l, ", ") }

// Set appends v; it never fails.
func (l *StringList) Set(v string) error { *l = append(*l, v); return nil }
