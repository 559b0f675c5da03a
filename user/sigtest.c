/*
 * sigtest: the user-space suite of issue 9 (signals), meant to run on
 * Tamix (init=/sigtest, or started by another test) and also runnable on
 * Linux, where the same binary pins down what Linux does: delivery and
 * siginfo, what a handler may clobber and what sigreturn gives back,
 * masks, pending and queued signals, faults, forged sigreturn frames,
 * EINTR and SA_RESTART, timers, SIGCHLD, stop and continue, process
 * groups, and what fork and execve keep.
 *
 * Usage: sigtest                 run the suite
 *        sigtest --exec-check    the image execve_dispositions execs: checks
 *                                the dispositions, mask, pending set and
 *                                alternate stack it inherited; exits 42
 *
 * Output is KTAP version 1 on stdout, as forktest's: "KTAP version 1",
 * the plan "1..N", then per case its "# " diagnostic lines followed by
 * "ok N name", "not ok N name" or "ok N name # SKIP reason". Every case
 * runs in a process of its own that the suite forks: a case installs
 * handlers, blocks signals and kills itself on purpose, and a broken
 * kernel may hang or kill it. The suite waits for each case process at
 * most CASE_MS, then kills it with SIGKILL and reports the case failed;
 * waits for the case's own children are bounded the same way. Cases skip
 * only where Linux itself needs something (kill(-1) is only safe as PID 1
 * of a PID namespace). Exits 0 if no case failed, 1 otherwise. Output
 * goes out with one write(2) per line, so lines from children never
 * interleave mid-line.
 *
 * musl's sigaction(), sigprocmask(), raise(), kill(), sigqueue() and
 * sigsetjmp() are used where a real program would use them: musl's
 * sigaction() installs its restorer (__restore_rt, SA_RESTORER), and
 * raise() is tkill() with all signals blocked around it, so a raised
 * signal arrives as the old mask comes back. Masks, pending sets, errnos
 * and forged frames go through raw system calls (tx_syscall*). Signal
 * numbers 32 to 34 are musl's own, so the real-time signals here are
 * musl's SIGRTMIN (35) and up. On Linux, run it as PID 1 with
 *   unshare -fp --mount-proc build/user/sigtest
 */
#define _GNU_SOURCE
#define TX_PROG "sigtest"
#include "ktap.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define PAGE 4096L
#define NSEC 1000000000L
#define MSEC 1000000L
#define CASE_MS 10000		/* a case process gets this long */
#define KID_MS 3000		/* a case's own child gets this long */

#include "kid.h"

#define FUTEX_WAIT_ 0

#define BIT(s) (1UL << ((s) - 1))	/* a signal's bit in a kernel sigset */
#define RTSIG(n) (35 + (n))		/* musl's SIGRTMIN + n; 32 to 34 are musl's */
#define KERNEL_ADDR 0xffffffff81000000UL /* Linux's kernel text; Tamix's half too */
#define NONCANON_ADDR 0x0000800000000000UL /* first address past user space */
#define BAD_PTR 0x1000000L	/* for -EFAULT only: never dereferenced here */

/* x86 flags and the trap numbers Linux reports in the frame's trapno. */
#define FL_CF 0x1UL
#define FL_IF 0x200UL
#define FL_DF 0x400UL
#define FL_IOPL 0x3000UL
#define FL_NT 0x4000UL
#define TRAP_DE 0
#define TRAP_BP 3
#define TRAP_UD 6
#define TRAP_GP 13
#define TRAP_PF 14
#define TRAP_AC 17

/* ---------------------------------------------------------------------
 * Reporting
 * ------------------------------------------------------------------- */

static long suite_pid;		/* the process that prints the ok lines */
static const char *self_path;	/* this program, for execve */

/* checkx is check for masks and addresses, printed in hex. */
static int checkx(const char *what, unsigned long got, unsigned long want)
{
	if (got == want)
		return 1;
	fail("%s: got %#lx, want %#lx", what, got, want);
	return 0;
}

/* ---------------------------------------------------------------------
 * System-call helpers
 * ------------------------------------------------------------------- */

/* The kernel's sigaction, for rt_sigaction called directly. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

static long sys_sigaction(long sig, const struct ksigaction *act, struct ksigaction *old)
{
	return tx_syscall6(SYS_rt_sigaction, sig, (long)act, (long)old, 8, 0, 0);
}

static long sys_sigprocmask(long how, const unsigned long *set, unsigned long *old)
{
	return tx_syscall6(SYS_rt_sigprocmask, how, (long)set, (long)old, 8, 0, 0);
}

/* blocked is the calling thread's signal mask, as the kernel keeps it. */
static unsigned long blocked(void)
{
	unsigned long old = 0;

	sys_sigprocmask(SIG_BLOCK, 0, &old);
	return old;
}

/* pending is the set rt_sigpending reports. */
static unsigned long pending(void)
{
	unsigned long set = 0;

	tx_syscall2(SYS_rt_sigpending, &set, 8);
	return set;
}

static long setmask(long how, unsigned long set)
{
	return sys_sigprocmask(how, &set, 0);
}

/* disposition is a signal's handler, SIG_DFL or SIG_IGN, by rt_sigaction. */
static void *disposition(int sig)
{
	struct ksigaction old;

	memset(&old, 0x55, sizeof old);
	if (sys_sigaction(sig, 0, &old) != 0)
		return (void *)-1L;
	return old.handler;
}

static long make_pipe(int fds[2], long flags)
{
	long r = tx_syscall2(SYS_pipe2, fds, flags);

	if (r == -ENOSYS_ && flags == 0)
		r = tx_syscall1(SYS_pipe, fds);
	return r;
}

/* reap_signaled waits for pid and checks it was killed by sig (core or not). */
static int reap_signaled(const char *what, long pid, int sig)
{
	int st;

	if (wait_bounded(pid, &st, KID_MS) != 1)
		return 0;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != sig) {
		fail("%s: child %ld %s, want killed by signal %d", what, pid, wstatus(st), sig);
		return 0;
	}
	return 1;
}

/*
 * poker forks a child that sleeps ms, sends sig to its parent (the
 * case), then sleeps ms2 and, if fd >= 0, writes "data" to fd, and
 * exits 0. Signals come from another process, as a kernel sees them
 * arrive at a task that sleeps or runs. Returns the child's PID, or -1.
 */
static long poker(long ms, int sig, long ms2, int fd)
{
	long pid = fork_or_fail();

	if (pid != 0)
		return pid;
	sleep_ms(ms);
	sys_kill(sys_getppid(), sig);
	sleep_ms(ms2);
	if (fd >= 0 && tx_syscall3(SYS_write, fd, "data", 4) != 4)
		child_fail(1, "poker: write to fd %d failed", fd);
	tx_exit(0);
}

/* ---------------------------------------------------------------------
 * Handlers and what they saw
 * ------------------------------------------------------------------- */

typedef void (*sa_fn)(int, siginfo_t *, void *);

/*
 * on installs fn for sig with musl's sigaction, SA_SIGINFO, the extra
 * flags and sa_mask set to the kernel sigset mask. Returns 1 if it did.
 */
static int on(int sig, sa_fn fn, int flags, unsigned long mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s <= 64; s++)
		if ((mask & BIT(s)) && (s < 32 || s > 34))
			sigaddset(&sa.sa_mask, s);
	if (sigaction(sig, &sa, 0) != 0) {
		fail("sigaction(%d) failed: errno %d", sig, errno);
		return 0;
	}
	return 1;
}

/* set_disp sets SIG_DFL or SIG_IGN for sig with musl's sigaction. */
static int set_disp(int sig, void (*disp)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = disp;
	if (sigaction(sig, &sa, 0) != 0) {
		fail("sigaction(%d, %s) failed: errno %d", sig,
		     disp == SIG_IGN ? "SIG_IGN" : "SIG_DFL", errno);
		return 0;
	}
	return 1;
}

static volatile int hits;		/* handler runs since the last reset */
static siginfo_t hinfo;			/* the last siginfo a handler saw */
static volatile unsigned long hmask;	/* the mask inside the last handler */
static volatile int trail[32];		/* events in the order they happened */
static volatile int ntrail;

static void note(int v)
{
	if (ntrail < 32)
		trail[ntrail++] = v;
}

static void reset_notes(void)
{
	hits = 0;
	ntrail = 0;
	memset(&hinfo, 0, sizeof hinfo);
	hmask = 0;
}

/* trail_is checks the recorded events; want ends with -1. */
static int trail_is(const char *what, const int *want)
{
	char got[128], exp[128];
	int n = 0, gl = 0, el = 0, same = 1;

	for (; want[n] >= 0; n++) {
		el += snprintf(exp + el, sizeof exp - el, " %d", want[n]);
		if (n >= ntrail || trail[n] != want[n])
			same = 0;
	}
	for (int i = 0; i < ntrail && i < 32; i++)
		gl += snprintf(got + gl, sizeof got - gl, " %d", trail[i]);
	if (same && n == ntrail)
		return 1;
	fail("%s: events%s, want%s", what, ntrail ? got : " (none)", exp);
	return 0;
}

/* counting: the plain recording handler; notes the signal number. */
static void counting(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	hinfo = *si;
	hmask = blocked();
	note(sig);
}

/* ---------------------------------------------------------------------
 * Delivery, siginfo and masks
 * ------------------------------------------------------------------- */

/* handler_siginfo: what raise() delivers, and the frame it is on. */
static volatile unsigned long frame_sig, frame_uc, frame_si, frame_ret, frame_rsp, frame_fp;

static void frame_handler(int sig, siginfo_t *si, void *uc)
{
	counting(sig, si, uc);
	frame_sig = (unsigned long)sig;
	frame_uc = (unsigned long)uc;
	frame_si = (unsigned long)si;
	if (uc) {
		ucontext_t *u = uc;
		frame_ret = ((unsigned long *)uc)[-1]; /* where the handler returns to */
		frame_rsp = (unsigned long)u->uc_mcontext.gregs[REG_RSP];
		frame_fp = (unsigned long)u->uc_mcontext.fpregs;
	}
}

static void t_handler_siginfo(void)
{
	struct ksigaction ka;

	reset_notes();
	if (!on(SIGUSR1, frame_handler, 0, 0))
		return;
	check("raise(SIGUSR1)", raise(SIGUSR1), 0);
	if (!check("handler runs before raise returns", hits, 1))
		return;
	check("handler's signal argument", (long)frame_sig, SIGUSR1);
	check("si_signo", hinfo.si_signo, SIGUSR1);
	check("si_code (SI_TKILL: musl's raise is tkill)", hinfo.si_code, SI_TKILL);
	check("si_pid", hinfo.si_pid, sys_getpid());
	check("si_uid", hinfo.si_uid, tx_syscall0(SYS_getuid));
	if (frame_uc == 0) {
		fail("the ucontext argument is NULL");
		return;
	}
	/* Linux's x86-64 rt_sigframe: return address, ucontext, siginfo, then
	 * the FPU state, all below the interrupted stack's 128-byte red zone. */
	check("siginfo - ucontext (the kernel's ucontext is 304 bytes)",
	      (long)(frame_si - frame_uc), 304);
	if (check("rt_sigaction(SIGUSR1, NULL, &old)", sys_sigaction(SIGUSR1, 0, &ka), 0)) {
		checkx("SA_RESTORER in sa_flags (musl sets it)", ka.flags & SA_RESTORER, SA_RESTORER);
		checkx("the handler's return address is sa_restorer", frame_ret,
		       (unsigned long)ka.restorer);
	}
	check("the handler's entry %rsp mod 16 (the ABI's 8)", (long)((frame_uc - 8) % 16), 8);
	if (frame_fp == 0 || frame_fp % 64 != 0)
		fail("uc_mcontext.fpregs %#lx: want a 64-byte aligned pointer", frame_fp);
	else if (frame_fp < frame_si + sizeof(siginfo_t) || frame_fp >= frame_rsp - 128)
		fail("fpregs %#lx not between the siginfo end %#lx and the red zone below %#lx",
		     frame_fp, frame_si + sizeof(siginfo_t), frame_rsp);
	if (!case_failed)
		diag("fpstate at ucontext + %lu (the siginfo ends at + %zu)", frame_fp - frame_uc,
		     304 + sizeof(siginfo_t));
}

/* kill_si_user: kill() to oneself is SI_USER with the sender's PID and UID. */
static void t_kill_si_user(void)
{
	reset_notes();
	if (!on(SIGUSR2, counting, 0, 0))
		return;
	check("kill(getpid(), SIGUSR2)", kill(getpid(), SIGUSR2), 0);
	if (!check("handler runs before kill returns", hits, 1))
		return;
	check("si_signo", hinfo.si_signo, SIGUSR2);
	check("si_code (SI_USER)", hinfo.si_code, SI_USER);
	check("si_pid", hinfo.si_pid, sys_getpid());
	check("si_uid", hinfo.si_uid, tx_syscall0(SYS_getuid));
	reset_notes();
	check("kill(getpid(), 0)", kill(getpid(), 0), 0);
	check("handler runs for signal 0", hits, 0);
}

/* handler_mask: inside, the signal and sa_mask are blocked; then restored. */
static volatile unsigned long huc_mask;
static volatile int musl_sees;

static void mask_handler(int sig, siginfo_t *si, void *uc)
{
	sigset_t old;

	counting(sig, si, uc);
	huc_mask = *(unsigned long *)&((ucontext_t *)uc)->uc_sigmask;
	sigemptyset(&old);
	sigprocmask(SIG_BLOCK, 0, &old);
	musl_sees = sigismember(&old, SIGUSR1) + sigismember(&old, SIGUSR2) +
		    sigismember(&old, SIGTERM) + sigismember(&old, SIGINT);
}

static void t_handler_mask(void)
{
	unsigned long before = BIT(SIGHUP);

	reset_notes();
	if (!on(SIGUSR1, mask_handler, 0, BIT(SIGUSR2) | BIT(SIGTERM)))
		return;
	check("rt_sigprocmask(SIG_SETMASK, {SIGHUP})", setmask(SIG_SETMASK, before), 0);
	raise(SIGUSR1);
	if (!check("handler runs", hits, 1))
		return;
	checkx("mask in the handler: old | signal | sa_mask", hmask,
	       before | BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGTERM));
	check("sigprocmask(SIG_BLOCK, NULL, &old) in the handler: USR1 USR2 TERM, not INT",
	      musl_sees, 3);
	checkx("uc_sigmask: the mask to go back to", huc_mask, before);
	checkx("mask after the handler returned", blocked(), before);
	setmask(SIG_SETMASK, 0);
}

/* nested_handlers: an unblocked signal raised in a handler nests; a masked one waits. */
static void nest_outer(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	note(1);
	raise(SIGUSR2);
	note(3);
}

static void nest_inner(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	note(2);
}

