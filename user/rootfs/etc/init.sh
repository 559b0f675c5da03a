# Tamix's init script, run by `make run` as PID 1 with
# init=/bin/sh -- /etc/init.sh.
#
# The login shell runs as a child, not as PID 1: a process group whose
# parent is init counts as orphaned (Linux's will_become_orphaned_pgrp()
# ignores init), and the stop signals of ^Z are discarded for orphaned
# groups, so jobs of a shell that is PID 1 could not be stopped.
# setsid -c makes the child the leader of a new session with the
# console as its controlling terminal (TIOCSCTTY); the shell then has
# job control. When it exits, init exits with its status and the
# kernel powers off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=linux
cd /
setsid -c /bin/sh -l
