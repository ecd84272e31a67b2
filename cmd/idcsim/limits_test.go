package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"idcsim/scenarios"
	"idcsim/sim"
)

// TestFlagLimits checks that every numeric flag out of its range is refused with a usage error
// that gives the range.
func TestFlagLimits(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--replications", "100001"}, "--replications 100001: want 1 to 100000"},
		{[]string{"run", "--replications", "2000000000"}, "--replications 2000000000: want 1 to 100000"},
		{[]string{"run", "--replications", "0"}, "--replications 0: want 1 to 100000"},
		{[]string{"sweep", "example:choose-durations", "--replications", "100001"}, "--replications 100001: want 1 to 100000"},
		{[]string{"run", "--workers", "257"}, "--workers 257: want 0 (one per core) to 256"},
		{[]string{"run", "--workers", "-1"}, "--workers -1: want 0 (one per core) to 256"},
		{[]string{"sweep", "example:choose-durations", "--workers", "100000"}, "--workers 100000: want 0 (one per core) to 256"},
		{[]string{"run", "example:quickstart", "--replay", "1"}, "--replay 1: want a replication from 0 to 0"},
		{[]string{"run", "example:quickstart", "--replay", "-1"}, "--replay -1: want a replication from 0 to 0"},
		{[]string{"table", "--trials", "0"}, "--trials 0: want 1 to 1000000"},
		{[]string{"table", "--trials", "1000001"}, "--trials 1000001: want 1 to 1000000"},
		{[]string{"table", "--trials", "-5"}, "--trials -5: want 1 to 1000000"},
	} {
		code, stdout, stderr := idcsim(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("idcsim %s: exit %d, want %d with %q; stdout:\n%s\nstderr:\n%s", strings.Join(c.args, " "), code, exitUsage, c.want, stdout, stderr)
		}
	}
}

// budgetScenario is count people who open an application 10 times a working day, over the
// horizon, with the replications given, and a sweep of the portal session's candidates.
func budgetScenario(count int, horizon string, replications int, candidates string) string {
	return fmt.Sprintf(`name: budget
horizon: %s
replications: %d
applications: [{name: q, kind: aws_managed}]
groups: [{name: all, assignments: [{application: q}]}]
behaviours:
  - {name: worker, working_days: [mon, tue, wed, thu, fri], working_hours: {start: 9h, end: 17h}, open_app: {per_day: 10, applications: [q]}}
populations:
  - {name: p, count: %d, behaviour: worker, groups: [all], devices: [{name: laptop, kind: browser}]}
offboardings:
  - {count: 1, from: 1d, to: 2d, population: p, playbook: aws-recommended}
sweep: {portal_session: [%s]}
`, horizon, replications, count, candidates)
}

// TestWorkBudget checks that run and sweep refuse, before running anything, work estimated over
// the budget of events or memory, saying the estimate, the budget and --force, and write nothing.
func TestWorkBudget(t *testing.T) {
	defer func(f func() float64) { machineMemory = f }(machineMemory)
	machineMemory = func() float64 { return 8 << 30 }
	// 200,000 people over 400 days, 286 of them working days, with 13.5 events each (sim.Estimate:
	// 2.5 a day and 1.1 for each of the 10 activities): 772 million events a replication.
	events := writeFile(t, "events.yaml", budgetScenario(200_000, "400d", 3, "8h"))
	// 1,200,000 people over 3 days: 20 replications at once, each with the state of every
	// person (sim.Estimate: 290 bytes a person, 6.96 GB) and a partition of 512 of them running
	// (600 bytes a person, 6.1 MB in all), the model (60 bytes a person, 72 MB) and the rest:
	// 7.1 GB, over 75% of the 8 GiB said of the machine.
	memory := writeFile(t, "memory.yaml", budgetScenario(1_200_000, "3d", 20, "8h"))
	// 3 candidates bring 1 replication to 2.3 billion events.
	sweep := writeFile(t, "sweep.yaml", budgetScenario(200_000, "400d", 1, "8h, 4h, 2h"))
	// 10,000,000 people, the most a scenario may have, over 30 days, 22 of them working days:
	// 3 billion events; the memory, 3.5 GB (the model and the people's state, 350 bytes a
	// person), is within the budget.
	ten := writeFile(t, "ten.yaml", budgetScenario(10_000_000, "30d", 1, "8h"))
	out := filepath.Join(t.TempDir(), "report")
	const eventsOver = "would take an estimated 2.3e+09 events, over the budget of 2e+09;"
	const memoryOver = "would take an estimated 7.1 GB of memory at its peak, over the budget of 6.4 GB (75% of the machine's 8.6 GB);"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", events, "--workers", "1"}, "idcsim run: the run " + eventsOver},
		{[]string{"run", events, "--replications", "2", "--shard", "0/2", "--workers", "1"}, ""}, // one replication
		{[]string{"sweep", sweep, "--workers", "1"}, "idcsim sweep: the sweep " + eventsOver},
		{[]string{"run", memory, "--workers", "20"}, "idcsim run: the run " + memoryOver},
		{[]string{"run", ten, "--workers", "2"}, "idcsim run: the run would take an estimated 3e+09 events, over the budget of 2e+09;"},
		{[]string{"sweep", memory, "--workers", "20"}, "idcsim sweep: the sweep " + memoryOver},
	} {
		if c.want == "" {
			continue // within the budget (TestWorkBudgetEdges): not run here
		}
		code, stdout, stderr := idcsim(t, append(c.args, "--out", out)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "give --force to run it anyway") {
			t.Errorf("idcsim %s: exit %d, want %d with %q and --force; stdout:\n%s\nstderr:\n%s", strings.Join(c.args, " "), code, exitUsage, c.want, stdout, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("idcsim %s wrote %s", strings.Join(c.args, " "), out)
		}
	}
}

