package selftest

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"tamix/kernel/ktap"
)

// point is a struct for fmt's %v, %+v, %#v and %T.
type point struct{ X, Y int }

// tag is a fmt.Stringer.
type tag int

func (g tag) String() string { return "tag#" + strconv.Itoa(int(g)) }

// codeError is an error type for errors.As.
type codeError struct{ code int }

func (e *codeError) Error() string { return fmt.Sprintf("code %d", e.code) }

// testMapsAndFmt checks a map of 100k entries, fmt verbs, errors
// wrapping, strconv and sort.
func testMapsAndFmt(t *ktap.T) {
	bigMap(t)
	stringMap(t)
	fmtVerbs(t)
	wrappedErrors(t)
	conversions(t)
	sorting(t)
}

// bigMap inserts, deletes and iterates over a map of 100000 ints.
func bigMap(t *ktap.T) {
	const n = 100000
	m := make(map[int]int) // no size hint: the map grows many times
	for i := range n {
		m[i] = i * i
	}
	if len(m) != n {
		t.Fatalf("map: len %d after %d inserts", len(m), n)
	}
	for i := 0; i < n; i += 2 {
		delete(m, i)
	}
	if len(m) != n/2 {
		t.Fatalf("map: len %d after deleting the even keys, want %d", len(m), n/2)
	}
	sum, count := 0, 0
	for k, v := range m {
		if k%2 == 0 || v != k*k {
			t.Fatalf("map: iteration yielded %d: %d", k, v)
		}
		sum += k
		count++
	}
	if count != n/2 || sum != (n/2)*(n/2) {
		t.Errorf("map: iterated %d keys summing to %d, want %d and %d", count, sum, n/2, (n/2)*(n/2))
	}
	if v, ok := m[99999]; !ok || v != 99999*99999 {
		t.Errorf("map: m[99999] = %d, %v", v, ok)
	}
	if _, ok := m[4]; ok {
		t.Errorf("map: deleted key 4 still present")
	}
	clear(m)
	if len(m) != 0 {
		t.Errorf("map: len %d after clear", len(m))
	}
}

// stringMap uses string keys built at run time.
func stringMap(t *ktap.T) {
	m := make(map[string]int)
	for i := range 1000 {
		m["key-"+strconv.Itoa(i)] = i
	}
	if m["key-999"] != 999 || m["key-0"] != 0 || len(m) != 1000 {
		t.Errorf("string map: key-999=%d key-0=%d len=%d", m["key-999"], m["key-0"], len(m))
	}
	if _, ok := m["key-1000"]; ok {
		t.Errorf("string map: key-1000 present")
	}
}

// fmtVerbs compares fmt.Sprintf output with exact strings. Floating-point
// operands are computed at run time so that the FPU, not the compiler,
// does the arithmetic.
func fmtVerbs(t *ktap.T) {
	a, b := 0.1, 0.2
	var f32 float32 = 0.1
	tests := []struct{ got, want string }{
		{fmt.Sprintf("%d|%5d|%-5d|%05d", 42, 42, 42, -42), "42|   42|42   |-0042"},
		{fmt.Sprintf("%x %X %o %b %#x %08b", 255, 255, 8, 5, 3054, 5), "ff FF 10 101 0xbee 00000101"},
		{fmt.Sprintf("%x % x", -255, []byte{1, 0xab}), "-ff 01 ab"},
		{fmt.Sprintf("%q %v %s", "tamix", "go", []byte("hi")), `"tamix" go hi`},
		{fmt.Sprintf("%c %U", 'G', 0x1F600), "G U+1F600"},
		{fmt.Sprintf("%t %v", true, nil), "true <nil>"},
		{fmt.Sprintf("%.2f %e %g %8.3f", 3.14159, 1234.5678, 1e21, -2.5), "3.14 1.234568e+03 1e+21   -2.500"},
		{fmt.Sprintf("%v %v", a+b, f32), "0.30000000000000004 0.1"},
		{fmt.Sprintf("%6.2f%%", a*995), " 99.50%"},
		{fmt.Sprintf("%v %+v", point{1, 2}, point{1, 2}), "{1 2} {X:1 Y:2}"},
		{fmt.Sprintf("%#v", point{1, -2}), "selftest.point{X:1, Y:-2}"},
		{fmt.Sprintf("%T %T %T", point{}, a, []string(nil)), "selftest.point float64 []string"},
		{fmt.Sprintf("%v", map[string]int{"b": 2, "a": 1, "c": 3}), "map[a:1 b:2 c:3]"},
		{fmt.Sprintf("%v %d", []int{1, 2, 3}, [2]int8{-1, 127}), "[1 2 3] [-1 127]"},
		{fmt.Sprintf("%v %s", tag(7), &codeError{5}), "tag#7 code 5"},
		{fmt.Sprintf("%v %v", int64(-1<<63), uint64(1<<64-1)), "-9223372036854775808 18446744073709551615"},
		{fmt.Sprintf("%*d|%-*d|", 4, 7, 3, 1), "   7|1  |"},
		{fmt.Sprint("a", 1, 2, "b"), "a1 2b"},
		{fmt.Sprintln("x", 3), "x 3\n"},
	}
	for i, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("fmt %d: got %q, want %q", i, tc.got, tc.want)
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s-%d", strings.Repeat("ab", 3), 9)
	if sb.String() != "ababab-9" {
		t.Errorf("Fprintf to strings.Builder: %q", sb.String())
	}
}

