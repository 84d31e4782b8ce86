package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"tinnhiem/ballot/box"
	"tinnhiem/cmd/internal/cli"
)

// The counting committee's key ceremony and count on a laptop (SPEC.md 11.6–11.9): each member of the committee
// (a trustee) runs these commands on their own machine and carries the public messages to the console and the
// other trustees as files. The binary stays free of SQL and HTTP, so the messages travel only as files.

var trusteeCommands = []command{
	{"round1", "trustee round1 --session ID --n N [--t T] --trustee I --secret FILE [--passphrase-file F | --ask-passphrase] --out FILE", trusteeRound1},
	{"round2", "trustee round2 --secret FILE [--passphrase-file F] [--absent I,…] --out FILE IN…", trusteeRound2},
	{"round3", "trustee round3 --secret FILE [--passphrase-file F] [--absent I,…] --out FILE IN…", trusteeRound3},
	{"result", "trustee result [--absent I,…] --out FILE IN…", trusteeResult},
	{"key", "trustee key --secret FILE [--passphrase-file F] [--absent I,…] [--result FILE] --out FILE IN…", trusteeKey},
	{"decrypt", "trustee decrypt --key FILE [--passphrase-file F] --tally FILE [--result FILE] --out FILE", trusteeDecrypt},
	{"combine", "trustee combine --result FILE --tally FILE --out FILE IN…", trusteeCombine},
}

const trusteeUsage = "trustee round1|round2|round3|result|key|decrypt|combine …"

func printTrusteeUsage(w io.Writer) {
	fmt.Fprintln(w, "tinnhiem-verify trustee — lễ tạo khóa và giải mã kết quả của Ban kiểm phiếu trên máy tính của từng thành viên")
	fmt.Fprintln(w, "                          the counting committee's key ceremony and decryption, on each member's own laptop")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range trusteeCommands {
		fmt.Fprintf(w, "  tinnhiem-verify %s\n", c.usage)
	}
	fmt.Fprintln(w, `
Thứ tự / order:
  round1   mỗi thành viên: tạo tệp bí mật (0600) và thông điệp vòng 1
           each trustee: creates its secret file (0600) and its round-1 message
  round2   mỗi thành viên, khi có đủ vòng 1: các phần chia đã mã hóa cho người khác
           each trustee, given every round 1: the encrypted shares for the others
  round3   mỗi thành viên, khi có đủ vòng 2: kiểm tra phần chia nhận được; khiếu nại nếu sai, xác nhận nếu đúng
           each trustee, given every round 2: checks the shares it received; complaints if bad, a confirmation if not
  result   bất kỳ ai, khi có đủ vòng 3: ai đủ điều kiện, khóa chung, khóa kiểm tra (KeyCeremonyCompleted)
           anyone, given every round 3: who qualified, the joint key, the verification keys
  key      mỗi thành viên đủ điều kiện: tệp khóa giải mã (0600) / each qualified trustee: its decryption key file (0600)
  decrypt  sau khi đóng phiên: giải mã từng phần bảng cộng đã mã hóa, kèm chứng minh
           after close: the partial decryption of the encrypted tally, with proofs
  combine  bất kỳ ai: kiểm tra từng bản giải mã, ghép t bản hợp lệ, ra số phiếu
           anyone: checks every partial, combines t valid ones, solves the counts

IN… là các tệp hay thư mục chứa thông điệp (*.json), hoặc --in DIR. Tệp bí mật không bao giờ được ghi đè, không đặt
cùng thư mục với thông điệp. Không có mật khẩu tệp sẽ không khóa; --ask-passphrase hỏi trên màn hình, không hiện chữ.
IN… are files or folders of messages (*.json), or --in DIR. Secret files are never overwritten and must not sit
among the messages. Without a passphrase a secret file is not sealed; --ask-passphrase asks on the terminal without echo.
--absent I: the committee goes on without trustee I (it is disqualified if its messages are missing).
Exit status: 0 done, 1 refused (nothing written), 2 usage error.`)
}

