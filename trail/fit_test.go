package trail

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
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

// fewDays adds to known three people seen on few days: nina in New York on one Tuesday (the
// 10th, EDT: UTC-4), 9:05-16:50, federating 3 times and fetching CLI credentials twice, as the
// New York people do; kenji in Tokyo (UTC+9) on Wednesday the 11th, 9:00-17:30, and yuki in Tokyo
// on Thursday and Friday, 9:10-17:00 and 9:20-17:15, whom no population of people seen on more
// days is near.
const fewDays = known + `groups:
  - {name: nyg, assignments: [{account: prod, permission_set: Admin}, {account: dev, permission_set: Dev}]}
  - {name: tokyo, assignments: [{account: dev, permission_set: Dev}]}
users:
  - {name: nina, groups: [nyg], devices: [{name: laptop, kind: browser}, {name: term, kind: cli, browser: laptop}]}
  - {name: kenji, groups: [tokyo], devices: [{name: laptop, kind: browser}]}
  - {name: yuki, groups: [tokyo], devices: [{name: laptop, kind: browser}]}
events:
  - {at: 8d13h5m, action: sign_in, user: nina, device: laptop}
  - {at: 8d14h, action: federate, user: nina, device: laptop, account: prod, permission_set: Admin}
  - {at: 8d14h30m, action: cli_login, user: nina, device: term}
  - {at: 8d14h31m, action: get_role_credentials, user: nina, device: term, account: dev, permission_set: Dev}
  - {at: 8d16h, action: federate, user: nina, device: laptop, account: prod, permission_set: Admin}
  - {at: 8d18h, action: get_role_credentials, user: nina, device: term, account: dev, permission_set: Dev}
  - {at: 8d19h, action: federate, user: nina, device: laptop, account: prod, permission_set: Admin}
  - {at: 8d20h50m, action: sign_out, user: nina, device: laptop}
  - {at: 9d, action: sign_in, user: kenji, device: laptop}
  - {at: 9d1h, action: federate, user: kenji, device: laptop, account: dev, permission_set: Dev}
  - {at: 9d5h, action: federate, user: kenji, device: laptop, account: dev, permission_set: Dev}
  - {at: 9d8h30m, action: sign_out, user: kenji, device: laptop}
  - {at: 10d10m, action: sign_in, user: yuki, device: laptop}
  - {at: 10d2h, action: federate, user: yuki, device: laptop, account: dev, permission_set: Dev}
  - {at: 10d8h, action: sign_out, user: yuki, device: laptop}
  - {at: 11d20m, action: sign_in, user: yuki, device: laptop}
  - {at: 11d3h, action: federate, user: yuki, device: laptop, account: dev, permission_set: Dev}
  - {at: 11d6h, action: federate, user: yuki, device: laptop, account: dev, permission_set: Dev}
  - {at: 11d8h15m, action: sign_out, user: yuki, device: laptop}
`

