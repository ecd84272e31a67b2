package trail

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"idcsim/scenarios"
	"idcsim/sim"
)

// known is a scenario of two kinds of people with known behaviours over four weeks: three in New
// York working Monday to Friday 9:00-17:00, federating 3 times and using the CLI 4 times a day,
// and two in Berlin working Monday to Thursday 8:00-16:00, federating twice a day, no CLI.
const known = `name: known
start: 2026-03-02T00:00:00Z
horizon: 28d
seed: 7
replications: 1
accounts: [prod, dev]
permission_sets: [{name: Admin, session_duration: 1h}, {name: Dev, session_duration: 1h}]
# longer than the working day, so that a sign-out at its end ends a live session and is logged
settings: {portal_session: 12h}
behaviours:
  - name: ny
    time_zone: America/New_York
    working_days: [mon, tue, wed, thu, fri]
    # no arrival spread: with one of an hour, Chicago's 9:00-17:00 is as near as New York's
    # (their activity from 9:30 on average, 8:30 in Chicago) and the fit a coin flip
    working_hours: {start: 9h, end: 17h}
    sign_out: 0.5
    federate: {per_day: 3, targets: [{account: prod, permission_set: Admin}]}
    cli: {per_day: 4, targets: [{account: dev, permission_set: Dev}]}
  - name: berlin
    time_zone: Europe/Berlin
    working_days: [mon, tue, wed, thu]
    working_hours: {start: 8h, end: 16h}
    arrival_spread: 30m
    sign_out: 0.2
    federate: {per_day: 2, targets: [{account: dev, permission_set: Dev}]}
populations:
  - name: ny
    count: 3
    behaviour: ny
    assignments: [{account: prod, permission_set: Admin}, {account: dev, permission_set: Dev}]
    devices: [{name: laptop, kind: browser}, {name: term, kind: cli, browser: laptop}]
  - name: berlin
    count: 2
    behaviour: berlin
    assignments: [{account: dev, permission_set: Dev}]
    devices: [{name: laptop, kind: browser}]
`

