package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// ProbeCommitRate measures how many single-row write transactions per
// second the disk holding path sustains under exactly the settings every
// Store connection runs with (WAL, synchronous=FULL, secure_delete, BEGIN
// IMMEDIATE). It is a measurement, not part of the store: the load tool
// prints it next to the ballot rate so that a reader can tell how much of
// the ballot rate group commit buys, on the same disk in the same run.
//
// path must not exist; ProbeCommitRate creates it, commits n transactions
// of one row each, and removes it with its WAL and shared-memory files.
func ProbeCommitRate(path string, n int) (float64, error) {
	if n < 1 {
		return 0, fmt.Errorf("failed to probe commit rate: n must be at least 1, got %d", n)
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("failed to probe commit rate: %s already exists or cannot be checked (%v)", path, err)
	}
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(path + suffix)
		}
	}()
	db, err := sql.Open("sqlite3", dsn(path, writeParams))
	if err != nil {
		return 0, fmt.Errorf("failed to probe commit rate: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if err := checkWAL(ctx, db); err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE probe (id INTEGER PRIMARY KEY, v BLOB NOT NULL)"); err != nil {
		return 0, fmt.Errorf("failed to probe commit rate: %w", err)
	}
	row := make([]byte, 48) // about a ballot row: a 16-byte id and a few dozen marks
	start := time.Now()
	for i := range n {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, fmt.Errorf("failed to probe commit rate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO probe (id, v) VALUES (?, ?)", i, row); err != nil {
			tx.Rollback()
			return 0, fmt.Errorf("failed to probe commit rate: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return 0, fmt.Errorf("failed to probe commit rate: %w", err)
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// CommitStats returns how many cast batches the store has committed and how
// many casts they carried, so that a load test can report how well group
// commit amortises the fsync. It reveals nothing about any ballot.
func (s *Store) CommitStats() (commits, casts int64) {
	return s.commits.Load(), s.committedCasts.Load()
}
