// Package sqlite implements ballot.Store in one SQLite file through
// database/sql and github.com/mattn/go-sqlite3. It is the only package of
// tinnhiem that speaks SQL.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"tinnhiem/ballot"
)

// Every connection gets these pragmas from its DSN, so that a connection the
// pool opens later can never run with weaker settings than the first one.
//   - WAL lets Views read a snapshot while the writer commits;
//   - synchronous=FULL fsyncs the WAL at every commit, which is what makes an
//     acknowledged ballot durable;
//   - secure_delete overwrites freed content, so deleted rows leave nothing
//     in free pages;
//   - the statement cache spares re-parsing the few statements a cast runs.
const basePragmas = "_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=10000&_secure_delete=on&_stmt_cache_size=64"

// Writes use BEGIN IMMEDIATE, so a write transaction takes the write lock
// when it starts and never has to upgrade a read lock (which can fail with
// SQLITE_BUSY). Reads use a plain BEGIN, so that a View holds no write lock
// and does not block the writer, and query_only so that a View cannot write.
const (
	writeParams = basePragmas + "&_txlock=immediate"
	readParams  = basePragmas + "&_txlock=deferred&_query_only=on"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is a ballot.Store kept in one SQLite file.
//
// Durability contract: the file runs in WAL mode with synchronous=FULL, so
// every commit returns only after the WAL has been fsynced. Update and Cast
// return nil only after their commit has returned, so an acknowledged write
// survives the death of the process (kill -9) and of the machine, as far as
// the disk honours fsync. A failed or unacknowledged write may or may not
// be durable only where the contract allows: a Cast whose commit fails is
// reported as failed and its token stays unused.
//
// All writes go through one connection, one transaction at a time: Updates
// directly, Casts through a single writer goroutine that commits every cast
// queued at that moment in one transaction (group commit). Views read from a
// pool of read-only connections and never wait for the writer. Because
// writes are serialised, the function given to Update must not call Update
// or Cast itself: it would wait for ever for its own transaction.
type Store struct {
	wdb *sql.DB // exactly one connection; used only under writeMu
	rdb *sql.DB // read-only connections for View

	writeMu sync.Mutex // serialises Update transactions and cast batches

	casts    chan *castReq
	loopDone chan struct{}

	mu       sync.RWMutex // guards closed; held for reading while a call registers in inflight
	closed   bool
	inflight sync.WaitGroup // calls that have entered and not yet returned

	// Group commit statistics, for benchmarks and tuning: batches committed
	// and the casts they carried.
	commits, committedCasts atomic.Int64
}

// Open opens or creates the store at path, applies any migration the file
// lacks in one transaction, and checks that the connection runs with the
// settings the durability contract relies on. It refuses a file written by
// a newer schema than this build knows. The database file and its -wal and
// -shm files are readable and writable by their owner only, whatever the
// umask; a file that others could read is restricted when it is opened.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, &ballot.Error{Code: ballot.EInvalid, Message: "failed to open database: no path given"}
	}
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	wdb, err := sql.Open("sqlite3", dsn(path, writeParams))
	if err != nil {
		return nil, storeError("open database", err)
	}
	// One write connection: every write is serialised anyway, and a second
	// connection would only wait on SQLite's lock instead of on writeMu.
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	ctx := context.Background()
	if err := checkWAL(ctx, wdb); err != nil {
		wdb.Close()
		return nil, err
	}
	if err := migrate(ctx, wdb); err != nil {
		wdb.Close()
		return nil, err
	}
	rdb, err := sql.Open("sqlite3", dsn(path, readParams))
	if err != nil {
		wdb.Close()
		return nil, storeError("open database", err)
	}
	rdb.SetMaxOpenConns(4 * runtime.NumCPU())
	rdb.SetMaxIdleConns(4 * runtime.NumCPU())
	s := &Store{
		wdb:      wdb,
		rdb:      rdb,
		casts:    make(chan *castReq, maxBatch),
		loopDone: make(chan struct{}),
	}
	go s.castLoop()
	return s, nil
}

// ownerOnly creates the database file with mode 0600 if it does not exist,
// and takes group and other permissions off the file and its -wal and -shm
// files if they do. SQLite would create the database with 0644 less the
// umask, and gives the -wal and -shm files the database's mode: anyone on
// the machine could then copy the WAL during the vote, whose frames follow
// the order of casting (SECURITY.md). The owner's own bits are kept, so a
// file made read-only stays read-only.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		// The umask may have cleared the owner's bits too (0277 leaves
		// 0400); set the mode itself.
		cerr := f.Chmod(0o600)
		if err := errors.Join(cerr, f.Close()); err != nil {
			return storeError("create database", err)
		}
	case !errors.Is(err, fs.ErrExist):
		return storeError("create database", err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return storeError("open database", err)
		}
		perm := fi.Mode().Perm()
		if perm&0o077 == 0 {
			continue
		}
		if err := os.Chmod(name, perm&0o700); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the message names the file already
			}
			return &ballot.Error{Code: ballot.EInternal, Key: "storage_mode", Args: ballot.Args{"file": name},
				Message: fmt.Sprintf("failed to open database: %s is readable by other users (mode %04o) and cannot be restricted: %v", name, perm, err)}
		}
	}
	return nil
}

// dsn builds a file: URI, so that a path holding '?' or '#' cannot be
// mistaken for the start of the parameters.
func dsn(path, params string) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + escaped + "?" + params
}

