package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/gtank/ristretto255"

	"tinnhiem/ballot/box"
	"tinnhiem/cmd/internal/cli"
)

// from is a message and the file it came from, so that an error can name both.
type from[T any] struct {
	file string
	v    T
}

// inputs are the public messages given to a trustee command, sorted by kind. Ceremony messages are kept as they
// came: which ones count depends on the session, checked later.
type inputs struct {
	round1     []from[*box.Round1]
	round2     []from[*box.Round2]
	round3     []from[*box.Round3]
	complaints []from[*box.Complaint]
	partials   []from[*box.Partial]
}

// loadInputs reads every message of paths: files, or directories whose *.json files are read (not recursively).
// A trustee's secret or key file among them is refused: it must stay off the stick that carries the messages.
func loadInputs(paths []string) (*inputs, error) {
	in := &inputs{}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("failed to read the inputs: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("failed to read the inputs: %w", err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && strings.EqualFold(filepath.Ext(e.Name()), ".json") {
				files = append(files, filepath.Join(p, e.Name()))
			}
		}
	}
	for _, f := range files {
		if err := in.add(f); err != nil {
			return nil, err
		}
	}
	return in, nil
}

func (in *inputs) add(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("failed to read the inputs: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxMessageBytes+1))
	f.Close()
	if err != nil {
		return fmt.Errorf("failed to read %s: %w", file, err)
	}
	if len(data) > maxMessageBytes {
		return bif("%s lớn quá %d MiB", "%s is larger than %d MiB", file, maxMessageBytes>>20)
	}
	bad := func(err error) error {
		return bif("không đọc được %s: %v", "cannot read %s: %v", file, err)
	}
	switch format := sniffFormat(data); format {
	case box.FormatRound1V1:
		r, err := box.ParseRound1(data)
		if err != nil {
			return bad(err)
		}
		in.round1 = append(in.round1, from[*box.Round1]{file, r})
	case box.FormatRound2V1:
		r, err := box.ParseRound2(data)
		if err != nil {
			return bad(err)
		}
		in.round2 = append(in.round2, from[*box.Round2]{file, r})
	case box.FormatRound3V1:
		r, err := box.ParseRound3(data)
		if err != nil {
			return bad(err)
		}
		in.round3 = append(in.round3, from[*box.Round3]{file, r})
	case box.FormatComplaintV1:
		c, err := box.ParseComplaint(data)
		if err != nil {
			return bad(err)
		}
		in.complaints = append(in.complaints, from[*box.Complaint]{file, c})
	case box.FormatPartialV1:
		p, err := box.ParsePartial(data)
		if err != nil {
			return bad(err)
		}
		in.partials = append(in.partials, from[*box.Partial]{file, p})
	case box.FormatCeremonyV1, box.FormatTallyV1, box.FormatResultV1:
		// Public files that share the exchange folder; the commands that need one take it by its own flag.
	case box.FormatTrusteeSecretV1, box.FormatTrusteeKeyV1, FormatSealedV1:
		return bif("%s là tệp bí mật của một thành viên: không để nó cùng các thông điệp", "%s is a trustee's secret file: it must not be among the messages", file).
			withHint("keep secret and key files on the trustee's own laptop, outside the folder that goes to the console")
	default:
		return bif("%s không phải thông điệp của lễ tạo khóa hay kiểm phiếu (định dạng %q)", "%s is not a message of the key ceremony or the count (format %q)", file, format)
	}
	return nil
}

// stage is how far into the ceremony a command reads: round 1 only, rounds 1 and 2, or everything.
type stage int

const (
	stageRound1 stage = iota + 1
	stageRound2
	stageRound3
)

// ceremony is the checked, deduplicated set of a ceremony's messages, one per trustee.
type ceremony struct {
	session    string
	n, t       int
	round1     map[int]*box.Round1 // valid in round 1
	round2     map[int]*box.Round2
	round3     map[int]*box.Round3
	complaints []*box.Complaint
}

func (c *ceremony) round1List() []*box.Round1 {
	var out []*box.Round1
	for _, i := range sortedInts(c.round1) {
		out = append(out, c.round1[i])
	}
	return out
}

func (c *ceremony) round2List() []*box.Round2 {
	var out []*box.Round2
	for _, i := range sortedInts(c.round2) {
		out = append(out, c.round2[i])
	}
	return out
}

func sortedInts[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// ceremonyOf identifies the ceremony of the round-1 messages when the caller has no secret file to say which one.
func (in *inputs) ceremonyOf() (string, int, int, error) {
	type id struct {
		session string
		n, t    int
	}
	seen := map[id]bool{}
	var ids []string
	var last id
	for _, r := range in.round1 {
		k := id{r.v.Session, r.v.N, r.v.T}
		if !seen[k] {
			seen[k], last = true, k
			ids = append(ids, fmt.Sprintf("%q n=%d t=%d", k.session, k.n, k.t))
		}
	}
	switch len(ids) {
	case 0:
		return "", 0, 0, bif("không có thông điệp vòng 1 nào trong các tệp đầu vào", "no round-1 message among the inputs").
			withHint("give the folder or files that hold round1-*.json")
	case 1:
		return last.session, last.n, last.t, nil
	}
	return "", 0, 0, bif("các thông điệp vòng 1 thuộc nhiều lễ tạo khóa: %s", "the round-1 messages belong to several ceremonies: %s", strings.Join(ids, "; ")).
		withHint("keep one ceremony's messages per folder")
}

func absentHint(i int) string {
	return fmt.Sprintf("copy trustee %d's file into the inputs; if the committee goes on without trustee %d, add --absent %d (it will be disqualified)", i, i, i)
}

// check keeps the messages of the ceremony (session, n, t), refusing any that belongs to another or does not
// verify, and any two different messages of one trustee for one round; every trustee not named absent must have
// sent each round up to upTo.
func (in *inputs) check(session string, n, t int, absent map[int]bool, upTo stage) (*ceremony, error) {
	c := &ceremony{session: session, n: n, t: t, round1: map[int]*box.Round1{}, round2: map[int]*box.Round2{}, round3: map[int]*box.Round3{}}
	for i := range absent {
		if i > n {
			return nil, cli.Usagef("--absent %d: the ceremony has trustees 1 to %d", i, n)
		}
	}
	files := map[int]string{}
	for _, r := range in.round1 {
		if r.v.Session != session || r.v.N != n || r.v.T != t {
			return nil, bif("%s: vòng 1 của thành viên %d thuộc lễ tạo khóa khác (phiên %q, n=%d, t=%d; cần phiên %q, n=%d, t=%d)",
				"%s: round 1 of trustee %d belongs to another ceremony (session %q, n=%d, t=%d; this one is session %q, n=%d, t=%d)",
				r.file, r.v.Trustee, r.v.Session, r.v.N, r.v.T, session, n, t).withHint("remove that file from the inputs")
		}
		if err := box.VerifyRound1(r.v, session, n, t); err != nil {
			return nil, bif("%s: vòng 1 của thành viên %d không hợp lệ: %v", "%s: round 1 of trustee %d does not verify: %v", r.file, r.v.Trustee, err).
				withHint("ask trustee %d for its round-1 file again; if the committee goes on without it, remove the file and add --absent %d", r.v.Trustee, r.v.Trustee)
		}
		if old := c.round1[r.v.Trustee]; old != nil {
			if !bytes.Equal(box.FormatRound1(old), box.FormatRound1(r.v)) {
				return nil, bif("thành viên %d có hai thông điệp vòng 1 khác nhau: %s và %s", "trustee %d sent two different round-1 messages: %s and %s",
					r.v.Trustee, files[r.v.Trustee], r.file)
			}
			continue
		}
		c.round1[r.v.Trustee], files[r.v.Trustee] = r.v, r.file
	}
	for i := 1; i <= n; i++ {
		if c.round1[i] == nil && !absent[i] {
			return nil, bif("thiếu thông điệp vòng 1 của thành viên %d", "round 1 of trustee %d is missing", i).withHint("%s", absentHint(i))
		}
	}
	if len(c.round1) < t {
		return nil, bif("chỉ %d thành viên có vòng 1 hợp lệ, cần ít nhất %d", "only %d trustees have a valid round 1; at least %d are needed", len(c.round1), t)
	}
	if upTo < stageRound2 {
		return c, nil
	}
	files = map[int]string{}
	for _, r := range in.round2 {
		if r.v.Session != session {
			return nil, bif("%s: vòng 2 của thành viên %d thuộc phiên khác (%q)", "%s: round 2 of trustee %d belongs to another session (%q)", r.file, r.v.Trustee, r.v.Session).
				withHint("remove that file from the inputs")
		}
		if c.round1[r.v.Trustee] == nil {
			return nil, bif("%s: vòng 2 của thành viên %d, người không có vòng 1 hợp lệ", "%s: round 2 of trustee %d, who has no valid round 1", r.file, r.v.Trustee)
		}
		if old := c.round2[r.v.Trustee]; old != nil {
			if !bytes.Equal(box.FormatRound2(old), box.FormatRound2(r.v)) {
				return nil, bif("thành viên %d có hai thông điệp vòng 2 khác nhau: %s và %s", "trustee %d sent two different round-2 messages: %s and %s",
					r.v.Trustee, files[r.v.Trustee], r.file)
			}
			continue
		}
		c.round2[r.v.Trustee], files[r.v.Trustee] = r.v, r.file
	}
	for _, i := range sortedInts(c.round1) {
		if c.round2[i] == nil && !absent[i] {
			return nil, bif("thiếu thông điệp vòng 2 của thành viên %d", "round 2 of trustee %d is missing", i).withHint("%s", absentHint(i))
		}
	}
	if upTo < stageRound3 {
		return c, nil
	}
	files = map[int]string{}
	seen := map[string]bool{}
	addComplaint := func(file string, k *box.Complaint) error {
		if k.Session != session {
			return bif("%s: khiếu nại của thành viên %d thuộc phiên khác (%q)", "%s: the complaint of trustee %d belongs to another session (%q)", file, k.Trustee, k.Session)
		}
		if raw := string(box.FormatComplaint(k)); !seen[raw] {
			seen[raw] = true
			c.complaints = append(c.complaints, k)
		}
		return nil
	}
	for _, r := range in.round3 {
		if r.v.Session != session {
			return nil, bif("%s: vòng 3 của thành viên %d thuộc phiên khác (%q)", "%s: round 3 of trustee %d belongs to another session (%q)", r.file, r.v.Trustee, r.v.Session).
				withHint("remove that file from the inputs")
		}
		if c.round1[r.v.Trustee] == nil {
			return nil, bif("%s: vòng 3 của thành viên %d, người không có vòng 1 hợp lệ", "%s: round 3 of trustee %d, who has no valid round 1", r.file, r.v.Trustee)
		}
		if old := c.round3[r.v.Trustee]; old != nil {
			if !bytes.Equal(box.FormatRound3(old), box.FormatRound3(r.v)) {
				return nil, bif("thành viên %d có hai thông điệp vòng 3 khác nhau: %s và %s", "trustee %d sent two different round-3 statements: %s and %s",
					r.v.Trustee, files[r.v.Trustee], r.file)
			}
			continue
		}
		c.round3[r.v.Trustee], files[r.v.Trustee] = r.v, r.file
		for _, k := range r.v.Complaints {
			if err := addComplaint(r.file, k); err != nil {
				return nil, err
			}
		}
	}
	for _, k := range in.complaints {
		if err := addComplaint(k.file, k.v); err != nil {
			return nil, err
		}
	}
	for _, i := range sortedInts(c.round1) {
		if c.round3[i] == nil && !absent[i] {
			return nil, bif("thiếu thông điệp vòng 3 của thành viên %d: chưa biết ai đủ điều kiện", "round 3 of trustee %d is missing: qualification is not known yet", i).
				withHint("%s", absentHint(i))
		}
	}
	return c, nil
}

// qualify runs the public qualification of SPEC.md 11.6 on the checked messages.
func (c *ceremony) qualify() (*box.Ceremony, error) {
	cer, err := box.Qualify(c.session, c.n, c.t, c.round1List(), c.round2List(), c.complaints)
	if err != nil {
		if cer != nil {
			return nil, bif("lễ tạo khóa không thành: chỉ %d thành viên đủ điều kiện, cần %d (%s)", "the key ceremony failed: %d trustees qualified, %d needed (%s)",
				len(cer.Qualified), c.t, describeDisqualified(cer.Disqualified))
		}
		return nil, bif("lễ tạo khóa không thành: %v", "the key ceremony failed: %v", err)
	}
	return cer, nil
}

var reasonText = map[string]string{
	"round1":    "không có vòng 1 hợp lệ / no valid round 1",
	"round2":    "vòng 2 thiếu hoặc sai / round 2 missing or incomplete",
	"share":     "gửi phần chia sai, bị khiếu nại có căn cứ / sent a bad share (justified complaint)",
	"complaint": "khiếu nại sai / made a false complaint",
}

func describeDisqualified(ds []box.Disqualification) string {
	if len(ds) == 0 {
		return "không ai bị loại / none disqualified"
	}
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("thành viên / trustee %d: %s", d.Trustee, reasonText[d.Reason]))
	}
	return strings.Join(parts, "; ")
}

