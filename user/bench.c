/*
 * bench: measures, in TSC cycles, what issues 3, 5 and 14 ask to quote: a
 * getpid system call round trip, a demand-zero page fault, fork+exit+wait,
 * fork+execve+wait, fork of a parent with 1 MiB and with 64 MiB of touched
 * memory, a copy-on-write fault, mmap+munmap of 1 MiB, a pipe ping-pong
 * round trip, a context switch between two processes, a signal round trip
 * and a thread's create+join. The same static binary runs on Tamix and on
 * Linux, so the figures compare directly (scripts/bench-linux.sh boots
 * both with it as init).
 *
 * Usage: bench [SCALE]     (SCALE multiplies the sample counts, default 1)
 *
 * Output, one line per measurement:
 *   bench tsc cycles min=... median=... n=...        (empty interval: the cost of timing)
 *   bench getpid cycles min=... median=... n=...
 *   bench pagefault cycles min=... median=... n=...
 *   bench fork_exit_wait cycles min=... median=... n=...
 *   bench fork_exec_wait cycles min=... median=... n=...
 *   bench fork_1m cycles min=... median=... n=...
 *   bench fork_64m cycles min=... median=... n=...
 *   bench fork_64m_over_1m ratio=R.RR                (of the medians)
 *   bench cowfault cycles min=... median=... n=...
 *   bench mmap_munmap_1m cycles min=... median=... n=...
 *   bench pipe_roundtrip cycles min=... median=... n=...
 *   bench ctxswitch cycles min=... median=... n=...
 *   bench signal_roundtrip cycles min=... median=... n=...
 *   bench thread_create_join cycles min=... median=... n=...
 * The pipe line reads "bench pipe_roundtrip skipped: ..." on a kernel
 * without pipes (ENOSYS). The figures include the timing overhead of the
 * first line. Each sample is one event between "lfence; rdtsc" and
 * "rdtscp; lfence", the pairing Intel recommends for short intervals:
 *   - pagefault: the first write to one page of a fresh anonymous private
 *     mapping;
 *   - fork_exit_wait: fork, the child's exit, and the parent's wait4 that
 *     reaps it;
 *   - fork_exec_wait: fork, the child's execve of the small program
 *     "hello" beside this one (/hello when run as /bench or /init), its
 *     run (two lines into a pipe, a brk and an mmap) and exit, and the
 *     parent's wait4;
 *   - fork_1m, fork_64m: fork alone, as the parent sees it, with 1 or 64
 *     MiB of anonymous memory touched (the child exits at once and is
 *     reaped outside the sample);
 *   - cowfault: in a child forked by a parent with 16 MiB touched, the
 *     first write to each page, which copies it;
 *   - mmap_munmap_1m: an anonymous private mmap of 1 MiB, never touched,
 *     and its munmap;
 *   - pipe_roundtrip: one byte to a child through one pipe and back
 *     through another;
 *   - ctxswitch: half of one sched_yield of the parent while a child
 *     yields in a loop on the same CPU: the parent's yield switches to the
 *     child, whose yield switches back, so a sample spans two switches
 *     and two sched_yield calls; samples in which the child did not run
 *     (a counter in a shared page did not move) are left out, so n may
 *     be smaller than asked;
 *   - signal_roundtrip: a raw tgkill of SIGUSR1 to the calling thread,
 *     the delivery on the way out of that system call (the rt_sigframe
 *     written on the stack), an empty handler, and rt_sigreturn through
 *     musl's restorer back to the instruction after the tgkill;
 *   - thread_create_join: a raw clone with the flags of musl's
 *     pthread_create (CLONE_VM ... CLONE_CHILD_CLEARTID) of a thread that
 *     only calls exit, and the futex wait on its TID word until the
 *     kernel clears it, as pthread_join does.
 * madvise asks Linux not to use transparent huge pages in the mappings
 * (Tamix, which has none, may return ENOSYS: ignored), and the program
 * pins itself to one CPU (sched_setaffinity; ENOSYS ignored) so that on
 * Linux, as on Tamix, parent and child share a CPU. Exits 0, or 1 if a
 * system call fails. As PID 1 on Linux (uname says "Linux") it powers the
 * machine off instead of exiting, so that QEMU ends.
 */