// TestWorkBudgetEdges checks the budget at its edges, on the estimates of scenarios just under
// and just over it, which are not run.
func TestWorkBudgetEdges(t *testing.T) {
	const memory = 8 << 30
	for _, c := range []struct {
		w    sim.Work
		over string
	}{
		{sim.Work{Events: budgetEvents, PeakBytes: memoryShare * memory}, ""},
		{sim.Work{Events: budgetEvents + 1}, "events, over the budget of 2e+09"},
		{sim.Work{PeakBytes: memoryShare*memory + 1}, "6.4 GB of memory at its peak, over the budget of 6.4 GB (75% of the machine's 8.6 GB)"},
	} {
		if got := overBudget(c.w, memory); c.over == "" && got != "" || !strings.Contains(got, c.over) {
			t.Errorf("overBudget(%+v) = %q, want %q", c.w, got, c.over)
		}
	}
	// 1,000 people over 400 days: the replications that fit the budget of events, and one more.
	sc, err := scenarios.Parse("events.yaml", []byte(budgetScenario(1000, "400d", 1, "8h")))
	if err != nil {
		t.Fatal(err)
	}
	one := sim.Estimate(sc, nil, sim.Options{Workers: 1}).Events
	sc.Replications = int(budgetEvents / one)
	if w := sim.Estimate(sc, nil, sim.Options{Workers: 1}); overBudget(w, memory) != "" || w.Events < budgetEvents-one {
		t.Errorf("%d replications: %.4g events, %s", sc.Replications, w.Events, overBudget(w, memory))
	}
	sc.Replications++
	if w := sim.Estimate(sc, nil, sim.Options{Workers: 1}); !strings.Contains(overBudget(w, memory), "events, over the budget") {
		t.Errorf("%d replications: %.4g events, within the budget", sc.Replications, w.Events)
	}
	// 100,000 people over 3 days, 300 replications: as many workers as fit the memory (about
	// 220, each holding 29 MB), and one more.
	sc, err = scenarios.Parse("memory.yaml", []byte(budgetScenario(100_000, "3d", 300, "8h")))
	if err != nil {
		t.Fatal(err)
	}
	base := sim.Estimate(sc, nil, sim.Options{Workers: 1}).PeakBytes
	world := sim.Estimate(sc, nil, sim.Options{Workers: 2}).PeakBytes - base
	fit := int((memoryShare*memory-base)/world) + 1
	if w := sim.Estimate(sc, nil, sim.Options{Workers: fit}); fit >= sc.Replications || overBudget(w, memory) != "" {
		t.Errorf("%d workers: %.4g bytes, %s", fit, w.PeakBytes, overBudget(w, memory))
	}
	if w := sim.Estimate(sc, nil, sim.Options{Workers: fit + 1}); !strings.Contains(overBudget(w, memory), "of memory at its peak") {
		t.Errorf("%d workers: %.4g bytes, within the budget", fit+1, w.PeakBytes)
	}
}

