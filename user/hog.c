/*
 * hog: maps MiB mebibytes of anonymous memory with MAP_NORESERVE (so that
 * the overcommit check lets it through) and writes to every page, then
 * exits 0. With more than the machine has, the kernel's OOM killer ends
 * it with SIGKILL; on Linux and on Tamix the same.
 *
 * Usage: hog MiB       touch the pages one by one
 *        hog -p MiB    let the kernel fault them all in (MAP_POPULATE)
 *        hog -t MiB    touch them, then exit (for timing the exit)
 *        hog -u MiB    touch them, then munmap them in one call
 *        hog -m MiB    touch them, then mprotect them read-only in one call
 *        hog -f MiB    touch them, then fork a child that exits at once
 * With a mode, hog prints when its one long call (mmap, munmap, mprotect,
 * fork) began and ended, or when it began to exit, in CLOCK_MONOTONIC
 * microseconds: the kernel's latency tests look for other tasks running
 * inside that window.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tamix_test.h"

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* report prints how a call that began at t0 went. */
static int report(const char *what, long r, long mib, long t0)
{
	long t1 = now_us();

	if (r != 0) {
		tx_printf(1, "hog: %s of %ld MiB failed\n", what, mib);
		return 1;
	}
	tx_printf(1, "hog: %s of %ld MiB took %ld us (monotonic %ld to %ld)\n",
		  what, mib, t1 - t0, t0, t1);
	return 0;
}

/* one_call does the mode's one long call on [p, p+len) and reports it. */
static int one_call(char mode, char *p, size_t len, long mib)
{
	long t0 = now_us(), r = 0;
	const char *what = "";

	switch (mode) {
	case 'u':
		what = "munmap";
		r = munmap(p, len);
		break;
	case 'm':
		what = "mprotect";
		r = mprotect(p, len, PROT_READ);
		break;
	case 'f': {
		int status;
		pid_t pid;

		what = "fork";
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
			r = -1;
		break;
	}
	}
	return report(what, r, mib, t0);
}

int main(int argc, char **argv)
{
	char mode = argc > 2 && argv[1][0] == '-' ? argv[1][1] : 0;
	long mib = argc > 1 ? atol(argv[argc - 1]) : 16;
	size_t len = (size_t)mib << 20;
	long t0 = now_us();
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (mode == 'p' ? MAP_POPULATE : 0), -1, 0);

	if (mode == 'p')
		return report("populate", p == MAP_FAILED, mib, t0);
	if (p == MAP_FAILED) {
		tx_printf(1, "hog: mmap of %ld MiB failed\n", mib);
		return 1;
	}
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
	if (mode == 'u' || mode == 'm' || mode == 'f')
		return one_call(mode, p, len, mib);
	if (mode == 't')
		tx_printf(1, "hog: exit of %ld MiB from monotonic %ld\n", mib, now_us());
	else
		tx_printf(1, "hog: touched %ld MiB\n", mib);
	return 0;
}
