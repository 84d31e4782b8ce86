# tinnhiem — the two commands that matter are `make run` and `make test`.
GO        ?= go
BIN       ?= bin
# Packages whose concurrency matters run under the race detector.
RACE_PKGS := ./audit/... ./ballot/... ./web/... ./tally
PKGS      := $(shell $(GO) list ./... 2>/dev/null)

.PHONY: run test build lint vet fmt-check verify-build bench fuzz clean

## run: start the demo: a local SQLite file, a prepared session, the voting URLs printed
run:
	$(GO) run ./cmd/tinnhiem demo

## test: the whole suite: vet, format check, race tests, end-to-end tests
test: fmt-check vet
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -count=1 $(filter-out $(shell $(GO) list $(RACE_PKGS)),$(PKGS))

## build: build the server and the verifier into ./bin
build:
	$(GO) build -o $(BIN)/ ./cmd/...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## lint: go vet and staticcheck
lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest ./...

## bench: the benchmarks whose figures README.md records
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./tally/... ./ballot/...

clean:
	rm -rf $(BIN) tinnhiem-demo test-artifacts
