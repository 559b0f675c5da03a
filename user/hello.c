/*
 * hello: the first user program. Writes "hello from ring 3" to stdout,
 * then exercises the other system calls of a minimal kernel: getpid, brk
 * (grow the heap, use it, shrink it back) and an anonymous mmap (zero
 * filled, written, read back, unmapped). Prints one summary line and exits
 * 0; on any failure it prints the reason to stderr and exits 1.
 *
 * Usage: hello
 */
#define TX_PROG "hello"
#include "tamix_test.h"

#include <sys/mman.h>

#define BRK_GROW (64 * 1024)
#define MMAP_PAGES 4
#define PAGE 4096

/* check_pattern fills [p, p+len) with a pattern derived from seed and reads it back. */
static int check_pattern(volatile unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + seed);
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 31 + seed))
			return 0;
	return 1;
}

static void test_brk(void)
{
	long cur = tx_syscall1(SYS_brk, 0);
	long grown;

	if (cur <= 0 || tx_is_err(cur))
		tx_fail("brk(0) = %s", tx_errname(cur));
	grown = tx_syscall1(SYS_brk, cur + BRK_GROW);
	if (grown != cur + BRK_GROW)
		tx_fail("brk(%#lx) = %#lx, want the new break", cur + BRK_GROW, grown);
	if (!check_pattern((volatile unsigned char *)cur, BRK_GROW, 1))
		tx_fail("heap at %#lx does not keep what was written", cur);
	if (tx_syscall1(SYS_brk, cur) != cur)
		tx_fail("brk(%#lx) did not shrink the heap back", cur);
}

static void test_mmap(void)
{
	size_t len = MMAP_PAGES * PAGE;
	long p = tx_syscall6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile unsigned char *b = (volatile unsigned char *)p;

	if (tx_is_err(p) || p == 0)
		tx_fail("mmap of %zu bytes = %s", len, tx_errname(p));
	if (p % PAGE != 0)
		tx_fail("mmap returned %#lx, not page aligned", p);
	for (size_t i = 0; i < len; i++)
		if (b[i] != 0)
			tx_fail("anonymous page at %#lx is not zero filled", p + (long)i);
	if (!check_pattern(b, len, 7))
		tx_fail("mapping at %#lx does not keep what was written", p);
	long r = tx_syscall2(SYS_munmap, p, len);
	if (r != 0)
		tx_fail("munmap = %s", tx_errname(r));
}

int main(void)
{
	static const char msg[] = "hello from ring 3\n";
	long n = tx_syscall3(SYS_write, 1, msg, sizeof msg - 1);

	if (n != (long)sizeof msg - 1)
		tx_fail("write = %s", tx_errname(n));
	long pid = tx_syscall0(SYS_getpid);
	if (pid <= 0)
		tx_fail("getpid = %ld", pid);
	test_brk();
	test_mmap();
	tx_printf(1, "hello: pid %ld, brk +%d bytes and mmap of %d pages ok\n",
		  pid, BRK_GROW, MMAP_PAGES);
	tx_exit(0);
}
