package main

import (
	"fmt"
	"os"

	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/tally/report"
)

func init() {
	register(
		command{"minutes export", "minutes export --db FILE --session ID --out FILE.pdf", cmdMinutesExport},
		command{"minutes add-signature", "minutes add-signature --db FILE --session ID FILE.pdf", cmdMinutesAddSignature},
		command{"minutes status", "minutes status --db FILE --session ID", cmdMinutesStatus},
	)
}

// cmdMinutesExport writes the minutes as stored now — with the signatures
// recorded so far — for the next committee member to sign.
func cmdMinutesExport(e *env, args []string) error {
	f := newFlags("minutes export", true, true)
	out := f.String("out", "", "`FILE` to write the minutes to")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if *out == "" {
			return cli.Usagef("--out FILE is required")
		}
		docs, err := svc.Documents(e.ctx, *f.session)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if d.Name == report.MinutesName {
				if err := cli.WriteFileAtomic(*out, d.Data, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s → %s\nKý trên máy của mình / sign on your own machine: tinnhiem sign --in %s --out signed.pdf (--pkcs11-module … | --p12 …) [--tsa URL]\n",
					report.MinutesName, *out, *out)
				return nil
			}
		}
		return cli.WithHint(fmt.Errorf("the session has no minutes yet"), "tinnhiem tally --db "+*f.db+" --session "+*f.session+" --out DIR")
	})
}

// cmdMinutesAddSignature records a committee member's signature: FILE is
// the minutes as exported, with their signature appended by "tinnhiem sign"
// (or any PDF signer that appends an incremental update).
func cmdMinutesAddSignature(e *env, args []string) error {
	f := newFlags("minutes add-signature", true, true)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("give the signed minutes FILE.pdf")
		}
		fi, err := os.Stat(pos[0])
		if err != nil {
			return fmt.Errorf("failed to read %s: %w", pos[0], err)
		}
		if fi.Size() > ballot.MaxSignedDocument {
			return fmt.Errorf("%s is larger than %d MiB", pos[0], ballot.MaxSignedDocument>>20)
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return fmt.Errorf("failed to read %s: %w", pos[0], err)
		}
		rec, err := svc.AddDocumentSignature(e.ctx, cliActor(), *f.session, report.MinutesName, data)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "✓ đã ghi nhận chữ ký của / recorded the signature of %s (chứng thư / certificate %s, cấp bởi / issued by %s)\n", rec.Member, rec.Signer, rec.Issuer)
		if rec.Timestamp != "" {
			fmt.Fprintf(e.stdout, "  dấu thời gian / timestamp: %s\n", rec.Timestamp)
		} else {
			fmt.Fprintln(e.stdout, "  không có dấu thời gian: giờ ký là đồng hồ máy người ký / no timestamp: the signing time is the signer's clock")
		}
		fmt.Fprintf(e.stdout, "  SHA-256: %s\n", rec.SHA256)
		return printSignatureStatus(e, svc, *f.session)
	})
}

func cmdMinutesStatus(e *env, args []string) error {
	f := newFlags("minutes status", true, true)
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		return printSignatureStatus(e, svc, *f.session)
	})
}

// printSignatureStatus lists the counting committee: who has signed the
// minutes and who has not.
func printSignatureStatus(e *env, svc *ballot.Service, id string) error {
	st, err := svc.DocumentSignatures(e.ctx, id, report.MinutesName)
	if err != nil {
		return err
	}
	done := 0
	for _, m := range st.Committee {
		if d, ok := st.Signed[m]; ok {
			done++
			fmt.Fprintf(e.stdout, "  ✓ %s — đã ký / signed (%s)\n", m, d.Signer)
		} else {
			fmt.Fprintf(e.stdout, "  ✗ %s — chưa ký / not signed\n", m)
		}
	}
	fmt.Fprintf(e.stdout, "Ban kiểm phiếu đã ký / committee signed: %d/%d\n", done, len(st.Committee))
	return nil
}
