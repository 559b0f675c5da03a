/*
 * threadtest: the user-space suite of issue 10 (thread groups), meant to
 * run on Tamix (init=/threadtest, or started by another test) and also
 * runnable on Linux, where the same binary pins down what Linux does:
 * musl pthreads (mutexes, joins, TLS, barriers, robust mutexes), what
 * exit_group, SYS_exit, a fault and a fatal signal do to a group, a
 * leader that exits before its threads, signals to one thread or to the
 * whole process, fork, execve and wait from a thread other than the main
 * one, and the futex operations directly.
 *
 * Usage: threadtest              run the suite
 *        threadtest --exec-child PID PPID FD
 *                                the image exec_from_thread execs from a
 *                                worker: checks it kept the PID, is the only
 *                                thread, writes 'E' to FD; exits 42
 *
 * Output is KTAP version 1 on stdout, as sigtest's: "KTAP version 1", the
 * plan "1..N", then per case its "# " diagnostic lines (only when
 * something fails, so a passing run prints the same lines every time)
 * followed by "ok N name" or "not ok N name". Every case runs in a
 * process of its own that the suite forks, which the suite waits for at
 * most CASE_MS and then kills with SIGKILL (the case fails); a case that
 * expects a process to die of its threads' doing runs it as a child of
 * its own and waits for it at most KID_MS. Exits 0 if no case failed, 1
 * otherwise. Output goes out with one write(2) per line.
 *
 * musl's pthreads are used where a real program uses them (pthread_create
 * is clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|
 * CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID),
 * its locks are private futexes); a thread that must end with the raw
 * exit system call, or that must not touch musl's thread list, is made
 * with raw_clone below. Futexes, waits and results that must be exact go
 * through raw system calls (tx_syscall*). On Linux, run it as PID 1 with
 *   unshare -fp --mount-proc build/user/threadtest
 */
#define _GNU_SOURCE
#define TX_PROG "threadtest"
#include "ktap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NSEC 1000000000L
#define MSEC 1000000L
#define CASE_MS 15000		/* a case process gets this long */
#define KID_MS 5000		/* a case's own child gets this long */
#define WAITER_MS 3000		/* a futex waiter gives up after this long */
#define STACK 65536		/* stack size of the threads made here */
#define BAD_PTR 0x1000000L	/* 16 MiB: unmapped here, in Tamix's kernel hole */

#include "kid.h"

#define WNOTHREAD_ 0x20000000	/* __WNOTHREAD */
#define WALL_ 0x40000000	/* __WALL */

/* futex(2)'s ABI, from Linux's include/uapi/linux/futex.h (musl has no copy). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY (-1)
#define FUTEX_WAITERS 0x80000000U
#define FUTEX_OWNER_DIED 0x40000000
#define FUTEX_OP_SET 0		/* *uaddr2 = oparg */
#define FUTEX_OP_ADD 1		/* *uaddr2 += oparg */
#define FUTEX_OP_OR 2		/* *uaddr2 |= oparg */
#define FUTEX_OP_ANDN 3		/* *uaddr2 &= ~oparg */
#define FUTEX_OP_XOR 4		/* *uaddr2 ^= oparg */
#define FUTEX_OP_OPARG_SHIFT 8	/* oparg is 1 << oparg */
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_GT 4
/* the operation, its argument, the comparison and its argument, in one word */
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

/* ---------------------------------------------------------------------
 * Reporting
 * ------------------------------------------------------------------- */

static const char *self_path;		/* this program, for execve */

/* ---------------------------------------------------------------------
 * System-call helpers
 * ------------------------------------------------------------------- */

static long futex(int *uaddr, long op, long val, const void *timeout_or_val2, int *uaddr2,
		  long val3)
{
	return tx_syscall6(SYS_futex, (long)uaddr, op, val, (long)timeout_or_val2, (long)uaddr2,
			   val3);
}

static long clock_ns(int clock)
{
	struct timespec ts;

	if (tx_syscall2(SYS_clock_gettime, clock, &ts) != 0)
		return 0;
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

static struct timespec ts_of(long ns)
{
	struct timespec ts = {ns / NSEC, ns % NSEC};

	return ts;
}

/* make_pipe makes a pipe whose read end does not block. */
static int make_pipe(int fds[2])
{
	long r = tx_syscall2(SYS_pipe2, fds, 0);

	if (r == 0)
		r = tx_syscall3(SYS_fcntl, fds[0], F_SETFL, O_NONBLOCK);
	return check("pipe2 and fcntl(O_NONBLOCK)", r, 0);
}

/*
 * read_bounded reads up to n bytes from the non-blocking fd, waiting at
 * most ms for the first. Returns the count, 0 at end of file, -1 if
 * nothing came in time.
 */
static long read_bounded(int fd, char *buf, long n, long ms)
{
	long end = now_ns() + ms * MSEC;

	for (;;) {
		long r = tx_syscall3(SYS_read, fd, buf, n);
		if (r >= 0)
			return r;
		if (r != -EAGAIN_ && r != -EINTR_) {
			fail("read(%d) = %s", fd, en(r));
			return -1;
		}
		if (now_ns() > end)
			return -1;
		sleep_ms(1);
	}
}

static void *idle_thread(void *arg)
{
	(void)arg;
	child_idle();
}

/* start makes a musl thread with a STACK-byte stack; 1 if it did. */
static int start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int r;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK);
	r = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	if (r != 0)
		fail("pthread_create = %d (%s)", r, strerror(r));
	return r == 0;
}

/* join joins t and checks the value it returned; 1 if it matches. */
static int join(pthread_t t, long want)
{
	void *got = (void *)-1L;
	int r = pthread_join(t, &got);

	if (r != 0) {
		fail("pthread_join = %d (%s)", r, strerror(r));
		return 0;
	}
	return check("the joined thread's value", (long)got, want);
}

/*
 * raw_clone calls clone(flags, stack, ptid, ctid, 0) and runs fn(arg) in
 * the child on the new stack, then exit(2)s with fn's result; the parent
 * gets the raw result. The child shares the caller's FS base (no
 * CLONE_SETTLS), so fn may make raw system calls only: no errno, no musl
 * locks. fn and arg travel on the new stack, 16-byte aligned at the call.
 */
