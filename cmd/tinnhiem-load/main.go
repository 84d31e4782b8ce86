// Command tinnhiem-load measures a tinnhiem server under the load of a
// congress: it prepares a session with V voters and K cadres in a fresh
// SQLite file through ballot.Service, casts every card over real HTTP with
// C concurrent clients and random choices, closes the vote, recounts the
// sealed ballots as an inspector would and checks that the tally equals the
// choices it sent. It prints ballots per second, latency percentiles,
// errors, the server's peak RSS, and the rate of single-row SQLite commits
// on the same disk with the same durability settings.
//
// The session is encrypted (SPEC.md 11) unless --clear: the key ceremony
// is run by three simulated trustees (ballot/simtrustee), every card's
// ballot is encrypted with ballot/box before the clock starts, spread over
// every core, and cast as {"token","ballot"}; after close two of the three
// trustees decrypt, the session is tallied, and the log is verified with
// every ballot's proofs.
//
// By default the server runs in this process (web.New over the same
// service, on 127.0.0.1:0). With --url the load targets a running
// `tinnhiem serve --db FILE` instead; --db must then name that server's file
// (and --key its key), and --pid its process for the RSS figure.
//
// The tool keeps plaintext tokens in memory: it is a load tool, never to be
// pointed at a real vote.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/cmd/internal/cli"
	"tinnhiem/tally"
	"tinnhiem/web"
)

// config is the command line.
type config struct {
	voters, cadres, clients int
	db, key, url            string
	pid                     int
	probe                   int
	rate                    float64
	seed                    uint64
	form                    bool
	strict                  bool
	cpuprofile              string
	clear                   bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		cli.PrintError(os.Stderr, "tinnhiem-load", err)
		os.Exit(2)
	}
	if err := run(ctx, cfg, os.Stdout); err != nil {
		cli.PrintError(os.Stderr, "tinnhiem-load", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("tinnhiem-load", flag.ContinueOnError)
	c := &config{}
	fs.IntVar(&c.voters, "voters", 10000, "voters `V`: members summoned, all present, one card each")
	fs.IntVar(&c.cadres, "cadres", 30, "cadres `K` on the ballot")
	fs.IntVar(&c.clients, "clients", 256, "concurrent clients `C`")
	fs.Float64Var(&c.rate, "rate", 0, "offer ballots at `R` per second instead of as fast as the C clients can (0: as fast as possible); latency is then measured from each ballot's scheduled start")
	fs.StringVar(&c.db, "db", "", "SQLite `FILE` to create the session in (default: a fresh file in a temporary directory)")
	fs.StringVar(&c.key, "key", "", "installation key `FILE` (default: beside the database)")
	fs.StringVar(&c.url, "url", "", "base `URL` of a running tinnhiem serve on --db (default: serve in this process)")
	fs.IntVar(&c.pid, "pid", 0, "process `ID` of the --url server, for its peak RSS")
	fs.IntVar(&c.probe, "probe", 1000, "single-row SQLite commits to time on the same disk (0: skip)")
	fs.Uint64Var(&c.seed, "seed", uint64(time.Now().UnixNano()), "seed of the random choices")
	fs.BoolVar(&c.form, "form", false, "fetch each ballot (/api/v1/ballot) before casting it, as the voter page does")
	fs.BoolVar(&c.strict, "strict", false, "exit 1 when a performance target is missed")
	fs.BoolVar(&c.clear, "clear", false, "use a clear session (ballots as marks, the older mode) instead of an encrypted one")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the casting phase to `FILE` (in-process server only)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.voters < 1 || c.voters > 100000:
		return nil, errors.New("--voters must be between 1 and 100000")
	case c.cadres < 1 || c.cadres > 500:
		return nil, errors.New("--cadres must be between 1 and 500")
	case c.clients < 1:
		return nil, errors.New("--clients must be at least 1")
	case c.rate < 0:
		return nil, errors.New("--rate must not be negative")
	case c.url != "" && c.db == "":
		return nil, errors.New("--url needs --db, the database file of that server")
	}
	return c, nil
}

