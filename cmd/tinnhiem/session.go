package main

import (
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/internal/msg"
)

// withService parses a command's flags, opens the service and runs fn.
func withService(f *flags, args []string, fn func(svc *ballot.Service, pos []string) error) error {
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	svc, closeStore, err := openService(f)
	if err != nil {
		return err
	}
	defer closeStore()
	return fn(svc, pos)
}

func cmdSessionCreate(e *env, args []string) error {
	f := newFlags("session create", true, false)
	title := f.String("title", "", "meeting title")
	body := f.String("body", "", "the body holding the vote")
	date := f.String("date", "", "date YYYY-MM-DD")
	place := f.String("place", "", "place")
	rules := f.String("rules", "", "rule set: qd96, nq96 or nq85 (default: qd96; nq96 with --kind bo-phieu)")
	voteKind := f.String("kind", "lay-phieu", "lay-phieu (confidence rating, three levels) or bo-phieu (formal vote of confidence, two options; nq96 or nq85, not a Party body)")
	org := f.String("org", "", "organisation `NAME` (see org list; default: the default organisation)")
	kind := f.String("body-kind", "", "form of the documents: dang, hdnd, quochoi or nhanuoc (default: dang for qd96, hdnd for nq96 and nq85)")
	superior := f.String("superior", "", "the body directly above --body, printed above it in the documents' header")
	number := f.String("number", "", "number and symbol of the minutes, e.g. 12-BB/ĐU or 05/BB-HĐND (default: blank, filled in by hand)")
	locality := f.String("locality", "", "locality of the place-and-date line, e.g. Bắc Ninh (default: blank, filled in by hand)")
	copies := f.Int("copies", 0, "originals of the minutes made (default: blank, filled in by hand)")
	threshold := f.Int("threshold", 0, "how many of the counting committee's members decrypt the result (default: a majority)")
	clear := f.Bool("clear", false, "the older mode: ballots stored as marks, not encrypted on the phones")
	paperConfirm := f.Int("paper-confirmations", 0, "committee members who enter each paper ballot: 1 or 2 (default 2)")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if *clear && *threshold != 0 {
			return cli.Usagef("--threshold applies to an encrypted session; leave it out with --clear")
		}
		sess, err := svc.CreateSessionIn(e.ctx, cliActor(), ballot.NewSession{
			Org: *org, Title: *title, Body: *body, Date: *date, Place: *place, Rules: ballot.Rules(*rules),
			Kind: cliKind(*voteKind), BodyKind: *kind, Superior: *superior, Number: *number, Locality: *locality, Copies: *copies,
			Encrypted: !*clear, Threshold: *threshold, PaperConfirmations: *paperConfirm,
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, sess.ID)
		return nil
	})
}

// cliKind maps --kind to a session kind: the Vietnamese words of the
// command line or the codes of the log; anything else goes to the service
// as it is, which refuses it with its bilingual sentence.
func cliKind(s string) ballot.Kind {
	switch s {
	case "", "lay-phieu", "rating":
		return ballot.Rating
	case "bo-phieu", "formal":
		return ballot.Formal
	}
	return ballot.Kind(s)
}

func cmdSessionList(e *env, args []string) error {
	f := newFlags("session list", true, false)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		list, err := svc.Sessions(e.ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNGÀY/DATE\tTRẠNG THÁI/STATE\tQUY ĐỊNH/RULES\tTÊN/TITLE")
		for _, s := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.ID, displayDate(s.Date), s.State, s.Rules, s.Title)
		}
		return w.Flush()
	})
}

