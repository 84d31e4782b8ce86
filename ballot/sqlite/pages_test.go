package sqlite

// A small reader of the SQLite file format (https://sqlite.org/fileformat.html),
// written for the tests that check what the bytes of a closed database say.
// It reads the raw file and never asks SQLite, so that the tests see what an
// inspector with a hex editor would see, not what SQLite chooses to show.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
)

// dbFile is a whole database file in memory.
type dbFile struct {
	data     []byte
	pageSize int
	usable   int // page size less the reserved bytes at the end of each page
	pages    int
}

func readDBFile(path string) (*dbFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < 100 || !bytes.HasPrefix(data, []byte("SQLite format 3\x00")) {
		return nil, fmt.Errorf("%s is not an SQLite database", path)
	}
	f := &dbFile{data: data, pageSize: int(binary.BigEndian.Uint16(data[16:18]))}
	if f.pageSize == 1 {
		f.pageSize = 65536
	}
	f.usable = f.pageSize - int(data[20])
	if len(data)%f.pageSize != 0 {
		return nil, fmt.Errorf("%s: %d bytes is not a whole number of %d-byte pages", path, len(data), f.pageSize)
	}
	f.pages = len(data) / f.pageSize
	if enc := binary.BigEndian.Uint32(data[56:60]); enc != 1 {
		return nil, fmt.Errorf("%s: text encoding %d, the reader knows only UTF-8 (1)", path, enc)
	}
	return f, nil
}

// page returns the bytes of page n (from 1).
func (f *dbFile) page(n uint32) ([]byte, error) {
	if n < 1 || int(n) > f.pages {
		return nil, fmt.Errorf("page %d is outside the file's %d pages", n, f.pages)
	}
	off := (int(n) - 1) * f.pageSize
	return f.data[off : off+f.pageSize], nil
}

// B-tree page types.
const (
	interiorIndex = 0x02
	interiorTable = 0x05
	leafIndex     = 0x0a
	leafTable     = 0x0d
)

// btreePage is one parsed b-tree page.
type btreePage struct {
	num        uint32
	raw        []byte // the whole page
	hdr        int    // offset of the b-tree header: 100 on page 1, else 0
	kind       byte
	firstFree  int // offset of the first freeblock, 0 if none
	contentTop int // start of the cell content area
	fragmented int
	rightChild uint32
	cells      []cell
}

// cell is one cell of a b-tree page, where it lies and what it holds.
type cell struct {
	offset  int    // byte offset of the cell within its page
	size    int    // bytes the cell occupies on the page
	child   uint32 // left child, on interior pages
	rowid   int64  // on table pages
	payload []byte // the whole payload, overflow pages included
}

func (f *dbFile) btreePage(n uint32) (*btreePage, error) {
	raw, err := f.page(n)
	if err != nil {
		return nil, err
	}
	p := &btreePage{num: n, raw: raw}
	if n == 1 {
		p.hdr = 100
	}
	h := raw[p.hdr:]
	p.kind = h[0]
	p.firstFree = int(binary.BigEndian.Uint16(h[1:3]))
	ncells := int(binary.BigEndian.Uint16(h[3:5]))
	p.contentTop = int(binary.BigEndian.Uint16(h[5:7]))
	if p.contentTop == 0 {
		p.contentTop = 65536
	}
	p.fragmented = int(h[7])
	hlen := 8
	switch p.kind {
	case interiorIndex, interiorTable:
		p.rightChild = binary.BigEndian.Uint32(h[8:12])
		hlen = 12
	case leafIndex, leafTable:
	default:
		return nil, fmt.Errorf("page %d has b-tree type %#x, not one of 2, 5, 10, 13", n, p.kind)
	}
	ptrs := h[hlen : hlen+2*ncells]
	for i := range ncells {
		off := int(binary.BigEndian.Uint16(ptrs[2*i:]))
		c, err := f.parseCell(p.kind, raw, off)
		if err != nil {
			return nil, fmt.Errorf("page %d, cell %d at offset %d: %w", n, i, off, err)
		}
		p.cells = append(p.cells, c)
	}
	return p, nil
}