#define _GNU_SOURCE /* the CLONE_ flags of <sched.h> */
#define TX_PROG "bench"
#include "tamix_test.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sched.h>

#define PAGE 4096
#define GETPID_SAMPLES 20000
#define FAULT_PAGES 1024 /* 4 MiB per round */
#define FAULT_ROUNDS 4
#define MAX_SAMPLES (GETPID_SAMPLES * 16)
#define FORK_SAMPLES 200   /* fork+exit+wait */
#define FORK_1M_SAMPLES 100 /* fork with 1 MiB touched */
#define FORK_64M_SAMPLES 20 /* fork with 64 MiB touched */
#define PIPE_SAMPLES 2000
#define SIGNAL_SAMPLES 5000
#define EXEC_SAMPLES 100   /* fork+execve+wait */
#define MMAP_SAMPLES 2000  /* mmap+munmap of 1 MiB */
#define SWITCH_SAMPLES 2000 /* sched_yield ping-pong */
#define THREAD_SAMPLES 1000 /* clone+join */
#define YIELD_TRIES 1000000 /* bounds the wait for the other process's first turn */
#define MIB (1024 * 1024L)
/* From <linux/futex.h> and <linux/reboot.h>, which musl-gcc does not see. */
#define FUTEX_WAIT_ 0
#define REBOOT_MAGIC1 0xfee1deadL
#define REBOOT_MAGIC2 672274793L
#define REBOOT_CMD_POWER_OFF 0x4321fedcL

static uint64_t samples[MAX_SAMPLES];

static inline uint64_t tsc_begin(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t tsc_end(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi) : : "rcx", "memory");
	return (uint64_t)hi << 32 | lo;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* report sorts the n samples, prints their minimum and median, returns the median. */
static uint64_t report(const char *what, long n)
{
	qsort(samples, (size_t)n, sizeof samples[0], cmp_u64);
	tx_printf(1, "bench %s cycles min=%llu median=%llu n=%ld\n", what,
		  (unsigned long long)samples[0], (unsigned long long)samples[n / 2], n);
	return samples[n / 2];
}

static void bench_tsc(long n)
{
	for (long i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		samples[i] = tsc_end() - t0;
	}
	report("tsc", n);
}

static void bench_getpid(long n)
{
	for (long i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		long pid = tx_syscall0(SYS_getpid);
		samples[i] = tsc_end() - t0;
		if (pid <= 0)
			tx_fail("getpid = %s", tx_errname(pid));
	}
	report("getpid", n);
}

static void bench_pagefault(long rounds)
{
	long n = 0, len = FAULT_PAGES * PAGE;

	for (long r = 0; r < rounds; r++) {
		long p = tx_syscall6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (tx_is_err(p))
			tx_fail("mmap of %ld bytes = %s", len, tx_errname(p));
		tx_syscall3(SYS_madvise, p, len, MADV_NOHUGEPAGE);
		for (long i = 0; i < FAULT_PAGES; i++) {
			volatile char *page = (volatile char *)(p + i * PAGE);
			uint64_t t0 = tsc_begin();
			*page = 1;
			samples[n++] = tsc_end() - t0;
		}
		long e = tx_syscall2(SYS_munmap, p, len);
		if (e != 0)
			tx_fail("munmap = %s", tx_errname(e));
	}
	report("pagefault", n);
}

/* map_touched maps len bytes of anonymous memory and writes every page. */
static long map_touched(long len)
{
	long p = tx_syscall6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (tx_is_err(p))
		tx_fail("mmap of %ld bytes = %s", len, tx_errname(p));
	tx_syscall3(SYS_madvise, p, len, MADV_NOHUGEPAGE);
	for (long off = 0; off < len; off += PAGE)
		*(volatile char *)(p + off) = 1;
	return p;
}

/* reap waits for pid and fails unless it exited with status 0. */
static void reap(long pid)
{
	int status = -1;
	long r = tx_syscall6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0);

	if (r != pid)
		tx_fail("wait4(%ld) = %s", pid, tx_errname(r));
	if (status != 0)
		tx_fail("child %ld ended with wait status %#x, want 0", pid, status);
}

