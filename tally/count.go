// Package tally counts confidence-vote ballots (lấy phiếu tín nhiệm) under
// the rule sets of DOMAIN.md: validity per cadre, percentages of the rule
// set's denominator computed from integers and rounded half up, and the
// threshold conditions compared as exact fractions.
//
// The package is pure: it imports only the standard library, touches no
// files, database or network, and writes only to an io.Writer it is given.
// Count is deterministic, so an inspector who recounts the sealed ballots
// gets a Result that Equal reports identical to the logged one.
package tally

import (
	"errors"
	"fmt"
)

// Cadre is one line of the ballot: one person in one position. A person who
// holds several posts appears once per post.
type Cadre struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position string `json:"position"`
}

// Input is everything a tally depends on. Count reads it and never keeps or
// modifies it.
type Input struct {
	Rules   Rules    // rule set; "" means QD96
	Cadres  []Cadre  // in ballot order
	Members int      // members of the body / summoned (roster size); the nq85 denominator
	Issued  int      // ballots issued = tokens issued and not revoked
	Ballots []string // each cast ballot: exactly one Mark byte per cadre, in cadre order
}

// Result is the tally of one session. It is written into the audit log as
// the TallyComputed entry and read back by the verifier, so its JSON form
// (snake_case tags below) is stable and round-trips exactly through
// encoding/json; compare two Results with Equal.
type Result struct {
	Rules       Rules         `json:"rules"`       // never "": Count records QD96 explicitly
	Members     int           `json:"members"`     // members of the body / summoned
	Issued      int           `json:"issued"`      // ballots issued
	Collected   int           `json:"collected"`   // ballots collected = ballots cast
	Denominator int           `json:"denominator"` // Rules.Denominator(Members, Collected)
	Cadres      []CadreResult `json:"cadres"`      // in ballot order
}

// CadreResult is the count for one cadre (kết quả kiểm phiếu đối với từng
// người). Valid+Invalid == Collected, Counts sums to Valid, and Percent and
// Condition are derived from Counts and the Result's Denominator; Check
// verifies all of this.
type CadreResult struct {
	Cadre     Cadre      `json:"cadre"`
	Valid     int        `json:"valid"`              // lines H, N or L for this cadre
	Invalid   int        `json:"invalid"`            // lines '-' or 'X' for this cadre
	Counts    [3]int     `json:"counts"`             // high, normal, low
	Percent   [3]Percent `json:"percent_hundredths"` // of Denominator, in hundredths of a percent
	Condition Condition  `json:"condition"`          // on Counts[LevelLow] against Denominator
}

// Count tallies in. Validity is per cadre: an Unmarked or Multiple line is
// invalid for that cadre only and the same ballot still counts for the
// others. It fails, naming the ballot's 0-based index, if a ballot does not
// hold exactly one known Mark per cadre, and it fails for an unknown rule
// set or a negative Members or Issued; it never returns a partial Result.
func Count(in Input) (Result, error) {
	c, err := NewCounter(in.Rules, in.Cadres)
	if err != nil {
		return Result{}, err
	}
	if err := checkFigures(in.Members, in.Issued); err != nil {
		return Result{}, err
	}
	for i, b := range in.Ballots {
		if err := c.Add(b); err != nil {
			return Result{}, fmt.Errorf("ballot %d: %w", i, err)
		}
	}
	return c.Result(in.Members, in.Issued)
}

// Counter counts ballots one at a time, so that a verifier can recount a
// log of any size while holding only the counts, never the ballots. Count
// is a Counter fed a slice: the two always agree.
type Counter struct {
	rules  Rules
	cadres []Cadre
	// One row of six counters per cadre, indexed by markIndex (slot 0 is
	// never incremented: it marks bytes that are not marks).
	tab [][6]int
	idx *[256]uint8 // markIndex or formalIndex
	n   int
}

