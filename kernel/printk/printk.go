// Package printk is the kernel log: printk, the fixed-size ring that keeps
// the newest messages, dmesg-style formatting and the console echo.
//
// It mirrors kernel/printk/printk.c. Linux's ring (printk_ringbuffer.c
// since 5.10) is lockless and splits descriptors from text; Tamix keeps
// the simpler layout Linux had before 5.10, one byte array of records
// under a mutex, so that a debugger can walk it with nothing but the
// symbol table.
//
// # Layout of the ring
//
// The kernel's log is the variable tamix/kernel/printk.Kernel, a Log.
// Its field buf is a [LogBufSize]byte array (64 KiB) that holds records
// back to back. Every record starts at an offset that is a multiple of 8
// and is little-endian:
//
//	offset  size     field
//	0       8        seq      uint64  sequence number, 0 for the first record
//	8       8        tsNanos  int64   time stamp, ns since boot
//	16      1        level    uint8   0 (KERN_EMERG) .. 7 (KERN_DEBUG)
//	17      3        _        zero
//	20      4        textLen  uint32  length of the text, at most MaxLineLen
//	24      textLen  text     the line, without its newline
//
// followed by zero padding to the next multiple of 8, so a record takes
// 24 + (textLen+7)&^7 bytes. The facility is always 0 (LOG_KERN) and not
// stored.
//
// The Log's fields tail, head, firstSeq, nextSeq and dropped are uint64.
// The oldest record is at offset tail and has sequence number firstSeq;
// nextSeq-firstSeq records follow in order (none when they are equal);
// head is where the next record will be written; dropped counts records
// overwritten to make room. To read, start at tail and repeat
// nextSeq-firstSeq times: if fewer than 24 bytes are left before the end
// of buf, or the header there has textLen 0xffffffff (a wrap marker), go
// to offset 0; read the record; advance by its size. A debugger reads the
// ring while the CPU is stopped; the kernel itself takes Log's mutex.
package printk

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// Log levels (include/linux/kern_levels.h: LOGLEVEL_EMERG ..
// LOGLEVEL_DEBUG, LOGLEVEL_DEFAULT).
const (
	LevelEmerg   = 0 // system is unusable
	LevelAlert   = 1 // action must be taken immediately
	LevelCrit    = 2 // critical conditions
	LevelErr     = 3 // error conditions
	LevelWarning = 4 // warning conditions
	LevelNotice  = 5 // normal but significant condition
	LevelInfo    = 6 // informational
	LevelDebug   = 7 // debug-level messages
	// LevelDefault asks for the level of a "<N>" prefix in the text, or
	// DefaultMessageLoglevel without one.
	LevelDefault = -1
)

// Level prefixes for text written to a Log, in the "<N>" form printk
// has always parsed: fmt.Fprintf(&printk.Kernel, printk.KernErr+"...").
// Linux's KERN_* macros are "\001N" today; the old form remains what
// /dev/kmsg accepts.
const (
	KernEmerg   = "<0>"
	KernAlert   = "<1>"
	KernCrit    = "<2>"
	KernErr     = "<3>"
	KernWarning = "<4>"
	KernNotice  = "<5>"
	KernInfo    = "<6>"
	KernDebug   = "<7>"
)

const (
	// DefaultMessageLoglevel is the level of a line that names none.
	// Linux's default is 4 (KERN_WARNING); Tamix uses 6 (KERN_INFO)
	// because most such lines are boot chatter written through Write.
	DefaultMessageLoglevel = LevelInfo
	// DefaultConsoleLoglevel lets every level but KERN_DEBUG through to
	// the console (CONSOLE_LOGLEVEL_DEFAULT).
	DefaultConsoleLoglevel = 7
)

// Record is one message of the log.
type Record struct {
	Seq      uint64 // sequence number, counting every record ever stored
	TsNanos  int64  // when it was logged, ns since boot
	Level    int    // LevelEmerg .. LevelDebug
	Facility int    // always 0 (LOG_KERN)
	Text     string // the line, without a newline
}

