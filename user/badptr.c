/*
 * badptr: calls the pointer-taking and address-taking system calls of a
 * first kernel (write, arch_prctl, mmap, munmap, mprotect, brk) with bad
 * pointers and bad arguments, and checks the exact result Linux gives:
 * -EFAULT for a NULL, kernel, non-canonical, unmapped or PROT_NONE user
 * pointer (never a kernel fault), and Linux's EINVAL, ENOMEM, EBADF,
 * EEXIST, EPERM cases for the memory calls. Raw syscalls, so the negated
 * errno is what %rax holds.
 *
 * Usage: badptr        (stdout must be a tty, pipe or file, not /dev/null,
 *                       which would accept any buffer without reading it)
 *
 * Prints "ok N name" or "not ok N name # got X want Y" per check, then the
 * TAP plan "1..N", and exits 0 if every check passed, 1 otherwise.
 */
#define TX_PROG "badptr"
#include "tamix_test.h"

#include <sys/mman.h>

#define PAGE 4096L
#define KERNEL_ADDR 0x1000000L		  /* 16 MiB: in Tamix's kernel hole */
#define NONCANONICAL 0x800000000000L	  /* first address past the user half */
#define KERNEL_HALF (-0x800000000000L)	  /* 0xffff800000000000 */
#define USER_TOP (0x800000000000L - PAGE) /* TASK_SIZE_MAX */
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define MAP_FIXED_NOREPLACE_ 0x100000
#define MAP_SHARED_VALIDATE_ 0x03

static int count, failed;

/* check reports one result against the value Linux gives. */
static void check(const char *name, long got, long want)
{
	count++;
	if (got == want) {
		tx_printf(1, "ok %d %s\n", count, name);
		return;
	}
	failed++;
	tx_printf(1, "not ok %d %s # got %s want %s\n", count, name,
		  tx_errname(got), tx_errname(want));
}

static long sys_mmap(long addr, long len, long prot, long flags, long fd, long off)
{
	return tx_syscall6(SYS_mmap, addr, len, prot, flags, fd, off);
}