static long raw_clone(unsigned long flags, void *stack_top, int *ptid, int *ctid,
		      int (*fn)(void *), void *arg)
{
	unsigned long *sp = (unsigned long *)((uintptr_t)stack_top & ~15UL);
	register long r10 __asm__("r10") = (long)ctid;
	register long r8 __asm__("r8") = 0;
	long ret;

	*--sp = (unsigned long)arg;
	*--sp = (unsigned long)fn;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "pop %%rax\n\t"
			 "pop %%rdi\n\t"
			 "call *%%rax\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[nr_exit], %%eax\n\t"
			 "syscall\n\t"
			 "hlt\n"
			 "1:"
			 : "=a"(ret)
			 : "0"((long)SYS_clone), "D"(flags), "S"(sp), "d"(ptid), "r"(r10),
			   "r"(r8), [nr_exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return ret;
}

#define THREAD_FLAGS                                                                 \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
	 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static char raw_stack[STACK] __attribute__((aligned(16)));

/*
 * raw_thread starts fn(arg) as a thread of this group on raw_stack with
 * *ctid = 1, which the kernel clears and wakes when the thread ends.
 * Returns its TID, or -1.
 */
static long raw_thread(int (*fn)(void *), void *arg, int *ctid)
{
	int ptid = 0;
	long tid;

	*ctid = 1;
	tid = raw_clone(THREAD_FLAGS, raw_stack + sizeof raw_stack, &ptid, ctid, fn, arg);
	if (tx_is_err(tid)) {
		fail("clone(CLONE_THREAD) = %s", en(tid));
		return -1;
	}
	check("clone's TID through CLONE_PARENT_SETTID", ptid, tid);
	return tid;
}

/* await_cleartid waits (bounded, on the futex) until *ctid is 0; 1 if it is. */
static int await_cleartid(volatile int *ctid)
{
	long end = now_ns() + KID_MS * MSEC;
	int v;

	while ((v = *ctid) != 0) {
		struct timespec ts = {0, 10 * MSEC};
		long r = futex((int *)ctid, FUTEX_WAIT, v, &ts, 0, 0);
		if (r != 0 && r != -EAGAIN_ && r != -ETIMEDOUT_ && r != -EINTR_) {
			fail("futex(FUTEX_WAIT) on the clear-TID word = %s", en(r));
			return 0;
		}
		if (now_ns() > end) {
			fail("the raw thread's clear-TID word is still %d after %d ms", v, KID_MS);
			return 0;
		}
	}
	return 1;
}

/* ---------------------------------------------------------------------
 * Threads: creation, join, mutexes, TLS
 * ------------------------------------------------------------------- */

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

/* count_worker: 10000 locked increments, then 100 + its index, two ways. */
static void *count_worker(void *arg)
{
	long idx = (long)arg;

	for (int i = 0; i < 10000; i++) {
		pthread_mutex_lock(&count_lock);
		long c = counter;
		if (i % 1000 == 0)
			sched_yield(); /* let another thread try the lock meanwhile */
		counter = c + 1;
		pthread_mutex_unlock(&count_lock);
	}
	if (idx % 2)
		pthread_exit((void *)(100 + idx));
	return (void *)(100 + idx);
}

/* mutex_counter_join: 8 threads, a mutex, 80000; join sees each value. */
static void t_mutex_counter_join(void)
{
	pthread_t t[8];
	int n = 0;

	counter = 0;
	for (; n < 8; n++)
		if (!start(&t[n], count_worker, (void *)(long)n))
			break;
	for (int i = 0; i < n; i++)
		join(t[i], 100 + i);
	if (n == 8)
		check("the counter after 8 threads x 10000 locked increments", counter, 80000);
}

static __thread long tls_val = 7;	/* .tdata */
static __thread char tls_zero[64];	/* .tbss */

struct tls_seen {
	long idx, tid, pid, init, zero_ok, after;
	void *addr;
};

static pthread_barrier_t tls_bar;

static void *tls_worker(void *arg)
{
	struct tls_seen *s = arg;

	s->init = tls_val;
	s->zero_ok = 1;
	for (unsigned i = 0; i < sizeof tls_zero; i++)
		if (tls_zero[i] != 0)
			s->zero_ok = 0;
	s->tid = sys_gettid();
	s->pid = sys_getpid();
	s->addr = &tls_val;
	tls_val = 1000 + s->idx;
	memset(tls_zero, (int)s->idx + 1, sizeof tls_zero);
	pthread_barrier_wait(&tls_bar); /* every thread has written its own */
	s->after = tls_val == 1000 + s->idx && tls_zero[63] == s->idx + 1;
	return 0;
}

/* tls_per_thread: __thread values, TIDs and PIDs in 4 threads and main. */
static void t_tls_per_thread(void)
{
	struct tls_seen s[4];
	pthread_t t[4];
	long me = sys_getpid(), tid = sys_gettid();

	check("gettid() in the main thread", tid, me);
	tls_val = 1;
	pthread_barrier_init(&tls_bar, 0, 5);
	memset(s, 0, sizeof s);
	for (int i = 0; i < 4; i++) {
		s[i].idx = i;
		if (!start(&t[i], tls_worker, &s[i]))
			tx_exit(1); /* the barrier would wait forever */
	}
	pthread_barrier_wait(&tls_bar);
	for (int i = 0; i < 4; i++)
		join(t[i], 0);
	check("the main thread's tls_val after the threads set theirs", tls_val, 1);
	for (int i = 0; i < 4; i++) {
		check("a new thread's tls_val (the .tdata image)", s[i].init, 7);
		check("a new thread's .tbss is zero", s[i].zero_ok, 1);
		check("a thread's own TLS after all threads wrote theirs", s[i].after, 1);
		check("getpid() in a thread", s[i].pid, me);
		if (s[i].tid <= 0 || s[i].tid == tid)
			fail("thread %d: gettid() = %ld, main's is %ld", i, s[i].tid, tid);
		if (s[i].addr == (void *)&tls_val)
			fail("thread %d: &tls_val is the main thread's", i);
		for (int j = 0; j < i; j++) {
			if (s[j].tid == s[i].tid)
				fail("threads %d and %d: the same TID %ld", j, i, s[i].tid);
			if (s[j].addr == s[i].addr)
				fail("threads %d and %d: the same &tls_val", j, i);
		}
	}
}

/*
 * fs_gs_base: where AT_HWCAP2 has FSGSBASE (Linux 5.9 and later on a CPU
 * with it), user code reads and writes its FS and GS bases itself. The
 * kernel must keep what it wrote across system calls, switches to other
 * tasks and fork, give it to new threads (GS; CLONE_SETTLS sets FS), and
 * arch_prctl must see and set the same values. FS is musl's TLS pointer,
 * so it is changed only between two raw instructions and put back.
 */
#define HWCAP2_FSGSBASE_ (1UL << 1)
#define ARCH_SET_GS_ 0x1001
#define ARCH_GET_FS_ 0x1003
#define ARCH_GET_GS_ 0x1004
#define KERNEL_ADDR_ 0xffffffff81000000UL
#define GS_MAIN 0x12345000UL
#define GS_THREAD 0x23456000UL
#define GS_CHILD 0x34567000UL

static unsigned long rdgsbase(void)
{
	unsigned long v;
	__asm__ volatile("rdgsbase %0" : "=r"(v));
	return v;
}

static void wrgsbase(unsigned long v)
{
	__asm__ volatile("wrgsbase %0" : : "r"(v) : "memory");
}

static unsigned long rdfsbase(void)
{
	unsigned long v;
	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}

/* fs_after_syscall sets FS to v, makes a system call, reads FS back and
 * puts the old base back before any TLS access. */
static unsigned long fs_after_syscall(unsigned long v, unsigned long old)
{
	unsigned long got;
	long nr = SYS_getppid;

	__asm__ volatile("wrfsbase %[v]\n\t"
			 "syscall\n\t"
			 "rdfsbase %[got]\n\t"
			 "wrfsbase %[old]"
			 : [got] "=&r"(got), "+a"(nr)
			 : [v] "r"(v), [old] "r"(old)
			 : "rcx", "r11", "memory");
	return got;
}

static void *gs_worker(void *arg)
{
	unsigned long *seen = arg;

	seen[0] = rdgsbase();
	wrgsbase(GS_THREAD);
	sched_yield();
	seen[1] = rdgsbase();
	return 0;
}

static void t_fs_gs_base(void)
{
	unsigned long fs, seen[2] = {0, 0}, v = 0;
	pthread_t t;
	long pid;

	/* ARCH_SET_GS and ARCH_GET_GS work with or without FSGSBASE. */
	check("ARCH_SET_GS at a kernel address", tx_syscall2(SYS_arch_prctl, ARCH_SET_GS_, KERNEL_ADDR_), -EPERM_);
	check("ARCH_GET_GS into a bad pointer", tx_syscall2(SYS_arch_prctl, ARCH_GET_GS_, BAD_PTR), -EFAULT_);
	check("ARCH_SET_GS", tx_syscall2(SYS_arch_prctl, ARCH_SET_GS_, GS_MAIN), 0);
	sched_yield();
	check("ARCH_GET_GS after a switch", tx_syscall2(SYS_arch_prctl, ARCH_GET_GS_, &v), 0);
	check("ARCH_GET_GS == ARCH_SET_GS's", v, GS_MAIN);
	check("ARCH_SET_GS back to 0", tx_syscall2(SYS_arch_prctl, ARCH_SET_GS_, 0), 0);
	if (!(getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE_)) {
		skip("AT_HWCAP2 has no FSGSBASE"); /* the instructions are #UD */
		return;
	}
	fs = rdfsbase();
	check("ARCH_GET_FS is the TLS pointer", tx_syscall2(SYS_arch_prctl, ARCH_GET_FS_, &v), 0);
	check("ARCH_GET_FS == rdfsbase", v, fs);
	check("FS written by wrfsbase, after a system call", fs_after_syscall(fs + 64, fs), fs + 64);
	wrgsbase(GS_MAIN);
	sched_yield();
	check("GS written by wrgsbase, after sched_yield", rdgsbase(), GS_MAIN);
	check("ARCH_GET_GS", tx_syscall2(SYS_arch_prctl, ARCH_GET_GS_, &v), 0);
	check("ARCH_GET_GS == wrgsbase's", v, GS_MAIN);
	check("ARCH_SET_GS", tx_syscall2(SYS_arch_prctl, ARCH_SET_GS_, GS_MAIN + 0x1000), 0);
	check("rdgsbase after ARCH_SET_GS", rdgsbase(), GS_MAIN + 0x1000);
	wrgsbase(GS_MAIN);
	if (!start(&t, gs_worker, seen))
		return;
	join(t, 0);
	check("a new thread starts with its creator's GS", seen[0], GS_MAIN);
	check("a thread's own GS after a switch", seen[1], GS_THREAD);
	check("the main thread's GS after the thread set its own", rdgsbase(), GS_MAIN);
	pid = fork_or_fail();
	if (pid == 0) {
		int ok = rdgsbase() == GS_MAIN;
		wrgsbase(GS_CHILD);
		for (int i = 0; i < 20; i++)
			sched_yield();
		tx_exit(ok && rdgsbase() == GS_CHILD ? 0 : 1);
	}
	for (int i = 0; i < 20 && pid > 0; i++)
		sched_yield();
	if (pid > 0)
		reap("fork: the child has the parent's GS, then its own", pid, 0);
	check("the parent's GS after the child set its own", rdgsbase(), GS_MAIN);
	wrgsbase(0);
}

/* threads_200: 200 threads in batches of 50, each joined with its value. */
static void *index_worker(void *arg)
{
	return (void *)(1000 + (long)arg);
}

static void t_threads_200(void)
{
	pthread_t t[50];
	int bad = 0;

	for (int b = 0; b < 4 && !bad; b++) {
		int n = 0;
		for (; n < 50; n++)
			if (!start(&t[n], index_worker, (void *)(long)(b * 50 + n)))
				break;
		bad = n < 50;
		for (int i = 0; i < n; i++)
			if (!join(t[i], 1000 + b * 50 + i))
				bad = 1;
	}
}

/* ---------------------------------------------------------------------
 * How a group ends: exit_group, SYS_exit, a fault, the leader first
 * ------------------------------------------------------------------- */

static void *exit5_worker(void *arg)
{
	(void)arg;
	sleep_ms(20);
	exit(5);
}

/* exit_from_worker: exit(5) in a worker ends the process with status 5. */
static void t_exit_from_worker(void)
{
	long pid = fork_or_fail();

	if (pid == 0) {
		pthread_t idler, quitter;
		if (!start(&idler, idle_thread, 0) || !start(&quitter, exit5_worker, 0))
			tx_exit(1);
		pthread_join(quitter, 0);
		child_fail(9, "the main thread came back from pthread_join after exit(5)");
	}
	if (pid > 0)
		reap("exit(5) in a worker, main in pthread_join", pid, 5 << 8);
}

static volatile long shared_ticks;	/* bumped by the workers of a case */
static volatile int stop_workers;	/* tells them to return */

static void *ticker(void *arg)
{
	while (!stop_workers) {
		__atomic_fetch_add(&shared_ticks, 1, __ATOMIC_RELAXED);
		sleep_ms(1);
	}
	return arg;
}

static volatile long raw_seen_pid;

static int raw_exit3(void *arg)
{
	(void)arg;
	raw_seen_pid = sys_getpid();
	struct timespec ts = {0, 20 * MSEC};
	tx_syscall2(SYS_nanosleep, &ts, 0);
	tx_syscall1(SYS_exit, 3);
	return 0;
}

/*
 * sys_exit_one_thread: a thread's exit(2) ends it alone (its clear-TID
 * word is cleared and woken); the others go on, and the process exits 0.
 */
static void t_sys_exit_one_thread(void)
{
	long pid = fork_or_fail();

	if (pid == 0) {
		static int ctid;
		pthread_t t[2];
		int st;

		for (int i = 0; i < 2; i++)
			if (!start(&t[i], ticker, (void *)(long)i))
				tx_exit(1);
		long tid = raw_thread(raw_exit3, 0, &ctid);
		if (tid < 0 || !await_cleartid(&ctid))
			tx_exit(1);
		check("getpid() in the raw thread", raw_seen_pid, sys_getpid());
		check("wait4(thread's TID, __WALL|WNOHANG)", sys_wait4(tid, &st, WALL_ | WNOHANG),
		      -ECHILD_);
		long before = shared_ticks;
		sleep_ms(30);
		if (shared_ticks == before)
			fail("the other threads stopped when one thread called exit(2)");
		stop_workers = 1;
		for (int i = 0; i < 2; i++)
			join(t[i], i);
		tx_exit(case_failed);
	}
	if (pid > 0)
		reap("exit(2) in one thread, then main exit(0)", pid, 0);
}

static void *null_writer(void *arg)
{
	(void)arg;
	sleep_ms(20);
	*(volatile int *)0 = 1;
	return 0;
}

/* fault_in_worker: a NULL write in a worker kills the group by SIGSEGV. */
static void t_fault_in_worker(void)
{
	long pid = fork_or_fail();

	if (pid == 0) {
		pthread_t idler, faulter;
		if (!start(&idler, idle_thread, 0) || !start(&faulter, null_writer, 0))
			tx_exit(1);
		pthread_join(faulter, 0);
		child_fail(9, "the main thread came back from pthread_join after the fault");
	}
	if (pid > 0)
		reap("NULL write in a worker", pid, SIGSEGV);
}

static int late_fd;
static long late_pid;

static void *late_worker(void *arg)
{
	(void)arg;
	sleep_ms(100);
	if (sys_getpid() != late_pid)
		child_fail(8, "getpid() %ld after the leader exited, want %ld", sys_getpid(), late_pid);
	tx_syscall3(SYS_write, late_fd, "w", 1);
	sleep_ms(20);
	exit(7);
}

/*
 * leader_exits_first: the main thread calls pthread_exit; a worker goes
 * on for 100 ms and calls exit(7). Until the worker has ended, wait4
 * WNOHANG reports nothing (the leader is a zombie that is not reaped) and
 * kill(pid, 0) finds the process; then wait4 reports exited 7.
 */
static void t_leader_exits_first(void)
{
	int fds[2], st, polls = 0;
	char c;

	if (!make_pipe(fds))
		return;
	long t0 = now_ns(), pid = fork_or_fail();
	if (pid == 0) {
		pthread_t t;
		close_fd(fds[0]);
		late_fd = fds[1];
		late_pid = sys_getpid();
		if (!start(&t, late_worker, 0))
			tx_exit(1);
		pthread_exit(0);
	}
	if (pid < 0)
		return;
	close_fd(fds[1]);
	long end = t0 + KID_MS * MSEC;
	for (;;) {
		long r = sys_wait4(pid, &st, WNOHANG);
		if (r != 0) {
			fail("wait4(WNOHANG) = %s (%s) while the worker still runs", en(r),
			     r == pid ? wstatus(st) : "-");
			if (r == pid)
				return;
			break;
		}
		check("kill(pid, 0) while the worker runs", sys_kill(pid, 0), 0);
		polls++;
		if (tx_syscall3(SYS_read, fds[0], &c, 1) == 1 || now_ns() > end)
			break;
		sleep_ms(2);
	}
	long ms = (now_ns() - t0) / MSEC;
	if (ms < 100 || polls < 10)
		fail("the worker wrote after %ld ms and %d polls, want >= 100 ms", ms, polls);
	reap("the worker's exit(7) after the leader's pthread_exit", pid, 7 << 8);
	close_fd(fds[0]);
}

/* ---------------------------------------------------------------------
 * Signals and thread groups
 * ------------------------------------------------------------------- */

static volatile int hits;		/* handler runs */
static volatile long hit_tid;		/* the thread the last one ran in */

static void note_tid(int sig)
{
	(void)sig;
	hit_tid = sys_gettid();
	__atomic_fetch_add(&hits, 1, __ATOMIC_SEQ_CST);
}

/* on installs note_tid for sig (no SA_RESTART: sleeps resume by hand). */
static int on(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = note_tid;
	if (sigaction(sig, &sa, 0) != 0) {
		fail("sigaction(%d) failed: errno %d", sig, errno);
		return 0;
	}
	return 1;
}

/* await_hits waits (bounded) until the handler has run n times. */
static int await_hits(const char *what, int n)
{
	long end = now_ns() + KID_MS * MSEC;

	while (hits < n && now_ns() < end)
		sleep_ms(1);
	sleep_ms(20); /* a second run would come now */
	return check(what, hits, n);
}

/* poke forks a child that sends sig to this process and exits 0. */
static void poke(int sig)
{
	long me = sys_getpid(), pid = fork_or_fail();

	if (pid == 0)
		tx_exit(sys_kill(me, sig) == 0 ? 0 : 1);
	if (pid > 0)
		reap("the child sending the signal", pid, 0);
}

struct target {
	pthread_t t;
	volatile long tid;
	int unblock;		/* unblock SIGUSR2 in this thread */
};

static void *target_worker(void *arg)
{
	struct target *w = arg;

	if (w->unblock) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR2);
		pthread_sigmask(SIG_UNBLOCK, &s, 0);
	}
	w->tid = sys_gettid();
	while (!stop_workers)
		sleep_ms(1);
	return 0;
}

