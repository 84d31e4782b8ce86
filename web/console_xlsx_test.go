package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// uploadFile posts a file read from the repository's testdata to the
// console, as a browser's file input does.
func (b *browser) uploadFile(path, fixture, name string) (*http.Response, string) {
	b.f.t.Helper()
	content, err := os.ReadFile("../testdata/" + fixture)
	if err != nil {
		b.f.t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", b.f.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.client.Do(req)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// TestConsoleXLSXPreview uploads workbooks to the console over HTTP: a
// valid one is previewed, saved only on confirmation, and refused ones are
// listed with their rows (and sheet) in Vietnamese and change nothing.
func TestConsoleXLSXPreview(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	b := f.browser().mustLogin("tochuc-a")
	base := "/admin/s/" + f.sessA
	ctx := context.Background()

	_, page := b.do("GET", base, nil)
	if n := strings.Count(page, `accept=".csv,.xlsx,`); n != 2 {
		t.Errorf("the session page has %d file inputs accepting .csv and .xlsx, want 2", n)
	}

	res, page := b.uploadFile(base+"/roster", "xlsx/members-15.xlsx", "Danh sách Ban Chấp hành.xlsx")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Đinh Thị Ánh Nguyệt") || strings.Count(page, "<tr><td>") != 15 {
		t.Fatalf("roster preview: %d\n%s", res.StatusCode, page)
	}
	if ms, _ := f.svc.Members(ctx, f.sessA); len(ms) != 0 {
		t.Errorf("the preview saved %d members before the confirmation", len(ms))
	}
	pending := regexp.MustCompile(`name="pending" value="([^"]+)"`).FindStringSubmatch(page)
	if res, _ = b.do("POST", base+"/import", url.Values{"csrf": {b.csrf}, "pending": {pending[1]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm roster = %d", res.StatusCode)
	}
	ms, _ := f.svc.Members(ctx, f.sessA)
	if len(ms) != 15 || ms[0].Name != "Tạ Quang Vinh" || ms[14].Unit != "Hội Liên hiệp Phụ nữ huyện" {
		t.Fatalf("saved roster = %+v, want the 15 members of the workbook", ms)
	}

	for _, tt := range []struct{ fixture, name, want string }{
		{"xlsx/bad-formula.xlsx", "danh-sach.xlsx", "<li lang=\"vi\">Dòng 2: ô C2 chứa công thức"},
		{"xlsx/bad-duplicate-row.xlsx", "danh-sach.xlsx", "<li lang=\"vi\">Trang tính “Danh sách”: Dòng 2 và 3: “Quách Thị Diệu Hiền” xuất hiện hai lần."},
		{"xlsx/bad-two-sheets.xlsx", "danh-sach.xlsx", "Sổ tính có 2 trang tính đang hiện (“Danh sách”, “Khách mời”)"},
		{"xlsx/bad-not-xlsx.xlsx", "danh-sach.xlsx", "không phải sổ tính Excel (.xlsx)"},
		// The content decides, not the name: a workbook named .csv.
		{"xlsx/bad-hidden-row.xlsx", "danh-sach.csv", "<li lang=\"vi\">Dòng 3: dòng này đang bị ẩn hoặc bị lọc đi."},
	} {
		res, page := b.uploadFile(base+"/roster", tt.fixture, tt.name)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, tt.want) {
			t.Errorf("%s: %d, want 422 with %q\n%s", tt.fixture, res.StatusCode, tt.want, page)
		}
	}
	if after, _ := f.svc.Members(ctx, f.sessA); len(after) != 15 {
		t.Errorf("refused workbooks changed the roster to %d members", len(after))
	}

	// The cadre list from a CSV file named .xlsx.
	res, page = b.uploadFile(base+"/cadres", "xlsx/members-csv-named.xlsx", "can-bo.xlsx")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Âu Minh Khôi") {
		t.Fatalf("cadres preview: %d\n%s", res.StatusCode, page)
	}
}
