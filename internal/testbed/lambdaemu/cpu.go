package lambdaemu

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the kernel's USER_HZ, 100 on Linux.
const clockTicks = 100

// CPU returns the CPU time the emulator and the function's processes have
// used so far, read from /proc (Linux); 0 elsewhere.
func (f *Function) CPU() time.Duration {
	if f.cmd == nil || f.cmd.Process == nil {
		return 0
	}
	return procTreeCPU(f.cmd.Process.Pid, 0)
}

func procTreeCPU(pid, depth int) time.Duration {
	if depth > 8 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command, which is in parentheses and may hold
	// spaces: state is field 3, utime 14 and stime 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	total := time.Duration(utime+stime) * time.Second / clockTicks
	tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	for _, task := range tasks {
		kids, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/children")
		for _, k := range strings.Fields(string(kids)) {
			if child, err := strconv.Atoi(k); err == nil {
				total += procTreeCPU(child, depth+1)
			}
		}
	}
	return total
}

// Summary sums reports: the first start's init duration, and the
// invocations' total and median durations.
//
// The emulator starts the bootstrap during the first invocation, so a cold
// start (exec of the bootstrap, its init, then the first event) is the
// First invocation's duration, which Lambda reports as Init Duration plus
// Duration; Init is the init alone.
type Summary struct {
	Invocations   int
	Init          time.Duration
	Inits         int
	First         time.Duration
	Total, Median time.Duration
	P90, Max      time.Duration
}

// Summarize sums reports.
func Summarize(reports []Report) Summary {
	var s Summary
	var ds []time.Duration
	for i, r := range reports {
		if i == 0 {
			s.First = r.Duration
		}
		if r.Init > 0 {
			if s.Inits == 0 {
				s.Init = r.Init
			}
			s.Inits++
		}
		if r.Duration > 0 {
			ds = append(ds, r.Duration)
			s.Total += r.Duration
		}
	}
	s.Invocations = len(reports)
	if len(ds) > 0 {
		slices.Sort(ds)
		s.Median, s.P90, s.Max = ds[len(ds)/2], ds[len(ds)*9/10], ds[len(ds)-1]
	}
	return s
}
