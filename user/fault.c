/*
 * fault: makes one kind of fault from ring 3, so that the kernel's trap
 * handling can be checked: the process must die with the signal Linux
 * gives, and the kernel must carry on.
 *
 * Usage: fault KIND
 *
 *   KIND          what it does                          Linux kills it with
 *   nullread      load from address 0                   SIGSEGV (#PF)
 *   nullwrite     store to address 0                    SIGSEGV (#PF)
 *   kernelread    load from 0x1000000 (Tamix's kernel)  SIGSEGV (#PF)
 *   hlt           hlt                                   SIGSEGV (#GP)
 *   cli           cli                                   SIGSEGV (#GP)
 *   in            inb $0x80, %al                        SIGSEGV (#GP)
 *   ud2           ud2                                   SIGILL  (#UD)
 *   div0          idiv by zero                          SIGFPE  (#DE)
 *   int3          int3                                  SIGTRAP (#BP)
 *   badjump       jump to 0x100000000000 (unmapped)     SIGSEGV (#PF)
 *   nxexec        call into a PROT_READ|PROT_WRITE page SIGSEGV (#PF, NX)
 *   stackoverflow infinite recursion                    SIGSEGV (#PF)
 *
 * A shell reports death by signal S as exit status 128+S: 139 for SIGSEGV,
 * 132 SIGILL, 136 SIGFPE, 133 SIGTRAP. Every fault is an explicit
 * instruction in inline assembly, because C compilers turn obvious null
 * dereferences into ud2. If the fault does not happen, fault exits 3; an
 * unknown KIND exits 2.
 */
#define TX_PROG "fault"
#include "tamix_test.h"

#include <sys/mman.h>

#define KERNEL_ADDR 0x1000000UL	     /* 16 MiB: the start of Tamix's kernel hole */
#define UNMAPPED_ADDR 0x100000000000UL /* 16 TiB: nothing there on Tamix or Linux */

static void load(unsigned long addr)
{
	unsigned long v;
	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(addr) : "memory");
}

static void fault_nullread(void) { load(0); }

static void fault_nullwrite(void)
{
	__asm__ volatile("movq $1, (%0)" : : "r"(0UL) : "memory");
}

static void fault_kernelread(void) { load(KERNEL_ADDR); }
static void fault_hlt(void) { __asm__ volatile("hlt"); }
static void fault_cli(void) { __asm__ volatile("cli"); }
static void fault_in(void) { __asm__ volatile("inb $0x80, %%al" : : : "rax"); }
static void fault_ud2(void) { __asm__ volatile("ud2"); }
static void fault_int3(void) { __asm__ volatile("int3"); }

static void fault_div0(void)
{
	int q;
	__asm__ volatile("cltd\n\tidivl %1" : "=a"(q) : "r"(0), "a"(1) : "rdx");
}

static void fault_badjump(void)
{
	__asm__ volatile("call *%0" : : "r"(UNMAPPED_ADDR) : "memory");
}

static void fault_nxexec(void)
{
	long p = tx_syscall6(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tx_is_err(p))
		tx_fail("mmap = %s", tx_errname(p));
	*(volatile unsigned char *)p = 0xc3; /* ret: harmless if NX is missing */
	__asm__ volatile("call *%0" : : "r"(p) : "memory");
}

/* recurse never returns: each frame is a kilobyte the compiler cannot drop. */
__attribute__((noinline)) static long recurse(volatile char *up, long depth)
{
	volatile char frame[1024];

	frame[0] = (char)depth;
	frame[sizeof frame - 1] = up ? up[0] : 0;
	if (depth == -1) /* never true, but the compiler cannot know */
		return 0;
	return recurse(frame, depth + 1) + frame[1];
}

static void fault_stackoverflow(void) { recurse(0, 0); }

static const struct {
	const char *name;
	void (*fn)(void);
	const char *what;
} kinds[] = {
	{"nullread", fault_nullread, "load from address 0"},
	{"nullwrite", fault_nullwrite, "store to address 0"},
	{"kernelread", fault_kernelread, "load from 0x1000000"},
	{"hlt", fault_hlt, "hlt"},
	{"cli", fault_cli, "cli"},
	{"in", fault_in, "inb $0x80"},
	{"ud2", fault_ud2, "ud2"},
	{"div0", fault_div0, "idiv by zero"},
	{"int3", fault_int3, "int3"},
	{"badjump", fault_badjump, "call 0x100000000000"},
	{"nxexec", fault_nxexec, "call into a non-executable page"},
	{"stackoverflow", fault_stackoverflow, "infinite recursion"},
};

int main(int argc, char **argv)
{
	size_t n = sizeof kinds / sizeof kinds[0];

	for (size_t i = 0; argc == 2 && i < n; i++) {
		if (strcmp(argv[1], kinds[i].name) != 0)
			continue;
		tx_printf(2, "fault: %s: %s\n", kinds[i].name, kinds[i].what);
		kinds[i].fn();
		tx_printf(2, "fault: %s did not fault\n", kinds[i].name);
		tx_exit(3);
	}
	tx_printf(2, "usage: fault KIND\nkinds:");
	for (size_t i = 0; i < n; i++)
		tx_printf(2, " %s", kinds[i].name);
	tx_printf(2, "\n");
	tx_exit(2);
}
