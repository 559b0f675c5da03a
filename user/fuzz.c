/*
 * fuzz: random system calls with random arguments from several worker
 * processes, to find what takes the kernel down (issue 13). Like Linux's
 * trinity and syzkaller's "random" mode, at the scale of a teaching
 * kernel: a table of the calls Tamix implements plus random numbers,
 * argument generators per type, and a parent that restarts workers that
 * die and kills those that stop making progress.
 *
 * Usage: fuzz [-s SEED] [-n CALLS] [-w WORKERS] [-t SECONDS] [-v] [-r ROOT]
 *   -s SEED     the seed (default 1): the same seed gives every worker the
 *               same sequence of calls (given the same results)
 *   -n CALLS    calls in all, shared among the workers (default 10000)
 *   -w WORKERS  worker processes (default 8, at most 16)
 *   -t SECONDS  watchdog: a worker without progress for that long is
 *               reported with the call it is in, and killed (default 10)
 *   -v          print each call with its arguments before making it
 *   -c LIST     only the calls named in LIST (comma-separated), and no
 *               random numbers: to narrow down what a run found
 *   -r ROOT     on a host that is not Tamix: work in the directory ROOT,
 *               which must hold a copy of hello (paths are relative to
 *               it); without -r the fuzzer refuses to run on such a host
 *
 * Output: "# fuzz: ..." lines, and at the end "# fuzz: done calls=N
 * ok=N restarts=N watchdog=N stopped=N", the errors by errno and one
 * line per restart and watchdog event. Exits 0 when every worker did its
 * share of the calls, 1 otherwise.
 *
 * Containment (what the workers must not do to the run itself):
 *   - every call is bounded: ITIMER_REAL is armed before each to fire
 *     in 10 ms and every 10 ms after, and SIGALRM has a handler without
 *     SA_RESTART, so a blocking call ends with EINTR. After a call that changes signal
 *     state (rt_sigaction, rt_sigprocmask, ...) the worker puts its
 *     SIGALRM handler, SIGPIPE ignored and an unblocked SIGALRM back.
 *   - exit, exit_group and rt_sigreturn run only in forked children;
 *     fork, vfork and clone children make a few random calls and _exit.
 *   - kill and friends target the worker's children, garbage PIDs, or
 *     the worker itself, its process group and -1 with harmless signals
 *     (0, SIGCHLD, SIGCONT, SIGURG, SIGWINCH); 1 time in 64 any signal
 *     goes to the worker itself (the parent restarts it if it dies and
 *     continues it if it stops). On a host, kill(-1) is only made when
 *     the fuzzer is PID 1 (in a PID namespace: unshare -fp --mount-proc).
 *   - execve of a real program (ROOT/hello) runs in a forked child;
 *     garbage paths are tried by the worker itself.
 *   - a worker's memory is out of reach of the pointer generators except
 *     for the scratch mapping (at a fixed address, remapped every 64
 *     calls) and the argument area; workers log through descriptor 1000,
 *     which no fd generator yields, and have a pipe on 0, 1 and 2, so
 *     random writes never reach the console.
 *   - random system-call numbers (outside the table) are used only on
 *     Tamix: on a Linux host they could reach sethostname, settimeofday...
 *
 * The program uses no libc at all in workers and their children (no TLS:
 * clone(CLONE_SETTLS) and arch_prctl(ARCH_SET_FS) may give them a bad FS
 * base; it is built with -fno-stack-protector for the same reason).
 */
#define _GNU_SOURCE
#define TX_PROG "fuzz"
#include "tamix_test.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096L
#define MAXW 16
#define NERR 134		/* errnos counted: 1..133 */
#define SCRATCH 0x200000000L	/* 8 GiB: the scratch mapping's fixed address */
#define SCRATCH_PAGES 16
#define SCRATCH_LEN (SCRATCH_PAGES * PAGE)
#define LOGFD 1000		/* workers' output descriptor */
#define TIMER_US 10000		/* per-call bound */
#define NKIDS 16
#define NMAPS 16
#define BIGSZ (256 * 1024)	/* the argument strings' buffer */
#define NSTACKS 64
#define STACKSZ (16 * 1024)
#define KERNEL_HALF ((long)0xffff800000000000UL)
#define KERNEL_TEXT ((long)0xffffffff81000000UL)
#define NONCANONICAL 0x0000800000000000L

/* ---------------------------------------------------------------------
 * What the workers publish to the parent (a MAP_SHARED page)
 * ------------------------------------------------------------------- */

struct slot {
	volatile long pid;	/* the current process of this worker */
	volatile long gen;	/* restarts so far */
	volatile long calls;	/* calls made (survives restarts) */
	volatile long quota;	/* calls to make in all */
	volatile long ok;	/* calls that did not fail, children's too */
	volatile long kidcalls;	/* calls made by the worker's children */
	volatile long incall;	/* 1 while inside a system call */
	volatile long nr;	/* the current (or last) call */
	volatile long a[6];
	volatile long err[NERR];
};

/* parent is the parent's own state, kept in the shared mapping with its
 * stack: pages that are present and never copy-on-write, so that the
 * parent never needs a free page (with no OOM killer, a worker's
 * MAP_POPULATE can take them all, and a fault that finds none is
 * SIGSEGV). */
struct parent {
	long restarts, watchdogs, stops, strays, forkfails;
	long idle_ticks[MAXW];	/* tenths of a second without progress */
	long last_calls[MAXW];
	char stack[64 * 1024] __attribute__((aligned(16)));
};

struct shared {
	struct slot w[MAXW];
	struct parent p;
};

static struct shared *shm;

/* ---------------------------------------------------------------------
 * Raw pieces: clone, vfork and the signal restorer (no libc)
 * ------------------------------------------------------------------- */

/*
 * fz_clone(flags, stack, ptid, ctid, tls, fn, arg): clone(2); the child
 * runs fn(arg) on stack (or on a copy of the caller's stack when stack is
 * 0) and exits with exit(0) when fn returns.
 */
long fz_clone(long flags, long stack, long ptid, long ctid, long tls,
	      void (*fn)(unsigned long), unsigned long arg);
__asm__(".text\n"
	".globl fz_clone\n"
	"fz_clone:\n"
	"	push %r12\n"
	"	mov 16(%rsp), %r12\n"
	"	mov %rcx, %r10\n"
	"	mov $56, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	and $-16, %rsp\n"
	"	mov %r12, %rdi\n"
	"	call *%r9\n"
	"	mov $60, %eax\n"
	"	xor %edi, %edi\n"
	"	syscall\n"
	"	hlt\n"
	"1:	pop %r12\n"
	"	ret\n");

/*
 * fz_vfork(fn, arg): vfork(2); the child runs fn(arg) below the caller's
 * stack frame (which the parent, suspended, still needs: nothing above
 * the return address is written) and exits with exit(0).
 */
long fz_vfork(void (*fn)(unsigned long), unsigned long arg);
__asm__(".text\n"
	".globl fz_vfork\n"
	"fz_vfork:\n"
	"	mov $58, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	sub $64, %rsp\n"
	"	and $-16, %rsp\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	call *%rax\n"
	"	mov $60, %eax\n"
	"	xor %edi, %edi\n"
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n");

/* fz_on_stack(fn, top) calls fn on the stack that ends at top. */
void fz_on_stack(void (*fn)(void), void *top);
__asm__(".text\n"
	".globl fz_on_stack\n"
	"fz_on_stack:\n"
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	mov %rsi, %rsp\n"
	"	call *%rdi\n"
	"	mov %rbp, %rsp\n"
	"	pop %rbp\n"
	"	ret\n");

void fz_restore_rt(void);
__asm__(".text\n"
	".globl fz_restore_rt\n"
	"fz_restore_rt:\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	hlt\n");

/* ---------------------------------------------------------------------
 * Per-process state, the PRNG and output
 * ------------------------------------------------------------------- */

/* ctx is one process's fuzzing state: a worker's, or a child's (on its
 * own stack, so that CLONE_VM children do not share the worker's). */
struct ctx {
	uint64_t rng;
	int worker;
	int child;		/* 0 in a worker, the depth in a child */
	int thread;		/* a CLONE_THREAD child: must not end the group */
	int waited;		/* a vfork child (or its thread): its parent waits for it */
	int verbose;
	long self;		/* getpid() */
	long calls;		/* this process's calls */
	long kids[NKIDS];	/* children to signal and reap */
	int maxfd;		/* highest descriptor a call returned */
	long maps[NMAPS][2];	/* mappings made, to unmap at refresh */
	int nmaps;
	struct slot *slot;	/* NULL in children */
};

static int on_tamix, contained, verbose_all;
static const char *root = "";
static char bigbuf[BIGSZ];
static long argarea[4096];	/* valid structures the generators build */
static char stacks[NSTACKS][STACKSZ] __attribute__((aligned(16)));
/* stack_busy[i]: a child that shares our memory runs on stacks[i]; it
 * clears the flag just before it exits. */
static volatile int stack_busy[NSTACKS];
static unsigned stack_next;

/* rnd is xorshift64* (Marsaglia; Vigna's multiplier). */
static uint64_t rnd(struct ctx *c)
{
	uint64_t x = c->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static long below(struct ctx *c, long n)
{
	return (long)(rnd(c) % (uint64_t)n);
}

/* mix derives a seed from a seed and a number (splitmix64's finaliser). */
static uint64_t mix(uint64_t s, uint64_t n)
{
	uint64_t z = s + 0x9E3779B97F4A7C15ULL * (n + 1);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return z ? z : 1;
}

/* Output without libc: a line buffer with string and number appenders. */
struct line {
	char b[400];
	int n;
};

static void put_s(struct line *l, const char *s)
{
	while (*s && l->n < (int)sizeof l->b - 2)
		l->b[l->n++] = *s++;
}

static void put_x(struct line *l, unsigned long v)
{
	char t[20];
	int i = 0;

	put_s(l, "0x");
	do
		t[i++] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) != 0);
	while (i > 0 && l->n < (int)sizeof l->b - 2)
		l->b[l->n++] = t[--i];
}

