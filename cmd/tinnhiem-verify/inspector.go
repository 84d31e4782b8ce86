package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"tinnhiem/audit"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/verify"
)

// cmdReceipt tells a voter whether their card was used and counted. It
// answers only for a bundle that verifies: a receipt found in a forged log
// proves nothing.
func cmdReceipt(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("receipt", flag.ContinueOnError)
	receipt := fl.String("receipt", "", "the receipt `R` shown after voting (TN1-…)")
	key := fl.String("key", "", "pinned public key")
	pos, err := parseFlags(fl, args, 1)
	if err != nil {
		return err
	}
	if *receipt == "" {
		return cli.Usagef("--receipt R is required")
	}
	search, err := verify.NewReceiptSearch(*receipt)
	if err != nil {
		return cli.Usagef("%q is not a receipt: it looks like TN1-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX", *receipt)
	}
	pinned, err := loadPinned(*key)
	if err != nil {
		return err
	}
	rep := verifyPath(pos[0], pinned, stderr, search.Visit)
	if !rep.OK() {
		printReport(stdout, pos[0], rep)
		fmt.Fprintln(stdout, "✗ Hồ sơ không hợp lệ nên không thể xác nhận mã / the bundle does not verify, so the receipt cannot be confirmed")
		return errFailed
	}
	if search.Err != nil {
		return search.Err
	}
	if search.Seq == 0 {
		fmt.Fprintf(stdout, "✗ Không tìm thấy mã xác nhận %s trong phiên %s / receipt not found: no card of this session with this receipt was used\n", *receipt, rep.Session)
		return errFailed
	}
	fmt.Fprintf(stdout, "✓ Đã tính: thẻ có mã xác nhận %s đã được dùng và phiếu đã được tính (mục %d)\n", *receipt, search.Seq)
	fmt.Fprintf(stdout, "  counted: the card with this receipt was used and its ballot counted (entry %d, session %s, key %s)\n", search.Seq, rep.Session, rep.Fingerprint)
	if !rep.KeyPinned {
		fmt.Fprintln(stdout, "  Khóa chưa ghim / key not pinned: compare the fingerprint with the printed minutes.")
	}
	return nil
}

// cmdExtends checks that an earlier copy of a bundle is a prefix of a later
// one, after verifying both.
func cmdExtends(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("extends", flag.ContinueOnError)
	key := fl.String("key", "", "pinned public key")
	pos, err := parseFlags(fl, args, 2)
	if err != nil {
		return err
	}
	pinned, err := loadPinned(*key)
	if err != nil {
		return err
	}
	// Each log is read once; what is compared is the hash of every entry.
	var logs [2]verify.Prefix
	ok := true
	for i, p := range pos {
		rep := verifyPath(p, pinned, stderr, logs[i].Visit)
		if !rep.OK() {
			printReport(stdout, p, rep)
			ok = false
			continue
		}
		logs[i].Session, logs[i].Fingerprint = rep.Session, rep.Fingerprint
		fmt.Fprintf(stdout, "✓ %s: hợp lệ / verifies (%d mục / entries)\n", p, rep.Entries)
	}
	if !ok {
		fmt.Fprintln(stdout, "✗ Không thể so sánh: có hồ sơ không hợp lệ / cannot compare: a bundle does not verify")
		return errFailed
	}
	if err := verify.ExtendsPrefix(logs[0], logs[1]); err != nil {
		var ce *audit.ChainError
		if errors.As(err, &ce) {
			fmt.Fprintf(stdout, "✗ Lịch sử đã bị viết lại, mục %d / history was rewritten at entry %d: %v\n", ce.Seq, ce.Seq, ce.Err)
		} else {
			fmt.Fprintf(stdout, "✗ Hai hồ sơ không nối tiếp nhau / the bundles do not extend each other: %v\n", err)
		}
		return errFailed
	}
	fmt.Fprintf(stdout, "✓ %s là phần đầu của %s (%d/%d mục) / the old log is a prefix of the new one (%d of %d entries)\n",
		pos[0], pos[1], len(logs[0].Hashes), len(logs[1].Hashes), len(logs[0].Hashes), len(logs[1].Hashes))
	return nil
}

// cmdKeygen creates an inspector's cosigning key, readable only by its
// owner, and prints the public verifier key to give to the organiser.
func cmdKeygen(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("keygen", flag.ContinueOnError)
	path := fl.String("key", "", "key `FILE` to create (mode 0600)")
	name := fl.String("name", "inspector", "key `NAME` shown in signatures (letters, digits, no spaces or +)")
	if _, err := parseFlags(fl, args, 0); err != nil {
		return err
	}
	if *path == "" {
		return cli.Usagef("--key FILE is required")
	}
	k, err := audit.GenerateKey(rand.Reader, *name)
	if err != nil {
		return cli.Usagef("--name: %v", err)
	}
	f, err := os.OpenFile(*path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("key file %s already exists; choose another --key FILE", *path)
	}
	if err != nil {
		return fmt.Errorf("failed to create key file: %w", err)
	}
	if _, err := f.Write(audit.MarshalKey(k)); err != nil {
		f.Close()
		os.Remove(*path)
		return fmt.Errorf("failed to write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(*path)
		return fmt.Errorf("failed to write key file: %w", err)
	}
	fmt.Fprintf(stdout, "Đã tạo khóa / created key %s\n", *path)
	fmt.Fprintf(stdout, "khóa công khai / public key: %s\ndấu vân tay / fingerprint: %s\n", k.VerifierKey(), k.Fingerprint())
	return nil
}

// cmdCosign adds the inspector's signature to a checkpoint note.
func cmdCosign(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("cosign", flag.ContinueOnError)
	path := fl.String("key", "", "the inspector's key `FILE` (from keygen)")
	out := fl.String("out", "", "write the cosigned checkpoint to `FILE` instead of standard output")
	pos, err := parseFlags(fl, args, 1)
	if err != nil {
		return err
	}
	if *path == "" {
		return cli.Usagef("--key FILE is required")
	}
	raw, err := os.ReadFile(*path)
	if err != nil {
		return fmt.Errorf("failed to read key file: %w", err)
	}
	k, err := audit.ParseKey(raw)
	if err != nil {
		return fmt.Errorf("key file %s: %w", *path, err)
	}
	msg, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("failed to read checkpoint: %w", err)
	}
	signed, err := verify.Cosign(msg, k)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(signed)
	} else {
		err = os.WriteFile(*out, signed, 0o644)
	}
	if err != nil {
		return fmt.Errorf("failed to write the cosigned checkpoint: %w", err)
	}
	fmt.Fprintf(stderr, "tinnhiem-verify: đã đồng ký / cosigned as %s\n", k.VerifierKey())
	fmt.Fprintf(stderr, "tinnhiem-verify: hint: record it with: tinnhiem cosign add --db FILE --session ID --cosigner %s COSIGNED-FILE\n", k.VerifierKey())
	return nil
}
