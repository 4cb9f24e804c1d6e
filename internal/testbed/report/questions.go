package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// questionView is one named query's answer as the page shows it.
type questionView struct {
	Query, Question, Period, Note string
	Columns                       []columnView
	Rows                          [][]cellView
	Empty                         string
}

type columnView struct {
	Name string
	Num  bool
}

type cellView struct {
	Text, Title string
	Num         bool
}

func textCell(s string) cellView {
	if s == "" {
		return cellView{Text: "(none)", Title: "no value (NULL in SQL)"}
	}
	return cellView{Text: s}
}

// arnCell shows an ARN from its resource type on ("instance/i-0abc",
// "function:billing"), the whole ARN as its title.
func arnCell(arn string) cellView {
	if arn == "" {
		return textCell("")
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return cellView{Text: arn}
	}
	return cellView{Text: parts[5], Title: arn}
}

func bytesCell(b int64) cellView {
	return cellView{Text: HumanBytes(b), Title: strconv.FormatInt(b, 10) + " bytes", Num: true}
}

func numCell(n int64) cellView { return cellView{Text: strconv.FormatInt(n, 10), Num: true} }

func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// questions lays out the answers, in the order of the queries' files.
func questions(a *Answers) []questionView {
	if a == nil {
		return nil
	}
	period := func(name string) (string, string) {
		start, end := QueryPeriod(name, a.Now)
		text := fmt.Sprintf("windows from %s to %s UTC", day(start), day(end))
		note := ""
		switch {
		case !a.From.IsZero() && !a.From.Before(end):
			note = fmt.Sprintf("Not answered: the rows read start at %s, after the query's period. Start the range at %s or earlier.",
				day(a.From), start.UTC().Format(time.RFC3339))
		case !a.From.IsZero() && a.From.After(start):
			note = fmt.Sprintf("Only the rows from %s on were read: this answer covers %s of the query's %s. Start the range at %s or earlier for the whole period.",
				day(a.From), span(end.Sub(a.From)), span(end.Sub(start)), start.UTC().Format(time.RFC3339))
		}
		return text, note
	}
	var qs []questionView

	q := questionView{Query: QueryAppPeers, Empty: "No application talked to it."}
	q.Period, q.Note = period(QueryAppPeers)
	if a.App == "" {
		q.Question = "Which applications did an application talk to?"
		q.Note, q.Empty = "", "Not asked: name the application (enricher report --app NAME)."
	} else {
		q.Question = fmt.Sprintf("Which applications did %s talk to, as client or as server?", a.App)
		q.Columns = []columnView{{Name: "Application"}, {Name: "Bytes", Num: true}}
		for _, p := range a.AppPeers {
			q.Rows = append(q.Rows, []cellView{textCell(p.App), bytesCell(p.Bytes)})
		}
	}
	qs = append(qs, q)

	q = questionView{Query: QueryCrossAZShare, Question: "What share of the bytes crossed Availability Zones?",
		Empty: "No accepted connection between two known zones."}
	q.Period, q.Note = period(QueryCrossAZShare)
	if c := a.CrossAZ; c.TotalBytes != 0 || c.Known {
		q.Columns = []columnView{{Name: "Cross-AZ", Num: true}, {Name: "Between known zones", Num: true}, {Name: "All accepted", Num: true}, {Name: "Share", Num: true}}
		share := cellView{Text: "none", Title: "no bytes between known zones", Num: true}
		if c.Known {
			share = cellView{Text: fmt.Sprintf("%.2f%%", 100*c.Share), Title: strconv.FormatFloat(c.Share, 'g', -1, 64), Num: true}
		}
		q.Rows = [][]cellView{{bytesCell(c.CrossAZBytes), bytesCell(c.KnownAZBytes), bytesCell(c.TotalBytes), share}}
	}
	qs = append(qs, q)

	start, end := QueryPeriod(QueryDestinationGrowth, a.Now)
	previous, current := start.Format("January 2006"), end.AddDate(0, -1, 0).Format("January 2006")
	q = questionView{Query: QueryDestinationGrowth, Question: fmt.Sprintf("Which destinations grew most from %s to %s?", previous, current),
		Empty:   "No accepted connection in these months.",
		Columns: []columnView{{Name: "Destination"}, {Name: previous, Num: true}, {Name: current, Num: true}, {Name: "Growth", Num: true}}}
	q.Period, q.Note = period(QueryDestinationGrowth)
	for _, g := range a.DestinationGrowth {
		d := arnCell(g.Destination)
		if !strings.HasPrefix(g.Destination, "arn:") {
			d = textCell(g.Destination)
		}
		q.Rows = append(q.Rows, []cellView{d, bytesCell(g.Previous), bytesCell(g.Current), bytesCell(g.Growth)})
	}
	qs = append(qs, q)

	q = questionView{Query: QueryLambdaRDSDirect, Question: "Which Lambda functions connected to an RDS database directly, not through RDS Proxy?",
		Empty:   "None: every function reached its databases through a proxy, or none reached one.",
		Columns: []columnView{{Name: "Function"}, {Name: "Database"}, {Name: "Bytes", Num: true}, {Name: "Records", Num: true}}}
	q.Period, q.Note = period(QueryLambdaRDSDirect)
	for _, d := range a.LambdaRDSDirect {
		q.Rows = append(q.Rows, []cellView{arnCell(d.Function), arnCell(d.DB), bytesCell(d.Bytes), numCell(d.Records)})
	}
	qs = append(qs, q)

	q = questionView{Query: QueryLBBypass, Question: "Which instances reached another instance directly, on a port its load balancer serves?",
		Empty:   "None: no instance bypassed a load balancer.",
		Columns: []columnView{{Name: "Client instance"}, {Name: "Server instance"}, {Name: "Port", Num: true}, {Name: "Bytes", Num: true}}}
	q.Period, q.Note = period(QueryLBBypass)
	for _, b := range a.LBBypass {
		q.Rows = append(q.Rows, []cellView{arnCell(b.Client), arnCell(b.Server), numCell(int64(b.Port)), bytesCell(b.Bytes)})
	}
	qs = append(qs, q)
	return qs
}
