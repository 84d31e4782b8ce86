package ballot

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"sync"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

// The hall's projector (/trinh-chieu/SESSION): a read-only view of a
// session for everyone in the room, opened with a display code that the
// console issues. The code is logged only as its SHA-256
// (DisplayCodeIssued); issuing a new one replaces the last. What the view
// shows is public in the hall anyway: the title, attendance, the quorum, the
// number of ballots received, and after the tally the logged result — never
// anything before the tally, since an encrypted box has no partial result
// and a clear one must not show any.

// displayCodeLength is the number of base32 characters of a display code:
// 100 bits, out of reach of guessing at the rate failed look-ups are held
// to, and short enough to type from the console's screen in groups of four.
const displayCodeLength = 20

var displayEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrDisplayUnknown is the one answer for an unknown session and a wrong or
// replaced display code, so that the page does not reveal which sessions
// exist.
var ErrDisplayUnknown = &Error{Code: ENotFound, Key: "display_unknown", Message: "no projection with this session and display code"}

// DisplayView is what the projector shows of a session.
type DisplayView struct {
	Session    Session
	Attendance Attendance
	// Received is the number of ballots received so far: cards used.
	Received int
	// Result is the logged tally (TallyComputed), nil before the tally.
	Result *tally.Result
}

// displayCache remembers, per session, how far its log was read for the
// projector, the latest display code's hash and the logged tally, so that
// a poll every 2 s reads only the entries appended since the last one.
type displayCache struct {
	mu       sync.Mutex
	sessions map[string]*displayState
}

type displayState struct {
	seq    uint64 // entries 1…seq have been read
	hash   []byte // SHA-256 of the current display code, nil if none
	result *tally.Result
}

// FormatDisplayCode writes a display code in groups of four, as the console
// shows it for typing.
func FormatDisplayCode(code string) string {
	var b strings.Builder
	for i := 0; i < len(code); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(code[i:min(i+4, len(code))])
	}
	return b.String()
}

// canonicalDisplayCode reads a typed display code: case, spaces and dashes
// do not matter; anything but 20 base32 characters is no code.
func canonicalDisplayCode(code string) (string, bool) {
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(code))
	if len(c) != displayCodeLength {
		return "", false
	}
	if _, err := displayEncoding.DecodeString(c); err != nil {
		return "", false
	}
	return c, true
}

func displayHash(code string) string {
	h := sha256.Sum256([]byte(code))
	return hex.EncodeToString(h[:])
}

// IssueDisplayCode makes a new display code for the session's projection
// page and logs its SHA-256 (DisplayCodeIssued); the previous code stops
// working. It is allowed in every state: the projector may be set up before
// the vote, or replaced during it. The code is returned once, to be shown
// on the console, and is kept nowhere.
func (s *Service) IssueDisplayCode(ctx context.Context, actor, id string) (string, error) {
	b := make([]byte, displayCodeLength*5/8)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", Errorf(EInternal, "failed to read randomness: %v", err)
	}
	code := displayEncoding.EncodeToString(b)
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		return s.logSigned(tx, id, actor, audit.DisplayCodeIssued, audit.DisplayCodeIssuedData{Hash: displayHash(code)})
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

// Display returns the projection of session id for the holder of its
// current display code. An unknown session, a malformed or wrong code and
// a replaced one all give ErrDisplayUnknown; the code is compared in
// constant time.
func (s *Service) Display(ctx context.Context, id, code string) (*DisplayView, error) {
	c, ok := canonicalDisplayCode(code)
	if !ok {
		return nil, ErrDisplayUnknown
	}
	var v DisplayView
	err := s.store.View(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if ErrorCode(err) == ENotFound {
			return ErrDisplayUnknown
		}
		if err != nil {
			return err
		}
		st, err := s.displayState(tx, id)
		if err != nil {
			return err
		}
		want := sha256.Sum256([]byte(c))
		if st.hash == nil || subtle.ConstantTimeCompare(st.hash, want[:]) != 1 {
			return ErrDisplayUnknown
		}
		v.Session = *sess
		if v.Attendance, err = attendance(tx, id); err != nil {
			return err
		}
		counts, err := tx.TokenCounts(id)
		if err != nil {
			return err
		}
		v.Received = counts.Used
		if sess.State == Tallied {
			v.Result = st.result
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// displayState reads the entries of id's log appended since the last call
// and returns the latest display code's hash and the logged tally. The
// returned state is a copy.
func (s *Service) displayState(tx Tx, id string) (displayState, error) {
	head, err := tx.AuditHead(id)
	if err != nil {
		return displayState{}, err
	}
	s.display.mu.Lock()
	defer s.display.mu.Unlock()
	if s.display.sessions == nil {
		s.display.sessions = map[string]*displayState{}
	}
	st := s.display.sessions[id]
	if st == nil {
		st = &displayState{}
		s.display.sessions[id] = st
	}
	if head.Size > st.seq {
		entries, err := tx.AuditEntries(id, st.seq+1, head.Size)
		if err != nil {
			return displayState{}, err
		}
		next := *st
		for i := range entries {
			e := &entries[i]
			switch e.Type {
			case audit.DisplayCodeIssued:
				var d audit.DisplayCodeIssuedData
				if err := json.Unmarshal(e.Data, &d); err != nil {
					return displayState{}, Errorf(EInternal, "failed to read entry %d: %v", e.Seq, err)
				}
				h, err := hex.DecodeString(d.Hash)
				if err != nil || len(h) != sha256.Size {
					return displayState{}, Errorf(EInternal, "entry %d holds no SHA-256", e.Seq)
				}
				next.hash = h
			case audit.TallyComputed:
				var r tally.Result
				if err := json.Unmarshal(e.Data, &r); err != nil {
					return displayState{}, Errorf(EInternal, "failed to read entry %d: %v", e.Seq, err)
				}
				next.result = &r
			}
		}
		next.seq = head.Size
		*st = next
	}
	return *st, nil
}