static void put_d(struct line *l, long v)
{
	char t[24];
	int i = 0;
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	if (v < 0)
		put_s(l, "-");
	do
		t[i++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	while (i > 0 && l->n < (int)sizeof l->b - 2)
		l->b[l->n++] = t[--i];
}

/* put_end ends the line and writes it with one write(2) to fd. */
static void put_end(struct line *l, int fd)
{
	l->b[l->n++] = '\n';
	tx_syscall3(SYS_write, fd, l->b, l->n);
	l->n = 0;
}

/* ---------------------------------------------------------------------
 * Argument generators
 * ------------------------------------------------------------------- */

/* Argument types of the table below. */
enum {
	A_0,		/* zero */
	A_INT,		/* small ints, -1, huge, random */
	A_FD,		/* small ints, -1, huge, a fresh pipe end */
	A_PTR,		/* NULL, 1, unaligned, kernel, non-canonical, scratch */
	A_LEN,		/* 0, 1, 4096, huge, -1 */
	A_FLAGS,	/* random bits */
	A_PATH,		/* real and garbage paths */
	A_PID,		/* self, children, 0, garbage (never another's) */
	A_SIG,		/* 0..65 */
	A_PROT,		/* PROT_* */
	A_MAPF,		/* MAP_*, every flag */
	A_ADDR,		/* a page in or near the scratch mapping, or a bad one */
	A_TS,		/* a timespec: valid and short, or garbage */
	A_SET,		/* a sigset without SIGALRM, or garbage */
	A_SMALL,	/* 0..15 */
	A_IOV,		/* an iovec array */
	A_SIGSZ,	/* 8 mostly */
	A_OPEN,		/* O_* */
	A_FUTEX,	/* futex op */
	A_WAITOPT,	/* WNOHANG, WUNTRACED, __WALL, ... */
	A_PRIO,		/* -20..19, garbage */
};

/* gen_int: small ints, their negatives, limits, random. */
static long gen_int(struct ctx *c)
{
	static const long v[] = {0, 1, 2, 3, -1, -2, 4096, 0x7fffffff, -0x80000000L,
				 0xffffffffL, 0x7fffffffffffffffL, (long)0x8000000000000000UL};

	switch (below(c, 4)) {
	case 0:
		return below(c, 16);
	case 1:
		return v[below(c, sizeof v / sizeof v[0])];
	case 2:
		return (long)rnd(c);
	}
	return (long)(1UL << below(c, 64));
}

/* gen_ptr: the pointer kinds a kernel must survive. */
static long gen_ptr(struct ctx *c)
{
	switch (below(c, 12)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return KERNEL_HALF + below(c, 1 << 20) * 8;
	case 3:
		return KERNEL_TEXT;
	case 4:
		return NONCANONICAL + below(c, 8) * PAGE;
	case 5:
		return 0x1000000L + below(c, 1 << 20);	/* Tamix's kernel hole */
	case 6:
		return SCRATCH + below(c, SCRATCH_LEN);	/* unaligned */
	case 7:
		return SCRATCH + SCRATCH_LEN - below(c, 16);	/* runs off the end */
	case 8:
		return -1 - below(c, 4096);
	}
	return SCRATCH + below(c, SCRATCH_PAGES) * PAGE + below(c, 8) * 8;
}

/* gen_len: lengths and sizes. */
static long gen_len(struct ctx *c)
{
	static const long v[] = {0, 1, 7, 8, 16, 64, 4095, 4096, 4097, 65536, 65537,
				 1L << 20, 1L << 30, 1L << 40, 1L << 46, -1, 0x7fffffffffffffffL};

	if (below(c, 4) == 0)
		return below(c, 256);
	return v[below(c, sizeof v / sizeof v[0])];
}

/* gen_flags: random bit patterns. */
static long gen_flags(struct ctx *c)
{
	switch (below(c, 5)) {
	case 0:
		return 0;
	case 1:
		return 1L << below(c, 32);
	case 2:
		return (long)(rnd(c) & rnd(c) & 0xffffffff);
	case 3:
		return -1;
	}
	return (long)(rnd(c) & 0xff);
}

/* gen_fd: descriptors; sometimes a fresh pipe end. */
static long gen_fd(struct ctx *c)
{
	int p[2];

	switch (below(c, 8)) {
	case 0:
		return -1;
	case 1:
		return below(c, 2) ? 1 << 20 : 0x7fffffff;
	case 2:
	case 3:
		if (tx_syscall2(SYS_pipe2, p, below(c, 2) ? O_NONBLOCK : 0) == 0) {
			if (p[1] > c->maxfd && p[1] < LOGFD)
				c->maxfd = p[1];
			return p[below(c, 2)];
		}
		return -1;
	}
	return below(c, 16);
}

/* realpaths are ROOT/NAME for the names below, made by main. */
static const char *realnames[] = {"hello", "", "nonexistent", "hello/x", ".", "..", "fuzz"};
#define NREAL (int)(sizeof realnames / sizeof realnames[0])
static char realpaths[NREAL][300];

/* gen_path: real files and garbage. */
static long gen_path(struct ctx *c)
{
	switch (below(c, 6)) {
	case 0:
		return gen_ptr(c);
	case 1: {	/* a path longer than PATH_MAX */
		long n = below(c, 2) ? 4095 : 5000;
		return (long)(bigbuf + BIGSZ - 1 - n);
	}
	}
	return (long)realpaths[below(c, NREAL)];
}

/* gen_pid: PIDs the worker may aim at (never the parent's or others'). */
static long gen_pid(struct ctx *c)
{
	long k = c->kids[below(c, NKIDS)];

	switch (below(c, 6)) {
	case 0:
		return 0;
	case 1:
		return c->self;
	case 2:
	case 3:
		return k ? k : c->self;
	case 4:
		return below(c, 2) ? 0x7fffffff : -0x7fffffff;
	}
	return -c->self;
}

static long gen_prot(struct ctx *c)
{
	if (below(c, 8) == 0)
		return gen_flags(c);
	return below(c, 8) | (below(c, 8) == 0 ? PROT_GROWSDOWN : 0);
}

/* gen_mapf: a mapping type and any subset of every other MAP_ flag. */
static long gen_mapf(struct ctx *c)
{
	static const long bits[] = {MAP_FIXED, MAP_ANONYMOUS, MAP_32BIT, MAP_GROWSDOWN,
				    MAP_DENYWRITE, MAP_EXECUTABLE, MAP_LOCKED, MAP_NORESERVE,
				    MAP_POPULATE, MAP_NONBLOCK, MAP_STACK, MAP_HUGETLB,
				    0x80000 /* MAP_SYNC */, 0x100000 /* MAP_FIXED_NOREPLACE */,
				    0x4000000 /* MAP_UNINITIALIZED */};
	long f = below(c, 8) == 0 ? below(c, 4) : below(c, 4) ? MAP_PRIVATE : MAP_SHARED;

	if (below(c, 4) != 0)
		f |= MAP_ANONYMOUS;
	for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++)
		if (below(c, 6) == 0)
			f |= bits[i];
	if (below(c, 16) == 0)
		f = gen_flags(c);
	return f;
}

