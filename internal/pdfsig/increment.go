package pdfsig

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/digitorus/pdf"
)

// objHeader finds the objects an uncompressed revision defines.
var objHeader = regexp.MustCompile(`(?:^|[\s>\]])(\d{1,10})\s+(\d{1,5})\s+obj\b`)

// catalogKeysAdded are the catalog entries a signing revision may add or
// change besides the form: the version, the document security store
// (validation data) and extensions.
var catalogKeysAdded = map[string]bool{"AcroForm": true, "Version": true, "DSS": true, "Extensions": true}

// checkRevision checks that the revision appended to doc changes nothing
// that a signature does not need: it may add objects, and redefine only
// the catalog (the same entries, a new form) and pages (the same entries
// but their annotations). So a signer cannot change what the earlier
// signers signed while adding a signature; object streams, which would
// hide redefinitions, are refused.
func checkRevision(doc, updated []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed PDF: %v", r)
		}
	}()
	inc := updated[len(doc):]
	if bytes.Contains(inc, []byte("/ObjStm")) {
		return errors.New("the update holds an object stream, whose objects cannot be checked; sign with tinnhiem sign, or a signer that writes plain objects")
	}
	before, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		return fmt.Errorf("failed to read the stored document: %w", err)
	}
	after, err := pdf.NewReader(bytes.NewReader(updated), int64(len(updated)))
	if err != nil {
		return fmt.Errorf("failed to read the update: %w", err)
	}
	size := before.Trailer().Key("Size").Int64()
	oldRoot, newRoot := before.Trailer().Key("Root"), after.Trailer().Key("Root")
	if objID(oldRoot) != objID(newRoot) {
		return errors.New("the update replaces the document catalog")
	}
	oldPages := map[uint32]pdf.Value{}
	collectPages(oldRoot.Key("Pages"), oldPages, 0)
	newPages := map[uint32]pdf.Value{}
	collectPages(newRoot.Key("Pages"), newPages, 0)
	if len(newPages) != len(oldPages) {
		return fmt.Errorf("the update has %d pages, the stored document %d", len(newPages), len(oldPages))
	}
	for _, m := range objHeader.FindAllSubmatch(inc, -1) {
		n, _ := strconv.ParseInt(string(m[1]), 10, 64)
		id := uint32(n)
		switch {
		case n >= size:
			continue // a new object
		case id == objID(oldRoot):
			if err := sameExcept(oldRoot, newRoot, catalogKeysAdded); err != nil {
				return fmt.Errorf("the update changes the catalog: %w", err)
			}
		case oldPages[id].Kind() == pdf.Dict:
			p, ok := newPages[id]
			if !ok {
				return fmt.Errorf("the update moves page object %d out of the page tree", id)
			}
			if err := sameExcept(oldPages[id], p, map[string]bool{"Annots": true}); err != nil {
				return fmt.Errorf("the update changes page object %d: %w", id, err)
			}
		default:
			return fmt.Errorf("the update redefines object %d of the signed document; a signature may only add to it", id)
		}
	}
	return nil
}

// sameExcept fails unless a and b hold the same entries, written the same
// way, apart from the keys in free.
func sameExcept(a, b pdf.Value, free map[string]bool) error {
	for _, k := range a.Keys() {
		if free[k] {
			continue
		}
		var x, y bytes.Buffer
		if err := writeValue(&x, objID(a), a.Key(k)); err != nil {
			return err
		}
		if err := writeValue(&y, objID(b), b.Key(k)); err != nil {
			return err
		}
		if !bytes.Equal(x.Bytes(), y.Bytes()) {
			return fmt.Errorf("/%s differs", k)
		}
	}
	for _, k := range b.Keys() {
		if !free[k] && a.Key(k).Kind() == pdf.Null {
			return fmt.Errorf("/%s is added", k)
		}
	}
	return nil
}

func collectPages(v pdf.Value, out map[uint32]pdf.Value, depth int) {
	if depth > 32 {
		return
	}
	switch v.Key("Type").Name() {
	case "Page":
		out[objID(v)] = v
	case "Pages":
		kids := v.Key("Kids")
		for i := 0; i < kids.Len(); i++ {
			collectPages(kids.Index(i), out, depth+1)
		}
	}
}