func (f *dbFile) parseCell(kind byte, raw []byte, off int) (cell, error) {
	c := cell{offset: off}
	i := off
	if kind == interiorIndex || kind == interiorTable {
		c.child = binary.BigEndian.Uint32(raw[i:])
		i += 4
	}
	if kind == interiorTable {
		rowid, n := varint(raw[i:])
		c.rowid = int64(rowid)
		c.size = i + n - off
		return c, nil
	}
	size, n := varint(raw[i:])
	i += n
	if kind == leafTable {
		rowid, n := varint(raw[i:])
		c.rowid = int64(rowid)
		i += n
	}
	local := f.localPayload(kind, int(size))
	if i+local > f.usable {
		return c, fmt.Errorf("payload runs past the page")
	}
	c.payload = append([]byte(nil), raw[i:i+local]...)
	i += local
	if local < int(size) {
		next := binary.BigEndian.Uint32(raw[i:])
		i += 4
		for len(c.payload) < int(size) {
			ov, err := f.page(next)
			if err != nil {
				return c, fmt.Errorf("overflow: %w", err)
			}
			next = binary.BigEndian.Uint32(ov)
			take := min(int(size)-len(c.payload), f.usable-4)
			c.payload = append(c.payload, ov[4:4+take]...)
		}
	}
	c.size = i - off
	return c, nil
}

// localPayload is how much of a payload of size bytes is stored on the
// b-tree page itself, the rest spilling to overflow pages.
func (f *dbFile) localPayload(kind byte, size int) int {
	u := f.usable
	maxLocal := (u-12)*64/255 - 23
	if kind == leafTable {
		maxLocal = u - 35
	}
	minLocal := (u-12)*32/255 - 23
	if size <= maxLocal {
		return size
	}
	k := minLocal + (size-minLocal)%(u-4)
	if k <= maxLocal {
		return k
	}
	return minLocal
}

// overflowPages lists the overflow pages of the cell at off, for the
// inventory of pages.
func (f *dbFile) overflowPages(kind byte, raw []byte, off int) []uint32 {
	i := off
	if kind == interiorTable {
		return nil
	}
	if kind == interiorIndex {
		i += 4
	}
	size, n := varint(raw[i:])
	i += n
	if kind == leafTable {
		_, n := varint(raw[i:])
		i += n
	}
	local := f.localPayload(kind, int(size))
	if local == int(size) {
		return nil
	}
	var out []uint32
	next := binary.BigEndian.Uint32(raw[i+local:])
	for left := int(size) - local; left > 0; left -= f.usable - 4 {
		out = append(out, next)
		ov, err := f.page(next)
		if err != nil {
			return out
		}
		next = binary.BigEndian.Uint32(ov)
	}
	return out
}

