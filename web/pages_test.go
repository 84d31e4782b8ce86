package web

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestVoterPage(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1})
	tok := f.tokens[0]
	for _, path := range []string{"/V/" + tok, "/v/" + strings.ToLower(tok), "/v/", "/V/"} {
		resp, body := f.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		page := string(body)
		assertNoToken(t, "page", page, f.tokens)
		for _, id := range []string{"cadres", "submit", "receipt", "receipt-code", "error", "error-message", "lang",
			"ballot", "code-form", "code", "confirm", "confirm-yes", "confirm-no", "progress", "i18n"} {
			if !strings.Contains(page, `id="`+id+`"`) {
				t.Errorf("GET %s: no element #%s", path, id)
			}
		}
		if !strings.Contains(page, `<html lang="vi">`) || !strings.Contains(page, ">Gửi phiếu<") ||
			!strings.Contains(page, ">English<") || !strings.Contains(page, `src="/static/voter.js"`) {
			t.Errorf("GET %s: the page is not the Vietnamese ballot page:\n%s", path, page)
		}
		checkCSPCompliant(t, path, page)
	}
}

func TestEntryPage(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1})
	for _, path := range []string{"/", "/nhap-ma"} {
		resp, body := f.get(path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		page := string(body)
		for _, want := range []string{`id="code-form"`, `id="code"`, `id="code-submit"`, "Mã phiếu (nhập tay)",
			`src="/static/entry.js"`, "http://192.168.1.10:8080"} {
			if !strings.Contains(page, want) {
				t.Errorf("GET %s: no %q", path, want)
			}
		}
		// The code input has no name: a form sent without the script carries no code.
		if regexp.MustCompile(`<input[^>]*name=`).MatchString(page) {
			t.Errorf("GET %s: an input has a name, so a native submit would send it", path)
		}
		checkCSPCompliant(t, path, page)
	}
}

// checkCSPCompliant fails on anything the strict policy would block or that
// loads from elsewhere: inline handlers or styles, inline scripts, external
// or protocol-relative URLs.
func checkCSPCompliant(t *testing.T, path, page string) {
	t.Helper()
	if m := regexp.MustCompile(`(?i)\s(on[a-z]+|style)\s*=`).FindString(page); m != "" {
		t.Errorf("%s: inline handler or style %q", path, m)
	}
	if strings.Contains(strings.ToLower(page), "<style") {
		t.Errorf("%s: inline <style>", path)
	}
	for _, m := range regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`).FindAllStringSubmatch(page, -1) {
		attrs, content := m[1], strings.TrimSpace(m[2])
		switch {
		case strings.Contains(attrs, `type="application/json"`):
			var v any
			if err := json.Unmarshal([]byte(content), &v); err != nil {
				t.Errorf("%s: data block is not JSON: %v", path, err)
			}
		case content != "" || !strings.Contains(attrs, `src="/static/`):
			t.Errorf("%s: inline or foreign script <script%s>", path, attrs)
		}
	}
	for _, m := range regexp.MustCompile(`(?i)\s(src|href|action)="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if v := m[2]; !(strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//")) && !strings.HasPrefix(v, "data:") {
			t.Errorf("%s: %s=%q is not a local URL", path, m[1], v)
		}
	}
}

func TestCatalogInPage(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1})
	_, body := f.get("/v/")
	m := regexp.MustCompile(`(?s)<script type="application/json" id="i18n">(.*?)</script>`).FindSubmatch(body)
	if m == nil {
		t.Fatal("no catalogue data block")
	}
	var got map[string]map[string]string
	if err := json.Unmarshal(m[1], &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range texts {
		if got["vi"][k] != want.vi || got["en"][k] != want.en {
			t.Errorf("catalogue key %q = %q / %q, want %q / %q", k, got["vi"][k], got["en"][k], want.vi, want.en)
		}
	}
}

// TestTextsComplete checks that every text has both languages and that
// every key the templates and scripts name exists.
func TestTextsComplete(t *testing.T) {
	for k, v := range texts {
		if strings.TrimSpace(v.vi) == "" || strings.TrimSpace(v.en) == "" {
			t.Errorf("text %q lacks a language", k)
		}
	}
	used := map[string]bool{}
	keyPattern := regexp.MustCompile(`"((?:app|lang|noscript|voter|code|entry|ballot|confirm|receipt|error)(?:\.[a-z_]+)*)"`)
	for _, dir := range []fs.FS{templateFS, staticFS} {
		err := fs.WalkDir(dir, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(dir, path)
			if err != nil {
				return err
			}
			for _, m := range keyPattern.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// voter.js builds the dialog's keys from its step.
	for _, step := range []string{"unmarked", "final"} {
		for _, part := range []string{"title", "text", "yes", "no"} {
			used["confirm."+step+"."+part] = true
		}
	}
	for k := range used {
		if _, ok := texts[k]; !ok && strings.Contains(k, ".") {
			t.Errorf("key %q is used but has no text", k)
		}
	}
	for _, key := range []string{"token_unknown", "token_used", "token_revoked", "session_not_open", "session_closed",
		"unknown_cadre", "unknown_level", "bad_request", "body_too_large", "internal"} {
		if _, ok := texts["error."+key]; !ok {
			t.Errorf("no sentence for error %q", key)
		}
	}
}

func TestStaticFiles(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1})
	for path, ct := range map[string]string{
		"/static/style.css": "text/css; charset=utf-8",
		"/static/common.js": "text/javascript; charset=utf-8",
		"/static/voter.js":  "text/javascript; charset=utf-8",
		"/static/entry.js":  "text/javascript; charset=utf-8",
	} {
		resp, body := f.get(path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != ct || len(body) == 0 {
			t.Errorf("GET %s: %d %q, %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		// Nothing may load from elsewhere: no web fonts, no CDN.
		if s := string(body); strings.Contains(s, "http://") || strings.Contains(s, "https://") ||
			strings.Contains(s, "@import") || strings.Contains(s, "@font-face") || strings.Contains(s, "url(") {
			t.Errorf("GET %s refers to an external resource", path)
		}
	}
	for _, path := range []string{"/static/", "/static/nothing.js", "/static/../templates/voter.html"} {
		if resp, _ := f.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
	}
}
