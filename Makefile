# Voronka: `make run` and `make test` set up a fresh Debian 12 machine (as root) and go.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
DB ?= var/voronka.db
LISTEN ?= 127.0.0.1:8080
# ccache (when installed) makes rebuilds after a pull take seconds.
LAUNCHER := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache,)

APT_PACKAGES := build-essential cmake pkg-config git ca-certificates \
  libboost-dev libsqlite3-dev sqlite3 libpq-dev postgresql-15 postgresql-client-15 \
  libargon2-dev libssl-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev \
  libicu-dev libgtest-dev libgmock-dev libbenchmark-dev libphonenumber-dev libprotobuf-dev \
  libnlopt-dev libnlopt-cxx-dev libxlsxwriter-dev libjemalloc-dev chromium wrk nginx-light python3 curl ccache

.PHONY: deps deps-apt deps-npm build build-test web run test unit-test api-test e2e-test bench format clean

deps: deps-apt deps-npm

# Installs only what is missing, so a prepared machine pays nothing.
deps-apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing="$$missing nodejs npm"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

deps-npm:
	@if [ -f web/package.json ] && [ ! -d web/node_modules ]; then cd web && npm ci --no-audit --no-fund; fi
	@if [ -f tests/api/package.json ] && [ ! -d tests/api/node_modules ]; then cd tests/api && npm ci --no-audit --no-fund; fi

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release $(LAUNCHER) >/dev/null
	cmake --build build --target voronka -j $(JOBS)
	@$(MAKE) --no-print-directory web

web:
	@if [ -f web/package.json ]; then cd web && npm run build; fi

build-test: deps
	cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DVORONKA_SANITIZE=ON -DCMAKE_CXX_FLAGS=-O1 $(LAUNCHER) >/dev/null
	cmake --build build-test -j $(JOBS)

# First start: a company with an admin (login printed once) and demo data, then the server.
run: build
	@mkdir -p $(dir $(DB))
	@if [ ! -f $(DB) ]; then build/voronka demo --db $(DB) --contacts 300; fi
	build/voronka serve --db $(DB) --listen $(LISTEN)

# Unit and storage suites on SQLite and a throwaway PostgreSQL, then API and browser tests.
test: build-test
	@$(MAKE) --no-print-directory web
	scripts/with-postgres.sh ctest --test-dir build-test --output-on-failure -j 2
	@if [ -f tests/api/package.json ]; then scripts/with-postgres.sh tests/api/run.sh build-test/voronka; fi
	@if [ -f web/e2e/run.sh ]; then web/e2e/run.sh build-test/voronka; fi

bench: build
	bench/run.sh

format:
	clang-format -i $$(git ls-files 'server/*.cpp' 'server/*.hpp' 'bench/*.cpp')

clean:
	rm -rf build build-test web/dist
