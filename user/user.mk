# user.mk: Tamix's user-space programs and the initramfs that carries them.
#
# Included by the top-level Makefile; it also works on its own, from the
# repository root:
#
#   make -f user/user.mk                  build build/user/* and build/initramfs.cpio
#   make -f user/user.mk user-linux-test  run the programs on this Linux host and
#                                         check their results (fault signals,
#                                         badptr's and abuse's errnos, xmm, hello,
#                                         bench, the KTAP suites, gotest)
#   make -f user/user.mk user-clean       remove what this file builds
#
# Each program is one C file, user/NAME.c, built into build/user/NAME as a
# static x86-64 Linux executable with Debian's musl-gcc (package
# musl-tools). The programs follow the Linux ABI only, so the same binary
# runs on Tamix and on Linux. user/tamix_test.h holds their shared helpers,
# user/ktap.h the KTAP reporting and case runner of the test suites,
# user/kid.h the fork, reap and sleep helpers of sigtest and threadtest.
#
# user/gotest/ is a Go program, a module of its own (its go.mod keeps it out
# of the kernel's module `tamix`, so `go vet ./...` at the top does not see
# it), built by the host's go as a static Linux executable, build/user/gotest:
# CGO_ENABLED=0 GOOS=linux GOARCH=amd64, -trimpath and -buildvcs=false so the
# same sources and toolchain give the same binary. GOTOOLCHAIN=local: the
# host's go, never one downloaded for the go line of go.mod.
#
# build/initramfs.cpio is a cpio "newc" archive (what QEMU's -initrd passes
# and fs/initramfs unpacks) holding every program at the root, /NAME,
# mode 0755, the tree of user/rootfs and /bin from busybox, owner root,
# mtime 0, names sorted: the same inputs give the same archive byte for
# byte.

USER_PROGS := abuse badptr bench demo fault forktest fuzz hello hog proctest sigtest spin threadtest tracectl ttytest vfstest xmm yieldbench
USER_GO_PROGS := gotest

USER_CC ?= musl-gcc
USER_CFLAGS ?= -static -O2 -Wall -Wextra
USER_BUILD := build/user
USER_BINS := $(addprefix $(USER_BUILD)/,$(USER_PROGS))
USER_HEADERS := user/tamix_test.h user/ktap.h user/kid.h
USER_GO_BINS := $(addprefix $(USER_BUILD)/,$(USER_GO_PROGS))
USER_ALL := $(USER_PROGS) $(USER_GO_PROGS)
USER_ALL_BINS := $(USER_BINS) $(USER_GO_BINS)
GO ?= go

# user/rootfs/ is copied into the image as it is (/etc/init.sh, the
# init script of `make run`; /etc/profile; /root), and scripts/busybox.sh
# adds Debian's busybox-static as /bin/busybox with a link per applet.
USER_ROOTFS_FILES := $(shell find user/rootfs -type f 2>/dev/null)

INITRAMFS := build/initramfs.cpio
INITRAMFS_STAGE := build/initramfs.d

.PHONY: user initramfs user-linux-test user-clean
user: $(USER_ALL_BINS) $(INITRAMFS)
initramfs: $(INITRAMFS)

.DELETE_ON_ERROR:

$(USER_BUILD)/%: user/%.c $(USER_HEADERS)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $<

# fuzz's workers and children may run with a bad FS base (random
# clone(CLONE_SETTLS) and arch_prctl(ARCH_SET_FS)): no stack-protector
# canary, which is read through %fs.
$(USER_BUILD)/fuzz: USER_CFLAGS += -fno-stack-protector

$(USER_BUILD)/gotest: $(wildcard user/gotest/*.go) user/gotest/go.mod
	@mkdir -p $(@D)
	cd user/gotest && env CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOTOOLCHAIN=local \
		$(GO) build -trimpath -buildvcs=false -o $(CURDIR)/$@ .

# The staging directory is rebuilt from scratch each time, so a program
# removed from USER_PROGS leaves the archive too. GNU cpio's --reproducible
# (2.12 and later) renumbers inodes and zeroes device numbers.
$(INITRAMFS): $(USER_ALL_BINS) user/user.mk scripts/busybox.sh $(USER_ROOTFS_FILES)
	rm -rf $(INITRAMFS_STAGE)
	mkdir -p $(INITRAMFS_STAGE)
	cp $(USER_ALL_BINS) $(INITRAMFS_STAGE)/
	cp -R user/rootfs/. $(INITRAMFS_STAGE)/
	rm -f $(INITRAMFS_STAGE)/root/.keep
	bash scripts/busybox.sh $(INITRAMFS_STAGE)
	chmod 0755 $(INITRAMFS_STAGE) $(addprefix $(INITRAMFS_STAGE)/,$(USER_ALL))
	find $(INITRAMFS_STAGE) -exec touch -h -d @0 {} +
	repro=; case "$$(cpio --help 2>/dev/null)" in *--reproducible*) repro=--reproducible;; esac; \
	cd $(INITRAMFS_STAGE) && \
	find . | LC_ALL=C sort | \
	cpio --quiet -o -H newc -R 0:0 $$repro > $(CURDIR)/$@.tmp
	mv $@.tmp $@

user-linux-test: $(USER_ALL_BINS)
	sh user/linux-check.sh $(USER_BUILD)

user-clean:
	rm -rf $(USER_BUILD) $(INITRAMFS_STAGE) $(INITRAMFS) $(INITRAMFS).tmp
