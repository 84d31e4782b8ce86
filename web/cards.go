package web

import (
	"io"
	"strings"

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
