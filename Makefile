# The two commands a user needs: `make serve` (the trainer on localhost) and
# `make test` (every test: native, WebAssembly under Node.js, and the browser).

GO       ?= go
GOROOT   := $(shell $(GO) env GOROOT)
WASMEXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
CACHE    := $(CURDIR)/.cache
# Losses of a fixed-seed run, written natively and compared bit for bit in WebAssembly.
DETERMINISM := $(CACHE)/determinism-losses.txt

.PHONY: test test-native test-wasm bench train

test: test-native test-wasm

test-native:
	$(GO) vet ./...
	$(GO) test ./...
	@mkdir -p $(CACHE) && rm -f $(DETERMINISM)
	LWF_DETERMINISM_OUT=$(DETERMINISM) $(GO) test -count=1 -run '^TestDeterministicLosses$$' ./core/train/

# WebAssembly: the core's tests again, compiled with GOOS=js GOARCH=wasm and run by
# Node.js through Go's own go_js_wasm_exec. CI sets REQUIRE_WASM=1 so that a missing
# Node.js fails instead of skipping.
test-wasm:
	@if command -v node >/dev/null 2>&1; then \
	  echo "GOOS=js GOARCH=wasm go test ./core/..."; \
	  GOOS=js GOARCH=wasm LWF_DETERMINISM_IN=$(DETERMINISM) $(GO) test -exec=$(WASMEXEC) ./core/...; \
	else \
	  echo "SKIPPED: the WebAssembly tests need Node.js, which is not installed"; \
	  test -z "$$REQUIRE_WASM"; \
	fi

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3s ./core/...

# A short MNIST demo of DRTP natively: 784-500-10, three epochs.
train:
	$(GO) run ./tools/train --dataset MNIST --train-mode DRTP --topology FC_500_FC_10 --lr 1e-3 --fc-zero-init --epochs 3