// cmdTrustee dispatches the trustee subcommands; a usage error names the subcommand's own usage.
func cmdTrustee(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printTrusteeUsage(stdout)
		return &cli.UsageError{Msg: "a trustee command is required", Usage: trusteeUsage}
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printTrusteeUsage(stdout)
		return nil
	}
	for _, c := range trusteeCommands {
		if c.name == args[0] {
			err := c.run(args[1:], stdout, stderr)
			var ue *cli.UsageError
			if errors.As(err, &ue) && ue.Usage == "" {
				ue.Usage = c.usage
			}
			return err
		}
	}
	return &cli.UsageError{Msg: fmt.Sprintf("unknown trustee command %q", args[0]), Usage: trusteeUsage}
}

func required(values ...string) error {
	for n := 0; n+1 < len(values); n += 2 {
		if values[n+1] == "" {
			return cli.Usagef("--%s is required", values[n])
		}
	}
	return nil
}

func trusteeRound1(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("trustee round1", flag.ContinueOnError)
	session := fl.String("session", "", "the session `ID` (from the organiser)")
	n := fl.Int("n", 0, "number of trustees `N`, 2–64")
	t := fl.Int("t", 0, "threshold `T`: trustees needed to decrypt (default: a majority, ⌊N/2⌋+1)")
	trustee := fl.Int("trustee", 0, "this trustee's number `I`, 1–N")
	secret := fl.String("secret", "", "secret `FILE` to create (mode 0600)")
	out := fl.String("out", "", "round-1 message `FILE` to write")
	pass := &passphrase{}
	fl.StringVar(&pass.file, "passphrase-file", "", "seal the secret file with the passphrase on the first line of `F`")
	fl.BoolVar(&pass.ask, "ask-passphrase", false, "seal the secret file with a passphrase asked on the terminal")
	if pos, err := cli.Parse(fl, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return cli.Usagef("unexpected argument %q", pos[0])
	}
	if err := required("session", *session, "secret", *secret, "out", *out); err != nil {
		return err
	}
	if *n < 2 || *n > box.MaxTrustees {
		return cli.Usagef("--n must be between 2 and %d", box.MaxTrustees)
	}
	if *t == 0 {
		*t = box.DefaultThreshold(*n)
	}
	if *t < 1 || *t > *n {
		return cli.Usagef("--t must be between 1 and --n (%d)", *n)
	}
	if *trustee < 1 || *trustee > *n {
		return cli.Usagef("--trustee must be between 1 and --n (%d)", *n)
	}
	if pass.file != "" && pass.ask {
		return cli.Usagef("give --passphrase-file or --ask-passphrase, not both")
	}
	if *secret == *out {
		return cli.Usagef("--secret and --out must be different files")
	}
	if err := refuseExisting(*secret, *out); err != nil {
		return err
	}
	pw, err := pass.forNew(stderr)
	if err != nil {
		return err
	}
	ts, r1, err := box.NewTrustee(rand.Reader, *session, *n, *t, *trustee)
	if err != nil {
		return bif("không bắt đầu được lễ tạo khóa: %v", "cannot start the key ceremony: %v", err)
	}
	if err := writeSecret(*secret, box.FormatTrusteeSecret(ts), box.FormatTrusteeSecretV1, pw); err != nil {
		return err
	}
	if err := writePublic(*out, box.FormatRound1(r1)); err != nil {
		// Without its round 1 the secret is useless, and a second try must be able to create it again.
		os.Remove(*secret)
		return err
	}
	sealed := ""
	if pw != nil {
		sealed = ", khóa bằng mật khẩu / sealed with the passphrase"
	}
	fmt.Fprintf(stdout, "✓ Đã tạo tệp bí mật / created the secret file %s (0600%s): giữ trên máy này, không gửi đi / keep it on this laptop, never send it\n", *secret, sealed)
	fmt.Fprintf(stdout, "✓ Đã viết vòng 1 / wrote round 1 of trustee %d of %d (t=%d) for session %q: %s\n", *trustee, *n, *t, *session, *out)
	fmt.Fprintf(stdout, "  Gửi %s cho Ban tổ chức và các thành viên khác / give %s to the console and the other trustees\n", *out, *out)
	return nil
}

