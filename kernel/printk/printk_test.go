package printk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
)

// fakeClock returns a clock that advances by step on every read.
func fakeClock(step int64) func() int64 {
	var t int64
	return func() int64 { t += step; return t }
}

// parseRing reads l.buf the way the package documentation tells a
// debugger to, without using the package's own reader.
func parseRing(t *testing.T, l *Log) []Record {
	t.Helper()
	le := binary.LittleEndian
	var out []Record
	off := l.tail
	for i := l.firstSeq; i < l.nextSeq; i++ {
		if LogBufSize-off < 24 || le.Uint32(l.buf[off+20:]) == 0xffffffff {
			off = 0
		}
		h := l.buf[off:]
		n := le.Uint32(h[20:])
		if off%8 != 0 || h[17] != 0 || h[18] != 0 || h[19] != 0 {
			t.Fatalf("bad record at %d", off)
		}
		out = append(out, Record{Seq: le.Uint64(h), TsNanos: int64(le.Uint64(h[8:])),
			Level: int(h[16]), Text: string(h[24 : 24+n])})
		off += 24 + (uint64(n)+7)&^7
	}
	if len(out) > 0 && off != l.head {
		t.Fatalf("walk ended at %d, head is %d", off, l.head)
	}
	return out
}

func TestPrintkRecords(t *testing.T) {
	var l Log
	l.Clock = fakeClock(1000)
	l.Printk(LevelErr, "disk %d failed", 3)
	l.Printk(LevelDefault, "<4>low memory\n")
	l.Printk(LevelDefault, "plain")
	l.Printk(LevelNotice, "<1>explicit wins")
	l.Printk(42, "<8>not a prefix")
	l.Printk(LevelInfo, "two\nlines\n")
	want := []Record{
		{0, 1000, 3, 0, "disk 3 failed"},
		{1, 2000, 4, 0, "low memory"},
		{2, 3000, 6, 0, "plain"},
		{3, 4000, 5, 0, "explicit wins"},
		{4, 5000, 7, 0, "<8>not a prefix"},
		{5, 6000, 6, 0, "two"},
		{6, 6000, 6, 0, "lines"},
	}
	got := l.Records(0)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records\n got %v\nwant %v", got, want)
	}
	if fmt.Sprint(parseRing(t, &l)) != fmt.Sprint(want) {
		t.Fatal("raw ring differs")
	}
	if r := l.Records(5); len(r) != 2 || r[0].Seq != 5 {
		t.Errorf("Records(5) = %v", r)
	}
	if r := l.Records(100); len(r) != 0 {
		t.Errorf("Records(100) = %v", r)
	}
}

