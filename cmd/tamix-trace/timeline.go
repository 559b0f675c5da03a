package main

import (
	"sort"

	"tamix/trace/ftrace"
)

// Timeline is what both pictures draw, built from a trace: one lane per
// task with the intervals it ran, marks for what happened to it, and
// arrows between tasks (fork, stack free).
type Timeline struct {
	Start, End int64 // ns: the first and last event
	Lanes      []*Lane
	Arrows     []Arrow
	byPID      map[int]*Lane
	gaps       []gap // quiet stretches the SVG squashes (squash.go)
}

// Lane is one task.
type Lane struct {
	PID     int
	Comm    string  // the last name it had
	Born    int64   // its fork (or Start if it existed before the trace)
	Gone    int64   // its free (or End)
	Slices  []Slice // when it ran
	Marks   []Mark
	runFrom int64 // start of the current slice, or -1
}

// Slice is one stretch on the CPU.
type Slice struct{ From, To int64 }

// Mark is an instant event on a lane: "exec", "exit", "free".
type Mark struct {
	Kind, Text string
	TS         int64
}

// Arrow joins two lanes at an instant: "fork" parent -> child, "stack"
// freeing task -> the dead task whose kernel stack it freed.
type Arrow struct {
	Kind     string
	From, To int
	TS       int64
}

// Build turns records into a timeline.
func Build(recs []ftrace.Record) *Timeline {
	tl := &Timeline{byPID: map[int]*Lane{}}
	if len(recs) == 0 {
		return tl
	}
	tl.Start, tl.End = recs[0].TS, recs[len(recs)-1].TS
	times := make([]int64, len(recs))
	for i := range recs {
		tl.add(&recs[i])
		times[i] = recs[i].TS
	}
	tl.gaps = findGaps(times, tl.Start, tl.End)
	for _, l := range tl.Lanes {
		if l.runFrom >= 0 {
			l.Slices = append(l.Slices, Slice{l.runFrom, tl.End})
		}
		if l.Gone == 0 {
			l.Gone = tl.End
		}
	}
	sort.Slice(tl.Lanes, func(i, j int) bool { return tl.Lanes[i].PID < tl.Lanes[j].PID })
	return tl
}

// lane returns the lane of pid, making one named comm if needed.
func (tl *Timeline) lane(pid int, comm string) *Lane {
	l := tl.byPID[pid]
	if l == nil {
		l = &Lane{PID: pid, Comm: comm, Born: tl.Start, runFrom: -1}
		tl.byPID[pid] = l
		tl.Lanes = append(tl.Lanes, l)
	}
	if comm != "" && comm != "<idle>" {
		l.Comm = comm
	}
	return l
}

func (tl *Timeline) add(r *ftrace.Record) {
	tl.lane(r.PID, r.Comm)
	f := r.Fields
	switch r.Event {
	case "sched_process_fork":
		c := tl.lane(int(r.Int("child_pid")), f["child_comm"])
		c.Born = r.TS
		tl.Arrows = append(tl.Arrows, Arrow{"fork", r.PID, c.PID, r.TS})
	case "sched_switch":
		p := tl.lane(int(r.Int("prev_pid")), f["prev_comm"])
		if p.runFrom >= 0 {
			p.Slices = append(p.Slices, Slice{p.runFrom, r.TS})
		}
		p.runFrom = -1
		tl.lane(int(r.Int("next_pid")), f["next_comm"]).runFrom = r.TS
	case "sched_process_exec":
		l := tl.lane(r.PID, "")
		l.Marks = append(l.Marks, Mark{"exec", "exec " + f["filename"], r.TS})
	case "task_rename":
		tl.lane(int(r.Int("pid")), f["newcomm"])
	case "sched_process_exit":
		l := tl.lane(int(r.Int("pid")), "")
		l.Marks = append(l.Marks, Mark{"exit", "exit", r.TS})
	case "sched_process_free":
		l := tl.lane(int(r.Int("pid")), "")
		l.Marks = append(l.Marks, Mark{"free", "free", r.TS})
		l.Gone = r.TS
	case "tamix_stack_free":
		tl.Arrows = append(tl.Arrows, Arrow{"stack", r.PID, int(r.Int("pid")), r.TS})
	}
}