static long anon(long addr, long len, long prot, long flags)
{
	return sys_mmap(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

/* Test memory: a mapped page, an unmapped page, a PROT_NONE page. */
static long mapped, unmapped, protnone;

static void setup(void)
{
	long two = anon(0, 2 * PAGE, PROT_READ | PROT_WRITE, 0);

	protnone = anon(0, PAGE, PROT_NONE, 0);
	if (tx_is_err(two) || tx_is_err(protnone))
		tx_fail("mmap for the test pages failed: %s %s", tx_errname(two),
			tx_errname(protnone));
	mapped = two;
	unmapped = two + PAGE;
	if (tx_syscall2(SYS_munmap, unmapped, PAGE) != 0)
		tx_fail("munmap of the second test page failed");
}

static void test_write(void)
{
	check("write_null", tx_syscall3(SYS_write, 1, 0, 10), -14);
	check("write_kernel", tx_syscall3(SYS_write, 1, KERNEL_ADDR, 10), -14);
	check("write_kernel_half", tx_syscall3(SYS_write, 1, KERNEL_HALF, 10), -14);
	check("write_noncanonical", tx_syscall3(SYS_write, 1, NONCANONICAL, 10), -14);
	check("write_unmapped", tx_syscall3(SYS_write, 1, unmapped, 10), -14);
	check("write_prot_none", tx_syscall3(SYS_write, 1, protnone, 10), -14);
	check("write_past_user_top", tx_syscall3(SYS_write, 1, USER_TOP + PAGE - 4, 10), -14);
	check("write_len_wraps", tx_syscall3(SYS_write, 1, mapped, -1L), -14);
	check("write_null_len0", tx_syscall3(SYS_write, 1, 0, 0), 0);
	check("write_badfd_before_buffer", tx_syscall3(SYS_write, -1, 0, 10), -9);
}

static void test_arch_prctl(void)
{
	check("arch_prctl_get_fs_null", tx_syscall2(SYS_arch_prctl, ARCH_GET_FS, 0), -14);
	check("arch_prctl_get_fs_kernel", tx_syscall2(SYS_arch_prctl, ARCH_GET_FS, KERNEL_ADDR), -14);
	check("arch_prctl_get_fs_noncanonical",
	      tx_syscall2(SYS_arch_prctl, ARCH_GET_FS, NONCANONICAL), -14);
	check("arch_prctl_get_fs_prot_none", tx_syscall2(SYS_arch_prctl, ARCH_GET_FS, protnone), -14);
	check("arch_prctl_set_fs_noncanonical",
	      tx_syscall2(SYS_arch_prctl, ARCH_SET_FS, NONCANONICAL), -1);
	check("arch_prctl_bad_code", tx_syscall2(SYS_arch_prctl, 0x9999, 0), -22);
}

static void test_mmap(void)
{
	long rw = PROT_READ | PROT_WRITE;

	check("mmap_len0", anon(0, 0, rw, 0), -22);
	check("mmap_offset_unaligned",
	      sys_mmap(0, PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1), -22);
	check("mmap_not_private_nor_shared", sys_mmap(0, PAGE, rw, MAP_ANONYMOUS, -1, 0), -22);
	check("mmap_len_wraps", anon(0, -1L, rw, 0), -12);
	check("mmap_len_too_big", anon(0, 0x800000000000L, rw, 0), -12);
	check("mmap_fixed_unaligned", anon(mapped + 1, PAGE, rw, MAP_FIXED), -22);
	check("mmap_fixed_noncanonical", anon(NONCANONICAL, PAGE, rw, MAP_FIXED), -12);
	check("mmap_fixed_past_user_top", anon(USER_TOP - PAGE, 2 * PAGE, rw, MAP_FIXED), -12);
	check("mmap_no_fd", sys_mmap(0, PAGE, rw, MAP_PRIVATE, -1, 0), -9);
	check("mmap_fixed_noreplace_exists", anon(mapped, PAGE, rw, MAP_FIXED_NOREPLACE_), -17);
	/* MAP_SHARED_VALIDATE is for files; an anonymous mapping must say
	 * MAP_SHARED or MAP_PRIVATE. */
	check("mmap_anon_shared_validate",
	      sys_mmap(0, PAGE, rw, MAP_SHARED_VALIDATE_ | MAP_ANONYMOUS, -1, 0), -22);
}

static void test_munmap(void)
{
	check("munmap_unaligned", tx_syscall2(SYS_munmap, mapped + 1, PAGE), -22);
	check("munmap_len0", tx_syscall2(SYS_munmap, mapped, 0), -22);
	check("munmap_noncanonical", tx_syscall2(SYS_munmap, NONCANONICAL, PAGE), -22);
	check("munmap_len_too_big", tx_syscall2(SYS_munmap, mapped, 0x800000000000L), -22);
	check("munmap_unmapped_is_ok", tx_syscall2(SYS_munmap, unmapped, PAGE), 0);
}

static void test_mprotect(void)
{
	check("mprotect_unaligned", tx_syscall3(SYS_mprotect, mapped + 1, PAGE, PROT_READ), -22);
	check("mprotect_len0", tx_syscall3(SYS_mprotect, mapped, 0, PROT_READ), 0);
	check("mprotect_unmapped", tx_syscall3(SYS_mprotect, unmapped, PAGE, PROT_READ), -12);
	check("mprotect_partly_unmapped",
	      tx_syscall3(SYS_mprotect, mapped, 2 * PAGE, PROT_READ), -12);
	check("mprotect_noncanonical",
	      tx_syscall3(SYS_mprotect, NONCANONICAL, PAGE, PROT_READ), -12);
	check("mprotect_len_wraps", tx_syscall3(SYS_mprotect, mapped, -PAGE, PROT_READ), -12);
	check("mprotect_bad_prot", tx_syscall3(SYS_mprotect, mapped, PAGE, 0x10), -22);
	check("mprotect_growsdown_and_up",
	      tx_syscall3(SYS_mprotect, mapped, PAGE, PROT_READ | 0x01000000 | 0x02000000), -22);
}

/* brk never returns an errno: a refused request returns the old break. */
static void test_brk(void)
{
	long cur = tx_syscall1(SYS_brk, 0);

	check("brk_query_again", tx_syscall1(SYS_brk, 0), cur);
	check("brk_below_start", tx_syscall1(SYS_brk, 1), cur);
	check("brk_kernel_half", tx_syscall1(SYS_brk, KERNEL_HALF), cur);
	check("brk_noncanonical", tx_syscall1(SYS_brk, NONCANONICAL), cur);
	check("brk_all_ones", tx_syscall1(SYS_brk, -1L), cur);
	check("brk_grow", tx_syscall1(SYS_brk, cur + PAGE), cur + PAGE);
	check("brk_shrink", tx_syscall1(SYS_brk, cur), cur);
}

int main(void)
{
	setup();
	test_write();
	test_arch_prctl();
	test_mmap();
	test_munmap();
	test_mprotect();
	test_brk();
	tx_printf(1, "1..%d\n", count);
	if (failed) {
		tx_printf(2, "badptr: %d of %d checks failed\n", failed, count);
		tx_exit(1);
	}
	tx_exit(0);
}
