// Command tinnhiem-verify checks a tinnhiem verification bundle offline: the
// audit log's hash chain, the signed checkpoints, the order of the vote,
// the recounted tally and the signed documents. It needs no network, no
// database and no trust in the server, and builds without cgo for Linux,
// Windows and macOS so that an inspector can run it on their own laptop.
//
// Usage:
//
//	tinnhiem-verify [--key PUBKEY] [--json] BUNDLE
//	tinnhiem-verify receipt --receipt R [--key PUBKEY] BUNDLE
//	tinnhiem-verify extends [--key PUBKEY] OLD NEW
//	tinnhiem-verify keygen --key FILE [--name NAME]
//	tinnhiem-verify cosign --key FILE [--out FILE] CHECKPOINT
//	tinnhiem-verify trustee round1|round2|round3|result|key|decrypt|combine …
//
// BUNDLE is a .zip file or a directory. Exit status: 0 when every check
// holds, 1 when one fails or the bundle cannot be read, 2 on a usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError marks a mistake in how the command was called; it exits 2. usage, when set, is the usage line to
// show instead of the command's (a trustee subcommand's own).
type usageError struct{ msg, usage string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// failed marks an outcome already printed (a check that failed, a receipt
// not found): exit 1 with nothing more to say.
var errFailed = errors.New("verification failed")

type command struct {
	name  string
	usage string
	run   func(args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"receipt", "receipt --receipt R [--key PUBKEY] BUNDLE", cmdReceipt},
	{"extends", "extends [--key PUBKEY] OLD NEW", cmdExtends},
	{"keygen", "keygen --key FILE [--name NAME]", cmdKeygen},
	{"cosign", "cosign --key FILE [--out FILE] CHECKPOINT", cmdCosign},
	{"trustee", trusteeUsage, cmdTrustee},
}

const verifyUsage = "[--key PUBKEY] [--json] BUNDLE"

// Main runs tinnhiem-verify with args (without the program name) and
// returns the exit status; tests call it directly.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd := command{"", verifyUsage, cmdVerify}
	for _, c := range commands {
		if c.name == args[0] {
			cmd, args = c, args[1:]
			break
		}
	}
	err := cmd.run(args, stdout, stderr)
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		usage := strings.TrimSpace(cmd.usage) // each usage line starts with its command
		if ue.usage != "" {
			usage = ue.usage
		}
		fmt.Fprintf(stderr, "tinnhiem-verify: error: %s\n", ue.msg)
		fmt.Fprintf(stderr, "tinnhiem-verify: hint: usage: tinnhiem-verify %s\n", usage)
		return 2
	case errors.Is(err, errFailed):
		return 1
	default:
		fmt.Fprintf(stderr, "tinnhiem-verify: error: %v\n", err)
		var h interface{ Hint() string }
		if errors.As(err, &h) && h.Hint() != "" {
			fmt.Fprintf(stderr, "tinnhiem-verify: hint: %s\n", h.Hint())
		}
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "tinnhiem-verify — kiểm tra hồ sơ bỏ phiếu tín nhiệm / verify a confidence-vote bundle offline")
	fmt.Fprintln(w, "\nUsage:")
	fmt.Fprintf(w, "  tinnhiem-verify %s\n", verifyUsage)
	for _, c := range commands {
		if c.name == "trustee" {
			c.usage += "   (Ban kiểm phiếu / the counting committee: tinnhiem-verify trustee help)"
		}
		fmt.Fprintf(w, "  tinnhiem-verify %s\n", c.usage)
	}
	fmt.Fprintln(w, "\nBUNDLE is a .zip file or a directory. PUBKEY is a verifier key (tinnhiem+…), a file holding one, or a signify .pub file.")
	fmt.Fprintln(w, "Exit status: 0 every check holds, 1 a check failed, 2 usage error.")
}

// parseFlags parses args with fs, allowing flags after positional
// arguments, and checks the number of positional arguments.
func parseFlags(fs *flag.FlagSet, args []string, npos int) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) != npos {
		return nil, usagef("want %d argument(s), got %d", npos, len(pos))
	}
	return pos, nil
}
