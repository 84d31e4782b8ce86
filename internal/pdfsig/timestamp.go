package pdfsig

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/digitorus/timestamp"
)

// Timestamper obtains an RFC 3161 time-stamp token from a time-stamping
// authority (TSA). The package itself never goes to the network: the
// caller supplies the transport, so that this package stays pure and a
// test can answer from a local TSA.
type Timestamper interface {
	// Timestamp returns the DER TimeStampToken (a CMS ContentInfo) for the
	// SHA-256 digest, as found in the TSA's TimeStampResp.
	Timestamp(sha256Digest []byte) ([]byte, error)
}

// TimestampRequest returns the DER TimeStampReq for a SHA-256 digest, asking
// the TSA to include its certificate so that readers can check the token.
func TimestampRequest(sha256Digest []byte) ([]byte, error) {
	if len(sha256Digest) != sha256.Size {
		return nil, fmt.Errorf("failed to build a timestamp request: digest of %d bytes, want %d", len(sha256Digest), sha256.Size)
	}
	req := timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: sha256Digest, Certificates: true}
	b, err := req.Marshal()
	if err != nil {
		return nil, fmt.Errorf("failed to build a timestamp request: %w", err)
	}
	return b, nil
}

// TokenFromResponse extracts the time-stamp token from a DER TimeStampResp,
// failing on a refusal by the TSA or a token whose signature fails.
func TokenFromResponse(resp []byte) ([]byte, error) {
	ts, err := timestamp.ParseResponse(resp)
	if err != nil {
		return nil, fmt.Errorf("failed to read the timestamp response: %w", err)
	}
	return ts.RawToken, nil
}

// Timestamp is what a signature's time-stamp token states.
type Timestamp struct {
	// Time is the TSA's time of the token (genTime).
	Time time.Time
	// Authority is the subject common name of the TSA's certificate.
	Authority string
}

// checkTimestamp verifies that token is a validly signed time-stamp token
// over the SHA-256 digest of sig, and returns its time.
func checkTimestamp(token, sig []byte) (*Timestamp, error) {
	ts, err := timestamp.Parse(token)
	if err != nil {
		return nil, fmt.Errorf("failed to read the timestamp token: %w", err)
	}
	if !ts.AddTSACertificate || len(ts.Certificates) == 0 {
		return nil, errors.New("the timestamp token carries no TSA certificate, so its signature cannot be checked")
	}
	want := sha256.Sum256(sig)
	if ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, want[:]) {
		return nil, errors.New("the timestamp token is not over this signature")
	}
	authority := ts.Certificates[0]
	for _, c := range ts.Certificates {
		if slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
			authority = c // the TSA's own certificate, not a CA's sent with it
		}
	}
	return &Timestamp{Time: ts.Time.UTC(), Authority: authority.Subject.CommonName}, nil
}
