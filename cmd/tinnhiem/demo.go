package main

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tinnhiem/ballot"
	"tinnhiem/ballot/simtrustee"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/web"
)

//go:embed demodata/members.csv demodata/cadres.csv
var demoData embed.FS

// cmdDemo prepares a complete demo session in a local SQLite file — roster,
// cadres, attendance, printed cards — opens it and serves it, printing what
// an organiser would do and the voting URLs, so that a newcomer sees a vote
// within a minute of "make run".
func cmdDemo(e *env, args []string) error {
	f := newFlags("demo", false, false)
	addr := f.String("addr", "127.0.0.1:8080", "`ADDRESS` to listen on")
	dir := f.String("dir", "tinnhiem-demo", "`DIR` for the demo database, key and cards")
	clear := f.Bool("clear", false, "a session of the older mode, ballots stored as marks, with no committee to simulate")
	committeeMode := f.String("committee", "simulated", "`MODE` of the encrypted session's counting committee: simulated (in this process) or phones (member links printed; the ceremony and the decryption run on the members' pages)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if *committeeMode != "simulated" && *committeeMode != "phones" {
		return fmt.Errorf("unknown --committee %q: use simulated or phones", *committeeMode)
	}
	phones := *committeeMode == "phones" && !*clear
	if err := cli.NoArgs(pos); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return fmt.Errorf("failed to create %s: %w", *dir, err)
	}
	in := newInstallation(filepath.Join(*dir, "demo.db"), "")
	db := in.DB
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(db + suffix); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("failed to start a fresh demo: %w", err)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return cli.WithHint(fmt.Errorf("failed to listen on %s: %w", *addr, err), "is another server using this port? try: tinnhiem demo --addr 127.0.0.1:8081")
	}
	base := "http://" + ln.Addr().String()
	ff := newFlags("demo", true, false)
	*ff.db, *ff.key = in.DB, in.Key
	svc, closeStore, err := openService(ff)
	if err != nil {
		ln.Close()
		return err
	}
	defer closeStore()
	sess, committee, err := prepareDemo(e, svc, *dir, base, !*clear, phones)
	if err != nil {
		ln.Close()
		return err
	}
	password, err := demoAccount(e, svc)
	if err != nil {
		ln.Close()
		return err
	}
	opts, err := webOptions(in, base, false)
	if err != nil {
		ln.Close()
		return err
	}
	if phones {
		fmt.Fprintf(e.stdout, "\nBan kiểm phiếu trên điện thoại / the committee on phones — mỗi thành viên mở liên kết của mình / each member opens their link:\n")
		for _, l := range demoMemberLinks {
			fmt.Fprintf(e.stdout, "  %d. %s: %s\n     (mã nhập tay / code to type: %s)\n", l.Trustee, l.Name, web.MemberURL(base, sess.ID, l.Code), ballot.FormatCode(l.Code))
		}
		fmt.Fprintf(e.stdout, "Từng thành viên bấm \"Tạo khóa\"; khi cả ba đã gửi vòng 3, hoàn tất lễ tạo khóa rồi mở phiên trong trang quản lý; sau khi đóng phiên, từng thành viên bấm \"Giải mã kết quả\" (2 trong 3 là đủ), rồi bấm Kiểm phiếu.\n"+
			"Each member taps \"Tạo khóa\"; once all three sent round 3, complete the ceremony and open the vote in the console; after close each member taps \"Giải mã kết quả\" (2 of 3 suffice), then Tally.\n")
		fmt.Fprintf(e.stdout, "Mã băm trang Ban kiểm phiếu / member page assets: %s\n", svc.MemberAssets)
	}
	fmt.Fprintf(e.stdout, "\nMở trang bỏ phiếu của từng thẻ / open a card's ballot page:\n")
	for _, u := range demoURLs {
		fmt.Fprintf(e.stdout, "  %s\n", u)
	}
	fmt.Fprintf(e.stdout, "\nNhập mã thủ công / manual code entry: %s/nhap-ma\n", base)
	self := selfCommand()
	fmt.Fprintf(e.stdout, "Đóng phiên / close the vote (another terminal): %s session close --db %s --session %s\n", self, db, sess.ID)
	fmt.Fprintf(e.stdout, "Nhật ký / audit log: %s log show --db %s --session %s\n", self, db, sess.ID)
	fmt.Fprintf(e.stdout, "Kiểm phiếu, báo cáo có chữ ký / tally and signed reports (after close): %s tally --db %s --session %s --out %s\n", self, db, sess.ID, filepath.Join(*dir, "reports"))
	if committee != nil {
		fmt.Fprintf(e.stdout, "Sau khi đóng phiên, Ban kiểm phiếu mô phỏng giải mã với 2 trong 3 thành viên (thành viên 3 vắng) / after close, the simulated committee decrypts with two of its three trustees (trustee 3 absent)\n")
	}
	fmt.Fprintf(e.stdout, "\nTrang quản lý / organiser console: %s/admin — tài khoản / account %q, mật khẩu / password %s\n", base, demoOrganiser, password)
	fmt.Fprintf(e.stdout, "Ctrl+C để dừng / to stop.\n\n")
	if committee != nil {
		go decryptWhenClosed(e, svc, committee)
	}
	return serveWith(e, svc, ln, opts)
}

