package trail

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones read the same on every machine

	"gonum.org/v1/gonum/stat"

	"idcsim/sim"
)

// FitOptions say how to fit behaviours to a timeline.
type FitOptions struct {
	// Config, when set, supplies the portal session and permission sets the logs do not show.
	Config       *Config
	Seed         uint64
	Replications int
}

// fitZones are the time zones Fit chooses among for a person's working hours.
var fitZones = []string{"UTC", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney",
	"America/Sao_Paulo", "America/New_York", "America/Chicago", "America/Los_Angeles"}

// Fitting thresholds.
const (
	// workingShare is the share of the weeks observed on which a weekday must show activity to be
	// a working day.
	workingShare = 0.5
	// lowQuantile and highQuantile of the first and last activity of the days give the start and
	// the end of the working hours.
	lowQuantile, highQuantile = 0.1, 0.9
	// fitHorizon is the shortest horizon of a fitted scenario.
	fitHorizon = 28 * 24 * time.Hour
	// defaultPlaybook is the built-in playbook of the generated offboardings.
	defaultPlaybook = "aws-recommended"
	// minUserDays is the fewest days of activity on which a person's own figures stand. Fewer
	// are less than a working week: they cannot tell which weekdays the person works, the 10th
	// and 90th percentiles of their hours are the earliest and the latest of a handful of
	// values, and a rate of 2 a day rests on fewer than 10 events (a standard error over 30%).
	// People seen on fewer days join the population whose figures agree with theirs (near), or
	// are pooled with the others of their time zone.
	minUserDays = 5
)

// day is what a person did on one day of their time zone.
type day struct {
	date                         time.Time // local midnight, as a UTC date
	first, last                  time.Duration
	signIns, signOuts, federates int
}

// fitted is a person's or a population's fit.
type fitted struct {
	zone          string
	loc           *time.Location
	working       [7]bool
	days          []day
	federate, cli []sim.Assignment
	users         []string
	// fetches counts the CLI's role credentials per target; lifetime is their longest
	// lifetime per target
	fetches                            map[sim.Assignment]int
	lifetime                           map[sim.Assignment]time.Duration
	weeks                              int // the weeks observed, for the notes
	start, end, spread                 time.Duration
	fedRate, cliRate, signIns, signOut float64
	// seen and worked count, per weekday, the days from each person's first day of activity to
	// their last, and those with activity
	seen, worked [7]int
	// joined are the people seen on fewer than minUserDays who joined the population, and
	// joinedDays their days; pooled says the population is of such people only, near no other
	joined     []string
	joinedDays int
	pooled     bool
}

// Fit fits behaviours to the timeline's people: per user, from the times of their sign-ins,
// sign-outs, CLI logins, federations and role credentials, the time zone, working days, working
// hours and daily rates; then it groups the users whose fits agree (the time zone, the working
// days, and the daily rates of federations and CLI credentials rounded to one significant
// figure) into populations, each fitted again over the days of all its people, with the
// accounts and permission sets they used as assignments, and adds a default offboardings entry.
// People seen on fewer than minUserDays days join the population nearest theirs, or a pool of
// their time zone (fitPopulations). The notes say how many user-days each figure rests on.
func Fit(tl *Timeline, opts FitOptions) (*sim.Scenario, []string, error) {
	base := &Timeline{From: tl.From, To: tl.To, Durations: tl.Durations, ExternalIdP: tl.ExternalIdP}
	w, err := newWriter(base, ScenarioOptions{Config: opts.Config, Seed: opts.Seed, Replications: opts.Replications})
	if err != nil {
		return nil, nil, err
	}
	window := w.sc.Profile.CLIRefreshWindow
	pops, silent := fitPopulations(tl.Users, window)
	if silent > 0 {
		w.note("%s with no sign-in, federation or CLI activity in the logs: left out", plural(silent, "user"))
	}
	sc := w.sc
	sc.Name = "cloudtrail-fit"
	people := 0
	for i, p := range pops {
		name := fmt.Sprintf("fitted-%d", i+1)
		for _, a := range append(slices.Clone(p.federate), p.cli...) {
			w.account(a.Account)
			w.permSet(a.PermissionSet)
		}
		sc.Behaviours = append(sc.Behaviours, p.behaviour(name))
		devs := []sim.Device{{Name: browserDevice, Kind: sim.Browser}}
		if p.cliRate > 0 {
			devs = append(devs, sim.Device{Name: cliDevice, Kind: sim.CLI, Browser: browserDevice})
		}
		sc.Populations = append(sc.Populations, sim.Population{Name: name, Count: len(p.users), Behaviour: name,
			Assignments: union(p.federate, p.cli), Devices: devs})
		people += len(p.users)
		w.notes = append(w.notes, p.notes(name)...)
	}
	w.finish()
	sc.Horizon = min(max(sc.Horizon, fitHorizon), maxHorizon)
	if people > 0 {
		// a default, as idcsim import writes: about 1% of the people leave in the first three
		// weeks, offboarded in the documented order
		sc.Offboardings = []sim.OffboardingPlan{{Count: max(1, min(50, people/100)), From: 24 * time.Hour,
			To: 21 * 24 * time.Hour, PlaybookName: defaultPlaybook}}
		w.note("offboardings: a default, about 1%% of the people in the first three weeks with the %s playbook: write your own", defaultPlaybook)
	}
	return sc, w.notes, nil
}