// checkWAL refuses a file that cannot run in WAL mode (some network and
// read-only file systems): the DSN asks for WAL, but SQLite silently keeps
// the old journal mode when it cannot switch.
func checkWAL(ctx context.Context, db *sql.DB) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return storeError("open database", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return &ballot.Error{Code: ballot.EInternal, Key: "storage_no_wal",
			Message: fmt.Sprintf("failed to open database: journal mode is %q, not WAL", mode)}
	}
	return nil
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order. Their numbers must
// run 1, 2, 3… without gaps, since user_version records how many applied.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s does not start with a number and '_'", base)
		}
		text, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(text)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s is numbered %d, want %d", m.name, m.version, i+1)
		}
	}
	return ms, nil
}

// migrate brings the schema up to date in one transaction, so that a crash
// or a failing migration leaves the file at its previous version, and two
// processes opening one new file cannot both migrate it.
func migrate(ctx context.Context, db *sql.DB) (err error) {
	ms, err := migrations()
	if err != nil {
		return &ballot.Error{Code: ballot.EInternal, Message: fmt.Sprintf("failed to read migrations: %v", err)}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return storeError("migrate database", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return storeError("read schema version", err)
	}
	if version > len(ms) {
		return &ballot.Error{Code: ballot.EInternal, Key: "storage_newer",
			Message: fmt.Sprintf("failed to open database: schema version %d is newer than this program's %d", version, len(ms))}
	}
	for _, m := range ms[version:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return storeError("apply migration "+m.name, err)
		}
		// user_version lives in the file header and changes with the
		// transaction, so it can never claim a migration that did not commit.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			return storeError("record schema version", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return storeError("commit migrations", err)
	}
	return nil
}

// enter registers a call so that Close can wait for it; it fails once Close
// has begun.
func (s *Store) enter(op string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return &ballot.Error{Code: ballot.EInternal, Key: "storage_closed",
			Message: fmt.Sprintf("failed to %s: the store is closed", op)}
	}
	s.inflight.Add(1)
	return nil
}

// Update runs fn in one BEGIN IMMEDIATE transaction on the write connection
// and commits it if fn returns nil. It returns fn's error unchanged. If a
// storage failure inside fn may have ended the SQLite transaction, every
// later Tx call fails and Update rolls back even if fn returns nil, so that
// fn's remaining statements can never run outside the transaction.
func (s *Store) Update(ctx context.Context, fn func(ballot.Tx) error) (err error) {
	if err := s.enter("update"); err != nil {
		return err
	}
	defer s.inflight.Done()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return storeError("begin transaction", err)
	}
	t := &txn{ctx: ctx, tx: tx, writable: true}
	committed := false
	// Deferred so that a panic in fn also rolls back and releases writeMu.
	defer func() {
		t.ended.Store(true)
		if !committed {
			tx.Rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if t.err != nil {
		return t.err
	}
	if err := tx.Commit(); err != nil {
		return storeError("commit transaction", err)
	}
	committed = true
	return nil
}

// View runs fn in a read-only transaction on a connection of its own. The
// snapshot is taken at fn's first read and holds until fn returns, while
// Updates and Casts go on committing.
func (s *Store) View(ctx context.Context, fn func(ballot.Tx) error) error {
	if err := s.enter("read"); err != nil {
		return err
	}
	defer s.inflight.Done()
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return storeError("begin read transaction", err)
	}
	t := &txn{ctx: ctx, tx: tx}
	defer func() {
		t.ended.Store(true)
		tx.Rollback()
	}()
	return fn(t)
}

// Close waits for every Update, View and Cast in flight, stops the cast
// writer, folds the WAL back into the database file and closes it. Later
// calls fail; a second Close does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.inflight.Wait()
	close(s.casts)
	<-s.loopDone

	var errs []error
	errs = append(errs, s.rdb.Close())
	// The WAL holds one frame set per commit in commit order, which for a
	// lone cast puts the token's page next to the ballot's. Checkpointing
	// and truncating it on the way out leaves no such record in the WAL
	// file of a store that was shut down cleanly.
	if _, err := s.wdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, s.wdb.Close())
	if err := errors.Join(errs...); err != nil {
		return storeError("close database", err)
	}
	return nil
}

// ForgetOrder folds the WAL back into the database file and truncates it,
// so that the WAL's frames, which follow commit order, no longer pair a used
// token's page with the page of the ballot cast with it. It waits for
// readers to finish, retrying for a few seconds.
//
// Truncating the WAL leaves the wal-index in the -shm file as it was: its
// list of which page each frame held, in commit order, stays readable until
// frames overwrite it. So once the WAL is empty, ForgetOrder commits one
// write of no consequence (user_version, set to itself): the first frame of
// a new WAL makes SQLite clear the index block that lists the first 4,062
// frames. Then it truncates again.
func (s *Store) ForgetOrder(ctx context.Context) error {
	if err := s.enter("truncate the write-ahead log"); err != nil {
		return err
	}
	defer s.inflight.Done()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	for _, reset := range []bool{true, false} {
		if err := s.truncateWAL(ctx); err != nil {
			return err
		}
		if !reset {
			break
		}
		var version int
		if err := s.wdb.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			return storeError("truncate the write-ahead log", err)
		}
		if _, err := s.wdb.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
			return storeError("truncate the write-ahead log", err)
		}
	}
	return nil
}

// truncateWAL checkpoints the whole WAL into the database file and
// truncates it, retrying while readers hold it. Callers hold writeMu.
func (s *Store) truncateWAL(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		var busy, frames, done int
		if err := s.wdb.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done); err != nil {
			return storeError("truncate the write-ahead log", err)
		}
		if busy == 0 {
			return nil
		}
		if attempt == 50 {
			return &ballot.Error{Code: ballot.EInternal, Key: "storage_busy",
				Message: "failed to truncate the write-ahead log: readers kept it busy; it is truncated at the next clean shutdown"}
		}
		select {
		case <-ctx.Done():
			return storeError("truncate the write-ahead log", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

var _ ballot.Store = (*Store)(nil)
