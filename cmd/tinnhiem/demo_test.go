package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemo runs "tinnhiem demo" as make run does and checks that a newcomer
// gets what it promises: voting URLs that open a ballot, and an organiser
// account whose printed password signs in to the console.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binPath, "demo", "--addr", "127.0.0.1:0", "--dir", dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })

	var voteURL, console, password, closeCmd string
	var simulated bool
	consoleLine := regexp.MustCompile(`(http://[0-9.:]+/admin) — tài khoản / account "demo", mật khẩu / password (\S+)`)
	lines := bufio.NewScanner(stdout)
	deadline := time.Now().Add(30 * time.Second)
	for lines.Scan() && time.Now().Before(deadline) {
		l := strings.TrimSpace(lines.Text())
		if voteURL == "" && strings.HasPrefix(l, "HTTP://") {
			voteURL = l
		}
		simulated = simulated || strings.Contains(l, "The committee is simulated") && strings.Contains(l, "tinnhiem-verify trustee")
		if _, c, ok := strings.Cut(l, "(another terminal): tinnhiem "); ok {
			closeCmd = c
		}
		if m := consoleLine.FindStringSubmatch(l); m != nil {
			console, password = m[1], m[2]
			break
		}
	}
	rest := make(chan string, 64)
	go func() {
		for lines.Scan() {
			rest <- lines.Text()
		}
		close(rest)
	}()
	if voteURL == "" || console == "" || closeCmd == "" || !simulated {
		t.Fatalf("the demo printed no voting URL (%q), console account (%q), close command (%q) or simulated committee (%v)", voteURL, console, closeCmd, simulated)
	}
	base := strings.TrimSuffix(console, "/admin")

	tok := voteURL[strings.LastIndex(voteURL, "/")+1:]
	if code, form := post(t, base+"/api/v1/ballot", map[string]string{"token": tok}); code != 200 || len(form["cadres"].([]any)) != 5 {
		t.Fatalf("a demo card's ballot: %d %v", code, form)
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(console + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the sign-in page has no form token:\n%s", page)
	}
	res, err = client.PostForm(console+"/login", url.Values{"csrf": {string(m[1])}, "name": {"demo"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || strings.Contains(res.Header.Get("Location"), "login") {
		t.Fatalf("signing in with the printed password: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, err = client.Get(console)
	if err != nil {
		t.Fatal(err)
	}
	home, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(home), "thử nghiệm") {
		t.Fatalf("the console home does not list the demo session: %d\n%s", res.StatusCode, home)
	}

	// The demo's session is encrypted: once closed from another terminal,
	// two of its three simulated trustees decrypt, and the tally runs.
	if code, resp := post(t, base+"/api/v1/cast", map[string]any{"token": tok, "choices": map[string]string{}}); code == 201 || errorCode(resp) != "session_encrypted" {
		t.Fatalf("a clear ballot in the demo's encrypted session: %d %v", code, resp)
	}
	args := strings.Fields(closeCmd)
	must(t, args...)
	decrypted, timeout := false, time.After(30*time.Second)
wait:
	for !decrypted {
		select {
		case l, ok := <-rest:
			if !ok {
				break wait
			}
			decrypted = strings.Contains(l, "the simulated committee decrypted the tally (trustees 1 and 2 of 3; trustee 3 absent)")
		case <-timeout:
			break wait
		}
	}
	if !decrypted {
		t.Fatal("the demo's simulated committee did not decrypt after close")
	}
	go func() {
		for range rest {
		}
	}()
	if out := must(t, append([]string{"tally", "--out", filepath.Join(dir, "reports")}, args[2:]...)...); !strings.Contains(out, "tallied: 0 phiếu thu về") {
		t.Fatalf("tally of the demo printed:\n%s", out)
	}
}

// TestDemoCommitteeOnPhones runs "tinnhiem demo --committee phones": it
// prints one member link per member of the committee instead of
// simulating it, each link opens its member's state through the member
// API, and the session waits in draft for the ceremony.
func TestDemoCommitteeOnPhones(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binPath, "demo", "--addr", "127.0.0.1:0", "--dir", dir, "--committee", "phones")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	link := regexp.MustCompile(`^(\d)\. .+: (http://[0-9.:]+)/bkp/([^/]+)/([A-Z2-7]{32})$`)
	var links [][]string
	var simulated, console bool
	lines := bufio.NewScanner(stdout)
	deadline := time.Now().Add(30 * time.Second)
	for lines.Scan() && time.Now().Before(deadline) {
		l := strings.TrimSpace(lines.Text())
		if m := link.FindStringSubmatch(l); m != nil {
			links = append(links, m)
		}
		simulated = simulated || strings.Contains(l, "The committee is simulated")
		if strings.Contains(l, "organiser console") {
			console = true
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	if len(links) != 3 || simulated || !console {
		t.Fatalf("the demo printed %d member links (simulated %v, console line %v)", len(links), simulated, console)
	}
	for i, m := range links {
		body := `{"session":"` + m[3] + `","member":"` + m[4] + `"}`
		res, err := http.Post(m[2]+"/api/v1/member/state", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"trustee":`+m[1]) || !strings.Contains(string(raw), `"state":"draft"`) {
			t.Errorf("link %d: %d %s", i+1, res.StatusCode, raw)
		}
	}
}
