package verify

import (
	"fmt"
	"time"

	"tinnhiem/audit"
)

// Proceedings is audit.Proceedings, which the replay fills in.
type Proceedings = audit.Proceedings

// entryTime reads an entry's time, which audit.Entry.Check has already
// found to be RFC 3339 UTC.
func entryTime(e *audit.Entry) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, e.Time)
	if err != nil {
		return time.Time{}, fmt.Errorf("entry time %q is not RFC 3339: %w", e.Time, err)
	}
	return t, nil
}
