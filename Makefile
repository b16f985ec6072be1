# The two commands a user needs: `make serve` (the trainer on localhost) and
# `make test` (every test: native, WebAssembly under Node.js, and the browser).

GO       ?= go
GOROOT   := $(shell $(GO) env GOROOT)
WASMEXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
# The page's build: Go 1.27's 128-bit SIMD (simd/archsimd) in the WebAssembly
# kernels. The go command fetches that toolchain through the module proxy on first
# use. Native builds need nothing of it: on amd64 the kernels are Go assembly, chosen
# at run time from the CPU. Every build gives the same bits; make test checks so.
FAST     := GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
FASTEXEC  = $(shell $(FAST) $(GO) env GOROOT)/lib/wasm/go_js_wasm_exec
CACHE    := $(CURDIR)/.cache
# Losses of a fixed-seed run, written natively and compared bit for bit in WebAssembly.
DETERMINISM := $(CACHE)/determinism-losses.txt

.PHONY: all dist serve lint test test-native test-fuzz test-wasm test-arm64 test-browser bench train soak clean reproduce nag-adam

# The site: a self-contained static folder that works from any host or subfolder.
# It is built in $(DIST).part and replaces $(DIST) only when whole. On first use the
# go command fetches the go1.27.3 toolchain and the modules through the Go module
# proxy, and tools/mnist fetches MNIST into the user's cache folder (MNIST=FOLDER
# takes the four .gz files from a folder instead).
DIST     := dist
MNIST    ?=
NOFETCH   = echo "make: nothing in $(DIST)/ was changed. The go command fetches the go1.27.3 toolchain and the modules of go.mod through the Go module proxy (GOPROXY=$$($(GO) env GOPROXY)); the lines above say what it could not fetch." >&2

all: dist

