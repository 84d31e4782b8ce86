package web

import (
	"context"
	"io"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/tally/report"
)

// WriteCards writes the printable cards PDF of tokens for sess: each card's
// QR code holds its voting URL under baseURL, and every card names the
// session and the page under baseURL where a code is typed by hand. The
// console and the command line both print cards through it, so the two
// sheets cannot drift apart.
func WriteCards(w io.Writer, sess *ballot.Session, tokens []string, baseURL string) error {
	cards := make([]report.Card, len(tokens))
	for i, t := range tokens {
		cards[i] = report.Card{URL: ballot.VoteURL(baseURL, t), Code: ballot.FormatCode(t)}
	}
	sheet := report.CardSheet{Title: sess.Title, Body: sess.Body, Date: sess.Date, Place: sess.Place,
		ManualURL: strings.TrimRight(baseURL, "/") + "/nhap-ma"}
	return report.WriteCards(w, sheet, cards)
}

// PaperSheet reads what every paper ballot of session id prints: the
// session as created and its cadres. It is read before the ballots are
// issued, since their PDF is written inside the issuing transaction.
func PaperSheet(ctx context.Context, svc *ballot.Service, id string) (report.PaperSheet, error) {
	rec, err := svc.SessionRecord(ctx, id)
	if err != nil {
		return report.PaperSheet{}, err
	}
	cadres, err := svc.Cadres(ctx, id)
	if err != nil {
		return report.PaperSheet{}, err
	}
	sheet := report.PaperSheet{Session: *rec}
	for _, c := range cadres {
		sheet.Cadres = append(sheet.Cadres, audit.Person{ID: c.ID, Name: c.Name, Position: c.Position})
	}
	return sheet, nil
}

// WritePaperBallots writes the printable paper ballots of tokens (SPEC.md
// 11.5.2): one official ballot per card with the sheet's header and cadres,
// the card's code and its QR code. The console and the command line both
// print them through it.
func WritePaperBallots(w io.Writer, sheet report.PaperSheet, tokens []string) error {
	ballots := make([]report.PaperBallot, len(tokens))
	for i, t := range tokens {
		ballots[i] = report.PaperBallot{Code: ballot.FormatCode(t)}
	}
	return report.WritePaperBallots(w, sheet, ballots)
}
