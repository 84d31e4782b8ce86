package box

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

const paperVectorsPath = "testdata/paper-vectors.json"

// paperVectors is the file the JavaScript paper entry is checked against
// (web/box/test/paper.test.js): for the parameters of vectors.json, the
// ballot EncryptPaper makes from each card and set of marks.
type paperVectors struct {
	Format  string        `json:"format"`
	About   string        `json:"about"`
	Params  vectorParams  `json:"params"`
	Entries []paperVector `json:"entries"`
}

type paperVector struct {
	Code    string          `json:"code"`
	Marks   [][]int         `json:"marks"`
	Key     string          `json:"key_hex"` // K_paper
	Ballot  json.RawMessage `json:"ballot"`
	Tracker string          `json:"tracker"`
}

// vectorsParams reads the parameters of vectors.json, whose joint key
// comes from a real ceremony.
func vectorsParams(t *testing.T) *Params {
	t.Helper()
	raw, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	y, err := decodeB64(v.Params.JointKey)
	if err != nil || len(y) != 32 {
		t.Fatalf("joint key of the vectors: %v", err)
	}
	p := &Params{Session: v.Params.Session, Lines: v.Params.Lines, Options: v.Params.Options}
	copy(p.JointKey[:], y)
	return p
}

var paperMarks = [][][]int{
	{{1}, {2}, {3}},
	{{}, {3}, {1}},
	{{2}, {1, 3}, {}},    // line 2 doubly marked: invalid for that cadre
	{{2}, {3, 1}, {}},    // the same paper, its marks listed in another order
	{{2}, {1, 2, 3}, {}}, // three marks on line 2: as invalid, but another paper
}

func makePaperVectors(t *testing.T) []byte {
	p := vectorsParams(t)
	v := paperVectors{Format: "tinnhiem-box-paper-vectors/v1",
		About:  "SPEC.md 11.5.2: paper ballots encrypted deterministically by EncryptPaper, for the parameters of vectors.json. key_hex is K_paper.",
		Params: vectorParams{p.Session, encodeB64(p.JointKey[:]), p.Lines, p.Options}}
	for n, marks := range paperMarks {
		code := vectorCodes[n%len(vectorCodes)]
		card, err := CardKey(p.Session, code)
		if err != nil {
			t.Fatal(err)
		}
		b, err := EncryptPaper(p, card, marks)
		if err != nil {
			t.Fatal(err)
		}
		tr := b.Tracker(p)
		v.Entries = append(v.Entries, paperVector{Code: code, Marks: marks, Key: hex.EncodeToString(paperKey(p, card.Seed(), marks)),
			Ballot: FormatBallot(b), Tracker: hex.EncodeToString(tr[:])})
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// TestPaperVectors keeps testdata/paper-vectors.json what EncryptPaper makes
// (regenerate with -update), so that the browser's entry is held to it.
func TestPaperVectors(t *testing.T) {
	got := makePaperVectors(t)
	if *update {
		if err := os.WriteFile(paperVectorsPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(paperVectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what EncryptPaper makes: run go test ./ballot/box -run TestPaperVectors -update", paperVectorsPath)
	}
}

// TestEncryptPaper checks the properties the committee's confirmation rests
// on: the same card and marks give the same bytes, any other marks or card
// another tracker, and a doubly marked line is a flagged multiple-mark line
// that only a paper entry may carry.
func TestEncryptPaper(t *testing.T) {
	p := vectorsParams(t)
	cardA, _ := CardKey(p.Session, vectorCodes[0])
	cardB, _ := CardKey(p.Session, vectorCodes[1])
	enc := func(card []byte, marks [][]int) *Ballot {
		t.Helper()
		b, err := EncryptPaper(p, card, marks)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := enc(cardA, paperMarks[2])
	again := enc(cardA, paperMarks[3])
	if !bytes.Equal(FormatBallot(first), FormatBallot(again)) {
		t.Fatal("the same card and marks gave two different ballots")
	}
	if len(first.MultipleMarks) != 1 || first.MultipleMarks[0] != 2 {
		t.Fatalf("multiple-mark lines %v, want [2]", first.MultipleMarks)
	}
	if err := VerifyBallot(p, first, true); err != nil {
		t.Fatalf("a paper ballot does not verify: %v", err)
	}
	if err := VerifyBallot(p, first, false); err == nil {
		t.Fatal("a ballot with a multiple-mark line verified as a phone's")
	}
	seen := map[[32]byte]string{first.Tracker(p): "card A, marks 3"}
	for name, b := range map[string]*Ballot{
		"card A, three marks": enc(cardA, paperMarks[4]),
		"card A, marks 1":     enc(cardA, paperMarks[0]),
		"card A, marks 2":     enc(cardA, paperMarks[1]),
		"card B, marks 3":     enc(cardB, paperMarks[2]),
	} {
		if err := VerifyBallot(p, b, true); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tr := b.Tracker(p)
		if other, dup := seen[tr]; dup {
			t.Fatalf("%s and %s have the same tracker", name, other)
		}
		seen[tr] = name
	}
	// Three marks make the same choices as two, yet another stream.
	c2, _ := PaperChoices(p, paperMarks[2])
	c3, _ := PaperChoices(p, paperMarks[4])
	if c2[1] != MultipleMarks || c3[1] != MultipleMarks {
		t.Fatalf("choices %v and %v, want line 2 MultipleMarks", c2, c3)
	}
	for _, bad := range [][][]int{{{1}, {2}}, {{0}, {}, {}}, {{4}, {}, {}}, {{1, 1}, {}, {}}} {
		if _, err := EncryptPaper(p, cardA, bad); err == nil {
			t.Fatalf("marks %v were accepted", bad)
		}
	}
	if _, err := EncryptPaper(p, cardA[:10], paperMarks[0]); err == nil {
		t.Fatal("a short key was accepted")
	}
}