static struct target tw[4];

/*
 * kill_threaded: SIGTERM with the default action kills a process whose
 * threads all sleep; with a handler, one kill runs it once, in one of the
 * group's threads.
 */
static void t_kill_threaded(void)
{
	int fds[2];
	char c;

	if (!make_pipe(fds))
		return;
	long pid = fork_or_fail();
	if (pid == 0) {
		pthread_t t[3];
		for (int i = 0; i < 3; i++)
			if (!start(&t[i], idle_thread, 0))
				tx_exit(1);
		tx_syscall3(SYS_write, fds[1], "r", 1);
		child_idle();
	}
	if (pid < 0)
		return;
	close_fd(fds[1]);
	if (!check("the threaded child is ready", read_bounded(fds[0], &c, 1, KID_MS), 1))
		sys_kill(pid, SIGKILL);
	else
		check("kill(threaded child, SIGTERM)", sys_kill(pid, SIGTERM), 0);
	reap("a threaded process killed by SIGTERM", pid, SIGTERM);
	close_fd(fds[0]);

	long tids[4] = {sys_gettid()};
	if (!on(SIGUSR1))
		return;
	for (int i = 1; i < 4; i++)
		if (!start(&tw[i].t, target_worker, &tw[i]))
			return;
	for (int i = 1; i < 4; i++) {
		while (tw[i].tid == 0)
			sleep_ms(1);
		tids[i] = tw[i].tid;
	}
	poke(SIGUSR1);
	await_hits("handler runs for one kill() of a threaded process", 1);
	stop_workers = 1;
	for (int i = 1; i < 4; i++)
		join(tw[i].t, 0);
	if (hit_tid != tids[0] && hit_tid != tids[1] && hit_tid != tids[2] && hit_tid != tids[3])
		fail("the handler ran in TID %ld, not a thread of this process", hit_tid);
}

