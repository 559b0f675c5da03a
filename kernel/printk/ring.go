package printk

import "encoding/binary"

// Ring layout constants; see the package documentation.
const (
	// LogBufSize is the size of the ring in bytes (Linux's __LOG_BUF_LEN,
	// 1 << CONFIG_LOG_BUF_SHIFT).
	LogBufSize = 64 << 10
	// RecordHeaderSize is the size of a record's header.
	RecordHeaderSize = 24
	// MaxLineLen is the longest text a record keeps; longer lines are
	// cut (Linux's LOG_LINE_MAX, 1024 less a 32-byte prefix).
	MaxLineLen = 1024 - 32
	// wrapMarker in a header's textLen means "continue at offset 0".
	wrapMarker = 0xffffffff
)

// Header field offsets within a record.
const (
	offSeq     = 0
	offTs      = 8
	offLevel   = 16
	offTextLen = 20
)

// recordSize returns the bytes a record with n bytes of text occupies:
// the header and the text padded to a multiple of 8.
func recordSize(n int) uint64 {
	return RecordHeaderSize + (uint64(n)+7)&^7
}

// resolve returns the offset of the record that a walk reaching off finds:
// off itself, or 0 if fewer than RecordHeaderSize bytes are left before
// the end of the ring or off holds a wrap marker. Caller holds l.mu.
func (l *Log) resolve(off uint64) uint64 {
	if off+RecordHeaderSize > LogBufSize ||
		binary.LittleEndian.Uint32(l.buf[off+offTextLen:]) == wrapMarker {
		return 0
	}
	return off
}

// textLenAt returns the text length of the record at off.
func (l *Log) textLenAt(off uint64) int {
	return int(binary.LittleEndian.Uint32(l.buf[off+offTextLen:]))
}

// placeLocked finds where a record of size bytes can go without touching
// live records: at head, or at 0 when the ring wraps (wrap reports that).
// ok is false if the oldest records must go first. Caller holds l.mu.
func (l *Log) placeLocked(size uint64) (off uint64, wrap, ok bool) {
	if l.firstSeq == l.nextSeq { // empty: start over at 0
		l.head, l.tail = 0, 0
		return 0, false, true
	}
	if l.head > l.tail { // live: [tail, head); free: [head, end) and [0, tail)
		if l.head+size <= LogBufSize {
			return l.head, false, true
		}
		return 0, true, size <= l.tail
	}
	// live: [tail, end) and [0, head); free: [head, tail)
	return l.head, false, l.head+size <= l.tail
}

// dropOldestLocked forgets the oldest record to make room.
// Caller holds l.mu and the log is not empty.
func (l *Log) dropOldestLocked() {
	size := recordSize(l.textLenAt(l.tail))
	l.firstSeq++
	l.dropped++
	l.tail = l.resolve(l.tail + size) // if now empty, placeLocked resets both
}

// storeLocked appends a record, dropping the oldest ones while there is
// no room, and returns its sequence number. text is cut to MaxLineLen.
// Caller holds l.mu.
// Mirrors kernel/printk/printk.c:log_store() of Linux before 5.10, with
// its log_make_free_space() and wrap header; Linux 5.10 replaced that
// with the lockless printk_ringbuffer.
func (l *Log) storeLocked(level int, ts int64, text []byte) uint64 {
	text = text[:min(len(text), MaxLineLen)]
	size := recordSize(len(text))
	off, wrap, ok := l.placeLocked(size)
	for !ok {
		l.dropOldestLocked()
		off, wrap, ok = l.placeLocked(size)
	}
	if wrap && l.head+RecordHeaderSize <= LogBufSize {
		l.putHeader(l.head, 0, 0, 0xff, wrapMarker)
	}
	seq := l.nextSeq
	l.putHeader(off, seq, ts, uint8(level), uint32(len(text)))
	n := copy(l.buf[off+RecordHeaderSize:], text)
	clear(l.buf[off+RecordHeaderSize+uint64(n) : off+size]) // padding
	l.head = off + size
	l.nextSeq++
	return seq
}

// putHeader writes a record header at off.
func (l *Log) putHeader(off, seq uint64, ts int64, level uint8, textLen uint32) {
	h := l.buf[off : off+RecordHeaderSize]
	binary.LittleEndian.PutUint64(h[offSeq:], seq)
	binary.LittleEndian.PutUint64(h[offTs:], uint64(ts))
	h[offLevel] = level
	clear(h[offLevel+1 : offTextLen])
	binary.LittleEndian.PutUint32(h[offTextLen:], textLen)
}

// recordsLocked returns copies of the records with sequence number from
// or later, oldest first. Caller holds l.mu.
func (l *Log) recordsLocked(from uint64) []Record {
	if from < l.firstSeq {
		from = l.firstSeq
	}
	var out []Record
	off := l.tail
	for seq := l.firstSeq; seq < l.nextSeq; seq++ {
		off = l.resolve(off)
		n := l.textLenAt(off)
		if seq >= from {
			h := l.buf[off:]
			out = append(out, Record{
				Seq:     binary.LittleEndian.Uint64(h[offSeq:]),
				TsNanos: int64(binary.LittleEndian.Uint64(h[offTs:])),
				Level:   int(h[offLevel]),
				Text:    string(h[RecordHeaderSize : RecordHeaderSize+n]),
			})
		}
		off += recordSize(n)
	}
	return out
}
