#!/usr/bin/env bash
# busybox.sh STAGE: install Debian's busybox-static into the initramfs
# staging directory STAGE: STAGE/bin/busybox and a symbolic link
# STAGE/bin/APPLET -> busybox for every applet it lists.
#
# The package is fetched with `apt-get download busybox-static` (after an
# `apt-get update` if the first try fails, as root or through sudo) and
# cached as $HOME/.cache/tamix/busybox/busybox-static.deb; dpkg-deb
# extracts it. TAMIX_BUSYBOX_DEB=FILE uses that .deb instead.
set -euo pipefail

stage=${1:?usage: busybox.sh STAGE}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/tamix/busybox
deb=${TAMIX_BUSYBOX_DEB:-$cache/busybox-static.deb}

say() { echo "busybox.sh: $*" >&2; }

as_root() {
	if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi
}

# fetch downloads the package into the cache.
fetch() {
	local tmp
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/dl.XXXXXX")
	# apt-get download writes into the current directory.
	if ! (cd "$tmp" && apt-get download -q busybox-static >&2); then
		say "apt-get download failed; running apt-get update first"
		as_root apt-get update -q >&2
		(cd "$tmp" && apt-get download -q busybox-static >&2)
	fi
	mv "$tmp"/busybox-static_*.deb "$deb"
	rm -rf "$tmp"
}

[[ -f $deb ]] || fetch
x=$(mktemp -d "${TMPDIR:-/tmp}/busybox-x.XXXXXX")
trap 'rm -rf "$x"' EXIT
dpkg-deb -x "$deb" "$x"
bb=$x/bin/busybox
[[ -x $bb ]] || { say "no bin/busybox in $deb"; exit 1; }

mkdir -p "$stage/bin"
cp "$bb" "$stage/bin/busybox"
chmod 0755 "$stage/bin/busybox"
# The applet list comes from the binary itself (it is a static x86-64
# Linux program, so it runs on the build host too).
"$bb" --list | while read -r applet; do
	[[ $applet == busybox || -e $stage/bin/$applet ]] || ln -s busybox "$stage/bin/$applet"
done
say "$("$bb" | head -n 1 | cut -c1-60): $(ls "$stage/bin" | wc -l) files in $stage/bin"
