// Package pdfsig signs PDF documents by incremental update and verifies the
// signatures it finds in them. Each signature is a new revision appended to
// the file: it covers every byte before it, so that any number of people
// can sign one document in turn, each on their own machine, and every
// earlier signature stays valid.
//
// Signatures are PAdES baseline (ETSI EN 319 142-1): SubFilter
// ETSI.CAdES.detached, SHA-256, the signer's certificate bound by the
// signing-certificate-v2 attribute, and optionally an RFC 3161 time-stamp
// on the signature value (B-T). Text fields (name, reason, location) are
// PDF text strings, so Vietnamese comes out as written.
//
// The package is pure: it reads and returns bytes, and reaches a
// time-stamping authority only through the caller's Timestamper.
package pdfsig

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/digitorus/pdf"
)

// Info is what a signature states besides its certificate.
type Info struct {
	// Name is the signer's name as the signature dictionary shows it;
	// readers show the certificate's subject as well.
	Name string
	// Reason says why the document is signed ("Ký biên bản kiểm phiếu").
	Reason string
	// Location is where it is signed.
	Location string
	// ContactInfo is how to reach the signer; optional.
	ContactInfo string
	// Time is the claimed signing time (/M): the signer's own clock,
	// which proves nothing; a time-stamp token is what proves a time.
	Time time.Time
}

// Options are the signer's certificate, key and statements.
type Options struct {
	Certificate *x509.Certificate
	// Chain holds the intermediate certificates, leaf excluded, so that a
	// reader can build the path to the CA it trusts.
	Chain []*x509.Certificate
	// Key is the certificate's private key: a key in memory, or one on a
	// token (PKCS #11) that never leaves it.
	Key  crypto.Signer
	Info Info
	// Timestamper, if set, time-stamps the signature (PAdES B-T).
	Timestamper Timestamper
}

// placeholder holds the place of the byte range, which is known only after
// the whole revision is written; the numbers are padded with spaces after
// the closing bracket.
const placeholder = "[0 ********** ********** **********]"