// decryptWhenClosed plays the simulated committee's part after the vote
// closes, from the console or from another terminal: two of its three
// trustees send their partial decryptions, the third stays away, so that
// the tally runs as it does when one member is absent.
func decryptWhenClosed(e *env, svc *ballot.Service, c *simtrustee.Committee) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-tick.C:
		}
		sess, err := svc.Session(e.ctx, c.Session)
		if err != nil || sess.State == ballot.Draft || sess.State == ballot.Open {
			continue
		}
		if sess.State == ballot.Closed {
			if err := c.Decrypt(e.ctx, svc, "demo:simtrustee", rand.Reader, 1, 2); err != nil {
				fmt.Fprintf(e.stderr, "tinnhiem: demo: the simulated committee failed to decrypt: %v\n", err)
				return
			}
			fmt.Fprintf(e.stdout, "✓ Ban kiểm phiếu mô phỏng đã giải mã (thành viên 1 và 2 của 3; thành viên 3 vắng) / the simulated committee decrypted the tally (trustees 1 and 2 of 3; trustee 3 absent): kiểm phiếu được / it can be tallied now\n")
		}
		return
	}
}

// demoOrganiser is the organiser account the demo creates, scoped to the
// default organisation that its session belongs to.
const demoOrganiser = "demo"

// demoAccount creates the demo's organiser account with a fresh random
// password, printed once on the console with the voting URLs, so that a
// newcomer can run the rest of the vote from the browser.
func demoAccount(e *env, svc *ballot.Service) (string, error) {
	b := make([]byte, 9)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("failed to read randomness: %w", err)
	}
	password := base64.RawURLEncoding.EncodeToString(b)
	_, err := svc.AddAccount(e.ctx, ballot.NewAccount{Name: demoOrganiser, Role: ballot.RoleOrganiser,
		Password: password, Orgs: []string{ballot.DefaultOrg}})
	if err != nil {
		return "", err
	}
	return password, nil
}

// selfCommand returns how to run this program again from the same shell:
// under "go run" (as "make run" does) the binary lives in a temporary
// directory, so the demo prints "go run ./cmd/tinnhiem" instead.
func selfCommand() string {
	if strings.Contains(os.Args[0], "go-build") {
		return "go run ./cmd/tinnhiem"
	}
	return "tinnhiem"
}

// demoURLs holds the demo's voting URLs between preparing and printing; the
// demo's codes are meant to be seen, unlike a real session's.
var demoURLs []string

// demoMemberLinks holds the committee's links of a demo whose committee is
// on phones, between preparing and printing.
var demoMemberLinks []ballot.MemberLink