/*
 * pthread_kill_target: pthread_kill and tgkill run the handler in the
 * thread named; a process-directed signal blocked in every thread but
 * one runs in that one, whoever sends it.
 */
static void t_pthread_kill_target(void)
{
	struct target w[4];
	sigset_t s;

	if (!on(SIGUSR1) || !on(SIGUSR2))
		return;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, 0); /* the workers inherit it */
	memset(w, 0, sizeof w);
	w[3].unblock = 1;
	for (int i = 0; i < 4; i++)
		if (!start(&w[i].t, target_worker, &w[i]))
			return;
	for (int i = 0; i < 4; i++)
		while (w[i].tid == 0)
			sleep_ms(1);
	check("pthread_kill(thread 2, SIGUSR1)", pthread_kill(w[2].t, SIGUSR1), 0);
	if (await_hits("handler runs for pthread_kill", 1))
		check("the TID the pthread_kill handler ran in", hit_tid, w[2].tid);
	check("tgkill(pid, thread 1, SIGUSR1)",
	      tx_syscall3(SYS_tgkill, sys_getpid(), w[1].tid, SIGUSR1), 0);
	if (await_hits("handler runs for tgkill", 2))
		check("the TID the tgkill handler ran in", hit_tid, w[1].tid);
	check("kill(getpid(), SIGUSR2)", sys_kill(sys_getpid(), SIGUSR2), 0);
	if (await_hits("handler runs for kill(getpid(), SIGUSR2)", 3))
		check("the TID kill(getpid())'s handler ran in (only it has SIGUSR2 open)", hit_tid,
		      w[3].tid);
	poke(SIGUSR2);
	if (await_hits("handler runs for another process's kill", 4))
		check("the TID another process's kill ran in", hit_tid, w[3].tid);
	stop_workers = 1;
	for (int i = 0; i < 4; i++)
		join(w[i].t, 0);
}

/* ---------------------------------------------------------------------
 * fork, execve and wait from a thread
 * ------------------------------------------------------------------- */

/*
 * forked_from_thread is the child a worker forks: it is its process's
 * only thread (its TID is its PID; the tickers copied with the memory do
 * not run), and it can make and join a thread of its own. Exits 13.
 */
__attribute__((noreturn))
static void forked_from_thread(void)
{
	pthread_t t;
	void *v = 0;

	if (sys_gettid() != sys_getpid())
		child_fail(2, "gettid() %ld != getpid() %ld in the forked child", sys_gettid(),
			   sys_getpid());
	long before = shared_ticks;
	sleep_ms(30);
	if (shared_ticks != before)
		child_fail(3, "other threads run in the child forked by a thread");
	stop_workers = 0;
	if (pthread_create(&t, 0, index_worker, (void *)5L) != 0 || pthread_join(t, &v) != 0 ||
	    v != (void *)1005L)
		child_fail(4, "pthread_create/join in the forked child failed");
	tx_exit(13);
}

static void *forker(void *arg)
{
	(void)arg;
	long pid = fork_or_fail();

	if (pid == 0)
		forked_from_thread();
	if (pid > 0)
		reap("the child forked by a worker", pid, 13 << 8);
	return (void *)1L;
}

/* fork_from_thread: the child has one thread, runs and exits 13. */
static void t_fork_from_thread(void)
{
	pthread_t t[2], f;

	for (int i = 0; i < 2; i++)
		if (!start(&t[i], ticker, (void *)(long)i))
			return;
	sleep_ms(10);
	if (start(&f, forker, 0))
		join(f, 1);
	stop_workers = 1;
	for (int i = 0; i < 2; i++)
		join(t[i], i);
}

static int exec_fd;
static long exec_pid;

__attribute__((noreturn))
static void *exec_ticker(void *arg)
{
	(void)arg;
	for (;;) {
		tx_syscall3(SYS_write, exec_fd, "x", 1);
		sleep_ms(5);
	}
}

static long execve_self(char *const argv[])
{
	static char *envp[] = {0};
	long r = tx_syscall3(SYS_execve, "/threadtest", argv, envp);

	if (r == -2 && strcmp(self_path, "/threadtest") != 0)
		r = tx_syscall3(SYS_execve, self_path, argv, envp);
	return r;
}

static void *execer(void *arg)
{
	char pid[24], ppid[24], fd[24];
	char *argv[] = {"threadtest", "--exec-child", pid, ppid, fd, 0};

	(void)arg;
	snprintf(pid, sizeof pid, "%ld", exec_pid);
	snprintf(ppid, sizeof ppid, "%ld", sys_getppid());
	snprintf(fd, sizeof fd, "%d", exec_fd);
	sleep_ms(30);
	long r = execve_self(argv);
	child_fail(127, "execve(%s) from a thread = %s", self_path, en(r));
}