// fitPopulations fits each user and groups them into populations, largest first, and counts
// the users with no activity to fit. The users seen on at least minUserDays days whose fits
// agree (key) make a population. Each user seen on fewer joins the population of those that is
// near theirs (near; the nearest of several), or else is pooled with the others of their time
// zone near none; a population is fitted again over all the days of its people.
func fitPopulations(users []*User, window time.Duration) (pops []*fitted, silent int) {
	groups := map[string]*fitted{}
	var few []*fitted
	for _, u := range users {
		f := fitUser(u, window)
		switch {
		case f == nil:
			silent++
		case len(f.days) < minUserDays:
			few = append(few, f)
		default:
			k := f.key()
			g := groups[k]
			if g == nil {
				g = newPopulation(f)
				groups[k] = g
				pops = append(pops, g)
			}
			g.add(f)
		}
	}
	for _, g := range pops {
		g.fit(window)
	}
	// the populations of the people seen on enough days are what the others are set against,
	// before any joins them
	var pools []*fitted
	joins := make([]*fitted, len(few))
	for i, f := range few {
		joins[i] = nearest(pops, f)
	}
	for i, f := range few {
		g := joins[i]
		if g == nil {
			at := slices.IndexFunc(pools, func(p *fitted) bool { return p.zone == f.zone })
			if at < 0 {
				g = newPopulation(f)
				g.pooled = true
				pools = append(pools, g)
			} else {
				g = pools[at]
			}
		} else {
			g.joined = append(g.joined, f.users...)
			g.joinedDays += len(f.days)
		}
		g.add(f)
	}
	for _, g := range pops {
		if len(g.joined) > 0 {
			g.fit(window)
		}
	}
	for _, g := range pools {
		g.setWorking()
		g.fit(window)
	}
	pops = append(pops, pools...)
	slices.SortStableFunc(pops, func(a, b *fitted) int { return cmp.Compare(len(b.users), len(a.users)) })
	return pops, silent
}

// newPopulation returns an empty population of f's time zone and working days.
func newPopulation(f *fitted) *fitted {
	return &fitted{zone: f.zone, loc: f.loc, working: f.working, fetches: map[sim.Assignment]int{}, lifetime: map[sim.Assignment]time.Duration{}}
}

// add adds a person's days, targets and credentials to the population.
func (g *fitted) add(f *fitted) {
	g.users = append(g.users, f.users...)
	g.days = append(g.days, f.days...)
	g.federate = union(g.federate, f.federate)
	g.cli = union(g.cli, f.cli)
	g.weeks = max(g.weeks, f.weeks)
	for wd := range 7 {
		g.seen[wd] += f.seen[wd]
		g.worked[wd] += f.worked[wd]
	}
	for a, n := range f.fetches {
		g.fetches[a] += n
		g.lifetime[a] = max(g.lifetime[a], f.lifetime[a])
	}
}

