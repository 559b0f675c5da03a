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
#   - bench prints its three lines.
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
if [ $? = 0 ] && [ "$(echo "$out" | grep -c '^bench .* cycles min=[0-9]* median=[0-9]*')" = 3 ]; then
	echo "$out" | sed 's/^/     /'
	pass "bench"
else
	fail "bench: $out"
fi

exit $failed