/*
 * exec_child_main is the image a worker execs: it has the PID of the
 * process (the leader's), is its only thread, writes 'E' to the pipe,
 * closes it and exits 42 after a while in which a surviving old thread
 * would have written more 'x's.
 */
__attribute__((noreturn))
static void exec_child_main(char **argv)
{
	long pid = atol(argv[2]), ppid = atol(argv[3]);
	int fd = atoi(argv[4]);

	if (sys_getpid() != pid)
		child_fail(2, "getpid() %ld after execve from a thread, want %ld", sys_getpid(), pid);
	if (sys_gettid() != pid)
		child_fail(3, "gettid() %ld after execve from a thread, want %ld", sys_gettid(), pid);
	if (sys_getppid() != ppid)
		child_fail(4, "getppid() %ld after execve from a thread, want %ld", sys_getppid(),
			   ppid);
	if (tx_syscall3(SYS_write, fd, "E", 1) != 1)
		child_fail(5, "write to inherited fd %d failed", fd);
	close_fd(fd);
	sleep_ms(50);
	tx_exit(42);
}

/*
 * exec_from_thread: a worker execs this program; the other threads are
 * gone (nothing after 'E' on the pipe, and the pipe reaches end of file),
 * the PID stays, and the parent sees the new image's exit 42.
 */
static void t_exec_from_thread(void)
{
	char buf[4096];
	int fds[2], got = 0, e_at = -1, eof = 0;

	if (!make_pipe(fds))
		return;
	long pid = fork_or_fail();
	if (pid == 0) {
		pthread_t t[3], x;
		close_fd(fds[0]);
		exec_fd = fds[1];
		exec_pid = sys_getpid();
		for (int i = 0; i < 3; i++)
			if (!start(&t[i], exec_ticker, 0))
				tx_exit(1);
		if (!start(&x, execer, 0))
			tx_exit(1);
		pthread_join(x, 0);
		child_fail(9, "the main thread came back from pthread_join after execve");
	}
	if (pid < 0)
		return;
	close_fd(fds[1]);
	while (got < (int)sizeof buf) {
		long n = read_bounded(fds[0], buf + got, (long)sizeof buf - got, KID_MS);
		if (n <= 0) {
			eof = n == 0;
			break;
		}
		got += (int)n;
	}
	for (int i = 0; i < got; i++)
		if (buf[i] == 'E' && e_at < 0)
			e_at = i;
	if (!eof)
		fail("the pipe did not reach end of file after the exec'd image closed it");
	if (e_at < 0)
		fail("the exec'd image wrote no 'E'");
	else if (e_at == 0 || got != e_at + 1)
		fail("%d bytes before 'E', %d after it, want some and none", e_at, got - e_at - 1);
	reap("the image a thread exec'd", pid, 42 << 8);
	close_fd(fds[0]);
}

struct waiter_of {
	long pid;
	int st;
	long r, nothread;
};

static void *child_waiter(void *arg)
{
	struct waiter_of *w = arg;

	w->nothread = sys_wait4(w->pid, &w->st, WNOHANG | WNOTHREAD_);
	w->r = sys_wait4(w->pid, &w->st, 0);
	return 0;
}

static void *orphaning_forker(void *arg)
{
	long me = sys_getpid(), pid = fork_or_fail();

	if (pid == 0) {
		sleep_ms(50);
		tx_exit(sys_getppid() == me ? 24 : 25);
	}
	*(long *)arg = pid;
	return 0;
}

/*
 * wait_from_other_thread: a worker's blocking wait4 reaps a child the
 * main thread forked (__WNOTHREAD limits it to its own: -ECHILD); the
 * main thread reaps the child of a worker that has ended (the child stays
 * the process's, getppid() unchanged).
 */
static void t_wait_from_other_thread(void)
{
	struct waiter_of w = {0, -1, 0, 0};
	struct timespec dl;
	pthread_t t;
	void *v;
	int st;

	w.pid = fork_or_fail();
	if (w.pid == 0) {
		sleep_ms(30);
		tx_exit(23);
	}
	if (w.pid < 0 || !start(&t, child_waiter, &w))
		return;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += KID_MS / 1000;
	if (pthread_timedjoin_np(t, &v, &dl) != 0) {
		fail("the worker's wait4 for main's child did not return");
		sys_kill(w.pid, SIGKILL);
		return;
	}
	check("wait4(main's child, __WNOTHREAD|WNOHANG) in a worker", w.nothread, -ECHILD_);
	if (check("wait4(main's child) in a worker", w.r, w.pid) && w.st != 23 << 8)
		fail("main's child reaped by a worker: %s, want exited 23", wstatus(w.st));
	check("wait4(-1, WNOHANG) in main after the worker reaped", sys_wait4(-1, &st, WNOHANG),
	      -ECHILD_);

	long kid = 0;
	if (!start(&t, orphaning_forker, &kid) || !join(t, 0) || kid <= 0)
		return;
	reap("the child of a worker that ended first (24: getppid() unchanged)", kid, 24 << 8);
}

/* ---------------------------------------------------------------------
 * Robust futex lists
 * ------------------------------------------------------------------- */

static pthread_mutex_t robust;
static volatile int robust_held;

/* robust_dier locks the robust mutex and ends with exit(2), holding it. */
static void *robust_dier(void *arg)
{
	int r = pthread_mutex_lock(&robust);

	if (r != 0)
		fail("pthread_mutex_lock(robust) in the worker = %d", r);
	robust_held = 1;
	sleep_ms((long)arg);
	tx_syscall1(SYS_exit, 0); /* not pthread_exit: musl would mark the mutex itself */
	return 0;
}

/*
 * robust_mutex: a thread dies holding a PTHREAD_MUTEX_ROBUST mutex; the
 * kernel marks its word FUTEX_OWNER_DIED from the thread's robust list
 * and wakes a waiter, whose pthread_mutex_lock returns EOWNERDEAD. Twice:
 * with main already waiting, and with main trying the lock after the
 * death. The mutex is also PTHREAD_PROCESS_SHARED because musl registers
 * a thread's robust list with set_robust_list only for those (a private
 * robust mutex it releases itself in pthread_exit, which a raw exit(2)
 * skips, so nothing would ever release it); its futex calls on it are
 * then shared ones, without FUTEX_PRIVATE_FLAG.
 */
static void t_robust_mutex(void)
{
	pthread_mutexattr_t a;
	pthread_t t;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&robust, &a);
	for (int round = 0; round < 2; round++) {
		robust_held = 0;
		if (!start(&t, robust_dier, (void *)(round == 0 ? 50L : 0L)))
			return;
		pthread_detach(t);
		while (!robust_held)
			sleep_ms(1);
		int r = EBUSY;
		if (round == 0) {
			r = pthread_mutex_lock(&robust); /* blocks until the death */
		} else {
			long end = now_ns() + KID_MS * MSEC;
			while ((r = pthread_mutex_trylock(&robust)) == EBUSY && now_ns() < end)
				sleep_ms(1);
		}
		if (r != EOWNERDEAD) {
			fail("round %d: locking the dead owner's robust mutex = %d (%s), want EOWNERDEAD",
			     round, r, strerror(r));
			return;
		}
		check("pthread_mutex_consistent", pthread_mutex_consistent(&robust), 0);
		check("pthread_mutex_unlock", pthread_mutex_unlock(&robust), 0);
		check("pthread_mutex_lock after consistent", pthread_mutex_lock(&robust), 0);
		check("pthread_mutex_unlock", pthread_mutex_unlock(&robust), 0);
	}
}

/* The kernel's robust list ABI: a circular list through `next`. */
struct robust_entry {
	struct robust_entry *next;
	int futex;
};

struct robust_head {
	struct robust_entry *list;
	long futex_offset;
	struct robust_entry *pending;
};

static struct robust_head rhead;
static struct robust_entry rent[3];
static volatile long rset;