// NewCounter returns a Counter for ballots on cadres, in ballot order,
// under rules ("" means QD96). It fails for an unknown rule set.
func NewCounter(rules Rules, cadres []Cadre) (*Counter, error) {
	r, ok := rules.norm()
	if !ok {
		_, err := ParseRules(string(rules))
		return nil, err
	}
	return &Counter{rules: r, cadres: append([]Cadre(nil), cadres...), tab: make([][6]int, len(cadres)), idx: indexFor(r)}, nil
}

// Add counts one ballot. A ballot that does not hold exactly one known Mark
// per cadre (CheckBallot) is refused whole and changes no count.
func (c *Counter) Add(ballot string) error {
	if len(ballot) != len(c.tab) {
		return CheckBallotUnder(c.rules, ballot, len(c.tab))
	}
	idx := c.idx
	row := c.tab[:len(ballot)]
	for j := range row {
		k := idx[ballot[j]]
		if k == 0 {
			// Undo this ballot's lines so far: one pass in the common
			// case, and a refused ballot still changes nothing.
			for i := range j {
				row[i][idx[ballot[i]]]--
			}
			return CheckBallotUnder(c.rules, ballot, len(c.tab))
		}
		row[j][k]++
	}
	c.n++
	return nil
}

// Ballots returns how many ballots were counted so far.
func (c *Counter) Ballots() int { return c.n }

// Result returns the tally of the ballots counted so far for a body of
// members summoned, with issued ballots issued. It fails for a negative
// members or issued.
func (c *Counter) Result(members, issued int) (Result, error) {
	if err := checkFigures(members, issued); err != nil {
		return Result{}, err
	}
	res := Result{
		Rules:     c.rules,
		Members:   members,
		Issued:    issued,
		Collected: c.n,
		Cadres:    make([]CadreResult, len(c.cadres)),
	}
	res.Denominator = c.rules.Denominator(res.Members, res.Collected)
	for j, cd := range c.cadres {
		t := c.tab[j]
		cr := CadreResult{
			Cadre:   cd,
			Counts:  [3]int{t[markIndex[High]], t[markIndex[Normal]], t[markIndex[Low]]},
			Invalid: t[markIndex[Unmarked]] + t[markIndex[Multiple]],
		}
		cr.Valid = cr.Counts[0] + cr.Counts[1] + cr.Counts[2]
		cr.derive(c.rules, res.Denominator)
		if cr.Valid+cr.Invalid != res.Collected {
			panic("tally: a ballot line was neither valid nor invalid")
		}
		res.Cadres[j] = cr
	}
	return res, nil
}

func checkFigures(members, issued int) error {
	if members < 0 {
		return fmt.Errorf("members is %d, must not be negative", members)
	}
	if issued < 0 {
		return fmt.Errorf("issued is %d, must not be negative", issued)
	}
	return nil
}

// derive sets the fields that follow from Counts and the denominator, so
// Count and Check compute them the same way.
func (cr *CadreResult) derive(r Rules, d int) {
	for l := range cr.Counts {
		cr.Percent[l] = PercentOf(cr.Counts[l], d)
	}
	cr.Condition = ConditionUnder(r, cr.Counts[LevelLow], d)
}

// Equal reports whether a and b are the same tally, field by field. A nil
// and an empty Cadres are equal, which reflect.DeepEqual would deny even
// though both encode a session with no cadres; anything else that differs,
// including the order of cadres, makes them unequal.
func Equal(a, b Result) bool {
	if a.Rules != b.Rules || a.Members != b.Members || a.Issued != b.Issued ||
		a.Collected != b.Collected || a.Denominator != b.Denominator ||
		len(a.Cadres) != len(b.Cadres) {
		return false
	}
	for i := range a.Cadres {
		if a.Cadres[i] != b.Cadres[i] {
			return false
		}
	}
	return true
}

