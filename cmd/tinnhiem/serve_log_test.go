package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeLogsNoClientAddress serves over TLS with a self-signed
// certificate and fails three handshakes the way phones and scripts do —
// a client that refuses the certificate, plain HTTP to the HTTPS port, and
// bytes that are no protocol at all — each from its own address. net/http
// reports each failure with the client's address and port; the server's
// log must keep the failure and lose the address, the port and the time.
func TestServeLogsNoClientAddress(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "votes.db")
	addAccounts(t, db, 0)
	addr := freePort(t)
	logs := &syncBuffer{}
	cmd := exec.Command(binPath, "serve", "--db", db, "--addr", addr, "--tls-self-signed")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := insecure.Get("https://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The server speaks HTTP/1.1 only (its TLS configuration offers no
	// "h2"), so none of net/http's HTTP/2 error paths, which log the
	// client's address through their own logger, can run.
	h2, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := h2.ConnectionState().NegotiatedProtocol; p == "h2" {
		t.Errorf("the server negotiated HTTP/2; check that its error log keeps client addresses out")
	}
	h2.Close()

	var clientIPs, clientPorts []string
	dial := func(ip string) net.Conn {
		t.Helper()
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(c.LocalAddr().String())
		clientIPs, clientPorts = append(clientIPs, ip), append(clientPorts, port)
		return c
	}
	// A phone that does not trust the certificate aborts the handshake.
	conn := tls.Client(dial("127.0.5.77"), &tls.Config{ServerName: "localhost"})
	if err := conn.Handshake(); err == nil {
		t.Fatal("a client that verifies certificates accepted the self-signed one")
	}
	conn.Close()
	// Plain HTTP to the HTTPS port: net/http answers 400 and logs it.
	c := dial("127.0.5.78")
	fmt.Fprintf(c, "GET /V/ABCD HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	answer, _ := io.ReadAll(c)
	c.Close()
	if !strings.Contains(string(answer), "400 Bad Request") {
		t.Errorf("plain HTTP to the TLS port got %q, want 400", answer)
	}
	// Bytes that are neither TLS nor HTTP.
	c = dial("127.0.5.79")
	c.Write([]byte("\x00\x01garbage that is not a TLS record\r\n"))
	io.ReadAll(c)
	c.Close()

	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	out := logs.String()
	t.Logf("the server's log:\n%s", out)
	if n := strings.Count(out, `msg="TLS handshake failed"`); n != 3 {
		t.Errorf("%d TLS handshake failures logged, want 3", n)
	}
	for _, reason := range []string{"bad certificate", "client sent an HTTP request to an HTTPS server", "first record does not look like a TLS handshake"} {
		if !strings.Contains(out, reason) {
			t.Errorf("the log does not say %q", reason)
		}
	}
	for _, ip := range clientIPs {
		if strings.Contains(out, ip) {
			t.Errorf("the log names the client address %s", ip)
		}
	}
	for _, port := range clientPorts {
		if regexp.MustCompile(`\b` + port + `\b`).MatchString(out) {
			t.Errorf("the log names the client port %s", port)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(line, "127.0.0.1") && !strings.Contains(line, `msg="tinnhiem serving"`) {
			t.Errorf("a line other than the server's own listening address names 127.0.0.1: %s", line)
		}
		if strings.Contains(line, "TLS handshake") && strings.Contains(line, "time=") {
			t.Errorf("a handshake failure is logged with its time: %s", line)
		}
	}
}
