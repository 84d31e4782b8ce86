package audit

import (
	"encoding/json"
	"strings"
)

// Type names the kind of an entry. The set is closed: an entry of any other
// type is rejected, so that a verifier never skips what it does not know.
type Type string

// The entry types, in the order a session normally produces them.
const (
	SessionCreated   Type = "SessionCreated"   // SessionCreatedData
	RosterSet        Type = "RosterSet"        // RosterSetData
	CadresSet        Type = "CadresSet"        // CadresSetData
	CommitteeSet     Type = "CommitteeSet"     // CommitteeSetData
	CheckedIn        Type = "CheckedIn"        // CheckedInData
	TokensIssued     Type = "TokensIssued"     // TokensData
	TokenRevoked     Type = "TokenRevoked"     // TokenRevokedData
	SessionOpened    Type = "SessionOpened"    // SessionOpenedData
	SessionClosed    Type = "SessionClosed"    // SessionClosedData
	BallotSealed     Type = "Ballot"           // BallotData, one per ballot, sorted by ballot hash
	BallotsSealed    Type = "BallotsSealed"    // BallotsSealedData
	TokensUsed       Type = "TokensUsed"       // TokensData, sorted, in chunks
	TallyComputed    Type = "TallyComputed"    // the tally result (package tally), opaque here
	ReportIssued     Type = "ReportIssued"     // ReportIssuedData
	CosignatureAdded Type = "CosignatureAdded" // CosignatureData
)

var knownTypes = map[Type]bool{
	SessionCreated: true, RosterSet: true, CadresSet: true, CommitteeSet: true, CheckedIn: true,
	TokensIssued: true, TokenRevoked: true, SessionOpened: true, SessionClosed: true,
	BallotSealed: true, BallotsSealed: true, TokensUsed: true, TallyComputed: true,
	ReportIssued: true, CosignatureAdded: true,
}

// KnownType reports whether t is one of the entry types defined above.
func KnownType(t Type) bool { return knownTypes[t] }

// SessionCreatedData fixes what the session is and which rule set counts it.
type SessionCreatedData struct {
	ID    string `json:"id"`
	Org   string `json:"org,omitempty"`
	Title string `json:"title"`
	Body  string `json:"body"`
	Date  string `json:"date"` // YYYY-MM-DD
	Place string `json:"place"`
	Rules string `json:"rules"` // qd96, nq96 or nq85
}

// Person is a member of the roster or a cadre, as the log records them.
type Person struct {
	ID       string `json:"id,omitempty"` // cadres only: the key used in ballots
	Name     string `json:"name"`
	Position string `json:"position"`
	Unit     string `json:"unit,omitempty"`
}

// RosterSetData replaces the roster of members summoned. The roster is not
// secret: it is the list of who may vote, not of who voted how.
type RosterSetData struct {
	Members []Person `json:"members"`
}

// CadresSetData replaces the list of cadres rated, in ballot order.
type CadresSetData struct {
	Cadres []Person `json:"cadres"`
}

// CommitteeSetData names the counting committee (Ban kiểm phiếu).
type CommitteeSetData struct {
	Members []string `json:"members"`
}

// CheckedInData records members marked present. It never says which card a
// member took: cards are handed out after check-in, in random order.
type CheckedInData struct {
	Members  []string `json:"members"`
	Present  int      `json:"present"`  // members present after this entry
	Summoned int      `json:"summoned"` // roster size
}

// TokensData lists token hashes (SHA-256 of the token), sorted ascending so
// that their order reveals nothing about when each was issued or used.
type TokensData struct {
	Hashes []Hash `json:"hashes"`
}

// TokenRevokedData records a card withdrawn before use, e.g. a spoiled card
// exchanged for a new one.
type TokenRevokedData struct {
	Hash   Hash   `json:"hash"`
	Reason string `json:"reason,omitempty"`
}

// SessionOpenedData records the quorum check at opening and any override.
type SessionOpenedData struct {
	Summoned  int    `json:"summoned"`
	Present   int    `json:"present"`
	Issued    int    `json:"issued"` // tokens issued and not revoked
	QuorumMet bool   `json:"quorum_met"`
	Override  bool   `json:"override"`
	Reason    string `json:"reason,omitempty"`
}

// SessionClosedData records the counts at close, before sealing.
type SessionClosedData struct {
	Issued    int `json:"issued"`
	Collected int `json:"collected"`
}

// BallotData is one sealed ballot: a random identifier and one mark per
// cadre in ballot order (H, N, L, '-' unmarked, X several marks). It carries
// nothing that links it to a token, a member or a moment.
type BallotData struct {
	ID    string `json:"id"`
	Marks string `json:"marks"`
}

// BallotsSealedData closes the run of Ballot entries that precedes it.
type BallotsSealedData struct {
	Count int `json:"count"`
}

// ReportDocument names one issued document and its SHA-256.
type ReportDocument struct {
	Name   string `json:"name"`
	SHA256 Hash   `json:"sha256"`
}

// ReportIssuedData records the documents produced from the tally.
type ReportIssuedData struct {
	Documents []ReportDocument `json:"documents"`
}

// CosignatureData records an inspector's cosignature of a checkpoint.
type CosignatureData struct {
	Name      string          `json:"name"`
	Key       string          `json:"key"` // note verifier key
	Size      uint64          `json:"size"`
	Signature json.RawMessage `json:"signature,omitempty"`
	Note      string          `json:"note"` // the cosigned checkpoint note
}

// BallotHash is the hash by which sealed ballots are sorted: SHA-256 of
// "tinnhiem ballot v1\n" + id + "\n" + marks + "\n".
func BallotHash(b BallotData) Hash {
	return Sum([]byte("tinnhiem ballot v1\n" + b.ID + "\n" + b.Marks + "\n"))
}

// documentKeywordsHeader starts the keywords of every PDF tinnhiem issues.
const documentKeywordsHeader = "tinnhiem document v1 session "

// DocumentKeywords returns the keywords a PDF issued under name for session
// carries in its document information dictionary (SPEC.md 8.2), so that
// the file itself names the session and the document it is: another
// session's minutes, or one cadre's report, cannot pass for this one.
func DocumentKeywords(session, name string) string {
	return documentKeywordsHeader + session + " name " + name
}

// PDFKeywords returns DocumentKeywords as the bytes a PDF holds: the
// /Keywords key and the text as a PDF literal string (ISO 32000-1, 7.3.4.2),
// with backslash, parentheses and carriage return escaped.
func PDFKeywords(session, name string) []byte {
	return []byte("/Keywords (" + pdfEscaper.Replace(DocumentKeywords(session, name)) + ")")
}

// PDFKeywordsPrefix is what every PDF keywords of PDFKeywords starts with,
// whatever the session: a verifier counts it to find keywords of another
// session.
var PDFKeywordsPrefix = []byte("/Keywords (" + documentKeywordsHeader)

var pdfEscaper = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`, "\r", `\r`)

// The names of the documents issued from a tally (SPEC.md 8.2): stable
// ASCII, so that the names in the log and on disk never depend on a
// person's name. The reports package writes them; the verifier accepts no
// others.
const (
	MinutesDocument     = "bien-ban-kiem-phieu.pdf"
	ResultsCSVDocument  = "results.csv"
	ResultsJSONDocument = "results.json"
)

// CadreReportDocument returns the name of the report on the cadre with the
// given ballot ID: "c1" gives "bao-cao-c1.pdf".
func CadreReportDocument(cadreID string) string { return "bao-cao-" + cadreID + ".pdf" }