// Sign returns doc with one more signature, appended as an incremental
// update: doc is an unchanged prefix of the result, and the new signature
// covers the whole result except its own value. It never modifies doc.
func Sign(doc []byte, o Options) ([]byte, error) {
	if o.Certificate == nil || o.Key == nil {
		return nil, errors.New("failed to sign pdf: no certificate or key")
	}
	if _, err := signatureAlgorithm(o.Certificate.PublicKey); err != nil {
		return nil, fmt.Errorf("failed to sign pdf: %w", err)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pub, ok := o.Key.Public().(equaler); !ok || !pub.Equal(o.Certificate.PublicKey) {
		return nil, errors.New("failed to sign pdf: the private key does not belong to the certificate")
	}
	if o.Info.Time.IsZero() {
		o.Info.Time = time.Now()
	}
	// A first guess at the size of the CMS structure; a bigger one
	// (a long chain, a TSA that sends its whole chain) is retried once
	// with the size it turned out to need.
	room := 2048
	for _, c := range append([]*x509.Certificate{o.Certificate}, o.Chain...) {
		room += len(c.Raw)
	}
	if o.Timestamper != nil {
		room += 12288
	}
	for attempt := 0; ; attempt++ {
		out, need, err := sign(doc, o, room)
		if err != nil {
			return nil, fmt.Errorf("failed to sign pdf: %w", err)
		}
		if need == 0 {
			return out, nil
		}
		if attempt > 0 {
			return nil, fmt.Errorf("failed to sign pdf: the signature needs %d bytes, more than the %d reserved", need, room)
		}
		room = need + 1024
	}
}

// revision is the state of a document that a new revision builds on.
type revision struct {
	rdr      *pdf.Reader
	size     uint32 // the next free object number
	prevXref int64
	stream   bool // the last cross-reference section is a stream
	root     pdf.Value
	page     pdf.Value // the first page, which carries the widget
	fields   []pdf.Value
	sigCount int
}

// open reads what a new revision needs. The reader panics on some
// malformed files; that is a property of the input, so it becomes an error.
func open(doc []byte) (rev *revision, err error) {
	defer func() {
		if r := recover(); r != nil {
			rev, err = nil, fmt.Errorf("malformed PDF: %v", r)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		return nil, fmt.Errorf("failed to read the document: %w", err)
	}
	tr := rdr.Trailer()
	if tr.Key("Encrypt").Kind() != pdf.Null {
		return nil, errors.New("encrypted PDFs are not supported")
	}
	rev = &revision{rdr: rdr, prevXref: rdr.XrefInformation.StartPos, stream: rdr.XrefInformation.Type == "stream"}
	size := tr.Key("Size").Int64()
	if n := rdr.XrefInformation.ItemCount; n > size {
		size = n
	}
	if size <= 0 || size > 1<<22 {
		return nil, fmt.Errorf("malformed PDF: trailer /Size %d", size)
	}
	rev.size = uint32(size)
	rev.root = tr.Key("Root")
	if rev.root.Kind() != pdf.Dict || objID(rev.root) == 0 {
		return nil, errors.New("malformed PDF: no document catalog")
	}
	rev.page, err = firstPage(rev.root.Key("Pages"), 0)
	if err != nil {
		return nil, err
	}
	fields := rev.root.Key("AcroForm").Key("Fields")
	for i := 0; i < fields.Len(); i++ {
		f := fields.Index(i)
		if objID(f) == objID(fields) || objID(f) == 0 {
			return nil, errors.New("the form has a field that is not an indirect object")
		}
		rev.fields = append(rev.fields, f)
		if f.Key("FT").Name() == "Sig" {
			rev.sigCount++
		}
	}
	return rev, nil
}

func firstPage(v pdf.Value, depth int) (pdf.Value, error) {
	if depth > 32 {
		return pdf.Value{}, errors.New("malformed PDF: the page tree is too deep")
	}
	switch v.Key("Type").Name() {
	case "Page":
		if objID(v) == 0 {
			break
		}
		return v, nil
	case "Pages":
		kids := v.Key("Kids")
		for i := 0; i < kids.Len(); i++ {
			if p, err := firstPage(kids.Index(i), depth+1); err == nil {
				return p, nil
			}
		}
	}
	return pdf.Value{}, errors.New("malformed PDF: no page")
}

// sign writes one revision with room bytes for the CMS structure. It
// returns need > 0, and no document, when the structure did not fit.
func sign(doc []byte, o Options, room int) (out []byte, need int, err error) {
	rev, err := open(doc)
	if err != nil {
		return nil, 0, err
	}
	var b bytes.Buffer
	b.Grow(len(doc) + 2*room + 4096)
	b.Write(doc)
	if len(doc) > 0 && doc[len(doc)-1] != '\n' && doc[len(doc)-1] != '\r' {
		b.WriteByte('\n')
	}
	offsets := map[uint32]int{} // object number → offset; generation 0 unless updated
	gens := map[uint32]uint16{}
	sigID, widgetID := rev.size, rev.size+1
	next := rev.size + 2

	// The signature dictionary.
	offsets[sigID] = b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n/ByteRange ", sigID)
	rangeAt := b.Len()
	b.WriteString(placeholder)
	b.WriteString("\n/Contents ")
	contentsAt := b.Len()
	b.WriteByte('<')
	b.Write(bytes.Repeat([]byte{'0'}, 2*room))
	b.WriteByte('>')
	contentsEnd := b.Len()
	b.WriteString("\n/M " + dateString(o.Info.Time))
	for _, kv := range [][2]string{{"Name", o.Info.Name}, {"Reason", o.Info.Reason}, {"Location", o.Info.Location}, {"ContactInfo", o.Info.ContactInfo}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "\n/%s %s", kv[0], TextString(kv[1]))
		}
	}
	b.WriteString("\n/Prop_Build << /App << /Name /tinnhiem >> >>\n>>\nendobj\n")

	// The signature field, an invisible widget on the first page.
	pageID, pageGen := ref(rev.page)
	offsets[widgetID] = b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/T %s\n/V %d 0 R\n/P %d %d R\n/Rect [0 0 0 0]\n/F 132\n>>\nendobj\n",
		widgetID, TextString(rev.fieldName()), sigID, pageID, pageGen)

	// The first page again, with the widget among its annotations.
	offsets[pageID], gens[pageID] = b.Len(), pageGen
	fmt.Fprintf(&b, "%d %d obj\n", pageID, pageGen)
	if err := writeDictExcept(&b, pageID, rev.page, "Annots"); err != nil {
		return nil, 0, fmt.Errorf("failed to copy the first page: %w", err)
	}
	b.WriteString("/Annots [")
	annots := rev.page.Key("Annots")
	for i := 0; i < annots.Len(); i++ {
		if err := writeValue(&b, objID(annots), annots.Index(i)); err != nil {
			return nil, 0, fmt.Errorf("failed to copy the first page: %w", err)
		}
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "%d 0 R]\n>>\nendobj\n", widgetID)

	// The catalog again, with every earlier field and the new one.
	rootID, rootGen := ref(rev.root)
	offsets[rootID], gens[rootID] = b.Len(), rootGen
	fmt.Fprintf(&b, "%d %d obj\n", rootID, rootGen)
	if err := writeDictExcept(&b, rootID, rev.root, "AcroForm"); err != nil {
		return nil, 0, fmt.Errorf("failed to copy the catalog: %w", err)
	}
	acro := rev.root.Key("AcroForm")
	b.WriteString("/AcroForm ")
	if err := writeDictExcept(&b, objID(acro), acro, "Fields", "SigFlags"); err != nil {
		return nil, 0, fmt.Errorf("failed to copy the form: %w", err)
	}
	b.WriteString("/Fields [")
	for _, f := range rev.fields {
		id, gen := ref(f)
		fmt.Fprintf(&b, "%d %d R ", id, gen)
	}
	fmt.Fprintf(&b, "%d 0 R]\n/SigFlags 3\n>>\n>>\nendobj\n", widgetID)

	if err := rev.writeXref(&b, offsets, gens, next); err != nil {
		return nil, 0, err
	}

	// Now that the revision's length is known: the byte range, then the
	// signature over it.
	buf := b.Bytes()
	br := fmt.Sprintf("[0 %d %d %d]", contentsAt, contentsEnd, len(buf)-contentsEnd)
	copy(buf[rangeAt:], br+strings.Repeat(" ", len(placeholder)-len(br)))
	signed := make([]byte, 0, contentsAt+len(buf)-contentsEnd)
	signed = append(append(signed, buf[:contentsAt]...), buf[contentsEnd:]...)
	cms, err := buildCMS(signed, o.Certificate, o.Chain, o.Key, o.Timestamper)
	if err != nil {
		return nil, 0, err
	}
	if len(cms) > room {
		return nil, len(cms), nil
	}
	hex.Encode(buf[contentsAt+1:], cms)
	for i := contentsAt + 1; i < contentsAt+1+2*len(cms); i++ {
		if c := buf[i]; c >= 'a' {
			buf[i] = c - 'a' + 'A'
		}
	}
	return buf, 0, nil
}

