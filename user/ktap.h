/*
 * ktap.h: the reporting of Tamix's KTAP test suites (abuse, forktest,
 * proctest, sigtest, threadtest, vfstest), on top of tamix_test.h.
 *
 * Output is KTAP version 1 on stdout: "KTAP version 1", the plan "1..N",
 * then per case its "# " diagnostic lines followed by "ok N name",
 * "not ok N name" or "ok N name # SKIP reason". Each line goes out with
 * one write(2), so lines from children and threads never interleave
 * mid-line.
 *
 * A case reports through case_failed and skip_reason: fail() and a
 * check() or ok() that does not hold set case_failed, skip() writes the
 * reason. A program may define, before it includes this file,
 *   KTAP_CHECK_LINE as __LINE__: check() and ok() name the failing line;
 *   KTAP_FAIL_LINE as __LINE__: fail() names it.
 */
#ifndef KTAP_H
#define KTAP_H

#include "tamix_test.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#ifndef KTAP_CHECK_LINE
#define KTAP_CHECK_LINE 0
#endif
#ifndef KTAP_FAIL_LINE
#define KTAP_FAIL_LINE 0
#endif

static volatile int case_failed;	/* the running case has failed */
static char skip_reason[160];		/* the running case skips, and why */

/* ktap_vdiag prints one "# ..." line, "# line N: ..." if line > 0. */
static inline void ktap_vdiag(int line, const char *fmt, va_list ap)
{
	char buf[400];
	int n = 2;

	buf[0] = '#';
	buf[1] = ' ';
	if (line > 0)
		n += snprintf(buf + 2, sizeof buf - 3, "line %d: ", line);
	n += vsnprintf(buf + n, sizeof buf - 1 - n, fmt, ap);
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	tx_write_all(1, buf, (size_t)n);
}

/* diag prints one "# ..." line with a single write. */
__attribute__((format(printf, 1, 2)))
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vdiag(0, fmt, ap);
	va_end(ap);
}

/* child_fail is for a case's children: prints why (with the child's
 * PID) and exits the thread group with code. */