// secretCommand is what round2, round3 and key share: the secret file, its passphrase, the inputs, who is absent.
type secretCommand struct {
	fl     *flag.FlagSet
	secret string
	out    string
	pass   passphrase
	absent intList
	in     pathList
}

func newSecretCommand(name string) *secretCommand {
	c := &secretCommand{fl: flag.NewFlagSet(name, flag.ContinueOnError), absent: intList{}}
	c.fl.StringVar(&c.secret, "secret", "", "this trustee's secret `FILE` (from round1)")
	c.fl.StringVar(&c.out, "out", "", "`FILE` to write")
	c.fl.StringVar(&c.pass.file, "passphrase-file", "", "the secret file's passphrase, on the first line of `F` (else asked on the terminal)")
	c.fl.Var(c.absent, "absent", "go on without trustee `I` (comma-separated or repeated)")
	c.fl.Var(&c.in, "in", "a `DIR` or file of messages (repeatable; also as arguments)")
	return c
}

func (c *secretCommand) parse(args []string) error {
	pos, err := cli.Parse(c.fl, args)
	if err != nil {
		return err
	}
	c.in = append(c.in, pos...)
	if err := required("secret", c.secret, "out", c.out); err != nil {
		return err
	}
	if len(c.in) == 0 {
		return cli.Usagef("give the messages: files or folders, as arguments or with --in")
	}
	return refuseExisting(c.out)
}

// load reads the secret file and the inputs and checks the ceremony's messages up to upTo.
func (c *secretCommand) load(upTo stage, stderr io.Writer) (*box.TrusteeSecret, *ceremony, error) {
	ts, err := loadSecret(c.secret, &c.pass, stderr)
	if err != nil {
		return nil, nil, err
	}
	in, err := loadInputs(c.in)
	if err != nil {
		return nil, nil, err
	}
	cer, err := in.check(ts.Session, ts.N, ts.T, c.absent, upTo)
	if err != nil {
		return nil, nil, err
	}
	if err := checkOwnRound1(ts, cer); err != nil {
		return nil, nil, err
	}
	return ts, cer, nil
}

func printAbsent(w io.Writer, cer *ceremony, absent intList, round string, has func(int) bool) {
	for i := 1; i <= cer.n; i++ {
		if absent[i] && !has(i) {
			fmt.Fprintf(w, "  Thành viên %d vắng mặt, không có %s / trustee %d absent, no %s\n", i, round, i, round)
		}
	}
}

func trusteeRound2(args []string, stdout, stderr io.Writer) error {
	c := newSecretCommand("trustee round2")
	if err := c.parse(args); err != nil {
		return err
	}
	ts, cer, err := c.load(stageRound1, stderr)
	if err != nil {
		return err
	}
	r2, err := ts.Round2(cer.round1List())
	if err != nil {
		return bif("không tạo được vòng 2: %v", "cannot make round 2: %v", err)
	}
	if err := writePublic(c.out, box.FormatRound2(r2)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "✓ Vòng 1 hợp lệ / round 1 verifies: trustees %s (session %q, n=%d, t=%d)\n", joinInts(sortedInts(cer.round1)), cer.session, cer.n, cer.t)
	printAbsent(stdout, cer, c.absent, "round 1", func(i int) bool { return cer.round1[i] != nil })
	var to []int
	for _, s := range r2.Shares {
		to = append(to, s.To)
	}
	fmt.Fprintf(stdout, "✓ Đã viết vòng 2 / wrote round 2 of trustee %d: encrypted shares for trustees %s: %s\n", ts.Trustee, joinInts(to), c.out)
	return nil
}