// Log is a kernel log buffer: a fixed-size ring of records that keeps the
// newest, with an optional console that sees each line as it is logged.
// A Log must not be copied after first use. The zero Log works but echoes
// only KERN_EMERG to a console; Kernel starts with DefaultConsoleLoglevel.
//
// Mirrors the log buffer of kernel/printk/printk.c (log_buf, log_first_seq,
// log_next_seq, ...); the layout of buf and the index is in the package
// documentation.
type Log struct {
	mu sync.Mutex // protects every field (Linux's logbuf_lock)

	buf      [LogBufSize]byte
	head     uint64 // offset where the next record goes (log_next_idx)
	tail     uint64 // offset of the oldest record (log_first_idx)
	firstSeq uint64 // sequence number of the oldest record (log_first_seq)
	nextSeq  uint64 // sequence number of the next record (log_next_seq)
	dropped  uint64 // records overwritten to make room

	// Clock returns the time since boot in ns; nil stamps records 0.
	Clock func() int64
	// Console, if set, receives each line whose level is below
	// ConsoleLoglevel, formatted like dmesg, as soon as it is complete.
	// It must not log to this Log.
	Console io.Writer
	// ConsoleLoglevel is console_loglevel: lines with a lower level are
	// echoed. Set Clock, Console and ConsoleLoglevel before the Log is
	// shared, or later through SetConsole.
	ConsoleLoglevel int

	// A line Write has started but not ended (Linux's cont buffer).
	cont       [MaxLineLen]byte
	contLen    int
	contLevel  int
	contTs     int64
	contActive bool

	line [32 + MaxLineLen + 1]byte // console output scratch
}

// Kernel is the kernel's log, the one gdb's tamix-dmesg reads.
var Kernel Log

func init() { Kernel.ConsoleLoglevel = DefaultConsoleLoglevel }

// Printk logs a message on the kernel log (see Log.Printk).
func Printk(level int, format string, args ...any) {
	Kernel.Printk(level, format, args...)
}

// SetConsole sets the console and its log level under the log's lock.
func (l *Log) SetConsole(w io.Writer, loglevel int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Console, l.ConsoleLoglevel = w, loglevel
}

// Printk formats a message and logs it at level, one record per line; a
// final newline is optional. With LevelDefault, a "<N>" prefix in the
// text chooses the level, or else DefaultMessageLoglevel; with an explicit
// level, a prefix is removed and ignored. A line Write left unfinished is
// ended first.
// Mirrors kernel/printk/printk.c:vprintk_emit(); Linux keeps a multi-line
// message in one record and continues a line only with KERN_CONT.
func (l *Log) Printk(level int, format string, args ...any) {
	text := fmt.Appendf(nil, format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
	if n := len(text); n > 0 && text[n-1] == '\n' {
		text = text[:n-1]
	}
	prefixLevel, skip := parseLevel(text)
	text = text[skip:]
	switch {
	case level >= 0:
		level = min(level, LevelDebug)
	case prefixLevel >= 0:
		level = prefixLevel
	default:
		level = DefaultMessageLoglevel
	}
	ts := l.now()
	for {
		line := text
		i := bytes.IndexByte(text, '\n')
		if i >= 0 {
			line, text = text[:i], text[i+1:]
		}
		l.emitLocked(level, ts, line)
		if i < 0 {
			return
		}
	}
}

// Write logs p as lines, so that a Log can sit behind fmt.Fprintf or a
// log.Logger: each newline ends a record, and text after the last one is
// kept until a later Write, Printk or Flush ends the line. A line that
// starts with "<N>" gets level N, others DefaultMessageLoglevel; its time
// stamp is when its first byte arrived. Lines longer than MaxLineLen are
// cut. It never fails.
// Mirrors the continuation buffer (LOG_CONT) of kernel/printk/printk.c.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for rest := p; len(rest) > 0; {
		if !l.contActive {
			lv, skip := parseLevel(rest)
			if lv < 0 {
				lv = DefaultMessageLoglevel
			}
			rest = rest[skip:]
			l.contActive, l.contLevel, l.contTs, l.contLen = true, lv, l.now(), 0
		}
		chunk := rest
		i := bytes.IndexByte(rest, '\n')
		if i >= 0 {
			chunk = rest[:i]
		}
		l.contLen += copy(l.cont[l.contLen:], chunk)
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		l.flushLocked()
	}
	return len(p), nil
}

