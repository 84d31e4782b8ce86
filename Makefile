# tinnhiem — the two commands that matter are `make run` and `make test`.
GO        ?= go
BIN       ?= bin
# Packages whose concurrency matters run under the race detector. The
# encrypted ballot box's pure arithmetic runs 5x slower under it, so only its
# tests that verify ballots on several processors do (BOX_RACE).
RACE_PKGS := ./audit/... $(filter-out tinnhiem/ballot/box,$(shell $(GO) list ./ballot/... 2>/dev/null)) ./web/... ./tally
BOX_RACE  := TestBatchNamesBadBallot|TestBallotTampered|TestEndToEnd
PKGS      := $(shell $(GO) list ./... 2>/dev/null)

.PHONY: run test test-js a11y-deps assets assets-check node-check build lint vet fmt-check verify-build bench fuzz load clean

## run: start the demo: a local SQLite file, a prepared session, the voting URLs printed
run:
	$(GO) run ./cmd/tinnhiem demo

## test: the whole suite: vet, format check, race tests, end-to-end tests, the JavaScript tests
test: fmt-check vet verify-build test-js a11y-deps
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -race -count=1 -run '$(BOX_RACE)' ./ballot/box
	$(GO) test -count=1 $(filter-out $(shell $(GO) list $(RACE_PKGS)),$(PKGS))

## assets: rebuild web/static/box.js (the encrypted ballot box for the voter's phone) from web/box with the
## versions pinned in web/box/package-lock.json; the bundle is committed, so `go build` needs no npm
assets: node-check
	cd web/box && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

## assets-check: rebuild the bundle and fail if it differs from the committed one
assets-check: assets
	@if [ -n "$$(git status --porcelain -- web/static/box.js)" ]; then \
		git diff --stat -- web/static/box.js; \
		echo "web/static/box.js differs from what web/box builds: run make assets and commit it"; exit 1; \
	fi

## test-js: the JavaScript tests of web/box (node --test), among them Go's test vectors; skipped when node is
## missing, except under CI=true
test-js:
	@if ! command -v node >/dev/null 2>&1; then \
		if [ "$$CI" = true ]; then echo "test-js: node is required under CI"; exit 1; fi; \
		echo "test-js: skipped, node is not installed"; exit 0; \
	fi; \
	$(MAKE) --no-print-directory node-check && cd web/box && npm ci --no-audit --no-fund --loglevel=error && node --test test/

## a11y-deps: install axe-core (web/a11y, the exact version of its package-lock.json) for the accessibility checks
## of the web package's browser tests; skipped when npm is missing, except under CI=true (the tests then skip too)
a11y-deps:
	@if ! command -v npm >/dev/null 2>&1; then \
		if [ "$$CI" = true ]; then echo "a11y-deps: npm is required under CI"; exit 1; fi; \
		echo "a11y-deps: skipped, npm is not installed"; exit 0; \
	fi; \
	cd web/a11y && npm ci --no-audit --no-fund --loglevel=error

# node-check: @noble/curves and @noble/hashes 2.x need Node 20.19 or later.
node-check:
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node "+process.versions.node+" is too old: web/box needs 20.19 or later"); process.exit(1) }'

## build: build the server and the verifier into ./bin
build:
	$(GO) build -o $(BIN)/ ./cmd/...

## verify-build: cross-build the offline verifier without cgo for the inspectors' laptops
VERIFY_TARGETS := linux/amd64 windows/amd64 darwin/arm64 darwin/amd64
verify-build:
	@for t in $(VERIFY_TARGETS); do \
		os=$${t%/*}; arch=$${t#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "tinnhiem-verify $$os/$$arch"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath \
			-o $(BIN)/tinnhiem-verify-$$os-$$arch$$ext ./cmd/tinnhiem-verify || exit 1; \
	done

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## lint: go vet and staticcheck
lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

## fuzz: run every fuzz target of every package for FUZZTIME each; the seed
## corpora (and crashers kept in testdata/fuzz) already run in `make test`.
## A run that fails only with the engine's "context deadline exceeded" (its
## coordinator timing out a busy worker, no failing input written) is run
## once more; any failing input fails at once.
FUZZTIME ?= 10s
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for fz in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$fz ($(FUZZTIME))"; \
			if ! $(GO) test -run '^$$' -fuzz "^$$fz$$" -fuzztime $(FUZZTIME) $$pkg > fuzz.out 2>&1; then \
				cat fuzz.out; \
				if grep -q 'Failing input written' fuzz.out || ! grep -q 'context deadline exceeded' fuzz.out; then rm -f fuzz.out; exit 1; fi; \
				echo "fuzz $$pkg $$fz: the fuzzing engine's own deadline expired without a failing input; once more"; \
				$(GO) test -run '^$$' -fuzz "^$$fz$$" -fuzztime $(FUZZTIME) $$pkg; \
			else tail -n 3 fuzz.out; fi; \
			rm -f fuzz.out; \
		done; \
	done

## load: the load test of README's performance section (tinnhiem-load --help for flags)
load:
	$(GO) run ./cmd/tinnhiem-load --voters 10000 --cadres 30 --clients 256

## bench: the benchmarks whose figures README.md records
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./tally/... ./ballot/...

clean:
	rm -rf $(BIN) tinnhiem-demo test-artifacts
