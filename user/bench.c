/*
 * bench: measures, in TSC cycles, what issue 3 asks to quote: a getpid
 * system call round trip and a demand-zero page fault. The same static
 * binary runs on Tamix and on Linux, so the figures compare directly.
 *
 * Usage: bench [SCALE]     (SCALE multiplies the sample counts, default 1)
 *
 * Output, one line per measurement:
 *   bench tsc cycles min=... median=... n=...        (empty interval: the cost of timing)
 *   bench getpid cycles min=... median=... n=...
 *   bench pagefault cycles min=... median=... n=...
 * The figures include the timing overhead of the first line. Each sample
 * is one event between "lfence; rdtsc" and "rdtscp; lfence", the pairing
 * Intel recommends for short intervals. A page-fault sample is the first
 * write to one page of a fresh anonymous private mapping; madvise asks
 * Linux not to use transparent huge pages there (Tamix, which has none,
 * may return ENOSYS: ignored). Exits 0, or 1 if a system call fails.
 */
#define TX_PROG "bench"
#include "tamix_test.h"

#include <stdlib.h>
#include <sys/mman.h>

#define PAGE 4096
#define GETPID_SAMPLES 20000
#define FAULT_PAGES 1024 /* 4 MiB per round */
#define FAULT_ROUNDS 4
#define MAX_SAMPLES (GETPID_SAMPLES * 16)

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

/* report sorts the n samples and prints their minimum and median. */
static void report(const char *what, long n)
{
	qsort(samples, (size_t)n, sizeof samples[0], cmp_u64);
	tx_printf(1, "bench %s cycles min=%llu median=%llu n=%ld\n", what,
		  (unsigned long long)samples[0], (unsigned long long)samples[n / 2], n);
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
	bench_tsc(GETPID_SAMPLES * scale);
	bench_getpid(GETPID_SAMPLES * scale);
	bench_pagefault(FAULT_ROUNDS * scale);
	tx_exit(0);
}
