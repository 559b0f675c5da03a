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
 * tx_errname names the errnos the tests expect, for readable output. Other
 * values are formatted into one of four rotating buffers, so a printf may
 * take two of them.
 */
static inline const char *tx_errname(long r)
{
	static char others[4][48]; /* "%ld (%#lx)" needs up to 42 */
	static int next;
	char *other = others[next++ % 4];

	switch (r) {
	case -1: return "-EPERM";
	case -2: return "-ENOENT";
	case -9: return "-EBADF";
	case -12: return "-ENOMEM";
	case -14: return "-EFAULT";
	case -17: return "-EEXIST";
	case -22: return "-EINVAL";
	case -38: return "-ENOSYS";
	case -95: return "-EOPNOTSUPP";
	}
	snprintf(other, sizeof others[0], "%ld (%#lx)", r, (unsigned long)r);
	return other;
}

#endif /* TAMIX_TEST_H */
