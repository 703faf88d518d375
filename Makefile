# Market Entity Graph. The two commands a person needs: `make start` and `make test`.

SIZE ?= 5000
SEED ?= meg-2026
NODE ?= node

# The OPA CLI, pinned, built from the Go module proxy into the project's own tools folder.
OPA_VERSION := v1.22.3
OPA := .tools/opa-$(OPA_VERSION)/opa
# grpcurl, the stock gRPC client, for the tests that show stock tools can call the review service.
GRPCURL_VERSION := v1.9.3
GRPCURL := .tools/grpcurl-$(GRPCURL_VERSION)/grpcurl
# nats-server, for the credit events' stream (JetStream): make start runs one, each test file starts its own.
NATS_SERVER_VERSION := v2.15.2
NATS_SERVER := .tools/nats-server-$(NATS_SERVER_VERSION)/nats-server
# ghz, the gRPC load generator, for the joint review scenarios of make bench.
GHZ_VERSION := v0.120.0
GHZ := .tools/ghz-$(GHZ_VERSION)/ghz

# Debian's Chromium, for the console's browser test (no browser download: the project's own apt).
CHROMIUM := /usr/bin/chromium
POLICY_ENTRYPOINTS := -e meg/access/decisions -e meg/access/record_views -e meg/review/decision -e meg/write/decision
# The linked response's rules, which each agency's subgraph evaluates (subgraphs/runtime/responder.ts).
RESPONSE_POLICY := subgraphs/runtime/generated/response.wasm
REGO := $(shell find policies -name '*.rego' 2>/dev/null)
PROTOS := $(shell find protos -name '*.proto' 2>/dev/null)
# The loader options the server and its clients use (PROTO_OPTIONS in gateway/review/grpcServer.ts):
# field names in camelCase (no --keepCase), 64-bit integers and enums as strings, defaults and oneofs.
PROTO_TYPE_OPTIONS := --longs=String --enums=String --defaults --oneofs --includeComments --grpcLib=@grpc/grpc-js --importFileExtension=.js
PROTO_TYPES := gateway/generated/proto/review_service.ts
# What graphql-codegen reads (codegen.ts): the GraphQL schemas, and the sources holding the
# `/* GraphQL */` operations the gateway and the commands send.
GRAPHQL_SCHEMAS := $(shell find platform subgraphs gateway -name '*.graphql' -not -path '*/generated/*' 2>/dev/null)
GRAPHQL_DOCUMENTS := $(shell grep -rl --include='*.ts' --exclude='*.test.ts' --exclude-dir=generated '/\* GraphQL \*/' gateway scripts bench 2>/dev/null)
# What it writes: each agency's schema and resolver types, the in-process subgraphs' too, and the operations' types.
GRAPHQL_AGENCIES := $(patsubst subgraphs/%/schema.graphql,%,$(wildcard subgraphs/*/schema.graphql))
GRAPHQL_TYPES := $(foreach s,$(GRAPHQL_AGENCIES:%=subgraphs/%/generated) gateway/generated/graphql/review gateway/generated/graphql/audit,$(s)/types.ts $(s)/resolvers.ts) \
	gateway/generated/graphql/operations.ts

.PHONY: start test layers lint lint-rego bench reliability mutation build install keys seed typecheck policy proto-types graphql-types policy-test clean

## start: install, build, seed the embedded databases if empty, run all five processes and a NATS server for the credit events
start: keys $(NATS_SERVER)
	$(NODE) dist/scripts/seed.js --size $(SIZE) --seed $(SEED) --if-empty
	MEG_SEED=$(SEED) MEG_SIZE=$(SIZE) MEG_NATS_SERVER=$(CURDIR)/$(NATS_SERVER) $(NODE) dist/scripts/start.js

## test: the whole suite, on real processes and the PostgreSQL server at 127.0.0.1:5432
test: layers lint build policy-test $(GRPCURL) $(NATS_SERVER) $(CHROMIUM)
	npx tsc -p tsconfig.json
	$(NODE) dist/scripts/checkDependencies.js
	MEG_OPA=$(CURDIR)/$(OPA) MEG_GRPCURL=$(CURDIR)/$(GRPCURL) MEG_NATS_SERVER=$(CURDIR)/$(NATS_SERVER) MEG_CHROMIUM=$(CHROMIUM) npx vitest run

## layers: the import directions between platform/, subgraphs/runtime, the agencies, the gateway and test/ (.dependency-cruiser.cjs); fails on a forbidden import or any cycle
layers: install proto-types graphql-types
	npx depcruise --config .dependency-cruiser.cjs --output-type err platform subgraphs gateway scripts bench test

## lint: ESLint with type-aware rules (eslint.config.js) and Prettier (prettier.config.js) over the code, opa fmt and opa check --strict over the Rego; fails on any finding
lint: install proto-types graphql-types lint-rego
	npx eslint --max-warnings 0 .
	npx prettier --check .

## bench: this gateway against plain Apollo Gateway and Hive Gateway (bench/run.ts); writes bench/results/latest.json
bench: build $(GHZ)
	MEG_GHZ=$(CURDIR)/$(GHZ) $(NODE) dist/bench/run.js

## reliability: the long attack battery, fuzzing and soak with faults (test/reliability/run.ts); prints the figures
reliability: build
	MEG_OPA=$(CURDIR)/$(OPA) $(NODE) dist/test/reliability/run.js

## mutation: StrykerJS over the security-critical modules' unit tests (stryker.config.mjs); prints the score per module and every survivor, fails under 80%
mutation: build
	npx stryker run
	$(NODE) dist/scripts/mutationScore.js

## seed: load SIZE enterprises into every agency database (PGlite, or PostgreSQL per DATABASE_URL_<AGENCY>)
seed: keys
	$(NODE) dist/scripts/seed.js --size $(SIZE) --seed $(SEED)

install: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## build: compile TypeScript and compose the supergraph (fails on a composition error or unclassified field)
build: install policy proto-types graphql-types
	npx tsc -p tsconfig.build.json
	$(NODE) dist/scripts/compose.js

## policy: compile the Rego policies to wasm (generated, never edited): the gateway's, and the agencies' linked response
policy: gateway/generated/policy.wasm $(RESPONSE_POLICY)

gateway/generated/policy.wasm: $(OPA) $(REGO)
	@mkdir -p gateway/generated
	$(OPA) build -t wasm $(POLICY_ENTRYPOINTS) --ignore '*_test.rego' policies -o gateway/generated/policy.tar.gz
	tar -xzf gateway/generated/policy.tar.gz -C gateway/generated /policy.wasm
	@touch $@

$(RESPONSE_POLICY): $(OPA) $(REGO)
	@mkdir -p $(dir $@)
	$(OPA) build -t wasm -e meg/response/response -e meg/response/subjects --ignore '*_test.rego' policies -o $(dir $@)response.tar.gz
	tar -xzf $(dir $@)response.tar.gz -C $(dir $@) /policy.wasm
	mv $(dir $@)policy.wasm $@
	@touch $@

## proto-types: TypeScript types of the gRPC contracts in protos/, by proto-loader-gen-types (generated, never edited)
proto-types: $(PROTO_TYPES)

$(PROTO_TYPES): $(PROTOS) node_modules/.installed
	rm -rf gateway/generated/proto
	npx proto-loader-gen-types $(PROTO_TYPE_OPTIONS) -I protos -O gateway/generated/proto $(PROTOS:protos/%=%)
	find gateway/generated/proto -name '*.ts' -exec sed -i '1i // Generated from protos/ by proto-loader-gen-types (make proto-types): never edit by hand.' {} +

## graphql-types: TypeScript types of the subgraphs' resolvers and of the operations the gateway and the commands send, by graphql-codegen from the GraphQL schemas (codegen.ts; generated, never edited)
graphql-types: $(GRAPHQL_TYPES)

# codegen.ts is loaded by jiti: JITI_FS_CACHE=false keeps its transpile cache out of node_modules.
$(GRAPHQL_TYPES) &: codegen.ts $(GRAPHQL_SCHEMAS) $(GRAPHQL_DOCUMENTS) node_modules/.installed
	rm -rf gateway/generated/graphql $(GRAPHQL_AGENCIES:%=subgraphs/%/generated)
	JITI_FS_CACHE=false npx graphql-codegen --config codegen.ts --silent

## policy-test: format, strict check and unit tests of the Rego policies
policy-test: lint-rego
	$(OPA) test policies

# The Rego's layout is opa fmt's (the difference is printed) and it passes the strict checks
# (unused imports and variables, deprecated built-ins, shadowed names).
lint-rego: $(OPA)
	$(OPA) fmt --fail --diff policies
	$(OPA) check --strict policies

$(OPA):
	GOBIN=$(CURDIR)/.tools/opa-$(OPA_VERSION) go install github.com/open-policy-agent/opa@$(OPA_VERSION)

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(GHZ):
	GOBIN=$(CURDIR)/.tools/ghz-$(GHZ_VERSION) go install github.com/bojand/ghz/cmd/ghz@$(GHZ_VERSION)

$(NATS_SERVER):
	GOBIN=$(CURDIR)/.tools/nats-server-$(NATS_SERVER_VERSION) go install github.com/nats-io/nats-server/v2@$(NATS_SERVER_VERSION)

$(GRPCURL):
	GOBIN=$(CURDIR)/.tools/grpcurl-$(GRPCURL_VERSION) go install github.com/fullstorydev/grpcurl/cmd/grpcurl@$(GRPCURL_VERSION)

## keys: the gateway's development signing key pair under .data/keys (never committed)
keys: build
	$(NODE) dist/scripts/keys.js

typecheck: install proto-types graphql-types
	npx tsc -p tsconfig.json

clean:
	rm -rf dist gateway/generated $(GRAPHQL_AGENCIES:%=subgraphs/%/generated)