__attribute__((noreturn, format(printf, 2, 3)))
static inline void child_fail(int code, const char *fmt, ...)
{
	char buf[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	diag("child %ld: %s", tx_syscall0(SYS_getpid), buf);
	tx_exit(code);
}

/* ktap_fail says why the running case fails and marks it failed. */
__attribute__((format(printf, 2, 3)))
static inline void ktap_fail(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vdiag(line, fmt, ap);
	va_end(ap);
	case_failed = 1;
}

/* fail marks the running case failed and says why; any thread may call it. */
#define fail(...) ktap_fail(KTAP_FAIL_LINE, __VA_ARGS__)

/* skip marks the running case skipped, with a reason. */
#define skip(...) snprintf(skip_reason, sizeof skip_reason, __VA_ARGS__)

/*
 * en names a raw result: an errno (tx_errname), or the number. Eight
 * rotating buffers, taken atomically: a printf may name two results, and
 * threads may name them at once.
 */
static inline const char *en(long r)
{
	static char others[8][32];
	static int next;
	char *s;

	if (tx_is_err(r))
		return tx_errname(r);
	s = others[__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % 8];
	snprintf(s, sizeof others[0], "%ld", r);
	return s;
}

/* ktap_check compares a raw result with the expected one; 1 if they match. */
static inline int ktap_check(int line, const char *what, long got, long want)
{
	if (got == want)
		return 1;
	ktap_fail(line, "%s: got %s, want %s", what, en(got), en(want));
	return 0;
}

/* ktap_ok requires a result that is not an errno, and returns it. */
static inline long ktap_ok(int line, const char *what, long got)
{
	if (tx_is_err(got))
		ktap_fail(line, "%s: %s", what, en(got));
	return got;
}

#define check(what, got, want) \
	ktap_check(KTAP_CHECK_LINE, (what), (long)(got), (long)(want))
#define ok(what, got) ktap_ok(KTAP_CHECK_LINE, (what), (long)(got))

/* Small system-call wrappers the suites share; results are raw. */
static inline long sys_getpid(void) { return tx_syscall0(SYS_getpid); }
static inline long sys_getppid(void) { return tx_syscall0(SYS_getppid); }
static inline long sys_gettid(void) { return tx_syscall0(SYS_gettid); }
static inline long sys_kill(long pid, long sig) { return tx_syscall2(SYS_kill, pid, sig); }
static inline void close_fd(int fd) { tx_syscall1(SYS_close, fd); }

static inline long sys_wait4(long pid, int *status, long options)
{
	return tx_syscall6(SYS_wait4, pid, (long)status, options, 0, 0, 0);
}

static inline long sys_waitid(long idtype, long id, siginfo_t *info, long options)
{
	return tx_syscall6(SYS_waitid, idtype, id, (long)info, options, 0, 0);
}

/* now_ns reads CLOCK_MONOTONIC in nanoseconds (0 if it cannot). */
static inline long now_ns(void)
{
	struct timespec ts;

	if (tx_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/*
 * wstatus describes a wait status the way a reader wants to see it, in
 * one of four rotating buffers taken atomically.
 */
static inline const char *wstatus(int st)
{
	static char bufs[4][48];
	static int next;
	char *s = bufs[__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % 4];

	if (WIFEXITED(st))
		snprintf(s, sizeof bufs[0], "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(s, sizeof bufs[0], "killed by signal %d", WTERMSIG(st));
	else if (WIFSTOPPED(st))
		snprintf(s, sizeof bufs[0], "stopped by signal %d", WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		snprintf(s, sizeof bufs[0], "continued");
	else
		snprintf(s, sizeof bufs[0], "status %#x", st);
	return s;
}

/*
 * wait_bounded waits for pid for at most ms and stores its wait status.
 * Returns 1 if it ended in time; 0 if not, after killing it with SIGKILL
 * and reaping it (the case fails); -1 if wait4 failed (the case fails).
 * It polls with WNOHANG every millisecond; handlers may cut the sleeps
 * short, the deadline holds.
 */
static inline int wait_bounded(long pid, int *st, long ms)
{
	long end = now_ns() + ms * 1000000L, r;

	*st = -1;
	for (;;) {
		r = sys_wait4(pid, st, WNOHANG);
		if (r == pid)
			return 1;
		if (r != 0 && r != -4) { /* -EINTR */
			ktap_fail(0, "wait4(%ld) = %s", pid, en(r));
			return -1;
		}
		if (now_ns() > end)
			break;
		struct timespec ts = {0, 1000000L};
		tx_syscall2(SYS_nanosleep, &ts, 0);
	}
	ktap_fail(0, "child %ld still running after %ld ms: killed", pid, ms);
	sys_kill(pid, SIGKILL);
	sys_wait4(pid, st, 0);
	return 0;
}

/* A case of a suite: its name in the result line, and its body. */
struct ktap_case {
	const char *name;
	void (*fn)(void);
};

/* ktap_plan starts the output: the version line and the plan for n cases. */
static inline void ktap_plan(int n)
{
	tx_printf(1, "KTAP version 1\n1..%d\n", n);
}

/*
 * ktap_run runs the n cases in order, numbered from 1, prints each one's
 * result line and returns how many failed. Before each case it clears
 * case_failed and skip_reason; run(i) runs case i, or cases[i].fn() runs
 * it if run is NULL. If slow_ms > 0, a case that took longer gets a line
 * "# NAME took N ms" before its result (clock_gettime is called only
 * then).
 */
static inline int ktap_run(const struct ktap_case *cases, int n, void (*run)(int i),
			   long slow_ms)
{
	int failed = 0;

	for (int i = 0; i < n; i++) {
		long t0 = slow_ms > 0 ? now_ns() : 0;

		case_failed = 0;
		skip_reason[0] = 0;
		if (run)
			run(i);
		else
			cases[i].fn();
		if (slow_ms > 0) {
			long ms = (now_ns() - t0) / 1000000L;
			if (ms > slow_ms)
				diag("%s took %ld ms", cases[i].name, ms);
		}
		if (case_failed) {
			failed++;
			tx_printf(1, "not ok %d %s\n", i + 1, cases[i].name);
		} else if (skip_reason[0]) {
			tx_printf(1, "ok %d %s # SKIP %s\n", i + 1, cases[i].name, skip_reason);
		} else {
			tx_printf(1, "ok %d %s\n", i + 1, cases[i].name);
		}
	}
	return failed;
}

#endif /* KTAP_H */