func run(ctx context.Context, cfg *config, out io.Writer) error {
	if cfg.db == "" {
		dir, err := os.MkdirTemp("", "tinnhiem-load-")
		if err != nil {
			return fmt.Errorf("failed to create a temporary directory: %w", err)
		}
		defer os.RemoveAll(dir)
		cfg.db = filepath.Join(dir, "load.db")
	}
	svc, store, err := openService(cfg.db, cfg.key)
	if err != nil {
		return err
	}
	defer store.Close()

	where := "in-process server"
	if cfg.url != "" {
		where = "server at " + cfg.url
	}
	mode := "encrypted session"
	if cfg.clear {
		mode = "clear session"
	}
	fmt.Fprintf(out, "tinnhiem-load: V=%d K=%d C=%d, %s, %s, database %s\n", cfg.voters, cfg.cadres, cfg.clients, mode, where, cfg.db)
	start := time.Now()
	p, err := prepareSession(ctx, svc, cfg.voters, cfg.cadres, !cfg.clear)
	if err != nil {
		return err
	}
	steps := "roster, cadres, check-in, %d cards, open"
	if !cfg.clear {
		steps = "roster, cadres, committee of 3, check-in, %d cards, key ceremony of 3 simulated trustees (2 of 3), open"
	}
	fmt.Fprintf(out, "prepared session %s in %v ("+steps+")\n", p.session, time.Since(start).Round(time.Millisecond), len(p.tokens))

	base, rssPID := cfg.url, strconv.Itoa(cfg.pid)
	if base == "" {
		srv := &http.Server{
			Handler:           web.New(svc, web.Options{}).Handler(),
			ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("failed to listen: %w", err)
		}
		go srv.Serve(ln)
		defer srv.Close()
		base, rssPID = "http://"+ln.Addr().String(), "self"
	}

	c := newCaster(base, cfg.clients, p.cadres)
	c.form = cfg.form
	defer c.close()
	var qs []request
	if cfg.clear {
		qs, err = c.requests(cfg.seed, p.tokens)
	} else {
		start, cpu0 := time.Now(), cpuTime()
		qs, err = encryptedRequests(ctx, p.box, cfg.seed, p.tokens)
		if err == nil {
			size := 0
			for _, q := range qs {
				size += len(q.cast)
			}
			fmt.Fprintf(out, "encrypted %d ballots (%.1f MB of requests, held by the clients) before the timed phase, spread over %d cores, in %v: %.1f ms of CPU each; as each phone encrypts its own, the load tool's cores do not limit the server\n",
				len(qs), float64(size)/1e6, runtime.NumCPU(), time.Since(start).Round(time.Millisecond), float64((cpuTime()-cpu0).Microseconds())/1000/float64(max(1, len(qs))))
		}
	}
	if err != nil {
		return fmt.Errorf("failed to encode requests: %w", err)
	}
	commits0, casts0 := store.CommitStats()
	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			return fmt.Errorf("failed to create profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("failed to start profile: %w", err)
		}
	}
	cpu0 := cpuTime()
	start = time.Now()
	outs := c.sendAll(ctx, cfg.clients, cfg.rate, qs)
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	if cfg.cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	commits1, casts1 := store.CommitStats()

	var acked int
	failures := map[string]int{}
	for _, o := range outs {
		switch {
		case o.accepted():
			acked++
		case o.err != nil:
			failures["transport: "+o.err.Error()]++
		case o.status == 0:
			failures["not sent"]++
		default:
			failures[fmt.Sprintf("%d %s", o.status, o.code)]++
		}
	}
	lat := latencies(outs)
	rate := float64(acked) / elapsed.Seconds()
	fmt.Fprintf(out, "cast: %d ballots acknowledged in %v: %.0f ballots/s (each durable before its receipt)\n", acked, elapsed.Round(time.Millisecond), rate)
	if cfg.rate > 0 {
		fmt.Fprintf(out, "offered: %.0f ballots/s (open loop: latency counts from each ballot's scheduled start)\n", cfg.rate)
	}
	fmt.Fprintf(out, "latency: p50 %v, p95 %v, p99 %v, max %v\n", ms(percentile(lat, 0.50)), ms(percentile(lat, 0.95)), ms(percentile(lat, 0.99)), ms(percentile(lat, 1)))
	fmt.Fprintf(out, "errors: %d\n", len(outs)-acked)
	for what, n := range failures {
		fmt.Fprintf(out, "  %d × %s\n", n, what)
	}
	fmt.Fprintf(out, "CPU of this process while casting: %.2f s, %.0f%% of %d cores\n", cpu.Seconds(), 100*cpu.Seconds()/elapsed.Seconds()/float64(runtime.NumCPU()), runtime.NumCPU())
	if cfg.url == "" && commits1 > commits0 {
		fmt.Fprintf(out, "group commit: %d commits, %.1f ballots per commit\n", commits1-commits0, float64(casts1-casts0)/float64(commits1-commits0))
	}
	rss, rssErr := peakRSS(rssPID)
	switch {
	case cfg.url != "" && cfg.pid == 0:
		fmt.Fprintln(out, "server peak RSS: unknown (give --pid of the server)")
	case rssErr != nil:
		fmt.Fprintf(out, "server peak RSS: unknown (%v)\n", rssErr)
	case cfg.url == "":
		fmt.Fprintf(out, "server peak RSS: %.1f MB (VmHWM of this process: server, store and the %d clients with their requests together)\n", float64(rss)/1e6, cfg.clients)
	default:
		fmt.Fprintf(out, "server peak RSS: %.1f MB (VmHWM of process %d)\n", float64(rss)/1e6, cfg.pid)
	}

	var commitRate float64
	if cfg.probe > 0 {
		commitRate, err = sqlite.ProbeCommitRate(cfg.db+".probe", cfg.probe)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "SQLite single-row commits on the same disk, same settings (WAL, synchronous=FULL): %.0f/s over %d commits\n", commitRate, cfg.probe)
		fmt.Fprintf(out, "ratio ballots/s ÷ commits/s: %.1f\n", rate/commitRate)
	}

	if cfg.clear {
		if err := finishClear(ctx, svc, p, outs, out); err != nil {
			return err
		}
	} else {
		start = time.Now()
		res, err := finishEncrypted(ctx, svc, p, outs)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "tally: closed, decrypted by trustees %s of 3, tallied and the log verified in %v: the proofs and signatures of all %d sealed ballots verify, the decrypted totals equal the choices sent, every receipt's tracker is sealed and its card key in TokensUsed\n",
			trusteeList(res.trustees), time.Since(start).Round(time.Millisecond), res.verified)
	}

	missed := targets(out, cfg, rate, percentile(lat, 0.99), len(outs)-acked, rss, rssErr == nil && (cfg.url == "" || cfg.pid != 0))
	if len(outs) != acked {
		return fmt.Errorf("%d of %d ballots were not acknowledged", len(outs)-acked, len(outs))
	}
	if missed > 0 && cfg.strict {
		return fmt.Errorf("%d performance targets missed", missed)
	}
	return nil
}

