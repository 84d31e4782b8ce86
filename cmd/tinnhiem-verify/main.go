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
//	tinnhiem-verify benaloh [--result FILE | --bundle BUNDLE] AUDIT-FILE
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

	"tinnhiem/cmd/internal/cli"
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// errFailed marks an outcome already printed (a check that failed, a receipt
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
	{"benaloh", benalohUsage, cmdBenaloh},
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
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errFailed):
		return 1
	default:
		return cli.Report(stderr, "tinnhiem-verify", err, strings.TrimSpace(cmd.usage)) // each usage line starts with its command
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
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != npos {
		return nil, cli.Usagef("want %d argument(s), got %d", npos, len(pos))
	}
	return pos, nil
}