// nearest returns the population whose figures are nearest those of f, a person seen on few
// days, among those near them; nil when none is.
func nearest(pops []*fitted, f *fitted) *fitted {
	var best *fitted
	bestScore := math.Inf(1)
	for _, g := range pops {
		if s, ok := near(g, f); ok && (s < bestScore || s == bestScore && len(g.users) > len(best.users)) {
			best, bestScore = g, s
		}
	}
	return best
}

// near says whether the figures of f, a person seen on few days, agree with those of the
// population g, and how far they are: the same time zone; every weekday f was active on a
// working day of g; and each of f's counts (federations, CLI uses) over their n days within
// what g's rate gives over n days, 2 standard deviations of a Poisson count and one more. The
// distance is the sum of the two counts' distances in those standard deviations.
func near(g, f *fitted) (float64, bool) {
	if g.zone != f.zone {
		return 0, false
	}
	for wd := range 7 {
		if f.worked[wd] > 0 && !g.working[wd] {
			return 0, false
		}
	}
	n := float64(len(f.days))
	score := 0.0
	for _, r := range [][2]float64{{f.fedRate, g.fedRate}, {f.cliRate, g.cliRate}} {
		k, mean := r[0]*n, r[1]*n
		d := math.Abs(k - mean)
		if d > 2*math.Sqrt(mean)+1 {
			return 0, false
		}
		score += d / math.Sqrt(mean+1)
	}
	return score, true
}

// setWorking sets the working days from seen and worked: the weekdays with activity on at
// least workingShare of the days seen, or, when none has, every weekday with activity.
func (f *fitted) setWorking() {
	some := false
	for wd := range 7 {
		f.working[wd] = f.worked[wd] > 0 && float64(f.worked[wd]) >= workingShare*float64(f.seen[wd])
		some = some || f.working[wd]
	}
	if !some { // too few days to tell: the weekdays they were active on
		for wd := range 7 {
			f.working[wd] = f.worked[wd] > 0
		}
	}
}

// fitUser fits a user's behaviour, or returns nil when their grants show no activity. The time
// zone is the one of fitZones that puts the 10th and 90th percentiles of the local times of day
// of their activity nearest 9:00 and 17:00 (the least sum of the distances; the first listed on
// a tie, UTC first): a zone in which their days cross midnight spreads the percentiles apart and
// loses. Their days, weekdays and hours are then local.
func fitUser(u *User, window time.Duration) *fitted {
	var times []time.Time
	for _, g := range u.Grants {
		if timesActivity(g) {
			times = append(times, g.Ev.Time)
		}
	}
	if len(times) == 0 {
		return nil
	}
	f := &fitted{users: []string{u.Name}, fetches: map[sim.Assignment]int{}, lifetime: map[sim.Assignment]time.Duration{}}
	best := math.Inf(1)
	for _, z := range fitZones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			continue
		}
		hours := make([]float64, len(times))
		for i, t := range times {
			hours[i] = float64(timeOfDay(t.In(loc))) / float64(time.Hour)
		}
		slices.Sort(hours)
		lo, hi := stat.Quantile(lowQuantile, stat.Empirical, hours, nil), stat.Quantile(highQuantile, stat.Empirical, hours, nil)
		if d := math.Abs(lo-9) + math.Abs(hi-17); d < best {
			best, f.zone, f.loc = d, z, loc
		}
	}
	byDate := map[time.Time]*day{}
	for _, g := range u.Grants {
		if !timesActivity(g) {
			continue
		}
		t := g.Ev.Time.In(f.loc)
		date := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		d := byDate[date]
		tod := timeOfDay(t)
		if d == nil {
			d = &day{date: date, first: tod, last: tod}
			byDate[date] = d
		}
		d.first, d.last = min(d.first, tod), max(d.last, tod)
		switch {
		case g.Kind == gSignIn:
			d.signIns++
		case g.Kind == gSignOut:
			d.signOuts++
		case g.Kind == gFederate && g.Account != "" && g.PermissionSet != "":
			d.federates++
			f.federate = union(f.federate, []sim.Assignment{{Account: g.Account, PermissionSet: g.PermissionSet}})
		case g.Kind == gCreds && !browserAgent(g.Agent) && g.Account != "" && g.PermissionSet != "":
			a := sim.Assignment{Account: g.Account, PermissionSet: g.PermissionSet}
			f.fetches[a]++
			f.lifetime[a] = max(f.lifetime[a], g.Lifetime)
			f.cli = union(f.cli, []sim.Assignment{a})
		}
	}
	for _, d := range byDate {
		f.days = append(f.days, *d)
	}
	slices.SortFunc(f.days, func(a, b day) int { return a.date.Compare(b.date) })
	// the weekdays observed: each local date from the user's first day of activity to their
	// last (an offboarding, or logs that begin after they joined, leave the others out)
	for d := f.days[0].date; !d.After(f.days[len(f.days)-1].date); d = d.AddDate(0, 0, 1) {
		f.seen[d.Weekday()]++
	}
	for _, d := range f.days {
		f.worked[d.date.Weekday()]++
	}
	for wd := range 7 {
		f.weeks = max(f.weeks, f.seen[wd])
	}
	f.setWorking()
	f.fit(window)
	return f
}