// targets prints the targets against the figures and returns how
// many were missed. They are stated for V=10,000, K=30 on 2 cores: for a
// clear session C=256 as fast as possible; for an encrypted one, whose
// every ballot the server verifies before recording it, the throughput as
// fast as possible and the latency at 100 ballots/s offered.
func targets(out io.Writer, cfg *config, rate float64, p99 time.Duration, errs int, rss int64, rssKnown bool) int {
	missed := 0
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		missed++
		return "MISSED"
	}
	throughput := "not measured (the offered rate sets it: run without --rate)"
	if cfg.clear {
		if cfg.rate == 0 {
			throughput = mark(rate >= 5000)
		}
		fmt.Fprintf(out, "targets (clear session, V=10000 K=30 C=256, 2 cores): ≥ 5000 ballots/s %s; p99 < 50 ms %s; zero errors %s",
			throughput, mark(p99 < 50*time.Millisecond), mark(errs == 0))
		if rssKnown {
			fmt.Fprintf(out, "; peak RSS < 150 MB %s", mark(rss < 150e6))
		}
		fmt.Fprintln(out)
		return missed
	}
	if cfg.rate == 0 {
		throughput = mark(rate >= 300)
	}
	latency := "not measured (run with --rate 100)"
	if cfg.rate > 0 && cfg.rate <= 100 {
		latency = mark(p99 < 100*time.Millisecond)
	}
	fmt.Fprintf(out, "targets (encrypted session, V=10000 K=30, 2 cores): ≥ 300 durable ballots/s %s; p99 < 100 ms at 100 ballots/s offered %s; zero errors %s",
		throughput, latency, mark(errs == 0))
	if rssKnown {
		fmt.Fprintf(out, "; server peak RSS < 200 MB %s", mark(rss < 200e6))
	}
	fmt.Fprintln(out)
	return missed
}

// cpuTime returns the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// peakRSS reads the high-water mark of resident memory (VmHWM) of a process
// ("self" for this one), in bytes.
func peakRSS(pid string) (int64, error) {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0, fmt.Errorf("failed to read peak RSS: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("failed to read peak RSS: %w", err)
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("failed to read peak RSS: no VmHWM line")
}

// finishClear closes a clear session and recounts its sealed ballots as
// an inspector would, against the choices sent.
func finishClear(ctx context.Context, svc *ballot.Service, p *prepared, outs []outcome, out io.Writer) error {
	if err := svc.Close(ctx, "cli:tinnhiem-load", p.session); err != nil {
		return fmt.Errorf("failed to close the session: %w", err)
	}
	r, got, err := sealedLog(ctx, svc, p.session)
	if err != nil {
		return err
	}
	want, err := expectedTally(p, outs)
	if err != nil {
		return fmt.Errorf("failed to count the choices sent: %w", err)
	}
	if err := checkReceipts(r, outs); err != nil {
		return err
	}
	if err := checkMarks(r, outs, true, 0); err != nil {
		return err
	}
	if !tally.Equal(got, want) {
		return fmt.Errorf("the tally of the sealed ballots differs from the choices sent")
	}
	fmt.Fprintf(out, "tally: the recount of %d sealed ballots equals the choices sent; every receipt's card is in TokensUsed\n", len(r.Ballots))
	return nil
}