/* pin_to_one_cpu restricts this process to the lowest CPU of its mask. */
static void pin_to_one_cpu(void)
{
	unsigned long mask[16] = {0}, one[16] = {0};
	long r = tx_syscall3(SYS_sched_getaffinity, 0, sizeof mask, mask);

	if (tx_is_err(r))
		return; /* ENOSYS: one CPU anyway */
	for (unsigned i = 0; i < sizeof mask * 8; i++) {
		if (mask[i / 64] & 1UL << (i % 64)) {
			one[i / 64] = 1UL << (i % 64);
			tx_syscall3(SYS_sched_setaffinity, 0, sizeof one, one);
			return;
		}
	}
}

static void bench_fork_exit_wait(long n)
{
	for (long i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		long pid = tx_syscall0(SYS_fork);
		if (pid == 0)
			tx_exit(0);
		if (tx_is_err(pid))
			tx_fail("fork = %s", tx_errname(pid));
		reap(pid);
		samples[i] = tsc_end() - t0;
	}
	report("fork_exit_wait", n);
}

/* bench_fork_mem times fork in a parent with mib MiB of touched memory. */
static uint64_t bench_fork_mem(const char *what, long mib, long n)
{
	long p = map_touched(mib * MIB);

	for (long i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		long pid = tx_syscall0(SYS_fork);
		if (pid == 0)
			tx_exit(0);
		samples[i] = tsc_end() - t0;
		if (tx_is_err(pid))
			tx_fail("fork with %ld MiB = %s", mib, tx_errname(pid));
		reap(pid);
	}
	long e = tx_syscall2(SYS_munmap, p, mib * MIB);
	if (e != 0)
		tx_fail("munmap = %s", tx_errname(e));
	return report(what, n);
}

/*
 * bench_cowfault: a parent with pages touched forks; the child times its
 * first write to each page (a copy, as the parent still maps the page)
 * and reports. The child first writes the sample buffer itself, so that
 * its own copy-on-write faults stay out of the samples.
 */
static void bench_cowfault(long pages)
{
	long len = pages * PAGE, p = map_touched(len);

	long pid = tx_syscall0(SYS_fork);
	if (pid == 0) {
		for (long i = 0; i < pages; i++)
			samples[i] = 0;
		for (long i = 0; i < pages; i++) {
			volatile char *page = (volatile char *)(p + i * PAGE);
			uint64_t t0 = tsc_begin();
			*page = 2;
			samples[i] = tsc_end() - t0;
		}
		report("cowfault", pages);
		tx_exit(0);
	}
	if (tx_is_err(pid))
		tx_fail("fork = %s", tx_errname(pid));
	reap(pid);
	tx_syscall2(SYS_munmap, p, len);
}

/* bench_pipe: one byte to a child and back, through two pipes. */
static void bench_pipe(long n)
{
	int down[2], up[2];
	char c = 'x';
	long r = tx_syscall2(SYS_pipe2, down, 0);

	if (r == -ENOSYS_) {
		tx_printf(1, "bench pipe_roundtrip skipped: pipe2 returns -ENOSYS\n");
		return;
	}
	if (r != 0 || (r = tx_syscall2(SYS_pipe2, up, 0)) != 0)
		tx_fail("pipe2 = %s", tx_errname(r));
	long pid = tx_syscall0(SYS_fork);
	if (pid == 0) {
		tx_syscall1(SYS_close, down[1]);
		tx_syscall1(SYS_close, up[0]);
		while (tx_syscall3(SYS_read, down[0], &c, 1) == 1)
			if (tx_syscall3(SYS_write, up[1], &c, 1) != 1)
				tx_exit(1);
		tx_exit(0);
	}
	if (tx_is_err(pid))
		tx_fail("fork = %s", tx_errname(pid));
	tx_syscall1(SYS_close, down[0]);
	tx_syscall1(SYS_close, up[1]);
	for (long i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		if (tx_syscall3(SYS_write, down[1], &c, 1) != 1 ||
		    tx_syscall3(SYS_read, up[0], &c, 1) != 1)
			tx_fail("pipe round trip %ld failed", i);
		samples[i] = tsc_end() - t0;
	}
	tx_syscall1(SYS_close, down[1]); /* the child reads EOF and exits */
	reap(pid);
	tx_syscall1(SYS_close, up[0]);
	report("pipe_roundtrip", n);
}