static void t_nested_handlers(void)
{
	static const int nested[] = {1, 2, 3, -1}, deferred[] = {1, 3, 2, -1};

	reset_notes();
	if (!on(SIGUSR1, nest_outer, 0, 0) || !on(SIGUSR2, nest_inner, 0, 0))
		return;
	raise(SIGUSR1);
	trail_is("SIGUSR2 raised in SIGUSR1's handler", nested);
	reset_notes();
	if (!on(SIGUSR1, nest_outer, 0, BIT(SIGUSR2)))
		return;
	raise(SIGUSR1);
	trail_is("SIGUSR2 raised in SIGUSR1's handler, SIGUSR2 in sa_mask", deferred);
}

/* sa_nodefer: with SA_NODEFER a handler's own signal re-enters it. */
static volatile int depth;

static void reenter(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	depth++;
	note(10 * depth);
	if (hits++ == 0) {
		hmask = blocked();
		raise(sig);
	}
	note(10 * depth + 1);
	depth--;
}

static void t_sa_nodefer(void)
{
	static const int nested[] = {10, 20, 21, 11, -1}, serial[] = {10, 11, 10, 11, -1};

	reset_notes();
	depth = 0;
	if (!on(SIGUSR1, reenter, SA_NODEFER, 0))
		return;
	raise(SIGUSR1);
	trail_is("SA_NODEFER: raise in the handler", nested);
	checkx("SA_NODEFER: SIGUSR1 blocked in its handler", hmask & BIT(SIGUSR1), 0);
	reset_notes();
	if (!on(SIGUSR1, reenter, 0, 0))
		return;
	raise(SIGUSR1);
	trail_is("without SA_NODEFER: raise in the handler", serial);
	checkx("SIGUSR1 blocked in its handler", hmask & BIT(SIGUSR1), BIT(SIGUSR1));
}

/* sa_resethand: the first delivery resets to SIG_DFL; the second kills. */
static volatile unsigned long reset_disp;

static void reset_handler(int sig, siginfo_t *si, void *uc)
{
	counting(sig, si, uc);
	reset_disp = (unsigned long)disposition(sig);
}

static void t_sa_resethand(void)
{
	int fds[2];
	char mark = 0;

	if (!check("pipe2", make_pipe(fds, 0), 0))
		return;
	long pid = fork_or_fail();
	if (pid == 0) {
		reset_notes();
		if (!on(SIGUSR1, reset_handler, SA_RESETHAND, 0))
			tx_exit(1);
		raise(SIGUSR1);
		if (hits != 1)
			child_fail(2, "handler ran %d times, want 1", hits);
		if (reset_disp != (unsigned long)SIG_DFL)
			child_fail(3, "disposition in the handler %#lx, want SIG_DFL", reset_disp);
		if (!(hmask & BIT(SIGUSR1)))
			child_fail(4, "SIGUSR1 not blocked in its SA_RESETHAND handler");
		tx_syscall3(SYS_write, fds[1], "A", 1);
		raise(SIGUSR1);
		child_fail(5, "survived the second SIGUSR1");
	}
	close_fd(fds[1]);
	if (pid > 0)
		reap_signaled("second raise(SIGUSR1) after SA_RESETHAND", pid, SIGUSR1);
	if (tx_syscall3(SYS_read, fds[0], &mark, 1) != 1 || mark != 'A')
		fail("the child did not get through its first SIGUSR1");
	close_fd(fds[0]);
}

/* blocked_stays_pending: a blocked signal waits, and runs as it is unblocked. */
static void t_blocked_stays_pending(void)
{
	sigset_t s, p;

	reset_notes();
	if (!on(SIGUSR1, counting, 0, 0))
		return;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	check("sigprocmask(SIG_BLOCK, {SIGUSR1})", sigprocmask(SIG_BLOCK, &s, 0), 0);
	raise(SIGUSR1);
	check("handler runs while blocked", hits, 0);
	checkx("rt_sigpending", pending(), BIT(SIGUSR1));
	sigemptyset(&p);
	if (sigpending(&p) != 0 || !sigismember(&p, SIGUSR1))
		fail("sigpending() does not show SIGUSR1");
	check("sigprocmask(SIG_UNBLOCK, {SIGUSR1})", sigprocmask(SIG_UNBLOCK, &s, 0), 0);
	check("handler runs before sigprocmask returns", hits, 1);
	checkx("rt_sigpending after", pending(), 0);
	checkx("mask inside the handler: SIGUSR1 (unblocked just now) blocked again",
	       hmask, BIT(SIGUSR1));
	checkx("mask after", blocked(), 0);
}

/* queue_and_coalesce: standard signals pend once; real-time ones queue. */
static void rt_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	hits++;
	note(si->si_code == SI_QUEUE ? si->si_value.sival_int : 1000 + si->si_code);
}

static void t_queue_and_coalesce(void)
{
	static const int queued[] = {11, 22, 33, 1000, 1000, -1};

	reset_notes();
	if (!on(SIGUSR1, counting, 0, 0) || !on(RTSIG(1), rt_handler, 0, 0))
		return;
	setmask(SIG_BLOCK, BIT(SIGUSR1));
	for (int i = 0; i < 3; i++)
		raise(SIGUSR1);
	setmask(SIG_UNBLOCK, BIT(SIGUSR1));
	check("SIGUSR1 raised 3 times while blocked: handler runs", hits, 1);

	reset_notes();
	setmask(SIG_BLOCK, BIT(RTSIG(1)));
	for (int i = 1; i <= 3; i++) {
		union sigval v = {.sival_int = 11 * i};
		check("sigqueue(getpid(), SIGRTMIN+1)", sigqueue(getpid(), RTSIG(1), v), 0);
	}
	check("kill(getpid(), SIGRTMIN+1)", kill(getpid(), RTSIG(1)), 0);
	check("kill(getpid(), SIGRTMIN+1) again", kill(getpid(), RTSIG(1)), 0);
	checkx("rt_sigpending", pending(), BIT(RTSIG(1)));
	check("handler runs while blocked", hits, 0);
	setmask(SIG_UNBLOCK, BIT(RTSIG(1)));
	trail_is("SIGRTMIN+1 x3 by sigqueue (values), x2 by kill (1000 + SI_USER)", queued);
	checkx("rt_sigpending after", pending(), 0);
}

/*
 * delivery_order: several signals unblocked at once. Linux dequeues the
 * lowest number first, and sets up each handler's frame before the
 * next: with empty sa_masks the frames nest, so the handlers run
 * highest number first. With every signal in sa_mask, each must wait
 * for the handler before it: lowest first.
 */
static const int order_sigs[] = {RTSIG(3), SIGUSR2, RTSIG(1), SIGHUP, SIGUSR1};

static void send_all_blocked(unsigned long all)
{
	setmask(SIG_BLOCK, all);
	for (int i = 0; i < 5; i++)
		kill(getpid(), order_sigs[i]);
	if (pending() != all)
		fail("pending %#lx, want %#lx", pending(), all);
	setmask(SIG_UNBLOCK, all);
}

static void t_delivery_order(void)
{
	static const int nested[] = {RTSIG(3), RTSIG(1), SIGUSR2, SIGUSR1, SIGHUP, -1};
	static const int serial[] = {SIGHUP, SIGUSR1, SIGUSR2, RTSIG(1), RTSIG(3), -1};
	unsigned long all = 0;

	for (int i = 0; i < 5; i++)
		all |= BIT(order_sigs[i]);
	reset_notes();
	for (int i = 0; i < 5; i++)
		if (!on(order_sigs[i], counting, 0, 0))
			return;
	send_all_blocked(all);
	trail_is("handlers entered, empty sa_masks (frames nest)", nested);
	reset_notes();
	for (int i = 0; i < 5; i++)
		if (!on(order_sigs[i], counting, 0, all))
			return;
	send_all_blocked(all);
	trail_is("handlers entered, all five in each sa_mask", serial);
}

/* ignored_signals: SIG_IGN discards at sending, unless the signal is blocked. */
static void t_ignored_signals(void)
{
	reset_notes();
	if (!set_disp(SIGUSR1, SIG_IGN))
		return;
	raise(SIGUSR1);
	checkx("pending after raising an ignored SIGUSR1", pending(), 0);
	/* Blocked and ignored: Linux queues it; unblocking discards it. */
	setmask(SIG_BLOCK, BIT(SIGUSR1));
	raise(SIGUSR1);
	checkx("pending after raising a blocked, ignored SIGUSR1", pending(), BIT(SIGUSR1));
	setmask(SIG_UNBLOCK, BIT(SIGUSR1));
	checkx("pending after unblocking it", pending(), 0);
	/* SIG_IGN for a pending signal discards it. */
	if (!on(SIGTERM, counting, 0, 0))
		return;
	setmask(SIG_BLOCK, BIT(SIGTERM));
	raise(SIGTERM);
	checkx("pending: blocked SIGTERM with a handler", pending(), BIT(SIGTERM));
	set_disp(SIGTERM, SIG_IGN);
	checkx("pending after sigaction(SIGTERM, SIG_IGN)", pending(), 0);
	setmask(SIG_UNBLOCK, BIT(SIGTERM));
	check("SIGTERM handler runs", hits, 0);
	/* Default-ignored signals behave the same. */
	raise(SIGWINCH);
	raise(SIGCHLD);
	checkx("pending after raising SIGWINCH and SIGCHLD (SIG_DFL ignores)", pending(), 0);
	setmask(SIG_BLOCK, BIT(SIGCHLD));
	raise(SIGCHLD);
	checkx("pending after raising a blocked SIGCHLD (SIG_DFL)", pending(), BIT(SIGCHLD));
	setmask(SIG_UNBLOCK, BIT(SIGCHLD));
	checkx("pending after unblocking it", pending(), 0);
}

/* sigaction_errors: the argument checks of the mask and action calls. */
static void sigaction_arg_errors(void)
{
	struct ksigaction dfl = {SIG_DFL, 0, 0, 0}, old;

	check("rt_sigaction(SIGKILL, SIG_DFL)", sys_sigaction(SIGKILL, &dfl, 0), -EINVAL_);
	check("rt_sigaction(SIGSTOP, SIG_DFL)", sys_sigaction(SIGSTOP, &dfl, 0), -EINVAL_);
	check("rt_sigaction(SIGKILL, NULL, &old): a query", sys_sigaction(SIGKILL, 0, &old), 0);
	check("rt_sigaction(0, NULL, &old)", sys_sigaction(0, 0, &old), -EINVAL_);
	check("rt_sigaction(0, act)", sys_sigaction(0, &dfl, 0), -EINVAL_);
	check("rt_sigaction(65, NULL, &old)", sys_sigaction(65, 0, &old), -EINVAL_);
	check("rt_sigaction(64, NULL, &old)", sys_sigaction(64, 0, &old), 0);
	check("rt_sigaction(-1, NULL, &old)", sys_sigaction(-1, 0, &old), -EINVAL_);
	check("rt_sigaction(sigsetsize 4)",
	      tx_syscall6(SYS_rt_sigaction, SIGUSR1, (long)&dfl, 0, 4, 0, 0), -EINVAL_);
	check("rt_sigaction(sigsetsize 16)",
	      tx_syscall6(SYS_rt_sigaction, SIGUSR1, 0, (long)&old, 16, 0, 0), -EINVAL_);
	check("rt_sigaction(act = bad)", sys_sigaction(SIGUSR1, (void *)BAD_PTR, 0), -EFAULT_);
	check("rt_sigaction(old = bad)", sys_sigaction(SIGUSR1, 0, (void *)BAD_PTR), -EFAULT_);
}

static void t_sigaction_errors(void)
{
	unsigned long set = BIT(SIGUSR1), old;
	siginfo_t si;

	sigaction_arg_errors();
	check("rt_sigprocmask(how 3, set)", sys_sigprocmask(3, &set, 0), -EINVAL_);
	check("rt_sigprocmask(how 3, NULL, &old): how is not looked at",
	      sys_sigprocmask(3, 0, &old), 0);
	check("rt_sigprocmask(sigsetsize 4)",
	      tx_syscall6(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 4, 0, 0), -EINVAL_);
	check("rt_sigprocmask(set = bad)", sys_sigprocmask(SIG_BLOCK, (void *)BAD_PTR, 0), -EFAULT_);
	check("rt_sigprocmask(old = bad)", sys_sigprocmask(SIG_BLOCK, 0, (void *)BAD_PTR), -EFAULT_);
	check("rt_sigpending(bad)", tx_syscall2(SYS_rt_sigpending, BAD_PTR, 8), -EFAULT_);
	check("rt_sigpending(sigsetsize 16)", tx_syscall2(SYS_rt_sigpending, &old, 16), -EINVAL_);
	check("rt_sigpending(sigsetsize 4): smaller sets are allowed",
	      tx_syscall2(SYS_rt_sigpending, &old, 4), 0);
	check("rt_sigprocmask(SIG_SETMASK, all)", setmask(SIG_SETMASK, ~0UL), 0);
	checkx("mask: everything but SIGKILL and SIGSTOP", blocked(),
	       ~(BIT(SIGKILL) | BIT(SIGSTOP)));
	setmask(SIG_SETMASK, 0);
	/* Only a process itself may queue a siginfo with si_code >= 0. */
	memset(&si, 0, sizeof si);
	si.si_signo = 0;
	si.si_code = SI_USER;
	check("rt_sigqueueinfo(parent, 0, SI_USER)",
	      tx_syscall3(SYS_rt_sigqueueinfo, sys_getppid(), 0, &si), -EPERM_);
	check("rt_sigqueueinfo(self, 0, SI_USER)",
	      tx_syscall3(SYS_rt_sigqueueinfo, sys_getpid(), 0, &si), 0);
	check("rt_sigqueueinfo(self, SIGUSR1, bad)",
	      tx_syscall3(SYS_rt_sigqueueinfo, sys_getpid(), SIGUSR1, BAD_PTR), -EFAULT_);
	/* rt_tgsigqueueinfo names one thread: the same rules, and EINVAL for
	 * a tgid or tid that is not positive, ESRCH for a thread of another
	 * group. */
	long me = sys_getpid();
	check("rt_tgsigqueueinfo(self, self, 0, SI_USER)",
	      tx_syscall6(SYS_rt_tgsigqueueinfo, me, me, 0, (long)&si, 0, 0), 0);
	check("rt_tgsigqueueinfo(parent, parent, 0, SI_USER)",
	      tx_syscall6(SYS_rt_tgsigqueueinfo, sys_getppid(), sys_getppid(), 0, (long)&si, 0, 0), -EPERM_);
	check("rt_tgsigqueueinfo(0, self)",
	      tx_syscall6(SYS_rt_tgsigqueueinfo, 0, me, 0, (long)&si, 0, 0), -EINVAL_);
	check("rt_tgsigqueueinfo(self, -1)",
	      tx_syscall6(SYS_rt_tgsigqueueinfo, me, -1, 0, (long)&si, 0, 0), -EINVAL_);
	check("rt_tgsigqueueinfo(self, self, SIGUSR1, bad)",
	      tx_syscall6(SYS_rt_tgsigqueueinfo, me, me, SIGUSR1, BAD_PTR, 0, 0), -EFAULT_);
	check("rt_tgsigqueueinfo(self, self, 65)",
	      tx_syscall6(SYS_rt_tgsigqueueinfo, me, me, 65, (long)&si, 0, 0), -EINVAL_);
	check("rt_tgsigqueueinfo(parent's group, self)",
	      tx_syscall6(SYS_rt_tgsigqueueinfo, sys_getppid(), me, 0, (long)&si, 0, 0), -ESRCH_);
}

