/*
 * kid.h: children and sleeps for the KTAP suites that fork with musl
 * (sigtest, threadtest). Include after ktap.h, with KID_MS (how long a
 * case waits for its own child) and MSEC/NSEC defined.
 */
#ifndef TAMIX_KID_H
#define TAMIX_KID_H

#include <errno.h>
#include <unistd.h>

/*
 * sys_fork is musl's fork(), not the raw call: musl keeps each thread's
 * TID in its thread descriptor (for raise, pthread_kill and its locks),
 * and only its fork() sets it in the child.
 */
static long sys_fork(void)
{
	long pid = fork();

	return pid < 0 ? -errno : pid;
}

/* sleep_ms sleeps ms of CLOCK_MONOTONIC, resuming after signal handlers. */
static void sleep_ms(long ms)
{
	long end = now_ns() + ms * MSEC, left;

	while ((left = end - now_ns()) > 0) {
		struct timespec ts = {left / NSEC, left % NSEC};
		tx_syscall2(SYS_nanosleep, &ts, 0);
	}
}

/* reap waits (bounded) for pid and checks its wait status; 1 if it matches. */
static int reap(const char *what, long pid, int want)
{
	int st;

	if (wait_bounded(pid, &st, KID_MS) != 1)
		return 0;
	if (st != want) {
		fail("%s: child %ld %s, want %s", what, pid, wstatus(st), wstatus(want));
		return 0;
	}
	return 1;
}

/* fork_or_fail forks; in the parent a failure is reported and -1 returned. */
static long fork_or_fail(void)
{
	long pid = sys_fork();

	if (tx_is_err(pid)) {
		fail("fork = %s", en(pid));
		return -1;
	}
	return pid;
}

/* child_idle is the body of a thread or child that waits to be killed. */
__attribute__((noreturn))
static void child_idle(void)
{
	for (;;)
		if (tx_syscall0(SYS_pause) == -ENOSYS_)
			sleep_ms(1000);
}

#endif
