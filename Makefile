# Makefile for Tamix.
#
#   make / make kernel   build build/tamix.elf
#   make toolchain       build (once, then cached) the GOOS=tamago Go toolchain
#   make run             build the kernel and boot it to a busybox shell: make run ARGS='-- tamix.test=all'
#   make bench           run user/bench.c on Tamix (TSC cycles of system calls, faults, ...)
#   make trace           run the demo with tracing on: build/trace.{txt,json,svg}
#   make fuzz            the 'fuzz' suite: 10^6 random calls from 8 processes, counters
#                        before and after, then again with the next seed:
#                        make fuzz FUZZ=SEED,CALLS,WORKERS[,NAME+NAME]
#   make bench-linux     run it on Debian's Linux kernel and on Tamix, print one table
#   make debug           boot like make run, stopped, with gdb attached (docs/debugging.md)
#   make test            host unit tests, then the kernel, then the QEMU boot tests
#   make vet             gofmt check and go vet of the host-buildable packages
#   make clean           remove build/
#
# TAMAGO=/path/to/bin/go make ...   uses that GOOS=tamago toolchain instead of
#                                   the one toolchain/build.sh builds.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := kernel
.DELETE_ON_ERROR:

# ---------------------------------------------------------------------------
# Toolchains

# The host's Go, for unit tests and vet. GOOS/GOARCH are cleared so that an
# exported GOOS=tamago cannot leak into host builds.
GO ?= go
HOST_GO := env -u GOOS -u GOARCH $(GO)

# The GOOS=tamago toolchain's go command. When empty, toolchain/build.sh
# builds it or finds it in its cache, and prints its path as the last line.
TAMAGO ?=

# ---------------------------------------------------------------------------
# The kernel

KERNEL := build/tamix.elf
KERNEL_PKG := ./cmd/tamix
# linkcpuinit, linkramstart: Tamix's boot/ provides cpuinit and RamStart
# instead of tamago's amd64 package.
KERNEL_TAGS := linkcpuinit,linkramstart
# -T: address of the text segment, -R: segment rounding.
KERNEL_LDFLAGS := -T 0x1010000 -R 0x1000
KERNEL_GOFLAGS :=
KERNEL_ENV := GOOS=tamago GOARCH=amd64 GOOSPKG=github.com/usbarmory/tamago GOTOOLCHAIN=local

# The kernel is rebuilt when a Go or assembly file of the kernel changes,
# when go.mod/go.sum change, or (with the built-in toolchain) when the port
# in toolchain/ changes.
KERNEL_DIRS := abi boot kernel cmd arch mm proc sched syscall fs drivers lib
KERNEL_SRCS := $(shell find $(wildcard $(KERNEL_DIRS)) \
	\( -name '*.go' -o -name '*.s' \) -not -name '*_test.go' 2>/dev/null)
TOOLCHAIN_SRCS := $(if $(TAMAGO),,$(shell find toolchain -type f 2>/dev/null))

# The user programs and the initramfs (user/user.mk).
include user/user.mk

.PHONY: kernel
kernel: $(KERNEL)

$(KERNEL): $(KERNEL_SRCS) go.mod $(wildcard go.sum) $(TOOLCHAIN_SRCS)
	@mkdir -p $(@D)
	@tamago='$(TAMAGO)'; \
	if [ -z "$$tamago" ]; then \
		out=$$(bash toolchain/build.sh); \
		tamago=$$(printf '%s\n' "$$out" | tail -n 1); \
	fi; \
	if [ ! -x "$$tamago" ]; then \
		echo "make: no GOOS=tamago go command at '$$tamago'" >&2; exit 1; \
	fi; \
	set -x; \
	env $(KERNEL_ENV) "$$tamago" build -tags $(KERNEL_TAGS) $(KERNEL_GOFLAGS) \
		-ldflags "$(KERNEL_LDFLAGS)" -o $@ $(KERNEL_PKG)

.PHONY: toolchain
toolchain:
	bash toolchain/build.sh

# ---------------------------------------------------------------------------
# Running

# Extra arguments for qemu.sh, e.g. make run ARGS='--smp 2 -- tamix.test=all'.
ARGS ?=

.PHONY: run
run: kernel initramfs
	./qemu.sh --initrd $(INITRAMFS) $(if $(ARGS),$(ARGS),-- init=/bin/sh -- /etc/init.sh)

# Benchmarks: user/bench.c run as the first process; the same binary runs
# on Linux (build/user/bench) for comparison.
.PHONY: bench
bench: kernel initramfs
	./qemu.sh --initrd $(INITRAMFS) -- init=/bench
	./qemu.sh --initrd $(INITRAMFS) -- init=/yieldbench -- 20000

# Tracing (docs/tracing.md): the demo with tracepoints on; the ftrace text
# comes out of COM2 at power off, cmd/tamix-trace checks it and draws it.
# make trace ARGS='-- trace_event=sched:* init=/forktest' traces another run.
TRACE_OUT := build/trace