// checkOwnRound1 makes sure that the round-1 message of this trustee among the inputs is the one its secret file
// made: a swapped message would have its shares fail against someone else's commitments.
func checkOwnRound1(ts *box.TrusteeSecret, c *ceremony) error {
	r := c.round1[ts.Trustee]
	if r == nil {
		return bif("thiếu thông điệp vòng 1 của chính thành viên %d", "this trustee's own round 1 (trustee %d) is missing", ts.Trustee).
			withHint("add the round1 file that trustee round1 wrote on this laptop")
	}
	same := baseMult(ts.EncryptionSecret) == r.EncryptionKey && len(r.Commitments) == len(ts.Coefficients)
	for k := 0; same && k < len(ts.Coefficients); k++ {
		same = baseMult(ts.Coefficients[k]) == r.Commitments[k]
	}
	if !same {
		return bif("thông điệp vòng 1 của thành viên %d trong các tệp đầu vào không khớp tệp bí mật trên máy này", "the round 1 of trustee %d among the inputs does not match this laptop's secret file", ts.Trustee).
			withHint("the secret file belongs to another ceremony, or the round1 file was replaced")
	}
	return nil
}

// baseMult returns x·G for a scalar that a box parser has already checked.
func baseMult(x box.Scalar) box.Point {
	s := ristretto255.NewScalar()
	if err := s.Decode(x[:]); err != nil {
		panic("tinnhiem-verify: a checked scalar did not decode")
	}
	var p box.Point
	ristretto255.NewElement().ScalarBaseMult(s).Encode(p[:0])
	return p
}

// intList is a flag of trustee numbers, given as 2,3 or repeated.
type intList map[int]bool

func (l intList) String() string { return joinInts(sortedInts(l)) }

func (l intList) Set(s string) error {
	for _, f := range strings.Split(s, ",") {
		i, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || i < 1 {
			return fmt.Errorf("%q is not a trustee number", f)
		}
		l[i] = true
	}
	return nil
}

// pathList is a repeatable flag of input files or folders.
type pathList []string

func (l *pathList) String() string { return strings.Join(*l, ",") }

func (l *pathList) Set(s string) error { *l = append(*l, s); return nil }

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for n, x := range xs {
		s[n] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// readPublic reads one public message file named by a flag.
func readPublic(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, bif("không có tệp %s (%s)", "%s does not exist (%s)", path, what)
		}
		return nil, fmt.Errorf("failed to read %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMessageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", path, err)
	}
	if len(data) > maxMessageBytes {
		return nil, bif("%s lớn quá %d MiB", "%s is larger than %d MiB", path, maxMessageBytes>>20)
	}
	return data, nil
}
