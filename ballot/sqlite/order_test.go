package sqlite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// The tests of this file cast ballots through the real service and store
// into a real file, close the vote, and read the closed file's bytes with
// the page reader of pages_test.go, to find out what the file still says of
// the order in which the ballots were cast.

const orderCadres = 5

// orderVote is a service over a store in a file, with a deterministic source
// of randomness so that session IDs, cards and ballot IDs, and therefore the
// figures the tests log, are the same at every run.
type orderVote struct {
	t     *testing.T
	path  string
	store *Store
	svc   *ballot.Service
}

func newOrderVote(t *testing.T, path string, seed uint64) *orderVote {
	t.Helper()
	store, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	random := &lockedReader{r: rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 't', 'n'})}
	key, err := audit.GenerateKey(random, "test")
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return testTime }
	return &orderVote{t: t, path: path, store: store, svc: ballot.NewService(store, key, random, now)}
}

// lockedReader lets concurrent casts share one seeded generator, as they
// share crypto/rand in production.
type lockedReader struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

func (v *orderVote) ok(err error) {
	v.t.Helper()
	if err != nil {
		v.t.Fatal(err)
	}
}

// openSession prepares and opens a session of n members, all present, with
// one card each, and returns its ID and the cards.
func (v *orderVote) openSession(n int) (string, []string) {
	v.t.Helper()
	sess, err := v.svc.CreateSession(ctx, "test", ballot.NewSession{Title: "Hội nghị", Body: "Đảng ủy", Date: "2026-11-22", Place: "Hà Nội"})
	v.ok(err)
	ms := make([]ballot.Member, n)
	for i := range ms {
		ms[i] = ballot.Member{Name: fmt.Sprintf("Thành viên %03d", i+1)}
	}
	v.ok(v.svc.ImportRoster(ctx, "test", sess.ID, ms))
	cs := make([]ballot.Cadre, orderCadres)
	for i := range cs {
		cs[i] = ballot.Cadre{ID: fmt.Sprintf("c%d", i+1), Name: fmt.Sprintf("Cán bộ %d", i+1), Position: "Ủy viên"}
	}
	v.ok(v.svc.ImportCadres(ctx, "test", sess.ID, cs))
	_, err = v.svc.CheckIn(ctx, "test", sess.ID, nil, true)
	v.ok(err)
	var tokens []string
	v.ok(v.svc.IssueTokens(ctx, "test", sess.ID, n, func(ts []string) error { tokens = ts; return nil }))
	v.ok(v.svc.Open(ctx, "test", sess.ID, false, ""))
	return sess.ID, tokens
}

// The marks of the test ballots carry the number of the cast, in base 5 over
// the cadres, so that a cell read from the raw file tells the test when its
// ballot was cast. Real marks carry nothing of the kind; here they are the
// test's record of the truth, which the file is checked not to reveal.
var markDigits = []byte{'H', 'N', 'L', '-', 'X'}

func choicesFor(castNo int) map[string][]ballot.Level {
	choices := map[string][]ballot.Level{}
	for c := range orderCadres {
		id := fmt.Sprintf("c%d", c+1)
		switch castNo % 5 {
		case 0:
			choices[id] = []ballot.Level{ballot.High}
		case 1:
			choices[id] = []ballot.Level{ballot.Normal}
		case 2:
			choices[id] = []ballot.Level{ballot.Low}
		case 3: // unmarked
		case 4:
			choices[id] = []ballot.Level{ballot.High, ballot.Low}
		}
		castNo /= 5
	}
	return choices
}

// marksOf is the marks string the service records for choicesFor(castNo).
func marksOf(castNo int) string {
	b := make([]byte, orderCadres)
	for c := range b {
		b[c] = markDigits[castNo%5]
		castNo /= 5
	}
	return string(b)
}

