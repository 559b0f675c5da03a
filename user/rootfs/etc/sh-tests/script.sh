# A longer script: functions, loops, arithmetic, case, while read
# (issue 11).
export PATH=${SHTEST_PATH:-/bin} # the host test points it at busybox applets
exec 2>&1
echo "=== begin"
fib() { a=0; b=1; i=0; while [ $i -lt $1 ]; do t=$((a + b)); a=$b; b=$t; i=$((i + 1)); done; echo $a; }
for n in 1 5 10 20 30; do echo "fib($n) = $(fib $n)"; done
classify() {
	case $1 in
	[0-9]*) echo "$1: number" ;;
	*.sh) echo "$1: script" ;;
	*) echo "$1: other" ;;
	esac
}
for w in 42 run.sh tamix; do classify $w; done
sum=0; printf '%s\n' 3 4 5 | { while read v; do sum=$((sum + v)); done; echo "sum $sum"; }
count=0; until [ $count -ge 3 ]; do count=$((count + 1)); done; echo "until: $count"
s=""; i=0; while [ $i -lt 50 ]; do s="$s$i,"; i=$((i + 1)); done; echo "${#s} characters"
set -- x y z; echo "$# arguments: $*"; shift; echo "after shift: $@"
f() { return 7; }; f; echo "return: $?"
echo "=== end"
