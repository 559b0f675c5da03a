package abi

import "strconv"

// Errno is a Linux error number, kept positive as in errno.h. A system call
// returns it negated (see Neg); Go code passes it around as an error.
//
// Mirrors include/uapi/asm-generic/errno-base.h and errno.h. Unlike Linux,
// where a kernel function returns -EINVAL as a plain int, Tamix's kernel
// functions return an Errno as their error value.
type Errno int

// The error numbers Tamix uses, with Linux x86-64's values.
const (
	EPERM        Errno = 1   // Operation not permitted
	ENOENT       Errno = 2   // No such file or directory
	ESRCH        Errno = 3   // No such process
	EINTR        Errno = 4   // Interrupted system call
	EIO          Errno = 5   // Input/output error
	ENXIO        Errno = 6   // No such device or address
	E2BIG        Errno = 7   // Argument list too long
	ENOEXEC      Errno = 8   // Exec format error
	EBADF        Errno = 9   // Bad file descriptor
	ECHILD       Errno = 10  // No child processes
	EAGAIN       Errno = 11  // Resource temporarily unavailable
	ENOMEM       Errno = 12  // Cannot allocate memory
	EACCES       Errno = 13  // Permission denied
	EFAULT       Errno = 14  // Bad address
	ENOTBLK      Errno = 15  // Block device required
	EBUSY        Errno = 16  // Device or resource busy
	EEXIST       Errno = 17  // File exists
	EXDEV        Errno = 18  // Invalid cross-device link
	ENODEV       Errno = 19  // No such device
	ENOTDIR      Errno = 20  // Not a directory
	EISDIR       Errno = 21  // Is a directory
	EINVAL       Errno = 22  // Invalid argument
	ENFILE       Errno = 23  // Too many open files in system
	EMFILE       Errno = 24  // Too many open files
	ENOTTY       Errno = 25  // Inappropriate ioctl for device
	ETXTBSY      Errno = 26  // Text file busy
	EFBIG        Errno = 27  // File too large
	ENOSPC       Errno = 28  // No space left on device
	ESPIPE       Errno = 29  // Illegal seek
	EROFS        Errno = 30  // Read-only file system
	EMLINK       Errno = 31  // Too many links
	EPIPE        Errno = 32  // Broken pipe
	EDOM         Errno = 33  // Numerical argument out of domain
	ERANGE       Errno = 34  // Numerical result out of range
	ENAMETOOLONG Errno = 36  // File name too long
	ENOSYS       Errno = 38  // Function not implemented
	ENOTEMPTY    Errno = 39  // Directory not empty
	ELOOP        Errno = 40  // Too many levels of symbolic links
	EOVERFLOW    Errno = 75  // Value too large for defined data type
	EOPNOTSUPP   Errno = 95  // Operation not supported
	ETIMEDOUT    Errno = 110 // Connection timed out

	// The restart codes never reach user space (include/linux/errno.h):
	// a system call interrupted by a signal returns one of them, and the
	// way back to user mode turns it into EINTR or a restart of the call,
	// depending on the code and on the handler's SA_RESTART.
	ERESTARTSYS           Errno = 512 // restart if the handler has SA_RESTART
	ERESTARTNOINTR        Errno = 513 // always restart
	ERESTARTNOHAND        Errno = 514 // restart only if no handler runs
	ERESTART_RESTARTBLOCK Errno = 516 // restart through restart_syscall(2)

	// EWOULDBLOCK is EAGAIN's other name.
	EWOULDBLOCK = EAGAIN
	// ENOTSUP is EOPNOTSUPP's other name on Linux.
	ENOTSUP = EOPNOTSUPP
)

