# tinnhiem — the two commands that matter are `make run` and `make test`.
GO        ?= go
BIN       ?= bin
# Packages whose concurrency matters run under the race detector.
RACE_PKGS := ./audit/... ./ballot/... ./web/... ./tally
PKGS      := $(shell $(GO) list ./... 2>/dev/null)

.PHONY: run test build lint vet fmt-check verify-build bench fuzz load clean

## run: start the demo: a local SQLite file, a prepared session, the voting URLs printed
run:
	$(GO) run ./cmd/tinnhiem demo

## test: the whole suite: vet, format check, race tests, end-to-end tests
test: fmt-check vet verify-build
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -count=1 $(filter-out $(shell $(GO) list $(RACE_PKGS)),$(PKGS))

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
## corpora (and crashers kept in testdata/fuzz) already run in `make test`
FUZZTIME ?= 10s
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for fz in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$fz ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$fz$$" -fuzztime $(FUZZTIME) $$pkg; \
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
