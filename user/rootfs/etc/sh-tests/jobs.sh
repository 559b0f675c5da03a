# Background jobs, wait and signals (issue 9): the same output and status
# on Tamix and on Linux (tests/busybox_test.go runs both).
export PATH=${SHTEST_PATH:-/bin} # the host test points it at busybox applets
exec 2>&1
echo "=== begin"
sleep 0.1 & wait $!; echo "wait: $?"
(exit 3) & wait $!; echo "wait subshell: $?"
# The shell's own "Terminated"/"Killed" notes go to /dev/null: when it
# prints them depends on when it notices SIGCHLD (on Linux too).
{ sleep 5 & p=$!; kill $p; wait $p; } 2>/dev/null; echo "killed: $?"
{ sleep 5 & p=$!; kill -STOP $p; kill -CONT $p; kill -9 $p; wait $p; } 2>/dev/null; echo "stop, cont, kill -9: $?"
trap 'echo trapped USR1' USR1; kill -USR1 $$; echo "after the trap"
sh -c 'sleep 0.1 & wait $!; echo "inner: $?"'
sleep 0.2 & sleep 0.1 & wait; echo "wait all: $?"
echo "=== end"
exit 5