// Flush ends a line that Write has started, as if a newline followed.
func (l *Log) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
}

// flushLocked stores the pending Write line, if any. Caller holds l.mu.
func (l *Log) flushLocked() {
	if l.contActive {
		l.contActive = false
		l.emitLocked(l.contLevel, l.contTs, l.cont[:l.contLen])
	}
}

// emitLocked stores a record and echoes it to the console.
// Caller holds l.mu.
func (l *Log) emitLocked(level int, ts int64, text []byte) {
	seq := l.storeLocked(level, ts, text)
	if l.Console == nil || level >= l.ConsoleLoglevel {
		return
	}
	text = text[:min(len(text), MaxLineLen)]
	out := appendRecord(l.line[:0], Record{Seq: seq, TsNanos: ts, Level: level}, text)
	l.Console.Write(append(out, '\n'))
}

// now reads the clock. Caller holds l.mu.
func (l *Log) now() int64 {
	if l.Clock == nil {
		return 0
	}
	return l.Clock()
}

// Records returns copies of the records with sequence number from or
// later, oldest first. Records older than the oldest kept are gone: the
// first returned then has a Seq above from.
func (l *Log) Records(from uint64) []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.recordsLocked(from)
}

// Dropped returns how many records were overwritten to make room.
func (l *Log) Dropped() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}

// Dmesg writes every record in the log to w, one formatted line each.
// Mirrors what dmesg(1) prints from syslog(SYSLOG_ACTION_READ_ALL).
func (l *Log) Dmesg(w io.Writer) error {
	var out []byte
	for _, r := range l.Records(0) {
		out = append(appendRecord(out, r, []byte(r.Text)), '\n')
	}
	_, err := w.Write(out)
	return err
}

// Format returns r as dmesg prints it: "[    1.234567] text", the time
// stamp in seconds with microseconds.
// Mirrors kernel/printk/printk.c:print_time().
func Format(r Record) string {
	return string(appendRecord(nil, r, []byte(r.Text)))
}

// appendRecord appends r's time stamp and text to dst.
func appendRecord(dst []byte, r Record, text []byte) []byte {
	ts := max(r.TsNanos, 0)
	dst = append(dst, '[')
	dst = appendPadded(dst, uint64(ts/1e9), 5, ' ')
	dst = append(dst, '.')
	dst = appendPadded(dst, uint64(ts%1e9/1e3), 6, '0')
	dst = append(dst, "] "...)
	return append(dst, text...)
}

// appendPadded appends v in decimal, padded on the left to width.
func appendPadded(dst []byte, v uint64, width int, pad byte) []byte {
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], v, 10)
	for i := len(d); i < width; i++ {
		dst = append(dst, pad)
	}
	return append(dst, d...)
}

// parseLevel recognises a "<N>" prefix with N in 0..7 and returns N and
// the prefix length, or -1 and 0.
// Mirrors kernel/printk/printk.c:printk_get_level() for the old form.
func parseLevel(b []byte) (level, n int) {
	if len(b) >= 3 && b[0] == '<' && b[1] >= '0' && b[1] <= '7' && b[2] == '>' {
		return int(b[1] - '0'), 3
	}
	return -1, 0
}

// Store records text at level without echoing it to the console, for
// lines the caller has already written there itself (the boot banner,
// which the console shows without a time stamp). Each line of text is
// one record.
func (l *Log) Store(level int, text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
	ts := l.now()
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		l.storeLocked(min(max(level, 0), LevelDebug), ts, []byte(line))
	}
}
