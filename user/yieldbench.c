/*
 * yieldbench: the context-switch benchmark. Forks one child; parent and
 * child each call sched_yield N times, timing the whole loop with the TSC,
 * and each prints its average. The parent then waits for the child.
 *
 * Usage: yieldbench N
 *
 * Output, one line from each of the two tasks (in either order):
 *   bench yield pid=P cycles_per_yield=X
 * X is the task's loop time divided by N. While both tasks are runnable
 * on one CPU and the scheduler alternates them, each yield of one task
 * switches to the other, whose yield switches back: one iteration, and so
 * X, spans two context switches and two sched_yield calls, and a switch
 * costs about X/2. Before forking, the program pins itself to the lowest
 * CPU it may run on (sched_setaffinity, inherited by the child), so that
 * on a multi-CPU Linux host the two tasks share one CPU too; a kernel
 * without sched_setaffinity (ENOSYS) is assumed to have one CPU.
 *
 * Exits 0, or 1 if a system call fails or the child does not exit 0, 2 on
 * a usage error.
 */
#define TX_PROG "yieldbench"
#include "tamix_test.h"

#include <stdlib.h>
#include <sys/wait.h>

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* pin_to_one_cpu restricts this task to the lowest CPU of its mask. */
static void pin_to_one_cpu(void)
{
	unsigned long mask[16] = {0};
	long r = tx_syscall3(SYS_sched_getaffinity, 0, sizeof mask, mask);

	if (r == -38)
		return;
	if (tx_is_err(r))
		tx_fail("sched_getaffinity = %s", tx_errname(r));
	for (unsigned i = 0; i < sizeof mask * 8; i++) {
		unsigned long bit = 1UL << (i % 64);
		if (mask[i / 64] & bit) {
			unsigned long one[16] = {0};
			one[i / 64] = bit;
			r = tx_syscall3(SYS_sched_setaffinity, 0, sizeof one, one);
			if (r != 0 && r != -38)
				tx_fail("sched_setaffinity(cpu %u) = %s", i, tx_errname(r));
			return;
		}
	}
	tx_fail("sched_getaffinity returned an empty mask");
}

/* yield_loop calls sched_yield n times and prints the average cost. */
static void yield_loop(long n)
{
	uint64_t t0 = rdtsc();

	for (long i = 0; i < n; i++) {
		long r = tx_syscall0(SYS_sched_yield);
		if (r != 0)
			tx_fail("sched_yield = %s", tx_errname(r));
	}
	uint64_t t1 = rdtsc();
	tx_printf(1, "bench yield pid=%ld cycles_per_yield=%llu\n", tx_syscall0(SYS_getpid),
		  (unsigned long long)((t1 - t0) / (uint64_t)n));
}

int main(int argc, char **argv)
{
	char *end;
	long n;

	if (argc != 2 || (n = strtol(argv[1], &end, 0)) < 1 || *end != '\0') {
		tx_printf(2, "usage: yieldbench N   (N >= 1 yields per task)\n");
		tx_exit(2);
	}
	pin_to_one_cpu();

	long pid = tx_syscall0(SYS_fork);
	if (tx_is_err(pid))
		tx_fail("fork = %s", tx_errname(pid));
	yield_loop(n);
	if (pid == 0)
		tx_exit(0);

	int status = -1;
	long r = tx_syscall6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0);
	if (r != pid)
		tx_fail("wait4(%ld) = %s", pid, tx_errname(r));
	if (status != 0)
		tx_fail("child %ld ended with wait status %#x, want 0", pid, status);
	tx_exit(0);
}