func cmdSessionShow(e *env, args []string) error {
	f := newFlags("session show", true, true)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		s, err := svc.Session(e.ctx, *f.session)
		if err != nil {
			return err
		}
		a, err := svc.Attendance(e.ctx, s.ID)
		if err != nil {
			return err
		}
		c, err := svc.Turnout(e.ctx, s.ID)
		if err != nil {
			return err
		}
		cadres, err := svc.Cadres(e.ctx, s.ID)
		if err != nil {
			return err
		}
		quorum := "không đủ / not met"
		if a.QuorumMet() {
			quorum = "đủ / met"
		}
		fmt.Fprintf(e.stdout, "%s — %s\n%s\n%s, %s\n", s.ID, s.Title, s.Body, s.Place, displayDate(s.Date))
		fmt.Fprintf(e.stdout, "trạng thái / state: %s (%s)\nhình thức / kind: %s / %s\nquy định / rules: %s (%s)\n",
			s.State.Vietnamese(), s.State, s.Kind().Vietnamese(), s.Kind().English(), s.Rules.Title(), s.Rules)
		fmt.Fprintf(e.stdout, "triệu tập / summoned: %d, có mặt / present: %d, 2/3: %s\n", a.Summoned, a.Present, quorum)
		fmt.Fprintf(e.stdout, "thẻ / cards: %d phát hành / issued, %d đã dùng / used, %d thu hồi / revoked, %d còn lại / remaining\n",
			c.Issued, c.Used, c.Revoked, c.Remaining())
		// Before opening, the figures as they stand; after, as the log
		// recorded them at opening, which is what the minutes print.
		excess, atOpening := ballot.CardExcess{Cards: c.Valid(), Present: a.Present}, false
		if s.State != ballot.Draft {
			o, err := svc.Opening(e.ctx, s.ID)
			if err != nil {
				return err
			}
			if o != nil {
				excess, atOpening = ballot.OpeningExcess(*o), true
			}
		}
		if excess.Exceeded() {
			printExcess(e, atOpening, excess)
		}
		fmt.Fprintf(e.stdout, "người được lấy phiếu / cadres: %d\n", len(cadres))
		for i, cd := range cadres {
			fmt.Fprintf(e.stdout, "  %d. %s — %s\n", i+1, cd.Name, cd.Position)
		}
		if len(s.Committee) > 0 {
			fmt.Fprintf(e.stdout, "Ban kiểm phiếu / counting committee: %v\n", s.Committee)
		}
		if s.CommitteeHead != "" {
			fmt.Fprintf(e.stdout, "Trưởng ban / head: %s\n", s.CommitteeHead)
		}
		if s.Chair != "" || s.Secretary != "" {
			fmt.Fprintf(e.stdout, "Chủ tọa / chair: %s; thư ký / secretary: %s\n", s.Chair, s.Secretary)
		}
		return nil
	})
}

func cmdSessionCommittee(e *env, args []string) error {
	f := newFlags("session committee", true, true)
	var members cli.StringList
	f.Var(&members, "member", "full name of a committee member (repeat)")
	head := f.String("head", "", "the member who heads the committee (default: the first --member)")
	chair := f.String("chair", "", "who chairs the meeting, named in the minutes")
	secretary := f.String("secretary", "", "who keeps the minutes of the meeting")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if len(members) == 0 {
			return cli.Usagef("name the committee with --member \"Full Name\" (repeat for each member)")
		}
		o := ballot.Officers{Committee: members, Head: *head, Chair: *chair, Secretary: *secretary}
		if err := svc.SetOfficers(e.ctx, cliActor(), *f.session, o); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Ban kiểm phiếu / counting committee: %s\n", plural(len(members), "member", "members"))
		return nil
	})
}

func cmdSessionOpen(e *env, args []string) error {
	f := newFlags("session open", true, true)
	override := f.Bool("override-quorum", false, "open although fewer than 2/3 are present")
	reason := f.String("reason", "", "why the quorum is overridden (logged)")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if *override && *reason == "" {
			return cli.Usagef("--override-quorum needs --reason TEXT, which is written to the audit log")
		}
		if err := svc.Open(e.ctx, cliActor(), *f.session, *override, *reason); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã mở phiên bỏ phiếu / the vote is open: %s\n", *f.session)
		o, err := svc.Opening(e.ctx, *f.session)
		if err != nil {
			return err
		}
		if o != nil && ballot.OpeningExcess(*o).Exceeded() {
			printExcess(e, false, ballot.OpeningExcess(*o))
		}
		return nil
	})
}