static int robust_raw(void *arg)
{
	long tid = sys_gettid();

	(void)arg;
	rent[0].futex = (int)tid;
	rent[1].futex = 12345; /* not this thread's: left alone */
	rent[2].futex = (int)tid | FUTEX_WAITERS;
	rhead.list = &rent[0];
	rent[0].next = &rent[1];
	rent[1].next = (struct robust_entry *)&rhead;
	rhead.futex_offset = offsetof(struct robust_entry, futex);
	rhead.pending = &rent[2]; /* an operation in flight: also released */
	rset = tx_syscall2(SYS_set_robust_list, &rhead, sizeof rhead);
	return 0;
}

/*
 * robust_list_raw: set_robust_list by hand in a raw thread. At its exit
 * the kernel sets FUTEX_OWNER_DIED (keeping FUTEX_WAITERS) in the words
 * that hold its TID, the listed ones and list_op_pending, and leaves
 * others; a wrong length is -EINVAL.
 */
static void t_robust_list_raw(void)
{
	static int ctid;
	struct robust_head *h;
	long len;

	check("set_robust_list(head, 23)", tx_syscall2(SYS_set_robust_list, &rhead, 23), -EINVAL_);
	check("get_robust_list(0, &h, &len)", tx_syscall3(SYS_get_robust_list, 0, &h, &len), 0);
	check("get_robust_list's length (musl registers none until a robust lock)", len, 24);
	if (raw_thread(robust_raw, 0, &ctid) < 0 || !await_cleartid(&ctid))
		return;
	check("set_robust_list in the raw thread", rset, 0);
	check("a listed word holding the dead TID", rent[0].futex, FUTEX_OWNER_DIED);
	check("a listed word holding another TID", rent[1].futex, 12345);
	check("the pending word holding the dead TID, with waiters", rent[2].futex,
	      (int)(FUTEX_OWNER_DIED | FUTEX_WAITERS));
}

/* ---------------------------------------------------------------------
 * futex(2) directly
 * ------------------------------------------------------------------- */

/*
 * A waiter thread makes one FUTEX_WAIT (or FUTEX_WAIT_BITSET, with an
 * absolute deadline) on a stage word that stays 0, with a WAITER_MS
 * timeout, and records the result. stage moves waiters from the stage to
 * the word a test is about with FUTEX_CMP_REQUEUE, retrying until all are
 * there: then they are known to sleep in the kernel, without guessing
 * how long that takes.
 */
struct waiter {
	pthread_t t;
	int *uaddr;
	int priv;		/* FUTEX_PRIVATE_FLAG or 0 */
	unsigned bitset;	/* 0: plain FUTEX_WAIT */
	long ret;
	volatile int done;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;
	struct timespec ts;

	if (w->bitset) {
		ts = ts_of(now_ns() + WAITER_MS * MSEC);
		w->ret = futex(w->uaddr, FUTEX_WAIT_BITSET | w->priv, 0, &ts, 0, (int)w->bitset);
	} else {
		ts = ts_of(WAITER_MS * MSEC);
		w->ret = futex(w->uaddr, FUTEX_WAIT | w->priv, 0, &ts, 0, 0);
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return 0;
}

/* stage starts n waiters on *from and requeues them all to *to; 1 if done. */
static int stage(struct waiter *w, int n, int *from, int *to, int priv)
{
	long moved = 0, end = now_ns() + KID_MS * MSEC;

	for (int i = 0; i < n; i++) {
		w[i].uaddr = from;
		w[i].priv = priv;
		w[i].done = 0;
		w[i].ret = 1;
		if (!start(&w[i].t, waiter_fn, &w[i]))
			return 0;
	}
	while (moved < n) {
		long r = futex(from, FUTEX_CMP_REQUEUE | priv, 0, (void *)(long)(n - moved), to, 0);
		if (tx_is_err(r)) {
			fail("staging: futex(FUTEX_CMP_REQUEUE) = %s", en(r));
			return 0;
		}
		moved += r;
		if (moved < n && now_ns() > end) {
			fail("staging: only %ld of %d waiters came to wait", moved, n);
			return 0;
		}
		if (moved < n)
			sleep_ms(1);
	}
	return 1;
}

/* finish joins waiters and checks each was woken (0), not timed out. */
static void finish(struct waiter *w, int n)
{
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].t, 0);
		check("a woken waiter's futex result", w[i].ret, 0);
	}
}

/* ndone counts the waiters that have returned, after letting them run. */
static int ndone(struct waiter *w, int n)
{
	int d = 0;

	sleep_ms(20);
	for (int i = 0; i < n; i++)
		d += __atomic_load_n(&w[i].done, __ATOMIC_SEQ_CST);
	return d;
}

static int fword, fword2, fstage;

/*
 * futex_wait_wake: a changed word is -EAGAIN; relative, absolute
 * CLOCK_MONOTONIC and absolute CLOCK_REALTIME timeouts end no earlier
 * than asked with -ETIMEDOUT; FUTEX_WAKE wakes as many as asked.
 */
static void t_futex_wait_wake(void)
{
	struct waiter w[3];
	struct timespec ts = ts_of(50 * MSEC);

	fword = 1;
	check("FUTEX_WAIT on a word that changed", futex(&fword, FUTEX_WAIT, 0, &ts, 0, 0), -EAGAIN_);
	fword = 0;
	long t0 = now_ns();
	check("FUTEX_WAIT, 50 ms", futex(&fword, FUTEX_WAIT, 0, &ts, 0, 0), -ETIMEDOUT_);
	long ms = (now_ns() - t0) / MSEC;
	if (ms < 50 || ms > 2000)
		fail("FUTEX_WAIT with a 50 ms timeout took %ld ms", ms);
	long dl = now_ns() + 50 * MSEC;
	ts = ts_of(dl);
	check("FUTEX_WAIT_BITSET, CLOCK_MONOTONIC deadline",
	      futex(&fword, FUTEX_WAIT_BITSET, 0, &ts, 0, FUTEX_BITSET_MATCH_ANY), -ETIMEDOUT_);
	if (now_ns() < dl)
		fail("FUTEX_WAIT_BITSET returned %ld ns before its deadline", dl - now_ns());
	t0 = now_ns();
	ts = ts_of(clock_ns(CLOCK_REALTIME) + 50 * MSEC);
	check("FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, deadline",
	      futex(&fword, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &ts, 0,
		    FUTEX_BITSET_MATCH_ANY), -ETIMEDOUT_);
	if (now_ns() - t0 < 45 * MSEC) /* the two clocks are read apart */
		fail("FUTEX_CLOCK_REALTIME deadline came after %ld ms", (now_ns() - t0) / MSEC);
	ts = ts_of(0);
	check("FUTEX_WAIT, zero timeout", futex(&fword, FUTEX_WAIT, 0, &ts, 0, 0), -ETIMEDOUT_);

	memset(w, 0, sizeof w);
	if (!stage(w, 3, &fstage, &fword, 0))
		return;
	check("FUTEX_WAKE of 1 with 3 waiting", futex(&fword, FUTEX_WAKE, 1, 0, 0, 0), 1);
	check("waiters returned after waking 1", ndone(w, 3), 1);
	check("FUTEX_WAKE of all with 2 waiting", futex(&fword, FUTEX_WAKE, INT_MAX, 0, 0, 0), 2);
	check("FUTEX_WAKE with none waiting", futex(&fword, FUTEX_WAKE, INT_MAX, 0, 0, 0), 0);
	finish(w, 3);
}

/*
 * futex_bitset: FUTEX_WAKE_BITSET wakes only the waiters whose bitset
 * meets its own (the requeue keeps a waiter's bitset); a zero bitset is
 * -EINVAL.
 */
