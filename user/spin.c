/*
 * spin: a CPU-bound task for the scheduler's fairness tests. Optionally
 * sets its nice value, then runs a busy loop that makes no system call
 * except one clock_gettime(CLOCK_MONOTONIC) every 2^20 iterations, until
 * SECONDS of monotonic time have passed. Prints one line and exits 0.
 *
 * Usage: spin SECONDS [NICE]
 *   SECONDS  wall time to spin, a decimal number ("2", "0.5")
 *   NICE     if given, setpriority(PRIO_PROCESS, 0, NICE) first
 *
 * Output: "spin pid=P nice=N loops=L", where N is the nice value
 * getpriority reports afterwards (the requested one if getpriority is
 * unimplemented) and L the number of loop iterations. The kernel measures
 * each task's share of the CPU itself; L is a secondary figure (with
 * equal shares, equal tasks reach similar counts). Exits 1 if an argument
 * is malformed or a system call fails, 2 on a usage error.
 */
#define TX_PROG "spin"
#include "tamix_test.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define CHECK_EVERY (1L << 20) /* iterations between clock reads */
#define NSEC 1000000000L

/*
 * parse_seconds turns "S" or "S.FFF" into nanoseconds. Returns -1 if s is
 * not such a number or is above an hour.
 */
static long parse_seconds(const char *s)
{
	long sec = 0, frac = 0, scale = NSEC;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		sec = sec * 10 + (*p - '0');
		if (sec > 3600)
			return -1;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			scale /= 10;
			frac += (*p - '0') * scale;
		}
	}
	if (*p != '\0')
		return -1;
	return sec * NSEC + frac;
}

static long monotonic_ns(void)
{
	struct timespec ts;
	long r = tx_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);

	if (r != 0)
		tx_fail("clock_gettime(CLOCK_MONOTONIC) = %s", tx_errname(r));
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long duration, nice = 0, deadline;
	int set_nice = 0;
	unsigned long loops = 0;
	volatile unsigned long sink = 0;

	if (argc < 2 || argc > 3) {
		tx_printf(2, "usage: spin SECONDS [NICE]\n");
		tx_exit(2);
	}
	duration = parse_seconds(argv[1]);
	if (duration < 0)
		tx_fail("bad SECONDS %s: want a decimal number up to 3600", argv[1]);
	if (argc == 3) {
		char *end;
		nice = strtol(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || nice < -20 || nice > 19)
			tx_fail("bad NICE %s: want an integer from -20 to 19", argv[2]);
		set_nice = 1;
	}

	if (set_nice) {
		long r = tx_syscall3(SYS_setpriority, PRIO_PROCESS, 0, nice);
		if (r != 0)
			tx_fail("setpriority(PRIO_PROCESS, 0, %ld) = %s", nice, tx_errname(r));
	}
	/* The raw getpriority returns 20 - nice, so that it is never negative. */
	long prio = tx_syscall2(SYS_getpriority, PRIO_PROCESS, 0);
	if (prio == -38)
		prio = 20 - nice;
	else if (tx_is_err(prio))
		tx_fail("getpriority(PRIO_PROCESS, 0) = %s", tx_errname(prio));
	nice = 20 - prio;

	deadline = monotonic_ns() + duration;
	for (;;) {
		for (long i = 0; i < CHECK_EVERY; i++)
			sink += (unsigned long)i;
		loops += CHECK_EVERY;
		if (monotonic_ns() >= deadline)
			break;
	}
	tx_printf(1, "spin pid=%ld nice=%ld loops=%lu\n", tx_syscall0(SYS_getpid), nice, loops);
	tx_exit(0);
}
