package tally

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestIndentJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{}`, "{}\n"},
		{`[]`, "[]\n"},
		{`[1,2,3]`, "[1, 2, 3]\n"},
		{`{"a":[1,"x,]\"[",null],"b":{}}`, "{\n  \"a\": [1, \"x,]\\\"[\", null],\n  \"b\": {}\n}\n"},
		{`{"a":[{"b":[]},[true,false]]}`, "{\n  \"a\": [\n    {\n      \"b\": []\n    },\n    [true, false]\n  ]\n}\n"},
		{`"a\\"`, "\"a\\\\\"\n"},
		{`{"k:{":"v,[","n":-1.5e3}`, "{\n  \"k:{\": \"v,[\",\n  \"n\": -1.5e3\n}\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		indentJSON(&buf, []byte(tt.in))
		if got := buf.String(); got != tt.want {
			t.Errorf("indentJSON(%s) =\n%s\nwant\n%s", tt.in, got, tt.want)
		}
	}
}

// FuzzIndentJSON checks that indentJSON only adds whitespace: compacting its
// output gives back its input, for any JSON that encoding/json writes.
func FuzzIndentJSON(f *testing.F) {
	f.Add(`{"a":[1,2,{"b":"[,]"}],"c":[]}`)
	f.Add(`["\"", "\\", "x"]`)
	f.Add(`[[[]],{}]`)
	f.Add(`"plain"`)
	f.Fuzz(func(t *testing.T, in string) {
		var v any
		if json.Unmarshal([]byte(in), &v) != nil {
			return
		}
		src, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out, back bytes.Buffer
		indentJSON(&out, src)
		if !json.Valid(out.Bytes()) {
			t.Fatalf("indentJSON(%s) is not valid JSON:\n%s", src, out.Bytes())
		}
		if err := json.Compact(&back, out.Bytes()); err != nil || !bytes.Equal(back.Bytes(), src) {
			t.Fatalf("indentJSON(%s) compacts to %s (%v)", src, back.Bytes(), err)
		}
	})
}