func castNoOf(marks string) (int, error) {
	if len(marks) != orderCadres {
		return 0, fmt.Errorf("marks %q: want %d", marks, orderCadres)
	}
	n := 0
	for i := len(marks) - 1; i >= 0; i-- {
		d := bytes.IndexByte(markDigits, marks[i])
		if d < 0 {
			return 0, fmt.Errorf("marks %q: unknown mark", marks)
		}
		n = n*5 + d
	}
	return n, nil
}

// storedBallot is a ballot as the raw file holds it.
type storedBallot struct {
	page    uint32
	offset  int
	session string
	id      string
	castNo  int
}

// ballotPages reads the ballots table's b-tree from the raw file and decodes
// every cell. A WITHOUT ROWID table is an index b-tree, whose interior
// pages hold rows of their own (the dividers), so every page counts.
func ballotPages(t *testing.T, f *dbFile) (pages []*btreePage, cells [][]storedBallot) {
	t.Helper()
	root, err := f.rootOf("ballots")
	if err != nil {
		t.Fatal(err)
	}
	err = f.walk(root, func(p *btreePage) error {
		if p.kind != leafIndex && p.kind != interiorIndex {
			return fmt.Errorf("page %d of the ballots table has type %#x; a WITHOUT ROWID table is an index b-tree", p.num, p.kind)
		}
		var bs []storedBallot
		for _, c := range p.cells {
			vals, err := record(c.payload)
			if err != nil {
				return fmt.Errorf("page %d, cell at %d: %w", p.num, c.offset, err)
			}
			if len(vals) != 4 {
				return fmt.Errorf("page %d, cell at %d: %d columns, want session, id, marks, box", p.num, c.offset, len(vals))
			}
			sess, _ := vals[0].(string)
			id, _ := vals[1].(string)
			marks, _ := vals[2].(string)
			no, err := castNoOf(marks)
			if err != nil {
				return fmt.Errorf("page %d, cell at %d: %w", p.num, c.offset, err)
			}
			bs = append(bs, storedBallot{page: p.num, offset: c.offset, session: sess, id: id, castNo: no})
		}
		pages = append(pages, p)
		cells = append(cells, bs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages, cells
}

// spearman returns the rank correlation of two series of distinct values.
func spearman(x, y []float64) float64 {
	n := len(x)
	if n < 2 {
		return 0
	}
	rank := func(v []float64) []float64 {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
		r := make([]float64, n)
		for pos, i := range idx {
			r[i] = float64(pos)
		}
		return r
	}
	rx, ry := rank(x), rank(y)
	var d2 float64
	for i := range rx {
		d := rx[i] - ry[i]
		d2 += d * d
	}
	fn := float64(n)
	return 1 - 6*d2/(fn*(fn*fn-1))
}

// orderFigures are the rank correlations between the order of casting and
// the place of a cell in the file, taken within each session: sessions
// occupy separate ranges of keys and vote at different times, which is
// public and says nothing about a ballot.
type orderFigures struct {
	perPage []rho // within each page, over a session's cells there if at least minCells
	perFile []rho // over each session's cells in the file: page number, then offset
}

// rho is a rank correlation and the number of cells it was taken over.
type rho struct {
	rho float64
	n   int
}

const minCells = 10

func correlations(f *dbFile, cells [][]storedBallot) orderFigures {
	var fig orderFigures
	type series struct{ x, y []float64 }
	file := map[string]*series{}
	var sessions []string
	for _, bs := range cells {
		page := map[string]*series{}
		var here []string
		for _, b := range bs {
			if page[b.session] == nil {
				page[b.session] = &series{}
				here = append(here, b.session)
			}
			if file[b.session] == nil {
				file[b.session] = &series{}
				sessions = append(sessions, b.session)
			}
			p, g := page[b.session], file[b.session]
			p.x, p.y = append(p.x, float64(b.castNo)), append(p.y, float64(b.offset))
			g.x, g.y = append(g.x, float64(b.castNo)), append(g.y, float64(int(b.page-1)*f.pageSize+b.offset))
		}
		for _, s := range here {
			if len(page[s].x) >= minCells {
				fig.perPage = append(fig.perPage, rho{spearman(page[s].x, page[s].y), len(page[s].x)})
			}
		}
	}
	for _, s := range sessions {
		fig.perFile = append(fig.perFile, rho{spearman(file[s].x, file[s].y), len(file[s].x)})
	}
	return fig
}

func (fig orderFigures) String() string {
	format := func(rs []rho) string {
		var parts []string
		for _, r := range rs {
			parts = append(parts, fmt.Sprintf("%+.2f/%d", r.rho, r.n))
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprintf("ρ/cells within pages [%s], over the file per session [%s]", format(fig.perPage), format(fig.perFile))
}

// checkForgetsOrder reads the ballots table of a closed file and checks that
// where its cells lie says nothing of the order of casting: the rank
// correlation between cast order and position is near zero within every
// page and over each session's pages, and the free blocks inside the pages
// (space that cells left behind) hold only zeros. That the layout is the
// same whatever the order of casting is TestClosedBallotPagesIgnoreCastOrder.
func checkForgetsOrder(t *testing.T, path string, wantBallots int) {
	t.Helper()
	f, err := readDBFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pages, cells := ballotPages(t, f)
	n := 0
	for i, p := range pages {
		n += len(cells[i])
		for fb, hops := p.firstFree, 0; fb != 0; hops++ {
			if fb+4 > f.usable || hops > f.pageSize/4 {
				t.Fatalf("page %d: free block list runs off the page", p.num)
			}
			size := int(p.raw[fb+2])<<8 | int(p.raw[fb+3])
			if fb+size > f.usable || size < 4 {
				t.Fatalf("page %d: free block at %d of %d bytes runs off the page", p.num, fb, size)
			}
			if j := slices.IndexFunc(p.raw[fb+4:fb+size], func(b byte) bool { return b != 0 }); j >= 0 {
				t.Errorf("page %d: the free block at %d keeps a non-zero byte at %d: a freed cell was not overwritten", p.num, fb, fb+4+j)
			}
			fb = int(p.raw[fb])<<8 | int(p.raw[fb+1])
		}
	}
	if n != wantBallots {
		t.Fatalf("the raw file holds %d ballot cells, want %d", n, wantBallots)
	}
	if len(pages) < 4 {
		t.Fatalf("the ballots span %d pages, want several; the test proves little", len(pages))
	}
	fig := correlations(f, cells)
	t.Logf("%d ballots on %d pages of %d bytes; Spearman ρ(cast order, cell position): %v", n, len(pages), f.pageSize, fig)
	for _, r := range fig.perPage {
		if math.Abs(r.rho) > bound(r.n) {
			t.Errorf("within a page, ρ(cast order, offset) = %+.2f over %d cells, beyond ±%.2f: the offsets give away the order of casting", r.rho, r.n, bound(r.n))
		}
	}
	for _, r := range fig.perFile {
		if math.Abs(r.rho) > bound(r.n) {
			t.Errorf("over a session's pages, ρ(cast order, position) = %+.3f over %d cells, beyond ±%.2f: the file gives away the order of casting", r.rho, r.n, bound(r.n))
		}
	}
}

// bound is how far from zero a rank correlation over n cells may stray
// when position and cast order are independent: four standard errors
// (1/√(n−1) each), and never more than 0.5.
func bound(n int) float64 {
	return min(0.5, 4/math.Sqrt(float64(n-1)))
}

// TestClosedFileForgetsCastOrder casts ballots into two open sessions,
// closes one, and reads the raw file: within each page and over the whole
// table, where a ballot lies must follow its random ID, not when it was
// cast. The session still open must keep its ballots and its one vote per
// card, then close the same way.
func TestClosedFileForgetsCastOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vote.db")
	v := newOrderVote(t, path, 1)
	a, aTokens := v.openSession(400)
	b, bTokens := v.openSession(120)
	order := rand.New(rand.NewPCG(1, 2))
	order.Shuffle(len(aTokens), func(i, j int) { aTokens[i], aTokens[j] = aTokens[j], aTokens[i] })

	// Every fifth cast is one of session b's, so that both sessions' rows
	// share pages as they arrive.
	castNo := 0
	cast := func(token string) {
		t.Helper()
		if _, err := v.svc.Cast(ctx, token, choicesFor(castNo)); err != nil {
			t.Fatalf("cast %d: %v", castNo, err)
		}
		castNo++
	}
	bCast := 0
	for i, tok := range aTokens {
		cast(tok)
		if i%4 == 3 && bCast < 60 {
			cast(bTokens[bCast])
			bCast++
		}
	}
	v.ok(v.svc.Close(ctx, "test", a))

	checkForgetsOrder(t, path, 400+60)
	checkNoRemnants(t, v)

	// Session b is still open: its ballots are intact and each of its
	// remaining cards votes exactly once, even when sent twice at once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := map[string]int{}
	for _, tok := range bTokens[60:] {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mu.Lock()
				no := castNo
				castNo++
				mu.Unlock()
				_, err := v.svc.Cast(ctx, tok, choicesFor(no))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					accepted[tok]++
				case ballot.ErrorCode(err) != ballot.EConflict:
					t.Errorf("cast of a card of the open session: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	for _, tok := range bTokens[60:] {
		if accepted[tok] != 1 {
			t.Errorf("a card of the open session was accepted %d times, want once", accepted[tok])
		}
	}
	var got int
	v.ok(v.store.View(ctx, func(tx ballot.Tx) (err error) { got, err = tx.BallotCount(b); return err }))
	if got != 120 {
		t.Fatalf("session b holds %d ballots, want 120", got)
	}
	v.ok(v.svc.Close(ctx, "test", b))
	checkForgetsOrder(t, path, 400+120)
	checkNoRemnants(t, v)
}

// shmPages reads the page numbers the wal-index in the -shm file lists for
// the frames of the WAL, in frame order, whether or not those frames are
// still in the WAL (https://sqlite.org/walformat.html): 32 KiB blocks, the
// first after a 136-byte header, each an array of 32-bit page numbers in
// the machine's byte order followed by a hash table.
func shmPages(path string) ([]uint32, error) {
	shm, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var pages []uint32
	for block := 0; block*32768 < len(shm); block++ {
		start, n := block*32768, 4096
		if block == 0 {
			start, n = 136, 4062
		}
		for i := range n {
			if start+4*i+4 > len(shm) {
				break
			}
			if p := binary.NativeEndian.Uint32(shm[start+4*i:]); p != 0 {
				pages = append(pages, p)
			}
		}
	}
	return pages, nil
}

// checkNoRemnants looks for the order of casting where a rebuild could
// leave it behind: the WAL must be empty, and the -shm file must no longer
// list the pages of the vote's commits; every free page must be zero, and no
// ballot ID may appear anywhere in the file but in the live cells of the
// ballots table and of the audit log (where sealed ballots are, sorted by
// hash).
func checkNoRemnants(t *testing.T, v *orderVote) {
	t.Helper()
	if fi, err := os.Stat(v.path + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("the WAL holds %d bytes after close, want 0", fi.Size())
	}
	if frames, err := shmPages(v.path + "-shm"); err != nil {
		t.Error(err)
	} else if len(frames) > 1 {
		t.Errorf("the -shm file still lists the pages of %d frames in commit order (%v…); want at most the one ForgetOrder writes", len(frames), frames[:min(12, len(frames))])
	}
	f, err := readDBFile(v.path)
	if err != nil {
		t.Fatal(err)
	}
	trunks, leaves, err := f.freelist()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range leaves {
		p, _ := f.page(n)
		if i := slices.IndexFunc(p, func(b byte) bool { return b != 0 }); i >= 0 {
			t.Errorf("free page %d holds a non-zero byte at offset %d", n, i)
		}
	}
	for _, n := range trunks {
		p, _ := f.page(n)
		rest := p[8+4*int(uint32(p[4])<<24|uint32(p[5])<<16|uint32(p[6])<<8|uint32(p[7])):]
		if i := slices.IndexFunc(rest, func(b byte) bool { return b != 0 }); i >= 0 {
			t.Errorf("free-list trunk page %d holds a non-zero byte past its list", n)
		}
	}

	// Which pages may hold a ballot ID: those of the ballots table and of
	// the audit log.
	allowed := map[uint32]bool{}
	objs, err := f.schema()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if o.root == 0 || (o.table != "ballots" && o.table != "audit_entries") {
			continue
		}
		err := f.walk(o.root, func(p *btreePage) error {
			allowed[p.num] = true
			for _, c := range p.cells {
				for _, ov := range f.overflowPages(p.kind, p.raw, c.offset) {
					allowed[ov] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	v.ok(v.store.View(ctx, func(tx ballot.Tx) error {
		ss, err := tx.Sessions()
		if err != nil {
			return err
		}
		for _, s := range ss {
			bs, err := tx.Ballots(s.ID)
			if err != nil {
				return err
			}
			for _, b := range bs {
				ids = append(ids, b.ID)
			}
		}
		return nil
	}))
	stray := 0
	for _, id := range ids {
		for off := 0; ; {
			i := bytes.Index(f.data[off:], []byte(id))
			if i < 0 {
				break
			}
			pg := uint32((off+i)/f.pageSize) + 1
			if !allowed[pg] {
				if stray < 5 {
					t.Errorf("ballot %s appears on page %d, which belongs neither to the ballots table nor to the audit log", id, pg)
				}
				stray++
			}
			off += i + len(id)
		}
	}
	if stray > 0 {
		t.Errorf("%d stray copies of ballot IDs in the closed file", stray)
	}
}

// TestSmallVoteForgetsCastOrder closes a vote small enough for one page,
// where SQLite, which never had to split the page, would keep every cell
// where it arrived: each new ballot below the one before.
func TestSmallVoteForgetsCastOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vote.db")
	v := newOrderVote(t, path, 2)
	id, tokens := v.openSession(50)
	for i, tok := range tokens {
		if _, err := v.svc.Cast(ctx, tok, choicesFor(i)); err != nil {
			t.Fatalf("cast %d: %v", i, err)
		}
	}
	v.ok(v.svc.Close(ctx, "test", id))
	f, err := readDBFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pages, cells := ballotPages(t, f)
	if len(pages) != 1 || len(cells[0]) != 50 {
		t.Fatalf("%d pages, want the 50 ballots on one", len(pages))
	}
	fig := correlations(f, cells)
	r := fig.perPage[0]
	t.Logf("50 ballots on one page; Spearman ρ(cast order, offset) = %+.2f", r.rho)
	if math.Abs(r.rho) > bound(r.n) {
		t.Errorf("ρ(cast order, offset) = %+.2f, beyond ±%.2f: the page gives away the order of casting", r.rho, bound(r.n))
	}
}

// TestClosedBallotPagesIgnoreCastOrder casts the same ballots with the same
// cards into two files, in two different orders, and closes both: every
// page of the ballots table must then be the same, byte for byte, save the
// numbers of the child pages an interior page points to. Nothing the file
// holds of the ballots can then depend on the order of casting.
func TestClosedBallotPagesIgnoreCastOrder(t *testing.T) {
	dir := t.TempDir()
	ids := rand.New(rand.NewPCG(3, 4))
	var ballots []ballot.Ballot
	for i := range 300 {
		ballots = append(ballots, ballot.Ballot{ID: fmt.Sprintf("%016x%016x", ids.Uint64(), ids.Uint64()), Marks: marksOf(i)})
	}
	var trees [2][][]byte
	for run, name := range []string{"forward.db", "shuffled.db"} {
		path := filepath.Join(dir, name)
		v := newOrderVote(t, path, 3) // the same seed: the same sessions and cards
		id, tokens := v.openSession(len(ballots))
		order := make([]int, len(ballots))
		for i := range order {
			order[i] = i
		}
		if run == 1 {
			rand.New(rand.NewPCG(5, 6)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for _, i := range order {
			if _, err := v.store.Cast(ctx, ballot.HashToken(tokens[i]), ballots[i]); err != nil {
				t.Fatalf("cast %d: %v", i, err)
			}
		}
		v.ok(v.svc.Close(ctx, "test", id))
		f, err := readDBFile(path)
		if err != nil {
			t.Fatal(err)
		}
		root, err := f.rootOf("ballots")
		if err != nil {
			t.Fatal(err)
		}
		err = f.walk(root, func(p *btreePage) error {
			b := bytes.Clone(p.raw)
			if p.kind == interiorIndex {
				clear(b[p.hdr+8 : p.hdr+12])
				for _, c := range p.cells {
					clear(b[c.offset : c.offset+4])
				}
			}
			trees[run] = append(trees[run], b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(trees[0]) != len(trees[1]) {
		t.Fatalf("the ballots table has %d pages after one order of casting and %d after another", len(trees[0]), len(trees[1]))
	}
	differ := 0
	for i := range trees[0] {
		if !bytes.Equal(trees[0][i], trees[1][i]) {
			differ++
		}
	}
	t.Logf("%d ballots on %d pages; %d pages differ between the two orders of casting", len(ballots), len(trees[0]), differ)
	if differ > 0 {
		t.Errorf("%d of %d pages of the ballots table depend on the order of casting", differ, len(trees[0]))
	}
}

// TestRewriteKeepsBallotsSchema checks that the table ForgetBallotOrder
// builds is the one the migrations made: same columns, key, foreign key,
// WITHOUT ROWID, and that nothing of the rewrite is left in the schema,
// after one rewrite and after another.
func TestRewriteKeepsBallotsSchema(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	describe := func() string {
		t.Helper()
		var out []string
		for _, q := range []string{
			"SELECT cid, name, type, \"notnull\", coalesce(dflt_value, ''), pk FROM pragma_table_info('ballots')",
			"SELECT id, seq, \"table\", \"from\", coalesce(\"to\", ''), on_update, on_delete FROM pragma_foreign_key_list('ballots')",
			"SELECT name, \"unique\", origin FROM pragma_index_list('ballots')",
			"SELECT type || ' ' || name || ' ' || tbl_name FROM sqlite_schema WHERE name LIKE 'ballots%' OR tbl_name LIKE 'ballots%'",
			"SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_schema WHERE name = 'ballots'",
			"SELECT count(*) FROM pragma_foreign_key_check",
		} {
			rows, err := s.wdb.Query(q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("%v", vals))
			}
			rows.Close()
		}
		return strings.Join(out, "\n")
	}
	want := describe()
	openSession(t, s, "s1", 3)
	for range 2 {
		if err := s.Update(ctx, func(tx ballot.Tx) error { return tx.ForgetBallotOrder() }); err != nil {
			t.Fatalf("ForgetBallotOrder: %v", err)
		}
		if got := describe(); got != want {
			t.Fatalf("the ballots table after a rewrite:\n%s\nwant, as migrated:\n%s", got, want)
		}
	}
	// The constraints came along: a row of no session, or with an empty
	// ID, is still refused.
	for _, row := range [][]any{{"no-such-session", "x"}, {"s1", ""}} {
		if _, err := s.wdb.Exec("INSERT INTO ballots (session_id, id, marks) VALUES (?, ?, 'H')", row...); err == nil {
			t.Errorf("the rewritten ballots table accepts the row %q", row)
		}
	}
}
