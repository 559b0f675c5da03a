package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"tamix/trace/ftrace"
)

// TestDemoTrace draws the demo trace kept in docs/ and checks that both
// outputs parse and have a lane per task.
func TestDemoTrace(t *testing.T) {
	f, err := os.Open("../../docs/trace-demo.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := ftrace.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	tl := Build(tr.Records)
	if len(tl.Lanes) < 8 { // swapper, init, kthreadd, khungtaskd, four children
		t.Fatalf("%d lanes", len(tl.Lanes))
	}
	var js bytes.Buffer
	if err := WriteChrome(&js, tl); err != nil {
		t.Fatal(err)
	}
	var doc chromeTrace
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	forks := 0
	for _, e := range doc.TraceEvents {
		if e.Ph == "s" && e.Name == "fork" {
			forks++
		}
	}
	if forks != 7 { // init, kthreadd, khungtaskd, four children
		t.Errorf("%d fork flows", forks)
	}
	var svg bytes.Buffer
	if err := WriteSVG(&svg, tl); err != nil {
		t.Fatal(err)
	}
	text := svg.String()
	dec := xml.NewDecoder(strings.NewReader(text))
	for {
		if _, err := dec.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("SVG is not XML: %v", err)
			}
			break
		}
	}
	if n := strings.Count(text, `<g class="lane"`); n != len(tl.Lanes) {
		t.Errorf("%d lane groups for %d lanes", n, len(tl.Lanes))
	}
}
