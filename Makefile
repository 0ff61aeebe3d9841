# kd2fpga: the two commands a new user needs are `make demo` and `make test`.

GO      ?= go
BIN     := bin/kd2fpga
DEMO    := build/demo
EXAMPLE := models/examples/deepset_small/model.hcl

.PHONY: all build demo test bench fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/kd2fpga

# demo converts the bundled Deep Set student to firmware, emulates it, and
# simulates it in every simulator that is installed (naming the others).
demo: build
	@mkdir -p $(DEMO)
	$(BIN) convert --model $(EXAMPLE) --out $(DEMO)/deepset_small --force
	$(BIN) simulate $(DEMO)/deepset_small --sim all

# test runs vet and the whole suite; fuzz targets run on their seed corpora.
test:
	$(GO) vet ./...
	$(GO) test -timeout 30m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzCast -fuzztime 60s ./fixedpoint/

clean:
	rm -rf bin build
