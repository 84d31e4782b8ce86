package box

import (
	"bytes"
	"testing"
)

// TestParseRefusesSecondSpellings holds the JSON readers to SPEC.md 11.1's "one value has one spelling": a valid
// ballot parses, with or without whitespace, and every other spelling of one of its members is refused.
func TestParseRefusesSecondSpellings(t *testing.T) {
	p, _ := testParams(t, 3, 3)
	key := cardKey(t, p.Session, 1)
	b, _, err := EncryptBallot(newDetRand("spelling"), p, key, []int{1, 2, 0})
	if err != nil {
		t.Fatal(err)
	}
	b.MultipleMarks = []int{3}
	js := FormatBallot(b)
	if _, err := ParseBallot(js); err != nil {
		t.Fatalf("a ballot as written does not parse: %v", err)
	}
	spaced := bytes.ReplaceAll(bytes.ReplaceAll(js, []byte(`,"`), []byte(",\n  \"")), []byte(`":`), []byte(`" : `))
	if got, err := ParseBallot(spaced); err != nil {
		t.Errorf("whitespace between tokens refused: %v", err)
	} else if !bytes.Equal(FormatBallot(got), js) {
		t.Error("whitespace changed the ballot")
	}
	sig := []byte(`"sig":`)
	for name, bad := range map[string][]byte{
		"duplicate member":   bytes.Replace(js, []byte(`"x":[3]`), []byte(`"x":[1],"x":[3]`), 1),
		"member name case":   bytes.Replace(js, []byte(`"card":`), []byte(`"Card":`), 1),
		"format name case":   bytes.Replace(js, []byte(`"format":`), []byte(`"FORMAT":`), 1),
		"unknown member":     bytes.Replace(js, sig, []byte(`"extra":1,"sig":`), 1),
		"leading zero":       bytes.Replace(js, []byte(`"x":[3]`), []byte(`"x":[03]`), 1),
		"exponent":           bytes.Replace(js, []byte(`"x":[3]`), []byte(`"x":[3e0]`), 1),
		"fraction":           bytes.Replace(js, []byte(`"x":[3]`), []byte(`"x":[3.0]`), 1),
		"negative zero":      bytes.Replace(js, []byte(`"x":[3]`), []byte(`"x":[-0,3]`), 1),
		"null card":          bytes.Replace(js, []byte(`"card":"`+encodeB64(b.Card[:])+`"`), []byte(`"card":null`), 1),
		"nested member case": bytes.Replace(js, []byte(`"ct":`), []byte(`"CT":`), 1),
	} {
		if bytes.Equal(bad, js) {
			t.Fatalf("%s: the fixture did not change the message", name)
		}
		if _, err := ParseBallot(bad); err == nil {
			t.Errorf("%s accepted: %s", name, bad[:min(len(bad), 120)])
		}
	}
}
