# Build, demo and test the istio-ingress-k8s charm.
#   make charm   build istio-ingress-k8s_amd64.charm (no charmcraft needed)
#   make demo    build the charm and show it working
#   make test    the whole suite (installs etcd and gcc with apt-get when missing)
#   make lint    go mod tidy -diff and staticcheck, failing on any finding

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := charm

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BUILD_DIR ?= .cache/build
CHARM     ?= istio-ingress-k8s_amd64.charm
BINARY    := $(BUILD_DIR)/charm
KUBE_APISERVER := .cache/bin/kube-apiserver
PEBBLE_BIN := .cache/bin/pebble
STATICCHECK_VERSION := v0.8.2
STATICCHECK := .cache/bin/staticcheck-$(STATICCHECK_VERSION)
# A count, not a duration: a duration's deadline can race a busy worker and
# fail with "context deadline exceeded" and no crasher (go.dev/issue/75804).
FUZZTIME  ?= 50000x
DEMO_EXAMPLE ?= examples/conflicting-apps.json

export CGO_ENABLED := 0

.PHONY: charm demo test deps vet fmt-check lint unit rules fuzz kube-apiserver pebble bench clean

charm:
	mkdir -p $(BUILD_DIR)
	$(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BINARY) ./cmd/charm
	$(GO) run ./tools/packcharm -src . -binary $(BINARY) -out $(CHARM)
	@echo "wrote $(CHARM)"

# The demo unpacks the archive exactly as Juju would and runs its dispatch.
demo: charm
	@echo "== $(CHARM) contents"
	@$(GO) run ./tools/packcharm -list $(CHARM)
	@rm -rf $(BUILD_DIR)/demo && mkdir -p $(BUILD_DIR)/demo
	@$(GO) run ./tools/packcharm -extract $(CHARM) -dir $(BUILD_DIR)/demo
	@echo "== ./dispatch version"
	@$(BUILD_DIR)/demo/dispatch version
	@echo "== ./dispatch --help"
	@$(BUILD_DIR)/demo/dispatch --help
	@if [ -f $(DEMO_EXAMPLE) ]; then \
		echo "== ./bin/charm render $(DEMO_EXAMPLE)"; \
		$(BUILD_DIR)/demo/bin/charm render $(DEMO_EXAMPLE); \
	fi

$(KUBE_APISERVER): tools/kube-apiserver/go.mod
	mkdir -p $(dir $(KUBE_APISERVER))
	cd tools/kube-apiserver && $(GO) build -o ../../$(KUBE_APISERVER) k8s.io/kubernetes/cmd/kube-apiserver

kube-apiserver: $(KUBE_APISERVER)

# The real Pebble daemon the workload tests run, the client's version.
$(PEBBLE_BIN): tools/pebble/go.mod
	mkdir -p $(dir $(PEBBLE_BIN))
	cd tools/pebble && $(GO) build -o ../../$(PEBBLE_BIN) github.com/canonical/pebble/cmd/pebble

pebble: $(PEBBLE_BIN)

vet:
	$(GO) vet ./...

fmt-check:
	@files=$$(gofmt -l $$(git ls-files '*.go') $$(git ls-files --others --exclude-standard '*.go')); \
	if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi

# The binary's name carries its version, so changing the pin installs anew.
$(STATICCHECK):
	mkdir -p $(dir $(STATICCHECK))
	GOBIN=$(abspath $(dir $(STATICCHECK))) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(dir $(STATICCHECK))staticcheck $(STATICCHECK)

# go.mod must be tidy (a requirement a package stopped using, a direct one
# marked indirect) and staticcheck must find nothing.
lint: $(STATICCHECK)
	$(GO) mod tidy -diff
	$(STATICCHECK) ./...

deps:
	tools/install-deps

# Tests reuse the charm built above instead of packing their own.
unit: deps charm $(KUBE_APISERVER) $(PEBBLE_BIN) rules
	ISTIO_INGRESS_CHARM=$(abspath $(CHARM)) KUBE_APISERVER=$(abspath $(KUBE_APISERVER)) PEBBLE_BIN=$(abspath $(PEBBLE_BIN)) \
		CGO_ENABLED=1 $(GO) test -race -timeout 20m ./...

# The alert rules checked with Prometheus's own parsers, in a module of their
# own so Prometheus's dependencies stay out of the charm's build.
rules:
	cd relation/prometheus/rulescheck && $(GO) vet ./... && $(GO) test ./...

# Runs every Fuzz target briefly; a target is "func FuzzX(" in a _test.go file.
fuzz:
	@for file in $$(grep -rl --include='*_test.go' --exclude-dir=.cache '^func Fuzz' . || true); do \
		pkg=$$(dirname $$file); \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "== fuzz $$pkg $$target"; \
			$(GO) test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) $$pkg; \
		done; \
	done

test: vet fmt-check lint unit fuzz

# Hook benchmark: config-changed with 1-500 related apps, see README.
# Pick cases with e.g. make bench BENCH='ConfigChanged/apps=100$$'; raw output: .cache/bench.txt.
BENCH     ?= ConfigChanged
BENCHTIME ?= 5x
bench: charm $(KUBE_APISERVER) $(PEBBLE_BIN)
	@mkdir -p .cache
	ISTIO_INGRESS_CHARM=$(abspath $(CHARM)) KUBE_APISERVER=$(abspath $(KUBE_APISERVER)) PEBBLE_BIN=$(abspath $(PEBBLE_BIN)) \
		$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -timeout 60m ./tests/bench/ | tee .cache/bench.txt
	@$(GO) run ./tests/bench/cmd/benchtable < .cache/bench.txt

clean:
	rm -rf $(BUILD_DIR) $(CHARM)
