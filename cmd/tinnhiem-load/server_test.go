package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The crash and fault tests drive the real tinnhiem binary, built once per
// test run, as an organiser would: `serve`, `session close`, `log verify`.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

func tinnhiemBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tinnhiem-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "tinnhiem")
		buildOut, buildErr = exec.Command("go", "build", "-o", binPath, "tinnhiem/cmd/tinnhiem").CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("failed to build tinnhiem: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// runCLI runs one tinnhiem command and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(tinnhiemBinary(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("tinnhiem %s: %v", strings.Join(args, " "), err)
	}
	return code, stdout.String(), stderr.String()
}

// server is one running `tinnhiem serve`.
type server struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	stderr bytes.Buffer
	exited chan struct{}
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

var servingAddr = regexp.MustCompile(`msg="tinnhiem serving" addr=(\S+)`)

// startServer starts `tinnhiem serve` on a free loopback port and waits
// until it answers /healthz. It fails the test if the server exits or does
// not answer within 20 seconds: a server must restart cleanly.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	s, err := tryStartServer(t, args...)
	if err != nil {
		t.Fatalf("tinnhiem serve did not start: %v\n%s", err, s.log())
	}
	return s
}

func tryStartServer(t *testing.T, args ...string) (*server, error) {
	t.Helper()
	s := &server{exited: make(chan struct{})}
	s.cmd = exec.Command(tinnhiemBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	pipe, err := s.cmd.StderrPipe()
	if err != nil {
		return s, err
	}
	if err := s.cmd.Start(); err != nil {
		return s, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.stderr.WriteString(line + "\n")
			s.mu.Unlock()
			if m := servingAddr.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pipe)
		s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() { s.kill() })
	select {
	case a := <-addr:
		s.url = "http://" + a
	case <-s.exited:
		return s, errExited
	case <-time.After(20 * time.Second):
		s.kill()
		return s, errTimeout
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s, errTimeout
}

type startError string

func (e startError) Error() string { return string(e) }

const (
	errExited  = startError("the server exited")
	errTimeout = startError("the server did not answer in time")
)

// kill ends the server with SIGKILL, as a power cut would end it: no
// deferred function, no clean close of the database.
func (s *server) kill() {
	if s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// stop ends the server with SIGTERM and waits for its clean shutdown.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		s.kill()
		t.Fatalf("tinnhiem serve did not stop on SIGTERM")
	}
}

// prepareFile prepares an open session in a new database at db, with the
// key beside it where tinnhiem looks for it, and closes the store so that
// the binary can take over.
func prepareFile(t *testing.T, db string, voters, cadres int) *prepared {
	t.Helper()
	svc, store, err := openService(db, "")
	if err != nil {
		t.Fatalf("openService: %v", err)
	}
	p, err := prepare(context.Background(), svc, voters, cadres)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	if err := store.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return p
}
