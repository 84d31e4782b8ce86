package verify_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/tally"
	"tinnhiem/tally/report"
	"tinnhiem/verify"
)

var update = flag.Bool("update", false, "regenerate the test vectors in audit/testdata/bundles")

// vectorDir holds the test vectors: one directory each, holding the bundle
// in bundle/ and an EXPECT.txt whose first line is "expect: CHECK-ID" (or "expect: ok"),
// then optionally "entry: N" (the first bad entry the check must name),
// "key: VERIFIER-KEY" (the key to pin) and "about: TEXT".
const vectorDir = "../audit/testdata/bundles"

// vector is one way of tampering with the fixture's bundle.
type vector struct {
	name   string
	expect string
	about  string
	// build returns the bundle to write (nil: the fixture's own), then
	// post edits the written directory, and entry is the first bad entry.
	build func(t testing.TB, f *fixture) (b *audit.Bundle, post func(dir string), entry uint64, pinned string)
}

func seqOf(i int) uint64 { return uint64(i) + 1 }

// resortBallots re-sorts the run of Ballot entries
// by ballot hash, as the service would have sealed them.
func resortBallots(t testing.TB, es []audit.Entry) []audit.Entry {
	first, last := index(es, audit.BallotEntry), lastIndex(es, audit.BallotEntry)
	run := es[first : last+1]
	slices.SortFunc(run, func(a, b audit.Entry) int {
		ha, hb := audit.BallotHash(decode[audit.BallotData](t, &a)), audit.BallotHash(decode[audit.BallotData](t, &b))
		return bytes.Compare(ha[:], hb[:])
	})
	return es
}

// setCounts makes SessionClosed.collected and BallotsSealed.count agree
// with the Ballot entries present.
func setCounts(t testing.TB, es []audit.Entry) []audit.Entry {
	n := 0
	for _, e := range es {
		if e.Type == audit.BallotEntry {
			n++
		}
	}
	c := index(es, audit.SessionClosed)
	closed := decode[audit.SessionClosedData](t, &es[c])
	closed.Collected = n
	setData(t, &es[c], closed)
	setData(t, &es[index(es, audit.BallotsSealed)], audit.BallotsSealedData{Count: n})
	return es
}

