package main

import (
	"tinnhiem/internal/testtool"

	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The end-to-end tests drive the built binary the way an organiser and the
// voters do, against a real SQLite file, real HTTP on loopback, and the
// Debian tools an inspector would use on the cards.

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tinnhiem-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "tinnhiem")
	if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "failed to build tinnhiem: %v\n%s", err, out)
		os.Exit(1)
	}
	verifyBin = filepath.Join(dir, "tinnhiem-verify")
	if out, err := exec.Command("go", "build", "-o", verifyBin, "../tinnhiem-verify").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "failed to build tinnhiem-verify: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testdata holds the repository's CSV fixtures (their README.md describes
// each case); relative to this package's directory, inside the repository.
const testdata = "../../testdata/csv/"

// run runs the binary and returns stdout, stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("tinnhiem %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

// must runs the binary and fails the test unless it exits 0.
func must(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := run(t, args...)
	if code != 0 {
		t.Fatalf("tinnhiem %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// fails runs the binary and fails the test unless it exits with want and
// stderr matches pattern.
func fails(t *testing.T, want int, pattern string, args ...string) {
	t.Helper()
	_, errOut, code := run(t, args...)
	if code != want {
		t.Fatalf("tinnhiem %s: exit %d, want %d\nstderr: %s", strings.Join(args, " "), code, want, errOut)
	}
	if !regexp.MustCompile(pattern).MatchString(errOut) {
		t.Fatalf("tinnhiem %s: stderr %q does not match %q", strings.Join(args, " "), errOut, pattern)
	}
	if !strings.HasPrefix(errOut, "tinnhiem: error: ") {
		t.Fatalf("stderr %q does not start with \"tinnhiem: error: \"", errOut)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// decodeCards returns every QR code of the cards PDF, in page order.
func decodeCards(t *testing.T, pdf string) []string { return testtool.DecodeQR(t, pdf) }

type server struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	base string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func startServer(t *testing.T, db, addr string) *server {
	t.Helper()
	s := &server{logs: &syncBuffer{}, base: "http://" + addr}
	s.cmd = exec.Command(binPath, "serve", "--db", db, "--addr", addr)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.stop() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not start; its log:\n%s", s.logs.String())
	return nil
}

func (s *server) stop() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(os.Interrupt)
		s.cmd.Wait()
	}
}

func post(t *testing.T, url string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("POST %s: response is not JSON: %v", url, err)
	}
	return resp.StatusCode, out
}

func errorCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestEndToEndVote(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vote.db")
	key := filepath.Join(dir, "vote.key")
	addr := freePort(t)
	base := "http://" + addr
	k := []string{"--db", db, "--key", key}

	out := must(t, "keygen", "--key", key)
	if !strings.Contains(out, "fingerprint: ") {
		t.Fatalf("keygen printed %q, want a fingerprint", out)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	fails(t, 1, "already exists", "keygen", "--key", key)
	fails(t, 2, "--db FILE is required", "session", "list")
	fails(t, 2, "unknown command", "sesion", "list")

	id := strings.TrimSpace(must(t, append([]string{"session", "create", "--clear", "--title", "Hội nghị lấy phiếu tín nhiệm năm 2026",
		"--body", "Ban Chấp hành Đảng bộ Khối", "--date", "2026-11-22", "--place", "Hội trường A"}, k...)...))
	fails(t, 1, "rule set", append([]string{"session", "create", "--clear", "--title", "x", "--body", "y", "--date", "2026-11-22",
		"--place", "z", "--rules", "qd262"}, k...)...)
	if list := must(t, append([]string{"session", "list"}, k...)...); !strings.Contains(list, id) || !strings.Contains(list, "draft") {
		t.Fatalf("session list = %q, want %s in draft", list, id)
	}
	sk := append([]string{"--session", id}, k...)

	// Bad input is rejected with a line number and changes nothing.
	must(t, append([]string{"roster", "import", testdata + "members-15.csv"}, sk...)...)
	fails(t, 1, "line 2", append([]string{"roster", "import", testdata + "bad-missing-column.csv"}, sk...)...)
	fails(t, 1, "UTF-8", append([]string{"roster", "import", testdata + "bad-not-utf8.csv"}, sk...)...)
	must(t, append([]string{"cadres", "import", testdata + "cadres-5.csv"}, sk...)...)
	show := must(t, append([]string{"session", "show"}, sk...)...)
	for _, want := range []string{"summoned: 15", "cadres: 5", "Mai Thị Thanh Thủy"} {
		if !strings.Contains(show, want) {
			t.Fatalf("session show lacks %q after a rejected import:\n%s", want, show)
		}
	}

	// Quorum: 9 of 15 is below two thirds; 10 meets it.
	names := []string{"Tạ Quang Vinh", "Mai Thị Thanh Thủy", "Kiều Đức Thịnh", "Lã Thị Kim Oanh", "Âu Minh Khôi",
		"Ông Văn Sỹ", "Quách Thị Diệu Hiền", "Châu Ngọc Bảo", "Ưng Thị Mỹ Lệ"}
	args := append([]string{"checkin"}, sk...)
	for _, n := range names {
		args = append(args, "--member", n)
	}
	if out := must(t, args...); !strings.Contains(out, "9/15") {
		t.Fatalf("checkin printed %q, want 9/15", out)
	}
	fails(t, 1, "not on the roster", append([]string{"checkin", "--member", "Người Lạ"}, sk...)...)
	must(t, append([]string{"session", "committee", "--member", "Thái Thị Ngọc Hân", "--member", "Khổng Minh Triết"}, sk...)...)

	cards := filepath.Join(dir, "cards.pdf")
	fails(t, 1, "cards before opening", append([]string{"session", "open"}, sk...)...)
	must(t, append([]string{"tokens", "issue", "--count", "17", "--out", cards, "--base-url", base}, sk...)...)
	if fi, err := os.Stat(cards); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cards PDF mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	fails(t, 1, "quorum not met", append([]string{"session", "open"}, sk...)...)
	fails(t, 2, "--reason", append([]string{"session", "open", "--override-quorum"}, sk...)...)
	must(t, append([]string{"checkin", "--all"}, sk...)...)

	// Every card's QR code decodes, and they are all different.
	urls := decodeCards(t, cards)
	if len(urls) != 17 {
		t.Fatalf("decoded %d QR codes from the cards, want 17: %q", len(urls), urls)
	}
	tokens := map[string]bool{}
	prefix := strings.ToUpper(base) + "/V/"
	for _, u := range urls {
		tok, ok := strings.CutPrefix(u, prefix)
		if !ok || len(tok) != 32 {
			t.Fatalf("QR code %q is not %sTOKEN", u, prefix)
		}
		tokens[tok] = true
	}
	if len(tokens) != 17 {
		t.Fatalf("the cards hold %d distinct tokens, want 17", len(tokens))
	}
	list := make([]string, 0, 17)
	for tok := range tokens {
		list = append(list, tok)
	}
	slices.Sort(list)
	revoked, spare, list := list[0], list[16], list[1:16]
	must(t, append([]string{"tokens", "revoke", "--reason", "thẻ bị hỏng", strings.ToLower(revoked)}, sk...)...)
	fails(t, 1, "revoked", append([]string{"tokens", "revoke", revoked}, sk...)...)
	must(t, append([]string{"session", "open"}, sk...)...)
	fails(t, 1, "frozen", append([]string{"cadres", "import", testdata + "cadres-5.csv"}, sk...)...)

	srv := startServer(t, db, addr)
	cadres := []string{"c1", "c2", "c3", "c4", "c5"}
	levels := []string{"high", "normal", "low"}
	for i, tok := range list {
		if i%2 == 1 {
			tok = strings.ToLower(tok) // tokens are accepted in any letter case
		}
		code, form := post(t, base+"/api/v1/ballot", map[string]string{"token": tok})
		if code != 200 || len(form["cadres"].([]any)) != 5 {
			t.Fatalf("ballot form for card %d: %d %v", i, code, form)
		}
		choices := map[string]string{}
		for _, c := range cadres[:4+i%2] { // every other ballot leaves c5 unmarked
			choices[c] = levels[rand.IntN(3)]
		}
		code, resp := post(t, base+"/api/v1/cast", map[string]any{"token": tok, "choices": choices})
		if code != 201 || !strings.HasPrefix(fmt.Sprint(resp["receipt"]), "TN1-") {
			t.Fatalf("cast card %d: %d %v", i, code, resp)
		}
	}
	for _, c := range []struct {
		name, token string
		status      int
		code        string
	}{
		{"reused", list[0], 409, "token_used"},
		{"revoked", revoked, 409, "token_revoked"},
		{"forged", strings.Repeat("A", 32), 404, "token_unknown"},
	} {
		status, resp := post(t, base+"/api/v1/cast", map[string]any{"token": c.token, "choices": map[string]string{"c1": "high"}})
		if status != c.status || errorCode(resp) != c.code {
			t.Errorf("%s card: got %d %v, want %d %s", c.name, status, resp, c.status, c.code)
		}
	}

	// The organiser closes while the server runs; a late vote is refused.
	out = must(t, append([]string{"session", "close"}, sk...)...)
	if !strings.Contains(out, "15 phiếu thu về") {
		t.Fatalf("close printed %q, want 15 ballots collected", out)
	}
	status, resp := post(t, base+"/api/v1/cast", map[string]any{"token": spare, "choices": map[string]string{}})
	if status != 423 || errorCode(resp) != "session_closed" {
		t.Fatalf("cast after close: %d %v, want 423 session_closed", status, resp)
	}
	srv.stop()

	must(t, append([]string{"log", "verify"}, k...)...)
	logOut := must(t, append([]string{"log", "show"}, sk...)...)
	for _, want := range []string{"SessionCreated", "TokenRevoked", "SessionOpened", "SessionClosed", "BallotsSealed", "TokensUsed", "tinnhiem checkpoint v1"} {
		if !strings.Contains(logOut, want) {
			t.Errorf("log show lacks %s", want)
		}
	}
	if n := strings.Count(logOut, " Ballot "); n != 15 {
		t.Errorf("log show has %d Ballot entries, want 15", n)
	}

	// No token, in any letter case, reached the server's log.
	logs := strings.ToUpper(srv.logs.String())
	if !strings.Contains(logs, "TINNHIEM SERVING") {
		t.Fatalf("server log was not captured:\n%s", logs)
	}
	for tok := range tokens {
		if strings.Contains(logs, tok) {
			t.Fatalf("token %s… appears in the server log", tok[:4])
		}
	}
}
