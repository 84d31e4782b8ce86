package main

import (
	"fmt"
	"text/tabwriter"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
)

func cmdLogShow(e *env, args []string) error {
	f := newFlags("log show", true, true)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		entries, cps, err := svc.Log(e.ctx, *f.session)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SEQ\tTIME\tTYPE\tACTOR\tHASH")
		for _, en := range entries {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", en.Seq, en.Time, en.Type, en.Actor, en.Hash.String()[:16])
		}
		if err := w.Flush(); err != nil {
			return err
		}
		for _, cp := range cps {
			fmt.Fprintf(e.stdout, "\nĐiểm kiểm tra có chữ ký / signed checkpoint at %d:\n%s", cp.Size, cp.Note)
		}
		return nil
	})
}

func cmdLogVerify(e *env, args []string) error {
	f := newFlags("log verify", true, false)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if err := svc.VerifyLogs(e.ctx); err != nil {
			return cli.WithHint(err, "the database was changed outside tinnhiem; keep a copy and call the inspectors")
		}
		fmt.Fprintf(e.stdout, "✓ nhật ký kiểm toán toàn vẹn / audit logs verify (key %s)\n", audit.Fingerprint(svc.Key().VerifierKey()))
		return nil
	})
}
