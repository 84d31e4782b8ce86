package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/term"
	"golang.org/x/text/unicode/norm"

	"tinnhiem/ballot/box"
)

// A trustee's secrets live in files on its own laptop: created once with mode 0600, never overwritten, optionally
// sealed under a passphrase (SPEC.md 11.6.1). Everything else the ceremony produces is public and travels as files
// between laptops and the console.

// FormatSealedV1 is the format of a trustee file sealed under a passphrase.
const FormatSealedV1 = "tinnhiem-box-sealed/v1"

// The Argon2id cost written into new sealed files (RFC 9106's second recommended setting), and the bounds a
// reader accepts, so that a crafted file cannot make the laptop spend gigabytes or hours before failing.
const (
	sealTime        = 3
	sealMemoryKiB   = 64 * 1024
	sealThreads     = 4
	maxSealTime     = 16
	minSealMemory   = 8 * 1024
	maxSealMemory   = 1024 * 1024
	maxSealThreads  = 16
	maxMessageBytes = 64 << 20
	maxPassphrase   = 1024
)

// biError is an error for a person: Vietnamese first, then English, and a hint where one helps.
type biError struct {
	vi, en, hint string
}

func (e *biError) Error() string { return e.vi + " / " + e.en }

// Hint returns what the person can do about the error, or "".
func (e *biError) Hint() string { return e.hint }

// bif formats the same arguments into a Vietnamese and an English message.
func bif(vi, en string, args ...any) *biError {
	return &biError{vi: fmt.Sprintf(vi, args...), en: fmt.Sprintf(en, args...)}
}

func (e *biError) withHint(format string, args ...any) *biError {
	e.hint = fmt.Sprintf(format, args...)
	return e
}

var b64 = base64.RawURLEncoding.Strict()

// sealedJSON is the envelope of SPEC.md 11.6.1.
type sealedJSON struct {
	Format     string `json:"format"`
	Contents   string `json:"contents"`
	KDF        string `json:"kdf"`
	Time       uint32 `json:"time"`
	Memory     uint32 `json:"memory"`
	Threads    uint8  `json:"threads"`
	Salt       string `json:"salt"`
	Nonce      string `json:"nonce"`
	Ciphertext string `json:"ciphertext"`
}

// sealAD binds every header field to the ciphertext, framed as the transcripts of SPEC.md 11.1, so that a header
// changed to a cheaper KDF or another contents type makes the file fail to open instead of misleading the reader.
func sealAD(s *sealedJSON, salt, nonce []byte) []byte {
	var out []byte
	frame := func(b []byte) {
		out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
		out = append(out, b...)
	}
	u32 := func(v uint32) { frame(binary.BigEndian.AppendUint32(nil, v)) }
	frame([]byte("tinnhiem/box/v1/sealed-file"))
	frame([]byte(s.Contents))
	frame([]byte(s.KDF))
	u32(s.Time)
	u32(s.Memory)
	u32(uint32(s.Threads))
	frame(salt)
	frame(nonce)
	return out
}

func sealKey(pass []byte, salt []byte, s *sealedJSON) []byte {
	return argon2.IDKey(pass, salt, s.Time, s.Memory, s.Threads, chacha20poly1305.KeySize)
}

// seal encrypts a trustee file's JSON under the passphrase.
func seal(plain []byte, contents string, pass []byte) ([]byte, error) {
	salt := make([]byte, 16)
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := io.ReadFull(rand.Reader, salt); err != nil {
		return nil, fmt.Errorf("failed to read randomness: %w", err)
	}
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, fmt.Errorf("failed to read randomness: %w", err)
	}
	s := &sealedJSON{Format: FormatSealedV1, Contents: contents, KDF: "argon2id", Time: sealTime, Memory: sealMemoryKiB,
		Threads: sealThreads, Salt: b64.EncodeToString(salt), Nonce: b64.EncodeToString(nonce)}
	aead, err := chacha20poly1305.NewX(sealKey(pass, salt, s))
	if err != nil {
		panic("tinnhiem-verify: xchacha20poly1305 refused a 32-byte key")
	}
	s.Ciphertext = b64.EncodeToString(aead.Seal(nil, nonce, plain, sealAD(s, salt, nonce)))
	out, err := json.Marshal(s)
	if err != nil {
		panic("tinnhiem-verify: the sealed envelope did not marshal")
	}
	return append(out, '\n'), nil
}

