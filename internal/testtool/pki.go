package testtool

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// CA is a throw-away certificate authority made by openssl for one test,
// standing in for VNPT-CA, Viettel-CA and the like: it issues the signers'
// and the time-stamping authority's certificates.
type CA struct {
	Dir     string // where its files live
	CertPEM string // path of the CA certificate (PEM)
	KeyPEM  string // path of its private key
	t       testing.TB
	serial  int
}

// OpenSSL runs openssl with args in dir and fails the test on an error.
func OpenSSL(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// NewCA makes a root CA named cn in a new directory.
func NewCA(t testing.TB, cn string) *CA {
	t.Helper()
	NeedTools(t, "openssl")
	dir := t.TempDir()
	ca := &CA{Dir: dir, CertPEM: filepath.Join(dir, "ca.pem"), KeyPEM: filepath.Join(dir, "ca.key"), t: t}
	OpenSSL(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", ca.KeyPEM, "-out", ca.CertPEM, "-days", "3650", "-subj", "/C=VN/O="+cn+"/CN="+cn,
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-utf8")
	return ca
}

// Issue signs the CSR (PEM file) with the CA and returns the path of the
// certificate. ext is an openssl extension section, e.g. for a signer
// "keyUsage=critical,digitalSignature,nonRepudiation".
func (ca *CA) Issue(csr, name string, ext ...string) string {
	ca.t.Helper()
	ca.serial++
	extFile := filepath.Join(ca.Dir, name+".ext")
	if err := os.WriteFile(extFile, []byte(strings.Join(ext, "\n")+"\n"), 0o600); err != nil {
		ca.t.Fatal(err)
	}
	out := filepath.Join(ca.Dir, name+".pem")
	OpenSSL(ca.t, ca.Dir, "x509", "-req", "-in", csr, "-CA", ca.CertPEM, "-CAkey", ca.KeyPEM,
		"-set_serial", fmt.Sprint(1000+ca.serial), "-days", "825", "-sha256", "-extfile", extFile, "-out", out)
	return out
}

// SignerExt is the extension set of a person's signing certificate.
var SignerExt = []string{"basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,nonRepudiation",
	"extendedKeyUsage=emailProtection"}

// IssueKey makes an RSA key and a certificate for subject (an openssl
// -subj string, UTF-8) and returns the key and certificate files.
func (ca *CA) IssueKey(name, subject string) (key, cert string) {
	ca.t.Helper()
	key = filepath.Join(ca.Dir, name+".key")
	csr := filepath.Join(ca.Dir, name+".csr")
	OpenSSL(ca.t, ca.Dir, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", subject, "-utf8")
	return key, ca.Issue(csr, name, SignerExt...)
}

// NSSDB makes an NSS certificate database that trusts the CA, for
// pdfsig -nssdir.
func (ca *CA) NSSDB() string {
	ca.t.Helper()
	NeedTools(ca.t, "certutil")
	dir := filepath.Join(ca.Dir, "nssdb")
	if err := os.Mkdir(dir, 0o700); err != nil {
		ca.t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + dir, "--empty-password"},
		{"-A", "-n", "test-ca", "-t", "CT,C,C", "-i", ca.CertPEM, "-d", "sql:" + dir},
	} {
		if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
			ca.t.Fatalf("certutil %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// Certificate parses the PEM certificate file at path.
func Certificate(t testing.TB, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("%s holds no PEM block", path)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TSA is a time-stamping authority: openssl ts -reply with a certificate
// from the CA, answering RFC 3161 requests as a real TSA does.
type TSA struct {
	ca   *CA
	conf string
	mu   sync.Mutex
	// Requests counts the requests answered.
	Requests int
}

// NewTSA makes a TSA certificate (extendedKeyUsage critical timeStamping)
// and the openssl configuration that answers with it.
func (ca *CA) NewTSA() *TSA {
	ca.t.Helper()
	key := filepath.Join(ca.Dir, "tsa.key")
	csr := filepath.Join(ca.Dir, "tsa.csr")
	OpenSSL(ca.t, ca.Dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", key, "-out", csr, "-subj", "/C=VN/O=Test TSA/CN=Test TSA")
	cert := ca.Issue(csr, "tsa", "basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
		"extendedKeyUsage=critical,timeStamping")
	conf := filepath.Join(ca.Dir, "tsa.cnf")
	if err := os.WriteFile(filepath.Join(ca.Dir, "tsa.serial"), []byte("01\n"), 0o600); err != nil {
		ca.t.Fatal(err)
	}
	cnf := fmt.Sprintf(`[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = %s
crypto_device = builtin
signer_cert = %s
certs = %s
signer_key = %s
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`, filepath.Join(ca.Dir, "tsa.serial"), cert, ca.CertPEM, key)
	if err := os.WriteFile(conf, []byte(cnf), 0o600); err != nil {
		ca.t.Fatal(err)
	}
	return &TSA{ca: ca, conf: conf}
}

// Reply answers one DER TimeStampReq with a DER TimeStampResp.
func (s *TSA) Reply(req []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Requests++
	dir, err := os.MkdirTemp(s.ca.Dir, "ts-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	q, r := filepath.Join(dir, "q.tsq"), filepath.Join(dir, "r.tsr")
	if err := os.WriteFile(q, req, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command("openssl", "ts", "-reply", "-config", s.conf, "-queryfile", q, "-out", r)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("openssl ts -reply: %v: %s", err, out)
	}
	return os.ReadFile(r)
}

// Serve starts an HTTP server on loopback that answers time-stamp queries
// (Content-Type application/timestamp-query) and returns its URL.
func (s *TSA) Serve(t testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "want a POST of application/timestamp-query", http.StatusBadRequest)
			return
		}
		req, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := s.Reply(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
