package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"tinnhiem/audit"
	"tinnhiem/ballot/box"
	"tinnhiem/cmd/internal/cli"
)

// The cast-as-intended check (Benaloh's challenge, SPEC.md 11.5.1): a voter who tapped "Kiểm tra mã hóa" holds an
// audit file — a ballot their phone made and will not send, with its randomness. This command decrypts it without
// any trustee, so that a phone that encrypts something else than the voter chose is caught.

const benalohUsage = "benaloh [--result FILE | --bundle BUNDLE] AUDIT-FILE"

// levelNames are the options of a line in SPEC.md 11.1's order, Vietnamese first, by the number of options.
var levelNames = map[int][]string{
	3: {"Tín nhiệm cao / high confidence", "Tín nhiệm / confidence", "Tín nhiệm thấp / low confidence"},
	2: {"Tín nhiệm / confidence", "Không tín nhiệm / no confidence"},
}

// choiceName says what an opened line holds, Vietnamese first.
func choiceName(options int, o box.OpenedLine) string {
	switch {
	case o.Choice == 0:
		return "Không đánh dấu (không hợp lệ) / no mark (invalid)"
	case o.Choice == box.Several:
		return fmt.Sprintf("Nhiều lựa chọn %v (không hợp lệ) / several marks %v (invalid)", o.Marks, o.Marks)
	case levelNames[options] != nil:
		return levelNames[options][o.Choice-1]
	default:
		return fmt.Sprintf("lựa chọn %d / option %d", o.Choice, o.Choice)
	}
}

// benalohOutcome is what the check of one audit file found, for the terminal and for the inspector's page.
type benalohOutcome struct {
	Session        string
	Tracker        string // TB1-…, recomputed from the ballot
	TrackerMatches bool   // the recomputed tracker is the one the page showed
	ValidBallot    error  // nil when the ballot's proofs and signature hold
	KeyChecked     string // how the joint key was checked against the ceremony, or ""
	Lines          []benalohLine
}

type benalohLine struct {
	N              int
	Name, Position string
	Choice         string
}

// checkAudit parses and opens an audit file; jointKey, when non-nil, is the ceremony's key the file must name.
func checkAudit(data []byte, jointKey *box.Point, session string) (*benalohOutcome, error) {
	a, err := box.ParseAudit(data)
	if err != nil {
		return nil, bif("không đọc được tệp kiểm tra: %v", "cannot read the audit file: %v", err).
			withHint("the file must be the tinnhiem-box-audit/v1 file the voter page offered after \"Kiểm tra mã hóa\"")
	}
	if jointKey != nil {
		if a.Params.Session != session {
			return nil, bif("tệp kiểm tra thuộc phiên %q, không phải phiên %q của lễ tạo khóa", "the audit file is for session %q, not the ceremony's session %q", a.Params.Session, session)
		}
		if a.Params.JointKey != *jointKey {
			return nil, bif("khóa chung trong tệp kiểm tra không phải khóa của lễ tạo khóa: phiếu này không được mã hóa cho Ban kiểm phiếu",
				"the audit file's joint key is not the ceremony's: this ballot was not encrypted to the counting committee")
		}
	}
	opened, err := box.OpenAudited(&a.Params, a.Ballot, a.Randomness)
	if err != nil {
		return nil, bif("phiếu không mở được bằng độ ngẫu nhiên đã tiết lộ — điện thoại không mã hóa đúng điều nó cho thấy: %v",
			"the ballot does not open with the revealed randomness — the phone did not encrypt what it shows: %v", err)
	}
	tr := a.Ballot.Tracker(&a.Params)
	out := &benalohOutcome{
		Session:        a.Params.Session,
		Tracker:        audit.TrackerCode(audit.Hash(tr)),
		TrackerMatches: hex.EncodeToString(tr[:]) == a.Tracker,
		ValidBallot:    box.VerifyBallot(&a.Params, a.Ballot, false),
	}
	for k, o := range opened {
		c := a.Cadres[k]
		out.Lines = append(out.Lines, benalohLine{N: k + 1, Name: c.Name, Position: c.Position, Choice: choiceName(a.Params.Options, o)})
	}
	return out, nil
}

