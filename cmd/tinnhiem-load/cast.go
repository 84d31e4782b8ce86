package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// caster sends ballots to one server over real HTTP. All its clients share
// one transport, so that C clients hold at most C keep-alive connections,
// as C phones would.
type caster struct {
	base   string
	client *http.Client
	cadres []ballot.Cadre
	form   bool // fetch the ballot before casting it, as the voter page does
}

func newCaster(base string, clients int, cadres []ballot.Cadre) *caster {
	tr := &http.Transport{
		MaxIdleConns:        clients,
		MaxIdleConnsPerHost: clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &caster{
		base:   strings.TrimRight(base, "/"),
		client: &http.Client{Transport: tr, Timeout: 60 * time.Second},
		cadres: cadres,
	}
}

// close drops the idle connections.
func (c *caster) close() { c.client.CloseIdleConnections() }

// outcome is what happened to one card.
type outcome struct {
	token   string
	marks   string // the marks the server must store if it accepted the ballot
	status  int    // 0 when no HTTP answer arrived
	code    string // the API error code, if any
	message string // the API error's sentence for the voter, in Vietnamese
	receipt string
	err     error // transport error: no answer
	latency time.Duration
	// Of an encrypted ballot: the tracker the server must seal it under
	// and the card key it must mark used.
	tracker audit.Hash
	card    audit.Hash
}

// accepted reports whether the server acknowledged the ballot with a
// receipt: from that moment it must survive anything.
func (o *outcome) accepted() bool { return o.status == http.StatusCreated && o.receipt != "" }

// randomBallot draws one voter's choices: mostly valid marks, some cadres
// left out or sent as [] (unmarked), a few with two levels (recorded as X,
// as a forged request would be). It returns the request's choices and the
// marks string the server must derive from them (SPEC.md section 3).
func randomBallot(r *mrand.Rand, cadres []ballot.Cadre) (map[string]any, string) {
	choices := make(map[string]any, len(cadres))
	marks := make([]byte, len(cadres))
	codes := [...]string{"high", "normal", "low"}
	letters := [...]byte{'H', 'N', 'L'}
	for i, c := range cadres {
		switch p := r.IntN(100); {
		case p < 90:
			l := r.IntN(3)
			choices[c.ID], marks[i] = codes[l], letters[l]
		case p < 95:
			marks[i] = '-' // left out of the request
		case p < 98:
			choices[c.ID], marks[i] = []string{}, '-'
		default:
			a := r.IntN(3)
			b := (a + 1 + r.IntN(2)) % 3
			choices[c.ID], marks[i] = []string{codes[a], codes[b]}, 'X'
		}
	}
	return choices, string(marks)
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// post sends one JSON request and reads the whole answer.
func (c *caster) post(ctx context.Context, path string, raw []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, out, nil
}

// request is one card's cast, encoded before the clock starts: a phone
// builds its request on its own processor, not the server's.
type request struct {
	token string
	form  []byte // the /api/v1/ballot body
	cast  []byte // the /api/v1/cast body
	marks string // the marks the server must derive from cast
	// encrypted is set for a tinnhiem-box-ballot/v1 cast, whose answer
	// must carry tracker (the ballot's hash) and its receipt code.
	encrypted bool
	tracker   audit.Hash
	card      audit.Hash
}

// newRequest draws random choices for token and encodes both requests.
func (c *caster) newRequest(r *mrand.Rand, token string) (request, error) {
	choices, marks := randomBallot(r, c.cadres)
	form, err := json.Marshal(map[string]string{"token": token})
	if err != nil {
		return request{}, err
	}
	cast, err := json.Marshal(map[string]any{"token": token, "choices": choices})
	if err != nil {
		return request{}, err
	}
	return request{token: token, form: form, cast: cast, marks: marks}, nil
}

// send posts one card's ballot (after its form, if c.form) and times the
// whole exchange.
func (c *caster) send(ctx context.Context, q request) outcome {
	o := outcome{token: q.token, marks: q.marks, tracker: q.tracker, card: q.card}
	start := time.Now()
	if c.form {
		status, body, err := c.post(ctx, "/api/v1/ballot", q.form)
		if err != nil || status != http.StatusOK {
			o.status, o.err = status, err
			o.code, o.message = errorCode(body)
			o.latency = time.Since(start)
			return o
		}
	}
	status, body, err := c.post(ctx, "/api/v1/cast", q.cast)
	o.latency = time.Since(start)
	o.status, o.err = status, err
	if err != nil {
		return o
	}
	if status != http.StatusCreated {
		o.code, o.message = errorCode(body)
		return o
	}
	var resp struct {
		Receipt string `json:"receipt"`
		Tracker string `json:"tracker"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		o.err = fmt.Errorf("failed to read receipt: %w", err)
		return o
	}
	if q.encrypted {
		if err := checkEncryptedReceipt(&q, resp.Receipt, resp.Tracker); err != nil {
			o.err = err
			return o
		}
	}
	o.receipt = resp.Receipt
	return o
}

// errorCode reads an API error answer: its code and its sentence.
func errorCode(body []byte) (code, message string) {
	var e apiError
	if json.Unmarshal(body, &e) == nil {
		return e.Error.Code, e.Error.Message
	}
	return "", ""
}

// requests draws and encodes the ballots of tokens, reproducibly from seed.
func (c *caster) requests(seed uint64, tokens []string) ([]request, error) {
	r := mrand.New(mrand.NewPCG(seed, 0))
	qs := make([]request, len(tokens))
	for i, t := range tokens {
		var err error
		if qs[i], err = c.newRequest(r, t); err != nil {
			return nil, err
		}
	}
	return qs, nil
}

// sendAll sends every request once with the given number of concurrent
// clients and returns the outcomes in request order. With rate 0 each
// client sends its next request as soon as the last is answered (a closed
// loop: the latency is then mostly the queue of the other clients). With a
// rate, request i is due at start + i/rate and its latency counts from that
// moment, not from when a client got round to it, so that a slow server
// cannot hide its delays by slowing the offered load.
func (c *caster) sendAll(ctx context.Context, clients int, rate float64, qs []request) []outcome {
	out := make([]outcome, len(qs))
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(qs) || ctx.Err() != nil {
					return
				}
				if rate == 0 {
					out[i] = c.send(ctx, qs[i])
					continue
				}
				due := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
				time.Sleep(time.Until(due))
				out[i] = c.send(ctx, qs[i])
				out[i].latency = time.Since(due)
			}
		})
	}
	wg.Wait()
	for i := range out {
		if out[i].token == "" {
			out[i] = outcome{token: qs[i].token, marks: qs[i].marks, tracker: qs[i].tracker, card: qs[i].card}
		}
	}
	return out
}

// percentile returns the q-quantile (0 < q ≤ 1) of sorted durations by the
// nearest-rank method.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

// latencies returns the sorted latencies of the answered requests.
func latencies(os []outcome) []time.Duration {
	var ds []time.Duration
	for _, o := range os {
		if o.status != 0 || o.err != nil {
			ds = append(ds, o.latency)
		}
	}
	slices.Sort(ds)
	return ds
}
