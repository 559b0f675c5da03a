# FIFOs made by mkfifo (issue 11): opens for reading and writing wait for
# each other, O_RDWR does not, data goes through, ls and test see a FIFO.
export PATH=${SHTEST_PATH:-/bin} # the host test points it at busybox applets
exec 2>&1
echo "=== begin"
d=/tmp/sh-fifo.$$; rm -rf "$d"; mkdir -p "$d" && cd "$d" || exit 9
mkfifo p && ls -l p | cut -c1
test -p p && echo is-a-fifo
echo through the fifo > p & cat p; wait
( for i in 1 2 3; do echo line $i; done > p ) & wc -l < p; wait
cat p > out & sleep 0.2; echo late writer > p; wait; cat out
exec 3<>p; echo rdwr >&3; read x <&3; echo "$x"; exec 3>&-
cd / && rm -rf "$d"
echo "=== end"
