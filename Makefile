# kd2fpga: the two commands a new user needs are `make demo` and `make test`.

GO      ?= go
BIN     := bin/kd2fpga
DEMO    := build/demo
EXAMPLE := models/examples/deepset_kd/model.hcl

.PHONY: all build demo test bench fuzz models clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/kd2fpga

# demo scores the bundled distilled Deep Set student on fresh toy jets in
# float and in fixed point (the golden emulator), converts it to firmware,
# reports its latency and resources, and simulates it in every simulator
# that is installed (naming the others and how to install them).
demo: build
	@mkdir -p $(DEMO)
	$(BIN) jets --n 5000 --seed 4 --out $(DEMO)/jets.npz
	$(BIN) evaluate --model $(EXAMPLE) --data $(DEMO)/jets.npz
	$(BIN) convert --model $(EXAMPLE) --out $(DEMO)/deepset_kd --force
	$(BIN) report $(DEMO)/deepset_kd
	$(BIN) simulate $(DEMO)/deepset_kd --sim all

# test runs vet and the whole suite; fuzz targets run on their seed corpora.
test:
	$(GO) vet ./...
	$(GO) test -timeout 30m ./...

# models regenerates the trained example students, their teacher and
# docs/results.md from scratch with fixed seeds (four to eight minutes on
# two cores; the jets go to build/models).
models: build
	$(BIN) examples

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzCast -fuzztime 60s ./fixedpoint/

clean:
	rm -rf bin build
