# The two commands: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := run
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run dev test setup test-setup lint fmt-check unit e2e conformance build release

## run: build and serve on http://127.0.0.1:3000 (private Postgres + simulated marketplace by default)
run: setup
	cargo leptos serve

## dev: like run, rebuilding and reloading on every change
dev: setup
	cargo leptos watch

## test: format check, clippy on both sides, unit + integration tests, Playwright e2e,
## and the real vastai CLI against our simulator and query language
test: test-setup fmt-check lint unit e2e conformance

setup:
	@scripts/setup.sh

test-setup:
	@scripts/setup.sh --test

fmt-check:
	cargo fmt --all -- --check

lint:
	cargo clippy -p app --features ssr --all-targets -- -D warnings
	cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p server --all-targets -- -D warnings

unit:
	cargo test --workspace

build:
	cargo leptos build

e2e: build
	cd end2end && npx playwright test

## conformance: the real `vastai` CLI (1.9.1, from PyPI, in target/vastai-venv) drives
## `canopy sim`, and its request bodies are diffed against `canopy offers search --explain`
conformance: build
	CANOPY_SIM_CMD='target/debug/canopy sim --addr 127.0.0.1:$$PORT' scripts/vastai-conformance.sh
	scripts/vastai-query-diff.sh --explain-cmd 'target/debug/canopy offers search --explain'

## release: size-optimised wasm (wasm-opt from npm binaryen) and an optimised server
release: setup
	@[ -x target/binaryen/node_modules/.bin/wasm-opt ] || npm install --prefix target/binaryen --no-audit --no-fund --no-save binaryen@132
	PATH="$(CURDIR)/target/binaryen/node_modules/.bin:$$PATH" RUSTFLAGS= cargo leptos build --release $(RELEASE_FLAGS)
	@scripts/bundle-size.sh