// People seen on fewer than minUserDays days get no population of their own: nina, whose time
// zone, weekday and counts agree with the New York people's, joins theirs; kenji and yuki, near
// no population, are pooled in one of Tokyo fitted over their 3 days. Every user-day is counted
// once, and the notes say so.
func TestFitFewDays(t *testing.T) {
	sc, err := scenarios.Parse("few.yaml", []byte(fewDays))
	if err != nil {
		t.Fatal(err)
	}
	_, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	window := sc.Profile.CLIRefreshWindow
	own := map[string]int{} // each user's days of activity
	total := 0
	for _, u := range tl.Users {
		if f := fitUser(u, window); f != nil {
			own[u.Name] = len(f.days)
			total += len(f.days)
		}
	}
	if own["nina"] != 1 || own["kenji"] != 1 || own["yuki"] != 2 {
		t.Fatalf("days seen: nina %d, kenji %d, yuki %d; want 1, 1, 2", own["nina"], own["kenji"], own["yuki"])
	}
	pops, silent := fitPopulations(tl.Users, window)
	if silent != 0 {
		t.Errorf("%d users without activity", silent)
	}
	sum := 0
	var ny, pool *fitted
	for _, p := range pops {
		days := 0
		for _, u := range p.users {
			days += own[u]
		}
		if len(p.days) != days {
			t.Errorf("%v: %d user-days, want %d, the sum of its people's", p.users, len(p.days), days)
		}
		sum += len(p.days)
		if slices.Contains(p.users, "nina") {
			ny = p
		}
		if slices.Contains(p.users, "kenji") {
			pool = p
		}
		if len(p.users) == 1 && own[p.users[0]] < minUserDays {
			t.Errorf("%s, seen on %d days, has a population of their own", p.users[0], own[p.users[0]])
		}
	}
	if sum != total {
		t.Errorf("the populations rest on %d user-days, the users' own add up to %d", sum, total)
	}
	// a population of New York people of known (5 weekdays a week for 4 weeks: 20 days each;
	// how many of the three agree to one significant figure depends on their draws) and nina
	if ny == nil || ny.zone != "America/New_York" || len(ny.users) < 2 || !slices.Equal(ny.joined, []string{"nina"}) || ny.joinedDays != 1 || len(ny.days) != 20*(len(ny.users)-1)+1 || ny.pooled {
		t.Fatalf("nina's population: %+v", ny)
	}
	// kenji on Wednesday, yuki on Thursday and Friday: pooled, their weekdays those
	if pool == nil || !pool.pooled || pool.zone != "Asia/Tokyo" || !slices.Equal(pool.users, []string{"kenji", "yuki"}) || len(pool.days) != 3 ||
		pool.working != [7]bool{time.Wednesday: true, time.Thursday: true, time.Friday: true} {
		t.Errorf("the pool: %+v", pool)
	}
	fit, notes, err := Fit(tl, FitOptions{Seed: 1, Replications: 1})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(notes, "\n")
	for _, want := range []string{
		fmt.Sprintf("nina, seen on fewer than 5 days each, joined it: their time zone, weekdays and counts agree with its figures, which rest on %d user-days: %d of its people seen on more, 1 of those who joined", len(ny.days), len(ny.days)-1),
		"2 of the users (kenji, yuki), each seen on fewer than 5 days and near no population of people seen on more, pooled: time zone Asia/Tokyo",
		// the days' first activity at 9:00, 9:10 and 9:20 (10th percentile 9:00, 90th 9:20: a
		// spread of 20 minutes, to the half hour 30), their spans 8h30m, 7h50m and 7h55m (90th
		// percentile 8h30m: to 17:30)
		"working days wed, thu, fri (active on at least half of the days seen of each weekday, over all of theirs); hours 9:00-17:30, arrival spread 30m00s, from 3 user-days",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the notes lack %q:\n%s", want, text)
		}
	}
	people := 0
	for _, p := range fit.Populations {
		people += p.Count
	}
	if people != len(own) {
		t.Errorf("%d people in the populations, want %d", people, len(own))
	}
}

// near: a person seen on few days is near a population of their time zone whose working days
// hold theirs and whose rates give their counts within 2 standard deviations and one more.
func TestFitNear(t *testing.T) {
	// New York people federating 3 times and using the CLI 4 times a day, Monday to Friday
	g := &fitted{zone: "America/New_York", working: [7]bool{1: true, 2: true, 3: true, 4: true, 5: true}, fedRate: 3, cliRate: 4}
	person := func(zone string, weekday time.Weekday, days int, fed, cli float64) *fitted {
		f := &fitted{zone: zone, days: make([]day, days), fedRate: fed, cliRate: cli}
		f.worked[weekday] = days
		return f
	}
	for _, c := range []struct {
		what string
		f    *fitted
		near bool
	}{
		{"the same figures", person("America/New_York", time.Tuesday, 1, 3, 4), true},
		// 3 a day over 2 days: 6 expected, sd sqrt(6): 2*2.45+1 = 5.9 either side
		{"11 federations in 2 days", person("America/New_York", time.Tuesday, 2, 5.5, 4), true},
		{"13 federations in 2 days", person("America/New_York", time.Tuesday, 2, 6.5, 4), false},
		{"no CLI in a day", person("America/New_York", time.Tuesday, 1, 3, 0), true},
		{"a Saturday", person("America/New_York", time.Saturday, 1, 3, 4), false},
		{"another time zone", person("America/Chicago", time.Tuesday, 1, 3, 4), false},
	} {
		if _, ok := near(g, c.f); ok != c.near {
			t.Errorf("%s: near %v, want %v", c.what, ok, c.near)
		}
	}
}
