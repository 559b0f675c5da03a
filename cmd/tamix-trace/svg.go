package main

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// SVG layout, in pixels.
const (
	svgLabelW = 170 // the lane labels
	svgPlotW  = 1000
	svgLaneH  = 26
	svgTop    = 48 // title and time axis
	svgBottom = 40 // gap labels and legend
)

// svgStyle keeps the picture self-contained: no external CSS or fonts.
const svgStyle = `text{font:11px monospace;fill:#222}
.title{font:bold 13px sans-serif}
.life{stroke:#bbb;stroke-width:1}
.run{fill:#4a90d9}
.fork{stroke:#2a9d3a;stroke-width:1.3;marker-end:url(#ah-fork)}
.stack{stroke:#8e44ad;stroke-width:1.3;stroke-dasharray:4 2;marker-end:url(#ah-stack)}
.exec{fill:#e67e22}
.exit{stroke:#c0392b;stroke-width:2}
.free{fill:#555}
.axis{stroke:#999;stroke-width:0.5}
.gap{fill:#eee}
.gaplabel{font:10px monospace;fill:#777}`

// WriteSVG draws tl: a lane per task (label, a thin line from its fork
// to its free, a bar for each stretch it ran), fork arrows from parent to
// child, exec (orange triangle) and exit (red cross) marks, a grey square
// at the free, and the kernel-stack free as a dashed arrow from the task
// that freed it to the dead task.
func WriteSVG(w io.Writer, tl *Timeline) error {
	var b strings.Builder
	h := svgTop + len(tl.Lanes)*svgLaneH + svgBottom
	width := svgLabelW + svgPlotW + 20
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n", width, h, width, h)
	fmt.Fprintf(&b, "<style>%s</style>\n", svgStyle)
	b.WriteString(`<defs><marker id="ah-fork" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#2a9d3a"/></marker>` +
		`<marker id="ah-stack" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#8e44ad"/></marker></defs>` + "\n")
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	fmt.Fprintf(&b, `<text class="title" x="10" y="18">Tamix trace: %d tasks, %.3f ms</text>`+"\n",
		len(tl.Lanes), float64(tl.End-tl.Start)/1e6)
	svgAxis(&b, tl)
	row := map[int]int{}
	for i, l := range tl.Lanes {
		row[l.PID] = i
		svgLane(&b, tl, l, i)
	}
	for _, a := range tl.Arrows {
		from, ok1 := row[a.From]
		to, ok2 := row[a.To]
		if !ok1 || !ok2 {
			continue
		}
		x := tl.x(a.TS)
		y1, y2 := laneY(from), laneY(to)
		if y2 > y1 {
			y2 -= 6
		} else {
			y2 += 6
		}
		fmt.Fprintf(&b, `<line class="%s" x1="%.1f" y1="%d" x2="%.1f" y2="%d"><title>%s %d → %d</title></line>`+"\n",
			a.Kind, x, y1, x+4, y2, a.Kind, a.From, a.To)
	}
	ly := h - 10
	fmt.Fprintf(&b, `<text x="10" y="%d">bars: running · green arrow: fork · orange ▲: exec · red ✕: exit · purple dashed arrow: kernel stack freed by · grey ■: sched_process_free</text>`+"\n", ly)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// x maps a time to the plot, on the squashed axis.
func (tl *Timeline) x(ts int64) float64 {
	span := tl.squash(tl.End)
	if span <= 0 {
		span = 1
	}
	return svgLabelW + float64(tl.squash(ts))*svgPlotW/float64(span)
}

// laneY is the middle of lane i.
func laneY(i int) int { return svgTop + i*svgLaneH + svgLaneH/2 }

// svgAxis draws ten ticks with their times in ms (on the squashed axis)
// and a shaded break, labelled with its real length, for each squashed
// quiet stretch.
func svgAxis(b *strings.Builder, tl *Timeline) {
	bottom := svgTop + len(tl.Lanes)*svgLaneH
	for i := 0; i <= 10; i++ {
		ts := tl.unsquash(tl.squash(tl.End) * int64(i) / 10)
		x := tl.x(ts)
		fmt.Fprintf(b, `<line class="axis" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`, x, svgTop-8, x, bottom)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%.2f ms</text>`+"\n", x, svgTop-12, float64(ts)/1e6)
	}
	for _, g := range tl.gaps {
		x1, x2 := tl.x(g.From), tl.x(g.To)
		fmt.Fprintf(b, `<rect class="gap" x="%.1f" y="%d" width="%.1f" height="%d"><title>%.3f ms with no events, squashed</title></rect>`,
			x1, svgTop-4, x2-x1, bottom-svgTop+4, float64(g.To-g.From)/1e6)
		fmt.Fprintf(b, `<text class="gaplabel" x="%.1f" y="%d" text-anchor="middle">≈%.0f ms</text>`+"\n",
			(x1+x2)/2, bottom+12, float64(g.To-g.From)/1e6)
	}
}

// svgLane draws one task's lane as a group.
func svgLane(b *strings.Builder, tl *Timeline, l *Lane, i int) {
	y := laneY(i)
	fmt.Fprintf(b, `<g class="lane" data-pid="%d" data-comm="%s">`, l.PID, html.EscapeString(l.Comm))
	fmt.Fprintf(b, `<text x="8" y="%d">%s %d</text>`, y+4, html.EscapeString(l.Comm), l.PID)
	fmt.Fprintf(b, `<line class="life" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`, tl.x(l.Born), y, tl.x(l.Gone), y)
	for _, s := range l.Slices {
		x1, x2 := tl.x(s.From), tl.x(s.To)
		fmt.Fprintf(b, `<rect class="run" x="%.1f" y="%d" width="%.1f" height="10"><title>%s %d ran %.3f ms</title></rect>`,
			x1, y-5, max(x2-x1, 1), html.EscapeString(l.Comm), l.PID, float64(s.To-s.From)/1e6)
	}
	for _, m := range l.Marks {
		x := tl.x(m.TS)
		t := html.EscapeString(m.Text)
		switch m.Kind {
		case "exec":
			fmt.Fprintf(b, `<path class="exec" d="M%.1f,%d l5,9 l-10,0 z"><title>%s</title></path><text x="%.1f" y="%d">%s</text>`,
				x, y-13, t, x+6, y-5, t)
		case "exit":
			fmt.Fprintf(b, `<path class="exit" d="M%.1f,%d l8,8 m0,-8 l-8,8"><title>%s</title></path>`, x-4, y-4, t)
		case "free":
			fmt.Fprintf(b, `<rect class="free" x="%.1f" y="%d" width="6" height="6"><title>%s</title></rect>`, x-3, y-3, t)
		}
	}
	b.WriteString("</g>\n")
}
