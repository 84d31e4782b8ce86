package verify_test

import (
	"testing"

	"tinnhiem/audit"
	"tinnhiem/tally/report"
	"tinnhiem/verify"
)

// TestRelayedReportOfAnotherSession plays the attack of issue 10: whoever
// relays a bundle, without the key, appends a ReportIssued entry (hashed
// and linked, as anyone can) that names the minutes of another session of
// the same installation, and puts those minutes, with the detached
// signature the installation made for them, in place of this session's.
// The entry is covered by no signed checkpoint, and the minutes name the
// other session: both checks fail, and nothing else.
func TestRelayedReportOfAnotherSession(t *testing.T) {
	f := newFixture(t)
	b := copyBundle(f.bundle)
	last := b.Entries[len(b.Entries)-1]
	d := decode[audit.ReportIssuedData](t, &last)
	for i := range d.Documents {
		if d.Documents[i].Name == report.MinutesName {
			d.Documents[i].SHA256 = audit.Sum(f.otherMinutes.Data)
		}
	}
	extra := appended(t, last, audit.ReportIssued, d)
	b.Entries = append(b.Entries, extra)
	b.Documents[docIndex(t, b, report.MinutesName)] = f.otherMinutes

	rep := verify.Bundle(b, verify.Options{Key: f.key.PublicKey()})
	var failed []string
	for _, c := range rep.Checks {
		if c.Status == verify.StatusFailed {
			failed = append(failed, c.ID)
		}
	}
	if rep.OK() || len(failed) != 2 || failed[0] != verify.CheckCheckpointCoverage || failed[1] != verify.CheckDocumentSession {
		t.Fatalf("failed checks %v, want [%s %s]", failed, verify.CheckCheckpointCoverage, verify.CheckDocumentSession)
	}
	if c := rep.Check(verify.CheckCheckpointCoverage); c.Entry != extra.Seq {
		t.Errorf("coverage names entry %d, want the appended entry %d (%s)", c.Entry, extra.Seq, c.Detail)
	}
}