func trusteeRound3(args []string, stdout, stderr io.Writer) error {
	c := newSecretCommand("trustee round3")
	if err := c.parse(args); err != nil {
		return err
	}
	ts, cer, err := c.load(stageRound2, stderr)
	if err != nil {
		return err
	}
	complaints, err := ts.CheckShares(rand.Reader, cer.round1List(), cer.round2List())
	if err != nil {
		return bif("không kiểm tra được các phần chia: %v", "cannot check the shares: %v", err)
	}
	against := map[int]bool{}
	for _, k := range complaints {
		against[k.Against] = true
	}
	st := &box.Round3{Session: ts.Session, Trustee: ts.Trustee, Complaints: complaints, Checked: []int{}}
	for _, i := range sortedInts(cer.round1) {
		if i != ts.Trustee && !against[i] {
			st.Checked = append(st.Checked, i)
		}
	}
	if err := writePublic(c.out, box.FormatRound3(st)); err != nil {
		return err
	}
	for _, i := range sortedInts(cer.round1) {
		switch {
		case i == ts.Trustee:
		case !against[i]:
			fmt.Fprintf(stdout, "✓ Phần chia của thành viên %d đúng / the share from trustee %d checks\n", i, i)
		case cer.round2[i] == nil:
			fmt.Fprintf(stdout, "✗ Thành viên %d không gửi vòng 2: đã viết khiếu nại / trustee %d sent no round 2: a complaint is written\n", i, i)
		default:
			fmt.Fprintf(stdout, "✗ Phần chia của thành viên %d không qua kiểm tra: đã viết khiếu nại / the share from trustee %d fails its check: a complaint is written\n", i, i)
		}
	}
	if len(complaints) == 0 {
		fmt.Fprintf(stdout, "✓ Đã viết xác nhận vòng 3 / wrote trustee %d's round-3 confirmation: %s\n", ts.Trustee, c.out)
	} else {
		fmt.Fprintf(stdout, "✗ Đã viết %d khiếu nại vào vòng 3 / wrote %d complaint(s) in trustee %d's round 3: %s\n", len(complaints), len(complaints), ts.Trustee, c.out)
	}
	fmt.Fprintf(stdout, "  Gửi %s cho Ban tổ chức và các thành viên khác / give %s to the console and the other trustees\n", c.out, c.out)
	return nil
}

func trusteeResult(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("trustee result", flag.ContinueOnError)
	out := fl.String("out", "", "`FILE` to write the ceremony's result to")
	absent := intList{}
	fl.Var(absent, "absent", "go on without trustee `I` (comma-separated or repeated)")
	var in pathList
	fl.Var(&in, "in", "a `DIR` or file of messages (repeatable; also as arguments)")
	pos, err := cli.Parse(fl, args)
	if err != nil {
		return err
	}
	in = append(in, pos...)
	if err := required("out", *out); err != nil {
		return err
	}
	if len(in) == 0 {
		return cli.Usagef("give the messages: files or folders, as arguments or with --in")
	}
	if err := refuseExisting(*out); err != nil {
		return err
	}
	msgs, err := loadInputs(in)
	if err != nil {
		return err
	}
	session, n, t, err := msgs.ceremonyOf()
	if err != nil {
		return err
	}
	cer, err := msgs.check(session, n, t, absent, stageRound3)
	if err != nil {
		return err
	}
	res, err := cer.qualify()
	if err != nil {
		return err
	}
	if err := writePublic(*out, box.FormatCeremony(res)); err != nil {
		return err
	}
	printCeremony(stdout, res)
	fmt.Fprintf(stdout, "✓ Đã viết kết quả lễ tạo khóa / wrote the key ceremony's result (KeyCeremonyCompleted): %s\n", *out)
	return nil
}

