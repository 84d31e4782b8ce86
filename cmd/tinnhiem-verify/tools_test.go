package main

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStandardTools follows README-vi-en.txt with the tools it names, so
// that an inspector without tinnhiem-verify can check files and
// signatures as the README says.
func TestStandardTools(t *testing.T) {
	dir := validBundle()
	sh := needTool(t, "sh")
	needTool(t, "sha256sum")
	cmd := exec.Command(sh, "-c", `sed '1,/^$/d' BUNDLE.txt | sha256sum -c`)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "FAILED") {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}

	signify := needTool(t, "signify-openbsd")
	for _, doc := range []string{"results.csv", "results.json"} {
		d := filepath.Join(dir, "documents", doc)
		out, err := exec.Command(signify, "-V", "-p", filepath.Join(dir, "keys", "tinnhiem.pub"), "-x", d+".sig", "-m", d).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Signature Verified") {
			t.Errorf("signify -V %s: %v\n%s", doc, err, out)
		}
	}

	openssl := needTool(t, "openssl")
	d := filepath.Join(dir, "documents", "results.csv")
	sig, err := os.ReadFile(d + ".sig")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(sig)), "\n")
	raw, err := base64.StdEncoding.DecodeString(lines[len(lines)-1])
	if err != nil {
		t.Fatal(err)
	}
	sigBin := filepath.Join(t.TempDir(), "sig.bin")
	if err := os.WriteFile(sigBin, raw[len(raw)-64:], 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", filepath.Join(dir, "keys", "tinnhiem.pem"),
		"-rawin", "-in", d, "-sigfile", sigBin).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Signature Verified Successfully") {
		t.Errorf("openssl pkeyutl -verify: %v\n%s", err, out)
	}
	// The bundle whose results.csv was swapped must fail the same tools.
	swapped := filepath.Join(vectors, "bad-detached-signature", "bundle", "documents", "results.csv")
	if out, err := exec.Command(signify, "-V", "-p", filepath.Join(dir, "keys", "tinnhiem.pub"), "-x", swapped+".sig", "-m", swapped).CombinedOutput(); err == nil {
		t.Errorf("signify accepted a wrong signature:\n%s", out)
	}
}
