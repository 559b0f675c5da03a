/*
 * xmm: checks that the kernel keeps a task's SSE registers across system
 * calls and task switches. Loads xmm0-xmm15 with patterns derived from
 * VALUE, then, without reloading them, calls sched_yield() ITERATIONS
 * times (default 20000), spinning a little between calls so that timer
 * interrupts also land in user mode, and after each call compares all 16
 * registers with the patterns. Run two copies with different values at
 * once: if the kernel mixed up their FPU state, one of them sees the
 * other's patterns.
 *
 * Usage: xmm VALUE [ITERATIONS]
 *
 * Exits 0 if the registers stayed intact, 1 otherwise (naming the
 * registers that changed), 2 on a usage error. The whole loop is one
 * inline-assembly block, so no compiler-generated code ever touches the
 * registers between load and check.
 */
#define TX_PROG "xmm"
#include "tamix_test.h"

#include <stdlib.h>

#define NREGS 16
#define SPIN 2000

static uint64_t expect[NREGS][2] __attribute__((aligned(16)));
static uint64_t got[NREGS][2] __attribute__((aligned(16)));

/* patterns gives every 64-bit half a distinct value depending on v. */
static void patterns(uint64_t v)
{
	for (int i = 0; i < NREGS; i++) {
		uint64_t x = (v + 1) * 0x9e3779b97f4a7c15ULL + (uint64_t)i * 0x0101010101010101ULL;
		expect[i][0] = x;
		expect[i][1] = ~x ^ ((uint64_t)i << 56) ^ v;
	}
}

/*
 * run loads the registers, then loops: sched_yield, store the registers to
 * got[], compare got[] with expect[] using general registers only, spin.
 * Returns 0 if all iterations passed, 1 on a register mismatch, 2 if
 * sched_yield failed; *left is the number of iterations not completed and
 * *ret sched_yield's last result.
 */
static int run(long iterations, long *left, long *ret)
{
	long n = iterations, result, sys = 0;

	__asm__ volatile(
		"movdqa   0(%[e]), %%xmm0\n\t"
		"movdqa  16(%[e]), %%xmm1\n\t"
		"movdqa  32(%[e]), %%xmm2\n\t"
		"movdqa  48(%[e]), %%xmm3\n\t"
		"movdqa  64(%[e]), %%xmm4\n\t"
		"movdqa  80(%[e]), %%xmm5\n\t"
		"movdqa  96(%[e]), %%xmm6\n\t"
		"movdqa 112(%[e]), %%xmm7\n\t"
		"movdqa 128(%[e]), %%xmm8\n\t"
		"movdqa 144(%[e]), %%xmm9\n\t"
		"movdqa 160(%[e]), %%xmm10\n\t"
		"movdqa 176(%[e]), %%xmm11\n\t"
		"movdqa 192(%[e]), %%xmm12\n\t"
		"movdqa 208(%[e]), %%xmm13\n\t"
		"movdqa 224(%[e]), %%xmm14\n\t"
		"movdqa 240(%[e]), %%xmm15\n\t"
		"1:\n\t"
		"movl $24, %%eax\n\t" /* SYS_sched_yield */
		"syscall\n\t"
		"movq %%rax, %[sys]\n\t"
		"movdqa %%xmm0,    0(%[g])\n\t"
		"movdqa %%xmm1,   16(%[g])\n\t"
		"movdqa %%xmm2,   32(%[g])\n\t"
		"movdqa %%xmm3,   48(%[g])\n\t"
		"movdqa %%xmm4,   64(%[g])\n\t"
		"movdqa %%xmm5,   80(%[g])\n\t"
		"movdqa %%xmm6,   96(%[g])\n\t"
		"movdqa %%xmm7,  112(%[g])\n\t"
		"movdqa %%xmm8,  128(%[g])\n\t"
		"movdqa %%xmm9,  144(%[g])\n\t"
		"movdqa %%xmm10, 160(%[g])\n\t"
		"movdqa %%xmm11, 176(%[g])\n\t"
		"movdqa %%xmm12, 192(%[g])\n\t"
		"movdqa %%xmm13, 208(%[g])\n\t"
		"movdqa %%xmm14, 224(%[g])\n\t"
		"movdqa %%xmm15, 240(%[g])\n\t"
		"movl $2, %k[res]\n\t"
		"testq %%rax, %%rax\n\t"
		"jnz 4f\n\t"
		"movl $1, %k[res]\n\t"
		"xorl %%edx, %%edx\n\t"
		"2:\n\t" /* compare 32 quadwords */
		"movq (%[g],%%rdx,8), %%rax\n\t"
		"cmpq (%[e],%%rdx,8), %%rax\n\t"
		"jne 4f\n\t"
		"incl %%edx\n\t"
		"cmpl $32, %%edx\n\t"
		"jb 2b\n\t"
		"movl %[spin], %%ecx\n\t"
		"3:\n\t" /* let interrupts land in user mode */
		"decl %%ecx\n\t"
		"jnz 3b\n\t"
		"decq %[n]\n\t"
		"jnz 1b\n\t"
		"xorl %k[res], %k[res]\n\t"
		"4:\n\t"
		: [n] "+r"(n), [res] "=&r"(result), [sys] "+m"(sys)
		: [e] "r"(expect), [g] "r"(got), [spin] "i"(SPIN)
		: "rax", "rcx", "rdx", "r11", "memory", "cc", "xmm0", "xmm1",
		  "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
		  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	*left = n;
	*ret = sys;
	return (int)result;
}

int main(int argc, char **argv)
{
	char *end;
	long left, ret, iterations = 20000;

	if (argc < 2 || argc > 3)
		goto usage;
	uint64_t v = strtoull(argv[1], &end, 0);
	if (*argv[1] == '\0' || *end != '\0')
		goto usage;
	if (argc == 3) {
		iterations = strtol(argv[2], &end, 0);
		if (*argv[2] == '\0' || *end != '\0' || iterations <= 0)
			goto usage;
	}
	patterns(v);
	switch (run(iterations, &left, &ret)) {
	case 0:
		tx_printf(1, "xmm: value %#llx: %ld sched_yield calls, xmm0-xmm15 intact\n",
			  (unsigned long long)v, iterations);
		tx_exit(0);
	case 2:
		tx_fail("sched_yield = %s", tx_errname(ret));
	}
	tx_printf(2, "xmm: value %#llx: registers changed after %ld of %ld sched_yield calls\n",
		  (unsigned long long)v, iterations - left + 1, iterations);
	for (int i = 0; i < NREGS; i++)
		if (got[i][0] != expect[i][0] || got[i][1] != expect[i][1])
			tx_printf(2, "xmm: xmm%d = %016llx%016llx, want %016llx%016llx\n", i,
				  (unsigned long long)got[i][1], (unsigned long long)got[i][0],
				  (unsigned long long)expect[i][1], (unsigned long long)expect[i][0]);
	tx_exit(1);
usage:
	tx_printf(2, "usage: xmm VALUE [ITERATIONS]\n");
	tx_exit(2);
}
