/*
 * stackdump: writes to stdout the initial stack the kernel built for it,
 * for proc/elf's TestStackMatchesLinux. Output: the initial %rsp (8 bytes),
 * the stack top (8 bytes: 8 bytes past the AT_EXECFN string, where Linux
 * starts its strings), then the bytes of [rsp, top).
 *
 * No libc: _start hands the untouched %rsp to dump(). Build with
 * gcc -static -nostdlib -fno-stack-protector -no-pie -O2.
 */
__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call dump\n"
	"	ud2\n");

static long sys3(long n, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static void put(const void *p, unsigned long n)
{
	const char *c = p;
	while (n > 0) {
		long w = sys3(1, 1, (long)c, (long)n);
		if (w <= 0)
			sys3(231, 2, 0, 0);
		c += w;
		n -= (unsigned long)w;
	}
}

void dump(unsigned long *sp)
{
	unsigned long argc = sp[0], *p = sp + 1 + argc + 1, top;
	const char *execfn = 0;

	while (*p)		/* envp */
		p++;
	for (p++; p[0] != 0; p += 2)	/* auxv */
		if (p[0] == 31)	/* AT_EXECFN */
			execfn = (const char *)p[1];
	if (!execfn)
		sys3(231, 3, 0, 0);
	top = (unsigned long)execfn;
	while (*(const char *)top)
		top++;
	top += 1 + 8;
	put(&sp, 8);
	put(&top, 8);
	put(sp, top - (unsigned long)sp);
	sys3(231, 0, 0, 0);
}