func printCeremony(w io.Writer, res *box.Ceremony) {
	fmt.Fprintf(w, "✓ Đủ điều kiện / qualified: trustees %s (session %q, n=%d, t=%d)\n", joinInts(res.Qualified), res.Session, res.N, res.T)
	for _, d := range res.Disqualified {
		fmt.Fprintf(w, "✗ Bị loại / disqualified: thành viên / trustee %d: %s\n", d.Trustee, reasonText[d.Reason])
	}
	sum := sha256.Sum256(append(box.FormatCeremony(res), '\n'))
	fmt.Fprintf(w, "  Khóa chung / joint key: %s\n", b64.EncodeToString(res.JointKey[:]))
	fmt.Fprintf(w, "  SHA-256 của kết quả / of the result: %s\n", hex.EncodeToString(sum[:]))
	fmt.Fprintln(w, "  Các thành viên so mã này với nhau trước khi mở phiên / the trustees compare it with each other before the vote opens")
}

func trusteeKey(args []string, stdout, stderr io.Writer) error {
	c := newSecretCommand("trustee key")
	result := c.fl.String("result", "", "the ceremony's result `FILE` to compare with the recomputed one")
	if err := c.parse(args); err != nil {
		return err
	}
	if c.out == c.secret {
		return cli.Usagef("--secret and --out must be different files")
	}
	var given *box.Ceremony
	if *result != "" {
		data, err := readPublic(*result, "the ceremony's result")
		if err != nil {
			return err
		}
		if given, err = box.ParseCeremony(data); err != nil {
			return bif("không đọc được %s: %v", "cannot read %s: %v", *result, err)
		}
	}
	ts, cer, err := c.load(stageRound3, stderr)
	if err != nil {
		return err
	}
	res, err := cer.qualify()
	if err != nil {
		return err
	}
	if given != nil && !bytes.Equal(box.FormatCeremony(given), box.FormatCeremony(res)) {
		return bif("%s khác kết quả tính lại từ các thông điệp", "%s differs from the result recomputed from the messages", *result).
			withHint("someone's messages differ from the ones used for %s: compare the folders", *result)
	}
	for _, d := range res.Disqualified {
		if d.Trustee == ts.Trustee {
			return bif("thành viên %d không đủ điều kiện (%s): không có khóa giải mã", "trustee %d is not qualified (%s): it gets no decryption key", ts.Trustee, reasonText[d.Reason])
		}
	}
	key, err := ts.DecryptionKey(cer.round1List(), cer.round2List(), res)
	if err != nil {
		return bif("không tính được khóa giải mã: %v", "cannot compute the decryption key: %v", err)
	}
	pw := c.pass.cache
	if pw == nil && c.pass.file != "" {
		if pw, err = c.pass.forNew(stderr); err != nil {
			return err
		}
	}
	if err := writeSecret(c.out, box.FormatTrusteeKey(key), box.FormatTrusteeKeyV1, pw); err != nil {
		return err
	}
	printCeremony(stdout, res)
	sealed := ""
	if pw != nil {
		sealed = ", khóa bằng mật khẩu / sealed with the passphrase"
	}
	fmt.Fprintf(stdout, "✓ Khóa giải mã khớp khóa kiểm tra / the decryption key matches trustee %d's verification key\n", ts.Trustee)
	fmt.Fprintf(stdout, "✓ Đã tạo tệp khóa giải mã / created the decryption key file %s (0600%s): giữ đến khi kiểm phiếu / keep it until the count\n", c.out, sealed)
	return nil
}

// tallyParams are the parameters of the session that a tally belongs to: its shape comes from the tally itself.
func tallyParams(tally *box.Tally, jointKey box.Point, path string) (*box.Params, error) {
	if len(tally.Lines) == 0 || len(tally.Lines) > box.MaxLines {
		return nil, bif("%s: số dòng không hợp lệ", "%s: the tally has no valid number of lines", path)
	}
	options := len(tally.Lines[0])
	for k, l := range tally.Lines {
		if len(l) != options || options > box.MaxOptions {
			return nil, bif("%s: dòng %d có %d phương án", "%s: line %d has %d options", path, k+1, len(l))
		}
	}
	return &box.Params{Session: tally.Session, JointKey: jointKey, Lines: len(tally.Lines), Options: options}, nil
}