func TestWriteLines(t *testing.T) {
	var l Log
	l.Clock = fakeClock(1)
	fmt.Fprintf(&l, KernWarning+"warn %d\n", 1)
	l.Write([]byte("abc"))
	l.Write([]byte("def\n<3>err\npartial"))
	if n := len(l.Records(0)); n != 3 {
		t.Fatalf("%d records before flush", n)
	}
	l.Printk(LevelInfo, "next") // ends the partial line first
	l.Write([]byte("tail"))
	l.Flush()
	l.Flush() // nothing pending
	l.Write(nil)
	l.Write([]byte("\n")) // an empty line
	var texts []string
	for _, r := range l.Records(0) {
		texts = append(texts, fmt.Sprintf("%d:%d:%s", r.TsNanos, r.Level, r.Text))
	}
	want := "1:4:warn 1|2:6:abcdef|3:3:err|4:6:partial|5:6:next|6:6:tail|7:6:"
	if got := strings.Join(texts, "|"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestLongLinesCut(t *testing.T) {
	var l Log
	long := strings.Repeat("x", 3000)
	l.Printk(LevelInfo, "%s", long)
	l.Write([]byte(long))
	l.Write([]byte(long + "\n"))
	for _, r := range l.Records(0) {
		if len(r.Text) != MaxLineLen {
			t.Errorf("record %d has %d bytes", r.Seq, len(r.Text))
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		ts   int64
		want string
	}{
		{0, "[    0.000000] hi"},
		{1_234_567_890, "[    1.234567] hi"},
		{100_000_000_001_000, "[100000.000001] hi"},
		{-5, "[    0.000000] hi"},
	} {
		if got := Format(Record{TsNanos: c.ts, Text: "hi"}); got != c.want {
			t.Errorf("Format(%d) = %q, want %q", c.ts, got, c.want)
		}
	}
}

func TestDmesg(t *testing.T) {
	var l Log
	l.Clock = fakeClock(1_500_000)
	l.Printk(LevelInfo, "one")
	l.Printk(LevelDebug, "two")
	var b bytes.Buffer
	if err := l.Dmesg(&b); err != nil {
		t.Fatal(err)
	}
	if want := "[    0.001500] one\n[    0.003000] two\n"; b.String() != want {
		t.Errorf("dmesg %q", b.String())
	}
	if err := l.Dmesg(failWriter{}); err == nil {
		t.Error("write error lost")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("full") }

func TestConsoleEcho(t *testing.T) {
	var l Log
	var con bytes.Buffer
	l.Clock = fakeClock(1_000_000_000)
	l.SetConsole(&con, LevelWarning) // only emerg .. err
	l.Printk(LevelErr, "shown")
	l.Printk(LevelWarning, "hidden")
	l.Write([]byte(KernEmerg + "also"))
	if con.String() != "[    1.000000] shown\n" {
		t.Fatalf("console before newline: %q", con.String())
	}
	l.Write([]byte(" shown\n"))
	if want := "[    1.000000] shown\n[    3.000000] also shown\n"; con.String() != want {
		t.Errorf("console %q", con.String())
	}
	if len(l.Records(0)) != 3 {
		t.Error("hidden line not logged")
	}
}

func TestKernelLog(t *testing.T) {
	if Kernel.ConsoleLoglevel != DefaultConsoleLoglevel {
		t.Fatalf("Kernel console loglevel %d", Kernel.ConsoleLoglevel)
	}
	var con bytes.Buffer
	Kernel.SetConsole(&con, DefaultConsoleLoglevel)
	defer Kernel.SetConsole(nil, DefaultConsoleLoglevel)
	start := Kernel.nextSeq
	Printk(LevelDebug, "debug")
	Printk(LevelInfo, "info")
	if con.String() != "[    0.000000] info\n" {
		t.Errorf("console %q", con.String())
	}
	if r := Kernel.Records(start); len(r) != 2 || r[0].Text != "debug" {
		t.Errorf("records %v", r)
	}
}

func TestWrapKeepsNewest(t *testing.T) {
	var l Log
	rng := rand.New(rand.NewSource(1))
	var all []string
	for i := 0; i < 5000; i++ {
		n := rng.Intn(200)
		if i%300 == 0 {
			n = MaxLineLen - 7 // now and then a record as large as they come
		}
		text := fmt.Sprintf("%06d ", i) + strings.Repeat("abcdefgh", 125)[:n]
		l.Printk(i%8, "%s", text)
		all = append(all, text)
		if i%61 == 0 || i > 4950 {
			checkSuffix(t, &l, all)
		}
	}
	if l.Dropped() == 0 || l.Dropped() != l.firstSeq {
		t.Errorf("dropped %d, first seq %d", l.Dropped(), l.firstSeq)
	}
	t.Logf("kept %d of %d records", l.nextSeq-l.firstSeq, len(all))
}

// checkSuffix verifies that the log holds the newest records, as many as
// fit, intact and in order, by the package's reader and the raw walk.
func checkSuffix(t *testing.T, l *Log, all []string) {
	t.Helper()
	got := l.Records(0)
	raw := parseRing(t, l)
	if len(raw) != len(got) {
		t.Fatal("raw walk differs from Records")
	}
	for i := range raw {
		if raw[i] != got[i] {
			t.Fatalf("raw walk differs from Records at %d", i)
		}
	}
	if len(got) == 0 || got[len(got)-1].Seq != uint64(len(all)-1) {
		t.Fatal("newest record missing")
	}
	var used uint64
	for _, r := range got {
		if r.Text != all[r.Seq] || r.Level != int(r.Seq%8) {
			t.Fatalf("record %d corrupt: %q", r.Seq, r.Text)
		}
		used += recordSize(len(r.Text))
	}
	// Once full, room is only lost at the end of the ring and before the
	// oldest record: at most two records' worth.
	if l.dropped > 0 && used+2*recordSize(MaxLineLen) < LogBufSize {
		t.Fatalf("only %d bytes of %d used", used, LogBufSize)
	}
	if used > LogBufSize {
		t.Fatalf("%d bytes used", used)
	}
}

func TestWrapExactEnd(t *testing.T) {
	// Records of 24+40 = 64 bytes fill the ring exactly: head reaches the
	// end with no room for a wrap marker.
	var l Log
	for i := 0; i < LogBufSize/64+5; i++ {
		l.Printk(LevelInfo, "%039d", i)
		if l.head > LogBufSize || l.tail >= LogBufSize {
			t.Fatalf("head %d tail %d", l.head, l.tail)
		}
	}
	got := l.Records(0)
	if len(got) != LogBufSize/64 || got[len(got)-1].Text != fmt.Sprintf("%039d", LogBufSize/64+4) {
		t.Fatalf("%d records, last %q", len(got), got[len(got)-1].Text)
	}
	parseRing(t, &l)
	// Leave 16 bytes at the end, less than a header: no wrap marker fits
	// and the reader must skip them.
	var m Log
	for i := 0; i < 64; i++ {
		m.Printk(LevelInfo, "%s", strings.Repeat("y", MaxLineLen)) // 1016 bytes
	}
	m.Printk(LevelInfo, "%s", strings.Repeat("w", 472)) // 496 bytes
	if m.head != LogBufSize-16 {
		t.Fatalf("head %d", m.head)
	}
	m.Printk(LevelInfo, "z")
	r := m.Records(0)
	if len(r) != 65 || r[0].Seq != 1 || r[64].Text != "z" || m.head != 32 || m.tail != 1016 {
		t.Fatalf("%d records, head %d tail %d", len(r), m.head, m.tail)
	}
	parseRing(t, &m)
}

func TestConcurrentPrintk(t *testing.T) {
	var l Log
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				l.Printk(LevelInfo, "g%d i%d", g, i)
			}
		}()
	}
	wg.Wait()
	got := l.Records(0)
	for i, r := range got {
		if i > 0 && r.Seq != got[i-1].Seq+1 {
			t.Fatal("sequence gap")
		}
	}
	if l.nextSeq != 4000 {
		t.Errorf("%d records", l.nextSeq)
	}
}

func TestStoreDoesNotEcho(t *testing.T) {
	var l Log
	var console strings.Builder
	l.SetConsole(&console, DefaultConsoleLoglevel)
	l.Store(LevelInfo, "banner line 1\nbanner line 2\n")
	if console.Len() != 0 {
		t.Errorf("Store echoed %q", console.String())
	}
	rs := l.Records(0)
	if len(rs) != 2 || rs[0].Text != "banner line 1" || rs[1].Text != "banner line 2" || rs[1].Level != LevelInfo {
		t.Errorf("records %+v", rs)
	}
}