dist:
	@rm -rf $(DIST).part && mkdir -p $(DIST).part/data
	@mkdir -p $(CACHE) && $(GO) build -o $(CACHE)/mnist ./tools/mnist
	@$(CACHE)/mnist --page $(DIST).part/data $(if $(MNIST),--data $(MNIST)) >/dev/null || { rm -rf $(DIST).part; echo "make: nothing in $(DIST)/ was changed." >&2; exit 1; }
	@echo "building $(DIST)/lwf.wasm (GOOS=js GOARCH=wasm $(FAST))"
	@GOOS=js GOARCH=wasm $(FAST) $(GO) build -trimpath -ldflags='-s -w' -o $(DIST).part/lwf.wasm ./wasm/app || { rm -rf $(DIST).part; $(NOFETCH); exit 1; }
	@cp $$($(FAST) $(GO) env GOROOT)/lib/wasm/wasm_exec.js $(DIST).part/
	@cp site/* $(DIST).part/
	@build=$$(cat $(DIST).part/*.* | sha256sum | cut -c1-12) && sed -i "s/lwf-BUILD/lwf-$$build/" $(DIST).part/sw.js $(DIST).part/main.js
	@chmod -R u+w $(DIST).part && rm -rf $(DIST) && mv $(DIST).part $(DIST)
	@echo "Built $(DIST)/: $$(du -sh $(DIST) | cut -f1)"

# The trainer on http://localhost:8080 (another address: make serve ADDR=localhost:9000).
ADDR ?= localhost:8080
serve: dist
	$(GO) run ./tools/serve --dir $(DIST) --addr $(ADDR)

clean:
	rm -rf $(DIST) $(DIST).part $(CACHE)

# The craft CI keeps before any test runs: formatting (gofmt), go vet and
# staticcheck (pinned by the tool line in go.mod), natively and for the page's
# js/wasm build. Each must find nothing.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt -l: these files are not formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./core/... ./wasm/...
	GOARCH=arm64 $(GO) vet ./core/...
	@mkdir -p $(CACHE) && $(GO) build -o $(CACHE)/staticcheck honnef.co/go/tools/cmd/staticcheck
	$(CACHE)/staticcheck ./...
	GOOS=js GOARCH=wasm $(CACHE)/staticcheck ./core/... ./wasm/...

test: test-native test-fuzz test-wasm test-arm64 test-browser

test-native:
	$(GO) vet ./...
	$(GO) test ./...
	@mkdir -p $(CACHE) && rm -f $(DETERMINISM)
	LWF_DETERMINISM_OUT=$(DETERMINISM) $(GO) test -count=1 -run '^TestDeterministicLosses$$' ./core/train/
	@echo "the page's toolchain (Go 1.27, GOEXPERIMENT=simd), natively:"
	$(FAST) $(GO) vet ./core/... ./wasm/...
	LWF_DETERMINISM_IN=$(DETERMINISM) $(FAST) $(GO) test ./core/... ./wasm/...

# A short run of every fuzz target (their seed corpora also run in go test): any
# input gives a result or an error, never a panic, a hang or an absurd allocation.
FUZZ := core/nn:FuzzParseTopology core/nn:FuzzConfig core/data:FuzzParseIDXPair core/data:FuzzReadCIFAR \
	core/netfile:FuzzRead wasm/urlstate:FuzzParseQuery
FUZZTIME ?= 3000x
test-fuzz:
	@for t in $(FUZZ); do \
	  echo "fuzz $${t#*:} ($(FUZZTIME))"; \
	  mkdir -p $(CACHE); \
	  $(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) ./$${t%%:*}/ > $(CACHE)/fuzz.log 2>&1 || { cat $(CACHE)/fuzz.log; exit 1; }; \
	done

# WebAssembly: the core's tests again, compiled with GOOS=js GOARCH=wasm and run by
# Node.js through Go's own go_js_wasm_exec. CI sets REQUIRE_WASM=1 so that a missing
# Node.js fails instead of skipping.
test-wasm:
	GOOS=js GOARCH=wasm $(GO) vet ./core/... ./wasm/...
	@if command -v node >/dev/null 2>&1; then \
	  echo "GOOS=js GOARCH=wasm go test ./core/... (plain, then SIMD)"; \
	  GOOS=js GOARCH=wasm LWF_DETERMINISM_IN=$(DETERMINISM) $(GO) test -exec=$(WASMEXEC) ./core/... && \
	  GOOS=js GOARCH=wasm LWF_DETERMINISM_IN=$(DETERMINISM) $(FAST) $(GO) test -exec=$(FASTEXEC) ./core/...; \
	else \
	  echo "SKIPPED: the WebAssembly tests need Node.js, which is not installed"; \
	  test -z "$$REQUIRE_WASM"; \
	fi

# The core on arm64 (Apple-silicon laptops, arm servers) under qemu-user's
# qemu-aarch64 (Debian's package qemu-user): every kernel set (NEON and plain) at
# every thread count the tests try, and the losses of the native run bit for bit.
QEMU ?= qemu-aarch64
test-arm64:
	@if command -v $(QEMU) >/dev/null 2>&1; then \
	  echo "GOARCH=arm64 go test ./core/... under $(QEMU)"; \
	  GOARCH=arm64 LWF_DETERMINISM_IN=$(DETERMINISM) $(GO) test -exec=$(QEMU) ./core/...; \
	else \
	  echo "SKIPPED: the arm64 tests need $(QEMU) (Debian's qemu-user), which is not installed"; \
	  test -z "$$REQUIRE_ARM64"; \
	fi

# The page in real browsers: Debian's Chromium driven by chromedp, Firefox ESR (WebDriver BiDi) and
# WebKitGTK (WebKitWebDriver, under Xvfb) against dist/.
# Skipped, with a message, where no Chromium is installed; CI sets REQUIRE_BROWSER=1.
test-browser: dist
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || test -n "$$CHROMIUM"; then \
	  echo "browser tests (Chromium through chromedp; Firefox and WebKit through WebDriver, skipped where not installed unless REQUIRE_BROWSER is set)"; \
	  LWF_BROWSER=1 $(GO) test -count=1 -timeout 30m ./tools/browsertest/; \
	else \
	  echo "SKIPPED: the browser tests need Chromium (apt-get install chromium), which is not installed"; \
	  test -z "$$REQUIRE_BROWSER"; \
	fi

# Training speed side by side: native, in Chromium, TensorFlow.js and PyTorch; then
# the page's budgets (first step, longest main-thread task, 90% after Play), opening
# it five times in a fresh Chromium. The tables go to BENCHMARKS.md.
# A long run in Chromium: 20 minutes of training, watching the memory of the page
# and its worker and their live callbacks (make test runs 2 minutes of it).
soak: dist
	LWF_BROWSER=1 LWF_SOAK=20m $(GO) test -count=1 -v -timeout 40m -run '^TestSoak$$' ./tools/browsertest/

bench: dist
	$(GO) run ./tools/bench --out BENCHMARKS.md

# A short MNIST demo of DRTP natively: 784-500-10, three epochs.
train:
	$(GO) run ./tools/train --dataset MNIST --train-mode DRTP --topology FC_500_FC_10 --lr 1e-3 --fc-zero-init --epochs 3

# The paper's MNIST FC rows by the reproduction's protocol (docs/reproduction.md): for
# each row, the two stages of the selection on the validation split, then 10 trials of
# the chosen settings on the whole training set, and the table. It resumes where it
# stopped: each stage's runs leave markers, and sweep select writes the same next stage
# from the same results. A selection's run that diverged (status 1) ranks last; sweep
# select stops the pipeline on any other failure. ROWS=FC_500_FC_10 for one row; JOBS
# runs at once.
ROWS    ?= FC_500_FC_10 FC_1000_FC_10 FC_500_FC_500_FC_10 FC_1000_FC_1000_FC_10
JOBS    ?= 2
RESULTS := results/mnist
SWEEP    = $(CACHE)/sweep
reproduce:
	@mkdir -p $(CACHE) && $(GO) build -o $(SWEEP) ./tools/sweep
	@set -e; for row in $(ROWS); do \
	  d=$(RESULTS)/$$row; mkdir -p $$d; \
	  $(SWEEP) run sweeps/select-mnist.sweep --topology $$row --out $$d/select-1 --jobs $(JOBS) || [ $$? -eq 1 ]; \
	  $(SWEEP) select sweeps/select-mnist.sweep --topology $$row --out $$d/select-1 --keep 4 --per optimizer --next sweeps/select-mnist-2.base > $$d/select-2.sweep.part; \
	  mv $$d/select-2.sweep.part $$d/select-2.sweep; \
	  $(SWEEP) run $$d/select-2.sweep --out $$d/select-2 --jobs $(JOBS) || [ $$? -eq 1 ]; \
	  $(SWEEP) select $$d/select-2.sweep --out $$d/select-2 --keep 1 --next sweeps/final-mnist.base > $$d/final.sweep.part; \
	  mv $$d/final.sweep.part $$d/final.sweep; \
	  $(SWEEP) run $$d/final.sweep --out $$d/final --jobs $(JOBS); \
	done
	$(SWEEP) report $(addprefix $(RESULTS)/,$(addsuffix /final,$(ROWS))) > $(RESULTS)/report.md
	@echo "make reproduce: the table is in $(RESULTS)/report.md, the curves beside each row's runs"

# Does DFA fall behind FA under NAG, as in the paper, and not under Adam? The best NAG
# and the best Adam settings of DFA and FA in stage 2 of a row's selection (make
# reproduce runs it first), 3 trials of 100 epochs each, on 784-500-10 and
# 784-1000-1000-10.
NAGADAM ?= FC_500_FC_10 FC_1000_FC_1000_FC_10
nag-adam:
	@mkdir -p $(CACHE) && $(GO) build -o $(SWEEP) ./tools/sweep
	@set -e; for row in $(NAGADAM); do \
	  d=$(RESULTS)/$$row; \
	  $(SWEEP) select $$d/select-2.sweep --out $$d/select-2 --rules DFA,FA --per optimizer --keep 1 --next sweeps/nag-adam.base > $$d/nag-adam.sweep.part; \
	  mv $$d/nag-adam.sweep.part $$d/nag-adam.sweep; \
	  $(SWEEP) run $$d/nag-adam.sweep --out $$d/nag-adam --jobs $(JOBS) || [ $$? -eq 1 ]; \
	done
	$(SWEEP) report $(addprefix $(RESULTS)/,$(addsuffix /nag-adam,$(NAGADAM))) > $(RESULTS)/nag-adam.md
	@echo "make nag-adam: the table is in $(RESULTS)/nag-adam.md"
