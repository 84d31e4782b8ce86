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
	CheckedOut       Type = "CheckedOut"       // CheckedInData: members who left
	TokensIssued     Type = "TokensIssued"     // TokensData
	TokenRevoked     Type = "TokenRevoked"     // TokenRevokedData
	SessionOpened    Type = "SessionOpened"    // SessionOpenedData
	SessionClosed    Type = "SessionClosed"    // SessionClosedData
	BallotEntry      Type = "Ballot"           // BallotData, one per ballot, sorted by ballot hash
	BallotsSealed    Type = "BallotsSealed"    // BallotsSealedData
	TokensUsed       Type = "TokensUsed"       // TokensData, sorted, in chunks
	TallyComputed    Type = "TallyComputed"    // the tally result (package tally), opaque here
	ReportIssued     Type = "ReportIssued"     // ReportIssuedData
	CosignatureAdded Type = "CosignatureAdded" // CosignatureData
	DocumentSigned   Type = "DocumentSigned"   // DocumentSignedData

	// The entries of an encrypted session (SPEC.md 11.11). Their data is
	// the ballot box's own message (package ballot/box), compact JSON as
	// received, so that anyone re-reads it with box.Parse… alone.
	KeyCeremonyRound1    Type = "KeyCeremonyRound1"    // tinnhiem-box-dkg-round1/v1
	KeyCeremonyRound2    Type = "KeyCeremonyRound2"    // tinnhiem-box-dkg-round2/v1
	KeyCeremonyRound3    Type = "KeyCeremonyRound3"    // tinnhiem-box-dkg-round3/v1: complaints or a confirmation
	KeyCeremonyCompleted Type = "KeyCeremonyCompleted" // KeyCeremonyCompletedData
	EncryptedBallot      Type = "EncryptedBallot"      // tinnhiem-box-ballot/v1, one per ballot, ascending tracker
	EncryptedTally       Type = "EncryptedTally"       // tinnhiem-box-tally/v1
	PartialDecryption    Type = "PartialDecryption"    // tinnhiem-box-partial/v1, every one received, valid or not
	DecryptedTally       Type = "DecryptedTally"       // tinnhiem-box-result/v1

	// The hall's projector (SPEC.md 4.3): the code that opens the read-only
	// projection page, as its SHA-256; a new one replaces the last.
	DisplayCodeIssued Type = "DisplayCodeIssued" // DisplayCodeIssuedData
	// Paper ballots of an encrypted session (SPEC.md 11.5.2): the committee
	// enters them while the vote is open, and a second member confirms.
	PaperConfirmationsSet Type = "PaperConfirmationsSet" // PaperConfirmationsData
	PaperBallotEntered    Type = "PaperBallotEntered"    // PaperBallotEnteredData
	PaperBallotMismatch   Type = "PaperBallotMismatch"   // PaperBallotMismatchData

	// The counting committee's personal links to the member page (SPEC.md
	// 11.15): only SHA-256 of each link's code is logged, so that the log
	// proves which link was valid when without letting anyone use one.
	MemberLinksIssued Type = "MemberLinksIssued" // MemberLinksData: a new link for every trustee
	MemberLinkIssued  Type = "MemberLinkIssued"  // MemberLinkData: one trustee's link replaced (a lost phone)
	MemberPageAssets  Type = "MemberPageAssets"  // MemberPageAssetsData: the member page changed since it was logged
)

var knownTypes = map[Type]bool{
	SessionCreated: true, RosterSet: true, CadresSet: true, CommitteeSet: true, CheckedIn: true, CheckedOut: true,
	TokensIssued: true, TokenRevoked: true, SessionOpened: true, SessionClosed: true,
	BallotEntry: true, BallotsSealed: true, TokensUsed: true, TallyComputed: true,
	ReportIssued: true, CosignatureAdded: true, DocumentSigned: true,
	KeyCeremonyRound1: true, KeyCeremonyRound2: true, KeyCeremonyRound3: true, KeyCeremonyCompleted: true,
	EncryptedBallot: true, EncryptedTally: true, PartialDecryption: true, DecryptedTally: true,
	DisplayCodeIssued:     true,
	PaperConfirmationsSet: true, PaperBallotEntered: true, PaperBallotMismatch: true,
	MemberLinksIssued: true, MemberLinkIssued: true, MemberPageAssets: true,
}

