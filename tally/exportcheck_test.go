package tally_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"tinnhiem/tally"
)

func exportedResult(t *testing.T) (tally.Result, []byte, []byte) {
	t.Helper()
	res, err := tally.Count(tally.Input{Rules: tally.QD96, Cadres: threeCadres, Members: 6, Issued: 6,
		Ballots: []string{"HNL", "HHL", "NLL", "HN-", "LNN"}})
	if err != nil {
		t.Fatal(err)
	}
	var csv, js bytes.Buffer
	if err := tally.WriteCSV(&csv, res); err != nil {
		t.Fatal(err)
	}
	if err := tally.WriteJSON(&js, res); err != nil {
		t.Fatal(err)
	}
	return res, csv.Bytes(), js.Bytes()
}

// TestCheckCSV checks that results.csv is compared with the tally cell for
// cell: the file WriteCSV wrote passes, the same cells with other line
// ends pass, and one changed figure, a missing row or a missing byte-order
// mark fail with the place named.
func TestCheckCSV(t *testing.T) {
	res, data, _ := exportedResult(t)
	if err := tally.CheckCSV(data, res); err != nil {
		t.Fatalf("the file WriteCSV wrote: %v", err)
	}
	if err := tally.CheckCSV(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), res); err != nil {
		t.Errorf("the same rows with LF line ends: %v", err)
	}
	lines := strings.SplitAfter(string(data), "\r\n")
	for _, tt := range []struct {
		name, data, want string
	}{
		// Row 1 is c1 "3 high, 1 normal, 1 low": the high count becomes 4.
		{"one figure", strings.Replace(string(data), "Bí thư Đảng ủy Khối,6,5,5,0,5,3,", "Bí thư Đảng ủy Khối,6,5,5,0,5,4,", 1),
			`row 1 (cadre c1), column 9 "Tín nhiệm cao": the file says "4", the tally "3"`},
		{"a percentage", strings.Replace(string(data), `"60,00"`, `"61,00"`, 1), `column 10 "% Tín nhiệm cao"`},
		{"the denominator", strings.Replace(string(data), "Bí thư Đảng ủy Khối,6,5,5,0,5,", "Bí thư Đảng ủy Khối,6,5,5,0,6,", 1),
			`column 8 "Số tính tỷ lệ (tổng số phiếu thu về)"`},
		{"a name", strings.Replace(string(data), "Lê Hoàng Long", "Lê Hoàng Lâm", 1), `row 3 (cadre c3), column 2 "Họ và tên"`},
		{"a row left out", strings.Join(lines[:len(lines)-2], "") + lines[len(lines)-1], "2 rows after the header, the tally has 3 cadres"},
		{"no byte-order mark", strings.TrimPrefix(string(data), "\uFEFF"), "byte-order mark"},
		{"a cell more", strings.Replace(string(data), "\r\n", ",x\r\n", 1), "wrong number of fields"},
	} {
		err := tally.CheckCSV([]byte(tt.data), res)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: CheckCSV = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestCheckJSON does the same for results.json: other white space passes,
// one changed figure, a changed text or an unknown field fail with the
// field's path.
func TestCheckJSON(t *testing.T) {
	res, _, data := exportedResult(t)
	if err := tally.CheckJSON(data, res); err != nil {
		t.Fatalf("the file WriteJSON wrote: %v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		t.Fatal(err)
	}
	if err := tally.CheckJSON(compact.Bytes(), res); err != nil {
		t.Errorf("the same object without white space: %v", err)
	}
	for _, tt := range []struct {
		name, data, want string
	}{
		{"one figure", strings.Replace(string(data), `"counts": [3, 1, 1]`, `"counts": [3, 2, 0]`, 1),
			"cadres[0].counts[1]: the file says 2, the tally 1"},
		{"collected", strings.Replace(string(data), `"collected": 5`, `"collected": 6`, 1), "collected: the file says 6, the tally 5"},
		{"a percentage text", strings.Replace(string(data), `"60.00"`, `"61.00"`, 1), "cadres[0].percent_text[0]"},
		{"an unknown field", strings.Replace(string(data), `"format"`, `"session": "x", "format"`, 1), `unknown field "session"`},
		{"a second object", string(data) + "{}", "more than one JSON object"},
		{"a cadre left out", withoutLastCadre(t, data), "cadres: the file says 2 elements, the tally 3 elements"},
	} {
		err := tally.CheckJSON([]byte(tt.data), res)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: CheckJSON = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func withoutLastCadre(t *testing.T, data []byte) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var cadres []json.RawMessage
	if err := json.Unmarshal(m["cadres"], &cadres); err != nil {
		t.Fatal(err)
	}
	m["cadres"], _ = json.Marshal(cadres[:len(cadres)-1])
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
