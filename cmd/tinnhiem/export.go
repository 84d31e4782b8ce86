package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/cli"
)

func init() {
	register(command{"export", "export --db FILE --session ID --out BUNDLE.zip (or --out DIR/)", cmdExport})
}

// cmdExport writes a session's verification bundle: a zip archive, or a
// directory when --out ends with a slash. Either appears whole or not at
// all, so an inspector never receives half a bundle.
func cmdExport(e *env, args []string) error {
	f := newFlags("export", true, true)
	out := f.String("out", "", "bundle `FILE.zip`, or `DIR/` for a directory")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := cli.NoArgs(pos); err != nil {
			return err
		}
		if *out == "" {
			return cli.Usagef("--out BUNDLE.zip or --out DIR/ is required")
		}
		// Without --key, a server started with --key may have signed with
		// a key file beside the database rather than the default one; a key
		// named with --key is never replaced.
		in := f.installation()
		var others []*audit.Key
		paths := map[*audit.Key]string{}
		if *f.key == "" {
			others, paths = in.OtherKeys()
		}
		b, used, err := svc.BundleWith(e.ctx, *f.session, others...)
		if errors.Is(err, ballot.ErrKeyMismatch) {
			err = fmt.Errorf("key file %s: %w", in.Key, err)
			if *f.key == "" {
				err = cli.WithHint(err, "give the key file the server signed with: tinnhiem export --key FILE … (no *.key file beside the database signed this session)")
			}
		}
		if err != nil {
			return err
		}
		if p, ok := paths[used]; ok {
			fmt.Fprintf(e.stdout, "khóa / key: %s (%s, dấu vân tay / fingerprint %s) — khóa đã ký nhật ký của phiên, không phải %s / the key that signed the session's log, not %s\n",
				p, used.VerifierKey(), used.Fingerprint(), in.Key, in.Key)
		}
		if strings.HasSuffix(*out, "/") || strings.HasSuffix(*out, string(filepath.Separator)) {
			err = exportDir(filepath.Clean(*out), b)
		} else {
			err = exportZip(*out, b)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã xuất hồ sơ kiểm tra / exported bundle %s: %d mục / entries, %d điểm kiểm tra / checkpoints, %d văn bản / documents\n",
			*out, len(b.Entries), len(b.Checkpoints), len(b.Documents))
		fmt.Fprintf(e.stdout, "dấu vân tay khóa / key fingerprint: %s\n", audit.Fingerprint(b.VerifierKey))
		fmt.Fprintf(e.stdout, "kiểm tra / verify: tinnhiem-verify --key %s %s\n", b.VerifierKey, *out)
		return nil
	})
}

// exportZip writes the archive beside its final name and renames it into
// place once complete.
func exportZip(path string, b *audit.Bundle) error {
	if _, err := os.Stat(path); err == nil {
		return cli.WithHint(fmt.Errorf("%s already exists", path), "choose another --out, or remove the old bundle first")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tinnhiem-export-*.zip")
	if err != nil {
		return fmt.Errorf("failed to create the bundle: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := audit.WriteZip(tmp, b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to write the bundle: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("failed to write the bundle: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("failed to write the bundle: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("failed to write the bundle: %w", err)
	}
	return nil
}

// dirWriter is the audit.FileWriter of a directory bundle.
type dirWriter struct{ root string }

func (d dirWriter) WriteFile(name string, data []byte) error {
	p := filepath.Join(d.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// exportDir writes the bundle into a fresh directory beside dir and renames
// it into place, refusing to mix it with an existing directory's files.
func exportDir(dir string, b *audit.Bundle) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return cli.WithHint(fmt.Errorf("directory %s exists and is not empty", dir), "export into a new or empty directory")
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("failed to read %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("failed to create the bundle: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tinnhiem-export-*")
	if err != nil {
		return fmt.Errorf("failed to create the bundle: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("failed to create the bundle: %w", err)
	}
	if err := audit.WriteBundle(dirWriter{tmp}, b); err != nil {
		return err
	}
	os.Remove(dir) // an empty directory given as --out
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("failed to write the bundle: %w", err)
	}
	return nil
}
