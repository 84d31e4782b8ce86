package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/cmd/internal/cli"
)

// The key ceremony and the decryption of an encrypted session run on the
// trustees' own laptops (tinnhiem-verify trustee …); these commands carry
// their public messages into the audit log and back out as files, so that
// a vote runs from the command line as it does from the console.

func init() {
	register(
		command{"ceremony status", "ceremony status --db FILE --session ID", cmdCeremonyStatus},
		command{"ceremony add", "ceremony add --db FILE --session ID FILE…", cmdCeremonyAdd},
		command{"ceremony export", "ceremony export --db FILE --session ID --out DIR", cmdCeremonyExport},
		command{"ceremony complete", "ceremony complete --db FILE --session ID [--absent I,…]", cmdCeremonyComplete},
		command{"partial export-tally", "partial export-tally --db FILE --session ID --out tally.json", cmdPartialExportTally},
		command{"partial add", "partial add --db FILE --session ID FILE…", cmdPartialAdd},
	)
}

// publicFile is a message as tinnhiem-verify trustee writes it: the compact
// JSON and a newline, so that its SHA-256 is the same on every laptop.
func publicFile(msg []byte) []byte { return append(bytes.TrimSpace(msg), '\n') }

// resultDigest is the SHA-256 that "tinnhiem-verify trustee result" prints
// for the same result, which the trustees compare before the vote opens.
func resultDigest(result []byte) string {
	sum := sha256.Sum256(publicFile(result))
	return hex.EncodeToString(sum[:])
}

func yesNo(b bool) string {
	if b {
		return "✓"
	}
	return "·"
}

func cmdCeremonyStatus(e *env, args []string) error {
	f := newFlags("ceremony status", true, true)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		st, err := svc.Ceremony(e.ctx, *f.session)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Lễ tạo khóa / key ceremony: %s — n=%d, t=%d\n", *f.session, st.N, st.T)
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SỐ/NO.\tTHÀNH VIÊN/TRUSTEE\tVÒNG/ROUND 1\t2\t3\tGHI CHÚ/NOTE")
		for _, ts := range st.Trustees {
			note := ""
			switch {
			case ts.Disqualified != "":
				note = "bị loại / disqualified: " + ts.Disqualified
			case ts.Absent:
				note = "vắng / absent"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", ts.Number, ts.Name, yesNo(ts.Round1), yesNo(ts.Round2), yesNo(ts.Round3), note)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if !st.Completed {
			fmt.Fprintf(e.stdout, "Chưa hoàn tất / not completed: %s\n", plural(len(st.Messages), "message", "messages"))
			return nil
		}
		fmt.Fprintln(e.stdout, "✓ Đã hoàn tất / completed")
		fmt.Fprintf(e.stdout, "  Khóa chung / joint key: %s\n", base64.RawURLEncoding.EncodeToString(st.JointKey[:]))
		fmt.Fprintf(e.stdout, "  SHA-256 của kết quả / of the result: %s\n", resultDigest(st.Result))
		return nil
	})
}

// messageHead is what names a ceremony message's file: its round and its
// trustee.
type messageHead struct {
	Format  string `json:"format"`
	Trustee int    `json:"trustee"`
}

var roundOfFormat = map[string]int{box.FormatRound1V1: 1, box.FormatRound2V1: 2, box.FormatRound3V1: 3}

func cmdCeremonyAdd(e *env, args []string) error {
	f := newFlags("ceremony add", true, true)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if len(pos) == 0 {
			return cli.Usagef("give the message files (round1-1.json …)")
		}
		st, err := svc.Ceremony(e.ctx, *f.session)
		if err != nil {
			return err
		}
		for _, file := range pos {
			data, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("failed to read %s: %w", file, err)
			}
			// A folder of messages often goes round again with the
			// ones already in: those are reported, not refused.
			if recorded(st.Messages, data) {
				fmt.Fprintf(e.stdout, "= %s: đã có trong nhật ký / already recorded\n", file)
				continue
			}
			if err := svc.AddCeremonyMessage(e.ctx, cliActor(), *f.session, data); err != nil {
				return fmt.Errorf("%s: %w (this file was not recorded)", file, err)
			}
			var h messageHead
			_ = json.Unmarshal(data, &h) // the service parsed it already
			fmt.Fprintf(e.stdout, "✓ %s: vòng / round %d, thành viên / trustee %d\n", file, roundOfFormat[h.Format], h.Trustee)
		}
		st, err = svc.Ceremony(e.ctx, *f.session)
		if err != nil {
			return err
		}
		for round := 1; round <= 3; round++ {
			var missing []string
			for _, ts := range st.Trustees {
				if ![]bool{ts.Round1, ts.Round2, ts.Round3}[round-1] {
					missing = append(missing, strconv.Itoa(ts.Number))
				}
			}
			if len(missing) > 0 {
				fmt.Fprintf(e.stdout, "Vòng / round %d: còn chờ / waiting for trustee %s\n", round, strings.Join(missing, ", "))
				return nil
			}
		}
		fmt.Fprintf(e.stdout, "Đủ ba vòng / all three rounds are in: tinnhiem ceremony complete --db %s --session %s\n", *f.db, *f.session)
		return nil
	})
}