// openSealed decrypts a sealed file made by seal; a wrong passphrase and a changed file give the same error, since
// the AEAD cannot tell them apart.
func openSealed(path string, data []byte, pass []byte) ([]byte, string, error) {
	var s sealedJSON
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil || s.Format != FormatSealedV1 {
		return nil, "", bif("tệp %s không phải tệp bí mật được khóa bằng mật khẩu", "%s is not a passphrase-sealed trustee file", path)
	}
	salt, err1 := b64.DecodeString(s.Salt)
	nonce, err2 := b64.DecodeString(s.Nonce)
	ct, err3 := b64.DecodeString(s.Ciphertext)
	if errors.Join(err1, err2, err3) != nil || len(salt) != 16 || len(nonce) != chacha20poly1305.NonceSizeX || s.KDF != "argon2id" ||
		s.Time < 1 || s.Time > maxSealTime || s.Memory < minSealMemory || s.Memory > maxSealMemory || s.Threads < 1 || s.Threads > maxSealThreads ||
		(s.Contents != box.FormatTrusteeSecretV1 && s.Contents != box.FormatTrusteeKeyV1) {
		return nil, "", bif("tệp %s hỏng: phần đầu của tệp khóa không hợp lệ", "%s is damaged: the sealed file's header is not valid", path)
	}
	aead, err := chacha20poly1305.NewX(sealKey(pass, salt, &s))
	if err != nil {
		panic("tinnhiem-verify: xchacha20poly1305 refused a 32-byte key")
	}
	plain, err := aead.Open(nil, nonce, ct, sealAD(&s, salt, nonce))
	if err != nil {
		return nil, "", bif("sai mật khẩu, hoặc tệp %s đã bị thay đổi", "wrong passphrase, or %s has been changed", path).
			withHint("nothing was written; try again with the passphrase chosen in round 1")
	}
	return plain, s.Contents, nil
}

// passphrase is where a command gets the passphrase of a trustee file: a file, the terminal, or none.
type passphrase struct {
	file  string // --passphrase-file
	ask   bool   // --ask-passphrase (new files only: reading a sealed file asks anyway on a terminal)
	cache []byte
}

// normalizePass turns the passphrase into the bytes the KDF takes: UTF-8 in NFC, so that the same Vietnamese
// passphrase typed on keyboards that compose accents differently opens the same file.
func normalizePass(raw []byte, from string) ([]byte, error) {
	p := strings.TrimRight(string(raw), "\r\n")
	if !utf8.ValidString(p) {
		return nil, bif("mật khẩu từ %s không phải UTF-8", "the passphrase from %s is not UTF-8", from)
	}
	if p == "" {
		return nil, bif("mật khẩu từ %s rỗng", "the passphrase from %s is empty", from)
	}
	if len(p) > maxPassphrase {
		return nil, bif("mật khẩu từ %s dài quá %d byte", "the passphrase from %s is longer than %d bytes", from, maxPassphrase)
	}
	return []byte(norm.NFC.String(p)), nil
}

func (p *passphrase) fromFile() ([]byte, error) {
	f, err := os.Open(p.file)
	if err != nil {
		return nil, fmt.Errorf("failed to read the passphrase file: %w", err)
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, maxPassphrase+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("failed to read the passphrase file: %w", err)
	}
	return normalizePass([]byte(line), p.file)
}

func readTerminal(prompt string, stderr io.Writer) ([]byte, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil, bif("không có mật khẩu: đầu vào chuẩn không phải là thiết bị đầu cuối", "no passphrase: standard input is not a terminal").
			withHint("give it with --passphrase-file FILE")
	}
	fmt.Fprint(stderr, prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return nil, fmt.Errorf("failed to read the passphrase: %w", err)
	}
	return normalizePass(b, "the terminal")
}

// forNew returns the passphrase that seals a new file, or nil for a plain one.
func (p *passphrase) forNew(stderr io.Writer) ([]byte, error) {
	if p.cache != nil {
		return p.cache, nil
	}
	switch {
	case p.file != "":
		pass, err := p.fromFile()
		p.cache = pass
		return pass, err
	case p.ask:
		first, err := readTerminal("Mật khẩu bảo vệ tệp bí mật / passphrase for the secret file: ", stderr)
		if err != nil {
			return nil, err
		}
		second, err := readTerminal("Nhập lại / again: ", stderr)
		if err != nil {
			return nil, err
		}
		if string(first) != string(second) {
			return nil, bif("hai lần nhập mật khẩu khác nhau; không tạo tệp nào", "the two passphrases differ; nothing was created")
		}
		p.cache = first
		return first, nil
	}
	return nil, nil
}

// forOpen returns the passphrase of a sealed file: from --passphrase-file, else asked on the terminal.
func (p *passphrase) forOpen(path string, stderr io.Writer) ([]byte, error) {
	if p.cache != nil {
		return p.cache, nil
	}
	var pass []byte
	var err error
	if p.file != "" {
		pass, err = p.fromFile()
	} else {
		pass, err = readTerminal(fmt.Sprintf("Mật khẩu của / passphrase of %s: ", path), stderr)
	}
	p.cache = pass
	return pass, err
}

// checkPrivate refuses a trustee file that others on the machine can read, as ssh does with its keys. Windows has
// no such mode bits, so there the file's ACL is left to the user.
func checkPrivate(path string, st fs.FileInfo) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if st.Mode().Perm()&0o077 != 0 {
		return bif("tệp bí mật %s có quyền %#o: người khác trên máy đọc được", "the secret file %s has mode %#o: others on this machine can read it", path, st.Mode().Perm()).
			withHint("chmod 600 %s", path)
	}
	return nil
}