// TestForce checks that --force runs work over the budget: here a small run, on a machine said
// to have too little memory for it.
func TestForce(t *testing.T) {
	defer func(f func() float64) { machineMemory = f }(machineMemory)
	machineMemory = func() float64 { return 1 << 20 }
	out := filepath.Join(t.TempDir(), "report")
	code, _, stderr := idcsim(t, "run", "example:quickstart", "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "of memory at its peak, over the budget of 0.0 GB") {
		t.Fatalf("without --force: exit %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = idcsim(t, "run", "example:quickstart", "--out", out, "--force")
	if code != exitOK {
		t.Fatalf("with --force: exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "results.json")); err != nil {
		t.Errorf("with --force: %v", err)
	}
}

// TestMachineMemory checks that the machine's memory is read, or assumed where it cannot be.
func TestMachineMemory(t *testing.T) {
	m := machineMemory()
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		if m != assumedMemory {
			t.Errorf("without /proc/meminfo: %.0f bytes, want %d", m, assumedMemory)
		}
		return
	}
	if m < 64<<20 || m > 1<<50 {
		t.Errorf("machine memory %.0f bytes", m)
	}
}

// A container's memory limit (a control group's) is what the process may use, when it is less
// than the machine's memory.
func TestMemoryOfContainer(t *testing.T) {
	const meminfo = "MemTotal:       24576000 kB\nMemFree:        1000 kB\n" // 24,576,000 kB = 25,165,824,000 bytes
	for _, c := range []struct {
		name  string
		files map[string]string
		want  float64
	}{
		{"no files", nil, assumedMemory},
		{"meminfo only", map[string]string{"/proc/meminfo": meminfo}, 24576000 * 1024},
		{"cgroup v2 limit", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory.max": "1073741824\n"}, 1 << 30},
		{"cgroup v2 unlimited", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory.max": "max\n"}, 24576000 * 1024},
		{"cgroup v1 limit", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory/memory.limit_in_bytes": "536870912\n"}, 512 << 20},
		// v1 writes "no limit" as the largest multiple of the page size below 2^63
		{"cgroup v1 unlimited", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}, 24576000 * 1024},
		{"limit above the machine", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory.max": "99999999999999\n"}, 24576000 * 1024},
		{"limit without meminfo", map[string]string{"/sys/fs/cgroup/memory.max": "2147483648"}, 2 << 30},
	} {
		read := func(path string) ([]byte, error) {
			if s, ok := c.files[path]; ok {
				return []byte(s), nil
			}
			return nil, os.ErrNotExist
		}
		if got := memoryOf(read); got != c.want {
			t.Errorf("%s: %.0f bytes, want %.0f", c.name, got, c.want)
		}
	}
}

// TestErrorCap checks that validate, run and sweep print the first 100 errors of a file with
// 10,000 of them, then a line counting the others.
func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("users:\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "- {name: u%d, groups: [nosuch]}\n", i) // an unknown group each
	}
	path := writeFile(t, "many.yaml", b.String())
	for _, args := range [][]string{{"validate", path}, {"run", path}, {"sweep", path}} {
		code, _, stderr := idcsim(t, args...)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if code != exitUsage || len(lines) != scenarios.MaxErrors+1 {
			t.Errorf("idcsim %s: exit %d, %d lines, want %d and %d lines", args[0], code, len(lines), exitUsage, scenarios.MaxErrors+1)
			continue
		}
		if !strings.HasPrefix(lines[0], path+":2:") || lines[len(lines)-1] != path+": and 9900 more errors" {
			t.Errorf("idcsim %s: first line %q, last %q", args[0], lines[0], lines[len(lines)-1])
		}
	}
}

// TestNodeCapCommands checks that validate and table --check refuse a file that could make
// more YAML nodes than the limit, at the place it crosses it, without parsing it.
func TestNodeCapCommands(t *testing.T) {
	// Each entry "[k0]," counts 3 for nodeBound ("[" 1, "k0" 1, "," 1) after the document's 2
	// and "rows:"'s 2: 333,332 entries come to 1,000,000, and the "[" of the next, at column
	// 7 + 5*333,332, crosses the limit.
	data := "rows: " + strings.Repeat("[k0],", scenarios.MaxNodes/3+10) + "\n"
	path := writeFile(t, "big.yaml", data)
	want := fmt.Sprintf("%s:1:%d: the file could make more than 1000000 YAML nodes by here", path, 7+5*333_332)
	for _, args := range [][]string{{"validate", path}, {"table", "--check", path}} {
		code, _, stderr := idcsim(t, args...)
		if code != exitUsage || !strings.HasPrefix(stderr, want) {
			t.Errorf("idcsim %s: exit %d, stderr:\n%s\nwant it to begin %s", args[0], code, stderr, want)
		}
	}
}

// TestMemoryLimit checks that the command sets the runtime's soft memory limit to the estimated
// peak of large work, and leaves it alone for small work and when GOMEMLIMIT says a limit.
func TestMemoryLimit(t *testing.T) {
	defer func(f func(int64) int64) { setMemoryLimit = f }(setMemoryLimit)
	var set []int64
	setMemoryLimit = func(b int64) int64 {
		set = append(set, b)
		return 0
	}
	t.Setenv("GOMEMLIMIT", "")
	limitMemory(sim.Work{PeakBytes: memoryLimitFloor - 1}) // small: the collector's headroom costs little
	limitMemory(sim.Work{PeakBytes: 1 << 30})
	t.Setenv("GOMEMLIMIT", "2GiB")
	limitMemory(sim.Work{PeakBytes: 3 << 30}) // the user's limit stands
	if want := []int64{1 << 30}; !slices.Equal(set, want) {
		t.Errorf("limits set %v, want %v", set, want)
	}
}