var vectors = []vector{
	{"valid", "ok", "the untouched bundle of a whole vote, with a cosignature, the minutes and the two results files",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return nil, nil, 0, f.key.VerifierKey()
		}},
	{"valid-unpinned", "ok", "the untouched bundle verified without a pinned key",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) { return nil, nil, 0, "" }},
	{"changed-ballot", "tally", "an operator changed a sealed ballot's marks, re-sorted and re-signed the log",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.BallotEntry)
			d := decode[audit.BallotData](t, &es[i])
			d.Marks = strings.Repeat("L", len(d.Marks))
			setData(t, &es[i], d)
			es = resortBallots(t, es)
			return f.forge(t, es, f.key, true), nil, seqOf(index(es, audit.TallyComputed)), ""
		}},
	{"dropped-ballot", "ballots", "an operator removed a sealed ballot and fixed the counts",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := setCounts(t, remove(f.entries(), index(f.bundle.Entries, audit.BallotEntry)))
			return f.forge(t, es, f.key, true), nil, seqOf(lastIndex(es, audit.TokensUsed)), ""
		}},
	{"extra-ballot", "ballots", "an operator added a ballot and fixed the counts",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.BallotEntry)
			extra := es[i]
			setData(t, &extra, audit.BallotData{ID: strings.Repeat("ab", 16), Marks: "HHH"})
			es = setCounts(t, resortBallots(t, insert(es, i, extra)))
			return f.forge(t, es, f.key, true), nil, seqOf(lastIndex(es, audit.TokensUsed)), ""
		}},
	{"reordered-ballots", "events", "two sealed ballots swapped, chain rebuilt and re-signed: ballots are no longer sorted by hash",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.BallotEntry)
			es[i], es[i+1] = es[i+1], es[i]
			return f.forge(t, es, f.key, true), nil, seqOf(i + 1), ""
		}},
	{"reordered-entries", "chain", "two entries swapped in a copy of the log",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			b.Entries[2], b.Entries[3] = b.Entries[3], b.Entries[2]
			return b, nil, 3, ""
		}},
	{"changed-tally", "tally", "the logged tally moves a vote from high to normal confidence",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.TallyComputed)
			res := decode[tally.Result](t, &es[i])
			res.Cadres[0].Counts[0]--
			res.Cadres[0].Counts[1]++
			setData(t, &es[i], res)
			return f.forge(t, es, f.key, true), nil, seqOf(i), ""
		}},
	{"forged-checkpoint", "checkpoint-sig", "a checkpoint's signature was altered",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			b.Checkpoints[1] = flipSignature(b.Checkpoints[1])
			return b, nil, 0, ""
		}},
	{"wrong-key", "key", "the whole bundle is signed consistently by a key other than the pinned one",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return f.forge(t, f.entries(), mustKey(t, "attacker", "tinnhiem"), true), nil, 0, f.key.VerifierKey()
		}},
	{"key-files-mismatch", "bundle", "keys/tinnhiem.pub holds another key than the manifest names",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			other := mustKey(t, "attacker", "tinnhiem")
			return nil, func(dir string) {
				editFile(t, dir, audit.BundleSignifyKey, func([]byte) []byte { return other.SignifyPublicKey() })
				fixManifest(t, dir)
			}, 0, ""
		}},
	{"report-swapped", "document-hashes", "results.csv replaced by another file, signed with the real key",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			i := docIndex(t, b, "results.csv")
			data := bytes.Replace(b.Documents[i].Data, []byte("Nguyễn Văn An"), []byte("Nguyễn Văn Ân"), 1)
			b.Documents[i] = audit.BundleDocument{Name: b.Documents[i].Name, Data: data, Signature: f.key.SignDetached(data, "tinnhiem.pub")}
			return b, nil, seqOf(index(b.Entries, audit.ReportIssued)), ""
		}},
	{"report-missing", "documents-present", "results.json, named in the log, was left out",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			b.Documents = slices.Delete(b.Documents, docIndex(t, b, "results.json"), docIndex(t, b, "results.json")+1)
			return b, nil, seqOf(index(b.Entries, audit.ReportIssued)), ""
		}},
	{"bad-detached-signature", "document-signatures", "results.csv carries the signature of results.json",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			b.Documents[docIndex(t, b, "results.csv")].Signature = b.Documents[docIndex(t, b, "results.json")].Signature
			return b, nil, 0, ""
		}},
	{"unsigned-tail", "checkpoint-coverage", "a ReportIssued entry appended after the last signed checkpoint, hashed and linked, naming documents the key signed",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			last := b.Entries[len(b.Entries)-1]
			extra := appended(t, last, audit.ReportIssued, decode[audit.ReportIssuedData](t, &last))
			b.Entries = append(b.Entries, extra)
			return b, nil, extra.Seq, ""
		}},
	{"document-other-session", "document-session", "the minutes of another session of the same installation, signed by its key, in the log in place of this session's",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.ReportIssued)
			d := decode[audit.ReportIssuedData](t, &es[i])
			for j := range d.Documents {
				if d.Documents[j].Name == report.MinutesName {
					d.Documents[j].SHA256 = audit.Sum(f.otherMinutes.Data)
				}
			}
			setData(t, &es[i], d)
			b := f.forge(t, es, f.key, true)
			b.Documents[docIndex(t, b, report.MinutesName)] = f.otherMinutes
			return b, nil, seqOf(i), ""
		}},
	{"results-csv-mismatch", "results", "one figure of results.csv changed, the file re-signed and its hash logged in a re-signed log",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return f.changeDocument(t, "results.csv", func(data []byte) []byte {
				// Row 1 is c1 "3 high, 1 normal, 1 low"; it now says 2 low.
				return bytes.Replace(data, []byte(`"20,00",1,"20,00",Số`), []byte(`"20,00",2,"20,00",Số`), 1)
			})
		}},
	{"results-json-mismatch", "results", "one figure of results.json changed, the file re-signed and its hash logged in a re-signed log",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return f.changeDocument(t, "results.json", func(data []byte) []byte {
				return bytes.Replace(data, []byte(`"counts": [3, 1, 1]`), []byte(`"counts": [3, 2, 1]`), 1)
			})
		}},
	{"document-not-in-log", "document-hashes", "a signed document that no ReportIssued entry names",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			data := []byte("Kết quả khác\n")
			b.Documents = append(b.Documents, audit.BundleDocument{Name: "results2.csv", Data: data, Signature: f.key.SignDetached(data, "tinnhiem.pub")})
			return b, nil, 0, ""
		}},
	{"token-never-issued", "tokens", "a used card that was never issued replaces a real one",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.TokensUsed)
			d := decode[audit.TokensData](t, &es[i])
			d.Hashes[len(d.Hashes)-1] = audit.Hash{0: 0xff, 31: 0x01}
			setData(t, &es[i], d)
			return f.forge(t, es, f.key, true), nil, seqOf(i), ""
		}},
	{"token-revoked-used", "tokens", "the revoked card is one that voted",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			used := decode[audit.TokensData](t, &es[index(es, audit.TokensUsed)])
			i := index(es, audit.TokenRevoked)
			setData(t, &es[i], audit.TokenRevokedData{Hash: used.Hashes[0], Reason: "thẻ bị hỏng"})
			return f.forge(t, es, f.key, true), nil, seqOf(index(es, audit.TokensUsed)), ""
		}},
	{"token-used-twice", "tokens", "one card counted twice in TokensUsed",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.TokensUsed)
			d := decode[audit.TokensData](t, &es[i])
			d.Hashes = append(d.Hashes[:1], d.Hashes...)
			setData(t, &es[i], d)
			return f.forge(t, es, f.key, true), nil, seqOf(i), ""
		}},
	{"ballot-before-open", "events", "a ballot appears before the vote opened",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			b := es[index(es, audit.BallotEntry)]
			o := index(es, audit.SessionOpened)
			es = insert(es, o, b)
			return f.forge(t, es, f.key, true), nil, seqOf(o), ""
		}},
	{"ballot-after-close", "events", "a ballot appears after the tally",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.TallyComputed) + 1
			extra := es[index(es, audit.BallotEntry)]
			setData(t, &extra, audit.BallotData{ID: strings.Repeat("cd", 16), Marks: "HHH"})
			es = insert(es, i, extra)
			return f.forge(t, es, f.key, true), nil, seqOf(i), ""
		}},
	{"second-tally", "events", "a second TallyComputed after the reports",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			es = append(es, es[index(es, audit.TallyComputed)])
			return f.forge(t, es, f.key, true), nil, uint64(len(es)), ""
		}},
	{"tally-before-close", "events", "the tally logged while the vote was still open",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			tl := es[index(es, audit.TallyComputed)]
			es = remove(es, index(es, audit.TallyComputed))
			c := index(es, audit.SessionClosed)
			es = insert(es, c, tl)
			return f.forge(t, es, f.key, true), nil, seqOf(c), ""
		}},
	{"roster-after-open", "events", "the roster replaced after the vote opened",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			o := index(es, audit.SessionOpened) + 1
			es = insert(es, o, es[index(es, audit.RosterSet)])
			return f.forge(t, es, f.key, true), nil, seqOf(o), ""
		}},
	{"quorum-override-without-reason", "events", "SessionOpened claims an override although the quorum was met",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			o := index(es, audit.SessionOpened)
			d := decode[audit.SessionOpenedData](t, &es[o])
			d.Override = true
			setData(t, &es[o], d)
			return f.forge(t, es, f.key, true), nil, seqOf(o), ""
		}},
	{"collected-mismatch", "ballots", "SessionClosed claims one ballot more than was sealed",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			c := index(es, audit.SessionClosed)
			d := decode[audit.SessionClosedData](t, &es[c])
			d.Collected++
			setData(t, &es[c], d)
			return f.forge(t, es, f.key, true), nil, seqOf(index(es, audit.BallotsSealed)), ""
		}},
	{"checkpoint-not-matching", "checkpoint-log", "an early entry's actor changed and the chain rebuilt, under the old checkpoints",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			es[1].Actor = "cli:nguoi-khac"
			b := f.forge(t, es, f.key, true)
			b.Checkpoints = f.bundle.Checkpoints
			// The checkpoint signed after that entry is the first to differ.
			return b, nil, 2, ""
		}},
	{"checkpoint-beyond-log", "checkpoint-log", "the last entry (ReportIssued) and its documents were cut off",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			b.Entries = b.Entries[:len(b.Entries)-1]
			b.Documents = nil
			return b, nil, uint64(len(b.Entries)), ""
		}},
	{"checkpoint-other-session", "checkpoint-log", "a checkpoint signed for another session",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			msg, err := audit.SignCheckpoint(audit.Checkpoint{Session: "phienkhac", Head: audit.Head{Size: 3, Hash: b.Entries[2].Hash}}, f.key)
			if err != nil {
				t.Fatal(err)
			}
			b.Checkpoints = append(b.Checkpoints, msg)
			return b, nil, 0, ""
		}},
	{"truncated-log-line", "chain", "the last line of log.jsonl is cut in the middle",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return nil, func(dir string) {
				editFile(t, dir, audit.BundleLog, func(b []byte) []byte { return b[:len(b)-40] })
				fixManifest(t, dir)
			}, uint64(len(f.bundle.Entries)), ""
		}},
	{"non-json-line", "chain", "line 3 of log.jsonl is not JSON",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return nil, func(dir string) {
				editFile(t, dir, audit.BundleLog, func(b []byte) []byte {
					lines := bytes.SplitAfter(b, []byte("\n"))
					lines[2] = []byte("phiếu bầu đã bị xóa\n")
					return bytes.Join(lines, nil)
				})
				fixManifest(t, dir)
			}, 3, ""
		}},
	{"unknown-field", "chain", "line 2 of log.jsonl carries a field entries do not have",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return nil, func(dir string) {
				editFile(t, dir, audit.BundleLog, func(b []byte) []byte {
					lines := bytes.SplitAfter(b, []byte("\n"))
					lines[1] = append([]byte(`{"extra":1,`), lines[1][1:]...)
					return bytes.Join(lines, nil)
				})
				fixManifest(t, dir)
			}, 2, ""
		}},
	{"empty-log", "chain", "log.jsonl is empty",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return nil, func(dir string) {
				editFile(t, dir, audit.BundleLog, func([]byte) []byte { return nil })
				fixManifest(t, dir)
			}, 0, ""
		}},
	{"unknown-entry-type", "chain", "an entry of a type the format does not define, hashed correctly",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.BallotsSealed)
			es[i].Type = "BallotsDeleted"
			return f.forge(t, es, f.key, true), nil, seqOf(i), ""
		}},
	{"changed-ballot-unsigned", "chain", "a ballot's marks changed in a copy, hashes left alone",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			i := index(b.Entries, audit.BallotEntry)
			d := decode[audit.BallotData](t, &b.Entries[i])
			d.Marks = "LLL"
			setData(t, &b.Entries[i], d)
			return b, nil, seqOf(i), ""
		}},
	{"dropped-entry", "chain", "entry 5 removed from a copy",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			b.Entries = remove(b.Entries, 4)
			return b, nil, 5, ""
		}},
	{"inserted-entry", "chain", "entry 5 repeated in a copy",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			b.Entries = insert(b.Entries, 5, b.Entries[4])
			return b, nil, 6, ""
		}},
	{"broken-link", "chain", "entry 4 links to nothing; its own hash recomputed",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			b := copyBundle(f.bundle)
			b.Entries[3].Prev = audit.Hash{}
			b.Entries[3].Hash = b.Entries[3].ComputeHash()
			return b, nil, 4, ""
		}},
	{"entry-of-other-session", "chain", "entry 3 claims another session, chain rebuilt",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			es[2].Session = "phienkhac"
			return f.forge(t, es, f.key, true), nil, 3, ""
		}},
	{"bad-cosignature", "cosignatures", "the inspector's signature in CosignatureAdded was altered",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.CosignatureAdded)
			d := decode[audit.CosignatureData](t, &es[i])
			d.Note = string(flipSignature([]byte(d.Note)))
			setData(t, &es[i], d)
			return f.forge(t, es, f.key, false), nil, seqOf(i), ""
		}},
	{"cosignature-wrong-checkpoint", "cosignatures", "the cosigned checkpoint names a head the log never had",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			es := f.entries()
			i := index(es, audit.CosignatureAdded)
			msg, err := audit.SignCheckpoint(audit.Checkpoint{Session: f.id, Head: audit.Head{Size: 3, Hash: audit.Sum([]byte("khác"))}}, f.key)
			if err != nil {
				t.Fatal(err)
			}
			co, err := verify.Cosign(msg, f.inspector)
			if err != nil {
				t.Fatal(err)
			}
			setData(t, &es[i], audit.CosignatureData{Name: f.inspector.Name(), Key: f.inspector.VerifierKey(), Size: 3, Note: string(co)})
			return f.forge(t, es, f.key, false), nil, seqOf(i), ""
		}},
	{"manifest-hash-mismatch", "bundle", "README changed without updating BUNDLE.txt",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return nil, func(dir string) {
				editFile(t, dir, audit.BundleReadme, func(b []byte) []byte { return append(b, "sửa\n"...) })
			}, 0, ""
		}},
	{"manifest-missing-file", "bundle", "a checkpoint listed in BUNDLE.txt is missing",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return nil, func(dir string) {
				if err := os.Remove(filepath.Join(dir, "checkpoints", "0001.note")); err != nil {
					t.Fatal(err)
				}
			}, 0, ""
		}},
	{"unlisted-file", "bundle", "a document that BUNDLE.txt does not list",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return nil, func(dir string) {
				if err := os.WriteFile(filepath.Join(dir, "documents", "extra.txt"), []byte("x\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}, 0, ""
		}},
	{"bad-bundle-header", "bundle", "BUNDLE.txt names a version this verifier does not know",
		func(t testing.TB, f *fixture) (*audit.Bundle, func(string), uint64, string) {
			return nil, func(dir string) {
				editFile(t, dir, audit.BundleManifest, func(b []byte) []byte {
					return bytes.Replace(b, []byte(audit.BundleHeader), []byte("tinnhiem bundle v2"), 1)
				})
			}, 0, ""
		}},
}

// docIndex returns the index of the document name in b.
func docIndex(t testing.TB, b *audit.Bundle, name string) int {
	t.Helper()
	for i, d := range b.Documents {
		if d.Name == name {
			return i
		}
	}
	t.Fatalf("the bundle holds no document %s", name)
	return 0
}

// appended returns the entry that follows prev, of type typ with data v,
// hashed and linked as the service would: what anyone who relays a bundle
// can compute, without the key.
func appended(t testing.TB, prev audit.Entry, typ audit.Type, v any) audit.Entry {
	t.Helper()
	at, err := time.Parse(time.RFC3339, prev.Time)
	if err != nil {
		t.Fatal(err)
	}
	e, err := audit.Head{Size: prev.Seq, Hash: prev.Hash}.Next(prev.Session, typ, prev.Actor, at.Add(time.Minute), v)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// changeDocument plays an operator who changes the document name, signs it
// with the installation key, logs its new hash in place of the old one and
// re-signs the whole log; the failing entry is the ReportIssued.
func (f *fixture) changeDocument(t testing.TB, name string, edit func([]byte) []byte) (*audit.Bundle, func(string), uint64, string) {
	t.Helper()
	b := copyBundle(f.bundle)
	i := docIndex(t, b, name)
	data := edit(bytes.Clone(b.Documents[i].Data))
	if bytes.Equal(data, b.Documents[i].Data) {
		t.Fatalf("the edit of %s changed nothing", name)
	}
	es := f.entries()
	r := index(es, audit.ReportIssued)
	d := decode[audit.ReportIssuedData](t, &es[r])
	for j := range d.Documents {
		if d.Documents[j].Name == name {
			d.Documents[j].SHA256 = audit.Sum(data)
		}
	}
	setData(t, &es[r], d)
	b = f.forge(t, es, f.key, true)
	b.Documents[i] = audit.BundleDocument{Name: name, Data: data, Signature: f.key.SignDetached(data, report.PublicKeyName)}
	return b, nil, seqOf(r), ""
}

// writeVector writes one vector's directory.
func writeVector(t testing.TB, f *fixture, v vector, dir string) {
	t.Helper()
	b, post, entry, pinned := v.build(t, f)
	if b == nil {
		b = f.bundle
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	bdir := filepath.Join(dir, "bundle")
	if err := audit.WriteBundle(dirFiles(bdir), b); err != nil {
		t.Fatalf("%s: %v", v.name, err)
	}
	if post != nil {
		post(bdir)
	}
	var e strings.Builder
	fmt.Fprintf(&e, "expect: %s\n", v.expect)
	if entry > 0 {
		fmt.Fprintf(&e, "entry: %d\n", entry)
	}
	if pinned != "" {
		fmt.Fprintf(&e, "key: %s\n", pinned)
	}
	fmt.Fprintf(&e, "about: %s\n", v.about)
	if err := os.WriteFile(filepath.Join(dir, "EXPECT.txt"), []byte(e.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGenerateVectors regenerates audit/testdata/bundles:
//
//	go test ./verify -run TestGenerateVectors -update
func TestGenerateVectors(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate the vectors")
	}
	f := newFixture(t)
	if err := os.RemoveAll(vectorDir); err != nil {
		t.Fatal(err)
	}
	for _, v := range vectors {
		writeVector(t, f, v, filepath.Join(vectorDir, v.name))
	}
}

// expectation is a vector's EXPECT.txt.
type expectation struct {
	check string
	entry uint64
	key   string
}

func readExpect(t *testing.T, dir string) expectation {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "EXPECT.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var x expectation
	for i, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		k, v, _ := strings.Cut(l, ": ")
		switch {
		case i == 0 && k != "expect":
			t.Fatalf("EXPECT.txt starts with %q, want an expect: line", l)
		case k == "expect":
			x.check = v
		case k == "entry":
			if x.entry, err = strconv.ParseUint(v, 10, 64); err != nil {
				t.Fatalf("EXPECT.txt: %v", err)
			}
		case k == "key":
			x.key = v
		}
	}
	return x
}

// verifyDir reads and verifies a vector's bundle as tinnhiem-verify does.
func verifyDir(t *testing.T, dir, key string) *verify.Report {
	t.Helper()
	var opts verify.Options
	if key != "" {
		pub, err := verify.ParsePinnedKey([]byte(key))
		if err != nil {
			t.Fatal(err)
		}
		opts.Key = pub
	}
	return verify.BundleFS(os.DirFS(filepath.Join(dir, "bundle")), opts)
}

func TestVectors(t *testing.T) {
	dirs, err := os.ReadDir(vectorDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 31 {
		t.Fatalf("%d vectors, want a valid one and at least 30 broken ones", len(dirs))
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join(vectorDir, d.Name())
			x := readExpect(t, dir)
			rep := verifyDir(t, dir, x.key)
			var failed []string
			for _, c := range rep.Checks {
				if c.Status == verify.StatusFailed {
					failed = append(failed, c.ID)
					seen[c.ID] = true
				}
			}
			if x.check == "ok" {
				if len(failed) > 0 {
					t.Fatalf("failed checks %v, want none: %+v", failed, rep.FirstFailure())
				}
				return
			}
			if len(failed) != 1 || failed[0] != x.check {
				t.Fatalf("failed checks %v, want exactly [%s]; report %+v", failed, x.check, rep.Checks)
			}
			if got := rep.Check(x.check).Entry; x.entry != 0 && got != x.entry {
				t.Errorf("check %s names entry %d, want %d (%s)", x.check, got, x.entry, rep.Check(x.check).Detail)
			}
		})
	}
	for _, id := range verify.CheckIDs {
		if !seen[id] {
			t.Errorf("no vector fails check %s", id)
		}
	}
}

// TestVectorsUpToDate regenerates every vector in memory and compares it
// with the committed files, so that a change of format cannot leave stale
// vectors behind.
func TestVectorsUpToDate(t *testing.T) {
	f := newFixture(t)
	for _, v := range vectors {
		dir := filepath.Join(t.TempDir(), v.name)
		writeVector(t, f, v, dir)
		want := filepath.Join(vectorDir, v.name)
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			got, _ := os.ReadFile(p)
			committed, err := os.ReadFile(filepath.Join(want, rel))
			if err != nil || !bytes.Equal(got, committed) {
				t.Errorf("vector %s: %s differs from a fresh generation; run go test ./verify -run TestGenerateVectors -update", v.name, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