// varint decodes SQLite's big-endian variable-length integer.
func varint(b []byte) (uint64, int) {
	var v uint64
	for i := range 8 {
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return v<<8 | uint64(b[8]), 9
}

// record decodes a record into its values: nil, int64, float64 bits as
// uint64, string for text and []byte for blobs.
func record(payload []byte) ([]any, error) {
	hsize, n := varint(payload)
	if int(hsize) > len(payload) {
		return nil, fmt.Errorf("record header of %d bytes in a payload of %d", hsize, len(payload))
	}
	var types []uint64
	for i := n; i < int(hsize); {
		t, n := varint(payload[i:])
		types = append(types, t)
		i += n
	}
	body := payload[hsize:]
	var out []any
	for _, t := range types {
		var size int
		switch {
		case t == 0, t == 8, t == 9:
			size = 0
		case t >= 1 && t <= 4:
			size = int(t)
		case t == 5:
			size = 6
		case t == 6, t == 7:
			size = 8
		case t >= 12:
			size = int(t-12) / 2
		default:
			return nil, fmt.Errorf("serial type %d is reserved", t)
		}
		if size > len(body) {
			return nil, fmt.Errorf("value of %d bytes past the end of the record", size)
		}
		v := body[:size]
		body = body[size:]
		switch {
		case t == 0:
			out = append(out, nil)
		case t == 8:
			out = append(out, int64(0))
		case t == 9:
			out = append(out, int64(1))
		case t <= 6:
			x := int64(int8(v[0])) // sign-extend from the first byte
			for _, b := range v[1:] {
				x = x<<8 | int64(b)
			}
			out = append(out, x)
		case t == 7:
			out = append(out, binary.BigEndian.Uint64(v))
		case t%2 == 0:
			out = append(out, append([]byte(nil), v...))
		default:
			out = append(out, string(v))
		}
	}
	return out, nil
}

// schemaObject is one row of sqlite_schema.
type schemaObject struct {
	kind, name, table string
	root              uint32
}

// schema reads sqlite_schema, the table b-tree rooted at page 1.
func (f *dbFile) schema() ([]schemaObject, error) {
	var out []schemaObject
	err := f.walk(1, func(p *btreePage) error {
		if p.kind != leafTable {
			return nil
		}
		for _, c := range p.cells {
			vals, err := record(c.payload)
			if err != nil {
				return err
			}
			if len(vals) < 4 {
				return fmt.Errorf("sqlite_schema row of %d columns", len(vals))
			}
			o := schemaObject{}
			o.kind, _ = vals[0].(string)
			o.name, _ = vals[1].(string)
			o.table, _ = vals[2].(string)
			if r, ok := vals[3].(int64); ok {
				o.root = uint32(r)
			}
			out = append(out, o)
		}
		return nil
	})
	return out, err
}

// rootOf returns the root page of the named table or index.
func (f *dbFile) rootOf(name string) (uint32, error) {
	objs, err := f.schema()
	if err != nil {
		return 0, err
	}
	for _, o := range objs {
		if o.name == name {
			return o.root, nil
		}
	}
	return 0, fmt.Errorf("no %q in sqlite_schema", name)
}

// walk visits every page of the b-tree rooted at root, in key order: an
// interior page before its children, children left to right.
func (f *dbFile) walk(root uint32, visit func(*btreePage) error) error {
	seen := map[uint32]bool{}
	var rec func(n uint32, depth int) error
	rec = func(n uint32, depth int) error {
		if seen[n] || depth > 20 {
			return fmt.Errorf("page %d is reached twice or the tree is too deep", n)
		}
		seen[n] = true
		p, err := f.btreePage(n)
		if err != nil {
			return err
		}
		if err := visit(p); err != nil {
			return err
		}
		if p.kind == interiorIndex || p.kind == interiorTable {
			for _, c := range p.cells {
				if err := rec(c.child, depth+1); err != nil {
					return err
				}
			}
			return rec(p.rightChild, depth+1)
		}
		return nil
	}
	return rec(root, 0)
}

// freelist returns the trunk pages of the free-page list and the leaf pages
// each trunk lists.
func (f *dbFile) freelist() (trunks, leaves []uint32, err error) {
	next := binary.BigEndian.Uint32(f.data[32:36])
	count := int(binary.BigEndian.Uint32(f.data[36:40]))
	for next != 0 {
		if len(trunks) > f.pages {
			return nil, nil, fmt.Errorf("the free-page list loops")
		}
		p, err := f.page(next)
		if err != nil {
			return nil, nil, err
		}
		trunks = append(trunks, next)
		n := int(binary.BigEndian.Uint32(p[4:8]))
		for i := range n {
			leaves = append(leaves, binary.BigEndian.Uint32(p[8+4*i:]))
		}
		next = binary.BigEndian.Uint32(p[0:4])
	}
	if len(trunks)+len(leaves) != count {
		return nil, nil, fmt.Errorf("the header counts %d free pages, the list holds %d", count, len(trunks)+len(leaves))
	}
	return trunks, leaves, nil
}