// DisplayCodeIssuedData holds the SHA-256 (64 lowercase hex digits) of the
// display code of the projection page /trinh-chieu/SESSION. The code itself
// is shown once, on the console; only the latest DisplayCodeIssued opens
// the page.
type DisplayCodeIssuedData struct {
	Hash string `json:"hash"`
}

// KnownType reports whether t is one of the entry types defined above.
func KnownType(t Type) bool { return knownTypes[t] }

// SessionCreatedData fixes what the session is and which rule set counts it,
// and how its documents are headed. The fields after Rules are optional, so
// that logs written before they existed still read: a document shows a blank
// to fill by hand for a missing number or locality.
type SessionCreatedData struct {
	ID    string `json:"id"`
	Org   string `json:"org,omitempty"`
	Title string `json:"title"`
	Body  string `json:"body"`
	Date  string `json:"date"` // YYYY-MM-DD
	Place string `json:"place"`
	Rules string `json:"rules"` // qd96, nq96 or nq85
	// BodyKind chooses the administrative form of the documents: dang (a
	// Party body, Hướng dẫn 36-HD/VPTW), hdnd, quochoi or nhanuoc (State
	// bodies, Nghị định 30/2020/NĐ-CP). Empty means the rule set's default.
	BodyKind string `json:"body_kind,omitempty"`
	// Superior is the body directly above the issuing one, printed above it
	// in the header (e.g. "Đảng bộ tỉnh Bắc Ninh").
	Superior string `json:"superior,omitempty"`
	// Number is the document number and symbol of the minutes as the
	// organiser registers it ("12-BB/ĐU", "05/BB-HĐND").
	Number string `json:"number,omitempty"`
	// Locality is the administrative unit named in the place-and-date line
	// ("Bắc Ninh"), which is not the hall (Place).
	Locality string `json:"locality,omitempty"`
	// Copies is how many originals of the minutes are made.
	Copies int `json:"copies,omitempty"`
	// Kind is "formal" for a formal vote of confidence (bỏ phiếu tín
	// nhiệm); absent means the rating, so that logs written before it
	// existed still read as what they are. It must agree with Rules.
	Kind string `json:"kind,omitempty"`
	// Box, when present, makes the session an encrypted one (SPEC.md 11):
	// ballots are encrypted on the voter's phone to the counting
	// committee's joint key and only the sums are ever decrypted.
	Box *BoxSetup `json:"box,omitempty"`
}

// BoxSetup fixes, at creation, how the counting committee holds the key of
// an encrypted session: trustee i is the i-th member of the committee as
// CommitteeSet names it when the key ceremony starts, and Threshold of them
// are needed to decrypt (0 means a majority of the committee,
// box.DefaultThreshold).
type BoxSetup struct {
	Threshold int `json:"threshold,omitempty"`
	Options   int `json:"options"` // per line: 3 for the rating, 2 for the formal vote (SPEC.md 11.1)
	// PaperConfirmations is how many committee members enter each paper
	// ballot before it is cast: 1 or 2; 0 (absent) means 2 (SPEC.md 11.5.2).
	PaperConfirmations int `json:"paper_confirmations,omitempty"`
}

// DefaultPaperConfirmations is the number of committee members who enter
// each paper ballot when the session does not say: two, as offices count
// paper in pairs.
const DefaultPaperConfirmations = 2

// PaperConfirmationsData records a change, before the vote opens, of how
// many committee members enter each paper ballot (1 or 2).
type PaperConfirmationsData struct {
	Confirmations int `json:"confirmations"`
}

// PaperBallotEnteredData records that committee member Trustee entered a
// paper ballot of card Card (its public key), whose encrypted ballot has
// tracker Tracker. Neither the ballot nor its marks are logged: a second
// member's entry is compared by tracker alone (SPEC.md 11.5.2).
type PaperBallotEnteredData struct {
	Trustee int  `json:"trustee"`
	Card    Hash `json:"card"`
	Tracker Hash `json:"tracker"`
}

// PaperBallotMismatchData records that committee member Trustee entered a
// paper ballot of card Card that differs from the entry awaiting its
// confirmation: the entry is refused and the card's earlier entries no
// longer count, so that the paper is read again.
type PaperBallotMismatchData struct {
	Trustee int  `json:"trustee"`
	Card    Hash `json:"card"`
}

