package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// scalingRow is a row scripts/scaling prints: people, days, events, CPU s, wall s, peak MiB.
var scalingRow = regexp.MustCompile(`^\| ([0-9,]+) \| ([0-9]+) \| ([0-9,]+) \| [0-9]+\.[0-9] \| [0-9]+\.[0-9] \| [0-9]+ \|\n$`)

// scripts/scaling, which measures the README's scaling table, runs: it scales org-100k to the
// people and days it is given, and the events grow with the people (each person's working days
// are drawn alike, so twice the people make about twice the events; 20% allows for the draws).
func TestScalingScript(t *testing.T) {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		t.Skip("no /usr/bin/time (Debian's package time)")
	}
	if testing.Short() {
		t.Skip("runs idcsim four times")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// idcsim, as the script calls it: this test binary running idcsim (TestMain).
	wrapper := filepath.Join(t.TempDir(), "idcsim")
	script := "#!/bin/sh\nargs=\nfor a; do args=\"$args${args:+\n}$a\"; done\n" + envMainArgs + "=$args exec " + strconv.Quote(self) + "\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	events := map[string]float64{}
	for _, people := range []string{"1000", "2000", "50"} {
		cmd := exec.Command(filepath.Join("..", "..", "scripts", "scaling"), people, "3", "--workers", "1")
		cmd.Env = append(os.Environ(), "IDCSIM="+wrapper)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("scripts/scaling %s 3: %v\n%s", people, err, out)
		}
		m := scalingRow.FindStringSubmatch(string(out))
		if m == nil {
			t.Fatalf("scripts/scaling %s 3 printed %q, not a row of the table", people, out)
		}
		if p := strings.ReplaceAll(m[1], ",", ""); p != people || m[2] != "3" {
			t.Errorf("scripts/scaling %s 3: the row says %s people over %s days", people, m[1], m[2])
		}
		n, _ := strconv.ParseFloat(strings.ReplaceAll(m[3], ",", ""), 64)
		events[people] = n
	}
	if r := events["2000"] / events["1000"]; r < 1.6 || r > 2.4 {
		t.Errorf("2,000 people make %.0f events, %.2f times the %.0f of 1,000: want about twice", events["2000"], r, events["1000"])
	}
	if events["50"] <= 0 || events["50"] >= events["1000"] {
		t.Errorf("50 people make %.0f events, 1,000 make %.0f", events["50"], events["1000"])
	}
}

// scripts/scaling refuses what is not a number of people and days.
func TestScalingScriptUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"1000"}, {"1e6", "30"}, {"1000", "30d"}} {
		cmd := exec.Command(filepath.Join("..", "..", "scripts", "scaling"), args...)
		cmd.Env = append(os.Environ(), "IDCSIM=false")
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("scripts/scaling %q: %v, want exit 2\n%s", args, err, out)
		}
	}
}
