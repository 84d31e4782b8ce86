package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/internal/testtool"
)

// TestOrganisationSignsItsReports installs one organisation's own
// certificate and checks that its sessions' reports are signed with it and
// name it, while another organisation's reports keep the installation's
// certificate.
func TestOrganisationSignsItsReports(t *testing.T) {
	testtool.NeedTools(t, "openssl", "pdfsig", "pdftotext")
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	orgKey, orgCert := filepath.Join(dir, "org.key"), filepath.Join(dir, "org.crt")
	if b, err := exec.Command("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", orgKey, "-out", orgCert,
		"-days", "30", "-subj", "/CN=Dang uy Phuong Ben Nghe/O=Dang uy Phuong Ben Nghe").CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, b)
	}
	const own, other = "Đảng ủy phường Bến Nghé", "Đảng ủy xã Tân Phú"
	must(t, "org", "add", "--db", db, "--name", own)
	must(t, "org", "add", "--db", db, "--name", other)
	fails(t, 1, "", "org", "cert", "--db", db, "--name", "Không tồn tại", "--cert", orgCert, "--cert-key", orgKey)
	fails(t, 2, "either", "org", "cert", "--db", db, "--name", own, "--cert", orgCert)
	must(t, "org", "cert", "--db", db, "--name", own, "--cert", orgCert, "--cert-key", orgKey)
	fails(t, 1, "already exists", "org", "cert", "--db", db, "--name", own, "--cert", orgCert, "--cert-key", orgKey)

	for _, tt := range []struct {
		org, signer string
		own         bool
	}{{own, "Dang uy Phuong Ben Nghe", true}, {other, "Dang uy Phuong Ben Nghe", false}} {
		id := strings.TrimSpace(must(t, "session", "create", "--clear", "--db", db, "--org", tt.org, "--title", "Hội nghị",
			"--body", "Ban Chấp hành", "--date", "2026-11-22", "--place", "Hội trường"))
		sk := []string{"--db", db, "--session", id}
		must(t, append([]string{"roster", "import", testdata + "members-15.csv"}, sk...)...)
		must(t, append([]string{"cadres", "import", testdata + "cadres-5.csv"}, sk...)...)
		must(t, append([]string{"checkin", "--all"}, sk...)...)
		must(t, append([]string{"tokens", "issue", "--count", "1", "--out", filepath.Join(dir, id+".pdf")}, sk...)...)
		must(t, append([]string{"session", "open"}, sk...)...)
		must(t, append([]string{"session", "close"}, sk...)...)
		must(t, append([]string{"session", "committee", "--member", "Thái Thị Ngọc Hân", "--member", "Phùng Văn Tài"}, sk...)...)
		out := filepath.Join(dir, id)
		must(t, append([]string{"tally", "--out", out}, sk...)...)
		minutes := filepath.Join(out, "bien-ban-kiem-phieu.pdf")
		sig, _ := exec.Command("pdfsig", minutes).CombinedOutput()
		if !strings.Contains(string(sig), "Signature is Valid.") || strings.Contains(string(sig), tt.signer) != tt.own {
			t.Errorf("%s: pdfsig shows no valid signature, or %q signed = %v:\n%s", tt.org, tt.signer, !tt.own, sig)
		}
		text, _ := exec.Command("pdftotext", minutes, "-").Output()
		if !strings.Contains(string(text), strings.ToUpper(tt.org)) {
			t.Errorf("%s: the minutes do not name the organisation:\n%s", tt.org, text)
		}
	}
}
