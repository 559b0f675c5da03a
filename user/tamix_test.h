/*
 * tamix_test.h: helpers shared by Tamix's user-space test programs.
 *
 * The programs are static musl binaries that follow the Linux x86-64 ABI,
 * so each runs unmodified on Tamix and on Linux. They make system calls
 * with the raw `syscall` instruction below instead of libc wrappers, for
 * two reasons: the exact negative errno comes back in %rax (no errno
 * variable in between), and a program calls only what it says. Output goes
 * through snprintf() into a buffer and one write(2); stdio would also call
 * ioctl(TIOCGWINSZ) and writev(2), which an early kernel may not have.
 *
 * Besides what a program calls itself, musl's static start-up code calls
 * arch_prctl(ARCH_SET_FS) and set_tid_address(), and tx_exit() below calls
 * exit_group(), falling back to exit() as musl's _Exit() does.
 */
#ifndef TAMIX_TEST_H
#define TAMIX_TEST_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

/*
 * Raw system calls: number in %rax, arguments in %rdi %rsi %rdx %r10 %r8
 * %r9, result in %rax; the kernel clobbers %rcx (return address) and %r11
 * (flags). A result in [-4095, -1] is a negated errno.
 */
static inline long tx_syscall6(long n, long a1, long a2, long a3, long a4,
			       long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define tx_syscall0(n) tx_syscall6((n), 0, 0, 0, 0, 0, 0)
#define tx_syscall1(n, a) tx_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define tx_syscall2(n, a, b) tx_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define tx_syscall3(n, a, b, c) \
	tx_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* tx_is_err: is a raw result a negated errno? */
static inline int tx_is_err(long r)
{
	return r < 0 && r >= -4095;
}

/* tx_write_all writes all of buf to fd, retrying short writes. */
static inline void tx_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		long n = tx_syscall3(SYS_write, fd, buf, len);
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* tx_printf formats into a buffer and writes it to fd with one write. */
__attribute__((format(printf, 2, 3)))
static inline void tx_printf(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	tx_write_all(fd, buf, (size_t)n);
}

/* tx_exit ends the process without running atexit handlers or stdio. */
__attribute__((noreturn))
static inline void tx_exit(int code)
{
	tx_syscall1(SYS_exit_group, code);
	for (;;)
		tx_syscall1(SYS_exit, code);
}

/* tx_fail prints "PROG: reason" to stderr and exits with status 1. */
#define tx_fail(...)                                     \
	do {                                             \
		tx_printf(2, "%s: ", TX_PROG);           \
		tx_printf(2, __VA_ARGS__);               \
		tx_printf(2, "\n");                      \
		tx_exit(1);                              \
	} while (0)

/*
 * Linux's errno numbers, for comparing raw results (-ESRCH_) in programs
 * that do not include <errno.h> (its names would be musl's, which are
 * the same numbers).
 */
#define EPERM_ 1
#define ENOENT_ 2
#define ESRCH_ 3
#define EINTR_ 4
#define ECHILD_ 10
#define EAGAIN_ 11
#define ENOMEM_ 12
#define EFAULT_ 14
#define EINVAL_ 22
#define ENOSYS_ 38
#define ETIMEDOUT_ 110

/*
 * tx_errnames is the one errno-name table of the test programs: every
 * errno any of them names, with Linux's numbers (asm-generic/errno-base.h
 * and errno.h), as a result shows it: negated.
 */
static const char *const tx_errnames[] = {
	[1] = "-EPERM",		[2] = "-ENOENT",	[3] = "-ESRCH",
	[4] = "-EINTR",		[6] = "-ENXIO",		[7] = "-E2BIG",
	[8] = "-ENOEXEC",	[9] = "-EBADF",		[10] = "-ECHILD",
	[11] = "-EAGAIN",	[12] = "-ENOMEM",	[13] = "-EACCES",
	[14] = "-EFAULT",	[16] = "-EBUSY",	[17] = "-EEXIST",
	[18] = "-EXDEV",	[19] = "-ENODEV",	[20] = "-ENOTDIR",
	[21] = "-EISDIR",	[22] = "-EINVAL",	[24] = "-EMFILE",
	[25] = "-ENOTTY",	[28] = "-ENOSPC",	[29] = "-ESPIPE",
	[30] = "-EROFS",	[32] = "-EPIPE",	[34] = "-ERANGE",
	[36] = "-ENAMETOOLONG",	[38] = "-ENOSYS",	[39] = "-ENOTEMPTY",
	[40] = "-ELOOP",	[95] = "-EOPNOTSUPP",	[110] = "-ETIMEDOUT",
};

/* tx_errno_name is the negated name of errno e ("-EPERM"), or NULL. */
static inline const char *tx_errno_name(long e)
{
	if (e > 0 && e < (long)(sizeof tx_errnames / sizeof tx_errnames[0]))
		return tx_errnames[e];
	return NULL;
}

/*
 * tx_errname names a raw result if it is an errno in the table. Other
 * values are formatted into one of eight rotating buffers, so a printf may
 * take two of them, and threads may call it at once.
 */
static inline const char *tx_errname(long r)
{
	static char others[8][48]; /* "%ld (%#lx)" needs up to 42 */
	static int next;
	const char *name = tx_errno_name(-r);
	char *other;

	if (name)
		return name;
	other = others[__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % 8];
	snprintf(other, sizeof others[0], "%ld (%#lx)", r, (unsigned long)r);
	return other;
}

#endif /* TAMIX_TEST_H */
