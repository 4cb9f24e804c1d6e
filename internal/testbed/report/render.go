package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var pageTemplate string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"bytes": HumanBytes,
	"pct":   func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"ports": portList,
	"join":  func(s []string) string { return strings.Join(s, ", ") },
	"inc":   func(i int) int { return i + 1 },
}).Parse(pageTemplate))

// Colours of the charts; the Chromium test looks for them in the
// screenshot.
const (
	colourService  = "#ea580c"
	colourInternet = "#475569"
	colourOther    = "#94a3b8"
	colourAZ       = "#0891b2"
)

// appColours are those of the applications, by rank.
var appColours = []string{"#2563eb", "#16a34a", "#dc2626", "#7c3aed", "#db2777", "#0d9488", "#65a30d", "#92400e", "#4f46e5", "#c026d3"}

// Palette returns the colours of the zone pair bars, of AWS services, of
// the internet and of the applications by rank, for checks of
// screenshots.
func Palette() (az, service, internet string, apps []string) {
	return colourAZ, colourService, colourInternet, slices.Clone(appColours)
}

// Render writes the model as one self-contained HTML page: inline CSS and
// SVG, no scripts and no references to anything outside it.
func Render(w io.Writer, m Model) error {
	v := view{
		Model:     m,
		Title:     cmp.Or(m.Title, "VPC traffic report"),
		Map:       layoutMap(m),
		AZ:        azBars(m),
		Services:  serviceBars(m),
		Questions: questions(m.Answers),
	}
	if !m.Start.IsZero() {
		v.Period = fmt.Sprintf("%s – %s UTC (%s)", m.Start.UTC().Format("2006-01-02 15:04"),
			m.End.UTC().Format("2006-01-02 15:04"), span(m.End.Sub(m.Start)))
	}
	if m.Bytes > 0 {
		v.CrossAZShare = float64(m.CrossAZBytes) / float64(m.Bytes)
	}
	return page.Execute(w, v)
}

type view struct {
	Model
	Title, Period string
	CrossAZShare  float64
	Map           mapView
	AZ, Services  barsView
	Questions     []questionView
}

