#!/bin/sh
# linux-check.sh DIR: runs the user programs built into DIR on this Linux
# host and checks that they behave as their comments say. This pins down
# what Linux does, which is what Tamix must do with the same binaries:
#
#   - fault KIND dies with Linux's signal (the shell's 128+signal status);
#   - badptr's every check passes (Linux's exact errnos);
#   - hello prints "hello from ring 3" and exits 0;
#   - two xmm processes with different values run at once and both keep
#     their registers;
#   - bench prints its thirteen measurement lines and the fork ratio;
#   - spin spins for the time asked and reports its nice value; two spins
#     at nice 0 and 5 sharing one CPU count loops about 1024:335;
#   - yieldbench prints one line per task;
#   - abuse's KTAP cases (the regressions of issue 13) all pass;
#   - forktest's KTAP cases all pass or skip, as an ordinary process and,
#     where unshare(1) works (root), as PID 1 of a new PID namespace, as
#     root and as user nobody (whom RLIMIT_NPROC binds);
#   - ttytest's KTAP cases all pass (poll/select; terminal cases on a pty)
#   - vfstest's KTAP cases all pass (the file system calls and their
#     errnos, in a directory of its own under /tmp);
#   - sigtest's KTAP cases all pass or skip, as an ordinary process and,
#     where unshare(1) works, as PID 1 of a new PID namespace (the only
#     place its kill(-1) case runs);
#   - threadtest's KTAP cases all pass, as an ordinary process and as PID 1
#     of a new PID namespace (where unshare(1) works);
#   - gotest (the static Go program) prints exactly user/gotest/expected.txt
#     and exits with the status it is given, as an ordinary process and as
#     PID 1 of a new PID namespace.
#
# Prints one line per check and exits 1 if any failed. Run it through
# `make -f user/user.mk user-linux-test`.

dir=${1:?usage: linux-check.sh DIR}
failed=0

pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failed=1; }

# Statuses: 139 SIGSEGV, 132 SIGILL, 136 SIGFPE, 133 SIGTRAP.
while read -r kind want; do
	"$dir/fault" "$kind" 2>/dev/null
	got=$?
	if [ "$got" = "$want" ]; then
		pass "fault $kind: status $got"
	else
		fail "fault $kind: status $got, want $want"
	fi
done <<EOF
nullread 139
nullwrite 139
kernelread 139
hlt 139
cli 139
in 139
ud2 132
div0 136
int3 133
badjump 139
nxexec 139
stackoverflow 139
nonsense 2
EOF

# hog touches what it maps (the OOM case is checked in the guest, where
# asking for more than RAM is cheap).
out=$("$dir/hog" 32)
if [ $? = 0 ] && [ "$out" = "hog: touched 32 MiB" ]; then
	pass "hog 32: $out"
else
	fail "hog 32: $out"
fi
for m in p:populate u:munmap m:mprotect f:fork; do
	out=$("$dir/hog" -"${m%%:*}" 32)
	case "$? $out" in
	"0 hog: ${m#*:} of 32 MiB took "*" us (monotonic "*" to "*")") pass "hog -${m%%:*} 32: $out" ;;
	*) fail "hog -${m%%:*} 32: $out" ;;
	esac
done
out=$("$dir/hog" -t 32)
case "$? $out" in
"0 hog: exit of 32 MiB from monotonic "*) pass "hog -t 32: $out" ;;
*) fail "hog -t 32: $out" ;;
esac

# badptr writes bad buffers to stdout, so stdout must read them: a pipe.
out=$("$dir/badptr" | cat)
if [ $? = 0 ] && ! echo "$out" | grep -q '^not ok' && echo "$out" | grep -q '^1\.\.'; then
	pass "badptr: $(echo "$out" | grep -c '^ok') checks"
else
	fail "badptr:"
	echo "$out" | grep -v '^ok'
fi

out=$("$dir/hello")
if [ $? = 0 ] && [ "$(echo "$out" | head -n 1)" = "hello from ring 3" ]; then
	pass "hello"
else
	fail "hello: $out"
fi

"$dir/xmm" 0x1111 50000 >/dev/null &
a=$!
"$dir/xmm" 0x2222 50000 >/dev/null &
b=$!
wait $a; ra=$?
wait $b; rb=$?
if [ $ra = 0 ] && [ $rb = 0 ]; then
	pass "xmm: two processes, 50000 sched_yield calls each"
else
	fail "xmm: statuses $ra and $rb"
fi

out=$("$dir/bench")
if [ $? = 0 ] && [ "$(echo "$out" | grep -c '^bench .* cycles min=[0-9]* median=[0-9]*')" = 13 ] &&
	echo "$out" | grep -q '^bench thread_create_join cycles min=[0-9]* median=[0-9]* n=[0-9]*$' &&
	echo "$out" | grep -q '^bench fork_64m_over_1m ratio=[0-9]*\.[0-9][0-9]$'; then
	echo "$out" | sed 's/^/     /'
	pass "bench"
else
	fail "bench: $out"
fi