// wrappedErrors checks fmt.Errorf's %w with errors.Is, errors.As and
// errors.Unwrap.
func wrappedErrors(t *ktap.T) {
	base := &codeError{42}
	err := fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", base))
	if err.Error() != "outer: inner: code 42" {
		t.Errorf("wrapped error text %q", err.Error())
	}
	var ce *codeError
	if !errors.As(err, &ce) || ce.code != 42 {
		t.Errorf("errors.As did not find *codeError in %v", err)
	}
	if !errors.Is(err, base) || errors.Is(err, errors.New("code 42")) {
		t.Errorf("errors.Is gives wrong answers for %v", err)
	}
	if errors.Unwrap(errors.Unwrap(err)) != base {
		t.Errorf("errors.Unwrap twice did not give the base error")
	}
	if j := errors.Join(errors.New("a"), errors.New("b")); j.Error() != "a\nb" {
		t.Errorf("errors.Join text %q", j.Error())
	}
}

// conversions checks strconv in both directions.
func conversions(t *ktap.T) {
	if s := strconv.Itoa(-123); s != "-123" {
		t.Errorf("Itoa(-123) = %q", s)
	}
	if n, err := strconv.Atoi("4096"); n != 4096 || err != nil {
		t.Errorf("Atoi(4096) = %d, %v", n, err)
	}
	var ne *strconv.NumError
	if _, err := strconv.Atoi("12x"); !errors.As(err, &ne) || ne.Func != "Atoi" || !errors.Is(err, strconv.ErrSyntax) {
		t.Errorf("Atoi(12x) error %v", err)
	}
	if _, err := strconv.ParseInt("9223372036854775808", 10, 64); !errors.Is(err, strconv.ErrRange) {
		t.Errorf("ParseInt overflow error %v", err)
	}
	if n, err := strconv.ParseInt("-ff", 16, 64); n != -255 || err != nil {
		t.Errorf("ParseInt(-ff, 16) = %d, %v", n, err)
	}
	if s := strconv.FormatInt(1<<40, 36); s != "e13wu1og" {
		t.Errorf("FormatInt(1<<40, 36) = %q", s)
	}
	if s := strconv.FormatUint(1<<64-1, 2); s != strings.Repeat("1", 64) {
		t.Errorf("FormatUint(max, 2) = %q", s)
	}
	f, err := strconv.ParseFloat("6.02214076e23", 64)
	if s := strconv.FormatFloat(f, 'g', -1, 64); err != nil || s != "6.02214076e+23" {
		t.Errorf("ParseFloat/FormatFloat round trip = %q, %v", s, err)
	}
	if q := strconv.Quote("tab\there ☺\x00"); q != `"tab\there ☺\x00"` {
		t.Errorf("Quote = %s", q)
	}
	if b, err := strconv.ParseBool("true"); !b || err != nil {
		t.Errorf("ParseBool(true) = %v, %v", b, err)
	}
}

// sorting sorts ints and strings and searches the result.
func sorting(t *ktap.T) {
	ints := make([]int, 1000)
	for i := range ints {
		ints[i] = (i * 7919) % 1000 // a permutation: 7919 is prime
	}
	sort.Ints(ints)
	for i, v := range ints {
		if v != i {
			t.Fatalf("sort.Ints: ints[%d] = %d", i, v)
		}
	}
	if i := sort.SearchInts(ints, 321); i != 321 {
		t.Errorf("sort.SearchInts(321) = %d", i)
	}
	words := strings.Fields("pid tgid mm files fs sighand")
	sort.Strings(words)
	if got := strings.Join(words, ","); got != "files,fs,mm,pid,sighand,tgid" {
		t.Errorf("sort.Strings: %s", got)
	}
}
