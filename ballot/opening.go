package ballot

import (
	"context"
	"fmt"

	"tinnhiem/audit"
)

// CardExcess compares the cards that can vote — issued and not revoked —
// with the members present. More cards than people is not an error: spare
// cards are printed on purpose, to exchange spoiled ones. But each card
// beyond the people in the room is a ballot nobody present should cast, so
// the counting committee is told wherever it looks: when the vote opens, in
// `session show`, on the console and in the minutes.
type CardExcess struct {
	Cards   int // issued and not revoked
	Present int // members checked in
}

// Exceeded reports whether there are more cards than members present.
func (c CardExcess) Exceeded() bool { return c.Cards > c.Present }

// Args gives both figures by name for the warning's sentences, which the
// message catalog holds under the key "card_excess".
func (c CardExcess) Args() Args { return Args{"cards": c.Cards, "present": c.Present} }

// OpeningExcess is the comparison as the audit log recorded it when the
// vote opened: SessionOpened's cards issued and members present.
func OpeningExcess(d audit.SessionOpenedData) CardExcess {
	return CardExcess{Cards: d.Issued, Present: d.Present}
}

// openingChunk is how many entries Opening reads at a time: SessionOpened
// comes before any ballot, so a closed session's million Ballot entries are
// never read to find it.
const openingChunk = 32

// Opening returns what the audit log recorded when session id opened —
// members summoned and present, cards issued and not revoked, the quorum
// check and any override — or nil if it has not opened.
func (s *Service) Opening(ctx context.Context, id string) (*audit.SessionOpenedData, error) {
	var out *audit.SessionOpenedData
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		for from := uint64(1); ; from += openingChunk {
			entries, err := tx.AuditEntries(id, from, from+openingChunk-1)
			if err != nil {
				return err
			}
			for i := range entries {
				if entries[i].Type != audit.SessionOpened {
					continue
				}
				var d audit.SessionOpenedData
				if err := entries[i].Decode(&d); err != nil {
					return fmt.Errorf("failed to read the opening of session %s: %w", id, err)
				}
				out = &d
				return nil
			}
			if len(entries) < openingChunk {
				return nil
			}
		}
	})
	return out, err
}
