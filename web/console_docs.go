package web

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/tally/report"
)

// documentNames lists the session's issued documents.
func (s *Server) documentNames(r *http.Request, id string) ([]string, error) {
	docs, err := s.svc.Documents(r.Context(), id)
	names := make([]string, 0, 2*len(docs))
	for _, d := range docs {
		names = append(names, d.Name, d.Name+".sig")
	}
	return names, err
}

// handleDocument serves one issued document or its detached signature
// (NAME.sig). Documents exist only after the tally, so this shows nothing
// about a vote in progress.
func (s *Server) handleDocument(w http.ResponseWriter, r *http.Request, c *call) {
	name := mux.Vars(r)["name"]
	base, sig := strings.CutSuffix(name, ".sig")
	var doc *ballot.Document
	docs, err := s.svc.Documents(r.Context(), c.session.ID)
	for i := range docs {
		if docs[i].Name == base {
			doc = &docs[i]
		}
	}
	if err == nil && doc == nil {
		err = ballot.ErrNotFound
	}
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	data, ctype := doc.Data, "application/octet-stream"
	switch {
	case sig:
		data, ctype = doc.Signature, "text/plain; charset=utf-8"
	case strings.HasSuffix(base, ".pdf"):
		ctype = "application/pdf"
	case strings.HasSuffix(base, ".csv"):
		ctype = "text/csv; charset=utf-8"
	case strings.HasSuffix(base, ".json"):
		ctype = "application/json"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	_, _ = w.Write(data)
}

// handleBundle serves the verification bundle (audit.WriteZip of
// Service.Bundle) once the vote is closed, for tinnhiem-verify.
func (s *Server) handleBundle(w http.ResponseWriter, r *http.Request, c *call) {
	if c.session.State != ballot.Closed && c.session.State != ballot.Tallied {
		s.consoleFail(w, r, ballot.ErrNotOpen)
		return
	}
	b, err := s.svc.Bundle(r.Context(), c.session.ID)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := audit.WriteZip(&buf, b); err != nil {
		s.consoleFail(w, r, ballot.Errorf(ballot.EInternal, "failed to write bundle: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="ho-so-kiem-tra-`+c.session.ID+`.zip"`)
	_, _ = w.Write(buf.Bytes())
}

// handleTally counts a closed session once and issues its signed documents,
// with the account as the actor of the log entries.
func (s *Server) handleTally(w http.ResponseWriter, r *http.Request, c *call) {
	if s.signer == nil {
		s.consoleFail(w, r, &ballot.Error{Code: ballot.ELocked, Key: "no_signer", Message: "the server was started without a PDF signer"})
		return
	}
	signer, err := s.signer(c.session.Org)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	if _, _, err := IssueReports(r.Context(), s.svc, c.account.Name, c.session.ID, signer); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c), "tallied")
}

// maxCosignature bounds an uploaded cosigned checkpoint: a note of a few
// lines with a handful of signatures.
const maxCosignature = 16 << 10

// handleCosign records an inspector's cosignature of one of the session's
// signed checkpoints, with the same checks as "tinnhiem cosign add".
func (s *Server) handleCosign(w http.ResponseWriter, r *http.Request, c *call) {
	note := strings.ReplaceAll(r.PostFormValue("note"), "\r\n", "\n")
	if len(note) > maxCosignature {
		s.consoleFail(w, r, ballot.Errorf(ballot.EInvalid, "the cosigned checkpoint is too long"))
		return
	}
	if _, err := s.svc.AddCosignature(r.Context(), c.account.Name, c.session.ID, []byte(note), r.PostFormValue("key")); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c)+"/log", "cosigned")
}

// logRow is one audit entry as the console's table shows it.
type logRow struct {
	Seq   uint64
	Time  string
	Type  string
	Actor string
	Data  string
	Hash  string
}

type logPage struct {
	Session     *ballot.Session
	Rows        []logRow
	Checkpoints []string
	Fingerprint string
	CanCosign   bool
}

// maxShownData bounds the data shown per row: a sealed ballot or a list of
// token hashes is for the verifier, not for reading.
const maxShownData = 300

func (s *Server) handleLog(w http.ResponseWriter, r *http.Request, c *call) {
	entries, cps, err := s.svc.Log(r.Context(), c.session.ID)
	if err != nil {
		s.consoleFail(w, r, err)
		return
	}
	page := logPage{Session: c.session, Fingerprint: audit.Fingerprint(s.svc.Key().VerifierKey()), CanCosign: c.account.CanCosign(c.session)}
	for _, e := range entries {
		data := string(e.Data)
		if len(data) > maxShownData {
			data = strings.ToValidUTF8(data[:maxShownData], "") + "…"
		}
		page.Rows = append(page.Rows, logRow{Seq: e.Seq, Time: e.Time, Type: string(e.Type),
			Actor: e.Actor, Data: data, Hash: e.Hash.String()})
	}
	for _, cp := range cps {
		page.Checkpoints = append(page.Checkpoints, string(cp.Note))
	}
	s.renderConsole(w, r, http.StatusOK, "log", c, "console.log", page)
}

// signerRow is one counting committee member and their signature on the
// minutes, as the session page lists them.
type signerRow struct {
	Member    string
	Signed    bool
	Signer    string // the certificate's common name
	Issuer    string
	Timestamp string // the TSA's time; empty: the signer's clock only
}

func (s *Server) minutesSigners(r *http.Request, id string) ([]signerRow, error) {
	st, err := s.svc.DocumentSignatures(r.Context(), id, report.MinutesName)
	if err != nil {
		return nil, err
	}
	rows := make([]signerRow, len(st.Committee))
	for i, m := range st.Committee {
		rows[i] = signerRow{Member: m}
		if d, ok := st.Signed[m]; ok {
			rows[i].Signed, rows[i].Signer, rows[i].Issuer, rows[i].Timestamp = true, d.Signer, d.Issuer, d.Timestamp
		}
	}
	return rows, nil
}

// handleMinutesSignature records the minutes uploaded back by a committee
// member after signing them on their own machine: the server receives
// only the signed PDF, never a key, and the service checks that it is the
// stored minutes with one more valid signature by a committee member.
func (s *Server) handleMinutesSignature(w http.ResponseWriter, r *http.Request, c *call) {
	f, _, err := r.FormFile("file")
	if err != nil {
		s.consoleFail(w, r, &ballot.Error{Code: ballot.EInvalid, Key: "signed_upload_missing", Message: "choose the signed minutes (PDF) to upload"})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, ballot.MaxSignedDocument+1))
	if err != nil {
		s.consoleFail(w, r, ballot.Errorf(ballot.EInvalid, "failed to read the upload: %v", err))
		return
	}
	if _, err := s.svc.AddDocumentSignature(r.Context(), c.account.Name, c.session.ID, report.MinutesName, data); err != nil {
		s.consoleFail(w, r, err)
		return
	}
	back(w, r, sessionPath(c), "minutes_signed")
}