/* sigaltstack: SA_ONSTACK handlers run on the alternate stack. */
static char alt_stack[4 * SIGSTKSZ] __attribute__((aligned(16)));
static char alt_other[4 * SIGSTKSZ] __attribute__((aligned(16)));
static volatile unsigned long alt_local;
static stack_t alt_seen;
static volatile long alt_change;

static long sys_sigaltstack(const stack_t *ss, stack_t *old)
{
	return tx_syscall2(SYS_sigaltstack, ss, old);
}

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
	volatile char local = 0;
	stack_t other = {alt_other, 0, sizeof alt_other};

	counting(sig, si, uc);
	alt_local = (unsigned long)&local;
	memset(&alt_seen, 0x55, sizeof alt_seen);
	sys_sigaltstack(0, &alt_seen);
	alt_change = sys_sigaltstack(&other, 0);
}

static int on_alt(unsigned long a)
{
	return a >= (unsigned long)alt_stack && a < (unsigned long)alt_stack + sizeof alt_stack;
}

static void t_sigaltstack(void)
{
	stack_t ss = {alt_stack, 0, sizeof alt_stack}, old, cur;

	reset_notes();
	if (!check("sigaltstack(NULL, &old)", sys_sigaltstack(0, &old), 0))
		return;
	check("ss_flags at start (SS_DISABLE)", old.ss_flags, SS_DISABLE);
	check("sigaltstack(32 KiB)", sys_sigaltstack(&ss, 0), 0);
	if (!on(SIGUSR1, alt_handler, SA_ONSTACK, 0))
		return;
	raise(SIGUSR1);
	if (!check("SA_ONSTACK handler runs", hits, 1))
		return;
	if (!on_alt(alt_local))
		fail("handler's local at %#lx, not on the alternate stack %p", alt_local, alt_stack);
	check("sigaltstack's ss_flags in the handler (SS_ONSTACK)", alt_seen.ss_flags, SS_ONSTACK);
	checkx("ss_sp in the handler", (unsigned long)alt_seen.ss_sp, (unsigned long)alt_stack);
	check("sigaltstack(new) while on it", alt_change, -EPERM_);
	check("sigaltstack(NULL, &cur) after", sys_sigaltstack(0, &cur), 0);
	check("ss_flags after the handler", cur.ss_flags, 0);
	check("ss_size after the handler", (long)cur.ss_size, sizeof alt_stack);
	reset_notes();
	on(SIGUSR1, alt_handler, 0, 0);
	raise(SIGUSR1);
	if (hits != 1 || on_alt(alt_local) || alt_seen.ss_flags != 0)
		fail("handler without SA_ONSTACK: ran %d, local %#lx, ss_flags %d", hits,
		     alt_local, alt_seen.ss_flags);
	ss.ss_size = 1024;
	check("sigaltstack(ss_size 1024 < MINSIGSTKSZ)", sys_sigaltstack(&ss, 0), -ENOMEM_);
	ss.ss_size = sizeof alt_stack;
	ss.ss_flags = 4;
	check("sigaltstack(ss_flags 4)", sys_sigaltstack(&ss, 0), -EINVAL_);
	check("sigaltstack(bad)", sys_sigaltstack((void *)BAD_PTR, 0), -EFAULT_);
	check("sigaltstack(NULL, bad)", sys_sigaltstack(0, (void *)BAD_PTR), -EFAULT_);
	ss.ss_flags = SS_DISABLE;
	check("sigaltstack(SS_DISABLE)", sys_sigaltstack(&ss, 0), 0);
	sys_sigaltstack(0, &cur);
	if (cur.ss_flags != SS_DISABLE || cur.ss_size != 0)
		fail("after SS_DISABLE: ss_flags %d ss_size %zu, want 2 and 0", cur.ss_flags,
		     cur.ss_size);
}

/* ---------------------------------------------------------------------
 * Registers across a handler
 * ------------------------------------------------------------------- */

/*
 * The register cases load PAT(d) into register number d of this order:
 * rax 0, rbx 1, rcx 2, rdx 3, rsi 4, rdi 5, rbp 6, r8 7 ... r15 e, and
 * store register d into out[d] afterwards, %rsp into out[15] and the
 * %rsp before into out[16]. tx_clobber is a handler that overwrites
 * every register but %rsp and returns: the kernel must give all of them
 * back from the frame, callee-saved or not.
 */
#define PAT(d) "$0x5a" #d "00000000005a" #d

static unsigned long pat(int d)
{
	return 0x5a000000000005a0UL | (unsigned long)d << 52 | (unsigned long)d;
}

volatile int sig_asm_hits;	/* tx_clobber's and fpu_clobber's runs */
void tx_clobber(int, siginfo_t *, void *);
void tx_regs_spin(unsigned long *out);
void tx_regs_syscall(unsigned long *out, long pid, long sig);

#define REGS_STORE                                                        \
	"	push %rax\n"                                               \
	"	mov 8(%rsp), %rax\n"                                       \
	"	popq 0(%rax)\n"                                            \
	"	mov %rbx, 8(%rax)\n	mov %rcx, 16(%rax)\n"              \
	"	mov %rdx, 24(%rax)\n	mov %rsi, 32(%rax)\n"              \
	"	mov %rdi, 40(%rax)\n	mov %rbp, 48(%rax)\n"              \
	"	mov %r8, 56(%rax)\n	mov %r9, 64(%rax)\n"               \
	"	mov %r10, 72(%rax)\n	mov %r11, 80(%rax)\n"              \
	"	mov %r12, 88(%rax)\n	mov %r13, 96(%rax)\n"              \
	"	mov %r14, 104(%rax)\n	mov %r15, 112(%rax)\n"             \
	"	mov %rsp, 120(%rax)\n"                                     \
	"	pop %rdi\n	pop %r15\n	pop %r14\n	pop %r13\n"  \
	"	pop %r12\n	pop %rbp\n	pop %rbx\n	ret\n"

#define REGS_ENTER                                                        \
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n" \
	"	push %r14\n	push %r15\n	push %rdi\n"                 \
	"	mov %rsp, 128(%rdi)\n"

__asm__(".text\n"
	".globl tx_clobber\n"
	".type tx_clobber, @function\n"
	"tx_clobber:\n"
	"	incl sig_asm_hits(%rip)\n"
	"	movabs $0xdeadbeefdeadbeef, %rax\n"
	"	mov %rax, %rbx\n	mov %rax, %rcx\n	mov %rax, %rdx\n"
	"	mov %rax, %rsi\n	mov %rax, %rdi\n	mov %rax, %rbp\n"
	"	mov %rax, %r8\n	mov %rax, %r9\n	mov %rax, %r10\n"
	"	mov %rax, %r11\n	mov %rax, %r12\n	mov %rax, %r13\n"
	"	mov %rax, %r14\n	mov %rax, %r15\n"
	"	ret\n"
	/* tx_regs_spin(out): every register loaded, spin until a handler ran. */
	".globl tx_regs_spin\n"
	".type tx_regs_spin, @function\n"
	"tx_regs_spin:\n"
	REGS_ENTER
	"	movabs " PAT(0) ", %rax\n	movabs " PAT(1) ", %rbx\n"
	"	movabs " PAT(2) ", %rcx\n	movabs " PAT(3) ", %rdx\n"
	"	movabs " PAT(4) ", %rsi\n	movabs " PAT(5) ", %rdi\n"
	"	movabs " PAT(6) ", %rbp\n	movabs " PAT(7) ", %r8\n"
	"	movabs " PAT(8) ", %r9\n	movabs " PAT(9) ", %r10\n"
	"	movabs " PAT(a) ", %r11\n	movabs " PAT(b) ", %r12\n"
	"	movabs " PAT(c) ", %r13\n	movabs " PAT(d) ", %r14\n"
	"	movabs " PAT(e) ", %r15\n"
	"1:	cmpl $0, sig_asm_hits(%rip)\n"
	"	je 1b\n"
	REGS_STORE
	/* tx_regs_syscall(out, pid, sig): kill(pid, sig) with the rest loaded. */
	".globl tx_regs_syscall\n"
	".type tx_regs_syscall, @function\n"
	"tx_regs_syscall:\n"
	REGS_ENTER
	"	mov %rsi, %rax\n	mov %rdx, %rsi\n	mov %rax, %rdi\n"
	"	movabs " PAT(1) ", %rbx\n	movabs " PAT(3) ", %rdx\n"
	"	movabs " PAT(6) ", %rbp\n	movabs " PAT(7) ", %r8\n"
	"	movabs " PAT(8) ", %r9\n	movabs " PAT(9) ", %r10\n"
	"	movabs " PAT(b) ", %r12\n	movabs " PAT(c) ", %r13\n"
	"	movabs " PAT(d) ", %r14\n	movabs " PAT(e) ", %r15\n"
	"	mov $62, %eax\n" /* kill */
	"	syscall\n"
	REGS_STORE);

static const char *const reg_names[15] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
					   "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

/* check_regs: out[] as stored; want_of(d) < 0 means not checked. */
static void check_regs(const char *how, const unsigned long *out, const long *want_of)
{
	for (int d = 0; d < 15; d++) {
		unsigned long want = want_of && want_of[d] != 0 ? (unsigned long)want_of[d] : pat(d);
		if (want_of && want_of[d] < 0)
			continue;
		if (out[d] != want)
			fail("%s: %%%s = %#lx, want %#lx", how, reg_names[d], out[d], want);
	}
	if (out[15] != out[16])
		fail("%s: %%rsp = %#lx, want %#lx", how, out[15], out[16]);
}

/* regs_across_syscall: a handler on the way out of kill() changes nothing. */
static void t_regs_across_syscall(void)
{
	unsigned long out[17];
	long want[15] = {0};

	if (!on(SIGUSR1, tx_clobber, 0, 0))
		return;
	sig_asm_hits = 0;
	memset(out, 0, sizeof out);
	tx_regs_syscall(out, sys_getpid(), SIGUSR1);
	if (!check("handler runs on the way out of kill()", sig_asm_hits, 1))
		return;
	/* %rax: kill's result; %rcx and %r11: the syscall instruction's own. */
	want[0] = -1; /* checked below: 0 is "the pattern" in want[] */
	want[2] = want[10] = -1;
	want[4] = SIGUSR1;
	want[5] = sys_getpid();
	check_regs("after kill(self, SIGUSR1)", out, want);
	check("%rax after kill(self, SIGUSR1)", (long)out[0], 0);
}

/* regs_across_interrupt: a handler that interrupts a loop changes nothing. */
static void t_regs_across_interrupt(void)
{
	unsigned long out[17];

	for (int i = 0; i < 3; i++) {
		if (!on(SIGUSR1, tx_clobber, 0, 0))
			return;
		sig_asm_hits = 0;
		memset(out, 0, sizeof out);
		long pid = poker(10 + 10 * i, SIGUSR1, 0, -1);
		if (pid < 0)
			return;
		tx_regs_spin(out);
		reap("poker", pid, 0);
		check_regs("a spin loop interrupted by SIGUSR1", out, 0);
		if (case_failed)
			return;
	}
}

/*
 * fpu_preserved: xmm0-15, MXCSR, the x87 control word and st(0) survive
 * a handler that changes them all; the handler itself starts with the
 * ABI's initial MXCSR (0x1f80) and x87 control word (0x37f).
 */
struct fpu_regs {
	unsigned char xmm[16][16];
	unsigned int mxcsr;
	unsigned short fcw, pad;
	double st0;
};

void tx_fpu(const struct fpu_regs *in, struct fpu_regs *out, long pid, long sig);

__asm__(".text\n"
	".globl tx_fpu\n"
	".type tx_fpu, @function\n"
	"tx_fpu:\n"
	"	movdqu 0(%rdi), %xmm0\n	movdqu 16(%rdi), %xmm1\n"
	"	movdqu 32(%rdi), %xmm2\n	movdqu 48(%rdi), %xmm3\n"
	"	movdqu 64(%rdi), %xmm4\n	movdqu 80(%rdi), %xmm5\n"
	"	movdqu 96(%rdi), %xmm6\n	movdqu 112(%rdi), %xmm7\n"
	"	movdqu 128(%rdi), %xmm8\n	movdqu 144(%rdi), %xmm9\n"
	"	movdqu 160(%rdi), %xmm10\n	movdqu 176(%rdi), %xmm11\n"
	"	movdqu 192(%rdi), %xmm12\n	movdqu 208(%rdi), %xmm13\n"
	"	movdqu 224(%rdi), %xmm14\n	movdqu 240(%rdi), %xmm15\n"
	"	ldmxcsr 256(%rdi)\n"
	"	fldcw 260(%rdi)\n"
	"	fldl 264(%rdi)\n"
	"	mov %rsi, %r8\n	mov %rdx, %rdi\n	mov %rcx, %rsi\n"
	"	mov $62, %eax\n" /* kill(pid, sig) */
	"	syscall\n"
	"1:	cmpl $0, sig_asm_hits(%rip)\n"
	"	je 1b\n"
	"	movdqu %xmm0, 0(%r8)\n	movdqu %xmm1, 16(%r8)\n"
	"	movdqu %xmm2, 32(%r8)\n	movdqu %xmm3, 48(%r8)\n"
	"	movdqu %xmm4, 64(%r8)\n	movdqu %xmm5, 80(%r8)\n"
	"	movdqu %xmm6, 96(%r8)\n	movdqu %xmm7, 112(%r8)\n"
	"	movdqu %xmm8, 128(%r8)\n	movdqu %xmm9, 144(%r8)\n"
	"	movdqu %xmm10, 160(%r8)\n	movdqu %xmm11, 176(%r8)\n"
	"	movdqu %xmm12, 192(%r8)\n	movdqu %xmm13, 208(%r8)\n"
	"	movdqu %xmm14, 224(%r8)\n	movdqu %xmm15, 240(%r8)\n"
	"	stmxcsr 256(%r8)\n"
	"	fnstcw 260(%r8)\n"
	"	fstpl 264(%r8)\n"
	"	ret\n");

