package audit

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

var t0 = time.Date(2026, 11, 22, 8, 30, 15, 123, time.UTC)

func testLog(t *testing.T, n int) []Entry {
	t.Helper()
	var h Head
	var log []Entry
	e, err := h.Next("s1", SessionCreated, "cli:root", t0, SessionCreatedData{ID: "s1", Title: "Hội nghị", Body: "Đảng ủy", Date: "2026-11-22", Place: "Hà Nội", Rules: "qd96"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		log = append(log, e)
		if h, err = h.Append(&e); err != nil {
			t.Fatal(err)
		}
		if len(log) == n {
			return log
		}
		if e, err = h.Next("s1", BallotEntry, "cli:root", t0, BallotData{ID: strings.Repeat("a", 31) + string(rune('0'+i%10)), Marks: "HNL-X"}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCanonicalBytes(t *testing.T) {
	log := testLog(t, 2)
	got := string(log[1].Canonical())
	want := "tinnhiem audit entry v1\nsession s1\nseq 2\ntime 2026-11-22T08:30:15Z\ntype Ballot\nactor cli:root\nprev " +
		log[0].Hash.String() + "\n\n{\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0\",\"marks\":\"HNL-X\"}\n"
	if got != want {
		t.Errorf("canonical bytes:\ngot  %q\nwant %q", got, want)
	}
	if log[1].Hash != Sum([]byte(want)) {
		t.Errorf("hash is not SHA-256 of the canonical bytes")
	}
}

func TestVerifyChainDetectsTampering(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func([]Entry) []Entry
		wantSeq uint64
	}{
		{"intact", func(l []Entry) []Entry { return l }, 0},
		{"changed data", func(l []Entry) []Entry { l[3].Data = []byte(`{"id":"x","marks":"LLLLL"}`); return l }, 4},
		{"changed data and own hash", func(l []Entry) []Entry {
			l[3].Data = []byte(`{"id":"x","marks":"LLLLL"}`)
			l[3].Hash = l[3].ComputeHash()
			return l
		}, 5},
		{"removed entry", func(l []Entry) []Entry { return append(l[:2], l[3:]...) }, 3},
		{"swapped entries", func(l []Entry) []Entry { l[2], l[3] = l[3], l[2]; return l }, 3},
		{"inserted entry", func(l []Entry) []Entry {
			return append(l[:3], append([]Entry{l[1]}, l[3:]...)...)
		}, 4},
		{"changed actor", func(l []Entry) []Entry { l[5].Actor = "someone"; return l }, 6},
		{"changed time", func(l []Entry) []Entry { l[1].Time = "2026-11-22T09:00:00Z"; return l }, 2},
		{"other session", func(l []Entry) []Entry {
			l[2].Session = "s2"
			l[2].Hash = l[2].ComputeHash()
			return l
		}, 3},
		{"unknown type", func(l []Entry) []Entry { l[4].Type = "Vote"; l[4].Hash = l[4].ComputeHash(); return l }, 5},
		{"data not compact", func(l []Entry) []Entry {
			l[4].Data = []byte(`{"id": "x"}`)
			l[4].Hash = l[4].ComputeHash()
			return l
		}, 5},
		{"newline in actor", func(l []Entry) []Entry {
			l[0].Actor = "a\ntype Ballot"
			l[0].Hash = l[0].ComputeHash()
			return l
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := tt.tamper(testLog(t, 8))
			_, err := VerifyChain(log)
			if tt.wantSeq == 0 {
				if err != nil {
					t.Fatalf("VerifyChain = %v, want nil", err)
				}
				return
			}
			var ce *ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("VerifyChain = %v, want *ChainError", err)
			}
			if ce.Seq != tt.wantSeq {
				t.Errorf("ChainError.Seq = %d, want %d (%v)", ce.Seq, tt.wantSeq, err)
			}
		})
	}
}

func TestCheckpointSignAndOpen(t *testing.T) {
	k, err := GenerateKey(rand.Reader, "tinnhiem")
	if err != nil {
		t.Fatal(err)
	}
	log := testLog(t, 3)
	head, err := VerifyChain(log)
	if err != nil {
		t.Fatal(err)
	}
	c := Checkpoint{Session: "s1", Head: head}
	msg, err := SignCheckpoint(c, k)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(msg), CheckpointHeader+"\nsession s1\nsize 3\nhead "+head.Hash.String()+"\n\n— tinnhiem ") {
		t.Errorf("signed checkpoint = %q", msg)
	}
	got, n, err := OpenCheckpoint(msg, note.VerifierList(k.Verifier()))
	if err != nil || got != c || len(n.Sigs) != 1 {
		t.Fatalf("OpenCheckpoint = %v, %v, %v; want %v", got, n, err, c)
	}

	other, _ := GenerateKey(rand.Reader, "tinnhiem")
	if _, _, err := OpenCheckpoint(msg, note.VerifierList(other.Verifier())); err == nil {
		t.Errorf("checkpoint opened with another installation's key")
	}
	forged := bytes.Replace(msg, []byte("size 3"), []byte("size 2"), 1)
	if _, _, err := OpenCheckpoint(forged, note.VerifierList(k.Verifier())); err == nil {
		t.Errorf("altered checkpoint verified")
	}
}

func TestParseCheckpointRejects(t *testing.T) {
	good := FormatCheckpoint(Checkpoint{Session: "s1", Head: Head{Size: 7, Hash: Sum([]byte("x"))}})
	if _, err := ParseCheckpoint(good); err != nil {
		t.Fatalf("ParseCheckpoint(good) = %v", err)
	}
	for name, text := range map[string]string{
		"other header":   strings.Replace(good, "v1", "v2", 1),
		"leading zero":   strings.Replace(good, "size 7", "size 07", 1),
		"negative":       strings.Replace(good, "size 7", "size -7", 1),
		"upper hex":      strings.ToUpper(good),
		"extra line":     good + "x\n",
		"no final break": strings.TrimSuffix(good, "\n"),
		"empty":          "",
	} {
		if _, err := ParseCheckpoint(text); err == nil {
			t.Errorf("%s: ParseCheckpoint accepted %q", name, text)
		}
	}
}

func TestKeyFileRoundTrip(t *testing.T) {
	k, err := GenerateKey(rand.Reader, "tinnhiem")
	if err != nil {
		t.Fatal(err)
	}
	k2, err := ParseKey(MarshalKey(k))
	if err != nil {
		t.Fatal(err)
	}
	if k2.VerifierKey() != k.VerifierKey() || !k2.PrivateKey().Equal(k.PrivateKey()) {
		t.Errorf("key changed in a round trip")
	}
	if fp := k.Fingerprint(); len(fp) != 39 || strings.Count(fp, ":") != 7 {
		t.Errorf("fingerprint %q is not 8 groups of 4 hex digits", fp)
	}
	for _, bad := range []string{"", "tinnhiem private key v1\nname x\n", "tinnhiem private key v1\nname x\ned25519 AAAA\n", "PRIVATE+KEY+x"} {
		if _, err := ParseKey([]byte(bad)); err == nil {
			t.Errorf("ParseKey(%q) accepted a malformed key", bad)
		}
	}
}

func TestReceipt(t *testing.T) {
	h := Sum([]byte("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
	r := Receipt(h)
	if !strings.HasPrefix(r, "TN1-") || len(r) != 4+24+5 {
		t.Fatalf("Receipt = %q", r)
	}
	if !ReceiptMatches(strings.ToLower(r), h) || !ReceiptMatches(strings.ReplaceAll(r, "-", " "), h) {
		t.Errorf("receipt does not match its own hash when typed differently")
	}
	if ReceiptMatches(r, Sum([]byte("other"))) {
		t.Errorf("receipt matches another hash")
	}
}

func FuzzParseCheckpoint(f *testing.F) {
	f.Add(FormatCheckpoint(Checkpoint{Session: "s1", Head: Head{Size: 1, Hash: Sum(nil)}}))
	f.Add("tinnhiem checkpoint v1\nsession a\nsize 0\nhead 00\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCheckpoint(text)
		if err != nil {
			return
		}
		if FormatCheckpoint(c) != text {
			t.Fatalf("ParseCheckpoint accepted %q, which does not format back to itself", text)
		}
	})
}

func ExampleVerifyChain() {
	var h Head
	e1, _ := h.Next("demo", SessionCreated, "organiser", t0, SessionCreatedData{ID: "demo", Rules: "qd96"})
	h, _ = h.Append(&e1)
	e2, _ := h.Next("demo", SessionOpened, "organiser", t0, SessionOpenedData{Summoned: 3, Present: 3, QuorumMet: true})
	log := []Entry{e1, e2}
	head, err := VerifyChain(log)
	fmt.Println("verified:", err == nil, "size:", head.Size)

	log[0].Actor = "someone else"
	_, err = VerifyChain(log)
	var ce *ChainError
	errors.As(err, &ce)
	fmt.Println("first bad entry:", ce.Seq)
	// Output:
	// verified: true size: 2
	// first bad entry: 1
}

// TestTrackerCode: a tracker's receipt reads back to its first 15 bytes
// whatever the case and dashes, and is never taken for a card's receipt.
func TestTrackerCode(t *testing.T) {
	var h Hash
	for i := range h {
		h[i] = byte(7 * i)
	}
	code := TrackerCode(h)
	if !strings.HasPrefix(code, "TB1-") || len(strings.Split(code, "-")) != 7 {
		t.Fatalf("TrackerCode = %q, want TB1 and six groups", code)
	}
	got, ok := ParseTrackerCode(strings.ToLower(strings.ReplaceAll(code, "-", " ")))
	if !ok || !bytes.Equal(got, h[:15]) {
		t.Errorf("ParseTrackerCode(%q) = %x, %v", code, got, ok)
	}
	if _, ok := ParseReceipt(code); ok {
		t.Errorf("a tracker's receipt %q parsed as a card's", code)
	}
}
