// Command tamix-trace reads the ftrace text a Tamix kernel writes
// (./qemu.sh --trace FILE) and
//
//	tamix-trace check TRACE             checks the lifecycle rules (trace/lifecycle)
//	tamix-trace json TRACE OUT.json     writes Chrome/Perfetto trace-event JSON
//	tamix-trace svg TRACE OUT.svg       writes a self-contained SVG timeline
//	tamix-trace all TRACE OUT-PREFIX    checks, then writes OUT-PREFIX.json and .svg
//
// It runs on the host; Linux's counterparts are trace-cmd and
// kernelshark, and Perfetto's own ftrace importer.
package main

import (
	"fmt"
	"io"
	"os"

	"tamix/trace/ftrace"
	"tamix/trace/lifecycle"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: tamix-trace check|json|svg|all TRACE [OUT]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3:]); err != nil {
		fmt.Fprintln(os.Stderr, "tamix-trace:", err)
		os.Exit(1)
	}
}

// run does one subcommand.
func run(cmd, in string, rest []string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	tr, err := ftrace.Parse(f)
	if err != nil {
		return err
	}
	out := ""
	if len(rest) > 0 {
		out = rest[0]
	}
	switch {
	case cmd == "check":
		return check(tr)
	case cmd == "json" && out != "":
		return writeFile(out, func(w io.Writer) error { return WriteChrome(w, Build(tr.Records)) })
	case cmd == "svg" && out != "":
		return writeFile(out, func(w io.Writer) error { return WriteSVG(w, Build(tr.Records)) })
	case cmd == "all" && out != "":
		cerr := check(tr)
		tl := Build(tr.Records)
		if err := writeFile(out+".json", func(w io.Writer) error { return WriteChrome(w, tl) }); err != nil {
			return err
		}
		if err := writeFile(out+".svg", func(w io.Writer) error { return WriteSVG(w, tl) }); err != nil {
			return err
		}
		return cerr
	}
	return fmt.Errorf("bad subcommand %q or missing output", cmd)
}

// check prints the violations of the lifecycle rules.
func check(tr *ftrace.Trace) error {
	v := lifecycle.Check(tr, lifecycle.Options{Complete: true})
	for _, x := range v {
		fmt.Fprintln(os.Stderr, x)
	}
	if len(v) > 0 {
		return fmt.Errorf("%d lifecycle violations", len(v))
	}
	fmt.Printf("lifecycle: %d events, no violations\n", len(tr.Records))
	return nil
}

// writeFile writes a file through fn.
func writeFile(name string, fn func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