// prepareDemo builds the demo session; with phones, the encrypted
// session's committee gets member links instead of being simulated, and
// the session stays in draft until the ceremony is completed and the vote
// opened from the console.
func prepareDemo(e *env, svc *ballot.Service, dir, base string, encrypted, phones bool) (*ballot.Session, *simtrustee.Committee, error) {
	actor := cliActor()
	step := func(format string, args ...any) { fmt.Fprintf(e.stdout, "✓ "+format+"\n", args...) }
	sess, err := svc.CreateSession(e.ctx, actor, ballot.NewSession{
		Title: "Hội nghị lấy phiếu tín nhiệm (thử nghiệm)",
		Body:  "Ban Chấp hành Đảng bộ Khối các cơ quan",
		Date:  time.Now().Format(time.DateOnly),
		Place: "Hội trường tầng 3",
		Rules: ballot.QD96,
		// The documents' header: a Party body under its superior, in Hà Nội.
		Superior: "Đảng bộ thành phố Hà Nội", Locality: "Hà Nội", Copies: 2,
		// Encrypted on the phones to the committee's joint key; two of
		// its three members decrypt the result.
		Encrypted: encrypted,
	})
	if err != nil {
		return nil, nil, err
	}
	mode := "hòm phiếu mã hóa / encrypted ballot box"
	if !encrypted {
		mode = "phiếu không mã hóa / clear ballots"
	}
	step("tạo phiên / session created: %s — %s (quy định qd96, %s)", sess.ID, sess.Title, mode)
	raw, _ := demoData.ReadFile("demodata/members.csv")
	members, err := ballot.ParseRoster(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, err
	}
	if err := svc.ImportRoster(e.ctx, actor, sess.ID, members); err != nil {
		return nil, nil, err
	}
	step("nhập danh sách triệu tập / roster imported: %d", len(members))
	raw, _ = demoData.ReadFile("demodata/cadres.csv")
	cadres, err := ballot.ParseCadres(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, err
	}
	if err := svc.ImportCadres(e.ctx, actor, sess.ID, cadres); err != nil {
		return nil, nil, err
	}
	step("nhập người được lấy phiếu / cadres imported: %d", len(cadres))
	// The committee comes from the members who are not rated: the first
	// five members are the cadres, and no cadre may count their own ballots.
	officers := ballot.Officers{Committee: []string{members[5].Name, members[6].Name, members[7].Name},
		Chair: members[0].Name, Secretary: members[3].Name}
	if err := svc.SetOfficers(e.ctx, actor, sess.ID, officers); err != nil {
		return nil, nil, err
	}
	step("Ban kiểm phiếu / counting committee: %s, %s, %s", members[5].Name, members[6].Name, members[7].Name)
	var committee *simtrustee.Committee
	switch {
	case phones:
		if demoMemberLinks, err = svc.IssueMemberLinks(e.ctx, actor, sess.ID); err != nil {
			return nil, nil, err
		}
		step("phát liên kết cho Ban kiểm phiếu / committee member links issued: %d", len(demoMemberLinks))
	case encrypted:
		if committee, err = simulateCommittee(e, svc, sess.ID); err != nil {
			return nil, nil, err
		}
	}
	a, err := svc.CheckIn(e.ctx, actor, sess.ID, nil, true)
	if err != nil {
		return nil, nil, err
	}
	step("điểm danh / checked in: %d/%d có mặt / present", a.Present, a.Summoned)
	out := filepath.Join(dir, "cards.pdf")
	var tokens []string
	err = svc.IssueTokens(e.ctx, actor, sess.ID, len(members), func(ts []string) error {
		tokens = ts
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if err := writeDemoCards(sess, tokens, base, out); err != nil {
		return nil, nil, err
	}
	demoURLs = demoURLs[:0]
	for _, t := range tokens {
		demoURLs = append(demoURLs, ballot.VoteURL(base, t))
	}
	step("phát hành thẻ / cards issued: %d → %s", len(tokens), out)
	if phones {
		step("phiên chờ lễ tạo khóa trên điện thoại / the session waits for the key ceremony on the phones")
		return sess, nil, nil
	}
	if err := svc.Open(e.ctx, actor, sess.ID, false, ""); err != nil {
		return nil, nil, err
	}
	step("mở phiên bỏ phiếu / vote opened")
	return sess, committee, nil
}

// simulateCommittee runs the key ceremony of the demo's session with the
// three members of its committee simulated in this process, and says so.
func simulateCommittee(e *env, svc *ballot.Service, id string) (*simtrustee.Committee, error) {
	committee, err := simtrustee.Ceremony(e.ctx, svc, "demo:simtrustee", id, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("failed to run the simulated key ceremony: %w", err)
	}
	st, err := svc.Ceremony(e.ctx, id)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stdout, "✓ lễ tạo khóa / key ceremony: %d thành viên, cần %d để giải mã / %d trustees, %d to decrypt — khóa chung / joint key %s\n",
		committee.N, committee.T, committee.N, committee.T, base64.RawURLEncoding.EncodeToString(st.JointKey[:]))
	fmt.Fprintln(e.stdout, "  Ban kiểm phiếu ở đây là mô phỏng: cả ba thành viên chạy trong tiến trình này. Một cuộc bỏ phiếu thật"+
		" chạy lễ tạo khóa trên máy của từng thành viên bằng tinnhiem-verify trustee (README: Ban kiểm phiếu trên máy tính).")
	fmt.Fprintln(e.stdout, "  The committee is simulated: all three trustees run in this process. A real vote runs the ceremony"+
		" on each member's own laptop with tinnhiem-verify trustee (README: For committee members on a laptop).")
	return committee, nil
}
