// Command tinnhiem runs confidence votes: it serves the voters' ballot pages
// and gives organisers the commands that prepare, open, close and count a
// vote session, all against one SQLite file.
//
// Run "tinnhiem help" for the commands; README.md shows a whole vote.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"tinnhiem/cmd/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageVietnamese opens the error line of a usage error; the English
// message says what was wrong and the hint how to call the command.
const usageVietnamese = "Gọi lệnh chưa đúng cách"

// env is what a command reads and writes besides its arguments.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand. Each file registers its own commands in an
// init function, so adding a command touches only the file that holds it.
type command struct {
	name  string
	usage string
	run   func(e *env, args []string) error
}

var commands []command

// register adds commands to the command line. Help lists them in
// registration order within each file and files in name order.
func register(cs ...command) { commands = append(commands, cs...) }

func init() {
	register(
		command{"keygen", "keygen --key FILE", cmdKeygen},
		command{"session create", "session create --db FILE --title T --body B --date YYYY-MM-DD --place P [--rules qd96|nq96|nq85] [--body-kind dang|hdnd|quochoi|nhanuoc] [--superior S] [--number N] [--locality L] [--copies N] [--threshold T | --clear]", cmdSessionCreate},
		command{"session list", "session list --db FILE", cmdSessionList},
		command{"session show", "session show --db FILE --session ID", cmdSessionShow},
		command{"session committee", "session committee --db FILE --session ID --member \"Full Name\" … [--head NAME] [--chair NAME] [--secretary NAME]", cmdSessionCommittee},
		command{"session open", "session open --db FILE --session ID [--override-quorum --reason TEXT]", cmdSessionOpen},
		command{"session close", "session close --db FILE --session ID", cmdSessionClose},
		command{"roster import", "roster import --db FILE --session ID FILE.csv|FILE.xlsx", cmdRosterImport},
		command{"cadres import", "cadres import --db FILE --session ID FILE.csv|FILE.xlsx", cmdCadresImport},
		command{"checkin", "checkin --db FILE --session ID (--all | --member \"Full Name\" …)", cmdCheckin},
		command{"checkout", "checkout --db FILE --session ID --member \"Full Name\" …", cmdCheckout},
		command{"tokens issue", "tokens issue --db FILE --session ID (--count N | --paper N) --out FILE.pdf [--base-url URL]", cmdTokensIssue},
		command{"tokens revoke", "tokens revoke --db FILE --session ID [--reason TEXT] CODE", cmdTokensRevoke},
		command{"log show", "log show --db FILE --session ID", cmdLogShow},
		command{"log verify", "log verify --db FILE", cmdLogVerify},
		command{"serve", "serve --db FILE --addr 127.0.0.1:8080 [--base-url URL] [--key FILE] [--tsa URL] [--pkcs11-module FILE --token-label L --pin-file FILE | --p12 FILE …]", cmdServe},
		command{"demo", "demo [--addr ADDR] [--dir DIR] [--clear]", cmdDemo},
	)
}

// Main runs the tinnhiem command line with args (without the program name)
// and returns the exit status: 0 on success, 1 on an error, 2 on a usage
// error. End-to-end tests call it directly.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, rest := lookup(args)
	if cmd == nil {
		fmt.Fprintf(stderr, "tinnhiem: error: không có lệnh %q / unknown command %q\n", args[0], args[0])
		fmt.Fprintf(stderr, "tinnhiem: hint: run \"tinnhiem help\" for the list of commands\n")
		return 2
	}
	err := cmd.run(e, rest)
	if err == nil {
		return 0
	}
	var ue *cli.UsageError
	if errors.As(err, &ue) {
		ue.Msg = usageVietnamese + " / " + ue.Msg
		return cli.Report(stderr, "tinnhiem", err, cmd.usage)
	}
	// The error line is Vietnamese first, then English; a hint attached on
	// the way up wins over the one the domain error's key calls for.
	hint := cli.HintOf(err)
	if hint == "" {
		hint = domainHint(err, scanFlags(rest))
	}
	err = errors.New(bilingual(err))
	if hint != "" {
		err = cli.WithHint(err, hint)
	}
	return cli.Report(stderr, "tinnhiem", err, cmd.usage)
}

func lookup(args []string) (*command, []string) {
	for i := range commands {
		c := &commands[i]
		if len(args) >= 2 && c.name == args[0]+" "+args[1] {
			return c, args[2:]
		}
	}
	for i := range commands {
		if commands[i].name == args[0] {
			return &commands[i], args[1:]
		}
	}
	return nil, nil
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "tinnhiem — lấy phiếu tín nhiệm bằng thẻ QR dùng một lần / confidence votes with one-time QR cards")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  tinnhiem %s\n", c.usage)
	}
	fmt.Fprintln(w, "\nEvery command that takes --db also takes --key FILE (default: the .key file beside the database).")
}
