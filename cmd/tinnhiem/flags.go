package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
)

// stringList collects a repeated flag such as --member.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// flags wraps flag.FlagSet with the options shared by every database
// command and parsing that lets flags follow positional arguments.
type flags struct {
	*flag.FlagSet
	db      *string
	key     *string
	session *string
}

func newFlags(name string, withDB, withSession bool) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &flags{FlagSet: fs}
	if withDB {
		f.db = fs.String("db", "", "SQLite database `FILE`")
		f.key = fs.String("key", "", "installation key `FILE` (default: beside the database)")
	}
	if withSession {
		f.session = fs.String("session", "", "session `ID`")
	}
	return f
}

// parse parses args, allowing flags before and after positional arguments,
// and checks that the required options are present.
func (f *flags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			return nil, usagef("%v", err)
		}
		args = f.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if f.db != nil && *f.db == "" {
		return nil, usagef("--db FILE is required")
	}
	if f.session != nil && *f.session == "" {
		return nil, usagef("--session ID is required")
	}
	return pos, nil
}

// keyPath returns --key or, by default, the key file beside the database:
// votes.db uses votes.key.
func (f *flags) keyPath() string {
	if *f.key != "" {
		return *f.key
	}
	return defaultKeyPath(*f.db)
}

func defaultKeyPath(db string) string {
	return strings.TrimSuffix(db, filepath.Ext(db)) + ".key"
}

// cliActor names the person acting from the command line in the audit log.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	if n := os.Getenv("USER"); n != "" {
		return "cli:" + n
	}
	return "cli"
}

func requireNoArgs(pos []string) error {
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
