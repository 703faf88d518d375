# Market Entity Graph. The two commands a person needs: `make start` and `make test`.

SIZE ?= 5000
SEED ?= meg-2026
NODE ?= node

.PHONY: start test build install keys seed typecheck clean

## start: install, build, seed the embedded databases if empty, run all five processes
start: keys
	$(NODE) dist/scripts/seed.js --size $(SIZE) --seed $(SEED) --if-empty
	MEG_SEED=$(SEED) MEG_SIZE=$(SIZE) $(NODE) dist/scripts/start.js

## test: the whole suite, on real processes and the PostgreSQL server at 127.0.0.1:5432
test: build
	npx tsc -p tsconfig.json
	npx vitest run

## seed: load SIZE enterprises into every agency database (PGlite, or PostgreSQL per DATABASE_URL_<AGENCY>)
seed: keys
	$(NODE) dist/scripts/seed.js --size $(SIZE) --seed $(SEED)

install: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## build: compile TypeScript and compose the supergraph (fails on a composition error or unclassified field)
build: install
	npx tsc -p tsconfig.build.json
	$(NODE) dist/scripts/compose.js

## keys: the gateway's development signing key pair under .data/keys (never committed)
keys: build
	$(NODE) dist/scripts/keys.js

typecheck: install
	npx tsc -p tsconfig.json

clean:
	rm -rf dist gateway/generated