// timesActivity says a grant is a person's own action whose time tells their working hours.
func timesActivity(g Grant) bool {
	switch g.Kind {
	case gSignIn:
		return !g.Failed
	case gSignOut, gLogin, gFederate, gCreds:
		return true
	}
	return false
}

// timeOfDay is the time of day of t, in its location.
func timeOfDay(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
}

// fit sets the hours and rates from the days: the working day starts at the 10th percentile of
// the days' first activity and lasts the 90th percentile of the span from their first activity
// to their last (the engine's day runs that long from each arrival), rounded to the half hour;
// the arrival spread is the distance from the 10th to the 90th percentile of the first
// activity; the rates are the counts over the user-days observed, but for the CLI's (cliUses).
func (f *fitted) fit(window time.Duration) {
	n := len(f.days)
	firsts, spans := make([]float64, n), make([]float64, n)
	var signIns, signOuts, feds int
	for i, d := range f.days {
		firsts[i], spans[i] = float64(d.first), float64(d.last-d.first)
		signIns += d.signIns
		signOuts += d.signOuts
		feds += d.federates
	}
	slices.Sort(firsts)
	slices.Sort(spans)
	half := float64(30 * time.Minute)
	round := func(x float64) time.Duration { return time.Duration(math.Round(x/half) * half) }
	lo := stat.Quantile(lowQuantile, stat.Empirical, firsts, nil)
	f.start = min(round(lo), 23*time.Hour)
	f.spread = max(round(stat.Quantile(highQuantile, stat.Empirical, firsts, nil)-lo), 0)
	f.end = min(max(f.start+round(stat.Quantile(highQuantile, stat.Empirical, spans, nil)), f.start+30*time.Minute), 24*time.Hour)
	f.spread = min(f.spread, f.end-f.start)
	perDay := func(k int) float64 { return float64(k) / float64(n) }
	f.signIns, f.signOut = perDay(signIns), min(perDay(signOuts), 1)
	f.fedRate, f.cliRate = perDay(feds), f.cliUses(n, window)
	if len(f.federate) == 0 {
		f.fedRate = 0
	}
	if len(f.cli) == 0 {
		f.cliRate = 0
	}
}

// key is what users must share to be one population.
func (f *fitted) key() string {
	var days []string
	for wd, ok := range f.working {
		if ok {
			days = append(days, time.Weekday(wd).String()[:3])
		}
	}
	return fmt.Sprintf("%s %s federate %g cli %g", f.zone, strings.Join(days, ","), oneFigure(f.fedRate), oneFigure(f.cliRate))
}

// oneFigure rounds x to one significant figure.
func oneFigure(x float64) float64 {
	if x <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	return math.Round(x/p) * p
}

// behaviour is the fitted behaviour, rates rounded to the hundredth.
func (f *fitted) behaviour(name string) sim.Behaviour {
	r := func(x float64) float64 { return math.Round(x*100) / 100 }
	b := sim.Behaviour{Name: name, Location: f.loc, WorkingDays: f.working, DayStart: f.start, DayEnd: f.end,
		ArrivalSpread: f.spread, SignOutProbability: r(f.signOut)}
	if f.fedRate > 0 {
		b.Federate = sim.Activity{PerDay: r(f.fedRate), Targets: f.federate}
	}
	if f.cliRate > 0 {
		b.CLI = sim.Activity{PerDay: r(f.cliRate), Targets: f.cli}
	}
	return b
}

