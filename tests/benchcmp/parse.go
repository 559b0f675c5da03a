package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Sample is one "bench NAME cycles ..." line.
type Sample struct {
	Name           string
	Min, Median, N uint64
}

// Run is the bench lines of one boot, in the order they were printed.
type Run []Sample

var benchLine = regexp.MustCompile(`^bench ([a-z0-9_]+) cycles min=([0-9]+) median=([0-9]+) n=([0-9]+)$`)

// Parse reads a console log and returns its bench lines. Lines that are
// not bench lines are skipped; carriage returns (a serial console's) are
// dropped. It is an error if there is no bench line at all.
func Parse(r io.Reader) (Run, error) {
	var run Run
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := Sample{Name: m[1]}
		for i, p := range []*uint64{&s.Min, &s.Median, &s.N} {
			v, err := strconv.ParseUint(m[i+2], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %v", line, err)
			}
			*p = v
		}
		run = append(run, s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(run) == 0 {
		return nil, errors.New("no bench lines")
	}
	return run, nil
}

// Row is one line of the comparison. A figure is 0 where that kernel's
// logs lack the row.
type Row struct {
	Name         string
	Tamix, Linux uint64
}

// Ratio is Tamix / Linux, or 0 when either is missing.
func (r Row) Ratio() float64 {
	if r.Tamix == 0 || r.Linux == 0 {
		return 0
	}
	return float64(r.Tamix) / float64(r.Linux)
}

// Compare pairs the rows of both kernels: each row's median of the runs'
// medians, in the order of Tamix's first run, then rows only Linux has.
func Compare(tamix, linux []Run) []Row {
	var names []string
	for _, runs := range [][]Run{tamix, linux} {
		for _, run := range runs {
			for _, s := range run {
				if !slices.Contains(names, s.Name) {
					names = append(names, s.Name)
				}
			}
		}
	}
	rows := make([]Row, 0, len(names))
	for _, name := range names {
		rows = append(rows, Row{Name: name, Tamix: medianOf(tamix, name), Linux: medianOf(linux, name)})
	}
	return rows
}

// medianOf is the median of name's medians over runs (the lower middle
// one for an even count), or 0 if no run has it.
func medianOf(runs []Run, name string) uint64 {
	var v []uint64
	for _, run := range runs {
		for _, s := range run {
			if s.Name == name {
				v = append(v, s.Median)
			}
		}
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

// WriteTable prints the rows as an aligned table, the "tsc" row (the cost
// of the timing itself, included in every other figure) as a note under
// it, and the rows where Tamix is slower.
func WriteTable(w io.Writer, rows []Row) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "%-20s %14s %14s %7s\n", "row", "Tamix cycles", "Linux cycles", "ratio")
	var slower []string
	var tsc *Row
	for i, r := range rows {
		if r.Name == "tsc" {
			tsc = &rows[i]
			continue
		}
		ratio := "-"
		if q := r.Ratio(); q != 0 {
			ratio = fmt.Sprintf("%.2f", q)
			if q > 1 {
				slower = append(slower, r.Name)
			}
		}
		fmt.Fprintf(b, "%-20s %14s %14s %7s\n", r.Name, figure(r.Tamix), figure(r.Linux), ratio)
	}
	if tsc != nil {
		fmt.Fprintf(b, "(medians; each includes the timing itself, the tsc row: Tamix %s, Linux %s)\n",
			figure(tsc.Tamix), figure(tsc.Linux))
	}
	if len(slower) > 0 {
		fmt.Fprintf(b, "ratio above 1.00 (Tamix slower): %s\n", strings.Join(slower, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func figure(v uint64) string {
	if v == 0 {
		return "-"
	}
	return strconv.FormatUint(v, 10)
}