// Check reports whether r is internally consistent: a known rule set,
// non-negative figures, the rule set's denominator, and for every cadre
// Valid+Invalid == Collected, Counts summing to Valid, and Percent and
// Condition as Count derives them. It lets a reader of a logged Result
// trust its derived figures before it prints them; it cannot tell whether
// the counts match the ballots, for which recount and use Equal.
func (r Result) Check() error {
	rules, ok := r.Rules.norm()
	if !ok {
		_, err := ParseRules(string(r.Rules))
		return err
	}
	if r.Members < 0 || r.Issued < 0 || r.Collected < 0 {
		return errors.New("members, issued and collected must not be negative")
	}
	if d := rules.Denominator(r.Members, r.Collected); r.Denominator != d {
		return fmt.Errorf("denominator is %d, want %d under %s", r.Denominator, d, rules)
	}
	for i, cr := range r.Cadres {
		if cr.Valid < 0 || cr.Invalid < 0 || cr.Counts[0] < 0 || cr.Counts[1] < 0 || cr.Counts[2] < 0 {
			return fmt.Errorf("cadre %d: counts must not be negative", i)
		}
		// Subtractions of non-negative values, so that huge forged figures
		// cannot wrap around and pass.
		if cr.Valid > r.Collected || cr.Invalid != r.Collected-cr.Valid {
			return fmt.Errorf("cadre %d: valid %d + invalid %d != collected %d", i, cr.Valid, cr.Invalid, r.Collected)
		}
		if cr.Counts[0] > cr.Valid || cr.Counts[1] > cr.Valid-cr.Counts[0] ||
			cr.Counts[2] != cr.Valid-cr.Counts[0]-cr.Counts[1] {
			return fmt.Errorf("cadre %d: counts %v do not sum to valid %d", i, cr.Counts, cr.Valid)
		}
		if rules.Formal() && cr.Counts[LevelHigh] != 0 {
			return fmt.Errorf("cadre %d: a formal vote of confidence has no high-confidence count", i)
		}
		want := cr
		want.derive(rules, r.Denominator)
		if want.Percent != cr.Percent {
			return fmt.Errorf("cadre %d: percent %v, want %v", i, cr.Percent, want.Percent)
		}
		if want.Condition != cr.Condition {
			return fmt.Errorf("cadre %d: condition %v, want %v", i, cr.Condition, want.Condition)
		}
	}
	return nil
}

// LineTotals is one cadre's line summed over a number of ballots without
// any ballot being seen: what the counting committee decrypts from an
// encrypted ballot box (SPEC.md 11.9). Unmarked and Multiple together are
// the ballots invalid for that cadre; the committee knows Multiple apart
// because paper ballots entered with several marks are flagged as such.
type LineTotals struct {
	Counts   [3]int // high, normal, low
	Unmarked int
	Multiple int
}

// AddTotals counts ballots ballots known only by their totals, one
// LineTotals per cadre in ballot order, so that an encrypted session is
// tallied by the same rules as one counted ballot by ballot. Every line must
// account for exactly ballots ballots; otherwise nothing is counted.
func (c *Counter) AddTotals(ballots int, lines []LineTotals) error {
	if ballots < 0 {
		return fmt.Errorf("ballots is %d, must not be negative", ballots)
	}
	if len(lines) != len(c.tab) {
		return fmt.Errorf("totals for %d cadres, want %d", len(lines), len(c.tab))
	}
	if c.rules.Formal() {
		for j, l := range lines {
			if l.Counts[LevelHigh] != 0 {
				return fmt.Errorf("cadre %d: a formal vote of confidence has no high-confidence count", j+1)
			}
		}
	}
	for j, l := range lines {
		sum := l.Unmarked + l.Multiple
		for _, n := range append(l.Counts[:], l.Unmarked, l.Multiple) {
			if n < 0 {
				return fmt.Errorf("cadre %d: a negative count", j+1)
			}
		}
		for _, n := range l.Counts {
			sum += n
		}
		if sum != ballots {
			return fmt.Errorf("cadre %d: the totals account for %d ballots, want %d", j+1, sum, ballots)
		}
	}
	for j, l := range lines {
		row := &c.tab[j]
		row[markIndex[High]] += l.Counts[LevelHigh]
		row[markIndex[Normal]] += l.Counts[LevelNormal]
		row[markIndex[Low]] += l.Counts[LevelLow]
		row[markIndex[Unmarked]] += l.Unmarked
		row[markIndex[Multiple]] += l.Multiple
	}
	c.n += ballots
	return nil
}