/* hello_path is the program fork_exec_wait runs: "hello" beside argv[0]. */
static char hello_path[256];

static void set_hello_path(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	int dir = slash ? (int)(slash - argv0) : 1;

	snprintf(hello_path, sizeof hello_path, "%.*s/hello", dir, slash ? argv0 : ".");
}

/*
 * bench_fork_exec: the child sends hello's output into a pipe, which the
 * parent empties after each reap (outside the sample) and checks.
 */
static void bench_fork_exec(long n)
{
	int out[2];
	char buf[512];
	char *argv[] = {hello_path, 0}, *envp[] = {0};
	long r = tx_syscall2(SYS_pipe2, out, 0);

	if (r != 0)
		tx_fail("pipe2 = %s", tx_errname(r));
	for (long i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		long pid = tx_syscall0(SYS_fork);
		if (pid == 0) {
			tx_syscall2(SYS_dup2, out[1], 1);
			r = tx_syscall3(SYS_execve, hello_path, argv, envp);
			tx_fail("execve(%s) = %s", hello_path, tx_errname(r));
		}
		if (tx_is_err(pid))
			tx_fail("fork = %s", tx_errname(pid));
		reap(pid);
		samples[i] = tsc_end() - t0;
		r = tx_syscall3(SYS_read, out[0], buf, sizeof buf - 1);
		if (r < 17 || memcmp(buf, "hello from ring 3", 17) != 0)
			tx_fail("%s wrote %ld bytes, not its greeting", hello_path, r);
	}
	tx_syscall1(SYS_close, out[0]);
	tx_syscall1(SYS_close, out[1]);
	report("fork_exec_wait", n);
}