# spin: the line, the nice value, and the time it takes (0.3 s, not much more).
for args in "0.3" "0.3 5"; do
	start=$(date +%s%N)
	out=$("$dir/spin" $args)
	st=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	nice=${args#* }
	[ "$nice" = "$args" ] && nice=0
	if [ $st = 0 ] && echo "$out" | grep -q "^spin pid=[0-9]* nice=$nice loops=[0-9]*$" &&
		[ $ms -ge 300 ] && [ $ms -lt 1000 ]; then
		pass "spin $args: $out, $ms ms"
	else
		fail "spin $args: status $st, $ms ms: $out"
	fi
done
"$dir/spin" 1 20 >/dev/null 2>&1
if [ $? = 1 ]; then pass "spin rejects nice 20"; else fail "spin 1 20 did not exit 1"; fi

# On one CPU, CFS gives nice 0 and nice 5 CPU time in the ratio of their
# weights, 1024:335 = 3.06; the loop counts follow (within 15% here).
if command -v taskset >/dev/null 2>&1; then
	out=$( { taskset -c 0 "$dir/spin" 2 0 & taskset -c 0 "$dir/spin" 2 5 & wait; } )
	l0=$(echo "$out" | sed -n 's/^spin pid=[0-9]* nice=0 loops=\([0-9]*\)$/\1/p')
	l5=$(echo "$out" | sed -n 's/^spin pid=[0-9]* nice=5 loops=\([0-9]*\)$/\1/p')
	if [ -n "$l0" ] && [ -n "$l5" ] && [ "$l5" -gt 0 ] &&
		ratio=$((l0 * 100 / l5)) && [ $ratio -ge 260 ] && [ $ratio -le 352 ]; then
		pass "spin: nice 0 and nice 5 on one CPU: loops ratio $ratio/100 (weights 306/100)"
	else
		fail "spin: nice 0 and nice 5 on one CPU: $out"
	fi
else
	echo "skip spin fairness: no taskset"
fi

out=$("$dir/yieldbench" 2000)
if [ $? = 0 ] && [ "$(echo "$out" | grep -c '^bench yield pid=[0-9]* cycles_per_yield=[0-9]*$')" = 2 ]; then
	echo "$out" | sed 's/^/     /'
	pass "yieldbench"
else
	fail "yieldbench: $out"
fi

# ktap_check NAME OUTPUT STATUS: a complete KTAP run, no case failed.
ktap_check() {
	plan=$(echo "$2" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
	oks=$(echo "$2" | grep -c '^ok [0-9]* ')
	skips=$(echo "$2" | grep -c '^ok [0-9]* [a-z_0-9]* # SKIP')
	if [ "$3" = 0 ] && [ "$(echo "$2" | head -n 1)" = "KTAP version 1" ] &&
		[ -n "$plan" ] && [ "$oks" = "$plan" ] && ! echo "$2" | grep -q '^not ok'; then
		pass "$1: $oks cases, $skips skipped"
		echo "$2" | grep '# SKIP' | sed 's/^/     /'
	else
		fail "$1: status $3"
		echo "$2" | grep -v '^ok [0-9]* [a-z_0-9]*$' | sed 's/^/     /'
	fi
}

out=$("$dir/abuse")
ktap_check "abuse" "$out" $?

out=$("$dir/forktest")
ktap_check "forktest" "$out" $?

# can_pid1 is set where unshare -fp works (as root): the suites then run
# as PID 1 of a new PID namespace too, as they do on Tamix.
can_pid1=
if unshare -fp --mount-proc true 2>/dev/null; then
	can_pid1=1
fi

# ktap_pid1 NAME: suite NAME as PID 1, or a line saying why not.
ktap_pid1() {
	if [ -n "$can_pid1" ]; then
		out=$(unshare -fp --mount-proc "$dir/$1")
		ktap_check "$1 as PID 1" "$out" $?
	else
		echo "skip $1 as PID 1: unshare -fp does not work here (not root?)"
	fi
}

# As PID 1 (orphans come to it); as nobody, RLIMIT_NPROC applies. The
# binary is copied where nobody can run it.
ktap_pid1 forktest
if [ -n "$can_pid1" ]; then
	tmp=$(mktemp -d)
	cp "$dir/forktest" "$tmp/forktest"
	chmod 755 "$tmp" "$tmp/forktest"
	if command -v setpriv >/dev/null 2>&1; then
		out=$(cd "$tmp" && unshare -fp --mount-proc \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/forktest")
		ktap_check "forktest as PID 1, user nobody" "$out" $?
	else
		echo "skip forktest as user nobody: no setpriv"
	fi
	rm -rf "$tmp"
fi

out=$("$dir/sigtest")
ktap_check "sigtest" "$out" $?

# vfstest works in a fresh directory of its own under /tmp.
out=$("$dir/vfstest")
ktap_check "vfstest" "$out" $?

out=$("$dir/proctest" a "b c")
ktap_check "proctest" "$out" $?

# ttytest: poll/select on pipes; the terminal cases on a pseudo-terminal.
out=$("$dir/ttytest")
ktap_check "ttytest" "$out" $?

# As PID 1, kill(-1) reaches only the suite's own processes.
ktap_pid1 sigtest

out=$("$dir/threadtest")
ktap_check "threadtest" "$out" $?

ktap_pid1 threadtest

# gotest_check NAME CMD...: gotest's output is expected.txt, its status 3.
# The arguments are the ones expected.txt was made with; hello's path is
# not in the output, so the same file serves Tamix's run (-exec /hello).
expected=$(dirname "$0")/gotest/expected.txt
gotest_check() {
	name=$1
	shift
	out=$("$@" -exit 3 -exec "$dir/hello" one two three)
	st=$?
	if [ $st = 3 ] && [ "$out" = "$(cat "$expected")" ]; then
		pass "$name: $(echo "$out" | grep -c '^ok ') checks, output as expected, status 3"
	else
		fail "$name: status $st, want 3; output differs from $expected:"
		echo "$out" | diff "$expected" - | sed 's/^/     /'
	fi
}

gotest_check "gotest" "$dir/gotest"
if [ -n "$can_pid1" ]; then
	gotest_check "gotest as PID 1" unshare -fp --mount-proc "$dir/gotest"
else
	echo "skip gotest as PID 1: unshare -fp does not work here (not root?)"
fi

exit $failed
