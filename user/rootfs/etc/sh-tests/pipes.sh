# Pipes, here-documents, redirections, ls and ps (issue 11).
export PATH=${SHTEST_PATH:-/bin} # the host test points it at busybox applets
exec 2>&1
echo "=== begin"
d=/tmp/sh-pipes.$$; rm -rf "$d"; mkdir -p "$d/sub" && cd "$d" || exit 9
echo a b c | tr a-z A-Z | wc -w
printf '%s\n' one two three | sort -r | head -n 2
cat <<END
here doc: $((6 * 7))
END
cat <<'END' | wc -c
literal $HOME
END
echo hello > f; echo world >> f; cat f; wc -l < f
for x in c a b; do echo $x > $x; done; ls -1; ls -l | wc -l
echo "$(echo nested $(echo substitution))"
( cd sub && pwd | sed "s|$d|D|" )
sleep 3.123 & p=$!; sleep 0.2; ps -o args | grep -c '^sleep 3.123$'; kill $p; wait $p 2>/dev/null
cd / && rm -rf "$d"
echo "=== end"