func loadTally(path string) (*box.Tally, [32]byte, error) {
	data, err := readPublic(path, "the encrypted tally")
	if err != nil {
		return nil, [32]byte{}, err
	}
	tally, err := box.ParseTally(data)
	if err != nil {
		return nil, [32]byte{}, bif("không đọc được bảng cộng %s: %v", "cannot read the tally %s: %v", path, err)
	}
	return tally, sha256.Sum256(data), nil
}

func trusteeDecrypt(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("trustee decrypt", flag.ContinueOnError)
	keyPath := fl.String("key", "", "this trustee's decryption key `FILE` (from trustee key)")
	tallyPath := fl.String("tally", "", "the encrypted tally `FILE` (EncryptedTally)")
	result := fl.String("result", "", "the ceremony's result `FILE`, to check the key against")
	out := fl.String("out", "", "partial decryption `FILE` to write")
	pass := &passphrase{}
	fl.StringVar(&pass.file, "passphrase-file", "", "the key file's passphrase, on the first line of `F` (else asked on the terminal)")
	if pos, err := cli.Parse(fl, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return cli.Usagef("unexpected argument %q", pos[0])
	}
	if err := required("key", *keyPath, "tally", *tallyPath, "out", *out); err != nil {
		return err
	}
	if err := refuseExisting(*out); err != nil {
		return err
	}
	tally, sum, err := loadTally(*tallyPath)
	if err != nil {
		return err
	}
	var cer *box.Ceremony
	if *result != "" {
		data, err := readPublic(*result, "the ceremony's result")
		if err != nil {
			return err
		}
		if cer, err = box.ParseCeremony(data); err != nil {
			return bif("không đọc được %s: %v", "cannot read %s: %v", *result, err)
		}
	}
	key, err := loadKey(*keyPath, pass, stderr)
	if err != nil {
		return err
	}
	if tally.Session != key.Session {
		return bif("bảng cộng %s thuộc phiên khác (%q; khóa này của phiên %q)", "the tally %s belongs to another session (%q; this key is for session %q)", *tallyPath, tally.Session, key.Session).
			withHint("nothing was decrypted; ask the organiser for this session's EncryptedTally")
	}
	own := box.VerificationKey{Trustee: key.Trustee, Key: baseMult(key.Secret)}
	if cer != nil {
		vk, ok := verificationKey(cer, key.Trustee)
		if cer.Session != key.Session || cer.JointKey != key.JointKey || !ok || vk != own.Key {
			return bif("khóa %s không khớp kết quả lễ tạo khóa %s", "the key %s does not match the ceremony's result %s", *keyPath, *result)
		}
	}
	p, err := tallyParams(tally, key.JointKey, *tallyPath)
	if err != nil {
		return err
	}
	part, err := box.PartialDecrypt(rand.Reader, p, key, tally)
	if err != nil {
		return bif("không giải mã từng phần được: %v", "cannot decrypt partially: %v", err)
	}
	// Check the proofs before anything leaves the laptop, against the key share itself.
	self := &box.Ceremony{Session: key.Session, JointKey: key.JointKey, VerificationKeys: []box.VerificationKey{own}}
	if err := box.VerifyPartial(p, self, tally, part); err != nil {
		return fmt.Errorf("failed to check the partial decryption just made: %w", err)
	}
	if err := writePublic(*out, box.FormatPartial(part)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  Bảng cộng / tally: %s, phiên / session %q, %d phiếu / ballots, %d dòng / lines × %d\n", *tallyPath, tally.Session, tally.Ballots, p.Lines, p.Options)
	fmt.Fprintf(stdout, "  SHA-256 của bảng cộng / of the tally: %s — so với mục EncryptedTally / compare with the EncryptedTally entry\n", hex.EncodeToString(sum[:]))
	fmt.Fprintf(stdout, "✓ Đã viết bản giải mã từng phần của thành viên %d / wrote trustee %d's partial decryption: %s\n", key.Trustee, key.Trustee, *out)
	return nil
}

func verificationKey(cer *box.Ceremony, j int) (box.Point, bool) {
	for _, vk := range cer.VerificationKeys {
		if vk.Trustee == j {
			return vk.Key, true
		}
	}
	return box.Point{}, false
}

func trusteeCombine(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("trustee combine", flag.ContinueOnError)
	result := fl.String("result", "", "the key ceremony's result `FILE` (from trustee result)")
	tallyPath := fl.String("tally", "", "the encrypted tally `FILE`")
	out := fl.String("out", "", "`FILE` to write the counts to")
	var in pathList
	fl.Var(&in, "in", "a `DIR` or file of partial decryptions (repeatable; also as arguments)")
	pos, err := cli.Parse(fl, args)
	if err != nil {
		return err
	}
	in = append(in, pos...)
	if err := required("result", *result, "tally", *tallyPath, "out", *out); err != nil {
		return err
	}
	if len(in) == 0 {
		return cli.Usagef("give the partial decryptions: files or folders, as arguments or with --in")
	}
	if err := refuseExisting(*out); err != nil {
		return err
	}
	data, err := readPublic(*result, "the ceremony's result")
	if err != nil {
		return err
	}
	cer, err := box.ParseCeremony(data)
	if err != nil {
		return bif("không đọc được %s: %v", "cannot read %s: %v", *result, err)
	}
	tally, _, err := loadTally(*tallyPath)
	if err != nil {
		return err
	}
	if tally.Session != cer.Session {
		return bif("bảng cộng %s thuộc phiên khác (%q; lễ tạo khóa của phiên %q)", "the tally %s belongs to another session (%q; the ceremony is of session %q)", *tallyPath, tally.Session, cer.Session)
	}
	p, err := tallyParams(tally, cer.JointKey, *tallyPath)
	if err != nil {
		return err
	}
	msgs, err := loadInputs(in)
	if err != nil {
		return err
	}
	if len(msgs.partials) == 0 {
		return bif("không có bản giải mã từng phần nào trong các tệp đầu vào", "no partial decryption among the inputs")
	}
	var parts []*box.Partial
	for _, m := range msgs.partials {
		parts = append(parts, m.v)
	}
	res, bad, err := box.Combine(p, cer, tally, parts)
	for _, pe := range bad {
		file := ""
		for _, m := range msgs.partials {
			if m.v.Trustee == pe.Trustee && box.VerifyPartial(p, cer, tally, m.v) != nil {
				file = m.file
			}
		}
		fmt.Fprintf(stdout, "✗ Bản giải mã từng phần của thành viên %d không hợp lệ, bị bỏ qua / the partial decryption of trustee %d does not verify and is left out (%s): %v\n",
			pe.Trustee, pe.Trustee, file, pe)
	}
	if err != nil {
		return bif("không ghép được: %v", "cannot combine: %v", err).withHint("at least %d valid partial decryptions are needed; nothing was written", cer.T)
	}
	if err := box.VerifyResult(p, cer, tally, parts, res); err != nil {
		return fmt.Errorf("failed to check the combined result: %w", err)
	}
	if err := writePublic(*out, box.FormatResult(res)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "✓ Ghép từ các thành viên / combined from trustees %s; %d phiếu / ballots\n", joinInts(res.Trustees), res.Ballots)
	for k, l := range res.Lines {
		counts := make([]string, len(l.Counts))
		for i, c := range l.Counts {
			counts[i] = fmt.Sprint(c)
		}
		fmt.Fprintf(stdout, "  Dòng / line %d: %s; không hợp lệ / invalid %d (nhiều dấu / multiple marks %d)\n", k+1, strings.Join(counts, " / "), l.Invalid, l.MultipleMarks)
	}
	fmt.Fprintf(stdout, "✓ Đã viết số phiếu / wrote the counts: %s\n", *out)
	if len(bad) > 0 {
		fmt.Fprintf(stderr, "tinnhiem-verify: warning: %d partial decryption(s) did not verify and were left out\n", len(bad))
	}
	return nil
}
