package selftest

import (
	"encoding/binary"
	"runtime"
	"time"

	"tamix/kernel/ktap"
)

// Parameters of the GC pressure case. The chunks are large so that 1 GiB
// takes only a few thousand allocations, which matters under QEMU's TCG.
const (
	gcTotal     = 1 << 30   // bytes to allocate in all
	gcLiveSlots = 16        // chunks kept alive at any time (at most 16 MiB)
	gcEvery     = 128 << 20 // bytes allocated between explicit collections
	gcHeapBound = 64 << 20  // HeapAlloc must stay below this after a GC
	gcMinChunk  = 64 << 10  // chunk sizes cycle from 64 KiB ...
	gcSizeSteps = 5         // ... doubling up to 1 MiB
)

// testGCPressure allocates at least 1 GiB in chunks of 64 KiB to 1 MiB
// while keeping a bounded live set, collects periodically, and checks with
// runtime.MemStats that the memory was really allocated and reclaimed. Each
// chunk carries a stamp that is verified before the chunk is dropped, so a
// collector freeing live memory is caught too.
func testGCPressure(t *ktap.T) {
	var before, ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()

	ring := make([][]byte, gcLiveSlots)
	var allocated, sinceGC, maxHeap uint64
	chunks, collections := 0, 0
	for allocated < gcTotal {
		size := gcMinChunk << (chunks % gcSizeSteps)
		b := make([]byte, size)
		stamp(b, chunks)
		slot := chunks % gcLiveSlots
		if old := ring[slot]; old != nil && !stamped(old, chunks-gcLiveSlots) {
			t.Fatalf("chunk %d (%d bytes) lost its stamp while live", chunks-gcLiveSlots, len(old))
		}
		ring[slot] = b
		chunks++
		allocated += uint64(size)
		sinceGC += uint64(size)
		if sinceGC >= gcEvery {
			sinceGC = 0
			runtime.GC()
			collections++
			runtime.ReadMemStats(&ms)
			maxHeap = max(maxHeap, ms.HeapAlloc)
		}
	}
	for i, b := range ring {
		n := chunks - gcLiveSlots + (i-chunks%gcLiveSlots+gcLiveSlots)%gcLiveSlots
		if !stamped(b, n) {
			t.Errorf("chunk %d lost its stamp while live", n)
		}
	}
	clear(ring)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	elapsed := time.Since(start)

	totalAlloc := ms.TotalAlloc - before.TotalAlloc
	numGC := ms.NumGC - before.NumGC
	t.Logf("allocated %d MiB in %d chunks in %v (TotalAlloc +%d MiB)",
		allocated>>20, chunks, elapsed.Round(time.Millisecond), totalAlloc>>20)
	t.Logf("NumGC +%d (%d explicit), pause total +%v",
		numGC, collections+1, time.Duration(ms.PauseTotalNs-before.PauseTotalNs))
	t.Logf("HeapAlloc %d KiB at the end, at most %d KiB after a periodic GC; HeapSys %d MiB, Sys %d MiB",
		ms.HeapAlloc>>10, maxHeap>>10, ms.HeapSys>>20, ms.Sys>>20)

	if totalAlloc < gcTotal {
		t.Errorf("TotalAlloc grew by %d bytes, want at least %d", totalAlloc, gcTotal)
	}
	if numGC < uint32(collections+1) {
		t.Errorf("NumGC grew by %d, want at least %d", numGC, collections+1)
	}
	if maxHeap >= gcHeapBound || ms.HeapAlloc >= gcHeapBound {
		t.Errorf("HeapAlloc after GC reached %d KiB (end %d KiB), bound %d KiB",
			maxHeap>>10, ms.HeapAlloc>>10, gcHeapBound>>10)
	}
}

// stamp writes n at the start, the middle and the end of b.
func stamp(b []byte, n int) {
	for _, off := range stampOffsets(b) {
		binary.LittleEndian.PutUint64(b[off:], uint64(n)^0x7a6d6978) // "tamix"-ish
	}
}

// stamped reports whether b still carries the stamp of n.
func stamped(b []byte, n int) bool {
	for _, off := range stampOffsets(b) {
		if binary.LittleEndian.Uint64(b[off:]) != uint64(n)^0x7a6d6978 {
			return false
		}
	}
	return true
}

func stampOffsets(b []byte) [3]int {
	return [3]int{0, len(b) / 2, len(b) - 8}
}
