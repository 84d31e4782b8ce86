package report

import (
	"bytes"
	"errors"
	"fmt"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

// Names of the data files issued with the PDFs.
const (
	ResultsCSVName  = audit.ResultsCSVDocument
	ResultsJSONName = audit.ResultsJSONDocument
	// PublicKeyName is the file name under which the installation's
	// signify public key is exported; detached signatures name it in their
	// comment line, as signify does.
	PublicKeyName = "tinnhiem.pub"
)

// Document is one issued file — a report, the minutes, the results — with
// its detached signature by the installation key.
type Document struct {
	Name      string
	Data      []byte // final: a PDF carries its embedded signature
	Signature []byte // signify file of Data
}

// Render produces every document of src: one report per cadre in ballot
// order, the minutes, results.csv and results.json. Each PDF is signed by s;
// every file gets a detached signify signature by key. It writes nothing
// anywhere: storing and logging the documents is the ballot service's job.
func Render(src *Source, s Signer, key *audit.Key) ([]Document, error) {
	if s == nil {
		return nil, errors.New("failed to render reports: no PDF signer")
	}
	var docs []Document
	add := func(name string, data []byte, isPDF bool) error {
		if isPDF {
			signed, err := s.SignPDF(data)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			data = signed
		}
		docs = append(docs, Document{Name: name, Data: data, Signature: key.SignDetached(data, PublicKeyName)})
		return nil
	}
	var b bytes.Buffer
	for i, cr := range src.Result.Cadres {
		b.Reset()
		if err := WriteCadreReport(&b, src, i); err != nil {
			return nil, err
		}
		if err := add(CadreReportName(cr.Cadre.ID), bytes.Clone(b.Bytes()), true); err != nil {
			return nil, err
		}
	}
	b.Reset()
	if err := WriteMinutes(&b, src); err != nil {
		return nil, err
	}
	if err := add(MinutesName, bytes.Clone(b.Bytes()), true); err != nil {
		return nil, err
	}
	b.Reset()
	if err := tally.WriteCSV(&b, src.Result); err != nil {
		return nil, err
	}
	if err := add(ResultsCSVName, bytes.Clone(b.Bytes()), false); err != nil {
		return nil, err
	}
	b.Reset()
	if err := tally.WriteJSON(&b, src.Result); err != nil {
		return nil, err
	}
	if err := add(ResultsJSONName, bytes.Clone(b.Bytes()), false); err != nil {
		return nil, err
	}
	return docs, nil
}
