package tally

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// CheckCSV reports whether data, a results.csv, states exactly r: the
// byte-order mark, the CSVHeader row, then for every cadre in ballot order
// the row WriteCSV writes for r, cell for cell (figures, percentages, names
// and the Kết luận sentence). Quoting and line ends may differ; nothing a
// spreadsheet shows may. The error names the first cell that differs, so
// that an inspector sees which figure of the published file is not the
// logged one.
func CheckCSV(data []byte, r Result) error {
	var want bytes.Buffer
	if err := WriteCSV(&want, r); err != nil {
		return err
	}
	wantRows, err := readCSV(want.Bytes(), len(CSVHeaderFor(r.Rules)))
	if err != nil {
		return fmt.Errorf("failed to read back the expected csv: %w", err)
	}
	gotRows, err := readCSV(data, len(CSVHeaderFor(r.Rules)))
	if err != nil {
		return err
	}
	if len(gotRows) != len(wantRows) {
		return fmt.Errorf("the file has %d rows after the header, the tally has %d cadres", len(gotRows)-1, len(wantRows)-1)
	}
	for i, row := range gotRows {
		w := wantRows[i]
		if len(row) != len(w) {
			return fmt.Errorf("row %d has %d cells, want %d", i, len(row), len(w))
		}
		for j := range row {
			if row[j] == w[j] {
				continue
			}
			if i == 0 {
				return fmt.Errorf("the header's column %d is %q, want %q", j+1, row[j], w[j])
			}
			return fmt.Errorf("row %d (cadre %s), column %d %q: the file says %q, the tally %q",
				i, r.Cadres[i-1].Cadre.ID, j+1, wantRows[0][j], row[j], w[j])
		}
	}
	return nil
}

// readCSV parses a results.csv after its byte-order mark. Every row has
// cells cells, the length of the rule set's header; a file whose rows
// differ is refused here.
func readCSV(data []byte, cells int) ([][]string, error) {
	rest, ok := bytes.CutPrefix(data, []byte(utf8BOM))
	if !ok {
		return nil, errors.New("the file does not start with the UTF-8 byte-order mark")
	}
	cr := csv.NewReader(bytes.NewReader(rest))
	cr.FieldsPerRecord = cells
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("the file is not the results csv: %w", err)
	}
	if len(rows) == 0 {
		return nil, errors.New("the file is empty")
	}
	return rows, nil
}

// CheckJSON reports whether data, a results.json, states exactly r: one
// JSON object with exactly the fields WriteJSON writes, each holding what
// WriteJSON writes for r — every figure of Result and every text derived
// from it. White space may differ. The error names the first field that
// differs by its path, e.g. cadres[0].counts[1].
func CheckJSON(data []byte, r Result) error {
	var want bytes.Buffer
	if err := WriteJSON(&want, r); err != nil {
		return err
	}
	var w jsonResult
	if err := json.Unmarshal(want.Bytes(), &w); err != nil {
		return fmt.Errorf("failed to read back the expected json: %w", err)
	}
	var got jsonResult
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&got); err != nil {
		return fmt.Errorf("the file is not the results json: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("the file holds more than one JSON object")
	}
	if path, g, x, ok := firstDifference(reflect.ValueOf(got), reflect.ValueOf(w), ""); !ok {
		return fmt.Errorf("%s: the file says %v, the tally %v", path, g, x)
	}
	return nil
}

// jsonText shows a value as the file writes it: 6000, not 60.00.
func jsonText(v reflect.Value) string {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return fmt.Sprint(v.Interface())
	}
	return string(b)
}

// firstDifference walks two values of the same type, a struct of the JSON
// form, and returns the JSON path of the first field that differs and the
// two values there.
func firstDifference(got, want reflect.Value, path string) (string, any, any, bool) {
	switch got.Kind() {
	case reflect.Struct:
		for i := range got.NumField() {
			name, _, _ := strings.Cut(got.Type().Field(i).Tag.Get("json"), ",")
			p := name
			if path != "" {
				p = path + "." + name
			}
			if p, g, w, ok := firstDifference(got.Field(i), want.Field(i), p); !ok {
				return p, g, w, false
			}
		}
		return "", nil, nil, true
	case reflect.Slice, reflect.Array:
		if got.Len() != want.Len() {
			return path, fmt.Sprintf("%d elements", got.Len()), fmt.Sprintf("%d elements", want.Len()), false
		}
		for i := range got.Len() {
			if p, g, w, ok := firstDifference(got.Index(i), want.Index(i), fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, g, w, false
			}
		}
		return "", nil, nil, true
	}
	if !got.Equal(want) {
		return path, jsonText(got), jsonText(want), false
	}
	return "", nil, nil, true
}
