package main

import (
	"fmt"
	"text/tabwriter"

	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
)

func init() {
	register(
		command{"org add", "org add --db FILE --name \"Organisation name\"", cmdOrgAdd},
		command{"org list", "org list --db FILE", cmdOrgList},
	)
}

func cmdOrgAdd(e *env, args []string) error {
	f := newFlags("org add", true, false)
	name := f.String("name", "", "the organisation's full `NAME`, as reports print it")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if *name == "" {
			return cli.Usagef("--name \"Organisation name\" is required")
		}
		o, err := svc.AddOrg(e.ctx, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã thêm tổ chức / organisation added: %s\n", o.Name)
		return nil
	})
}

func cmdOrgList(e *env, args []string) error {
	f := newFlags("org list", true, false)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		orgs, err := svc.Organisations(e.ctx)
		if err != nil {
			return err
		}
		sessions, err := svc.Sessions(e.ctx)
		if err != nil {
			return err
		}
		count := map[string]int{}
		for _, s := range sessions {
			count[s.Org]++
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "PHIÊN/SESSIONS\tTỔ CHỨC/ORGANISATION")
		for _, o := range orgs {
			fmt.Fprintf(w, "%d\t%s\n", count[o.Name], o.Label())
		}
		return w.Flush()
	})
}