/* gen_addr: page addresses, mostly in and around the scratch mapping. */
static long gen_addr(struct ctx *c)
{
	if (below(c, 4) == 0)
		return gen_ptr(c);
	return SCRATCH + (below(c, SCRATCH_PAGES + 8) - 4) * PAGE;
}

/* arg_slot returns room for n longs in the argument area. */
static long *arg_slot(struct ctx *c, int n)
{
	return &argarea[below(c, sizeof argarea / sizeof argarea[0] - n)];
}

/* gen_ts: a short valid timespec, a bad one, or a bad pointer. */
static long gen_ts(struct ctx *c)
{
	long *ts = arg_slot(c, 2);

	switch (below(c, 6)) {
	case 0:
		return gen_ptr(c);
	case 1:
		ts[0] = gen_int(c);
		ts[1] = gen_int(c);
		return (long)ts;
	case 2:
		ts[0] = 0x7fffffffffffffffL;
		ts[1] = 999999999;
		return (long)ts;
	}
	ts[0] = 0;
	ts[1] = below(c, 5000000);
	return (long)ts;
}

/* gen_set: a signal set that leaves SIGALRM deliverable, or garbage. */
static long gen_set(struct ctx *c)
{
	long *set = arg_slot(c, 1);

	if (below(c, 6) == 0) {	/* a bad pointer, never the scratch's random bytes */
		long p = gen_ptr(c);
		return p >= SCRATCH && p < SCRATCH + SCRATCH_LEN + PAGE ? 0 : p;
	}
	*set = (long)rnd(c) & ~(1L << (SIGALRM - 1));
	return (long)set;
}

/* gen_iov: an iovec array of random pointers and lengths. */
static long gen_iov(struct ctx *c)
{
	long *v = arg_slot(c, 16);

	if (below(c, 6) == 0)
		return gen_ptr(c);
	for (int i = 0; i < 16; i += 2) {
		v[i] = below(c, 2) ? (long)bigbuf : gen_ptr(c);
		v[i + 1] = below(c, 2) ? below(c, BIGSZ) : gen_len(c);
	}
	return (long)v;
}

static long gen_open(struct ctx *c)
{
	static const long bits[] = {O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC,
				    O_APPEND, O_NONBLOCK, O_DSYNC, O_DIRECTORY, O_NOFOLLOW,
				    O_CLOEXEC, O_PATH, O_TMPFILE, O_LARGEFILE};
	long f = 0;

	for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++)
		if (below(c, 5) == 0)
			f |= bits[i];
	return below(c, 16) ? f : gen_flags(c);
}

static long gen_futex(struct ctx *c)
{
	long op = below(c, 14);	/* FUTEX_WAIT .. FUTEX_LOCK_PI2 */

	if (below(c, 2))
		op |= 128;	/* FUTEX_PRIVATE_FLAG */
	if (below(c, 4) == 0)
		op |= 256;	/* FUTEX_CLOCK_REALTIME */
	return below(c, 16) ? op : gen_flags(c);
}

static long gen_waitopt(struct ctx *c)
{
	static const long bits[] = {WNOHANG, WUNTRACED, WCONTINUED, WEXITED, WNOWAIT,
				    __WNOTHREAD, __WALL, __WCLONE};
	long f = 0;

	for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++)
		if (below(c, 4) == 0)
			f |= bits[i];
	return below(c, 16) ? f : gen_flags(c);
}

