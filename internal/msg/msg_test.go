package msg

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tinnhiem/ballot"
)

var (
	// keyRE finds the reasons written in ballot's sources: Error literals
	// (Key: "x") and problems of an imported file (Problem{… Key: "x"}).
	keyRE     = regexp.MustCompile(`Key: +"([a-z0-9_]+)"`)
	variantRE = regexp.MustCompile(`"variant": +"([a-z0-9_]+)"`)
	// splitRE finds the problem keys splitCSVLine returns as strings.
	splitRE = regexp.MustCompile(`return nil, "([a-z0-9_]+)"`)
	// The fields that carried sentences and hints before the catalog.
	oldFieldRE = regexp.MustCompile(`\b(Vietnamese|Hint): `)
)

// TestCatalogCoversDomain reads the sources of ballot and ballot/sqlite
// and checks that every Key (and every variant) they can produce has a
// Vietnamese and an English sentence here, and that no sentence field is
// written there any more.
func TestCatalogCoversDomain(t *testing.T) {
	var files []string
	for _, dir := range []string{"../../ballot", "../../ballot/sqlite"} {
		fs, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	if len(files) < 10 {
		t.Fatalf("found %d source files of ballot, the test reads the wrong place", len(files))
	}
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		isCSV := strings.HasSuffix(f, "csv.go") || strings.HasSuffix(f, "xlsx.go")
		for _, m := range keyRE.FindAllStringSubmatchIndex(src, -1) {
			key := src[m[2]:m[3]]
			seen++
			// A problem's key is looked up under "csv."; the Error
			// literals of csv.go are the csv_invalid error itself.
			lookup := key
			if isCSV && strings.Contains(src[max(0, m[0]-40):m[0]], "Problem{") {
				lookup = "csv." + key
			}
			if !hasAny(lookup) {
				t.Errorf("%s: key %q has no entry in the catalog", f, lookup)
			}
		}
		for _, m := range variantRE.FindAllStringSubmatch(src, -1) {
			if !hasVariant(m[1]) {
				t.Errorf("%s: variant %q has no entry in the catalog", f, m[1])
			}
		}
		if isCSV {
			for _, m := range splitRE.FindAllStringSubmatch(src, -1) {
				if !Has("csv."+m[1], "") {
					t.Errorf("%s: problem %q has no entry in the catalog", f, m[1])
				}
			}
		}
		if loc := oldFieldRE.FindStringIndex(src); loc != nil {
			t.Errorf("%s: %q: the domain writes no sentence or hint for people", f, src[loc[0]:loc[1]])
		}
	}
	if seen < 60 {
		t.Errorf("found only %d keys in ballot's sources; the pattern no longer matches how errors are written", seen)
	}
	for k, tx := range catalog {
		if strings.TrimSpace(tx.vi) == "" || strings.TrimSpace(tx.en) == "" {
			t.Errorf("catalog entry %q lacks a sentence: %+v", k, tx)
		}
	}
}

// hasAny reports whether key has an entry, plain or refined.
func hasAny(key string) bool {
	if Has(key, "") {
		return true
	}
	for k := range catalog {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

func hasVariant(v string) bool {
	for k := range catalog {
		if strings.HasSuffix(k, "."+v) {
			return true
		}
	}
	return false
}

// TestSentinelsRender checks the errors callers branch on: each renders in
// both languages, and its Error() line is the bare key for logs.
func TestSentinelsRender(t *testing.T) {
	for _, e := range []*ballot.Error{ballot.ErrTokenUnknown, ballot.ErrTokenUsed, ballot.ErrTokenRevoked,
		ballot.ErrNotOpen, ballot.ErrClosed, ballot.ErrNotFound, ballot.ErrSessionFrozen, ballot.ErrNotClosed,
		ballot.ErrNotTallied, ballot.ErrNoCommittee, ballot.ErrCosignTwice, ballot.ErrKeyMismatch, ballot.ErrLogin} {
		vi, en, ok := Render(fmt.Errorf("failed to do it: %w", e))
		if !ok || vi == "" || en == "" {
			t.Errorf("%s renders as %q, %q, %v", e.Key, vi, en, ok)
		}
		if e.Error() != e.Key {
			t.Errorf("%s: Error() = %q, want the key", e.Key, e.Error())
		}
	}
}

// TestRender fills arguments, variants, problems and the wrapped cause.
func TestRender(t *testing.T) {
	cause := errors.New("bad signature")
	for _, tt := range []struct {
		err       error
		vi, en    string
		errorLine string
	}{
		{&ballot.Error{Code: ballot.ELocked, Key: "quorum_not_met", Args: ballot.Args{"present": 3, "summoned": 9}},
			"Không đủ số lượng tối thiểu (2/3): 3/9 người có mặt.",
			"quorum not met: 3 of 9 present, at least two thirds needed",
			"quorum_not_met present=3 summoned=9"},
		{&ballot.Error{Code: ballot.EInvalid, Key: "org_name", Args: ballot.Args{"variant": "long", "max": 200}},
			"Tên tổ chức dài quá 200 ký tự.", "the organisation's name is longer than 200 characters",
			`org_name max=200 variant="long"`},
		{&ballot.Error{Code: ballot.EInvalid, Key: "signature_invalid", Args: ballot.Args{"name": "minutes.pdf"}, Err: cause},
			"Không ghi nhận được minutes.pdf đã ký: tệp phải là đúng văn bản đã tải về, thêm một chữ ký hợp lệ (bad signature).",
			"the signed minutes.pdf cannot be recorded: bad signature",
			`signature_invalid name="minutes.pdf": bad signature`},
		{&ballot.Error{Code: ballot.EInvalid, Key: "csv_invalid", Args: ballot.Args{"stopped": 20}, Problems: []ballot.Problem{
			{Line: 1, Key: "missing_column", Args: ballot.Args{"column": "Chức vụ", "field": "position", "list": "cadres"}},
			{Key: "no_rows"}}},
			"Dòng 1: thiếu cột “Chức vụ”. Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào. Đã dừng sau 20 lỗi; có thể còn lỗi khác.",
			"line 1: missing column 'Chức vụ' (position); the file has a header line but no rows; stopped after 20 problems, there may be more",
			`csv_invalid stopped=20: line 1: missing_column column="Chức vụ" field="position" list="cadres"; no_rows`},
	} {
		vi, en, ok := Render(tt.err)
		if !ok || vi != tt.vi || en != tt.en {
			t.Errorf("Render(%v) =\n%q\n%q %v\nwant\n%q\n%q", tt.err, vi, en, ok, tt.vi, tt.en)
		}
		if got := tt.err.Error(); got != tt.errorLine {
			t.Errorf("Error() = %q, want %q", got, tt.errorLine)
		}
	}
	if _, _, ok := Render(errors.New("plain")); ok {
		t.Error("a plain error rendered")
	}
	if _, _, ok := Render(&ballot.Error{Code: ballot.EInternal, Message: "failed to read: x"}); ok {
		t.Error("an error without a key rendered")
	}
}