static volatile unsigned int entry_mxcsr;
static volatile unsigned short entry_fcw;

static void fpu_clobber(int sig, siginfo_t *si, void *uc)
{
	unsigned int m, ftz = 0x9fc0;
	unsigned short cw;

	(void)sig, (void)si, (void)uc;
	__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(m), "=m"(cw));
	entry_mxcsr = m;
	entry_fcw = cw;
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tpcmpeqd %%xmm1, %%xmm1\n\t"
			 "pcmpeqd %%xmm2, %%xmm2\n\tpcmpeqd %%xmm3, %%xmm3\n\t"
			 "pcmpeqd %%xmm4, %%xmm4\n\tpcmpeqd %%xmm5, %%xmm5\n\t"
			 "pcmpeqd %%xmm6, %%xmm6\n\tpcmpeqd %%xmm7, %%xmm7\n\t"
			 "pcmpeqd %%xmm8, %%xmm8\n\tpcmpeqd %%xmm9, %%xmm9\n\t"
			 "pcmpeqd %%xmm10, %%xmm10\n\tpcmpeqd %%xmm11, %%xmm11\n\t"
			 "pcmpeqd %%xmm12, %%xmm12\n\tpcmpeqd %%xmm13, %%xmm13\n\t"
			 "pcmpeqd %%xmm14, %%xmm14\n\tpcmpeqd %%xmm15, %%xmm15\n\t"
			 "fninit\n\tldmxcsr %0"
			 :
			 : "m"(ftz)
			 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	sig_asm_hits++;
}

static void fpu_round(const char *how, int by_poker)
{
	struct fpu_regs in, out;
	long pid = 0;

	for (int i = 0; i < 256; i++)
		in.xmm[i / 16][i % 16] = (unsigned char)(i * 7 + 0x31);
	in.mxcsr = 0x7f80; /* round toward zero */
	in.fcw = 0x027f;   /* 53-bit precision */
	in.pad = 0;
	in.st0 = 3.25;
	memset(&out, 0, sizeof out);
	sig_asm_hits = 0;
	entry_mxcsr = entry_fcw = 0;
	if (by_poker && (pid = poker(20, SIGUSR1, 0, -1)) < 0)
		return;
	tx_fpu(&in, &out, sys_getpid(), by_poker ? 0 : SIGUSR1);
	if (pid > 0)
		reap("poker", pid, 0);
	for (int r = 0; r < 16; r++)
		if (memcmp(in.xmm[r], out.xmm[r], 16) != 0)
			fail("%s: xmm%d changed (byte 0 %#x, want %#x)", how, r, out.xmm[r][0],
			     in.xmm[r][0]);
	checkx("MXCSR after the handler", out.mxcsr, in.mxcsr);
	checkx("x87 control word after the handler", out.fcw, in.fcw);
	if (out.st0 != in.st0)
		fail("%s: st(0) = %g, want %g", how, out.st0, in.st0);
	checkx("MXCSR on entry to the handler", entry_mxcsr, 0x1f80);
	checkx("x87 control word on entry to the handler", entry_fcw, 0x37f);
}

static void t_fpu_preserved(void)
{
	if (!on(SIGUSR1, fpu_clobber, 0, 0))
		return;
	fpu_round("signal on the way out of kill()", 0);
	fpu_round("signal interrupting a loop", 1);
}

/* ---------------------------------------------------------------------
 * Faults
 * ------------------------------------------------------------------- */

/*
 * fault_handler records a fault's siginfo and frame, then resolves it:
 * makes fix_page writable and returns (the access is retried), or sets
 * the frame's %rip to resume_at and returns, or siglongjmps to
 * fault_jmp; with none of these it just returns (int3 is a trap: %rip
 * is already past it).
 */
static sigjmp_buf fault_jmp;
static volatile int fault_jump;
static volatile unsigned long fix_page, resume_at;
static volatile unsigned long f_trapno, f_err, f_cr2, f_rip;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	greg_t *g = ((ucontext_t *)uc)->uc_mcontext.gregs;

	counting(sig, si, uc);
	f_trapno = (unsigned long)g[REG_TRAPNO];
	f_err = (unsigned long)g[REG_ERR];
	f_cr2 = (unsigned long)g[REG_CR2];
	f_rip = (unsigned long)g[REG_RIP];
	if (fix_page) {
		tx_syscall3(SYS_mprotect, fix_page, PAGE, PROT_READ | PROT_WRITE);
		fix_page = 0;
	} else if (resume_at) {
		g[REG_RIP] = (greg_t)resume_at;
		resume_at = 0;
	} else if (fault_jump) {
		fault_jump = 0;
		siglongjmp(fault_jmp, 1);
	}
}

/* touch reads or writes addr; 1 if the access completed, 0 if jumped out. */
__attribute__((noinline)) static int touch(unsigned long addr, int write)
{
	if (sigsetjmp(fault_jmp, 1))
		return 0;
	fault_jump = 1;
	if (write)
		*(volatile char *)addr = 42;
	else
		(void)*(volatile char *)addr;
	fault_jump = 0;
	return 1;
}