.PHONY: trace
trace: kernel initramfs
	./qemu.sh --initrd $(INITRAMFS) --trace $(TRACE_OUT).txt $(if $(ARGS),$(ARGS),-- init=/demo)
	$(HOST_GO) run ./cmd/tamix-trace all $(TRACE_OUT).txt $(TRACE_OUT)
	@echo "make: wrote $(TRACE_OUT).txt (ftrace text), $(TRACE_OUT).json (Perfetto), $(TRACE_OUT).svg"

# The fuzzer (user/fuzz.c) as the in-guest suite 'fuzz' (kernel/fuzztest):
# seed, calls, workers and optionally the only calls to make; the second
# run uses the seed after SEED.
FUZZ ?= 1,1000000,8

.PHONY: fuzz
fuzz: kernel initramfs
	./qemu.sh --initrd $(INITRAMFS) -- tamix.test=fuzz tamix.fuzz=$(FUZZ)

# The same bench binary as init on Debian's linux-image-amd64 kernel
# (downloaded with apt-get, cached) and on Tamix, same QEMU machine and CPU
# model; one table of medians and ratios. SCALE multiplies the sample
# counts, RUNS boots each kernel that many times (docs/performance.md).
SCALE ?= 1
RUNS ?= 1
.PHONY: bench-linux
bench-linux: kernel initramfs
	RUNS=$(RUNS) GO='$(GO)' bash scripts/bench-linux.sh $(SCALE)

# ---------------------------------------------------------------------------
# Tests

# go list templates. A package "builds for the host" when the host's go
# can load it and all its imports (packages that need tamago's runtime/goos
# cannot). toolchain/ holds the Go port's own sources and is left out.
HOST_PKG := {{if not .Incomplete}}{{.ImportPath}}{{end}}
HOST_TEST_PKG := {{if and (not .Incomplete) (or .TestGoFiles .XTestGoFiles)}}{{.ImportPath}}{{end}}
GUEST_TEST_PKG := {{if and .Incomplete (or .TestGoFiles .XTestGoFiles)}}{{.ImportPath}}{{end}}
NOT_TOOLCHAIN := { grep -v -e '/toolchain$$' -e '/toolchain/' || true; }

# The package of boot tests, which need a kernel and QEMU.
BOOT_TEST_PKG := ./tests

.PHONY: test host-test boot-test
test: host-test boot-test

# Unit tests of every host-buildable package with tests, except the boot
# tests.
host-test:
	@module=$$($(HOST_GO) list -m); \
	pkgs=$$($(HOST_GO) list -e -f '$(HOST_TEST_PKG)' ./... | $(NOT_TOOLCHAIN) | \
		{ grep -v -x -e "$$module/tests" || true; }); \
	other=$$($(HOST_GO) list -e -f '$(GUEST_TEST_PKG)' ./... | $(NOT_TOOLCHAIN)); \
	for p in $$other; do echo "make: not host-buildable, tests skipped: $$p"; done; \
	if [ -z "$$pkgs" ]; then echo "make: no host unit tests"; exit 0; fi; \
	set -x; \
	$(HOST_GO) test -count=1 $$pkgs

# Boot tests: build the kernel and the initramfs, boot under QEMU, read
# the console.
boot-test: kernel initramfs
	$(HOST_GO) test -count=1 -v $(BOOT_TEST_PKG)

.PHONY: vet
vet:
	@files=$$(find . \( -path ./build -o -path ./.git \) -prune -o -name '*.go' -print); \
	bad=$$(if [ -n "$$files" ]; then gofmt -l $$files; fi); \
	if [ -n "$$bad" ]; then echo "make: not gofmt-ed:" $$bad >&2; exit 1; fi; \
	pkgs=$$($(HOST_GO) list -e -f '$(HOST_PKG)' ./... | $(NOT_TOOLCHAIN)); \
	set -x; \
	$(HOST_GO) vet $$pkgs

# ---------------------------------------------------------------------------

.PHONY: clean
clean:
	rm -rf build

# ---------------------------------------------------------------------------
# Debugging (docs/debugging.md)

# make debug boots like make run (same ARGS), but QEMU starts stopped with
# its gdb stub on GDB_PORT, and gdb attaches with the kernel's symbols and
# scripts/gdb loaded. QEMU gets a session of its own so that Ctrl-C in gdb
# stops the guest instead of ending QEMU; the serial console shares the
# terminal. Quitting gdb ends QEMU.
GDB ?= gdb
GDB_PORT ?= $(or $(TAMIX_GDB_PORT),1234)

.PHONY: debug
debug: kernel initramfs
	@qemu=; \
	trap '[ -z "$$qemu" ] || kill -- -$$qemu 2>/dev/null || true' EXIT; \
	TAMIX_GDB_PORT=$(GDB_PORT) setsid ./qemu.sh --gdb --initrd $(INITRAMFS) \
		$(if $(ARGS),$(ARGS),-- init=/hello) </dev/null & qemu=$$!; \
	TAMIX_GDB_PORT=$(GDB_PORT) $(GDB) -q -iex 'set auto-load python-scripts off' \
		-x scripts/gdb/tamix-gdbinit $(KERNEL)