// fieldName returns a name for the new signature field that no field of
// the form has: "Signature N", N one more than the signatures already there.
func (rev *revision) fieldName() string {
	taken := map[string]bool{}
	for _, f := range rev.fields {
		taken[f.Key("T").Text()] = true
	}
	for n := rev.sigCount + 1; ; n++ {
		if name := "Signature " + strconv.Itoa(n); !taken[name] {
			return name
		}
	}
}

// writeXref ends the revision: a cross-reference section of the objects
// written (a table, or a stream when the document's last section is one,
// since a reader need not accept a mix), the trailer and startxref.
func (rev *revision) writeXref(b *bytes.Buffer, offsets map[uint32]int, gens map[uint32]uint16, next uint32) error {
	tr := rev.rdr.Trailer()
	var trailer bytes.Buffer
	rootID, rootGen := ref(rev.root)
	fmt.Fprintf(&trailer, "/Root %d %d R\n/Prev %d\n", rootID, rootGen, rev.prevXref)
	if info := tr.Key("Info"); info.Kind() == pdf.Dict && objID(info) != 0 {
		id, gen := ref(info)
		fmt.Fprintf(&trailer, "/Info %d %d R\n", id, gen)
	}
	if id := tr.Key("ID"); id.Kind() == pdf.Array && id.Len() == 2 {
		fmt.Fprintf(&trailer, "/ID [<%x> <%x>]\n", id.Index(0).RawString(), id.Index(1).RawString())
	}
	ids := make([]uint32, 0, len(offsets)+1)
	for id := range offsets {
		ids = append(ids, id)
	}
	if !rev.stream {
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		xrefAt := b.Len()
		b.WriteString("xref\n")
		for i := 0; i < len(ids); {
			j := i + 1
			for j < len(ids) && ids[j] == ids[j-1]+1 {
				j++
			}
			fmt.Fprintf(b, "%d %d\n", ids[i], j-i)
			for _, id := range ids[i:j] {
				fmt.Fprintf(b, "%010d %05d n\r\n", offsets[id], gens[id])
			}
			i = j
		}
		fmt.Fprintf(b, "trailer\n<<\n/Size %d\n%s>>\nstartxref\n%d\n%%%%EOF\n", next, trailer.String(), xrefAt)
		return nil
	}
	// A cross-reference stream, uncompressed: type 1 entries, 4-byte
	// offsets, 2-byte generations; it lists itself too.
	xrefID := next
	next++
	xrefAt := b.Len()
	offsets[xrefID] = xrefAt
	ids = append(ids, xrefID)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var index strings.Builder
	var data []byte
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j] == ids[j-1]+1 {
			j++
		}
		fmt.Fprintf(&index, "%d %d ", ids[i], j-i)
		for _, id := range ids[i:j] {
			if offsets[id] > 1<<32-1 {
				return errors.New("the document is too large for a 4-byte cross-reference offset")
			}
			data = append(data, 1)
			data = binary.BigEndian.AppendUint32(data, uint32(offsets[id]))
			data = binary.BigEndian.AppendUint16(data, gens[id])
		}
		i = j
	}
	fmt.Fprintf(b, "%d 0 obj\n<<\n/Type /XRef\n/Size %d\n/Index [%s]\n/W [1 4 2]\n%s/Length %d\n>>\nstream\n",
		xrefID, next, strings.TrimSpace(index.String()), trailer.String(), len(data))
	b.Write(data)
	fmt.Fprintf(b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xrefAt)
	return nil
}
