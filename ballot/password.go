package ballot

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// The argon2id parameters of new password hashes: 19 MiB, two passes, one
// lane, the OWASP minimum for argon2id, so that a login costs tens of
// milliseconds on the small machines a meeting runs on while an offline
// guess costs the same memory. The parameters travel inside each stored hash,
// so they can be raised later without invalidating old passwords.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Bounds on parameters read back from the database, so that a tampered or
// corrupt hash cannot make one login allocate gigabytes.
const (
	maxArgonMemory = 1 << 20 // 1 GiB in KiB
	maxArgonTime   = 16
)

// MinPasswordLength is the shortest password an account may have, counted
// in characters.
const MinPasswordLength = 10

// MaxPasswordLength bounds a password, so that hashing stays cheap to start.
const MaxPasswordLength = 256

var b64 = base64.RawStdEncoding

// HashPassword hashes password with argon2id and a fresh random salt read
// from random, and returns a PHC-style string that holds the parameters,
// the salt and the hash:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// (base64 without padding). It refuses passwords that are too short or too
// long before reading any randomness.
func HashPassword(random io.Reader, password string) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", Errorf(EInternal, "failed to read randomness: %v", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

func checkPassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return &Error{Code: EInvalid, Key: "password_short", Args: Args{"min": MinPasswordLength}}
	case len(password) > MaxPasswordLength:
		return &Error{Code: EInvalid, Key: "password_long", Args: Args{"max": MaxPasswordLength}}
	}
	return nil
}

// phc is a parsed argon2id hash string.
type phc struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

func parsePHC(s string) (phc, error) {
	var p phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, fmt.Errorf("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &threads); err != nil {
		return p, fmt.Errorf("malformed argon2 parameters %q", parts[3])
	}
	if p.memory < 8 || p.memory > maxArgonMemory || p.time < 1 || p.time > maxArgonTime || threads < 1 || threads > 16 {
		return p, fmt.Errorf("argon2 parameters out of range: %q", parts[3])
	}
	p.threads = uint8(threads)
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, fmt.Errorf("malformed salt")
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return p, fmt.Errorf("malformed hash")
	}
	return p, nil
}

// CheckPassword reports whether password matches the stored hash. The
// comparison takes the same time wherever the two differ; a malformed hash
// never matches.
func CheckPassword(stored, password string) bool {
	p, err := parsePHC(stored)
	if err != nil || len(password) > MaxPasswordLength {
		return false
	}
	got := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(got, p.key) == 1
}

// dummyHash is checked against when a login names no account, so that an
// unknown name costs as much time as a wrong password and the answer's
// timing does not say which names exist.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword(zeroReader{}, "no account has this password")
	if err != nil {
		panic("ballot: failed to build the dummy password hash: " + err.Error())
	}
	return h
})

type zeroReader struct{}

func (zeroReader) Read(b []byte) (int, error) { clear(b); return len(b), nil }