/* gen_arg makes one argument of type t. */
static long gen_arg(struct ctx *c, int t)
{
	switch (t) {
	case A_INT: return gen_int(c);
	case A_FD: return gen_fd(c);
	case A_PTR: return gen_ptr(c);
	case A_LEN: return gen_len(c);
	case A_FLAGS: return gen_flags(c);
	case A_PATH: return gen_path(c);
	case A_PID: return gen_pid(c);
	case A_SIG: return below(c, 66);
	case A_PROT: return gen_prot(c);
	case A_MAPF: return gen_mapf(c);
	case A_ADDR: return gen_addr(c);
	case A_TS: return gen_ts(c);
	case A_SET: return gen_set(c);
	case A_SMALL: return below(c, 16);
	case A_IOV: return gen_iov(c);
	case A_SIGSZ: return below(c, 8) ? 8 : gen_len(c);
	case A_OPEN: return gen_open(c);
	case A_FUTEX: return gen_futex(c);
	case A_WAITOPT: return gen_waitopt(c);
	case A_PRIO: return below(c, 4) ? below(c, 40) - 20 : gen_int(c);
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * The table: the calls Tamix implements (the handlers in syscall/) and a few it
 * does not, with argument types
 * ------------------------------------------------------------------- */

enum {
	S_NONE,
	S_SIGSTATE,	/* may change signal state: repair after */
	S_FD,		/* returns a descriptor */
	S_MMAP,		/* returns a mapping to unmap later */
	S_WRITE,	/* sometimes a huge write into a fresh pipe */
	S_KILL,		/* kill(pid, sig): contained targets */
	S_TKILL,	/* tkill(tid, sig) */
	S_TGKILL,	/* tgkill(tgid, tid, sig) */
	S_SIGQUEUE,	/* rt_sigqueueinfo(pid, sig, info) */
	S_TGSIGQUEUE,	/* rt_tgsigqueueinfo(tgid, tid, sig, info) */
	S_FORK,
	S_VFORK,
	S_CLONE,
	S_EXECVE,
	S_CHILDONLY,	/* exit, exit_group, rt_sigreturn: in a child only */
};

struct sysdef {
	short nr;
	unsigned char special;
	unsigned char arg[6];
	const char *name;
};

#define D(nr, sp, name, ...) {nr, sp, {__VA_ARGS__}, name}
static const struct sysdef table[] = {
	D(0, S_NONE, "read", A_FD, A_PTR, A_LEN),
	D(1, S_WRITE, "write", A_FD, A_PTR, A_LEN),
	D(2, S_FD, "open", A_PATH, A_OPEN, A_INT),
	D(3, S_NONE, "close", A_FD),
	D(4, S_NONE, "stat", A_PATH, A_PTR),
	D(5, S_NONE, "fstat", A_FD, A_PTR),
	D(6, S_NONE, "lstat", A_PATH, A_PTR),
	D(7, S_NONE, "poll", A_PTR, A_SMALL, A_SMALL),
	D(8, S_NONE, "lseek", A_FD, A_INT, A_SMALL),
	D(9, S_MMAP, "mmap", A_ADDR, A_LEN, A_PROT, A_MAPF, A_FD, A_LEN),
	D(10, S_NONE, "mprotect", A_ADDR, A_LEN, A_PROT),
	D(11, S_NONE, "munmap", A_ADDR, A_LEN),
	D(12, S_NONE, "brk", A_PTR),
	D(13, S_SIGSTATE, "rt_sigaction", A_SIG, A_PTR, A_PTR, A_SIGSZ),
	D(14, S_SIGSTATE, "rt_sigprocmask", A_SMALL, A_SET, A_PTR, A_SIGSZ),
	D(15, S_CHILDONLY, "rt_sigreturn"),
	D(16, S_NONE, "ioctl", A_FD, A_FLAGS, A_PTR),
	D(17, S_NONE, "pread64", A_FD, A_PTR, A_LEN, A_INT),
	D(18, S_NONE, "pwrite64", A_FD, A_PTR, A_LEN, A_INT),
	D(19, S_NONE, "readv", A_FD, A_IOV, A_SMALL),
	D(20, S_NONE, "writev", A_FD, A_IOV, A_SMALL),
	D(21, S_NONE, "access", A_PATH, A_SMALL),
	D(22, S_FD, "pipe", A_PTR),
	D(23, S_NONE, "select", A_SMALL, A_PTR, A_PTR, A_PTR, A_TS),
	D(24, S_NONE, "sched_yield"),
	D(25, S_NONE, "mremap", A_ADDR, A_LEN, A_LEN, A_FLAGS, A_ADDR),
	D(28, S_NONE, "madvise", A_ADDR, A_LEN, A_SMALL),
	D(32, S_FD, "dup", A_FD),
	D(33, S_FD, "dup2", A_FD, A_FD),
	D(34, S_NONE, "pause"),
	D(35, S_NONE, "nanosleep", A_TS, A_PTR),
	D(36, S_NONE, "getitimer", A_SMALL, A_PTR),
	D(37, S_NONE, "alarm", A_SMALL),
	D(38, S_NONE, "setitimer", A_SMALL, A_TS, A_PTR),
	D(39, S_NONE, "getpid"),
	D(56, S_CLONE, "clone"),
	D(57, S_FORK, "fork"),
	D(58, S_VFORK, "vfork"),
	D(59, S_EXECVE, "execve"),
	D(60, S_CHILDONLY, "exit", A_INT),
	D(61, S_NONE, "wait4", A_PID, A_PTR, A_WAITOPT, A_PTR),
	D(62, S_KILL, "kill"),
	D(63, S_NONE, "uname", A_PTR),
	D(72, S_FD, "fcntl", A_FD, A_SMALL, A_INT),
	D(79, S_NONE, "getcwd", A_PTR, A_LEN),
	D(96, S_NONE, "gettimeofday", A_PTR, A_PTR),
	D(97, S_NONE, "getrlimit", A_SMALL, A_PTR),
	D(102, S_NONE, "getuid"),
	D(104, S_NONE, "getgid"),
	D(107, S_NONE, "geteuid"),
	D(108, S_NONE, "getegid"),
	D(109, S_NONE, "setpgid", A_PID, A_PID),
	D(110, S_NONE, "getppid"),
	D(111, S_NONE, "getpgrp"),
	D(112, S_NONE, "setsid"),
	D(121, S_NONE, "getpgid", A_PID),
	D(124, S_NONE, "getsid", A_PID),
	D(127, S_NONE, "rt_sigpending", A_PTR, A_SIGSZ),
	D(128, S_NONE, "rt_sigtimedwait", A_SET, A_PTR, A_TS, A_SIGSZ),
	D(129, S_SIGQUEUE, "rt_sigqueueinfo"),
	D(130, S_SIGSTATE, "rt_sigsuspend", A_SET, A_SIGSZ),
	D(131, S_NONE, "sigaltstack", A_PTR, A_PTR),
	D(140, S_NONE, "getpriority", A_SMALL, A_PID),
	D(141, S_NONE, "setpriority", A_SMALL, A_PID, A_PRIO),
	D(157, S_NONE, "prctl", A_INT, A_PTR, A_INT, A_INT, A_INT),
	D(158, S_NONE, "arch_prctl", A_INT, A_PTR),
	D(160, S_NONE, "setrlimit", A_SMALL, A_PTR),
	D(186, S_NONE, "gettid"),
	D(200, S_TKILL, "tkill"),
	D(202, S_NONE, "futex", A_PTR, A_FUTEX, A_INT, A_TS, A_PTR, A_INT),
	D(203, S_NONE, "sched_setaffinity", A_PID, A_LEN, A_PTR),
	D(204, S_NONE, "sched_getaffinity", A_PID, A_LEN, A_PTR),
	D(213, S_FD, "epoll_create", A_INT),
	D(218, S_NONE, "set_tid_address", A_PTR),
	D(219, S_NONE, "restart_syscall"),
	D(228, S_NONE, "clock_gettime", A_SMALL, A_PTR),
	D(229, S_NONE, "clock_getres", A_SMALL, A_PTR),
	D(230, S_NONE, "clock_nanosleep", A_SMALL, A_SMALL, A_TS, A_PTR),
	D(231, S_CHILDONLY, "exit_group", A_INT),
	D(232, S_NONE, "epoll_wait", A_FD, A_PTR, A_INT, A_SMALL),
	D(233, S_NONE, "epoll_ctl", A_FD, A_SMALL, A_FD, A_PTR),
	D(234, S_TGKILL, "tgkill"),
	D(247, S_NONE, "waitid", A_SMALL, A_PID, A_PTR, A_WAITOPT, A_PTR),
	D(257, S_FD, "openat", A_FD, A_PATH, A_OPEN, A_INT),
	D(262, S_NONE, "newfstatat", A_FD, A_PATH, A_PTR, A_FLAGS),
	D(273, S_NONE, "set_robust_list", A_PTR, A_LEN),
	D(274, S_NONE, "get_robust_list", A_PID, A_PTR, A_PTR),
	D(281, S_SIGSTATE, "epoll_pwait", A_FD, A_PTR, A_INT, A_SMALL, A_SET, A_SIGSZ),
	D(284, S_FD, "eventfd", A_INT),
	D(290, S_FD, "eventfd2", A_INT, A_FLAGS),
	D(291, S_FD, "epoll_create1", A_FLAGS),
	D(292, S_FD, "dup3", A_FD, A_FD, A_FLAGS),
	D(293, S_FD, "pipe2", A_PTR, A_FLAGS),
	D(297, S_TGSIGQUEUE, "rt_tgsigqueueinfo"),
	D(302, S_NONE, "prlimit64", A_PID, A_SMALL, A_PTR, A_PTR),
	D(318, S_NONE, "getrandom", A_PTR, A_LEN, A_FLAGS),
	D(334, S_NONE, "rseq", A_PTR, A_LEN, A_FLAGS, A_INT),
	D(441, S_SIGSTATE, "epoll_pwait2", A_FD, A_PTR, A_INT, A_TS, A_SET, A_SIGSZ),
};
#define NTABLE (int)(sizeof table / sizeof table[0])

/* ---------------------------------------------------------------------
 * Making a call: publish it, bound it, count its result
 * ------------------------------------------------------------------- */

/* name_of names a system-call number. */
static const char *name_of(long nr)
{
	for (int i = 0; i < NTABLE; i++)
		if (table[i].nr == nr)
			return table[i].name;
	return "syscall";
}

/* put_call appends "name(a0, a1, ...)" to l. */
static void put_call(struct line *l, long nr, const volatile long *a, int n)
{
	put_s(l, name_of(nr));
	if (name_of(nr)[0] == 's' && name_of(nr)[1] == 'y') {
		put_s(l, "_");
		put_d(l, nr);
	}
	put_s(l, "(");
	for (int i = 0; i < n; i++) {
		if (i)
			put_s(l, ", ");
		put_x(l, (unsigned long)a[i]);
	}
	put_s(l, ")");
}

/* arm_timer bounds the next call: SIGALRM in TIMER_US, and again every
 * TIMER_US until the next call re-arms it (one SIGALRM may go to another
 * thread of the process, or a thread may disarm the shared timer). */
static void arm_timer(void)
{
	long it[4] = {0, TIMER_US, 0, TIMER_US};

	tx_syscall3(SYS_setitimer, 0 /* ITIMER_REAL */, it, 0);
}

/* publish announces a call: a verbose line, the slot for the watchdog,
 * then the timer. */
static void publish(struct ctx *c, long nr, const long *a, int n)
{
	struct slot *s = c->slot;

	if (c->verbose) {
		struct line l = {.n = 0};

		put_s(&l, "fuzz: w");
		put_d(&l, c->worker);
		if (c->child) {
			put_s(&l, " child ");
			put_d(&l, c->self);
		}
		put_s(&l, " #");
		put_d(&l, c->calls);
		put_s(&l, " ");
		put_call(&l, nr, a, n);
		put_end(&l, LOGFD);
	}
	if (s && !c->child) {
		s->nr = nr;
		for (int i = 0; i < 6; i++)
			s->a[i] = a[i];
		s->incall = 1;
	}
	arm_timer();
}

/* finish counts a call's result. */
static long finish(struct ctx *c, long r)
{
	struct slot *s = c->slot;

	c->calls++;
	if (!s)
		return r;
	if (c->child) {
		__atomic_add_fetch(&s->kidcalls, 1, __ATOMIC_RELAXED);
	} else {
		s->incall = 0;
		s->calls++;
	}
	if (tx_is_err(r) && -r < NERR)
		__atomic_add_fetch(&s->err[-r], 1, __ATOMIC_RELAXED);
	else if (!tx_is_err(r))
		__atomic_add_fetch(&s->ok, 1, __ATOMIC_RELAXED);
	return r;
}

/* call makes system call nr with arguments a (n of them shown). */
static long call(struct ctx *c, long nr, const long *a, int n)
{
	publish(c, nr, a, n);
	return finish(c, tx_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* sig_setup installs the worker's signal state: SIGALRM caught without
 * SA_RESTART (so it interrupts any blocking call), SIGPIPE ignored, and
 * SIGALRM unblocked. A child its parent waits for in vfork (waited)
 * also ignores SIGTTIN and SIGTTOU: a read from the console, or a
 * termios change, from a background process group would stop it, and
 * its parent would wait in vfork until someone continued it (on Linux
 * too), which the watchdog would report. Everyone else gets them back
 * at their default, so that the tty's job control is exercised. */
static void sig_setup(int waited)
{
	long act[4] = {(long)on_alarm, 0x04000000 /* SA_RESTORER */, (long)fz_restore_rt, 0};
	long ign[4] = {(long)SIG_IGN, 0x04000000, (long)fz_restore_rt, 0};
	long dfl[4] = {(long)SIG_DFL, 0, 0, 0};
	long set = 1L << (SIGALRM - 1);

	tx_syscall6(SYS_rt_sigaction, SIGALRM, (long)act, 0, 8, 0, 0);
	tx_syscall6(SYS_rt_sigaction, SIGPIPE, (long)ign, 0, 8, 0, 0);
	tx_syscall6(SYS_rt_sigaction, SIGTTIN, (long)(waited ? ign : dfl), 0, 8, 0, 0);
	tx_syscall6(SYS_rt_sigaction, SIGTTOU, (long)(waited ? ign : dfl), 0, 8, 0, 0);
	tx_syscall6(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&set, 0, 8, 0, 0);
}

/* add_kid remembers a child to signal and reap. */
static void add_kid(struct ctx *c, long pid)
{
	for (int i = 0; i < NKIDS; i++)
		if (c->kids[i] == 0) {
			c->kids[i] = pid;
			return;
		}
	c->kids[below(c, NKIDS)] = pid;
}

/* reap collects exited children without waiting (or, with block,
 * waits for all, each wait bounded by the timer). */
static void reap(struct ctx *c, int block)
{
	for (int tries = 0; tries < 1000; tries++) {
		if (block)
			arm_timer();
		long r = tx_syscall6(SYS_wait4, -1, 0, (block ? 0 : WNOHANG) | __WALL, 0, 0, 0);
		if (r == -4 /* EINTR */)
			continue;
		if (r <= 0)
			break;
		for (int i = 0; i < NKIDS; i++)
			if (c->kids[i] == r)
				c->kids[i] = 0;
	}
}

/* ---------------------------------------------------------------------
 * Contained calls: signals, fork, vfork, clone, execve
 * ------------------------------------------------------------------- */

static long self_signal(struct ctx *c, long sig);

/* harmless are signals whose default action is to ignore or continue. */
static const long harmless[] = {0, SIGCHLD, SIGCONT, SIGURG, SIGWINCH};

/* gen_target picks a process (or group) to signal and a signal for it:
 * children and garbage PIDs get any signal, the caller itself, its group
 * and everyone (-1) harmless ones, and 1 time in 64 the caller gets any. */
static void gen_target(struct ctx *c, long *pid, long *sig)
{
	long k = c->kids[below(c, NKIDS)];

	*sig = below(c, 66);
	switch (below(c, 8)) {
	case 0:
	case 1:
		if (k) {
			*pid = k;
			return;
		}
		break;
	case 2:
		*pid = below(c, 2) ? 0x7fffffff : -(long)(rnd(c) & 0x7fffffff) - 1000000;
		return;
	case 3:
		if (contained) {
			*pid = -1;
			*sig = harmless[below(c, 5)];
			return;
		}
		break;
	case 4:
		*pid = below(c, 2) ? 0 : -c->self;
		*sig = harmless[below(c, 5)];
		return;
	}
	*pid = c->self;
	if (below(c, 64) != 0)
		*sig = harmless[below(c, 5)];
	*sig = self_signal(c, *sig);
}

/* self_signal is sig as the caller may send it to itself: a stopped
 * vfork child would hold its parent in vfork until someone sent SIGCONT
 * (on Linux too), and the watchdog would fire, so such a child sends
 * SIGCONT instead of a stop signal. */
static long self_signal(struct ctx *c, long sig)
{
	if (c->waited && (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU))
		return SIGCONT;
	return sig;
}

/* thread_target is the target of a call that names one thread (tkill,
 * tgkill, rt_tgsigqueueinfo): a pid that names a group or nobody (<= 0)
 * becomes the caller itself, and sig then follows self_signal. */
static long thread_target(struct ctx *c, long pid, long *sig)
{
	if (pid > 0)
		return pid;
	*sig = self_signal(c, *sig);
	return c->self;
}

/* gen_siginfo: a siginfo with a random si_code, or a bad pointer. */
static long gen_siginfo(struct ctx *c, long sig)
{
	long *si = arg_slot(c, 16);

	if (below(c, 4) == 0)
		return gen_ptr(c);
	for (int i = 0; i < 16; i++)
		si[i] = (long)rnd(c);
	((int *)si)[0] = (int)sig;
	((int *)si)[2] = below(c, 2) ? -1 /* SI_QUEUE */ : (int)gen_int(c);
	return (long)si;
}

/* signal_call makes kill, tkill, tgkill, rt_sigqueueinfo or
 * rt_tgsigqueueinfo with a contained target. */
static long signal_call(struct ctx *c, const struct sysdef *d)
{
	long a[6] = {0}, pid, sig;

	gen_target(c, &pid, &sig);
	switch (d->special) {
	case S_KILL:
		a[0] = pid, a[1] = sig;
		return call(c, d->nr, a, 2);
	case S_TKILL:
		a[0] = thread_target(c, pid, &sig), a[1] = sig;
		return call(c, d->nr, a, 2);
	case S_TGKILL:
		a[0] = thread_target(c, pid, &sig), a[1] = a[0], a[2] = sig;
		if (below(c, 4) == 0)
			a[1] = gen_int(c) & 0xffff; /* a TID of no thread of ours, mostly */
		return call(c, d->nr, a, 3);
	case S_SIGQUEUE:
		a[0] = pid, a[1] = sig, a[2] = gen_siginfo(c, sig);
		return call(c, d->nr, a, 3);
	}
	a[0] = thread_target(c, pid, &sig), a[1] = a[0], a[2] = sig, a[3] = gen_siginfo(c, sig);
	return call(c, d->nr, a, 4);
}

/* childarg is what a new child starts from. */
struct childarg {
	uint64_t seed;
	int worker, depth, verbose, thread, exec, waited;
	volatile int *busy;	/* the stack's flag, for a CLONE_VM child */
	struct slot *slot;
};

static void child_main(unsigned long arg);

/* new_childarg fills a childarg at the top of a free child stack and
 * returns it, or NULL if every stack is in use; the stack for the child
 * ends below it. A child that shares the memory (vm) keeps the stack
 * busy until it exits. */
static struct childarg *new_childarg(struct ctx *c, int vm, int thread, int exec, long *stack)
{
	int i = 0;

	while (stack_busy[stack_next % NSTACKS] && i++ < NSTACKS)
		stack_next++;
	if (i > NSTACKS)
		return NULL;
	i = stack_next++ % NSTACKS;

	char *top = stacks[i] + STACKSZ;
	struct childarg *ca = (struct childarg *)(top - 64);

	ca->seed = rnd(c);
	ca->worker = c->worker;
	ca->depth = c->child + 1;
	ca->verbose = c->verbose;
	ca->thread = thread;
	ca->exec = exec;
	ca->waited = 0;
	ca->slot = c->slot;
	ca->busy = vm ? &stack_busy[i] : NULL;
	stack_busy[i] = vm;
	*stack = (long)ca - 64;
	return ca;
}

/* do_fork: fork(2); the child makes a few calls (or execs hello) and
 * exits. */
static long do_fork(struct ctx *c, int exec)
{
	long stack, a[6] = {0};
	struct childarg *ca = new_childarg(c, 0, 0, exec, &stack);

	if (!ca)
		return 0;

	publish(c, SYS_fork, a, 0);
	long r = tx_syscall0(SYS_fork);
	if (r == 0)
		child_main((unsigned long)ca);	/* does not return */
	if (r > 0)
		add_kid(c, r);
	return finish(c, r);
}

/* do_vfork: vfork(2), the child running below the caller's frame. */
static long do_vfork(struct ctx *c)
{
	long stack, a[6] = {0};
	struct childarg *ca = new_childarg(c, 0, 0, below(c, 4) == 0, &stack);

	if (!ca)
		return 0;
	ca->waited = 1;

	publish(c, SYS_vfork, a, 0);
	long r = fz_vfork(child_main, (unsigned long)ca);
	if (r > 0)
		add_kid(c, r);
	return finish(c, r);
}

/* gen_clone_flags: known combinations, random bits and every flag. */
static long gen_clone_flags(struct ctx *c)
{
	static const long thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
		CLONE_CHILD_CLEARTID;
	long f, sigs[] = {SIGCHLD, SIGCHLD, SIGCHLD, 0, below(c, 65)};

	switch (below(c, 6)) {
	case 0:
		f = thread;
		break;
	case 1:
		f = CLONE_VM | CLONE_VFORK;
		break;
	case 2:
		f = 0;
		break;
	case 3:
		f = (long)(rnd(c) & 0x1ffffff00UL);
		break;
	default:
		f = 0;
		for (int b = 8; b < 33; b++)
			if (below(c, 8) == 0)
				f |= 1L << b;
	}
	if (!(f & CLONE_THREAD))
		f |= sigs[below(c, 5)];
	return f;
}

/* do_clone: clone(2) with random flags; the child runs on a stack of
 * its own whenever it shares the memory and the parent goes on. */
static long do_clone(struct ctx *c)
{
	long flags = gen_clone_flags(c), stack, a[6] = {0};
	int thread = (flags & CLONE_THREAD) != 0;
	struct childarg *ca = new_childarg(c, (flags & CLONE_VM) != 0, thread,
					   !thread && below(c, 8) == 0, &stack);

	if (!ca)
		return 0;
	ca->waited = (flags & CLONE_VFORK) != 0 || (thread && c->waited);

	if (!(flags & CLONE_VM) && below(c, 2))
		stack = 0;
	if ((flags & CLONE_VM) && (flags & CLONE_VFORK) && below(c, 2))
		stack = 0;	/* the parent waits: the child may use its stack */
	if (below(c, 32) == 0)
		stack = gen_ptr(c);	/* the child faults, or shares */
	if ((flags & CLONE_VM) && !(flags & CLONE_VFORK) && stack == 0)
		stack = (long)ca - 64;
	a[0] = flags, a[1] = stack, a[2] = gen_ptr(c), a[3] = gen_ptr(c);
	a[4] = below(c, 2) ? gen_ptr(c) : (long)arg_slot(c, 8);
	publish(c, SYS_clone, a, 5);
	long r = fz_clone(a[0], a[1], a[2], a[3], a[4], child_main, (unsigned long)ca);
	if (r > 0 && !thread && !(flags & CLONE_PARENT))
		add_kid(c, r);
	return finish(c, r);
}

/* exec_hello replaces a child with hello and random arguments, some
 * beyond Linux's limits (MAX_ARG_STRLEN, ARG_MAX); exits 127 if it fails. */
static void exec_hello(struct ctx *c)
{
	static const long counts[] = {0, 1, 3, 100, 1000, 5000};
	static const long lens[] = {0, 10, 4096, 131071, 131072, 200000};
	static char *argv[5002];
	long n = counts[below(c, 6)], len = lens[below(c, 6)];
	long a[6] = {(long)realpaths[0], (long)argv, 0};

	for (long i = 0; i < n; i++)
		argv[i] = bigbuf + BIGSZ - 1 - (below(c, 2) ? len : below(c, 64));
	argv[n] = 0;
	if (below(c, 8) == 0)
		a[1] = gen_ptr(c);
	a[2] = below(c, 2) ? (long)(argv + n) : gen_ptr(c);
	tx_syscall1(SYS_close, 1);	/* hello's greeting goes nowhere */
	tx_syscall1(SYS_close, 2);
	call(c, SYS_execve, a, 3);
	tx_syscall1(SYS_exit, 127);
}

/* do_execve: hello in a forked child, or a garbage path in the caller. */
static long do_execve(struct ctx *c)
{
	long a[6] = {gen_path(c), gen_ptr(c), gen_ptr(c)};

	if (a[0] == (long)realpaths[0] || a[0] == (long)realpaths[6] || below(c, 4) == 0) {
		if (c->thread)
			return 0;
		if (c->child)
			exec_hello(c);	/* does not return */
		return do_fork(c, 1);
	}
	if (below(c, 2))
		a[1] = (long)arg_slot(c, 4), ((long *)a[1])[0] = 0;
	return call(c, SYS_execve, a, 3);
}

/* ---------------------------------------------------------------------
 * Workers and their children
 * ------------------------------------------------------------------- */

/* huge_pipe_write writes up to a GiB into a fresh pipe nobody reads:
 * it ends when the pipe is full (O_NONBLOCK) or at SIGALRM. */
static long huge_pipe_write(struct ctx *c)
{
	static const long lens[] = {65536, 65537, 1L << 20, 1L << 30, BIGSZ};
	int p[2];
	long a[6] = {0};

	if (tx_syscall2(SYS_pipe2, p, below(c, 2) ? O_NONBLOCK : 0) != 0)
		return -1;
	a[0] = p[1];
	a[1] = below(c, 2) ? (long)bigbuf : SCRATCH;
	a[2] = lens[below(c, 5)];
	long r = call(c, SYS_write, a, 3);
	if (below(c, 2))
		tx_syscall1(SYS_close, p[0]);	/* then EPIPE, next time */
	tx_syscall1(SYS_close, p[1]);
	tx_syscall1(SYS_close, p[0]);
	return r;
}

/* random_call makes a system call outside the table (Tamix only: on a
 * host it could be anything), with random arguments. */
static long random_call(struct ctx *c)
{
	long nrs[] = {below(c, 512), 512 + below(c, 1000), -1, 0x40000000 | below(c, 512),
		      (long)rnd(c)};
	long nr = nrs[below(c, 5)], a[6];

	for (int i = 0; i < NTABLE; i++)
		if (table[i].nr == nr)
			return 0;
	for (int i = 0; i < 6; i++)
		a[i] = below(c, 2) ? gen_int(c) : gen_ptr(c);
	return call(c, nr, a, 6);
}

/* only[i]: with -c, the table entries to draw from. */
static char only[NTABLE], restricted;

/* one_call makes one random call from the table. */
static void one_call(struct ctx *c)
{
	const struct sysdef *d = &table[below(c, NTABLE)];
	long a[6] = {0}, r;
	int n = 0;

	while (restricted && !only[d - table])
		d = &table[below(c, NTABLE)];
	if (on_tamix && !restricted && below(c, 50) == 0) {
		random_call(c);
		return;
	}
	switch (d->special) {
	case S_KILL: case S_TKILL: case S_TGKILL: case S_SIGQUEUE: case S_TGSIGQUEUE:
		signal_call(c, d);
		return;
	case S_FORK:
		if (c->child < 2)
			do_fork(c, 0);
		return;
	case S_VFORK:
		if (c->child < 2)
			do_vfork(c);
		return;
	case S_CLONE:
		if (c->child < 2)
			do_clone(c);
		return;
	case S_EXECVE:
		do_execve(c);
		return;
	case S_CHILDONLY:
		if (!c->child || (c->thread && d->nr != SYS_exit))
			return;
		break;
	case S_WRITE:
		if (below(c, 4) == 0) {
			huge_pipe_write(c);
			return;
		}
		break;
	}
	while (n < 6 && d->arg[n] != A_0)
		n++;
	for (int i = 0; i < n; i++)
		a[i] = gen_arg(c, d->arg[i]);
	r = call(c, d->nr, a, n);
	if (d->special == S_SIGSTATE)
		sig_setup(c->waited);	/* a child may share the handlers (CLONE_SIGHAND) */
	if (d->special == S_FD && r > c->maxfd && r < LOGFD)
		c->maxfd = (int)r;
	if (d->special == S_MMAP && !tx_is_err(r) && c->nmaps < NMAPS) {
		c->maps[c->nmaps][0] = r;
		c->maps[c->nmaps++][1] = a[1];
	}
}

/* child_main is a fork, vfork or clone child: a few calls, then exit
 * (exec_hello instead when the parent asked for it). */
static void child_main(unsigned long arg)
{
	struct childarg *ca = (struct childarg *)arg;
	struct ctx k;

	memset(&k, 0, sizeof k);
	k.rng = ca->seed;
	k.worker = ca->worker;
	k.child = ca->depth;
	k.verbose = ca->verbose;
	k.thread = ca->thread;
	k.waited = ca->waited;
	k.slot = ca->slot;
	k.self = tx_syscall0(SYS_getpid);
	if (k.waited)
		sig_setup(1);
	if (ca->exec)
		exec_hello(&k);
	for (long n = below(&k, 8); n > 0; n--)
		one_call(&k);
	if (!k.thread)
		reap(&k, 0);
	long code = below(&k, 256);
	if (k.thread)
		arm_timer();	/* the timer is the process's: leave it armed */
	if (ca->busy)
		*ca->busy = 0;	/* from here on, only the exit below */
	tx_syscall1(SYS_exit, code);
}

/* refresh puts the worker's world back every 64 calls: the scratch
 * mapping (fresh, half random), the mappings it made unmapped, exited
 * children reaped, the signal state, and every 256 calls its
 * descriptors above 2 closed. */
static void refresh(struct ctx *c)
{
	for (int i = 0; i < c->nmaps; i++)
		tx_syscall2(SYS_munmap, c->maps[i][0], c->maps[i][1]);
	c->nmaps = 0;
	long p = tx_syscall6(SYS_mmap, SCRATCH, SCRATCH_LEN, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == SCRATCH)
		for (long *q = (long *)SCRATCH; q < (long *)(SCRATCH + SCRATCH_LEN / 2); q++)
			*q = (long)rnd(c);
	reap(c, 0);
	sig_setup(c->waited);
	if (c->calls % 4096 == 0)	/* children that exec'd or were killed */
		memset((void *)stack_busy, 0, sizeof stack_busy);
	if (c->calls % 256 == 0) {
		for (int fd = 3; fd <= c->maxfd; fd++)
			tx_syscall1(SYS_close, fd);
		c->maxfd = 2;
	}
}

/* hide_output moves the worker's standard output to LOGFD and puts
 * the ends of a pipe on descriptors 0, 1 and 2, so that random writes,
 * lseeks and ioctls never reach the console (or the host's file). */
static void hide_output(void)
{
	int p[2];

	tx_syscall2(SYS_dup2, 1, LOGFD);
	if (tx_syscall2(SYS_pipe2, p, 0) != 0)
		return;
	tx_syscall2(SYS_dup2, p[0], 0);
	tx_syscall2(SYS_dup2, p[1], 1);
	tx_syscall2(SYS_dup2, p[1], 2);
	if (p[0] > 2)
		tx_syscall1(SYS_close, p[0]);
	if (p[1] > 2)
		tx_syscall1(SYS_close, p[1]);
}

/* worker_main is worker i: its share of the calls, then its children
 * killed and reaped. Does not return. */
static void worker_main(int i, uint64_t seed)
{
	struct ctx c;
	struct slot *s = &shm->w[i];

	memset(&c, 0, sizeof c);
	c.rng = mix(seed, (uint64_t)i << 32 | (uint64_t)s->gen);
	c.worker = i;
	c.verbose = verbose_all;
	c.slot = s;
	c.self = tx_syscall0(SYS_getpid);
	c.maxfd = 2;
	hide_output();
	sig_setup(0);
	while (s->calls < s->quota) {
		if (c.calls % 64 == 0)
			refresh(&c);
		one_call(&c);
	}
	for (int k = 0; k < NKIDS; k++)
		if (c.kids[k] > 0)
			tx_syscall2(SYS_kill, c.kids[k], SIGKILL);
	reap(&c, 1);
	tx_exit(0);
}

/* ---------------------------------------------------------------------
 * The parent: start, watch, restart, report
 * ------------------------------------------------------------------- */

static uint64_t seed = 1;
static long total = 10000;
static int nworkers = 8, watchdog_s = 10;

/* worker_stack is where a new worker starts: private memory (copied at
 * fork), unlike the parent's stack in the shared mapping. */
static char worker_stack[256 * 1024] __attribute__((aligned(16)));

/* worker_entry is a new worker's first function, on worker_stack. */
static void worker_entry(unsigned long i)
{
	tx_syscall2(SYS_setpgid, 0, 0);
	worker_main((int)i, seed);
}

/* start_worker forks worker i. The child starts on worker_stack: from
 * supervise, the parent runs on shm->p.stack, and a child returning
 * from a plain fork into that shared stack would write its frames over
 * the parent's (and the parent over the worker's). */
static void start_worker(int i)
{
	long pid = fz_clone(SIGCHLD, (long)(worker_stack + sizeof worker_stack), 0, 0, 0,
			    worker_entry, (unsigned long)i);

	shm->p.idle_ticks[i] = 0;
	if (pid < 0) {	/* supervise tries again */
		if (shm->w[i].pid != -1)
			tx_printf(1, "# fuzz: fork of worker %d: %s, retrying\n", i, tx_errname(pid));
		shm->p.forkfails++;
		shm->w[i].pid = -1;
		return;
	}
	tx_syscall2(SYS_setpgid, pid, pid);
	shm->w[i].pid = pid;
}

/* event prints what happened to worker i and which call it was in. */
static void event(int i, const char *what, long detail)
{
	struct slot *s = &shm->w[i];
	struct line l = {.n = 0};

	put_s(&l, "# fuzz: ");
	put_s(&l, what);
	put_s(&l, " worker ");
	put_d(&l, i);
	put_s(&l, " pid ");
	put_d(&l, s->pid);
	put_s(&l, " (");
	put_d(&l, detail);
	put_s(&l, s->incall ? ") in call #" : ") after call #");
	put_d(&l, s->calls);
	put_s(&l, " ");
	put_call(&l, s->nr, s->a, 6);
	put_end(&l, 1);
}

/* worker_of returns the worker whose process is pid, or -1. */
static int worker_of(long pid)
{
	for (int i = 0; i < nworkers; i++)
		if (shm->w[i].pid == pid)
			return i;
	return -1;
}

/* handle acts on a wait status: a stopped worker is continued, a
 * finished one is done, any other end restarts it. Returns 1 when the
 * worker finished its share. */
static int handle(long pid, int st)
{
	int i = worker_of(pid);
	struct slot *s;

	if (i < 0) {
		shm->p.strays++;	/* a CLONE_PARENT child, or an orphan (as PID 1) */
		return 0;
	}
	s = &shm->w[i];
	if (WIFSTOPPED(st)) {
		shm->p.stops++;
		event(i, "stopped (signal)", WSTOPSIG(st));
		tx_syscall2(SYS_kill, pid, SIGCONT);
		return 0;
	}
	tx_syscall2(SYS_kill, -pid, SIGKILL);	/* what it left behind */
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && s->calls >= s->quota) {
		s->pid = 0;
		return 1;
	}
	shm->p.restarts++;
	if (WIFSIGNALED(st))
		event(i, "restart: killed by signal", WTERMSIG(st));
	else
		event(i, "restart: exited with status", WEXITSTATUS(st));
	s->incall = 0;
	s->gen++;
	start_worker(i);
	return 0;
}

/* show_tasks prints the kernel's view of pid and its children: the
 * lines of Tamix's /proc/tasks (ps-like) whose PID or PPID is pid. The
 * file is read in pieces, a line at a time, however long it is. */
static void show_tasks(long pid)
{
	static char buf[8192];
	long fd = tx_syscall2(SYS_open, "/proc/tasks", O_RDONLY), n = 0, r;
	int first = 1;

	if (fd < 0)
		return;
	while ((r = tx_syscall3(SYS_read, fd, buf + n, sizeof buf - 1 - n)) > 0) {
		char *l = buf, *e;

		n += r;
		buf[n] = 0;
		for (; (e = strchr(l, '\n')); l = e + 1) {
			long p, pp;

			*e = 0;
			if (first || (sscanf(l, "%ld %ld", &p, &pp) == 2 && (p == pid || pp == pid)))
				tx_printf(1, "# fuzz:   %s\n", l);
			first = 0;
		}
		n = buf + n - l;	/* keep the unfinished line */
		memmove(buf, l, n);
		if (n == sizeof buf - 1)
			n = 0;		/* a line longer than buf: drop it */
	}
	tx_syscall1(SYS_close, fd);
}

/* show_thread prints one thread's state and signal masks from
 * /proc/PID/task/TID/status, on one line. */
static void show_thread(long pid, const char *tid)
{
	static const char *keys[] = {"State:", "SigPnd:", "ShdPnd:", "SigBlk:", "SigIgn:", "SigCgt:"};
	char path[64], buf[4096], out[512];
	long fd, n, o = 0;

	snprintf(path, sizeof path, "/proc/%ld/task/%s/status", pid, tid);
	if ((fd = tx_syscall2(SYS_open, path, O_RDONLY)) < 0)
		return;
	n = tx_syscall3(SYS_read, fd, buf, sizeof buf - 1);
	tx_syscall1(SYS_close, fd);
	buf[n > 0 ? n : 0] = 0;
	for (char *l = buf, *e; (e = strchr(l, '\n')); l = e + 1) {
		*e = 0;
		for (unsigned k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (strncmp(l, keys[k], strlen(keys[k])) == 0 && o < (long)sizeof out - 64)
				o += snprintf(out + o, sizeof out - o, " %s", l);
	}
	for (char *c = out; c < out + o; c++)
		if (*c == '\t')
			*c = ' ';
	out[o] = 0;
	tx_printf(1, "# fuzz:   thread %s:%s\n", tid, out);
}

/* show_threads prints every thread of pid (show_thread), so that a
 * watchdog event says who was asleep with which signals pending. */
static void show_threads(long pid)
{
	char path[64], buf[2048];
	long fd, n;

	snprintf(path, sizeof path, "/proc/%ld/task", pid);
	if ((fd = tx_syscall3(SYS_open, path, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return;
	while ((n = tx_syscall3(SYS_getdents64, fd, buf, sizeof buf)) > 0)
		for (long o = 0; o < n;) {
			unsigned short reclen = *(unsigned short *)(buf + o + 16);
			const char *name = buf + o + 19;

			if (name[0] != '.')
				show_thread(pid, name);
			o += reclen;
		}
	tx_syscall1(SYS_close, fd);
}

/* watch is the watchdog, every tenth of a second: a worker whose call
 * count has not moved for watchdog_s seconds is named and killed. */
static void watch(void)
{
	for (int i = 0; i < nworkers; i++) {
		struct slot *s = &shm->w[i];

		if (s->pid <= 0)
			continue;
		if (s->calls != shm->p.last_calls[i]) {
			shm->p.last_calls[i] = s->calls;
			shm->p.idle_ticks[i] = 0;
			continue;
		}
		if (++shm->p.idle_ticks[i] == watchdog_s * 10L) {
			shm->p.watchdogs++;
			event(i, "watchdog: no progress for seconds", watchdog_s);
			if (on_tamix)
				show_tasks(s->pid);
			show_threads(s->pid);
			tx_syscall2(SYS_kill, s->pid, SIGKILL);
		}
	}
}

/* supervise runs until every worker has done its share. */
static void supervise(void)
{
	int done = 0;
	long tick[2] = {0, 100000000};

	while (done < nworkers) {
		int st = 0;
		long pid;

		while ((pid = tx_syscall6(SYS_wait4, -1, (long)&st, WNOHANG | WUNTRACED | __WALL,
					  0, 0, 0)) > 0)
			done += handle(pid, st);
		if (done == nworkers)
			break;
		tx_syscall2(SYS_nanosleep, tick, 0);
		for (int i = 0; i < nworkers; i++)
			if (shm->w[i].pid == -1)
				start_worker(i);
		watch();
	}
}

/* errname names errno e without its minus ("EPERM"), or is NULL. */
static const char *errname(int e)
{
	const char *name = tx_errno_name(e);

	return name ? name + 1 : NULL;
}

/* report prints the totals and the errors by errno. */
static int report(void)
{
	long calls = 0, kid = 0, ok = 0, err[NERR] = {0}, short_of = 0;
	struct line l = {.n = 0};

	for (int i = 0; i < nworkers; i++) {
		calls += shm->w[i].calls;
		kid += shm->w[i].kidcalls;
		ok += shm->w[i].ok;
		if (shm->w[i].calls < shm->w[i].quota)
			short_of++;
		for (int e = 0; e < NERR; e++)
			err[e] += shm->w[i].err[e];
	}
	tx_printf(1, "# fuzz: done calls=%ld child_calls=%ld ok=%ld restarts=%ld watchdog=%ld "
		  "stopped=%ld strays=%ld forkfails=%ld\n", calls, kid, ok, shm->p.restarts,
		  shm->p.watchdogs, shm->p.stops, shm->p.strays, shm->p.forkfails);
	put_s(&l, "# fuzz: errors");
	for (int e = 1; e < NERR; e++) {
		if (err[e] == 0)
			continue;
		if (l.n > 300)
			put_end(&l, 1), put_s(&l, "# fuzz: errors");
		put_s(&l, " ");
		if (errname(e))
			put_s(&l, errname(e));
		else
			put_s(&l, "E"), put_d(&l, e);
		put_s(&l, "=");
		put_d(&l, err[e]);
	}
	put_end(&l, 1);
	return short_of != 0;
}

/* copy_file copies src to dst (mode 0755), or fails the run. */
static void copy_file(const char *src, const char *dst)
{
	static char buf[65536];
	int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	long n;

	if (in < 0 || out < 0)
		tx_fail("cannot copy %s to %s", src, dst);
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, n) != n)
			tx_fail("cannot copy %s to %s", src, dst);
	close(in);
	close(out);
}

/* make_scratch_root makes the directory the workers' paths point into on
 * Tamix, /tmp/fuzz.PID with copies of /hello and /fuzz: their opens with
 * O_TRUNC and writes must not change the programs of the image, which
 * later suites run. remove_scratch_root removes it. */
static char scratch_root[64];

static void make_scratch_root(void)
{
	snprintf(scratch_root, sizeof scratch_root, "/tmp/fuzz.%ld", tx_syscall0(SYS_getpid));
	if (mkdir(scratch_root, 0755) != 0)
		tx_fail("cannot make %s", scratch_root);
	root = scratch_root;
	for (int i = 0; i < NREAL; i++)
		if (strcmp(realnames[i], "hello") == 0 || strcmp(realnames[i], "fuzz") == 0) {
			char dst[300];
			snprintf(dst, sizeof dst, "%s/%s", root, realnames[i]);
			copy_file(strcmp(realnames[i], "hello") == 0 ? "/hello" : "/fuzz", dst);
		}
}

static void remove_scratch_root(void)
{
	if (scratch_root[0] == 0)
		return;
	chdir("/");
	for (int i = 0; i < NREAL; i++)
		unlink(realpaths[i]);
	if (rmdir(scratch_root) != 0)
		tx_printf(1, "# fuzz: %s left behind (not empty)\n", scratch_root);
}

/* setup checks where the fuzzer runs and prepares paths and buffers. */
static void setup(void)
{
	struct utsname u;

	on_tamix = tx_syscall1(SYS_uname, &u) == 0 && strcmp(u.sysname, "Tamix") == 0;
	if (!on_tamix && root[0] == 0)
		tx_fail("not on Tamix: give -r DIR, a scratch directory holding hello");
	if (on_tamix && root[0] == 0)
		make_scratch_root();
	if (chdir(root) != 0)
		tx_fail("cannot enter %s", root);
	contained = on_tamix || tx_syscall0(SYS_getpid) == 1;
	for (int i = 0; i < NREAL; i++)
		snprintf(realpaths[i], sizeof realpaths[i], "%s/%s", root, realnames[i]);
	memset(bigbuf, 'A', BIGSZ - 1);
	shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		tx_fail("mmap of the shared page failed");
	memset(shm, 0, sizeof *shm);	/* every page present from now on */
}

/* restrict_to limits the table to the calls named in list ("a,b,c"). */
static void restrict_to(char *list)
{
	for (char *name = strtok(list, ","); name; name = strtok(NULL, ","))
		for (int i = 0; i < NTABLE; i++)
			if (strcmp(table[i].name, name) == 0)
				only[i] = restricted = 1;
	if (!restricted)
		tx_fail("-c: no such call in the table");
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "s:n:w:t:vr:c:")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': total = atol(optarg); break;
		case 'w': nworkers = atoi(optarg); break;
		case 't': watchdog_s = atoi(optarg); break;
		case 'v': verbose_all = 1; break;
		case 'r': root = optarg; break;
		case 'c': restrict_to(optarg); break;
		default: tx_fail("usage: fuzz [-s SEED] [-n CALLS] [-w WORKERS] [-t SECONDS] [-v] [-r ROOT] [-c CALLS]");
		}
	}
	if (nworkers < 1 || nworkers > MAXW || total < 0 || watchdog_s < 1)
		tx_fail("bad -w, -n or -t");
	setup();
	tx_printf(1, "# fuzz: seed=%llu calls=%ld workers=%d watchdog=%ds table=%d%s%s\n",
		  (unsigned long long)seed, total, nworkers, watchdog_s, NTABLE,
		  on_tamix ? " tamix" : " host", contained ? " contained" : "");
	for (int i = 0; i < nworkers; i++) {
		shm->w[i].quota = total / nworkers + (i < total % nworkers);
		start_worker(i);
	}
	fz_on_stack(supervise, shm->p.stack + sizeof shm->p.stack);
	remove_scratch_root();
	return report();
}