// HumanBytes formats bytes in binary units: 512 B, 1.5 KiB, 2.0 GiB.
func HumanBytes(b int64) string {
	if b < 1024 && b > -1024 {
		return fmt.Sprintf("%d B", b)
	}
	f := float64(b)
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for f /= 1024; math.Abs(f) >= 1024 && i < len(units)-1; f /= 1024 {
		i++
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

func span(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%.1f days", d.Hours()/24)
	case d >= 2*time.Hour:
		return fmt.Sprintf("%.1f hours", d.Hours())
	}
	return d.Round(time.Second).String()
}

func portList(ports []Port) string {
	const most = 4
	s := make([]string, 0, most+1)
	for i, p := range ports {
		if i == most {
			s = append(s, fmt.Sprintf("+%d", len(ports)-most))
			break
		}
		s = append(s, p.String())
	}
	return strings.Join(s, ", ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// The traffic map: client applications in a column on the left, server
// applications on the right, an edge from each client to each of its
// servers.
const (
	mapWidth  = 1150
	nodeWidth = 240
	nodeH     = 40
	nodeGap   = 12
	mapTop    = 30
	maxNodes  = 16 // per column; the rest are merged
	minStroke = 2.0
	maxStroke = 16.0
)

type mapView struct {
	Width, Height, RightX int
	Nodes                 []nodeView
	Edges                 []edgeView
	Labels                []labelView
}

type nodeView struct {
	X, Y, W, H  int
	TX, NY, SY  int // text x, name and sub-label baselines
	Name, Title string
	Sub, Colour string
}

type edgeView struct {
	D, Colour, Title string
	Width            string
}

type labelView struct {
	X, Y int
	Text string
}

type mapNode struct {
	name, colour string
	bytes        int64
	y            int
	pos          float64 // barycentre, for ordering
	edges        []*mapEdge
}

type mapEdge struct {
	from, to   *mapNode
	bytes      int64
	conns      int
	ports      map[Port]bool
	fromY, toY int
}

func layoutMap(m Model) mapView {
	colours := map[string]string{}
	rank := 0
	for _, a := range m.Apps {
		switch a.Kind {
		case KindApp:
			colours[a.Name] = appColours[rank%len(appColours)]
			rank++
		case KindService:
			colours[a.Name] = colourService
		case KindInternet:
			colours[a.Name] = colourInternet
		default:
			colours[a.Name] = colourOther
		}
	}
	isClient, isServer := map[string]bool{}, map[string]bool{}
	for _, e := range m.Edges {
		isClient[e.Client], isServer[e.Server] = true, true
	}
	column := func(in map[string]bool, bytes func(App) int64) map[string]*mapNode {
		var apps []App
		for _, a := range m.Apps {
			if in[a.Name] {
				apps = append(apps, a)
			}
		}
		slices.SortStableFunc(apps, func(a, b App) int { return cmp.Compare(bytes(b), bytes(a)) })
		nodes := map[string]*mapNode{}
		var more *mapNode
		for i, a := range apps {
			if i < maxNodes-1 || len(apps) == maxNodes {
				nodes[a.Name] = &mapNode{name: a.Name, colour: colours[a.Name], bytes: bytes(a)}
				continue
			}
			if more == nil {
				more = &mapNode{name: fmt.Sprintf("%d more", len(apps)-i), colour: colourOther}
			}
			more.bytes += bytes(a)
			nodes[a.Name] = more
		}
		return nodes
	}
	clients := column(isClient, func(a App) int64 { return a.AsClient })
	servers := column(isServer, func(a App) int64 { return a.AsServer })

	var edges []*mapEdge
	merged := map[[2]*mapNode]*mapEdge{}
	for _, e := range m.Edges {
		c, s := clients[e.Client], servers[e.Server]
		if c == nil || s == nil {
			continue // not in m.Apps
		}
		me := merged[[2]*mapNode{c, s}]
		if me == nil {
			me = &mapEdge{from: c, to: s, ports: map[Port]bool{}}
			merged[[2]*mapNode{c, s}] = me
			edges = append(edges, me)
			c.edges = append(c.edges, me)
			s.edges = append(s.edges, me)
		}
		me.bytes += e.Bytes
		me.conns += e.Connections
		for _, p := range e.Ports {
			me.ports[p] = true
		}
	}

	left, right := distinct(clients), distinct(servers)
	// Order by bytes, then twice by the barycentre of the other side, to
	// limit crossings.
	for i, n := range left {
		n.pos = float64(i)
	}
	for range 2 {
		order(right, left, func(e *mapEdge) *mapNode { return e.from })
		order(left, right, func(e *mapEdge) *mapNode { return e.to })
	}
	order(right, left, func(e *mapEdge) *mapNode { return e.from })

	// 2 px margins keep the nodes' outlines inside the picture.
	v := mapView{Width: mapWidth, RightX: mapWidth - nodeWidth - 2}
	rows := max(len(left), len(right))
	v.Height = mapTop + rows*(nodeH+nodeGap) + 8
	place := func(col []*mapNode, x int, verb string) {
		top := mapTop + (rows-len(col))*(nodeH+nodeGap)/2
		for i, n := range col {
			n.y = top + i*(nodeH+nodeGap)
			v.Nodes = append(v.Nodes, nodeView{X: x, Y: n.y, W: nodeWidth, H: nodeH, TX: x + 14, NY: n.y + 17, SY: n.y + 32,
				Name: truncate(n.name, 30), Title: n.name, Sub: verb + " " + HumanBytes(n.bytes), Colour: n.colour})
		}
	}
	place(left, 2, "sends")
	place(right, v.RightX, "receives")

	// Each node spreads its edges over its height, in the order of the
	// nodes at their other ends.
	attach := func(n *mapNode, other func(*mapEdge) *mapNode, set func(*mapEdge, int)) {
		es := slices.Clone(n.edges)
		slices.SortStableFunc(es, func(a, b *mapEdge) int { return cmp.Compare(other(a).y, other(b).y) })
		for i, e := range es {
			set(e, n.y+6+(nodeH-12)*(2*i+1)/(2*len(es)))
		}
	}
	for _, n := range left {
		attach(n, func(e *mapEdge) *mapNode { return e.to }, func(e *mapEdge, y int) { e.fromY = y })
	}
	for _, n := range right {
		attach(n, func(e *mapEdge) *mapNode { return e.from }, func(e *mapEdge, y int) { e.toY = y })
	}

	lo, hi := math.Inf(1), math.Inf(-1)
	for _, e := range edges {
		l := math.Log(float64(max(e.bytes, 1)))
		lo, hi = min(lo, l), max(hi, l)
	}
	// Thick edges first, so that thin ones stay visible on top.
	slices.SortStableFunc(edges, func(a, b *mapEdge) int { return cmp.Compare(b.bytes, a.bytes) })
	x1, x2 := float64(2+nodeWidth), float64(v.RightX)
	var placed []labelView
	for _, e := range edges {
		w := maxStroke
		if hi > lo {
			w = minStroke + (maxStroke-minStroke)*(math.Log(float64(max(e.bytes, 1)))-lo)/(hi-lo)
		}
		y1, y2 := float64(e.fromY), float64(e.toY)
		mid := (x1 + x2) / 2
		v.Edges = append(v.Edges, edgeView{
			D:      fmt.Sprintf("M%.0f %.0f C%.0f %.0f %.0f %.0f %.0f %.0f", x1, y1, mid, y1, mid, y2, x2, y2),
			Width:  fmt.Sprintf("%.1f", w),
			Colour: e.from.colour,
			Title: fmt.Sprintf("%s → %s: %s, %d connection(s), %s", e.from.name, e.to.name,
				HumanBytes(e.bytes), e.conns, portList(sortedPorts(e.ports))),
		})
		text := HumanBytes(e.bytes)
		for _, t := range []float64{0.5, 0.35, 0.65, 0.2, 0.8} {
			// The curve's point at t: x runs through mid, y eases from y1 to y2.
			u := 1 - t
			x := u*u*u*x1 + 3*u*t*mid + t*t*t*x2
			y := y1 + (y2-y1)*(3*u*t*t+t*t*t)
			l := labelView{X: int(x), Y: int(y) + 4, Text: text}
			if !slices.ContainsFunc(placed, func(p labelView) bool { return abs(p.X-l.X) < 70 && abs(p.Y-l.Y) < 15 }) {
				placed = append(placed, l)
				break
			}
		}
	}
	v.Labels = placed
	return v
}

func abs(x int) int { return max(x, -x) }

// distinct returns a column's nodes, most bytes first.
func distinct(col map[string]*mapNode) []*mapNode {
	var nodes []*mapNode
	for _, n := range col {
		if !slices.Contains(nodes, n) {
			nodes = append(nodes, n)
		}
	}
	slices.SortFunc(nodes, func(a, b *mapNode) int {
		return cmp.Or(cmp.Compare(b.bytes, a.bytes), strings.Compare(a.name, b.name))
	})
	return nodes
}

// order sorts col by the byte-weighted mean position of the nodes its
// edges reach in other, then sets the positions of col.
func order(col, other []*mapNode, end func(*mapEdge) *mapNode) {
	for _, n := range col {
		var sum, weight float64
		for _, e := range n.edges {
			sum += end(e).pos * float64(e.bytes)
			weight += float64(e.bytes)
		}
		if weight > 0 {
			n.pos = sum / weight
		}
	}
	slices.SortStableFunc(col, func(a, b *mapNode) int { return cmp.Compare(a.pos, b.pos) })
	for i, n := range col {
		n.pos = float64(i)
	}
}

// Horizontal bar charts.
const (
	barLabelW = 170
	barMaxW   = 200
	barRowH   = 34
)

type barsView struct {
	Width, Height int
	Bars          []barView
}

type barView struct {
	X, Y, W, TY, VX int // bar left, top and width, text baseline, value x
	Label, Title    string
	Value, Note     string
	Colour          string
}

func bars(n int, bytes func(int) int64, bar func(int) barView) barsView {
	v := barsView{Width: barLabelW + barMaxW + 180, Height: n*barRowH + 8}
	var most int64
	for i := range n {
		most = max(most, bytes(i))
	}
	for i := range n {
		b := bar(i)
		b.X, b.Y = barLabelW, i*barRowH+6
		b.W = max(2, int(float64(barMaxW)*float64(bytes(i))/float64(max(most, 1))))
		b.TY, b.VX = b.Y+15, barLabelW+b.W+8
		v.Bars = append(v.Bars, b)
	}
	return v
}

func azBars(m Model) barsView {
	return bars(len(m.AZPairs), func(i int) int64 { return m.AZPairs[i].Bytes }, func(i int) barView {
		p := m.AZPairs[i]
		return barView{Label: p.A + " ↔ " + p.B, Title: p.A + " ↔ " + p.B, Colour: colourAZ,
			Value: HumanBytes(p.Bytes), Note: fmt.Sprintf("%.1f%% of all", 100*p.Share)}
	})
}

func serviceBars(m Model) barsView {
	return bars(len(m.Services), func(i int) int64 { return m.Services[i].Bytes }, func(i int) barView {
		s := m.Services[i]
		apps := s.Apps
		if len(apps) > 3 {
			apps = append(slices.Clone(apps[:3]), fmt.Sprintf("+%d", len(s.Apps)-3))
		}
		return barView{Label: truncate(s.Name, 26), Title: s.Name + " from " + strings.Join(s.Apps, ", "),
			Colour: colourService, Value: HumanBytes(s.Bytes), Note: "from " + truncate(strings.Join(apps, ", "), 28)}
	})
}
