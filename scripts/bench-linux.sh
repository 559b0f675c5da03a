#!/usr/bin/env bash
# bench-linux.sh [SCALE]: run user/bench.c as init on Debian's Linux kernel
# and on Tamix, under the same QEMU machine and CPU model, and print one
# table of both kernels' medians (make bench-linux; docs/performance.md).
#
#   1. Debian's kernel: linux-image-amd64 is a metapackage; the versioned
#      linux-image-*-amd64 it depends on (apt-cache depends) holds
#      /boot/vmlinuz-*, which `apt-get download` fetches. The extracted
#      vmlinuz is cached in $TAMIX_CACHE/linux (default
#      $HOME/.cache/tamix/linux), so later runs need no network until
#      Debian moves the metapackage to a new kernel.
#      LINUX_KERNEL=/path/to/bzImage uses another kernel.
#   2. An initramfs for Linux, made here: build/user/bench as /init and
#      build/user/hello as /hello (the program bench's fork_exec_wait runs,
#      at the same path as in Tamix's initramfs).
#   3. Linux boots on -machine microvm (its PVH/bzImage entry; the console
#      is the ISA serial port) with -accel tcg -cpu max -m 512M, the
#      machine Tamix uses; bench powers it off when it is done.
#   4. Tamix boots with ./qemu.sh --init /bench (TCG forced).
#   5. tests/benchcmp parses both console logs and prints the table.
#
# Each kernel boots RUNS times (default 1, alternating); a row's figure is
# the median of its per-boot medians. A boot that does not finish within
# BENCH_TIMEOUT seconds (default 180; both take under 10 s) is retried.
# Logs stay in build/bench-linux/.
# SCALE (1-16, default 1) multiplies bench's sample counts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scale=${1:-1}
runs=${RUNS:-1}
out=build/bench-linux
cache=${TAMIX_CACHE:-$HOME/.cache/tamix}/linux
qemu=${TAMIX_QEMU:-qemu-system-x86_64}
timeout=${BENCH_TIMEOUT:-180}
host_go=${GO:-go}
if ! command -v "$host_go" >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
	host_go=/usr/local/go/bin/go
fi

as_root() {
	if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi
}

# debian_kernel prints the path of the cached vmlinuz of the versioned
# kernel package that the metapackage linux-image-amd64 depends on,
# downloading it the first time (apt-cache reads the local package lists;
# an empty list is fetched with apt-get update).
debian_kernel() {
	local dir=$cache/dl pkg deb
	mkdir -p "$cache"
	pkg=$(resolve_kernel_package)
	if [[ -z $pkg ]]; then
		echo "bench-linux: no linux-image-amd64 in the package lists: apt-get update" >&2
		as_root apt-get update -q >&2
		pkg=$(resolve_kernel_package)
	fi
	[[ -n $pkg ]] || { echo "bench-linux: linux-image-amd64 depends on no kernel" >&2; return 1; }
	if [[ ! -f $cache/$pkg.vmlinuz ]]; then
		rm -rf "$dir" && mkdir -p "$dir"
		(cd "$dir" && apt-get download -q "$pkg" >&2)
		deb=$(ls "$dir"/"$pkg"_*.deb)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -O --wildcards './boot/vmlinuz-*' >"$cache/$pkg.vmlinuz.tmp"
		mv "$cache/$pkg.vmlinuz.tmp" "$cache/$pkg.vmlinuz"
		rm -rf "$dir"
	fi
	echo "$cache/$pkg.vmlinuz"
}

# resolve_kernel_package prints e.g. linux-image-6.1.0-56-amd64.
resolve_kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

# linux_initramfs writes a cpio "newc" archive with /init and /hello.
linux_initramfs() {
	local stage=$out/linux-initramfs.d
	rm -rf "$stage" && mkdir -p "$stage"
	cp build/user/bench "$stage/init"
	cp build/user/hello "$stage/hello"
	chmod 0755 "$stage" "$stage/init" "$stage/hello"
	(cd "$stage" && printf '%s\n' . hello init | cpio --quiet -o -H newc -R 0:0) >"$1"
}

# complete LOG: did bench get to its last line?
complete() { grep -q '^bench thread_create_join cycles' "$1"; }

# boot KIND LOG: one boot of run_KIND, tried up to three times: under TCG
# Linux 6.1 now and then hangs before its first console line (a boot
# that prints nothing in BENCH_TIMEOUT seconds), and a QEMU killed from
# outside loses its run. Fails if no try completes.
boot() {
	local try
	for try in 1 2 3; do
		"run_$1" "$2"
		complete "$2" && return 0
		echo "bench-linux: $1 boot $try did not finish bench ($2): $(tail -n 1 "$2")" >&2
	done
	return 1
}

run_linux() {
	timeout "$timeout" "$qemu" -machine microvm -accel tcg -cpu max -m 512M \
		-nographic -no-reboot -kernel "$kernel" -initrd "$out/linux.cpio" \
		-append "console=ttyS0 quiet panic=-1 rdinit=/init -- $scale" </dev/null >"$1" 2>&1 || true
}

run_tamix() {
	TAMIX_ACCEL=tcg ./qemu.sh --timeout "$timeout" --init /bench -- "$scale" </dev/null >"$1" 2>&1 || true
}

make kernel initramfs >&2
mkdir -p "$out"
kernel=${LINUX_KERNEL:-$(debian_kernel)}
echo "bench-linux: Linux kernel $kernel" >&2
linux_initramfs "$out/linux.cpio"
args=()
for ((i = 1; i <= runs; i++)); do
	for kind in tamix linux; do
		echo "bench-linux: run $i/$runs: $kind" >&2
		if boot $kind "$out/$kind-$i.log"; then
			args+=(-$kind "$out/$kind-$i.log")
		fi
	done
done
echo "Tamix $(git describe --always --dirty 2>/dev/null || echo '?') vs $(basename "$kernel" .vmlinuz)," \
	"$("$qemu" --version | head -n 1), -machine microvm -accel tcg -cpu max -m 512M, bench $scale"
env -u GOOS -u GOARCH "$host_go" run ./tests/benchcmp "${args[@]}"
