package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/web"
)

func cmdTokensIssue(e *env, args []string) error {
	f := newFlags("tokens issue", true, true)
	count := f.Int("count", 0, "number of cards")
	paper := f.Int("paper", 0, "number of paper ballots (`N`) for members without a phone, instead of cards (encrypted sessions)")
	out := f.String("out", "", "cards PDF `FILE` to write")
	baseURL := f.String("base-url", "http://127.0.0.1:8080", "public URL of the server, printed in the QR codes")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if *paper != 0 {
			if *count != 0 {
				return cli.Usagef("give --count N for cards or --paper N for paper ballots, not both")
			}
			if *paper < 1 {
				return cli.Usagef("--paper N must be at least 1")
			}
			if *out == "" {
				return cli.Usagef("--out paper.pdf is required")
			}
			n, err := issuePaper(e, svc, *f.session, *paper, *out)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Đã phát hành %d phiếu giấy / issued %d paper ballots: %s\n", n, n, *out)
			fmt.Fprintf(e.stdout, "Mã phiếu chỉ có trong tệp này: hãy in rồi xóa tệp / the codes exist only in this file: print it, then delete it\n")
			return nil
		}
		if *count < 1 {
			return cli.Usagef("--count N is required (the number of cards to print)")
		}
		if *out == "" {
			return cli.Usagef("--out cards.pdf is required")
		}
		sess, err := svc.Session(e.ctx, *f.session)
		if err != nil {
			return err
		}
		n, err := issueCards(e, svc, sess, *count, *baseURL, *out)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã phát hành %d thẻ / issued %d cards: %s\n", n, n, *out)
		fmt.Fprintf(e.stdout, "Thẻ chỉ có trong tệp này: hãy in rồi xóa tệp / the codes exist only in this file: print it, then delete it\n")
		return nil
	})
}

// issueCards issues n cards and writes their PDF to out. The PDF is written
// to a temporary file inside the issuing transaction and renamed into place
// only once the cards are recorded, so a failure leaves neither a PDF of
// unrecorded cards nor recorded cards without a PDF. The file is 0600: it
// holds the only copy of the codes.
func issueCards(e *env, svc *ballot.Service, sess *ballot.Session, n int, baseURL, out string) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".cards-*.pdf")
	if err != nil {
		return 0, fmt.Errorf("failed to create %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	err = svc.IssueTokens(e.ctx, cliActor(), sess.ID, n, func(tokens []string) error {
		if err := web.WriteCards(tmp, sess, tokens, baseURL); err != nil {
			return err
		}
		if err := tmp.Sync(); err != nil {
			return fmt.Errorf("failed to write %s: %w", out, err)
		}
		return tmp.Close()
	})
	if err != nil {
		tmp.Close()
		return 0, err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return 0, cli.WithHint(fmt.Errorf("the cards were issued but their PDF could not be moved into place: %w", err),
			"revoke nothing yet: the PDF of these cards is lost, so issue new cards and revoke none; the unprinted ones can never be used")
	}
	return n, nil
}

// issuePaper issues n paper ballots and writes their PDF to out, with the
// same temporary file and rename as issueCards and for the same reasons.
func issuePaper(e *env, svc *ballot.Service, id string, n int, out string) (int, error) {
	sheet, err := web.PaperSheet(e.ctx, svc, id)
	if err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".paper-*.pdf")
	if err != nil {
		return 0, fmt.Errorf("failed to create %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	err = svc.IssuePaperTokens(e.ctx, cliActor(), id, n, func(tokens []string) error {
		if err := web.WritePaperBallots(tmp, sheet, tokens); err != nil {
			return err
		}
		if err := tmp.Sync(); err != nil {
			return fmt.Errorf("failed to write %s: %w", out, err)
		}
		return tmp.Close()
	})
	if err != nil {
		tmp.Close()
		return 0, err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return 0, cli.WithHint(fmt.Errorf("the paper ballots were issued but their PDF could not be moved into place: %w", err),
			"the PDF of these ballots is lost: issue new ones; the unprinted ones can never be used")
	}
	return n, nil
}

// writeDemoCards writes the demo's cards PDF. The demo's cards are printed
// after they are issued because its codes are shown on the console anyway.
func writeDemoCards(sess *ballot.Session, tokens []string, baseURL, out string) error {
	var buf bytes.Buffer
	if err := web.WriteCards(&buf, sess, tokens, baseURL); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("failed to write %s: %w", out, err)
	}
	return nil
}

func cmdTokensRevoke(e *env, args []string) error {
	f := newFlags("tokens revoke", true, true)
	reason := f.String("reason", "", "why the card is withdrawn (logged)")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("give the card code to revoke")
		}
		if err := svc.RevokeToken(e.ctx, cliActor(), *f.session, pos[0], *reason); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "Đã thu hồi thẻ / card revoked")
		return nil
	})
}
