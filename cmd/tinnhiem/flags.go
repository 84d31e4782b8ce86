package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"

	"tinnhiem/cmd/internal/cli"
)

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
	pos, err := cli.Parse(f.FlagSet, args)
	if err != nil {
		return nil, err
	}
	if f.db != nil && *f.db == "" {
		return nil, cli.Usagef("--db FILE is required")
	}
	if f.session != nil && *f.session == "" {
		return nil, cli.Usagef("--session ID is required")
	}
	return pos, nil
}

// installation returns the files of the installation named by --db and
// --key; without --key, the key is the one beside the database.
func (f *flags) installation() installation { return newInstallation(*f.db, *f.key) }

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

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