func (o *benalohOutcome) print(w io.Writer) {
	fmt.Fprintf(w, "Phiên / session: %s\n", o.Session)
	fmt.Fprintf(w, "Mã xác nhận / tracker: %s\n", o.Tracker)
	for _, l := range o.Lines {
		fmt.Fprintf(w, "  %d. %s (%s): %s\n", l.N, l.Name, l.Position, l.Choice)
	}
	if o.KeyChecked != "" {
		fmt.Fprintf(w, "✓ Khóa chung khớp / the joint key matches: %s\n", o.KeyChecked)
	}
	if o.ValidBallot != nil {
		fmt.Fprintf(w, "✗ Phiếu không hợp lệ / the ballot is not valid: %v\n", o.ValidBallot)
	}
	if !o.TrackerMatches {
		fmt.Fprintln(w, "✗ Mã xác nhận trong tệp khác mã tính lại / the tracker in the file differs from the recomputed one")
	}
	if o.ok() {
		fmt.Fprintln(w, "✓ Phiếu mở được: so từng dòng với lựa chọn của cử tri và mã xác nhận với mã trên điện thoại.")
		fmt.Fprintln(w, "  The ballot opens: compare each line with the voter's choice, and the tracker with the one the phone showed.")
	}
}

func (o *benalohOutcome) ok() bool { return o.ValidBallot == nil && o.TrackerMatches }

func cmdBenaloh(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("benaloh", flag.ContinueOnError)
	result := fl.String("result", "", "the key ceremony's result `FILE` (KeyCeremonyCompleted), to check the joint key")
	bundle := fl.String("bundle", "", "the session's `BUNDLE`, to check the joint key against its verified ceremony")
	pos, err := cli.Parse(fl, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("want one audit file, got %d argument(s)", len(pos))
	}
	if *result != "" && *bundle != "" {
		return cli.Usagef("--result and --bundle are alternatives")
	}
	var key *box.Point
	var session, how string
	switch {
	case *result != "":
		data, err := readPublic(*result, "the ceremony's result")
		if err != nil {
			return err
		}
		cer, err := box.ParseCeremony(data)
		if err != nil {
			return bif("không đọc được %s: %v", "cannot read %s: %v", *result, err)
		}
		key, session, how = &cer.JointKey, cer.Session, *result
	case *bundle != "":
		var logged []byte
		rep := verifyPath(*bundle, nil, stderr, func(e *audit.Entry) {
			if e.Type == audit.KeyCeremonyCompleted {
				logged = append([]byte(nil), e.Data...)
			}
		})
		if !rep.OK() {
			printReport(stderr, *bundle, rep)
			return bif("hồ sơ %s không hợp lệ: không dùng được để kiểm tra khóa chung", "the bundle %s does not verify: its joint key cannot be trusted", *bundle)
		}
		cer, err := ceremonyOfEntry(logged)
		if err != nil {
			return bif("hồ sơ %s không có lễ tạo khóa đã hoàn tất: %v", "the bundle %s has no completed key ceremony: %v", *bundle, err)
		}
		key, session, how = &cer.JointKey, cer.Session, *bundle
	}
	data, err := readPublic(pos[0], "the audit file")
	if err != nil {
		return err
	}
	out, err := checkAudit(data, key, session)
	if err != nil {
		return err
	}
	out.KeyChecked = how
	out.print(stdout)
	if !out.ok() {
		return errFailed
	}
	return nil
}

// ceremonyOfEntry reads the result inside a KeyCeremonyCompleted entry's data.
func ceremonyOfEntry(data []byte) (*box.Ceremony, error) {
	if data == nil {
		return nil, errors.New("no KeyCeremonyCompleted entry")
	}
	var d audit.KeyCeremonyCompletedData
	if err := decodeStrictJSON(data, &d); err != nil {
		return nil, err
	}
	return box.ParseCeremony(d.Result)
}

// decodeStrictJSON is encoding/json with unknown members refused.
func decodeStrictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
