package main

import (
	"encoding/json"
	"fmt"
	"io"
)

// chromeEvent is one event of the Chrome trace-event format (the JSON
// that chrome://tracing and ui.perfetto.dev open). Times are in µs.
type chromeEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	TS   float64        `json:"ts"`
	Dur  *float64       `json:"dur,omitempty"`
	PID  int            `json:"pid"`
	TID  int            `json:"tid"`
	ID   int            `json:"id,omitempty"`
	BP   string         `json:"bp,omitempty"`
	S    string         `json:"s,omitempty"`
	Args map[string]any `json:"args,omitempty"`
}

// chromeTrace is the JSON object form of the format.
type chromeTrace struct {
	TraceEvents     []chromeEvent `json:"traceEvents"`
	DisplayTimeUnit string        `json:"displayTimeUnit"`
}

// WriteChrome writes tl as Chrome trace-event JSON: each task is a
// process with one thread (its lane), named "comm (pid)"; running is an
// "X" slice; fork and stack free are flows ("s" on the source lane, "f"
// on the target); exec, exit and free are instant events ("i").
func WriteChrome(w io.Writer, tl *Timeline) error {
	us := func(ns int64) float64 { return float64(ns-tl.Start) / 1e3 }
	var evs []chromeEvent
	for _, l := range tl.Lanes {
		name := fmt.Sprintf("%s (%d)", l.Comm, l.PID)
		evs = append(evs,
			chromeEvent{Name: "process_name", Ph: "M", PID: l.PID, TID: l.PID, Args: map[string]any{"name": name}},
			chromeEvent{Name: "thread_name", Ph: "M", PID: l.PID, TID: l.PID, Args: map[string]any{"name": name}},
			chromeEvent{Name: "process_sort_index", Ph: "M", PID: l.PID, TID: l.PID, Args: map[string]any{"sort_index": l.PID}})
		for _, s := range l.Slices {
			d := us(s.To) - us(s.From)
			evs = append(evs, chromeEvent{Name: "running", Cat: "sched", Ph: "X", TS: us(s.From), Dur: &d, PID: l.PID, TID: l.PID})
		}
		for _, m := range l.Marks {
			evs = append(evs, chromeEvent{Name: m.Text, Cat: m.Kind, Ph: "i", S: "t", TS: us(m.TS), PID: l.PID, TID: l.PID})
		}
	}
	for i, a := range tl.Arrows {
		name := "fork"
		if a.Kind == "stack" {
			name = "stack free"
		}
		evs = append(evs,
			chromeEvent{Name: name, Cat: a.Kind, Ph: "s", TS: us(a.TS), PID: a.From, TID: a.From, ID: i + 1},
			chromeEvent{Name: name, Cat: a.Kind, Ph: "f", BP: "e", TS: us(a.TS), PID: a.To, TID: a.To, ID: i + 1})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(chromeTrace{TraceEvents: evs, DisplayTimeUnit: "ns"})
}
