# faultline: make demo (see it work), make test (what CI runs).
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := bin/faultline
MOTO_PIN  := moto[server]==5.2.1

.PHONY: build static test unit integration fuzz demo bench bench-flows policy check-moto html-check clean
# A count of executions, not a duration: Go 1.26's fuzzer can fail a
# duration run with "context deadline exceeded" when it ends mid-execution
# (golang/go#75804, fixed in Go 1.27).
FUZZTIME  ?= 20000x

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/faultline

# The binary the Dockerfile builds: static, no cgo.
static:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/faultline-static ./cmd/faultline

check-moto:
	@python3 -c 'import moto, flask' 2>/dev/null || { \
		echo "moto is not installed: pip install '$(MOTO_PIN)'"; exit 1; }

# Everything: vet, unit tests with the race detector, integration tests
# against moto (started by the tests themselves on a free loopback port).
test: check-moto
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

unit:
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /integration)

integration: check-moto
	$(GO) test -count=1 -v ./integration/...

# minimal_iam_policy.json is `faultline policy` for every service; a test
# fails when it drifts from the analysers' declared actions.
policy:
	$(GO) run ./cmd/faultline policy > minimal_iam_policy.json.tmp && mv minimal_iam_policy.json.tmp minimal_iam_policy.json

# Builds the binary, starts moto with a sample estate, runs a real scan and
# shows the results.
demo: check-moto build
	$(GO) build -o bin/faultline-demo ./tools/demo
	bin/faultline-demo -bin $(BIN)

# A short run of every fuzz target (go test -fuzz takes one target a run).
fuzz:
	@set -e; for t in FuzzNormaliseArgs FuzzSplitList FuzzParseShard FuzzReadAccountsFile; do \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./cmd/faultline; done; \
	for t in FuzzAccountID FuzzBucketName FuzzEventBusARN FuzzExternalID FuzzRegionName FuzzRoleName; do \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./internal/inputs; done; \
	for t in $$($(GO) test -list '^Fuzz' ./flows | grep '^Fuzz'); do \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./flows; done; \
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./mutelist

# Record-and-replay benchmark of the real binary (bench/README.md).
bench: check-moto build
	$(GO) run ./bench -bin $(BIN)

# faultline flows on one core over a generated 10-million-record log
# (bench/README.md); about 2 minutes and 1.2 GB of temporary disk.
bench-flows: check-moto build
	$(GO) run ./bench/flows -bin $(BIN) -repeat 3

# The scan's HTML page (--format html) for fixed sample rows, rendered in
# headless Chromium to bin/report.png (apt-get install -y chromium). Not in CI.
CHROMIUM  ?= $(shell command -v chromium chromium-browser google-chrome 2>/dev/null | head -1)
html-check:
	@test -n "$(CHROMIUM)" || { echo "html-check needs chromium (apt-get install -y chromium)"; exit 1; }
	@mkdir -p bin
	$(GO) run ./tools/htmlsample bin/report.html
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1600 \
		--screenshot=$(CURDIR)/bin/report.png file://$(CURDIR)/bin/report.html
	@echo "html-check: bin/report.html rendered to bin/report.png"

clean:
	rm -rf bin output .demo