func recorded(messages []json.RawMessage, data []byte) bool {
	var compact bytes.Buffer
	if json.Compact(&compact, data) != nil {
		return false
	}
	for _, m := range messages {
		if bytes.Equal(bytes.TrimSpace(m), compact.Bytes()) {
			return true
		}
	}
	return false
}

func cmdCeremonyExport(e *env, args []string) error {
	f := newFlags("ceremony export", true, true)
	out := f.String("out", "", "`DIR` to write the messages to")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if *out == "" {
			return cli.Usagef("--out DIR is required")
		}
		st, err := svc.Ceremony(e.ctx, *f.session)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(*out, 0o750); err != nil {
			return fmt.Errorf("failed to create %s: %w", *out, err)
		}
		write := func(name string, msg []byte) error {
			path := filepath.Join(*out, name)
			if err := cli.WriteFileAtomic(path, publicFile(msg), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "  %s\n", path)
			return nil
		}
		for _, m := range st.Messages {
			var h messageHead
			if err := json.Unmarshal(m, &h); err != nil || roundOfFormat[h.Format] == 0 {
				panic("tinnhiem: the service returned a ceremony message it did not check")
			}
			if err := write(fmt.Sprintf("round%d-%d.json", roundOfFormat[h.Format], h.Trustee), m); err != nil {
				return err
			}
		}
		if st.Completed {
			if err := write("result.json", st.Result); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stdout, "Đã xuất / exported %s", plural(len(st.Messages), "message", "messages"))
		if st.Completed {
			fmt.Fprintf(e.stdout, " và kết quả / and the result (SHA-256 %s)", resultDigest(st.Result))
		}
		fmt.Fprintln(e.stdout)
		return nil
	})
}

func cmdCeremonyComplete(e *env, args []string) error {
	f := newFlags("ceremony complete", true, true)
	var absent cli.StringList
	f.Var(&absent, "absent", "go on without trustee `I` (comma-separated or repeated)")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		var numbers []int
		for _, a := range absent {
			for _, s := range strings.Split(a, ",") {
				i, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil || i < 1 {
					return cli.Usagef("--absent takes trustee numbers 1, 2, … (got %q)", s)
				}
				numbers = append(numbers, i)
			}
		}
		if err := svc.CompleteCeremony(e.ctx, cliActor(), *f.session, numbers); err != nil {
			return err
		}
		st, err := svc.Ceremony(e.ctx, *f.session)
		if err != nil {
			return err
		}
		var qualified []string
		for _, ts := range st.Trustees {
			if ts.Disqualified != "" {
				fmt.Fprintf(e.stdout, "✗ Bị loại / disqualified: thành viên / trustee %d (%s): %s\n", ts.Number, ts.Name, ts.Disqualified)
			} else if !ts.Absent {
				qualified = append(qualified, strconv.Itoa(ts.Number))
			}
		}
		fmt.Fprintf(e.stdout, "✓ Đã hoàn tất lễ tạo khóa / key ceremony completed: đủ điều kiện / qualified trustees %s (n=%d, t=%d)\n",
			strings.Join(qualified, ", "), st.N, st.T)
		fmt.Fprintf(e.stdout, "  Khóa chung / joint key: %s\n", base64.RawURLEncoding.EncodeToString(st.JointKey[:]))
		fmt.Fprintf(e.stdout, "  SHA-256 của kết quả / of the result: %s — mỗi thành viên so với mã tinnhiem-verify trustee result in ra / each trustee compares it with the one tinnhiem-verify trustee result prints\n", resultDigest(st.Result))
		return nil
	})
}

func cmdPartialExportTally(e *env, args []string) error {
	f := newFlags("partial export-tally", true, true)
	out := f.String("out", "", "`FILE` to write the encrypted tally to")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if *out == "" {
			return cli.Usagef("--out FILE is required")
		}
		sum, p, err := svc.EncryptedTally(e.ctx, *f.session)
		if err != nil {
			return err
		}
		data := publicFile(box.FormatTally(sum))
		if err := cli.WriteFileAtomic(*out, data, 0o644); err != nil {
			return err
		}
		digest := sha256.Sum256(data)
		fmt.Fprintf(e.stdout, "✓ Bảng cộng đã mã hóa / encrypted tally: %s — %d phiếu / ballots, %d dòng / lines × %d\n", *out, sum.Ballots, p.Lines, p.Options)
		fmt.Fprintf(e.stdout, "  SHA-256: %s — tinnhiem-verify trustee decrypt in ra mã này / trustee decrypt prints the same\n", hex.EncodeToString(digest[:]))
		return nil
	})
}

func cmdPartialAdd(e *env, args []string) error {
	f := newFlags("partial add", true, true)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if len(pos) == 0 {
			return cli.Usagef("give the partial decryption files (partial-1.json …)")
		}
		for _, file := range pos {
			data, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("failed to read %s: %w", file, err)
			}
			// A partial that does not verify is logged all the same
			// (the record names who sent it), so the error says so.
			if err := svc.AddPartial(e.ctx, cliActor(), *f.session, data); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			part, _ := box.ParsePartial(data) // the service parsed it already
			fmt.Fprintf(e.stdout, "✓ %s: bản giải mã của thành viên / partial decryption of trustee %d\n", file, part.Trustee)
		}
		fmt.Fprintf(e.stdout, "Kiểm phiếu / tally: tinnhiem tally --db %s --session %s --out DIR\n", *f.db, *f.session)
		return nil
	})
}