// notes say what the population's figures rest on.
func (f *fitted) notes(name string) []string {
	who := strings.Join(f.users[:min(3, len(f.users))], ", ")
	if len(f.users) > 3 {
		who += fmt.Sprintf(" and %d more", len(f.users)-3)
	}
	var days []string
	for wd, ok := range f.working {
		if ok {
			days = append(days, strings.ToLower(time.Weekday(wd).String()[:3]))
		}
	}
	n, fetched, cli := len(f.days), 0, ""
	for _, k := range f.fetches {
		fetched += k
	}
	if fetched > 0 {
		cli = fmt.Sprintf(", %.2f CLI uses (from %d role credentials fetched: the CLI serves some uses from its cache)", f.cliRate, fetched)
	}
	people := fmt.Sprintf("%s: %d of the users (%s), time zone %s (the one that puts their activity nearest 9:00-17:00)", name, len(f.users), who, f.zone)
	working := fmt.Sprintf("active on at least half of the weeks, up to %d, from their first day of activity to their last", f.weeks)
	if f.pooled {
		people = fmt.Sprintf("%s: %d of the users (%s), each seen on fewer than %d days and near no population of people seen on more, pooled: time zone %s (the one that puts their activity nearest 9:00-17:00), the other figures fitted over all their days together",
			name, len(f.users), who, minUserDays, f.zone)
		working = "active on at least half of the days seen of each weekday, over all of theirs"
	}
	out := []string{people,
		fmt.Sprintf("%s: working days %s (%s); hours %s-%s, arrival spread %s, from %d user-days",
			name, strings.Join(days, ", "), working, clock(f.start), clock(f.end), sim.HumanDuration(f.spread), n),
		fmt.Sprintf("%s: per day over %d user-days: %.2f sign-ins, %.2f federations%s; sign-out on %.0f%% of them",
			name, n, f.signIns, f.fedRate, cli, 100*f.signOut),
	}
	if len(f.joined) > 0 {
		out = append(out, fmt.Sprintf("%s: %s, seen on fewer than %d days each, joined it: their time zone, weekdays and counts agree with its figures, which rest on %d user-days: %d of its people seen on more, %d of those who joined",
			name, strings.Join(f.joined, ", "), minUserDays, n, n-f.joinedDays, f.joinedDays))
	}
	return out
}

// clock writes a time of day as 9:30.
func clock(d time.Duration) string {
	return fmt.Sprintf("%d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// union returns a with the assignments of b it lacks, sorted.
func union(a, b []sim.Assignment) []sim.Assignment {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(x, y sim.Assignment) int {
		return cmp.Or(cmp.Compare(x.Account, y.Account), cmp.Compare(x.PermissionSet, y.PermissionSet))
	})
	return out
}

// cliUses is the daily rate of the CLI's uses that explains the role credentials it fetched over
// n user-days. The CLI fetches credentials for a target only when it holds none with more than
// the refresh window left (CLI-5), so that after a fetch the uses of that target are served from
// the cache for tau, the credentials' lifetime less the window: with uses at the rate lambda
// through a working day of length L, fetches come one per tau + 1/lambda on average, about
// L/(tau + 1/lambda) a day; so lambda is 1/(L/f - tau) for f fetches a day, summed over the
// targets. Where f is too high for that (L/f <= tau: the credentials are not cached, as by a
// script of its own), the fetches are the uses.
func (f *fitted) cliUses(n int, window time.Duration) float64 {
	length := float64(f.end - f.start)
	rate := 0.0
	for _, a := range f.cli { // in order, for the same sum every time
		perDay := float64(f.fetches[a]) / float64(n)
		tau := float64(max(f.lifetime[a]-window, 0))
		if gap := length/perDay - tau; gap > 0 {
			rate += length / gap
		} else {
			rate += perDay
		}
	}
	return rate
}