// Fit finds, from the CloudTrail records of the simulated activity, each kind of person's time
// zone, working days, hours within an hour and daily rates within the sampling error; the
// scenario it writes validates and runs.
func TestFit(t *testing.T) {
	sc, err := scenarios.Parse("known.yaml", []byte(known))
	if err != nil {
		t.Fatal(err)
	}
	_, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	fit, notes, err := Fit(tl, FitOptions{Seed: 1, Replications: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		t.Log(n)
	}
	type want struct {
		days                   []time.Weekday
		start, end             time.Duration
		federate, cli, signOut float64
		workingDays            int // working days of one person in the 4 weeks
		people                 int
	}
	wd := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	wants := map[string]*want{
		"America/New_York": {days: wd, start: 9 * time.Hour, end: 17 * time.Hour, federate: 3, cli: 4, signOut: 0.5, workingDays: 20, people: 3},
		"Europe/Berlin":    {days: wd[:4], start: 8 * time.Hour, end: 16 * time.Hour, federate: 2, signOut: 0.2, workingDays: 16, people: 2},
	}
	people := map[string]int{}
	for i, b := range fit.Behaviours {
		p := fit.Populations[i]
		w := wants[b.Location.String()]
		if w == nil {
			t.Errorf("%s: time zone %s, want one of New York's or Berlin's", b.Name, b.Location)
			continue
		}
		people[b.Location.String()] += p.Count
		var days []time.Weekday
		for d, ok := range b.WorkingDays {
			if ok {
				days = append(days, time.Weekday(d))
			}
		}
		if !slices.Equal(days, w.days) {
			t.Errorf("%s: working days %v, want %v", b.Name, days, w.days)
		}
		if absDur(b.DayStart-w.start) > time.Hour || absDur(b.DayEnd-w.end) > time.Hour {
			t.Errorf("%s: hours %s-%s, want within an hour of %s-%s", b.Name, clock(b.DayStart), clock(b.DayEnd), clock(w.start), clock(w.end))
		}
		// A rate r counted over n user-days (every working day has its sign-in, so n is the
		// people's working days) has the standard deviation sqrt(r/n) of a Poisson count's
		// mean, sqrt(p(1-p)/n) for a probability: 4 of them, plus the rounding to the
		// hundredth, fail a correct fit about once in 16,000 runs.
		n := float64(p.Count * w.workingDays)
		// The CLI's rate is inferred from its fetches (cliUses): with uses at r a day through
		// the day of length L (8h), the credentials (1h) cached for tau (1h less the refresh
		// window), it fetches f = L*r/(L + tau*r) a day, which has at most Poisson's standard
		// deviation sqrt(f/n); r = L*f/(L - tau*f) magnifies it by dr/df = (L/(L - tau*f))^2.
		L, tau := 8.0, 1-fit.Profile.CLIRefreshWindow.Hours()
		f := L * w.cli / (L + tau*w.cli)
		cliSD := math.Pow(L/(L-tau*f), 2) * math.Sqrt(f/n)
		for _, c := range []struct {
			what      string
			got, want float64
			sd        float64
		}{
			{"federate per_day", b.Federate.PerDay, w.federate, math.Sqrt(w.federate / n)},
			{"cli per_day", b.CLI.PerDay, w.cli, cliSD},
			{"sign_out", b.SignOutProbability, w.signOut, math.Sqrt(w.signOut * (1 - w.signOut) / n)},
		} {
			if math.Abs(c.got-c.want) > 4*c.sd+0.005 {
				t.Errorf("%s: %s %.2f, want %.2f ± %.2f", b.Name, c.what, c.got, c.want, 4*c.sd+0.005)
			}
		}
		hasCLI := slices.ContainsFunc(p.Devices, func(d sim.Device) bool { return d.Kind == sim.CLI && d.Browser == browserDevice })
		if hasCLI != (w.cli > 0) {
			t.Errorf("%s: devices %v, want a CLI through the browser: %t", b.Name, p.Devices, w.cli > 0)
		}
	}
	for z, w := range wants {
		if people[z] != w.people {
			t.Errorf("%d people fitted in %s, want %d", people[z], z, w.people)
		}
	}
	// 5 people: the default offboarding of 1%, at least 1
	if len(fit.Offboardings) != 1 || fit.Offboardings[0].Count != 1 {
		t.Errorf("offboardings %+v, want one entry of 1 person", fit.Offboardings)
	}
	data, err := scenarios.Marshal(fit)
	if err != nil {
		t.Fatal(err)
	}
	back, err := scenarios.Parse("fit.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	res, err := sim.Run(context.Background(), back, sim.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	// the generated offboarding of each replication
	if len(res.Offboardings) != back.Replications {
		t.Errorf("%d offboardings in %d replications, want one each", len(res.Offboardings), back.Replications)
	}
}

// A timeline with no activity fits no population and no offboarding, and still validates.
func TestFitEmpty(t *testing.T) {
	sc, notes, err := Fit(&Timeline{}, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Populations) != 0 || len(sc.Offboardings) != 0 {
		t.Errorf("populations %v, offboardings %v, want none", sc.Populations, sc.Offboardings)
	}
	data, err := scenarios.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scenarios.Parse("empty.yaml", data); err != nil {
		t.Errorf("%v (notes %v)\n%s", err, notes, data)
	}
}

// Populations group rates rounded to one significant figure: 2.5 and 3.4 both round to 3, 2.4 to
// 2, 0.26 to 0.3 and 14 to 10.
func TestOneFigure(t *testing.T) {
	for x, want := range map[float64]float64{2.5: 3, 3.4: 3, 2.4: 2, 0.26: 0.3, 14: 10, 0: 0} {
		if got := oneFigure(x); math.Abs(got-want) > 1e-9 {
			t.Errorf("oneFigure(%g) = %g, want %g", x, got, want)
		}
	}
}