// errnoText holds the messages strerror(3) prints for each number on a
// Linux system (glibc's and musl's wording agree for these). The comments
// in Linux's errno-base.h are terser ("Out of memory", "Try again"); user
// programs print these.
var errnoText = map[Errno]string{
	EPERM:        "operation not permitted",
	ENOENT:       "no such file or directory",
	ESRCH:        "no such process",
	EINTR:        "interrupted system call",
	EIO:          "input/output error",
	ENXIO:        "no such device or address",
	E2BIG:        "argument list too long",
	ENOEXEC:      "exec format error",
	EBADF:        "bad file descriptor",
	ECHILD:       "no child processes",
	EAGAIN:       "resource temporarily unavailable",
	ENOMEM:       "cannot allocate memory",
	EACCES:       "permission denied",
	EFAULT:       "bad address",
	ENOTBLK:      "block device required",
	EBUSY:        "device or resource busy",
	EEXIST:       "file exists",
	EXDEV:        "invalid cross-device link",
	ENODEV:       "no such device",
	ENOTDIR:      "not a directory",
	EISDIR:       "is a directory",
	EINVAL:       "invalid argument",
	ENFILE:       "too many open files in system",
	EMFILE:       "too many open files",
	ENOTTY:       "inappropriate ioctl for device",
	ETXTBSY:      "text file busy",
	EFBIG:        "file too large",
	ENOSPC:       "no space left on device",
	ESPIPE:       "illegal seek",
	EROFS:        "read-only file system",
	EMLINK:       "too many links",
	EPIPE:        "broken pipe",
	EDOM:         "numerical argument out of domain",
	ERANGE:       "numerical result out of range",
	ENAMETOOLONG: "file name too long",
	ENOSYS:       "function not implemented",
	ENOTEMPTY:    "directory not empty",
	ELOOP:        "too many levels of symbolic links",
	EOVERFLOW:    "value too large for defined data type",
	EOPNOTSUPP:   "operation not supported",
	ETIMEDOUT:    "connection timed out",
}

// errnoName holds each number's symbolic name, for kernel log lines.
var errnoName = map[Errno]string{
	EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR",
	EIO: "EIO", ENXIO: "ENXIO", E2BIG: "E2BIG", ENOEXEC: "ENOEXEC",
	EBADF: "EBADF", ECHILD: "ECHILD", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM",
	EACCES: "EACCES", EFAULT: "EFAULT", ENOTBLK: "ENOTBLK", EBUSY: "EBUSY",
	EEXIST: "EEXIST", EXDEV: "EXDEV", ENODEV: "ENODEV", ENOTDIR: "ENOTDIR",
	EISDIR: "EISDIR", EINVAL: "EINVAL", ENFILE: "ENFILE", EMFILE: "EMFILE",
	ENOTTY: "ENOTTY", ETXTBSY: "ETXTBSY", EFBIG: "EFBIG", ENOSPC: "ENOSPC",
	ESPIPE: "ESPIPE", EROFS: "EROFS", EMLINK: "EMLINK", EPIPE: "EPIPE",
	EDOM: "EDOM", ERANGE: "ERANGE", ENAMETOOLONG: "ENAMETOOLONG",
	ENOSYS: "ENOSYS", ENOTEMPTY: "ENOTEMPTY", ELOOP: "ELOOP", EOVERFLOW: "EOVERFLOW",
	EOPNOTSUPP: "EOPNOTSUPP", ETIMEDOUT: "ETIMEDOUT",
	ERESTARTSYS: "ERESTARTSYS", ERESTARTNOINTR: "ERESTARTNOINTR",
	ERESTARTNOHAND: "ERESTARTNOHAND", ERESTART_RESTARTBLOCK: "ERESTART_RESTARTBLOCK",
}

// Error returns the strerror(3) message in Go's lower-case style, or
// "errno N" for a number this package does not define.
func (e Errno) Error() string {
	if s, ok := errnoText[e]; ok {
		return s
	}
	return "errno " + strconv.Itoa(int(e))
}

// Name returns the symbolic name ("ENOMEM"), or "errno N" for a number this
// package does not define.
func (e Errno) Name() string {
	if s, ok := errnoName[e]; ok {
		return s
	}
	return "errno " + strconv.Itoa(int(e))
}

// Neg returns the value a system call puts in rax for this error: -e.
func (e Errno) Neg() int64 { return -int64(e) }

// MaxErrno is the largest value a system call may return negated; Linux's
// IS_ERR_VALUE treats rax in [-4095, -1] as an error (include/linux/err.h).
const MaxErrno = 4095
