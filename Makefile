# bayboard: `make` (or `make help`) lists the targets.

GO   ?= go
ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help build run test generate pg pg-stop bench bench-quick fmt vet clean

help:
	@echo "Targets:"
	@echo "  make build        build bin/bayboard"
	@echo "  make run          build, start the private PostgreSQL, run the demo server (ARGS='...' adds flags)"
	@echo "  make test         everything CI runs: generate check, gofmt, vet, go test -race, browser tests"
	@echo "  make generate     go generate ./..."
	@echo "  make pg           start the private PostgreSQL (prints DATABASE_URL)"
	@echo "  make pg-stop      stop the private PostgreSQL"
	@echo "  make bench        full benchmarks (scripts/bench.sh full)"
	@echo "  make bench-quick  quick benchmarks (scripts/bench.sh quick)"
	@echo "  make fmt          gofmt the code"
	@echo "  make vet          go vet ./..."
	@echo "  make clean        remove bin/ (keeps the database in .pgdata/)"

build:
	$(GO) build -o bin/bayboard .

run: build
	bash scripts/run.sh $(ARGS)

test:
	bash scripts/test.sh

generate:
	$(GO) generate ./...

pg:
	bash scripts/pg.sh start

pg-stop:
	bash scripts/pg.sh stop

bench:
	@if [ -f scripts/bench.sh ]; then bash scripts/bench.sh full; else echo "no benchmarks yet"; fi

bench-quick:
	@if [ -f scripts/bench.sh ]; then bash scripts/bench.sh quick; else echo "no benchmarks yet"; fi

fmt:
	$(GO) fmt ./...

vet:
	$(GO) vet ./...

clean:
	rm -rf bin/
