# The two commands: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := run
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run dev test setup test-setup lint fmt-check unit e2e build release clean-data

## run: build and serve on http://127.0.0.1:3000 (private Postgres + simulated marketplace by default)
run: setup
	cargo leptos serve

## dev: like run, rebuilding and reloading on every change
dev: setup
	cargo leptos watch

## test: format check, clippy on both sides, unit + integration tests, Playwright e2e
test: test-setup fmt-check lint unit e2e

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

## release: size-optimised wasm (wasm-opt from npm binaryen) and an optimised server
release: setup
	@[ -x end2end/node_modules/.bin/wasm-opt ] || (cd end2end && npm ci --no-audit --no-fund)
	PATH="$(CURDIR)/end2end/node_modules/.bin:$$PATH" RUSTFLAGS= cargo leptos build --release
	@scripts/bundle-size.sh
