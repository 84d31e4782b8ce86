package main

import (
	"fmt"
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

	"tinnhiem/audit"
	"tinnhiem/verify"
)

// startServeWith starts `tinnhiem serve` with args on a free loopback port
// and returns its base URL; the server stops with the test.
func startServeWith(t *testing.T, args ...string) string {
	t.Helper()
	addr := freePort(t)
	logs := &syncBuffer{}
	cmd := exec.Command(binPath, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
	}
	t.Fatalf("server did not start; its log:\n%s", logs.String())
	return ""
}

var consoleCSRFField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleClient signs in to the console at base through its real form and
// returns a function that posts a session form and checks the redirect.
func consoleClient(t *testing.T, base, name, password string) func(path string, form url.Values) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := func(path string) string {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	postForm := func(path string, form url.Values) {
		t.Helper()
		resp, err := c.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, b)
		}
	}
	m := consoleCSRFField.FindStringSubmatch(page("/admin/login"))
	if m == nil {
		t.Fatal("the login page has no CSRF field")
	}
	postForm("/admin/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}})
	return func(path string, form url.Values) {
		t.Helper()
		m := consoleCSRFField.FindStringSubmatch(page("/admin"))
		if m == nil {
			t.Fatal("the console has no CSRF field")
		}
		form.Set("csrf", m[1])
		postForm(path, form)
	}
}

// TestExportUsesTheKeyThatSigned runs the case of issue 10 (item 9): a
// default key lies beside the database, but the server ran with --key
// elsewhere and signed the checkpoints, among them those of the console's
// opening and closing of the vote. export without --key must not write a bundle
// that fails verification with "signed by another key": it refuses, naming
// the key the checkpoints need and the key it found, or, when the signing
// key's file lies beside the database, uses that one and says so.
func TestExportUsesTheKeyThatSigned(t *testing.T) {
	// Every action signs a checkpoint, so the whole session is run with
	// the server's key; the default key beside the database is another
	// installation's, as when a first command made it by mistake.
	serverKey := filepath.Join(t.TempDir(), "keys", "k.key")
	if err := os.MkdirAll(filepath.Dir(serverKey), 0o700); err != nil {
		t.Fatal(err)
	}
	must(t, "keygen", "--key", serverKey)
	dir, db, sk := draftSession(t, "--key", serverKey)
	defaultKey := filepath.Join(dir, "vote.key")
	must(t, "keygen", "--key", defaultKey)
	k, err := readKeyFile(serverKey, false)
	if err != nil {
		t.Fatal(err)
	}
	d, err := readKeyFile(defaultKey, false)
	if err != nil {
		t.Fatal(err)
	}
	signer := fmt.Sprintf("%s+%08x", k.Name(), k.KeyHash())
	found := fmt.Sprintf("%s+%08x", d.Name(), d.KeyHash())

	id := sk[1]
	must(t, append([]string{"checkin", "--all"}, sk...)...)
	must(t, append([]string{"tokens", "issue", "--count", "3", "--out", filepath.Join(dir, "cards.pdf")}, sk...)...)
	cmd := exec.Command(binPath, "admin", "add", "--db", db, "tochuc", "--role", "organiser", "--org", "", "--password-stdin")
	cmd.Stdin = strings.NewReader("mat-khau-thu-nghiem\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("admin add: %v\n%s", err, out)
	}
	base := startServeWith(t, "--db", db, "--key", serverKey)
	post := consoleClient(t, base, "tochuc", "mat-khau-thu-nghiem")
	post("/admin/s/"+id+"/open", url.Values{"confirm": {"yes"}})
	post("/admin/s/"+id+"/close", url.Values{"confirm": {"yes"}})

	// verifies checks a bundle as an inspector does, with key pinned, or
	// trusting the bundle's own key when key is nil.
	verifies := func(zipPath string, key *audit.Key) error {
		t.Helper()
		var opts verify.Options
		if key != nil {
			opts.Key = key.PublicKey()
		}
		rep := verify.Bundle(readZipBundle(t, zipPath), opts)
		if !rep.OK() {
			return fmt.Errorf("%+v", *rep.FirstFailure())
		}
		return nil
	}

	// Without --key and no matching key beside the database: refused.
	out := filepath.Join(dir, "hoso.zip")
	stdout, stderr, code := run(t, "export", "--db", db, "--session", id, "--out", out)
	if code != 1 {
		msg := "no bundle"
		if _, err := os.Stat(out); err == nil {
			msg = fmt.Sprintf("a bundle whose verification says: %v", verifies(out, nil))
		}
		t.Fatalf("export with the default key: exit %d, want 1; it wrote %s\nstdout: %s\nstderr: %s", code, msg, stdout, stderr)
	}
	for _, want := range []string{"tinnhiem: error: ", signer, found, d.Fingerprint(), defaultKey, "tinnhiem: hint: ", "--key"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the refusal does not name %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("the refused export wrote %s", out)
	}
	// With --key naming the wrong key explicitly: refused too.
	if _, stderr, code := run(t, "export", "--db", db, "--key", defaultKey, "--session", id, "--out", out); code != 1 || !strings.Contains(stderr, signer) {
		t.Errorf("export --key with the wrong key: exit %d, want 1 naming %s:\n%s", code, signer, stderr)
	}
	// With --key naming the server's key: a bundle that verifies.
	must(t, "export", "--db", db, "--key", serverKey, "--session", id, "--out", out)
	if err := verifies(out, k); err != nil {
		t.Errorf("the bundle exported with the server's key does not verify: %v", err)
	}
	// The server's key beside the database: export finds it and says so.
	beside := filepath.Join(dir, "k.key")
	raw, err := os.ReadFile(serverKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(beside, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(dir, "hoso2.zip")
	printed := must(t, "export", "--db", db, "--session", id, "--out", out2)
	if !strings.Contains(printed, beside) || !strings.Contains(printed, k.Fingerprint()) {
		t.Errorf("export did not say it used %s (%s):\n%s", beside, k.Fingerprint(), printed)
	}
	if err := verifies(out2, k); err != nil {
		t.Errorf("the bundle exported with the key found beside the database does not verify: %v", err)
	}
}
