package syscall

// File-system call numbers (arch/x86/entry/syscalls/syscall_64.tbl),
// kept apart from numbers.go so that the VFS work merges cleanly.
const (
	SysFsync      = 74
	SysFdatasync  = 75
	SysTruncate   = 76
	SysFtruncate  = 77
	SysChdir      = 80
	SysFchdir     = 81
	SysRename     = 82
	SysMkdir      = 83
	SysRmdir      = 84
	SysCreat      = 85
	SysLink       = 86
	SysUnlink     = 87
	SysSymlink    = 88
	SysReadlink   = 89
	SysChmod      = 90
	SysFchmod     = 91
	SysUmask      = 95
	SysMknod      = 133
	SysChroot     = 161
	SysSync       = 162
	SysMount      = 165
	SysUmount2    = 166
	SysGetdents64 = 217
	SysMkdirat    = 258
	SysMknodat    = 259
	SysUnlinkat   = 263
	SysRenameat   = 264
	SysLinkat     = 265
	SysSymlinkat  = 266
	SysReadlinkat = 267
	SysFchmodat   = 268
	SysFaccessat  = 269
	SysUtimensat  = 280
	SysPreadv     = 295
	SysPwritev    = 296
	SysRenameat2  = 316
	SysStatx      = 332
	SysFaccessat2 = 439
)

func init() {
	for nr, name := range map[int]string{
		SysFsync: "fsync", SysFdatasync: "fdatasync", SysTruncate: "truncate",
		SysFtruncate: "ftruncate", SysChdir: "chdir", SysFchdir: "fchdir", SysRename: "rename",
		SysMkdir: "mkdir", SysRmdir: "rmdir", SysCreat: "creat", SysLink: "link",
		SysUnlink: "unlink", SysSymlink: "symlink", SysReadlink: "readlink", SysChmod: "chmod",
		SysFchmod: "fchmod", SysUmask: "umask", SysMknod: "mknod", SysChroot: "chroot",
		SysSync: "sync", SysMount: "mount", SysUmount2: "umount2", SysGetdents64: "getdents64",
		SysMkdirat: "mkdirat", SysMknodat: "mknodat", SysUnlinkat: "unlinkat",
		SysRenameat: "renameat", SysLinkat: "linkat", SysSymlinkat: "symlinkat",
		SysReadlinkat: "readlinkat", SysFchmodat: "fchmodat", SysFaccessat: "faccessat",
		SysUtimensat: "utimensat", SysPreadv: "preadv", SysPwritev: "pwritev",
		SysRenameat2: "renameat2", SysStatx: "statx", SysFaccessat2: "faccessat2",
	} {
		names[nr] = name
	}
}