static void t_futex_bitset(void)
{
	struct waiter w[2];
	struct timespec ts = ts_of(now_ns() + 50 * MSEC);

	check("FUTEX_WAIT_BITSET, bitset 0", futex(&fword, FUTEX_WAIT_BITSET, 0, &ts, 0, 0),
	      -EINVAL_);
	check("FUTEX_WAKE_BITSET, bitset 0", futex(&fword, FUTEX_WAKE_BITSET, 1, 0, 0, 0), -EINVAL_);
	memset(w, 0, sizeof w);
	w[0].bitset = 0x1;
	w[1].bitset = 0x6;
	if (!stage(w, 2, &fstage, &fword, 0))
		return;
	check("FUTEX_WAKE_BITSET 0x8 (meets neither)",
	      futex(&fword, FUTEX_WAKE_BITSET, INT_MAX, 0, 0, 0x8), 0);
	check("FUTEX_WAKE_BITSET 0x4 (meets 0x6)",
	      futex(&fword, FUTEX_WAKE_BITSET, INT_MAX, 0, 0, 0x4), 1);
	if (ndone(w, 2) != 1 || !w[1].done)
		fail("after waking bitset 0x4: waiter 0x1 done %d, waiter 0x6 done %d", w[0].done,
		     w[1].done);
	check("FUTEX_WAKE (all bits) wakes the bitset 0x1 waiter",
	      futex(&fword, FUTEX_WAKE, INT_MAX, 0, 0, 0), 1);
	finish(w, 2);
}

/*
 * futex_requeue: FUTEX_CMP_REQUEUE with the wrong value is -EAGAIN and
 * moves no one; with the right one it wakes nr_wake, moves up to
 * nr_requeue and returns both counted; FUTEX_REQUEUE likewise.
 */
static void t_futex_requeue(void)
{
	struct waiter w[4];

	memset(w, 0, sizeof w);
	fword = 7;
	if (!stage(w, 4, &fstage, &fword, 0))
		return;
	check("FUTEX_CMP_REQUEUE, wrong value",
	      futex(&fword, FUTEX_CMP_REQUEUE, 1, (void *)1L, &fword2, 6), -EAGAIN_);
	check("waiters returned after the failed CMP_REQUEUE", ndone(w, 4), 0);
	check("FUTEX_CMP_REQUEUE, wake 1, move 1",
	      futex(&fword, FUTEX_CMP_REQUEUE, 1, (void *)1L, &fword2, 7), 2);
	check("waiters returned after waking 1", ndone(w, 4), 1);
	check("FUTEX_REQUEUE, wake 0, move 1", futex(&fword, FUTEX_REQUEUE, 0, (void *)1L, &fword2, 0),
	      1);
	check("FUTEX_REQUEUE, negative count",
	      futex(&fword, FUTEX_REQUEUE, -1, (void *)1L, &fword2, 0), -EINVAL_);
	check("FUTEX_WAKE on the source: 1 left", futex(&fword, FUTEX_WAKE, INT_MAX, 0, 0, 0), 1);
	check("FUTEX_WAKE on the target: 2 moved", futex(&fword2, FUTEX_WAKE, INT_MAX, 0, 0, 0), 2);
	finish(w, 4);
}

#define OP(op, oparg, cmp, cmparg) FUTEX_OP(op, oparg, cmp, cmparg)

/*
 * futex_wake_op: wakes on uaddr, applies the operation to *uaddr2 and,
 * if the old value passes the comparison, wakes on uaddr2 too; the
 * operations' arithmetic; an unknown operation or comparison is -ENOSYS.
 */
static void t_futex_wake_op(void)
{
	struct waiter w[4];
	static const struct {
		int op, oparg, from, to;
	} ops[] = {
		{FUTEX_OP_SET, 5, 1, 5},
		{FUTEX_OP_ADD, 3, 10, 13},
		{FUTEX_OP_OR, 0x30, 0x3, 0x33},
		{FUTEX_OP_ANDN, 0x3, 0xf, 0xc},
		{FUTEX_OP_XOR, 0xff, 0xf0, 0x0f},
		{FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, 1, 0x11},
	};

	for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		fword2 = ops[i].from;
		check("FUTEX_WAKE_OP with none waiting",
		      futex(&fword, FUTEX_WAKE_OP, 1, (void *)1L, &fword2,
			    OP(ops[i].op, ops[i].oparg, FUTEX_OP_CMP_EQ, 0)), 0);
		check("the FUTEX_WAKE_OP operation's result", fword2, ops[i].to);
	}
	check("FUTEX_WAKE_OP, operation 7",
	      futex(&fword, FUTEX_WAKE_OP, 1, (void *)1L, &fword2, OP(7, 0, 0, 0)), -ENOSYS_);
	check("FUTEX_WAKE_OP, comparison 7",
	      futex(&fword, FUTEX_WAKE_OP, 1, (void *)1L, &fword2, OP(0, 0, 7, 0)), -ENOSYS_);
	check("FUTEX_WAKE_OP, bad uaddr2",
	      futex(&fword, FUTEX_WAKE_OP, 1, (void *)1L, (int *)BAD_PTR, 0), -EFAULT_);

	memset(w, 0, sizeof w);
	fword2 = 0;
	if (!stage(w, 2, &fstage, &fword, 0) || !stage(w + 2, 2, &fstage, &fword2, 0))
		return;
	check("FUTEX_WAKE_OP SET 5 if old == 0 (true): 1 + 1 woken",
	      futex(&fword, FUTEX_WAKE_OP, 1, (void *)1L, &fword2,
		    OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0)), 2);
	check("*uaddr2 after SET 5", fword2, 5);
	check("FUTEX_WAKE_OP ADD 1 if old > 10 (false): 1 woken",
	      futex(&fword, FUTEX_WAKE_OP, 1, (void *)1L, &fword2,
		    OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 10)), 1);
	check("*uaddr2 after ADD 1", fword2, 6);
	check("waiters returned", ndone(w, 4), 3);
	check("FUTEX_WAKE on uaddr2: the one left", futex(&fword2, FUTEX_WAKE, 1, 0, 0, 0), 1);
	finish(w, 4);
}

/*
 * futex_private: FUTEX_PRIVATE_FLAG versions of wait, wake, requeue; a
 * private waiter is not woken by a shared wake of the same word, nor a
 * shared waiter by a private wake (Linux keys them apart).
 */
static void t_futex_private(void)
{
	struct waiter w[2];
	struct timespec ts = ts_of(50 * MSEC);

	long t0 = now_ns();
	check("FUTEX_WAIT_PRIVATE, 50 ms", futex(&fword, FUTEX_WAIT_PRIVATE, 0, &ts, 0, 0),
	      -ETIMEDOUT_);
	if (now_ns() - t0 < 50 * MSEC)
		fail("FUTEX_WAIT_PRIVATE with a 50 ms timeout took %ld ms", (now_ns() - t0) / MSEC);
	memset(w, 0, sizeof w);
	fword = 0;
	if (!stage(w, 1, &fstage, &fword, FUTEX_PRIVATE_FLAG) || !stage(w + 1, 1, &fstage, &fword2, 0))
		return;
	check("FUTEX_WAKE (shared) of a private waiter", futex(&fword, FUTEX_WAKE, 1, 0, 0, 0), 0);
	check("FUTEX_WAKE_PRIVATE of a shared waiter",
	      futex(&fword2, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0), 0);
	check("FUTEX_WAKE_PRIVATE of a private waiter",
	      futex(&fword, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0), 1);
	check("FUTEX_WAKE (shared) of a shared waiter", futex(&fword2, FUTEX_WAKE, 1, 0, 0, 0), 1);
	finish(w, 2);
}

