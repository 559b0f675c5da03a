package procfs

import (
	"encoding/binary"

	"tamix/mm"
)

// SysinfoSize is sizeof(struct sysinfo) on x86-64.
const SysinfoSize = 112

// EncodeSysinfo lays s out as x86-64's struct sysinfo
// (include/uapi/linux/sysinfo.h): uptime 0, loads[3] 8, totalram 32,
// freeram 40, sharedram 48, bufferram 56, totalswap 64, freeswap 72,
// procs (u16) 80, totalhigh 88, freehigh 96, mem_unit (u32) 104. Sizes
// are in bytes (mem_unit 1), the uptime in whole seconds rounded up,
// the loads 0 (Tamix computes no load average). Mirrors
// kernel/sys.c:do_sysinfo().
func EncodeSysinfo(s *SysInfo) []byte {
	b := make([]byte, SysinfoSize)
	le := binary.LittleEndian
	up := s.Uptime / 1e9
	if s.Uptime%1e9 != 0 {
		up++
	}
	le.PutUint64(b[0:], uint64(up))
	le.PutUint64(b[32:], s.TotalPages*mm.PageSize)
	le.PutUint64(b[40:], s.FreePages*mm.PageSize)
	le.PutUint64(b[48:], s.Shmem*mm.PageSize)
	le.PutUint16(b[80:], uint16(min(s.Threads, 0xffff)))
	le.PutUint32(b[104:], 1)
	return b
}