// readTrusteeFile reads a secret or key file, opening it with the passphrase when it is sealed, and returns the
// trustee JSON inside and its format.
func readTrusteeFile(path string, pass *passphrase, stderr io.Writer) ([]byte, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("failed to read the trustee file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("failed to read the trustee file: %w", err)
	}
	if err := checkPrivate(path, st); err != nil {
		return nil, "", err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxMessageBytes))
	if err != nil {
		return nil, "", fmt.Errorf("failed to read the trustee file: %w", err)
	}
	format := sniffFormat(data)
	switch format {
	case box.FormatTrusteeSecretV1, box.FormatTrusteeKeyV1:
		return data, format, nil
	case FormatSealedV1:
		pw, err := pass.forOpen(path, stderr)
		if err != nil {
			return nil, "", err
		}
		return openSealed(path, data, pw)
	}
	return nil, "", bif("%s không phải tệp bí mật của thành viên Ban kiểm phiếu", "%s is not a trustee's secret or key file", path)
}

func loadSecret(path string, pass *passphrase, stderr io.Writer) (*box.TrusteeSecret, error) {
	data, format, err := readTrusteeFile(path, pass, stderr)
	if err != nil {
		return nil, err
	}
	if format != box.FormatTrusteeSecretV1 {
		return nil, bif("%s là tệp khóa giải mã, không phải tệp bí mật của lễ tạo khóa", "%s is a decryption key file, not the key ceremony's secret file", path).
			withHint("--secret takes the file made by trustee round1")
	}
	ts, err := box.ParseTrusteeSecret(data)
	if err != nil {
		return nil, bif("tệp bí mật %s hỏng: %v", "the secret file %s is damaged: %v", path, err)
	}
	return ts, nil
}

func loadKey(path string, pass *passphrase, stderr io.Writer) (*box.TrusteeKey, error) {
	data, format, err := readTrusteeFile(path, pass, stderr)
	if err != nil {
		return nil, err
	}
	if format != box.FormatTrusteeKeyV1 {
		return nil, bif("%s là tệp bí mật của lễ tạo khóa, không phải tệp khóa giải mã", "%s is the key ceremony's secret file, not a decryption key file", path).
			withHint("--key takes the file made by trustee key")
	}
	k, err := box.ParseTrusteeKey(data)
	if err != nil {
		return nil, bif("tệp khóa %s hỏng: %v", "the key file %s is damaged: %v", path, err)
	}
	return k, nil
}

// refuseExisting checks, before anything is computed or written, that none of the outputs exists, so that a
// command either writes all its files or none.
func refuseExisting(paths ...string) error {
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			return bif("tệp %s đã có; không ghi đè", "%s already exists; it is not overwritten", p).
				withHint("choose another --out, or move the old file away if it is really not needed")
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("failed to check %s: %w", p, err)
		}
	}
	return nil
}

// writeNew creates path (which must not exist) with the given mode, writes data, syncs it and its directory, and
// checks the mode that the file really got: a secret must not be readable by others whatever the umask or the
// file system. On any failure the file is removed.
func writeNew(path string, data []byte, mode fs.FileMode) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return refuseExisting(path)
	}
	if err != nil {
		return fmt.Errorf("failed to create %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	if runtime.GOOS != "windows" {
		// The umask can only clear bits, but a file system mounted with fixed modes (a FAT stick) ignores them:
		// set the mode explicitly and read it back.
		if err := f.Chmod(mode); err != nil {
			return fmt.Errorf("failed to set the mode of %s: %w", path, err)
		}
		st, err := f.Stat()
		if err != nil {
			return fmt.Errorf("failed to check %s: %w", path, err)
		}
		if st.Mode().Perm() != mode {
			return bif("không giữ được quyền %#[1]o cho %[2]s trên ổ này (được %#[3]o)", "cannot give %[2]s mode %#[1]o on this file system (got %#[3]o)", mode, path, st.Mode().Perm()).
				withHint("keep trustee files on the laptop's own disk, not on a USB stick")
		}
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a new file's directory entry durable; where directories cannot be synced (Windows) the file's own
// sync has to do.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// writeSecret writes a trustee file with mode 0600, sealed when a passphrase is given.
func writeSecret(path string, plain []byte, contents string, pass []byte) error {
	data := append(append([]byte(nil), plain...), '\n')
	if pass != nil {
		var err error
		if data, err = seal(plain, contents, pass); err != nil {
			return err
		}
	}
	return writeNew(path, data, 0o600)
}

// writePublic writes a message meant for the other trustees and the console.
func writePublic(path string, msg []byte) error {
	return writeNew(path, append(append([]byte(nil), msg...), '\n'), 0o644)
}

// sniffFormat returns the "format" member of a JSON object, or "".
func sniffFormat(data []byte) string {
	var head struct {
		Format string `json:"format"`
	}
	if json.Unmarshal(data, &head) != nil {
		return ""
	}
	return head.Format
}
