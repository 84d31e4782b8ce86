package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
)

func init() {
	register(
		command{"admin add", "admin add --db FILE USER --role admin|organiser|inspector [--org NAME …] [--session ID …] [--password-stdin]", cmdAdminAdd},
		command{"admin list", "admin list --db FILE", cmdAdminList},
	)
}

func cmdAdminAdd(e *env, args []string) error {
	f := newFlags("admin add", true, false)
	role := f.String("role", "", "admin, organiser or inspector")
	var orgs, sessions cli.StringList
	f.Var(&orgs, "org", "organisation `NAME` an organiser runs (repeat for several)")
	f.Var(&sessions, "session", "session `ID` an inspector reads (repeat for several)")
	fromStdin := f.Bool("password-stdin", false, "read the password from the first line of standard input")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("give exactly one account name")
		}
		if *role == "" {
			return cli.Usagef("--role admin|organiser|inspector is required")
		}
		r, err := ballot.ParseRole(*role)
		if err != nil {
			return err
		}
		password, err := readNewPassword(e, *fromStdin)
		if err != nil {
			return err
		}
		a, err := svc.AddAccount(e.ctx, ballot.NewAccount{Name: pos[0], Role: r, Password: password, Orgs: orgs, Sessions: sessions})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã tạo tài khoản / account created: %s (%s)\n", a.Name, a.Role)
		return nil
	})
}

// readNewPassword reads the password from the first line of standard input
// with --password-stdin, or asks for it twice without echo on a terminal.
// It never takes a password from the command line, where other users of
// the machine and the shell's history would see it.
func readNewPassword(e *env, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(e.stdin, ballot.MaxPasswordLength+2)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("failed to read the password: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	in, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return "", cli.Usagef("standard input is not a terminal: pipe the password in with --password-stdin")
	}
	fmt.Fprint(e.stderr, "Mật khẩu / password: ")
	first, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("failed to read the password: %w", err)
	}
	fmt.Fprint(e.stderr, "Nhập lại / again: ")
	second, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("failed to read the password: %w", err)
	}
	if string(first) != string(second) {
		return "", fmt.Errorf("the two passwords differ; nothing was created")
	}
	return string(first), nil
}

func cmdAdminList(e *env, args []string) error {
	f := newFlags("admin list", true, false)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		accounts, err := svc.Accounts(e.ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "TÀI KHOẢN/ACCOUNT\tVAI TRÒ/ROLE\tPHẠM VI/SCOPE")
		for _, a := range accounts {
			scope := "-"
			switch a.Role {
			case ballot.RoleOrganiser:
				labels := make([]string, len(a.Orgs))
				for i, o := range a.Orgs {
					labels[i] = ballot.Organisation{Name: o}.Label()
				}
				scope = strings.Join(labels, "; ")
			case ballot.RoleInspector:
				scope = strings.Join(a.Sessions, ", ")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", a.Name, a.Role, scope)
		}
		return w.Flush()
	})
}
