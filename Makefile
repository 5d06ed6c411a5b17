# Kundenportal. `make run` serves the portal on http://localhost:8080 (SQLite,
# dev mailbox); `make test` runs every test, installing or starting
# PostgreSQL and Chromium first when they are missing.

GO        ?= go
ADDR      ?= localhost:8080
CHROMIUM  ?= /usr/bin/chromium-headless-shell
PG_TCP_URL = postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
PG_SOCKET_URL = postgres:///postgres?host=/var/run/postgresql&sslmode=disable
SUDO      := $(if $(filter 0,$(shell id -u)),,sudo)

.DEFAULT_GOAL := help
.PHONY: help run test test-fast fuzz build generate lint migrate check-go test-deps postgres chromium bench bench-load wrk

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: check-go ## serve the portal on http://localhost:8080 with SQLite and the dev mailbox
	PORTAL_ADDR=$(ADDR) PORTAL_BASE_URL=http://$(ADDR) $(GO) run ./cmd/portal serve --dev

test: check-go test-deps lint ## run every test against PostgreSQL, SQLite, SMTP and Chromium
	PORTAL_TEST_DATABASE_URL="$$(cat .ci/pg-url)" PORTAL_CHROMIUM=$(CHROMIUM) \
		$(GO) test -count=1 -timeout 20m -parallel 4 ./...
	@$(MAKE) --no-print-directory fuzz

# FUZZ lists package:target pairs fuzzed briefly by make test: the pure
# parsers live in small leaf packages (handlers/input, handlers/codes,
# handlers/policy, ...) so their instrumented build takes seconds. The
# handler-level FuzzFormsNeverFail (whole portal, minutes to instrument) runs
# only its committed corpus (testdata/fuzz) in go test ./..., like every
# fuzz target.
#
# Each target runs a fixed number of inputs (FUZZ_INPUTS, a few seconds
# each), not a fixed time: with a time budget Go 1.26's fuzz coordinator
# can report "context deadline exceeded" as a failure when the time ends
# while a worker is busy (golang/go#75804, fixed in Go 1.27).
FUZZ_INPUTS ?= 100000
FUZZ = ./handlers/csrftoken:FuzzCheck ./handlers/totp:FuzzVerify ./handlers/codes:FuzzNormalizeRecovery ./handlers/codes:FuzzNormalizePIN ./handlers/input:FuzzEmail ./handlers/input:FuzzLocalPath ./handlers/policy:FuzzCheck

fuzz: check-go ## fuzz the CSRF check, the code, PIN, e-mail, path and password parsers (FUZZ_INPUTS inputs each)
	@for t in $(FUZZ); do \
		$(GO) test $${t%%:*} -run '^$$' -fuzz "^$${t##*:}\$$" -fuzztime=$(FUZZ_INPUTS)x || exit 1; \
	done

test-fast: check-go postgres lint ## every test but the browser suite (PostgreSQL and SQLite, no Chromium)
	PORTAL_TEST_DATABASE_URL="$$(cat .ci/pg-url)" \
		$(GO) test -count=1 -timeout 20m $$($(GO) list ./... | grep -v /handlers/e2e)

bench: check-go test-deps ## run the benchmarks (login throughput, hashing, page rendering)
	PORTAL_TEST_DATABASE_URL="$$(cat .ci/pg-url)" $(GO) test -run '^$$' -bench . -benchtime 3s ./...

# bench-load filters go test's chatter from its output and exits with go
# test's status (a pipeline alone would exit with grep's).
bench-load: check-go wrk build ## load benchmark of the built portal on SQLite (BENCH_DATABASE_URL=postgres://… adds PostgreSQL)
	@rc=$$(mktemp); \
	{ PORTAL_BENCH_BINARY=$(CURDIR)/cmd/portal/portal PORTAL_BENCH_POSTGRES="$(BENCH_DATABASE_URL)" \
		$(GO) test -tags benchload -count=1 -timeout 3m -run '^TestLoad$$' -v ./handlers/benchload; echo $$? > $$rc; } 2>&1 | \
		grep -v '^ *\(=== RUN\|--- PASS\|PASS\|ok \)'; \
	status=$$(cat $$rc); rm -f $$rc; exit $$status

build: check-go ## build cmd/portal/portal
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o cmd/portal/portal ./cmd/portal

generate: check-go ## regenerate templ code (commit the *_templ.go files)
	$(GO) tool templ generate -path components

lint: check-go ## gofmt and go vet
	@out=$$(gofmt -l cmd components handlers store static locales); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

migrate: check-go ## apply migrations to PORTAL_DATABASE_URL (default portal.db)
	$(GO) run ./cmd/portal migrate $(if $(PORTAL_BASE_URL),,--dev)

check-go:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is needed: https://go.dev/dl/ (Debian's golang package is too old)"; exit 1; }

test-deps: postgres chromium

# postgres finds a PostgreSQL server for the tests and writes its URL to
# .ci/pg-url: PORTAL_TEST_DATABASE_URL if set, else the local server over TCP
# (trust auth) or its socket (peer auth); installs and starts it if needed.
postgres:
	@if [ -n "$$PORTAL_TEST_DATABASE_URL" ]; then echo "$$PORTAL_TEST_DATABASE_URL" > .ci/pg-url; exit 0; fi; \
	if ! command -v pg_ctlcluster >/dev/null; then \
		echo "PostgreSQL is not installed: installing it (apt-get install postgresql)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || \
			{ echo "could not install PostgreSQL: run 'sudo apt-get install postgresql'"; exit 1; }; \
	fi; \
	if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
		echo "starting PostgreSQL"; \
		$(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -1) main start || true; \
		for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi; \
	pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL does not answer on 127.0.0.1:5432"; exit 1; }; \
	if psql "$(PG_TCP_URL)" -Atqc 'select 1' >/dev/null 2>&1; then echo "$(PG_TCP_URL)" > .ci/pg-url; exit 0; fi; \
	me=$$(id -un); \
	$(SUDO) runuser -u postgres -- psql -Atqc "select 1 from pg_roles where rolname='$$me'" | grep -q 1 || \
		$(SUDO) runuser -u postgres -- createuser --superuser "$$me"; \
	psql "$(PG_SOCKET_URL)" -Atqc 'select 1' >/dev/null || { echo "cannot connect to PostgreSQL as $$me; set PORTAL_TEST_DATABASE_URL"; exit 1; }; \
	echo "$(PG_SOCKET_URL)" > .ci/pg-url

wrk:
	@if ! command -v wrk >/dev/null; then \
		echo "wrk is not installed: installing it (apt-get install wrk)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || \
			{ echo "could not install wrk: run 'sudo apt-get install wrk'"; exit 1; }; \
	fi

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Chromium's headless shell is not installed: installing it (apt-get install chromium-headless-shell)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null || \
			{ echo "could not install Chromium: run 'sudo apt-get install chromium-headless-shell'"; exit 1; }; \
	fi
