package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/table.golden")

func parseFile(t *testing.T, name string) Run {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return run
}

// TestRecorded parses the console logs of one make bench-linux (Tamix's
// boot messages, Linux's "quiet" boot and power-off lines around the bench
// lines) and compares the table with the one recorded then.
func TestRecorded(t *testing.T) {
	tamix, linux := parseFile(t, "tamix.log"), parseFile(t, "linux.log")
	if len(tamix) != 13 || len(linux) != 13 {
		t.Fatalf("%d bench lines from Tamix and %d from Linux, want 13 each", len(tamix), len(linux))
	}
	if s := tamix[1]; s.Name != "getpid" || s.N != 20000 || s.Min > s.Median {
		t.Errorf("Tamix's second line = %+v, want getpid with n=20000", s)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, Compare([]Run{tamix}, []Run{linux})); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "table.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("table:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestParse(t *testing.T) {
	log := "boot\r\nbench getpid cycles min=10 median=12 n=3\r\n" +
		"bench fork_64m_over_1m ratio=1.17\nbench x cycles min=1 median=x n=1\n" +
		"[ 1.0] bench tsc cycles min=1 median=2 n=3\nbench tsc cycles min=1 median=2 n=3\n"
	run, err := Parse(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	want := Run{{"getpid", 10, 12, 3}, {"tsc", 1, 2, 3}}
	if len(run) != len(want) || run[0] != want[0] || run[1] != want[1] {
		t.Errorf("Parse = %+v, want %+v", run, want)
	}
	if _, err := Parse(strings.NewReader("Kernel panic\n")); err == nil {
		t.Error("Parse of a log without bench lines: no error")
	}
}

// TestCompare: medians over runs, rows missing on one side, the ratio.
func TestCompare(t *testing.T) {
	tamix := []Run{{{Name: "a", Median: 5}}, {{Name: "a", Median: 1}}, {{Name: "a", Median: 3}, {Name: "b", Median: 7}}}
	linux := []Run{{{Name: "a", Median: 2}, {Name: "c", Median: 4}}, {{Name: "a", Median: 4}}}
	rows := Compare(tamix, linux)
	want := []Row{{"a", 3, 2}, {"b", 7, 0}, {"c", 0, 4}}
	if len(rows) != len(want) {
		t.Fatalf("Compare = %+v, want %+v", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
	if r := rows[0].Ratio(); r != 1.5 {
		t.Errorf("ratio of a = %v, want 1.5", r)
	}
	var buf bytes.Buffer
	WriteTable(&buf, rows)
	if out := buf.String(); !strings.Contains(out, "Tamix slower): a\n") || !strings.Contains(out, "b                                 7              -       -") {
		t.Errorf("table:\n%s", out)
	}
}