// printExcess warns that more cards can vote than members are present, in
// both languages, with what the counting committee must then do; atOpening
// says the figures are the ones the log recorded when the vote opened.
func printExcess(e *env, atOpening bool, x ballot.CardExcess) {
	when := ""
	if atOpening {
		when = " (khi mở phiên / at opening)"
	}
	vi, en := msg.Text("card_excess", x.Args())
	fmt.Fprintf(e.stdout, "%s / %s%s\n", vi, en, when)
	fmt.Fprintln(e.stdout, "  Ban kiểm phiếu giữ các thẻ thừa và thu hồi thẻ chưa dùng trước khi đóng phiên"+
		" / the counting committee keeps the extra cards and revokes those unused before closing (tokens revoke)")
}

func cmdSessionClose(e *env, args []string) error {
	f := newFlags("session close", true, true)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		svc.OnWarning = func(err error) { fmt.Fprintf(e.stderr, "tinnhiem: warning: %v\n", err) }
		if err := svc.Close(e.ctx, cliActor(), *f.session); err != nil {
			return err
		}
		c, err := svc.Turnout(e.ctx, *f.session)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã đóng phiên bỏ phiếu / the vote is closed: %d phiếu thu về / ballots collected of %d phát ra / issued\n",
			c.Used, c.Valid())
		return nil
	})
}

// importCSV imports one roster or cadre file, CSV or XLSX (ballot.ParseRoster
// tells them apart by content), and changes nothing when the file is refused.
func importCSV(e *env, args []string, name string, apply func(svc *ballot.Service, session string, file *os.File) (int, error)) error {
	f := newFlags(name, true, true)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("give exactly one CSV or XLSX file")
		}
		file, err := os.Open(pos[0])
		if err != nil {
			return fmt.Errorf("failed to open %s: %w", pos[0], err)
		}
		defer file.Close()
		n, err := apply(svc, *f.session, file)
		if err != nil {
			var be *ballot.Error
			if errors.As(err, &be) && be.Code == ballot.EInvalid {
				return fmt.Errorf("%s: %w (nothing was imported)", pos[0], err)
			}
			return err
		}
		fmt.Fprintf(e.stdout, "Đã nhập / imported %d\n", n)
		return nil
	})
}

func cmdRosterImport(e *env, args []string) error {
	return importCSV(e, args, "roster import", func(svc *ballot.Service, id string, file *os.File) (int, error) {
		ms, err := ballot.ParseRoster(file)
		if err != nil {
			return 0, err
		}
		return len(ms), svc.ImportRoster(e.ctx, cliActor(), id, ms)
	})
}

func cmdCadresImport(e *env, args []string) error {
	return importCSV(e, args, "cadres import", func(svc *ballot.Service, id string, file *os.File) (int, error) {
		cs, err := ballot.ParseCadres(file)
		if err != nil {
			return 0, err
		}
		return len(cs), svc.ImportCadres(e.ctx, cliActor(), id, cs)
	})
}

func cmdCheckin(e *env, args []string) error {
	f := newFlags("checkin", true, true)
	all := f.Bool("all", false, "check in every member of the roster")
	var members cli.StringList
	f.Var(&members, "member", "full name of a member present (repeat)")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if *all == (len(members) > 0) {
			return cli.Usagef("give either --all or one or more --member \"Full Name\"")
		}
		a, err := svc.CheckIn(e.ctx, cliActor(), *f.session, members, *all)
		if err != nil {
			return err
		}
		quorum := "không đủ số lượng tối thiểu / quorum not met"
		if a.QuorumMet() {
			quorum = "đủ số lượng tối thiểu / quorum met"
		}
		fmt.Fprintf(e.stdout, "có mặt / present: %d/%d — %s (2/3)\n", a.Present, a.Summoned, quorum)
		return nil
	})
}

func cmdCheckout(e *env, args []string) error {
	f := newFlags("checkout", true, true)
	var members cli.StringList
	f.Var(&members, "member", "full name of a member who leaves (repeat)")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if len(members) == 0 {
			return cli.Usagef("name who leaves with --member \"Full Name\" (repeat for each)")
		}
		a, err := svc.CheckOut(e.ctx, cliActor(), *f.session, members)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "có mặt / present: %d/%d\n", a.Present, a.Summoned)
		return nil
	})
}

// displayDate shows a YYYY-MM-DD date as dd/mm/yyyy for people; anything
// else as it is.
func displayDate(d string) string {
	if t, err := time.Parse(time.DateOnly, d); err == nil {
		return t.Format("02/01/2006")
	}
	return d
}
