package web

import (
	"context"

	"tinnhiem/ballot"
	"tinnhiem/tally/report"
)

// IssueReports tallies a closed session once (ballot.Service.Tally),
// renders every document from the logged tally with the PDF signer s
// (report.Render), and has the service store and log them
// (ballot.Service.IssueDocuments). The console and the "tinnhiem tally"
// command both call it, so the two paths issue the same documents. Called
// again on a tallied session, it re-renders from the logged result.
func IssueReports(ctx context.Context, svc *ballot.Service, actor, id string, s report.Signer) (*ballot.TallyRecord, []ballot.Document, error) {
	rec, err := svc.Tally(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	rendered, err := report.Render(ReportSource(rec), s, svc.Key())
	if err != nil {
		return nil, nil, ballot.Errorf(ballot.EInternal, "failed to render the documents: %v", err)
	}
	docs := make([]ballot.Document, len(rendered))
	for i, d := range rendered {
		docs[i] = ballot.Document{Name: d.Name, Data: d.Data, Signature: d.Signature}
	}
	if err := svc.IssueDocuments(ctx, actor, id, rec.Seq, docs); err != nil {
		return nil, nil, err
	}
	return rec, docs, nil
}

// ReportSource is what the documents of a tallied session show, as its log
// holds it: the one mapping from the service's record to the renderer's
// input.
func ReportSource(rec *ballot.TallyRecord) *report.Source {
	return &report.Source{Session: rec.Session, Opened: rec.Opened, Committee: rec.Committee, Proceedings: rec.Proceedings,
		Result: rec.Result, Checkpoint: rec.Checkpoint, Fingerprint: rec.Fingerprint}
}