/* unmapped_page maps a page and unmaps it: an address sure to be free. */
static unsigned long unmapped_page(void)
{
	long p = tx_syscall6(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (tx_is_err(p))
		return NONCANON_ADDR - PAGE; /* the top user page: unmapped too */
	tx_syscall2(SYS_munmap, p, PAGE);
	return (unsigned long)p;
}

struct fault_want {
	int sig, code;
	unsigned long addr, trapno, err;
};

static void expect_fault(const char *what, const struct fault_want *w)
{
	if (!check(what, hits, 1))
		return;
	if (hinfo.si_signo != w->sig || hinfo.si_code != w->code ||
	    (unsigned long)hinfo.si_addr != w->addr)
		fail("%s: signo %d code %#x addr %p, want %d %#x %#lx", what, hinfo.si_signo,
		     hinfo.si_code, hinfo.si_addr, w->sig, w->code, w->addr);
	if (f_trapno != w->trapno || f_err != w->err)
		fail("%s: frame trapno %lu err %#lx, want %lu %#lx", what, f_trapno, f_err,
		     w->trapno, w->err);
	if (w->trapno == TRAP_PF && f_cr2 != w->addr)
		fail("%s: frame cr2 %#lx, want %#lx", what, f_cr2, w->addr);
}

static void t_segv_handler(void)
{
	long p = tx_syscall6(SYS_mmap, 0, PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long gone = unmapped_page() + 0x123; /* after p: not reused by it */

	if (!on(SIGSEGV, fault_handler, 0, 0) || tx_is_err(p))
		return;
	reset_notes();
	check("read of an unmapped page completed", touch(gone, 0), 0);
	expect_fault("read unmapped", &(struct fault_want){SIGSEGV, SEGV_MAPERR, gone, TRAP_PF, 4});
	reset_notes();
	check("write to an unmapped page completed", touch(gone, 1), 0);
	expect_fault("write unmapped", &(struct fault_want){SIGSEGV, SEGV_MAPERR, gone, TRAP_PF, 6});

	/* A write to a read-only page: the handler makes it writable; retried.
	 * Written once before, so the page is present: err has the P bit. */
	*(volatile char *)(p + 0x40) = 1;
	check("mprotect(PROT_READ)", tx_syscall3(SYS_mprotect, p, PAGE, PROT_READ), 0);
	reset_notes();
	fix_page = (unsigned long)p;
	check("write to a read-only page, fixed by the handler", touch(p + 0x40, 1), 1);
	expect_fault("write read-only",
		     &(struct fault_want){SIGSEGV, SEGV_ACCERR, p + 0x40, TRAP_PF, 7});
	check("the byte written after the fix", *(volatile char *)(p + 0x40), 42);

	/* Kernel half: a page fault reported with the protection bit set. */
	reset_notes();
	check("read of a kernel address completed", touch(KERNEL_ADDR, 0), 0);
	expect_fault("read kernel address",
		     &(struct fault_want){SIGSEGV, SEGV_MAPERR, KERNEL_ADDR, TRAP_PF, 5});
	/* Non-canonical: a general-protection fault, no address. */
	reset_notes();
	check("read of a non-canonical address completed", touch(NONCANON_ADDR, 0), 0);
	expect_fault("read non-canonical address",
		     &(struct fault_want){SIGSEGV, SI_KERNEL, 0, TRAP_GP, 0});
	tx_syscall2(SYS_munmap, p, PAGE);
}

/* Instructions that trap, each with a label on it and one after it. */
long tx_div0(void), tx_ud2(void), tx_int3(void), tx_hlt(void), tx_ac(void);
extern char tx_div0_insn[], tx_div0_after[], tx_ud2_insn[], tx_ud2_after[];
extern char tx_int3_insn[], tx_int3_after[], tx_hlt_insn[], tx_hlt_after[];
extern char tx_ac_insn[], tx_ac_after[];

__asm__(".text\n"
	".globl tx_div0, tx_div0_insn, tx_div0_after\n"
	"tx_div0:\n"
	"	mov $1, %eax\n	cltd\n	xor %ecx, %ecx\n"
	"tx_div0_insn:\n	idivl %ecx\n"
	"tx_div0_after:\n	mov $7, %eax\n	ret\n"
	".globl tx_ud2, tx_ud2_insn, tx_ud2_after\n"
	"tx_ud2:\n"
	"tx_ud2_insn:\n	ud2\n"
	"tx_ud2_after:\n	mov $8, %eax\n	ret\n"
	".globl tx_int3, tx_int3_insn, tx_int3_after\n"
	"tx_int3:\n	xor %eax, %eax\n"
	"tx_int3_insn:\n	int3\n"
	"tx_int3_after:\n	mov $9, %eax\n	ret\n"
	".globl tx_hlt, tx_hlt_insn, tx_hlt_after\n"
	"tx_hlt:\n"
	"tx_hlt_insn:\n	hlt\n"
	"tx_hlt_after:\n	mov $10, %eax\n	ret\n"
	/* EFLAGS.AC set (CR0.AM is on in Linux), then a misaligned load. */
	".globl tx_ac, tx_ac_insn, tx_ac_after\n"
	"tx_ac:\n	pushfq\n	orq $0x40000, (%rsp)\n	popfq\n"
	"tx_ac_insn:\n	movl 1(%rsp), %eax\n"
	"tx_ac_after:\n	pushfq\n	andq $~0x40000, (%rsp)\n	popfq\n"
	"	mov $11, %eax\n	ret\n");

/* trap_one runs fn with the handler for sig resuming at after. */
static void trap_one(const char *what, int sig, long (*fn)(void), const char *after,
		     long ret, const struct fault_want *w, const char *at)
{
	reset_notes();
	if (!on(sig, fault_handler, 0, 0))
		return;
	resume_at = w->trapno == TRAP_BP ? 0 : (unsigned long)after;
	long r = fn();
	resume_at = 0;
	check(what, r, ret);
	expect_fault(what, w);
	checkx("frame's %rip", f_rip, (unsigned long)at);
}

static void t_trap_signals(void)
{
	trap_one("idiv by zero", SIGFPE, tx_div0, tx_div0_after, 7,
		 &(struct fault_want){SIGFPE, FPE_INTDIV, (unsigned long)tx_div0_insn, TRAP_DE, 0},
		 tx_div0_insn);
	trap_one("ud2", SIGILL, tx_ud2, tx_ud2_after, 8,
		 &(struct fault_want){SIGILL, ILL_ILLOPN, (unsigned long)tx_ud2_insn, TRAP_UD, 0},
		 tx_ud2_insn);
	/* int3 traps: %rip is already past it; Linux sends SI_KERNEL. */
	trap_one("int3", SIGTRAP, tx_int3, 0, 9,
		 &(struct fault_want){SIGTRAP, SI_KERNEL, 0, TRAP_BP, 0}, tx_int3_after);
	/* hlt in ring 3: a general-protection fault. */
	trap_one("hlt", SIGSEGV, tx_hlt, tx_hlt_after, 10,
		 &(struct fault_want){SIGSEGV, SI_KERNEL, 0, TRAP_GP, 0}, tx_hlt_insn);
}

/*
 * sigbus_alignment: with EFLAGS.AC set (CR0.AM is on in Linux) a
 * misaligned load is an alignment-check fault: SIGBUS, BUS_ADRALN, no
 * address. QEMU's TCG does not emulate alignment checks, so where the
 * load simply succeeds the case is skipped: no kernel can deliver a fault
 * the processor never raised.
 */
static void t_sigbus_alignment(void)
{
	reset_notes();
	if (!on(SIGBUS, fault_handler, 0, 0))
		return;
	resume_at = (unsigned long)tx_ac_after;
	long r = tx_ac();
	resume_at = 0;
	if (hits == 0 && r == 11) {
		skip("this processor (or emulator) does not check alignment");
		return;
	}
	check("misaligned load with EFLAGS.AC", r, 11);
	expect_fault("misaligned load with EFLAGS.AC",
		     &(struct fault_want){SIGBUS, BUS_ADRALN, 0, TRAP_AC, 0});
	checkx("frame's %rip", f_rip, (unsigned long)tx_ac_insn);
}

/* fault_blocked_kills: a fault whose signal is blocked or ignored kills. */
static void forbidden(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	child_fail(3, "handler for signal %d ran while it was blocked", sig);
}

static const struct {
	const char *what;
	int sig, ignore;
	long (*fn)(void);
} blocked_faults[] = {
	{"SIGSEGV blocked, unmapped read", SIGSEGV, 0, 0},
	{"SIGSEGV ignored, unmapped read", SIGSEGV, 1, 0},
	{"SIGFPE blocked, idiv by zero", SIGFPE, 0, tx_div0},
	{"SIGILL ignored, ud2", SIGILL, 1, tx_ud2},
	{"SIGTRAP blocked, int3", SIGTRAP, 0, tx_int3},
	{"SIGSEGV blocked, hlt", SIGSEGV, 0, tx_hlt},
};

static void t_fault_blocked_kills(void)
{
	for (unsigned i = 0; i < sizeof blocked_faults / sizeof blocked_faults[0]; i++) {
		unsigned long gone = unmapped_page();
		long pid = fork_or_fail();
		if (pid < 0)
			return;
		if (pid == 0) {
			int sig = blocked_faults[i].sig;
			if (blocked_faults[i].ignore)
				set_disp(sig, SIG_IGN);
			else if (on(sig, forbidden, 0, 0))
				setmask(SIG_BLOCK, BIT(sig));
			if (blocked_faults[i].fn)
				blocked_faults[i].fn();
			else
				(void)*(volatile char *)gone;
			child_fail(4, "%s: survived", blocked_faults[i].what);
		}
		reap_signaled(blocked_faults[i].what, pid, blocked_faults[i].sig);
	}
	/* A SIGSEGV that is sent, not a fault, just waits while blocked. */
	setmask(SIG_BLOCK, BIT(SIGSEGV));
	raise(SIGSEGV);
	checkx("pending after raising a blocked SIGSEGV", pending(), BIT(SIGSEGV));
	set_disp(SIGSEGV, SIG_IGN);
	setmask(SIG_UNBLOCK, BIT(SIGSEGV));
}

/* ---------------------------------------------------------------------
 * Forged rt_sigreturn frames
 * ------------------------------------------------------------------- */

/*
 * The kernel's x86-64 signal frame (asm/sigcontext.h, asm/ucontext.h):
 * the handler's return address (pretcode), then struct ucontext, then
 * the siginfo. rt_sigreturn finds the ucontext at the %rsp it is called
 * with: just past pretcode, where a handler's ret leaves %rsp.
 */
struct k_sigcontext {
	unsigned long r8, r9, r10, r11, r12, r13, r14, r15;
	unsigned long rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	unsigned short cs, gs, fs, ss;
	unsigned long err, trapno, oldmask, cr2, fpstate, reserved1[8];
};

struct k_ucontext {
	unsigned long flags, link;
	stack_t stack;
	struct k_sigcontext mc;
	unsigned long sigmask;
};

_Static_assert(sizeof(struct k_ucontext) == 304, "the kernel's struct ucontext");
_Static_assert(offsetof(struct k_ucontext, mc.rip) ==
		       offsetof(ucontext_t, uc_mcontext.gregs[REG_RIP]), "musl's gregs");
_Static_assert(offsetof(struct k_ucontext, mc.fpstate) ==
		       offsetof(ucontext_t, uc_mcontext.fpregs), "musl's fpregs");
_Static_assert(offsetof(struct k_ucontext, sigmask) == offsetof(ucontext_t, uc_sigmask),
	       "musl's uc_sigmask");

static struct {
	unsigned long pretcode;
	struct k_ucontext uc;
	siginfo_t info;
} forged __attribute__((aligned(64)));
static struct k_ucontext tmpl;	/* a real frame, copied in a handler */
static char landing_stack[16384] __attribute__((aligned(16)));
unsigned long landing_regs[6];	/* rflags rbx r12 cs ss rsp, as tx_landing found them */
static unsigned long land_set, land_clear; /* rflags bits tx_landing wants set, clear */

void tx_landing(void);
__attribute__((noreturn, used)) void landing_main(void);

/* tx_landing: where a forged frame's %rip points; records, then checks in C. */
__asm__(".text\n"
	".globl tx_landing\n"
	"tx_landing:\n"
	"	pushfq\n"
	"	popq landing_regs(%rip)\n"
	"	cld\n"
	"	mov %rbx, landing_regs+8(%rip)\n"
	"	mov %r12, landing_regs+16(%rip)\n"
	"	xor %eax, %eax\n"
	"	mov %cs, %ax\n"
	"	mov %rax, landing_regs+24(%rip)\n"
	"	mov %ss, %ax\n"
	"	mov %rax, landing_regs+32(%rip)\n"
	"	mov %rsp, landing_regs+40(%rip)\n"
	"	and $-16, %rsp\n"
	"	call landing_main\n"
	"	ud2\n");

void landing_main(void)
{
	unsigned long fl = landing_regs[0];

	if ((fl & land_set) != land_set || (fl & land_clear) != 0)
		child_fail(10, "rflags %#lx: want %#lx set and %#lx clear", fl, land_set, land_clear);
	if (landing_regs[1] != pat(1) || landing_regs[2] != pat(0xb))
		child_fail(11, "rbx %#lx r12 %#lx: not the frame's", landing_regs[1], landing_regs[2]);
	if (landing_regs[3] != tmpl.mc.cs || landing_regs[4] != tmpl.mc.ss)
		child_fail(12, "cs %#lx ss %#lx, want %#x %#x", landing_regs[3], landing_regs[4],
			   tmpl.mc.cs, tmpl.mc.ss);
	if (landing_regs[5] != forged.uc.mc.rsp)
		child_fail(13, "rsp %#lx, want the frame's %#lx", landing_regs[5], forged.uc.mc.rsp);
	if (blocked() != BIT(SIGUSR2))
		child_fail(14, "mask %#lx, want the frame's less SIGKILL and SIGSTOP: %#lx",
			   blocked(), BIT(SIGUSR2));
	tx_exit(0);
}

static void tmpl_handler(int sig, siginfo_t *si, void *uc)
{
	counting(sig, si, uc);
	memcpy(&tmpl, uc, sizeof tmpl);
}

__attribute__((noreturn)) static void sigreturn_to(void *uc)
{
	__asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall\n\tud2" : : "r"(uc) : "memory");
	__builtin_unreachable();
}

enum { F_PLAIN, F_FLAGS, F_KERNEL_RIP, F_NONCANON_RIP, F_KERNEL_SEGS, F_BAD_FPSTATE, F_BAD_RSP };

static const struct {
	const char *what;
	int kind, sig; /* sig 0: tx_landing runs and exits 0 */
} forgeries[] = {
	{"valid frame: registers, mask and %rip come from it", F_PLAIN, 0},
	{"rflags with IOPL 3 and NT, IF clear: ignored; CF and DF taken", F_FLAGS, 0},
	{"%rip in the kernel half", F_KERNEL_RIP, SIGSEGV},
	{"non-canonical %rip", F_NONCANON_RIP, SIGSEGV},
	{"CS 0x10, SS 0x18 (kernel selectors; Linux only forces RPL 3)", F_KERNEL_SEGS, SIGSEGV},
	{"fpstate pointing at an unmapped page", F_BAD_FPSTATE, SIGSEGV},
	{"%rsp (the frame) on an unmapped page", F_BAD_RSP, SIGSEGV},
};

/* forge takes a real frame as the template, changes it, and returns through it. */
__attribute__((noreturn)) static void forge(int kind)
{
	struct k_ucontext *uc = &forged.uc;

	reset_notes();
	if (!on(SIGUSR1, tmpl_handler, 0, 0))
		tx_exit(1);
	raise(SIGUSR1);
	if (hits != 1)
		child_fail(2, "no template: the handler ran %d times", hits);
	*uc = tmpl;
	uc->mc.fpstate = 0; /* the template's is gone: no FPU state, Linux resets it */
	uc->mc.rip = (unsigned long)tx_landing;
	uc->mc.rsp = (unsigned long)(landing_stack + sizeof landing_stack - 64);
	uc->mc.rbx = pat(1);
	uc->mc.r12 = pat(0xb);
	uc->sigmask = BIT(SIGUSR2) | BIT(SIGKILL) | BIT(SIGSTOP);
	land_set = FL_IF;
	land_clear = FL_IOPL | FL_NT;
	switch (kind) {
	case F_FLAGS:
		uc->mc.eflags = (tmpl.mc.eflags | FL_IOPL | FL_NT | FL_CF | FL_DF) & ~FL_IF;
		land_set |= FL_CF | FL_DF;
		break;
	case F_KERNEL_RIP: uc->mc.rip = KERNEL_ADDR; break;
	case F_NONCANON_RIP: uc->mc.rip = NONCANON_ADDR; break;
	case F_KERNEL_SEGS:
		uc->mc.cs = 0x10;
		uc->mc.ss = 0x18;
		break;
	case F_BAD_FPSTATE: uc->mc.fpstate = unmapped_page(); break;
	case F_BAD_RSP: sigreturn_to((void *)(unmapped_page() + 8));
	}
	sigreturn_to(uc);
}

/*
 * frame_cannot_be_written: when the kernel cannot write a handler's
 * frame it kills with SIGSEGV (force_sigsegv): a stack pointer into an
 * unmapped page, and, on x86-64, a handler installed without
 * SA_RESTORER (there is nowhere for it to return to).
 */
long tx_kill_on_stack(long sp, long pid, long sig);
__asm__(".text\n"
	".globl tx_kill_on_stack\n"
	"tx_kill_on_stack:\n"
	"	mov %rdi, %rsp\n	mov %rsi, %rdi\n	mov %rdx, %rsi\n"
	"	mov $62, %eax\n	syscall\n	ud2\n");

static void t_frame_cannot_be_written(void)
{
	long pid = fork_or_fail();
	if (pid == 0) {
		on(SIGUSR1, counting, 0, 0);
		tx_kill_on_stack((long)unmapped_page() + PAGE - 64, sys_getpid(), SIGUSR1);
		tx_exit(1);
	}
	if (pid > 0)
		reap_signaled("handler frame on an unmapped stack", pid, SIGSEGV);
	pid = fork_or_fail();
	if (pid == 0) {
		struct ksigaction ka;
		memset(&ka, 0, sizeof ka);
		ka.handler = (void *)counting;
		ka.flags = SA_SIGINFO; /* no SA_RESTORER */
		if (sys_sigaction(SIGUSR1, &ka, 0) != 0)
			child_fail(2, "rt_sigaction without SA_RESTORER failed");
		sys_kill(sys_getpid(), SIGUSR1);
		tx_exit(1);
	}
	if (pid > 0)
		reap_signaled("handler without SA_RESTORER", pid, SIGSEGV);
}

static void t_forged_sigreturn(void)
{
	for (unsigned i = 0; i < sizeof forgeries / sizeof forgeries[0]; i++) {
		long pid = fork_or_fail();
		if (pid < 0)
			return;
		if (pid == 0)
			forge(forgeries[i].kind);
		if (forgeries[i].sig)
			reap_signaled(forgeries[i].what, pid, forgeries[i].sig);
		else
			reap(forgeries[i].what, pid, 0);
	}
}

/* ---------------------------------------------------------------------
 * Interrupted system calls
 * ------------------------------------------------------------------- */

/* eintr_read: a read of an empty pipe, interrupted; restarted with SA_RESTART. */
static void t_eintr_read(void)
{
	int fds[2];
	char buf[8];
	long pk, r;

	if (!check("pipe2", make_pipe(fds, 0), 0))
		return;
	/* The poker writes too, late: a lost signal fails the case, not hangs it. */
	reset_notes();
	if (!on(SIGALRM, counting, 0, 0) || (pk = poker(50, SIGALRM, 500, fds[1])) < 0)
		return;
	r = tx_syscall3(SYS_read, fds[0], buf, sizeof buf);
	check("read, handler without SA_RESTART", r, -EINTR_);
	check("handler runs", hits, 1);
	sys_kill(pk, SIGKILL);
	reap("poker, killed before it writes", pk, SIGKILL);

	reset_notes();
	if (!on(SIGALRM, counting, SA_RESTART, 0) || (pk = poker(50, SIGALRM, 50, fds[1])) < 0)
		return;
	r = tx_syscall3(SYS_read, fds[0], buf, sizeof buf);
	if (check("read, handler with SA_RESTART: the data written after", r, 4) &&
	    memcmp(buf, "data", 4) != 0)
		fail("read %.4s, want data", buf);
	check("handler runs", hits, 1);
	reap("poker", pk, 0);
}

/* eintr_wait4: wait4 interrupted; restarted with SA_RESTART. */
static void t_eintr_wait4(void)
{
	int st = -1;
	long pk, r;

	reset_notes();
	if (!on(SIGALRM, counting, 0, 0) || (pk = poker(50, SIGALRM, 100, -1)) < 0)
		return;
	r = sys_wait4(pk, &st, 0);
	check("wait4, handler without SA_RESTART", r, -EINTR_);
	check("handler runs", hits, 1);
	reap("poker", pk, 0);

	reset_notes();
	if (!on(SIGALRM, counting, SA_RESTART, 0) || (pk = poker(50, SIGALRM, 100, -1)) < 0)
		return;
	st = -1;
	r = sys_wait4(pk, &st, 0);
	if (check("wait4, handler with SA_RESTART: the child's exit", r, pk))
		check("its status", st, 0);
	check("handler runs", hits, 1);
}

/* eintr_nanosleep: -EINTR and the time left; SA_RESTART does not restart it. */
static void nanosleep_round(const char *what, int flags)
{
	struct timespec req = {2, 0}, rem = {-1, -1};
	long pk, t0 = now_ns();

	reset_notes();
	if (!on(SIGALRM, counting, flags, 0) || (pk = poker(50, SIGALRM, 0, -1)) < 0)
		return;
	check(what, tx_syscall2(SYS_nanosleep, &req, &rem), -EINTR_);
	long took = now_ns() - t0, left = rem.tv_sec * NSEC + rem.tv_nsec;
	check("handler runs", hits, 1);
	if (took >= NSEC)
		fail("%s: took %ld ms", what, took / MSEC);
	if (left <= NSEC || left > 2 * NSEC - 40 * MSEC)
		fail("%s: rem %ld.%09ld s, want a little under 2 s", what, (long)rem.tv_sec,
		     (long)rem.tv_nsec);
	reap("poker", pk, 0);
}

static void t_eintr_nanosleep(void)
{
	nanosleep_round("nanosleep(2 s), handler without SA_RESTART", 0);
	nanosleep_round("nanosleep(2 s), handler with SA_RESTART", SA_RESTART);
}

/* eintr_pause_sigsuspend: never restarted; sigsuspend's mask holds for the handler. */
static void t_eintr_pause_sigsuspend(void)
{
	unsigned long mask = BIT(SIGHUP);
	long pk;

	reset_notes();
	if (!on(SIGALRM, counting, SA_RESTART, 0) || (pk = poker(50, SIGALRM, 0, -1)) < 0)
		return;
	check("pause, handler with SA_RESTART", tx_syscall0(SYS_pause), -EINTR_);
	check("handler runs", hits, 1);
	reap("poker", pk, 0);

	reset_notes();
	setmask(SIG_SETMASK, BIT(SIGALRM) | BIT(SIGTERM));
	if ((pk = poker(50, SIGALRM, 0, -1)) < 0)
		return;
	check("rt_sigsuspend({SIGHUP}), handler with SA_RESTART",
	      tx_syscall2(SYS_rt_sigsuspend, &mask, 8), -EINTR_);
	check("handler runs", hits, 1);
	checkx("mask in the handler: sigsuspend's and SIGALRM", hmask, BIT(SIGHUP) | BIT(SIGALRM));
	checkx("mask after sigsuspend: the old one", blocked(), BIT(SIGALRM) | BIT(SIGTERM));
	reap("poker", pk, 0);

	/* A signal already pending ends sigsuspend at once. */
	reset_notes();
	raise(SIGALRM);
	mask = 0;
	check("rt_sigsuspend({}) with SIGALRM pending", tx_syscall2(SYS_rt_sigsuspend, &mask, 8),
	      -EINTR_);
	check("handler runs", hits, 1);
	check("rt_sigsuspend(sigsetsize 4)", tx_syscall2(SYS_rt_sigsuspend, &mask, 4), -EINVAL_);
	setmask(SIG_SETMASK, 0);
}

/*
 * futex_eintr_restart: FUTEX_WAIT without a timeout is -EINTR, or with
 * SA_RESTART restarted, which then sees the word the handler changed
 * (-EAGAIN); with a timeout it is -EINTR even with SA_RESTART.
 */
static volatile int futex_word;

static void futex_poke(int sig, siginfo_t *si, void *uc)
{
	counting(sig, si, uc);
	futex_word = 1;
}

static void futex_round(const char *what, int flags, long timeout_s, long want)
{
	struct timespec to = {timeout_s, 0};
	long pk;

	reset_notes();
	futex_word = 0;
	if (!on(SIGALRM, futex_poke, flags, 0) || (pk = poker(50, SIGALRM, 0, -1)) < 0)
		return;
	long r = tx_syscall6(SYS_futex, (long)&futex_word, FUTEX_WAIT_, 0,
			     timeout_s ? (long)&to : 0, 0, 0);
	check(what, r, want);
	check("handler runs", hits, 1);
	reap("poker", pk, 0);
}

static void t_futex_eintr_restart(void)
{
	futex_round("FUTEX_WAIT, handler without SA_RESTART", 0, 0, -EINTR_);
	futex_round("FUTEX_WAIT, handler with SA_RESTART (restarted, word changed)", SA_RESTART, 0,
		    -EAGAIN_);
	futex_round("FUTEX_WAIT(2 s timeout), handler with SA_RESTART", SA_RESTART, 2, -EINTR_);
}

/* sigtimedwait: takes a blocked signal without its handler, or times out. */
static long sys_sigtimedwait(unsigned long set, siginfo_t *si, long sec, long nsec)
{
	struct timespec to = {sec, nsec};

	return tx_syscall6(SYS_rt_sigtimedwait, (long)&set, (long)si, (long)&to, 8, 0, 0);
}

static void t_sigtimedwait(void)
{
	siginfo_t si;
	long t0 = now_ns(), pk;

	reset_notes();
	if (!on(SIGUSR1, counting, 0, 0))
		return;
	setmask(SIG_BLOCK, BIT(SIGUSR1));
	check("rt_sigtimedwait(50 ms), nothing sent", sys_sigtimedwait(BIT(SIGUSR1), &si, 0, 50 * MSEC),
	      -EAGAIN_);
	if (now_ns() - t0 < 50 * MSEC)
		fail("rt_sigtimedwait timed out after %ld us, before 50 ms", (now_ns() - t0) / 1000);
	check("rt_sigtimedwait(0), nothing sent", sys_sigtimedwait(BIT(SIGUSR1), &si, 0, 0), -EAGAIN_);
	raise(SIGUSR1);
	memset(&si, 0, sizeof si);
	check("rt_sigtimedwait, SIGUSR1 pending", sys_sigtimedwait(BIT(SIGUSR1), &si, 0, 50 * MSEC),
	      SIGUSR1);
	if (si.si_signo != SIGUSR1 || si.si_code != SI_TKILL || si.si_pid != sys_getpid())
		fail("siginfo signo %d code %d pid %d", si.si_signo, si.si_code, si.si_pid);
	checkx("pending after", pending(), 0);
	if ((pk = poker(50, SIGUSR1, 0, -1)) < 0)
		return;
	memset(&si, 0, sizeof si);
	check("rt_sigtimedwait(2 s), SIGUSR1 sent at 50 ms",
	      sys_sigtimedwait(BIT(SIGUSR1), &si, 2, 0), SIGUSR1);
	if (si.si_code != SI_USER || si.si_pid != pk)
		fail("siginfo code %d pid %d, want SI_USER from %ld", si.si_code, si.si_pid, pk);
	check("handler runs", hits, 0);
	check("rt_sigtimedwait(tv_nsec 2e9)", sys_sigtimedwait(BIT(SIGUSR1), &si, 0, 2 * NSEC),
	      -EINVAL_);
	reap("poker", pk, 0);
}

/* ---------------------------------------------------------------------
 * Timers
 * ------------------------------------------------------------------- */

/* alarm: the seconds left of the previous alarm, rounded; SIGALRM kills. */
static void t_alarm(void)
{
	check("alarm(5), none before", tx_syscall1(SYS_alarm, 5), 0);
	check("alarm(3): 5 s were left", tx_syscall1(SYS_alarm, 3), 5);
	check("alarm(0): 3 s were left", tx_syscall1(SYS_alarm, 0), 3);
	check("alarm(0) again", tx_syscall1(SYS_alarm, 0), 0);
	long pid = fork_or_fail();
	if (pid == 0) {
		tx_syscall1(SYS_alarm, 1);
		child_idle();
	}
	if (pid > 0) {
		long t0 = now_ns();
		reap_signaled("alarm(1) with SIGALRM's default action", pid, SIGALRM);
		long took = (now_ns() - t0) / MSEC;
		if (took < 900 || took > 2000)
			fail("alarm(1) killed after %ld ms", took);
	}
}

/* itimer_real: an interval timer fires repeatedly; getitimer counts down. */
static long sys_setitimer(long which, long value_us, long interval_us, struct itimerval *old)
{
	struct itimerval it = {{interval_us / 1000000, interval_us % 1000000},
			       {value_us / 1000000, value_us % 1000000}};

	return tx_syscall3(SYS_setitimer, which, &it, old);
}

static long us(const struct timeval *tv) { return tv->tv_sec * 1000000L + tv->tv_usec; }

static void t_itimer_real(void)
{
	struct itimerval old, a, b;

	reset_notes();
	if (!on(SIGALRM, counting, SA_RESTART, 0))
		return;
	check("setitimer(ITIMER_REAL, 20 ms every 20 ms)",
	      sys_setitimer(ITIMER_REAL, 20000, 20000, &old), 0);
	long t0 = now_ns();
	check("old value", us(&old.it_value), 0);
	while (hits < 3 && now_ns() - t0 < 2 * NSEC)
		sleep_ms(1);
	long took = (now_ns() - t0) / 1000;
	check("ticks", hits >= 3, 1);
	if (took < 55000)
		fail("3 ticks of 20 ms came after %ld us", took);
	check("getitimer", tx_syscall2(SYS_getitimer, ITIMER_REAL, &a), 0);
	if (us(&a.it_interval) != 20000 || us(&a.it_value) <= 0 || us(&a.it_value) > 20000)
		fail("getitimer: value %ld us interval %ld us", us(&a.it_value), us(&a.it_interval));
	check("setitimer(0): cancel", sys_setitimer(ITIMER_REAL, 0, 0, &old), 0);
	check("old interval", us(&old.it_interval), 20000);
	int n = hits;
	sleep_ms(50);
	check("ticks after cancelling", hits - n, 0);

	sys_setitimer(ITIMER_REAL, 1000000, 0, 0);
	tx_syscall2(SYS_getitimer, ITIMER_REAL, &a);
	sleep_ms(20);
	tx_syscall2(SYS_getitimer, ITIMER_REAL, &b);
	if (us(&a.it_value) > 1000000 || us(&a.it_value) < 900000 ||
	    us(&b.it_value) > us(&a.it_value) - 19000)
		fail("getitimer 20 ms apart: %ld us then %ld us", us(&a.it_value), us(&b.it_value));
	check("alarm(0) cancels the same timer: 1 s left", tx_syscall1(SYS_alarm, 0), 1);
	check("getitimer(which 5)", tx_syscall2(SYS_getitimer, 5, &a), -EINVAL_);
	check("getitimer(bad)", tx_syscall2(SYS_getitimer, ITIMER_REAL, BAD_PTR), -EFAULT_);
}

/*
 * itimer_cpu: ITIMER_VIRTUAL and ITIMER_PROF count the CPU time the
 * process uses, not wall time: a 30 ms one-shot virtual timer fires once
 * while the program spins, not while it sleeps; a 10 ms periodic
 * profiling timer keeps firing while it spins.
 */
static volatile unsigned long spin_sink;
static void spin_until(volatile int *n, int want, long max_ns)
{
	long t0 = now_ns();
	while (*n < want && now_ns() - t0 < max_ns)
		spin_sink++;
}

static void t_itimer_cpu(void)
{
	struct itimerval a;

	reset_notes();
	if (!on(SIGVTALRM, counting, SA_RESTART, 0) || !on(SIGPROF, counting, SA_RESTART, 0))
		return;
	check("setitimer(ITIMER_VIRTUAL, 30 ms)", sys_setitimer(ITIMER_VIRTUAL, 30000, 0, 0), 0);
	sleep_ms(60); /* sleeping uses no CPU time */
	check("SIGVTALRM while asleep", hits, 0);
	check("getitimer(ITIMER_VIRTUAL)", tx_syscall2(SYS_getitimer, ITIMER_VIRTUAL, &a), 0);
	/* Linux rounds the value up to its tick: up to one more tick. */
	if (us(&a.it_value) <= 0 || us(&a.it_value) > 30000 + 10000)
		fail("virtual timer after a sleep: %ld us left", us(&a.it_value));
	spin_until(&hits, 1, 5 * NSEC);
	check("SIGVTALRM once the CPU time is spent", hits, 1);
	check("signal", hinfo.si_signo, SIGVTALRM);
	spin_until(&hits, 2, 100 * MSEC);
	check("a one-shot timer fires once", hits, 1);
	hits = 0;
	check("setitimer(ITIMER_PROF, 10 ms every 10 ms)", sys_setitimer(ITIMER_PROF, 10000, 10000, 0), 0);
	spin_until(&hits, 3, 5 * NSEC);
	check("SIGPROF three times while spinning", hits >= 3, 1);
	check("signal", hinfo.si_signo, SIGPROF);
	check("cancel", sys_setitimer(ITIMER_PROF, 0, 0, &a), 0);
	check("old interval", us(&a.it_interval), 10000);
}

/* ---------------------------------------------------------------------
 * Children: SIGCHLD, stop and continue
 * ------------------------------------------------------------------- */

/* wait_hits waits (bounded) until handlers ran n times; 1 if they did. */
static int wait_hits(const char *what, int n)
{
	long end = now_ns() + KID_MS * MSEC;

	while (hits < n && now_ns() < end)
		sleep_ms(1);
	if (hits >= n)
		return 1;
	fail("%s: %d handler runs after %d ms, want %d", what, hits, KID_MS, n);
	return 0;
}

/* wait_state polls wait4(pid, options|WNOHANG) for at most ms; 1 if reported. */
static int wait_state(const char *what, long pid, int options, int want)
{
	long end = now_ns() + KID_MS * MSEC, r;
	int st = -1;

	do {
		r = sys_wait4(pid, &st, options | WNOHANG);
		if (r == pid)
			break;
		if (r != 0) {
			fail("%s: wait4(%ld) = %s", what, pid, en(r));
			return 0;
		}
		sleep_ms(1);
	} while (now_ns() < end);
	if (r != pid)
		fail("%s: nothing reported within %d ms", what, KID_MS);
	else if (st != want)
		fail("%s: %s (%#x), want %s (%#x)", what, wstatus(st), st, wstatus(want), want);
	return r == pid && st == want;
}

static int chld_is(const char *what, long pid, int code, int status)
{
	if (hinfo.si_signo == SIGCHLD && hinfo.si_pid == pid && hinfo.si_code == code &&
	    hinfo.si_status == status && hinfo.si_uid == tx_syscall0(SYS_getuid))
		return 1;
	fail("%s: SIGCHLD signo %d pid %d code %d status %d, want %d %ld %d %d", what,
	     hinfo.si_signo, hinfo.si_pid, hinfo.si_code, hinfo.si_status, SIGCHLD, pid, code,
	     status);
	return 0;
}

/* sigchld_info: the handler's siginfo; SIG_IGN and SA_NOCLDWAIT reap. */
static void t_sigchld_info(void)
{
	int st;
	long pid;

	reset_notes();
	if (!on(SIGCHLD, counting, 0, 0) || (pid = fork_or_fail()) < 0)
		return;
	if (pid == 0)
		tx_exit(7);
	if (wait_hits("child exits 7", 1))
		chld_is("child exits 7", pid, CLD_EXITED, 7);
	reap("child", pid, 7 << 8);
	reset_notes();
	if ((pid = fork_or_fail()) == 0)
		child_idle();
	sys_kill(pid, SIGKILL);
	if (wait_hits("child killed", 1))
		chld_is("child killed", pid, CLD_KILLED, SIGKILL);
	reap("child", pid, SIGKILL);

	/* SIG_IGN: reaped by the kernel; wait4 waits for it, then -ECHILD. */
	set_disp(SIGCHLD, SIG_IGN);
	if ((pid = fork_or_fail()) == 0)
		tx_exit(0);
	check("wait4, SIGCHLD ignored", sys_wait4(pid, &st, 0), -ECHILD_);
	check("kill(child, 0) after", sys_kill(pid, 0), -ESRCH_);
	/* SA_NOCLDWAIT: reaped too, and the handler still runs. */
	reset_notes();
	on(SIGCHLD, counting, SA_NOCLDWAIT, 0);
	if ((pid = fork_or_fail()) == 0)
		tx_exit(3);
	check("wait4, SA_NOCLDWAIT", sys_wait4(pid, &st, 0), -ECHILD_);
	if (wait_hits("SA_NOCLDWAIT child exits 3", 1))
		chld_is("SA_NOCLDWAIT child exits 3", pid, CLD_EXITED, 3);
}

/* sigchld_stop: CLD_STOPPED and CLD_CONTINUED; SA_NOCLDSTOP silences both. */
static void t_sigchld_stop(void)
{
	long pid;

	reset_notes();
	if (!on(SIGCHLD, counting, 0, 0) || (pid = fork_or_fail()) < 0)
		return;
	if (pid == 0)
		child_idle();
	sys_kill(pid, SIGSTOP);
	if (wait_hits("child stopped", 1))
		chld_is("child stopped", pid, CLD_STOPPED, SIGSTOP);
	wait_state("wait4(WUNTRACED)", pid, WUNTRACED, 0x137f);
	sys_kill(pid, SIGCONT);
	if (wait_hits("child continued", 2))
		chld_is("child continued", pid, CLD_CONTINUED, SIGCONT);
	wait_state("wait4(WCONTINUED)", pid, WCONTINUED, 0xffff);

	reset_notes();
	on(SIGCHLD, counting, SA_NOCLDSTOP, 0);
	sys_kill(pid, SIGSTOP);
	wait_state("wait4(WUNTRACED), SA_NOCLDSTOP", pid, WUNTRACED, 0x137f);
	sys_kill(pid, SIGCONT);
	wait_state("wait4(WCONTINUED), SA_NOCLDSTOP", pid, WCONTINUED, 0xffff);
	sleep_ms(20);
	check("SA_NOCLDSTOP: SIGCHLDs for stop and continue", hits, 0);
	sys_kill(pid, SIGKILL);
	if (wait_hits("SA_NOCLDSTOP, child killed", 1))
		chld_is("SA_NOCLDSTOP, child killed", pid, CLD_KILLED, SIGKILL);
	reap("child", pid, SIGKILL);
}

/* stop_continue: wait4 and waitid see stops and continues once each. */
static void check_waitid(const char *what, long pid, int options, int code, int status)
{
	siginfo_t si;
	long end = now_ns() + KID_MS * MSEC, r;

	do {
		memset(&si, 0, sizeof si);
		r = sys_waitid(P_PID, pid, &si, options | WNOHANG);
		if (r != 0 || si.si_pid != 0)
			break;
		sleep_ms(1);
	} while (now_ns() < end);
	if (!check(what, r, 0))
		return;
	if (si.si_signo != SIGCHLD || si.si_pid != pid || si.si_code != code ||
	    si.si_status != status)
		fail("%s: signo %d pid %d code %d status %d, want %d %ld %d %d", what, si.si_signo,
		     si.si_pid, si.si_code, si.si_status, SIGCHLD, pid, code, status);
}

static void t_stop_continue(void)
{
	int st;
	long pid = fork_or_fail();

	if (pid == 0) {
		tx_syscall2(SYS_setpgid, 0, 0); /* its own group, whose parent is here */
		child_idle();
	}
	if (pid < 0)
		return;
	tx_syscall2(SYS_setpgid, pid, pid);
	sys_kill(pid, SIGSTOP);
	wait_state("SIGSTOP: wait4(WUNTRACED)", pid, WUNTRACED, 0x137f);
	check("kill(stopped, 0)", sys_kill(pid, 0), 0);
	sys_kill(pid, SIGCONT);
	wait_state("SIGCONT: wait4(WCONTINUED)", pid, WCONTINUED, 0xffff);
	sys_kill(pid, SIGSTOP);
	check_waitid("SIGSTOP: waitid(WSTOPPED)", pid, WSTOPPED, CLD_STOPPED, SIGSTOP);
	sys_kill(pid, SIGCONT);
	check_waitid("SIGCONT: waitid(WCONTINUED)", pid, WCONTINUED, CLD_CONTINUED, SIGCONT);
	check("wait4(WUNTRACED|WCONTINUED|WNOHANG): nothing new",
	      sys_wait4(pid, &st, WUNTRACED | WCONTINUED | WNOHANG), 0);
	sys_kill(pid, SIGTSTP);
	wait_state("SIGTSTP (default: stop): wait4(WUNTRACED)", pid, WUNTRACED, 0x147f);
	/* A fatal signal (but SIGKILL) to a stopped process waits for SIGCONT. */
	check("kill(stopped, SIGTERM)", sys_kill(pid, SIGTERM), 0);
	sleep_ms(50);
	check("wait4(WNOHANG) 50 ms after SIGTERM: still stopped",
	      sys_wait4(pid, &st, WUNTRACED | WCONTINUED | WNOHANG), 0);
	check("kill(stopped, SIGCONT)", sys_kill(pid, SIGCONT), 0);
	reap_signaled("SIGTERM, then SIGCONT, to a stopped child", pid, SIGTERM);
}

/* tstp_orphaned_pgrp: SIGTSTP to an orphaned process group is discarded. */
static void t_tstp_orphaned_pgrp(void)
{
	int fds[2], st;
	char c;

	if (!check("pipe2", make_pipe(fds, 0), 0))
		return;
	long pid = fork_or_fail();
	if (pid == 0) {
		long r = tx_syscall0(SYS_setsid);
		if (r != sys_getpid())
			child_fail(1, "setsid = %s", en(r));
		tx_syscall3(SYS_write, fds[1], "r", 1);
		child_idle();
	}
	if (pid < 0 || tx_syscall3(SYS_read, fds[0], &c, 1) != 1) {
		fail("the child did not start");
		return;
	}
	check("kill(child, SIGTSTP)", sys_kill(pid, SIGTSTP), 0);
	sleep_ms(50);
	check("wait4(WUNTRACED|WNOHANG): not stopped", sys_wait4(pid, &st, WUNTRACED | WNOHANG), 0);
	sys_kill(pid, SIGSTOP);
	wait_state("SIGSTOP stops it all the same", pid, WUNTRACED, 0x137f);
	sys_kill(pid, SIGKILL);
	reap("child", pid, SIGKILL);
	close_fd(fds[0]);
	close_fd(fds[1]);
}

/*
 * orphaned_pgrp_sighup: a child makes its own process group (so the
 * suite, in another group of the same session, keeps it from being
 * orphaned) and a grandchild in it stops itself; when the child exits,
 * the group is orphaned with a stopped member, and the kernel sends it
 * SIGHUP then SIGCONT (POSIX; Linux's kill_orphaned_pgrp). The grandchild
 * catches SIGHUP and reports through a pipe.
 */
static int hup_fd = -1;
static void hup_report(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	char c = sig == SIGHUP ? 'H' : '?';
	tx_syscall3(SYS_write, hup_fd, &c, 1);
	tx_exit(0);
}

static void t_orphaned_pgrp_sighup(void)
{
	int fds[2];
	char c = 0;

	if (suite_pid == 1) {
		/* The grandchild would be reparented to the suite: Linux counts a
		 * namespace's init as a parent that keeps the group from
		 * being orphaned, the global init not. */
		skip("PID 1 here: orphaning depends on whether this init is the global one");
		return;
	}
	if (!check("pipe2", make_pipe(fds, 0), 0))
		return;
	long pid = fork_or_fail();
	if (pid == 0) {
		if (tx_syscall2(SYS_setpgid, 0, 0) != 0)
			child_fail(1, "setpgid failed");
		hup_fd = fds[1];
		long gc = fork_or_fail();
		if (gc == 0) {
			if (!on(SIGHUP, hup_report, 0, 0))
				tx_exit(2);
			sys_kill(sys_getpid(), SIGSTOP);
			child_idle();
		}
		int st;
		if (sys_wait4(gc, &st, WUNTRACED) != gc || !WIFSTOPPED(st))
			child_fail(3, "the grandchild did not stop");
		tx_exit(0); /* the group is now orphaned, with a stopped member */
	}
	reap("child", pid, 0);
	close_fd(fds[1]);
	struct timespec ts = {2, 0};
	long t0 = now_ns();
	while (tx_syscall3(SYS_read, fds[0], &c, 1) == -EINTR_ && now_ns() - t0 < ts.tv_sec * NSEC)
		;
	checkx("the stopped grandchild got SIGHUP (and SIGCONT to run its handler)", c, 'H');
	close_fd(fds[0]);
}

/* ---------------------------------------------------------------------
 * Process groups, sessions, kill's targets
 * ------------------------------------------------------------------- */

/* pgrp_session: setpgid, getpgid, getpgrp, setsid and getsid. */
static void t_pgrp_session(void)
{
	long me = sys_getpid(), sid = tx_syscall1(SYS_getsid, 0);

	check("getpgid(0) == getpgrp()", tx_syscall1(SYS_getpgid, 0), tx_syscall0(SYS_getpgrp));
	check("getsid(0) == the suite's", sid, tx_syscall1(SYS_getsid, suite_pid));
	check("setpgid(0, 0)", tx_syscall2(SYS_setpgid, 0, 0), 0);
	check("getpgrp() after", tx_syscall0(SYS_getpgrp), me);
	check("getpgid(me)", tx_syscall1(SYS_getpgid, me), me);
	check("setsid() as a group leader", tx_syscall0(SYS_setsid), -EPERM_);
	check("setpgid(0, -1)", tx_syscall2(SYS_setpgid, 0, -1), -EINVAL_);
	long pid = fork_or_fail();
	if (pid == 0) {
		long r = tx_syscall0(SYS_setsid), self = sys_getpid();
		if (r != self)
			child_fail(1, "setsid = %s, want %ld", en(r), self);
		if (tx_syscall1(SYS_getsid, 0) != self || tx_syscall0(SYS_getpgrp) != self)
			child_fail(2, "after setsid: sid %ld pgrp %ld", tx_syscall1(SYS_getsid, 0),
				   tx_syscall0(SYS_getpgrp));
		r = tx_syscall2(SYS_setpgid, 0, 0);
		if (r != -EPERM_)
			child_fail(3, "setpgid(0, 0) as a session leader = %s, want -EPERM", en(r));
		r = tx_syscall2(SYS_setpgid, 0, sys_getppid());
		if (r != -EPERM_)
			child_fail(4, "setpgid into another session = %s, want -EPERM", en(r));
		tx_exit(0);
	}
	if (pid < 0)
		return;
	reap("setsid child", pid, 0);
	check("getsid(reaped child)", tx_syscall1(SYS_getsid, pid), -ESRCH_);
	check("getpgid(reaped child)", tx_syscall1(SYS_getpgid, pid), -ESRCH_);
}

/*
 * Letter children: each installs a SIGUSR1 handler that writes its
 * letter to a pipe and exits 0, says it is ready, and waits.
 */
static char my_letter;
static int letter_fd;

static void letter_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	tx_syscall3(SYS_write, letter_fd, &my_letter, 1);
	tx_exit(0);
}

static long letter_child(char letter, long pgid, int ready_fd, int out_fd)
{
	long pid = fork_or_fail();

	if (pid == 0) {
		if (pgid >= 0)
			tx_syscall2(SYS_setpgid, 0, pgid);
		my_letter = letter;
		letter_fd = out_fd;
		on(SIGUSR1, letter_handler, 0, 0);
		tx_syscall3(SYS_write, ready_fd, "r", 1);
		child_idle();
	}
	if (pid > 0 && pgid >= 0)
		tx_syscall2(SYS_setpgid, pid, pgid ? pgid : pid); /* no race with kill */
	return pid;
}

/* letters reads what arrived (the pipe is non-blocking), sorted. */
static const char *letters(int fd)
{
	static char buf[16];
	long n = tx_syscall3(SYS_read, fd, buf, sizeof buf - 1);

	if (n < 0)
		n = 0;
	buf[n] = 0;
	for (long i = 0; i < n; i++)
		for (long j = i + 1; j < n; j++)
			if (buf[j] < buf[i]) {
				char t = buf[i];
				buf[i] = buf[j];
				buf[j] = t;
			}
	return buf;
}

static int start_letters(int ready[2], int out[2])
{
	return check("pipe2", make_pipe(ready, 0), 0) &&
	       check("pipe2(O_NONBLOCK)", make_pipe(out, O_NONBLOCK), 0);
}

static int await_ready(int fd, int n)
{
	char buf[8];

	for (int got = 0; got < n;) {
		long r = tx_syscall3(SYS_read, fd, buf, (size_t)(n - got));
		if (r <= 0) {
			fail("read of the ready pipe = %s", en(r));
			return 0;
		}
		got += (int)r;
	}
	return 1;
}

/* kill_pgrp: kill(-pgid) reaches the group only; kill(0) the caller's group. */
static void t_kill_pgrp(void)
{
	int ready[2], out[2];
	long me = sys_getpid(), a, b, c;

	if (!start_letters(ready, out))
		return;
	check("setpgid(0, 0)", tx_syscall2(SYS_setpgid, 0, 0), 0);
	a = letter_child('A', 0, ready[1], out[1]);
	b = letter_child('B', a, ready[1], out[1]);
	c = letter_child('C', -1, ready[1], out[1]); /* stays in this group */
	if (a < 0 || b < 0 || c < 0 || !await_ready(ready[0], 3))
		return;
	check("getpgid(B)", tx_syscall1(SYS_getpgid, b), a);
	check("getpgid(C)", tx_syscall1(SYS_getpgid, c), me);
	reset_notes();
	on(SIGUSR1, counting, 0, 0);
	check("kill(-A, SIGUSR1)", sys_kill(-a, SIGUSR1), 0);
	reap("A", a, 0);
	reap("B", b, 0);
	if (strcmp(letters(out[0]), "AB") != 0)
		fail("kill(-A) reached \"%s\", want AB", letters(out[0]));
	check("kill(-A) reached the caller", hits, 0);
	check("kill(-A, SIGUSR1) with A's group gone", sys_kill(-a, SIGUSR1), -ESRCH_);
	check("kill(0, SIGUSR1)", sys_kill(0, SIGUSR1), 0);
	check("kill(0) reached the caller before returning", hits, 1);
	reap("C", c, 0);
	if (strcmp(letters(out[0]), "C") != 0)
		fail("kill(0) reached \"%s\" of the children, want C", letters(out[0]));
	check("kill(self, 65)", sys_kill(me, 65), -EINVAL_);
	check("kill(self, -1)", sys_kill(me, -1), -EINVAL_);
	check("kill(reaped child, 0)", sys_kill(a, 0), -ESRCH_);
	check("kill(reaped child, SIGUSR1)", sys_kill(a, SIGUSR1), -ESRCH_);
	check("kill(self, 0)", sys_kill(me, 0), 0);
}

/* kill_minus_one: kill(-1) reaches everyone but init and the caller. */
static void t_kill_minus_one(void)
{
	int ready[2], out[2];
	long d, e;

	if (suite_pid != 1) {
		skip("not PID 1: kill(-1) would reach every process of this user");
		return;
	}
	if (!start_letters(ready, out))
		return;
	d = letter_child('D', 0, ready[1], out[1]);
	e = letter_child('E', -1, ready[1], out[1]);
	if (d < 0 || e < 0 || !await_ready(ready[0], 2))
		return;
	reset_notes();
	on(SIGUSR1, counting, 0, 0);
	check("kill(-1, SIGUSR1)", sys_kill(-1, SIGUSR1), 0);
	reap("D", d, 0);
	reap("E", e, 0);
	if (strcmp(letters(out[0]), "DE") != 0)
		fail("kill(-1) reached \"%s\", want DE", letters(out[0]));
	check("kill(-1) reached the caller", hits, 0);
}

/* ---------------------------------------------------------------------
 * fork and execve
 * ------------------------------------------------------------------- */

/* fork_inherits: handlers, mask and alternate stack, but no pending signals. */
static void t_fork_inherits(void)
{
	stack_t ss = {alt_stack, 0, sizeof alt_stack};

	reset_notes();
	if (!on(SIGUSR2, counting, 0, 0) || !set_disp(SIGHUP, SIG_IGN))
		return;
	sys_sigaltstack(&ss, 0);
	setmask(SIG_BLOCK, BIT(SIGUSR1));
	raise(SIGUSR1);
	long pid = fork_or_fail();
	if (pid == 0) {
		if (pending() != 0)
			child_fail(1, "pending %#lx in the child, want none", pending());
		if (blocked() != BIT(SIGUSR1))
			child_fail(2, "mask %#lx in the child, want %#lx", blocked(), BIT(SIGUSR1));
		if (disposition(SIGUSR2) != (void *)counting || disposition(SIGHUP) != SIG_IGN)
			child_fail(3, "SIGUSR2 %p SIGHUP %p", disposition(SIGUSR2), disposition(SIGHUP));
		stack_t cur;
		if (sys_sigaltstack(0, &cur) != 0 || cur.ss_sp != alt_stack || cur.ss_flags != 0)
			child_fail(4, "alternate stack %p flags %d", cur.ss_sp, cur.ss_flags);
		raise(SIGUSR2);
		if (hits != 1)
			child_fail(5, "the inherited SIGUSR2 handler ran %d times", hits);
		tx_exit(0);
	}
	if (pid > 0)
		reap("child", pid, 0);
	checkx("the parent's pending set after fork", pending(), BIT(SIGUSR1));
	set_disp(SIGUSR1, SIG_IGN);
}

/* execve_dispositions: the --exec-check side is exec_check_main below. */
static long execve_self(char *const argv[], char *const envp[])
{
	long r = tx_syscall3(SYS_execve, "/sigtest", argv, envp);

	if (r == -ENOENT_ && strcmp(self_path, "/sigtest") != 0)
		r = tx_syscall3(SYS_execve, self_path, argv, envp);
	return r;
}

static void t_execve_dispositions(void)
{
	static char *argv[] = {"sigtest", "--exec-check", 0};
	static char *envp[] = {0};
	stack_t ss = {alt_stack, 0, sizeof alt_stack};

	if (!on(SIGUSR1, counting, SA_RESTART | SA_ONSTACK, BIT(SIGINT)) ||
	    !set_disp(SIGUSR2, SIG_IGN))
		return;
	sys_sigaltstack(&ss, 0);
	setmask(SIG_BLOCK, BIT(SIGHUP) | BIT(SIGTERM));
	long pid = fork_or_fail();
	if (pid == 0) {
		raise(SIGHUP); /* pending in the child: fork does not pass them on */
		long r = execve_self(argv, envp);
		child_fail(127, "execve(%s) = %s", self_path, en(r));
	}
	if (pid > 0)
		reap("exec'd child", pid, 42 << 8);
}

__attribute__((noreturn))
static void exec_check_main(void)
{
	struct ksigaction ka;
	stack_t cur;

	memset(&ka, 0x55, sizeof ka);
	if (sys_sigaction(SIGUSR1, 0, &ka) != 0 || ka.handler != SIG_DFL)
		child_fail(1, "caught SIGUSR1 is %p after execve, want SIG_DFL", ka.handler);
	if (ka.flags != 0 || ka.mask != 0)
		child_fail(2, "SIGUSR1's sa_flags %#lx sa_mask %#lx after execve, want 0", ka.flags,
			   ka.mask);
	if (disposition(SIGUSR2) != SIG_IGN)
		child_fail(3, "ignored SIGUSR2 is %p after execve, want SIG_IGN", disposition(SIGUSR2));
	if (blocked() != (BIT(SIGHUP) | BIT(SIGTERM)))
		child_fail(4, "mask %#lx after execve, want %#lx", blocked(), BIT(SIGHUP) | BIT(SIGTERM));
	if (pending() != BIT(SIGHUP))
		child_fail(5, "pending %#lx after execve, want %#lx", pending(), BIT(SIGHUP));
	if (sys_sigaltstack(0, &cur) != 0 || cur.ss_flags != SS_DISABLE)
		child_fail(6, "alternate stack flags %d after execve, want SS_DISABLE", cur.ss_flags);
	tx_exit(42);
}

/* ---------------------------------------------------------------------
 * Threads' signals, and killing sleepers
 * ------------------------------------------------------------------- */

/* tkill_tgkill: to one's own thread; a TID outside the group is -ESRCH. */
static void t_tkill_tgkill(void)
{
	long me = sys_getpid(), tid = sys_gettid();

	reset_notes();
	if (!on(SIGUSR1, counting, 0, 0))
		return;
	check("tgkill(pid, tid, SIGUSR1)", tx_syscall3(SYS_tgkill, me, tid, SIGUSR1), 0);
	if (check("handler runs before tgkill returns", hits, 1) &&
	    (hinfo.si_code != SI_TKILL || hinfo.si_pid != me))
		fail("tgkill: si_code %d si_pid %d, want SI_TKILL from %ld", hinfo.si_code,
		     hinfo.si_pid, me);
	check("tkill(tid, SIGUSR1)", tx_syscall2(SYS_tkill, tid, SIGUSR1), 0);
	if (check("handler runs before tkill returns", hits, 2) && hinfo.si_code != SI_TKILL)
		fail("tkill: si_code %d, want SI_TKILL", hinfo.si_code);
	check("tgkill(pid, tid, 0)", tx_syscall3(SYS_tgkill, me, tid, 0), 0);
	long kid = fork_or_fail();
	if (kid == 0)
		child_idle();
	if (kid < 0)
		return;
	check("tgkill(child's pid, my tid)", tx_syscall3(SYS_tgkill, kid, tid, SIGUSR1), -ESRCH_);
	check("tgkill(my pid, child's tid)", tx_syscall3(SYS_tgkill, me, kid, SIGUSR1), -ESRCH_);
	sys_kill(kid, SIGKILL);
	reap("child", kid, SIGKILL);
	check("tkill(reaped tid, SIGUSR1)", tx_syscall2(SYS_tkill, kid, SIGUSR1), -ESRCH_);
	check("tgkill(pid, 0, SIGUSR1)", tx_syscall3(SYS_tgkill, me, 0, SIGUSR1), -EINVAL_);
	check("tgkill(0, tid, SIGUSR1)", tx_syscall3(SYS_tgkill, 0, tid, SIGUSR1), -EINVAL_);
	check("tkill(0, SIGUSR1)", tx_syscall2(SYS_tkill, 0, SIGUSR1), -EINVAL_);
	check("tgkill(pid, tid, 65)", tx_syscall3(SYS_tgkill, me, tid, 65), -EINVAL_);
	check("handler runs for the failed calls", hits, 2);
}

/* kill_sleepers: default-action signals end processes asleep in the kernel. */
enum { SLEEP_READ, SLEEP_NANOSLEEP, SLEEP_PAUSE, SLEEP_FUTEX };

static const struct {
	const char *what;
	int how, sig;
} sleepers[] = {
	{"read of an empty pipe, SIGTERM", SLEEP_READ, SIGTERM},
	{"nanosleep(10 s), SIGUSR1", SLEEP_NANOSLEEP, SIGUSR1},
	{"pause, SIGINT", SLEEP_PAUSE, SIGINT},
	{"FUTEX_WAIT, SIGALRM", SLEEP_FUTEX, SIGALRM},
	{"read of an empty pipe, SIGKILL", SLEEP_READ, SIGKILL},
};

__attribute__((noreturn)) static void sleeper(int how, int fd)
{
	struct timespec ts = {10, 0};
	char c;

	switch (how) {
	case SLEEP_READ: tx_syscall3(SYS_read, fd, &c, 1); break;
	case SLEEP_NANOSLEEP: tx_syscall2(SYS_nanosleep, &ts, 0); break;
	case SLEEP_PAUSE: tx_syscall0(SYS_pause); break;
	case SLEEP_FUTEX: tx_syscall6(SYS_futex, (long)&futex_word, FUTEX_WAIT_, futex_word, 0, 0, 0);
	}
	child_fail(1, "woke up from sleep %d", how);
}

static void t_kill_sleepers(void)
{
	int fds[2];

	if (!check("pipe2", make_pipe(fds, 0), 0))
		return;
	for (unsigned i = 0; i < sizeof sleepers / sizeof sleepers[0]; i++) {
		long pid = fork_or_fail();
		if (pid < 0)
			return;
		if (pid == 0)
			sleeper(sleepers[i].how, fds[0]);
		sleep_ms(30);
		check("kill", sys_kill(pid, sleepers[i].sig), 0);
		reap_signaled(sleepers[i].what, pid, sleepers[i].sig);
	}
}

/*
 * zombie_targets: an exited child that is not reaped yet still has its
 * PID. Linux finds it for every call that names a process or a thread:
 * signals to it succeed (and are dropped), and its process group and
 * session can be read and its group changed by its parent.
 */
static void t_zombie_targets(void)
{
	siginfo_t si;
	long pid = fork_or_fail();

	if (pid < 0)
		return;
	if (pid == 0)
		tx_exit(0);
	sleep_ms(30);
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	check("kill(zombie, 0)", sys_kill(pid, 0), 0);
	check("kill(zombie, SIGTERM)", sys_kill(pid, SIGTERM), 0);
	check("tkill(zombie, 0)", tx_syscall2(SYS_tkill, pid, 0), 0);
	check("tkill(zombie, SIGTERM)", tx_syscall2(SYS_tkill, pid, SIGTERM), 0);
	check("tgkill(zombie, zombie, SIGTERM)", tx_syscall3(SYS_tgkill, pid, pid, SIGTERM), 0);
	check("rt_sigqueueinfo(zombie)", tx_syscall3(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), 0);
	check("rt_tgsigqueueinfo(zombie)",
	      tx_syscall6(SYS_rt_tgsigqueueinfo, pid, pid, SIGUSR1, (long)&si, 0, 0), 0);
	check("getpgid(zombie)", tx_syscall1(SYS_getpgid, pid), tx_syscall1(SYS_getpgid, 0));
	check("getsid(zombie)", tx_syscall1(SYS_getsid, pid), tx_syscall1(SYS_getsid, 0));
	check("setpgid(zombie, zombie)", tx_syscall2(SYS_setpgid, pid, pid), 0);
	check("getpgid(zombie) after setpgid", tx_syscall1(SYS_getpgid, pid), pid);
	check("kill(-zombie's pgrp, 0)", sys_kill(-pid, 0), 0);
	check("kill(-zombie's pgrp, SIGTERM)", sys_kill(-pid, SIGTERM), 0);
	reap("zombie", pid, 0);
	check("kill(reaped, 0)", sys_kill(pid, 0), -ESRCH_);
	check("getpgid(reaped)", tx_syscall1(SYS_getpgid, pid), -ESRCH_);
	check("kill(-reaped's pgrp, 0)", sys_kill(-pid, 0), -ESRCH_);
}

/* ---------------------------------------------------------------------
 * The suite
 * ------------------------------------------------------------------- */

static const struct ktap_case cases[] = {
	{"handler_siginfo", t_handler_siginfo},
	{"kill_si_user", t_kill_si_user},
	{"regs_across_syscall", t_regs_across_syscall},
	{"regs_across_interrupt", t_regs_across_interrupt},
	{"fpu_preserved", t_fpu_preserved},
	{"handler_mask", t_handler_mask},
	{"nested_handlers", t_nested_handlers},
	{"sa_nodefer", t_sa_nodefer},
	{"sa_resethand", t_sa_resethand},
	{"blocked_stays_pending", t_blocked_stays_pending},
	{"queue_and_coalesce", t_queue_and_coalesce},
	{"delivery_order", t_delivery_order},
	{"ignored_signals", t_ignored_signals},
	{"sigaction_errors", t_sigaction_errors},
	{"sigaltstack", t_sigaltstack},
	{"segv_handler", t_segv_handler},
	{"fault_blocked_kills", t_fault_blocked_kills},
	{"trap_signals", t_trap_signals},
	{"sigbus_alignment", t_sigbus_alignment},
	{"forged_sigreturn", t_forged_sigreturn},
	{"frame_cannot_be_written", t_frame_cannot_be_written},
	{"eintr_read", t_eintr_read},
	{"eintr_wait4", t_eintr_wait4},
	{"eintr_nanosleep", t_eintr_nanosleep},
	{"eintr_pause_sigsuspend", t_eintr_pause_sigsuspend},
	{"futex_eintr_restart", t_futex_eintr_restart},
	{"sigtimedwait", t_sigtimedwait},
	{"alarm", t_alarm},
	{"itimer_real", t_itimer_real},
	{"itimer_cpu", t_itimer_cpu},
	{"sigchld_info", t_sigchld_info},
	{"sigchld_stop", t_sigchld_stop},
	{"stop_continue", t_stop_continue},
	{"tstp_orphaned_pgrp", t_tstp_orphaned_pgrp},
	{"orphaned_pgrp_sighup", t_orphaned_pgrp_sighup},
	{"pgrp_session", t_pgrp_session},
	{"kill_pgrp", t_kill_pgrp},
	{"kill_minus_one", t_kill_minus_one},
	{"fork_inherits", t_fork_inherits},
	{"execve_dispositions", t_execve_dispositions},
	{"tkill_tgkill", t_tkill_tgkill},
	{"kill_sleepers", t_kill_sleepers},
	{"zombie_targets", t_zombie_targets},
};

#define NCASES (int)(sizeof cases / sizeof cases[0])

/*
 * run_case runs case i in a process of its own and sets case_failed or
 * skip_reason (ktap_run has cleared both) from how it ended: exit 0
 * passed, 1 failed, 2 skipped with the reason written to a pipe first.
 */
static void run_case(int i)
{
	int fds[2], st;
	long pid;

	if (!check("pipe2", make_pipe(fds, 0), 0) || (pid = fork_or_fail()) < 0)
		return;
	if (pid == 0) {
		close_fd(fds[0]);
		cases[i].fn();
		if (case_failed)
			tx_exit(1);
		if (skip_reason[0]) {
			tx_write_all(fds[1], skip_reason, strlen(skip_reason));
			tx_exit(2);
		}
		tx_exit(0);
	}
	close_fd(fds[1]);
	if (wait_bounded(pid, &st, CASE_MS) == 1) {
		if (WIFSIGNALED(st))
			fail("the case's process was killed by signal %d", WTERMSIG(st));
		else if (WEXITSTATUS(st) == 1)
			case_failed = 1;
		else if (WEXITSTATUS(st) == 2) {
			long n = tx_syscall3(SYS_read, fds[0], skip_reason, sizeof skip_reason - 1);
			skip_reason[n > 0 ? n : 0] = 0;
		} else if (st != 0)
			fail("the case's process %s", wstatus(st));
	}
	close_fd(fds[0]);
}

int main(int argc, char **argv)
{
	struct rlimit nocore = {0, 0};
	int failed = 0;

	if (argc >= 2 && strcmp(argv[1], "--exec-check") == 0)
		exec_check_main();
	if (argc >= 2)
		tx_fail("usage: sigtest [--exec-check]");

	self_path = argv[0] && strchr(argv[0], '/') ? argv[0] : "/sigtest";
	suite_pid = sys_getpid();
	tx_syscall2(SYS_setrlimit, RLIMIT_CORE, &nocore); /* cases die of signals on purpose */
	ktap_plan(NCASES);
	diag("sigtest: pid %ld, ppid %ld, execs %s", suite_pid, sys_getppid(), self_path);
	failed = ktap_run(cases, NCASES, run_case, 2000);
	diag("sigtest: %d of %d cases failed", failed, NCASES);
	tx_exit(failed ? 1 : 0);
}
