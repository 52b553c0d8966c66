# registrar's task runner. `make setup` installs what the build and the tests need;
# `make demo` and `make test` run setup first, so each is the one command a newcomer needs.

export CARGO_TARGET_DIR ?= $(HOME)/.cache/registrar-target
CARGO ?= cargo

.PHONY: setup build demo test test-fast lint fmt schema contracts console bench bench-criterion wasm soak storm clean

setup:
	@bash .ci/setup

build: setup
	$(CARGO) build --workspace --all-targets

demo:
	@bash .ci/setup --demo
	$(CARGO) run --bin registrar -- demo

# Builds every target (benches included), then runs the unit, property and integration tests.
test: setup
	bash .ci/test-detect.sh
	$(CARGO) build --workspace --all-targets
	$(CARGO) test --workspace --lib --bins --tests

# Unit and property tests only: no anvil or broker needed.
test-fast:
	$(CARGO) test --workspace --lib --test projector --test wire --test schema --test rfc6962 --test proofs

# The offline proof verifier (registrar-merkle, and registrar-verifier, its export for the
# console) builds for the browser.
wasm:
	$(CARGO) build -p registrar-merkle -p registrar-verifier --lib --target wasm32-unknown-unknown

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

# Regenerates schemas/registrar.graphql from the GraphQL schema.
schema:
	$(CARGO) run -q --bin registrar -- schema > schemas/registrar.graphql

# Rebuilds the web console (console/ into api/assets/console, committed): the proof verifier
# for the browser (wasm32, small: no debug info, optimised for size) and the app's bundle.
console: setup
	CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=symbols CARGO_PROFILE_RELEASE_OPT_LEVEL=s \
	CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_PANIC=abort \
	$(CARGO) build -p registrar-verifier --target wasm32-unknown-unknown --release
	node console/build.js

# Recompiles contracts/src into contracts/artifacts with the npm solc.
contracts: setup
	node contracts/build.js

# The end-to-end benchmark (release build) and the criterion benches of hot paths.
bench: setup
	$(CARGO) run --release --bin registrar -- bench
	$(CARGO) bench --workspace --bench projector --bench merkle

bench-criterion:
	$(CARGO) bench --workspace --bench projector --bench merkle

# Thousands of hostile requests against a running server (`make demo` in another shell):
# fails on any 5xx, answer past its deadline or /health failure. RELIABILITY.md has the figures.
SERVER ?= http://127.0.0.1:8080
soak:
	$(CARGO) run -q --bin registrar -- soak --server $(SERVER) --requests 5000

# The reorg storm in the issue's full form: 40 rounds of anvil_reorg, 3 runs (CI runs 12 rounds once).
storm: setup
	REGISTRAR_STORM_ROUNDS=40 REGISTRAR_STORM_RUNS=3 $(CARGO) test --test reorg_storm -- --nocapture

clean:
	rm -rf .data
