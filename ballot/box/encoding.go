package box

import (
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/gtank/ristretto255"
)

// Point is the 32-byte canonical encoding of a ristretto255 element (RFC 9496). A Point obtained from a Parse
// function or from this package always decodes.
type Point [32]byte

// Scalar is the 32-byte little-endian canonical encoding of an integer modulo the group order. A Scalar obtained
// from a Parse function or from this package is always below the group order.
type Scalar [32]byte

var (
	errNonCanonical = errors.New("not a canonical encoding")
	errIdentity     = errors.New("the identity element is not allowed here")
)

// b64 is base64url without padding, strict: a second encoding of the same bytes (non-zero trailing bits) is refused,
// so that a ballot's JSON has exactly one spelling per value.
var b64 = base64.RawURLEncoding.Strict()

func encodeB64(b []byte) string { return b64.EncodeToString(b) }

func decodeB64(s string) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("failed to decode base64url: %w", err)
	}
	return b, nil
}

func pointOf(e *ristretto255.Element) Point {
	var p Point
	e.Encode(p[:0])
	return p
}

func scalarOf(s *ristretto255.Scalar) Scalar {
	var x Scalar
	s.Encode(x[:0])
	return x
}

// element decodes p; nonIdentity refuses the identity.
func (p Point) element(nonIdentity bool) (*ristretto255.Element, error) {
	e := ristretto255.NewElement()
	if err := e.Decode(p[:]); err != nil {
		return nil, errNonCanonical
	}
	if nonIdentity && e.Equal(ristretto255.NewElement()) == 1 {
		return nil, errIdentity
	}
	return e, nil
}

// decodeInto decodes p into e, which saves an allocation in loops over many elements; nonIdentity refuses the
// identity.
func (p Point) decodeInto(e *ristretto255.Element, nonIdentity bool) error {
	if err := e.Decode(p[:]); err != nil {
		return errNonCanonical
	}
	if nonIdentity && isIdentity(e) {
		return errIdentity
	}
	return nil
}

// decodeInto decodes x into s.
func (x Scalar) decodeInto(s *ristretto255.Scalar) error {
	if err := s.Decode(x[:]); err != nil {
		return errNonCanonical
	}
	return nil
}

func (x Scalar) scalar() (*ristretto255.Scalar, error) {
	s := ristretto255.NewScalar()
	if err := s.Decode(x[:]); err != nil {
		return nil, errNonCanonical
	}
	return s, nil
}

// mustScalar decodes a Scalar made by this package or checked by a parser.
func (x Scalar) mustScalar() *ristretto255.Scalar {
	s, err := x.scalar()
	if err != nil {
		panic("box: unchecked scalar")
	}
	return s
}

func checkPoint(p Point, nonIdentity bool) error {
	_, err := p.element(nonIdentity)
	return err
}

func checkScalar(x Scalar) error {
	_, err := x.scalar()
	return err
}

// splitPoints cuts b into n canonical elements.
func splitPoints(b []byte, n int, what string) ([]Point, error) {
	if len(b) != 32*n {
		return nil, fmt.Errorf("%s: %d bytes, want %d", what, len(b), 32*n)
	}
	out := make([]Point, n)
	for i := range out {
		copy(out[i][:], b[32*i:])
		if err := checkPoint(out[i], false); err != nil {
			return nil, fmt.Errorf("%s: element %d: %w", what, i+1, err)
		}
	}
	return out, nil
}

// splitScalars cuts b into n canonical scalars.
func splitScalars(b []byte, n int, what string) ([]Scalar, error) {
	if len(b) != 32*n {
		return nil, fmt.Errorf("%s: %d bytes, want %d", what, len(b), 32*n)
	}
	out := make([]Scalar, n)
	for i := range out {
		copy(out[i][:], b[32*i:])
		if err := checkScalar(out[i]); err != nil {
			return nil, fmt.Errorf("%s: scalar %d: %w", what, i+1, err)
		}
	}
	return out, nil
}

func joinPoints(ps []Point) []byte {
	b := make([]byte, 0, 32*len(ps))
	for _, p := range ps {
		b = append(b, p[:]...)
	}
	return b
}

func joinScalars(xs []Scalar) []byte {
	b := make([]byte, 0, 32*len(xs))
	for _, x := range xs {
		b = append(b, x[:]...)
	}
	return b
}

// transcript is T(tag, x1, …, xm) of SPEC.md 11.1: every item is length-prefixed, so that no two lists of items
// give the same bytes, and the tag separates the kinds of proof.
type transcript struct {
	h   hash.Hash
	buf []byte // when non-nil, the bytes are also kept (ballot bytes)
}

func newTranscript(tag string) *transcript {
	t := &transcript{h: sha512.New()}
	t.bytes([]byte(tag))
	return t
}

func (t *transcript) bytes(b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	t.h.Write(n[:])
	t.h.Write(b)
	if t.buf != nil {
		t.buf = append(t.buf, n[:]...)
		t.buf = append(t.buf, b...)
	}
}

func (t *transcript) str(s string) { t.bytes([]byte(s)) }

func (t *transcript) u32(v int) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(v))
	t.bytes(n[:])
}

func (t *transcript) point(p Point) { t.bytes(p[:]) }

func (t *transcript) scalar(x Scalar) { t.bytes(x[:]) }

// challenge is Hs of the transcript: SHA-512 read as a little-endian integer and reduced.
func (t *transcript) challenge() *ristretto255.Scalar {
	return ristretto255.NewScalar().FromUniformBytes(t.h.Sum(nil))
}

// randomScalar reads 64 bytes and reduces them, so the result is uniform up to a 2^-256 bias.
func randomScalar(rand io.Reader) (*ristretto255.Scalar, error) {
	var b [64]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return nil, fmt.Errorf("failed to read randomness: %w", err)
	}
	return ristretto255.NewScalar().FromUniformBytes(b[:]), nil
}

// randomWeightInto sets s to a uniformly random 128-bit scalar, the weight of one equation in a batch.
func randomWeightInto(rand io.Reader, s *ristretto255.Scalar) error {
	var b [32]byte
	if _, err := io.ReadFull(rand, b[:16]); err != nil {
		return fmt.Errorf("failed to read randomness: %w", err)
	}
	if err := s.Decode(b[:]); err != nil {
		panic("box: a 128-bit scalar did not decode")
	}
	return nil
}

func scalarFromInt(v int) *ristretto255.Scalar {
	var b [32]byte
	binary.LittleEndian.PutUint64(b[:], uint64(v))
	s := ristretto255.NewScalar()
	if err := s.Decode(b[:]); err != nil {
		panic("box: a small integer did not decode")
	}
	return s
}

// ctSelectScalar returns a if choose == 1 and b if choose == 0, without a branch on choose.
func ctSelectScalar(choose int, a, b *ristretto255.Scalar) *ristretto255.Scalar {
	out := scalarOf(b)
	ea := scalarOf(a)
	subtle.ConstantTimeCopy(choose, out[:], ea[:])
	return out.mustScalar()
}

// ctSelectPoint returns the encoding of a if choose == 1 and of b if choose == 0, without a branch on choose.
func ctSelectPoint(choose int, a, b *ristretto255.Element) Point {
	out := pointOf(b)
	ea := pointOf(a)
	subtle.ConstantTimeCopy(choose, out[:], ea[:])
	return out
}

func generator() *ristretto255.Element { return ristretto255.NewElement().Base() }

func isIdentity(e *ristretto255.Element) bool { return e.Equal(ristretto255.NewElement()) == 1 }