// KeyCeremonyCompletedData is the outcome of the key ceremony
// (tinnhiem-box-dkg-result/v1) and the trustees the committee declared
// absent, whose missing messages disqualified them.
type KeyCeremonyCompletedData struct {
	Absent []int           `json:"absent,omitempty"`
	Result json.RawMessage `json:"result"`
}

// MemberLinkData is one committee member's link to the member page
// (/bkp/SESSION/CODE): its trustee number in the committee and SHA-256 of
// the link's canonical code. The latest entry naming a trustee is its only
// valid link.
type MemberLinkData struct {
	Trustee int  `json:"trustee"`
	Hash    Hash `json:"hash"`
}

// MemberLinksData is a link for every member of the committee, issued at
// once, and the SHA-256 (hex) of the member page's assets as the server
// serves them (web.MemberAssets), so that an inspector compares the page
// that holds the trustees' secrets with the release.
type MemberLinksData struct {
	Links  []MemberLinkData `json:"links"`
	Assets string           `json:"assets,omitempty"`
}

// MemberPageAssetsData records that the member page's assets differ from
// the ones last logged (the server restarted with another build): it is
// logged before the next message from a member page is accepted.
type MemberPageAssetsData struct {
	Assets string `json:"assets"`
}

// The body kinds of SessionCreatedData.BodyKind: a Party body, a People's
// Council, the National Assembly, another State body.
const (
	BodyParty    = "dang"
	BodyCouncil  = "hdnd"
	BodyAssembly = "quochoi"
	BodyState    = "nhanuoc"
)

// KnownBodyKind reports whether k is one of the body kinds above.
func KnownBodyKind(k string) bool {
	switch k {
	case BodyParty, BodyCouncil, BodyAssembly, BodyState:
		return true
	}
	return false
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

// CommitteeSetData names the counting committee (Ban kiểm phiếu), its head
// (Trưởng ban, one of Members), and the chair and secretary of the meeting.
// Each entry replaces all four; the optional ones are absent in logs written
// before they existed.
type CommitteeSetData struct {
	Members   []string `json:"members"`
	Head      string   `json:"head,omitempty"`
	Chair     string   `json:"chair,omitempty"`
	Secretary string   `json:"secretary,omitempty"`
}

// CheckedInData records members marked present (CheckedIn) or leaving
// (CheckedOut). It never says which card a member took: cards are handed out
// after check-in, in random order.
type CheckedInData struct {
	Members  []string `json:"members"`
	Present  int      `json:"present"`  // members present after this entry
	Summoned int      `json:"summoned"` // roster size
}

// TokensData lists token hashes (SHA-256 of the token), sorted ascending so
// that their order reveals nothing about when each was issued or used. In
// an encrypted session it lists card public keys instead (SPEC.md 11.3),
// which is what the cards' ballots are signed with.
type TokensData struct {
	Hashes []Hash `json:"hashes"`
	// Paper marks, in TokensIssued of an encrypted session, cards printed as
	// paper ballots, which the counting committee enters (SPEC.md 11.5.2).
	Paper bool `json:"paper,omitempty"`
}

// TokenRevokedData records a card withdrawn before use, e.g. a spoiled card
// exchanged for a new one. Hash is the card public key in an encrypted
// session, as in TokensData.
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
	// VoterAssets is the SHA-256 (hex) of the voter page's assets as the
	// server serves them, so that an inspector compares it with the release
	// before trusting the page that encrypts the ballots.
	VoterAssets string `json:"voter_assets,omitempty"`
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

// DocumentSignedData records a PDF signature that a member of the counting
// committee added to an issued document (the minutes) on their own machine:
// the stored document before is an unchanged prefix of the one after, and
// the new signature covers all of it.
type DocumentSignedData struct {
	Name   string `json:"name"`   // the document, as in ReportIssued
	Member string `json:"member"` // the committee member, as in CommitteeSet
	// Signer and Issuer are the common names of the certificate's subject
	// and issuer; Certificate is SHA-256 of the certificate (DER).
	Signer      string `json:"signer"`
	Issuer      string `json:"issuer"`
	Certificate Hash   `json:"certificate"`
	// Timestamp is the RFC 3161 time-stamp's time (RFC 3339, UTC), absent
	// when the signature carries none and its time is the signer's clock.
	Timestamp string `json:"timestamp,omitempty"`
	Prev      Hash   `json:"prev"`   // SHA-256 of the document before
	SHA256    Hash   `json:"sha256"` // SHA-256 of the document after
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
