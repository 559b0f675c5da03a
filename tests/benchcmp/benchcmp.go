// Command benchcmp reads the console output of user/bench.c run on Tamix
// and on Linux and prints one table: each row's median in TSC cycles on
// both kernels and their ratio (Tamix / Linux; below 1.00 Tamix is
// faster). scripts/bench-linux.sh (make bench-linux) runs it on the logs
// of its two boots.
//
// Usage:
//
//	benchcmp -tamix FILE [-tamix FILE...] -linux FILE [-linux FILE...]
//
// With several logs for one kernel (several boots), a row's figure is the
// median of its medians. The lines that matter are
// "bench NAME cycles min=A median=B n=C"; everything else on the console
// (boot messages, the kernel log) is ignored.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// files is a repeatable flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(s string) error { *f = append(*f, s); return nil }

func main() {
	var tamix, linux files
	flag.Var(&tamix, "tamix", "console log of bench on Tamix (repeatable)")
	flag.Var(&linux, "linux", "console log of bench on Linux (repeatable)")
	flag.Parse()
	if len(tamix) == 0 || len(linux) == 0 || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: benchcmp -tamix FILE... -linux FILE...")
		os.Exit(2)
	}
	t, err := readRuns(tamix)
	if err == nil {
		var l []Run
		if l, err = readRuns(linux); err == nil {
			err = WriteTable(os.Stdout, Compare(t, l))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcmp:", err)
		os.Exit(1)
	}
}

// readRuns parses each file; a file without any bench line is an error
// (the kernel did not get as far as running bench).
func readRuns(names []string) ([]Run, error) {
	var runs []Run
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		r, err := Parse(io.Reader(f))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		runs = append(runs, r)
	}
	return runs, nil
}