static void bench_mmap_munmap(long n)
{
	for (long i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		long p = tx_syscall6(SYS_mmap, 0, MIB, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		long e = tx_syscall2(SYS_munmap, p, MIB);
		samples[i] = tsc_end() - t0;
		if (tx_is_err(p) || e != 0)
			tx_fail("mmap = %s, munmap = %s", tx_errname(p), tx_errname(e));
	}
	report("mmap_munmap_1m", n);
}

/*
 * bench_ctxswitch: parent and child yield to each other on one CPU. The
 * child counts its turns in a shared page, so the parent can tell a
 * yield that switched from one that came straight back.
 */
static void bench_ctxswitch(long n)
{
	long p = tx_syscall6(SYS_mmap, 0, PAGE, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile long *turns = (volatile long *)p, *stop = turns + 1;
	long got = 0;

	if (tx_is_err(p))
		tx_fail("mmap(MAP_SHARED) = %s", tx_errname(p));
	long pid = tx_syscall0(SYS_fork);
	if (pid == 0) {
		while (!*stop) {
			(*turns)++;
			tx_syscall0(SYS_sched_yield);
		}
		tx_exit(0);
	}
	if (tx_is_err(pid))
		tx_fail("fork = %s", tx_errname(pid));
	/* The child starts behind (CFS's START_DEBIT): yield until it runs. */
	for (long i = 0; i < YIELD_TRIES && *turns == 0; i++)
		tx_syscall0(SYS_sched_yield);
	for (long i = 0; i < 10 * n && got < n; i++) {
		long before = *turns;
		uint64_t t0 = tsc_begin();
		tx_syscall0(SYS_sched_yield);
		uint64_t t = tsc_end() - t0;
		if (*turns != before)
			samples[got++] = t / 2;
	}
	*stop = 1;
	reap(pid);
	tx_syscall2(SYS_munmap, p, PAGE);
	if (got == 0)
		tx_fail("sched_yield never switched to the other process in %ld calls", 10 * n);
	report("ctxswitch", got);
}

static volatile long signal_count;

static void on_signal(int sig)
{
	(void)sig;
	signal_count++;
}

/*
 * bench_signal: SIGUSR1 to ourselves with tgkill; the handler runs before
 * tgkill's return reaches us, and its return goes through rt_sigreturn.
 * musl's sigaction supplies the SA_RESTORER trampoline.
 */
static void bench_signal(long n)
{
	struct sigaction sa;
	long pid = tx_syscall0(SYS_getpid), tid = tx_syscall0(SYS_gettid);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	if (sigaction(SIGUSR1, &sa, 0) != 0)
		tx_fail("sigaction(SIGUSR1) failed");
	signal_count = 0;
	for (long i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		long r = tx_syscall3(SYS_tgkill, pid, tid, SIGUSR1);
		samples[i] = tsc_end() - t0;
		if (r != 0)
			tx_fail("tgkill = %s", tx_errname(r));
	}
	if (signal_count != n)
		tx_fail("%ld signals sent, the handler ran %ld times", n, (long)signal_count);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGUSR1, &sa, 0);
	report("signal_roundtrip", n);
}

#define THREAD_FLAGS                                                          \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |   \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static char thread_stack[16384] __attribute__((aligned(16)));
static void *thread_tls[8]; /* the TCB: its first word points to itself */
static volatile int thread_tid;

/*
 * clone_thread starts a thread that calls exit(0) at once, without
 * touching memory (so the static stack may be reused at once), and
 * returns its TID or a negated errno. clone(flags, stack, ptid, ctid, tls).
 */
static long clone_thread(void)
{
	register long r10 __asm__("r10") = (long)&thread_tid;
	register long r8 __asm__("r8") = (long)thread_tls;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $60, %%eax\n\t" /* the new thread: exit(0) */
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "ud2\n"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone), "D"((long)THREAD_FLAGS),
			   "S"(thread_stack + sizeof thread_stack), "d"(&thread_tid), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

/* bench_thread: create a thread and join it: pthread_create + pthread_join. */
static void bench_thread(long n)
{
	thread_tls[0] = thread_tls;
	for (long i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		long tid = clone_thread();
		if (tx_is_err(tid))
			tx_fail("clone = %s", tx_errname(tid));
		for (int v; (v = thread_tid) != 0;)
			tx_syscall6(SYS_futex, (long)&thread_tid, FUTEX_WAIT_, v, 0, 0, 0);
		samples[i] = tsc_end() - t0;
	}
	report("thread_create_join", n);
}

/* power_off_if_init ends a Linux guest that runs bench as PID 1. */
static void power_off_if_init(void)
{
	struct utsname u;

	if (tx_syscall0(SYS_getpid) != 1 || tx_syscall1(SYS_uname, &u) != 0 ||
	    strcmp(u.sysname, "Linux") != 0)
		return;
	tx_syscall6(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_CMD_POWER_OFF, 0, 0, 0);
}

int main(int argc, char **argv)
{
	long scale = 1;

	if (argc > 1) {
		scale = strtol(argv[1], 0, 0);
		if (scale < 1 || scale > MAX_SAMPLES / GETPID_SAMPLES) {
			tx_printf(2, "usage: bench [SCALE]  (1 to %d)\n", MAX_SAMPLES / GETPID_SAMPLES);
			tx_exit(2);
		}
	}
	set_hello_path(argv[0]);
	bench_tsc(GETPID_SAMPLES * scale);
	bench_getpid(GETPID_SAMPLES * scale);
	bench_pagefault(FAULT_ROUNDS * scale);
	pin_to_one_cpu();
	bench_fork_exit_wait(FORK_SAMPLES * scale);
	bench_fork_exec(EXEC_SAMPLES * scale);
	uint64_t small = bench_fork_mem("fork_1m", 1, FORK_1M_SAMPLES * scale);
	uint64_t big = bench_fork_mem("fork_64m", 64, FORK_64M_SAMPLES * scale);
	uint64_t ratio = small ? big * 100 / small : 0;
	tx_printf(1, "bench fork_64m_over_1m ratio=%llu.%02llu\n", (unsigned long long)(ratio / 100),
		  (unsigned long long)(ratio % 100));
	bench_cowfault(FAULT_PAGES * FAULT_ROUNDS); /* 16 MiB and a copy of it: not scaled */
	bench_mmap_munmap(MMAP_SAMPLES * scale);
	bench_pipe(PIPE_SAMPLES * scale);
	bench_ctxswitch(SWITCH_SAMPLES * scale);
	bench_signal(SIGNAL_SAMPLES * scale);
	bench_thread(THREAD_SAMPLES * scale);
	power_off_if_init();
	tx_exit(0);
}
