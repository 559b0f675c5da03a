package pvh

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// dump renders a Cmdline deterministically.
func dump(c Cmdline) string {
	var parts []string
	for k, v := range c {
		parts = append(parts, fmt.Sprintf("%s=%q", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestParseCmdline(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"   \t\n ", ""},
		{"console=ttyS0", `console="ttyS0"`},
		{"  quiet   console=ttyS0,115200\tktap=runtime  ", `console="ttyS0,115200" ktap="runtime" quiet=""`},
		{`init="/bin/sh -l" rw`, `init="/bin/sh -l" rw=""`},
		{`"init=/bin/sh -l" rw`, `init="/bin/sh -l" rw=""`},
		{`"quoted word" x`, `quoted word="" x=""`},
		{`k=a"b c"d`, `k="a\"b c\"d"`},
		{`k="unterminated value`, `k="unterminated value"`},
		{`k=`, `k=""`},
		{`k=v=w`, `k="v=w"`},
		{`=orphan ok`, `ok=""`},
		{`""`, ``},
		{`a=1 a=2`, `a="2"`},
		{`init-delay=5 log_level=7`, `init_delay="5" log_level="7"`},
		{`root=/dev/vda -- single x=y`, `root="/dev/vda"`},
		{`a --x b`, `__x="" a="" b=""`},
		{`a -- `, `a=""`},
		{`k="--" z`, `k="--" z=""`},
	} {
		if got := dump(ParseCmdline(tc.in)); got != tc.want {
			t.Errorf("ParseCmdline(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestInitArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"root=/dev/vda quiet", nil},
		{"quiet --", []string{}},
		{`quiet -- single "x=a b" y --`, []string{"single", "x=a b", "y", "--"}},
	} {
		got := InitArgs(tc.in)
		if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", tc.want) {
			t.Errorf("InitArgs(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

func TestCmdlineHelpers(t *testing.T) {
	c := ParseCmdline(`quiet ktap=all mem=512M size=0x1000 big=16E ko=1x on=on off=Off ` +
		`y=yes n=No one=1 zero=0 what=maybe t=2T k=4k g=1g init-delay=3`)
	if v, ok := c.Get("ktap"); !ok || v != "all" {
		t.Errorf("Get(ktap) = %q, %v", v, ok)
	}
	if v, ok := c.Get("missing"); ok || v != "" {
		t.Errorf("Get(missing) = %q, %v", v, ok)
	}
	if !c.Has("quiet") || c.Has("loud") || !c.Has("init_delay") || !c.Has("init-delay") {
		t.Error("Has gives wrong answers")
	}
	if c.Value("ktap", "x") != "all" || c.Value("absent", "def") != "def" || c.Value("quiet", "def") != "" {
		t.Error("Value gives wrong answers")
	}
	for key, want := range map[string]bool{
		"quiet": true, "on": true, "off": false, "y": true, "n": false,
		"one": true, "zero": false, "what": true, "absent": true,
	} {
		if got := c.Bool(key, true); got != want {
			t.Errorf("Bool(%s, true) = %v", key, got)
		}
	}
	if c.Bool("what", false) || c.Bool("absent", false) {
		t.Error("Bool does not fall back to the default")
	}
	for key, want := range map[string]uint64{
		"mem": 512 << 20, "size": 0x1000, "t": 2 << 40, "k": 4 << 10, "g": 1 << 30, "init_delay": 3,
		"big": 7, "ko": 7, "quiet": 7, "absent": 7,
	} {
		if got := c.Uint(key, 7); got != want {
			t.Errorf("Uint(%s, 7) = %d, want %d", key, got, want)
		}
	}
	var m map[string]string = ParseCmdline("a=b")
	if m["a"] != "b" {
		t.Error("Cmdline is not usable as a map[string]string")
	}
}
