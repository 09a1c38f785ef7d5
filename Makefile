# ledgermirror — developer tasks. `make test` is the whole suite CI runs.
SHELL := /bin/bash
GO ?= go
TOOLS := $(CURDIR)/.tools
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
FUZZTIME ?= 10s
# Integration tests are behind this tag; with LM_REQUIRE_SERVICES=1 a missing
# service fails them instead of skipping.
TAGS := integration

.PHONY: all build fmt lint vet test test-unit test-integration test-race bench e2e generate fuzz tools clean contracts contracts-check

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ledgermirror ./cmd/ledgermirror

fmt: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) fmt ./...

$(GOLANGCI_LINT):
	@mkdir -p $(TOOLS)
	@echo "installing golangci-lint $(GOLANGCI_LINT_VERSION) into $(TOOLS) (first run only)"
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(TOOLS)/golangci-lint $(GOLANGCI_LINT)

tools: $(GOLANGCI_LINT)

vet:
	$(GO) vet -tags $(TAGS) ./...

lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

# The whole suite: the committed contract build is current, vet, lint, unit
# tests (which include the checks that generated files are current), contract
# suites and integration tests, all under the race detector (the store is
# concurrent; races are bugs).
test: contracts-check vet lint test-race

test-unit:
	$(GO) test -count=1 ./...

test-integration:
	$(GO) test -count=1 -tags $(TAGS) ./...

test-race:
	$(GO) test -count=1 -race -tags $(TAGS) ./...

# Figures as `BENCH name=value unit` lines (and Go's own benchmark output):
# every suite of `ledgermirror bench` (delivery.nats needs NATS on :4222),
# then the domain's Go benchmarks.
bench:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/ledgermirror bench all --args 'chain=--geth'
	$(GO) test -run '^$$' -bench . -benchtime 200x ./domain/...

# End-to-end and contract suites under test/ (members on loopback ports arrive
# with `ledgermirror dev`).
e2e:
	$(GO) test -count=1 -tags "$(TAGS) e2e" ./test/...

# Regenerates committed files (contracts/events/*.json, the BatchPin Go
# bindings from contracts/ethereum/build); tests fail when they are stale.
generate:
	$(GO) generate ./...

# Compiles contracts/ethereum/BatchPin.sol with the pinned solc (installed by
# npm ci into contracts/ethereum/node_modules on first use) into
# contracts/ethereum/build/, which is committed. Run `make generate` after it
# to refresh the Go bindings.
contracts:
	sh contracts/ethereum/build.sh

# Rebuilds the contract into a temporary directory and fails if the result
# differs from the committed ABI and bytecode.
contracts-check:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	sh contracts/ethereum/build.sh "$$tmp" 2>"$$tmp/build.log" || { cat "$$tmp/build.log" >&2; exit 1; }; \
	for f in BatchPin.abi BatchPin.bin; do \
		if ! cmp -s "$$tmp/$$f" contracts/ethereum/build/$$f; then \
			echo "contracts-check: contracts/ethereum/build/$$f is not what BatchPin.sol compiles to;" >&2; \
			echo "contracts-check: run 'make contracts generate' and commit the result" >&2; \
			diff <(fold -w 100 contracts/ethereum/build/$$f) <(fold -w 100 "$$tmp/$$f") | head -20 >&2; \
			exit 1; \
		fi; \
	done; \
	echo "contracts-check: contracts/ethereum/build is current"

# Runs every fuzz target for FUZZTIME each.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; done

clean:
	rm -rf bin $(TOOLS)