/* futex_errors: what Linux returns for bad addresses, timeouts and ops. */
static void t_futex_errors(void)
{
	struct timespec bad_ts = {0, NSEC}, ts = ts_of(10 * MSEC);
	int *bad = (int *)BAD_PTR;

	fword = 0;
	check("FUTEX_WAIT, unmapped address", futex(bad, FUTEX_WAIT, 0, &ts, 0, 0), -EFAULT_);
	check("FUTEX_WAIT_PRIVATE, unmapped address", futex(bad, FUTEX_WAIT_PRIVATE, 0, &ts, 0, 0),
	      -EFAULT_);
	check("FUTEX_WAKE, unmapped address", futex(bad, FUTEX_WAKE, 1, 0, 0, 0), -EFAULT_);
	check("FUTEX_WAKE_PRIVATE, unmapped address (no access needed)",
	      futex(bad, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0), 0);
	check("FUTEX_WAIT, misaligned address",
	      futex((int *)((char *)&fword + 1), FUTEX_WAIT, 0, &ts, 0, 0), -EINVAL_);
	check("FUTEX_WAKE, misaligned address",
	      futex((int *)((char *)&fword + 2), FUTEX_WAKE, 1, 0, 0, 0), -EINVAL_);
	check("FUTEX_WAIT, tv_nsec = 10^9", futex(&fword, FUTEX_WAIT, 0, &bad_ts, 0, 0), -EINVAL_);
	check("FUTEX_WAIT, unmapped timeout", futex(&fword, FUTEX_WAIT, 0, (void *)BAD_PTR, 0, 0),
	      -EFAULT_);
	check("FUTEX_CMP_REQUEUE, unmapped uaddr",
	      futex(bad, FUTEX_CMP_REQUEUE, 1, (void *)1L, &fword2, 0), -EFAULT_);
	check("futex op 99", futex(&fword, 99, 0, 0, 0, 0), -ENOSYS_);
	check("futex op 99|FUTEX_PRIVATE_FLAG", futex(&fword, 99 | FUTEX_PRIVATE_FLAG, 0, 0, 0, 0),
	      -ENOSYS_);
	check("FUTEX_WAKE|FUTEX_CLOCK_REALTIME", futex(&fword, FUTEX_WAKE | FUTEX_CLOCK_REALTIME,
						       1, 0, 0, 0), -ENOSYS_);
}

/* ---------------------------------------------------------------------
 * Group stop: every thread stops, and a continued thread still wakes
 * ------------------------------------------------------------------- */

static volatile long *gs_ticks;	/* MAP_SHARED: bumped by the child's spinner */

static void *gs_spinner(void *arg)
{
	sigset_t s;

	(void)arg;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, 0);	/* SIGUSR1 is the main thread's */
	for (;;)
		(*gs_ticks)++;
	return 0;
}

static void gs_usr1(int sig)
{
	(void)sig;
}

/* wait_state waits (bounded) for pid to report what flags ask for
 * (WUNTRACED: a stop, WCONTINUED: a continue); 1 if it did. */
static int wait_state(long pid, int flags, const char *what)
{
	int st = 0;

	for (int i = 0; i < KID_MS / 5; i++) {
		long r = tx_syscall6(SYS_wait4, pid, (long)&st, flags | WNOHANG, 0, 0, 0);

		if (r == pid)
			return (flags == WUNTRACED ? WIFSTOPPED(st) : WIFCONTINUED(st)) ||
			       (fail("%s: status %s", what, wstatus(st)), 0);
		if (r != 0 && r != -EINTR) {
			fail("%s: wait4 = %s", what, en(r));
			return 0;
		}
		sleep_ms(5);
	}
	fail("%s: not reported in %d ms", what, KID_MS);
	return 0;
}

/*
 * A process with a spinning thread and a main thread in pause() is
 * stopped and continued, then sent SIGUSR1, which only the main thread
 * takes. While stopped the spinner must not run (every thread of the
 * group stops, not just the last to notice); after SIGCONT the main
 * thread, back in its restarted pause, must still be woken by SIGUSR1.
 */
static void t_group_stop_every_thread(void)
{
	long pid, before, after;

	gs_ticks = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (gs_ticks == MAP_FAILED) {
		fail("mmap MAP_SHARED: %s", strerror(errno));
		return;
	}
	if ((pid = fork_or_fail()) < 0)
		return;
	if (pid == 0) {
		struct sigaction sa = {.sa_handler = gs_usr1};
		pthread_t t;

		sigaction(SIGUSR1, &sa, 0);
		if (!start(&t, gs_spinner, 0))
			tx_exit(2);
		pause();
		tx_exit(0);
	}
	for (int i = 0; i < 400 && *gs_ticks == 0; i++)
		sleep_ms(5);
	sleep_ms(20);	/* the main thread into pause() */
	kill(pid, SIGSTOP);
	if (!wait_state(pid, WUNTRACED, "SIGSTOP"))
		goto out;
	before = *gs_ticks;
	sleep_ms(50);
	after = *gs_ticks;
	if (after != before)
		fail("the spinning thread ran %ld times while its process was stopped", after - before);
	kill(pid, SIGCONT);
	if (!wait_state(pid, WCONTINUED, "SIGCONT"))
		goto out;
	sleep_ms(20);
	kill(pid, SIGUSR1);
	reap("pause after stop and continue, then SIGUSR1", pid, 0);
	munmap((void *)gs_ticks, 4096);
	return;
out:
	kill(pid, SIGKILL);
	tx_syscall6(SYS_wait4, pid, 0, 0, 0, 0, 0);
	munmap((void *)gs_ticks, 4096);
}

/* ---------------------------------------------------------------------
 * The suite
 * ------------------------------------------------------------------- */

static const struct ktap_case cases[] = {
	{"mutex_counter_join", t_mutex_counter_join},
	{"tls_per_thread", t_tls_per_thread},
	{"exit_from_worker", t_exit_from_worker},
	{"sys_exit_one_thread", t_sys_exit_one_thread},
	{"fault_in_worker", t_fault_in_worker},
	{"leader_exits_first", t_leader_exits_first},
	{"kill_threaded", t_kill_threaded},
	{"pthread_kill_target", t_pthread_kill_target},
	{"fork_from_thread", t_fork_from_thread},
	{"exec_from_thread", t_exec_from_thread},
	{"threads_200", t_threads_200},
	{"wait_from_other_thread", t_wait_from_other_thread},
	{"robust_mutex", t_robust_mutex},
	{"robust_list_raw", t_robust_list_raw},
	{"futex_wait_wake", t_futex_wait_wake},
	{"futex_bitset", t_futex_bitset},
	{"futex_requeue", t_futex_requeue},
	{"futex_wake_op", t_futex_wake_op},
	{"futex_private", t_futex_private},
	{"futex_errors", t_futex_errors},
	{"group_stop_every_thread", t_group_stop_every_thread},
	{"fs_gs_base", t_fs_gs_base},
};

#define NCASES (int)(sizeof cases / sizeof cases[0])

/*
 * run_case runs case i in a process of its own and sets case_failed
 * (ktap_run has cleared it) from how it ended: exit 0 passed, anything
 * else failed.
 */
/* A case that skips exits with EXIT_SKIP and leaves its reason in
 * shared_skip, a page the case processes share with the suite's. */
#define EXIT_SKIP 77
static char *shared_skip;

static void run_case(int i)
{
	int st;
	long pid;

	if ((pid = fork_or_fail()) < 0)
		return;
	if (pid == 0) {
		cases[i].fn();
		if (skip_reason[0] && !case_failed && shared_skip) {
			memcpy(shared_skip, skip_reason, sizeof skip_reason);
			tx_exit(EXIT_SKIP);
		}
		tx_exit(case_failed ? 1 : 0);
	}
	if (wait_bounded(pid, &st, CASE_MS) == 1) {
		if (WIFSIGNALED(st))
			fail("the case's process was killed by signal %d", WTERMSIG(st));
		else if (WEXITSTATUS(st) == 1)
			case_failed = 1;
		else if (WEXITSTATUS(st) == EXIT_SKIP && shared_skip)
			memcpy(skip_reason, shared_skip, sizeof skip_reason);
		else if (st != 0)
			fail("the case's process %s", wstatus(st));
	}
}

int main(int argc, char **argv)
{
	struct rlimit nocore = {0, 0};
	int failed = 0;

	if (argc == 5 && strcmp(argv[1], "--exec-child") == 0)
		exec_child_main(argv);
	if (argc >= 2)
		tx_fail("usage: threadtest [--exec-child PID PPID FD]");

	self_path = argv[0] && strchr(argv[0], '/') ? argv[0] : "/threadtest";
	tx_syscall2(SYS_setrlimit, RLIMIT_CORE, &nocore); /* a case dies of SIGSEGV on purpose */
	shared_skip = mmap(0, sizeof skip_reason, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_skip == MAP_FAILED)
		shared_skip = 0; /* a skip is then reported as a pass */
	ktap_plan(NCASES);
	failed = ktap_run(cases, NCASES, run_case, 5000);
	if (failed)
		diag("threadtest: %d of %d cases failed", failed, NCASES);
	tx_exit(failed ? 1 : 0);
}
