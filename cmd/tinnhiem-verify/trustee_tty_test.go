//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair with the kernel's own interface, so that the passphrase prompt is tested
// on a real terminal without any tool beyond Linux.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var n uint32
	var unlock int32
	if err := ioctl(m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); err != nil {
		t.Fatal(err)
	}
	if err := ioctl(m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

func ioctl(fd, req, arg uintptr) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, req, arg); errno != 0 {
		return errno
	}
	return nil
}

// echoOff reports whether the terminal has stopped echoing what is typed.
func echoOff(slave *os.File) bool {
	var tio syscall.Termios
	if ioctl(slave.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&tio))) != nil {
		return false
	}
	return tio.Lflag&syscall.ECHO == 0
}

// screen collects what the program writes to the terminal.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// typeWhenAsked waits for prompt on the screen and for the terminal's echo to be off, then types line.
func typeWhenAsked(t *testing.T, master, slave *os.File, scr *screen, prompt, line string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(scr.String(), prompt) || !echoOff(slave) {
		if time.Now().After(deadline) {
			t.Fatalf("no prompt %q with echo off; the terminal shows:\n%s", prompt, scr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := master.Write([]byte(line + "\n")); err != nil {
		t.Fatal(err)
	}
}

// TestTrusteePassphraseOnTerminal types the passphrase of a new secret file on a real terminal: it is asked
// twice, never echoed, and then opens the file, typed again on the terminal or given in a file.
func TestTrusteePassphraseOnTerminal(t *testing.T) {
	bin := verifierBinary(t)
	dir := t.TempDir()
	const pass = "Phiếu kín, đếm công khai"
	run := func(prompts []string, args ...string) (string, string) {
		t.Helper()
		master, slave := openPTY(t)
		defer master.Close()
		scr := &screen{}
		done := make(chan struct{})
		go func() {
			buf := make([]byte, 4096)
			for {
				n, err := master.Read(buf)
				scr.Write(buf[:n])
				if err != nil {
					close(done)
					return
				}
			}
		}()
		var stdout bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, &stdout, slave
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for _, p := range prompts {
			typeWhenAsked(t, master, slave, scr, p, pass)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("tinnhiem-verify %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), scr.String())
		}
		slave.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		return stdout.String(), scr.String()
	}
	out, tty := run([]string{"passphrase for the secret file:", "again:"},
		"trustee", "round1", "--session", "s-tty", "--n", "2", "--trustee", "1", "--secret", "secret.json", "--ask-passphrase", "--out", "round1-1.json")
	if strings.Contains(tty, "Phiếu") || strings.Contains(out, "Phiếu") || !strings.Contains(out, "sealed with the passphrase") {
		t.Fatalf("the passphrase was echoed or the file not sealed:\nterminal: %q\nstdout: %s", tty, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "secret.json"))
	if err != nil {
		t.Fatal(err)
	}
	if sniffFormat(data) != FormatSealedV1 || mode(t, filepath.Join(dir, "secret.json")) != 0o600 {
		t.Fatalf("secret.json is not a sealed file of mode 0600:\n%s", data)
	}
	// A second trustee's round 1, so that round 2 has someone to send a share to.
	other := filepath.Join(dir, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "trustee", "round1", "--session", "s-tty", "--n", "2", "--trustee", "2", "--secret", "secret.json", "--out", filepath.Join(dir, "round1-2.json"))
	cmd.Dir = other
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("round1 of trustee 2: %v\n%s", err, out)
	}
	_, tty = run([]string{"passphrase of secret.json:"}, "trustee", "round2", "--secret", "secret.json", "--out", "round2-1.json", "round1-1.json", "round1-2.json")
	if strings.Contains(tty, "Phiếu") {
		t.Fatalf("the passphrase was echoed: %q", tty)
	}
	if err := os.WriteFile(filepath.Join(dir, "pass.txt"), []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bin, "trustee", "round2", "--secret", "secret.json", "--passphrase-file", "pass.txt", "--out", "round2-again.json", "round1-1.json", "round1-2.json")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the passphrase typed on the terminal does not open the file from --passphrase-file: %v\n%s", err, out)
	}
}
