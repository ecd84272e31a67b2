package trail

import (
	"context"
	"fmt"
	"time"

	"idcsim/report"
	"idcsim/sim"
)

// Options set up an analysis.
type Options struct {
	// Config supplies what the logs do not show (ScenarioOptions.Config).
	Config *Config
	// Replications of the engine over the reconstructed timeline, drawing the phases the logs
	// do not show (DefaultReplications when 0), and their seed.
	Replications int
	Seed         uint64
	// Workers is the engine's sim.Options.Workers.
	Workers int
}

// DefaultReplications is how many times the engine runs the reconstructed timeline.
const DefaultReplications = 200

// Tolerance is how far past the bound observed activity may be before it is flagged: the
// records' times and the engine's are whole seconds, and the records of one grant may be a few
// seconds apart.
const Tolerance = time.Minute

// Report is what the logs and the rules say about each offboarding.
type Report struct {
	Counts   *Counts
	Timeline *Timeline
	// Scenario is what the engine ran: the offboarded users' timelines; Results its results.
	Scenario *sim.Scenario
	Results  *sim.Results
	// Offboardings are the timeline's offboardings with their windows, in time order.
	Offboardings []*OffboardingReport
	// Notes say what the reconstruction assumed or could not place.
	Notes []string
	// Pass says no activity was observed beyond the bound.
	Pass bool
}

// OffboardingReport is one offboarding: per channel, the observed window beside the bound.
type OffboardingReport struct {
	*Offboarding
	// Name is the user's name in the scenario.
	Name     string
	Windows  []Window
	Sessions []SessionLine
	// Hints say what the records suggest about activity beyond a bound.
	Hints []string
	// Beyond says some channel's observed window is beyond its bound.
	Beyond bool
}

// Window is one channel of an offboarding: what the logs show after it, and what the rules allow.
type Window struct {
	Channel string
	// Observed is the time from the offboarding to the last activity on the channel the logs
	// show before the user was enabled again; Last names that record. Seen is false when there
	// was none.
	Observed time.Duration
	Seen     bool
	Last     Evidence
	// Refused is the last refused attempt after the offboarding (an access-denied or
	// expired-token error, a failed sign-in), when there was one.
	Refused     *Evidence
	LastRefused time.Duration
	// Modelled says the engine models the channel's sessions here; the bound is then the
	// engine's: the max and the 95th percentile of the channel's window over the replications,
	// how many replications left it open at the horizon, and what held it last.
	Modelled         bool
	BoundMax         time.Duration
	BoundP95         time.Duration
	BoundOpen        int
	BoundEvidence    string
	Beyond           bool
	BoundUnavailable bool // the engine has no such channel
}

// SessionLine is a grant or role session of an offboarded user around the offboarding.
type SessionLine struct {
	Kind   string
	At     time.Time
	Detail string
	// Until is a role session's expiry when known; LastUse its last use.
	Until, LastUse time.Time
	Ev             Evidence
}

// Analyze runs the engine over the offboarded users' reconstructed timelines and sets what the
// logs show after each offboarding beside the bound the rules give.
func Analyze(ctx context.Context, tl *Timeline, counts *Counts, opts Options) (*Report, error) {
	if opts.Replications <= 0 {
		opts.Replications = DefaultReplications
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	rep := &Report{Counts: counts, Timeline: tl, Pass: true}
	w, err := newWriter(tl, ScenarioOptions{Config: opts.Config, Offboarded: true, Seed: opts.Seed, Replications: opts.Replications})
	if err != nil {
		return nil, err
	}
	rep.Scenario, rep.Notes = w.sc, append(append([]string(nil), tl.Notes...), w.notes...)
	res, err := sim.Run(ctx, w.sc, sim.Options{Workers: opts.Workers})
	if err != nil {
		return nil, err
	}
	rep.Results = res
	for _, o := range tl.Offboardings {
		or := &OffboardingReport{Offboarding: o, Name: w.userNames[o.User]}
		var obs []sim.Offboarding
		for _, x := range res.Offboardings {
			if x.User == or.Name {
				obs = append(obs, x)
			}
		}
		sub := *res
		sub.Offboardings = obs
		bound := report.Summarize(&sub)
		seen := observe(o, w.sc.Profile.DenyPropagation)
		for _, ch := range ObservedChannels {
			win := seen[ch]
			win.Channel = ch
			// app_on_behalf is modelled for a user as whom the scenario has applications act
			model := modelled[ch] || ch == chAppOnBehalf && w.onBehalf[o.User]
			if c, ok := sim.ParseChannel(ch); ok {
				cs := bound.Channels[c]
				win.Modelled = model || ch == chAny
				win.BoundMax, win.BoundP95, win.BoundOpen = cs.Max, cs.P95, cs.Open
				if cs.Worst != nil {
					win.BoundEvidence = cs.Worst.Windows[c].Evidence
				}
			} else {
				win.BoundUnavailable = true
			}
			if model && win.Seen && win.BoundOpen == 0 && win.Observed > win.BoundMax+Tolerance {
				win.Beyond = true
				or.Beyond = true
				rep.Pass = false
			}
			or.Windows = append(or.Windows, win)
		}
		or.Sessions = sessions(o)
		or.Hints = hints(o)
		rep.Offboardings = append(rep.Offboardings, or)
	}
	return rep, nil
}

// observe returns, per channel, the last activity after the offboarding and before the user was
// enabled again. Role credentials issued once a deny policy of the offboarding is in force (its
// step, plus the longest propagation, and not lifted since) are not access on role_new or
// app_on_behalf: the policy blocks every call of theirs (CUT-1, TTI-3), which role_existing
// shows as refused.
func observe(o *Offboarding, propagation time.Duration) map[string]Window {
	out := map[string]Window{}
	denied := func(t time.Time) bool {
		in := false
		for _, st := range o.Steps {
			switch {
			case st.Ev.Time.After(t):
				return in
			case st.Action == sim.DenyUser:
				in = !t.Before(st.Ev.Time.Add(propagation))
			case st.Action == sim.AllowUser:
				in = false
			}
		}
		return in
	}
	in := func(t time.Time) bool { return t.After(o.At) && (o.Until.IsZero() || !t.After(o.Until)) }
	mark := func(ch string, e Evidence, refused bool) {
		if !in(e.Time) {
			return
		}
		for _, c := range []string{ch, chAny} {
			w := out[c]
			if refused {
				if w.Refused == nil || e.Time.After(w.Refused.Time) {
					ev := e
					w.Refused, w.LastRefused = &ev, e.Time.Sub(o.At)
				}
			} else if !w.Seen || e.Time.After(w.Last.Time) {
				w.Seen, w.Last, w.Observed = true, e, e.Time.Sub(o.At)
			}
			out[c] = w
		}
	}
	// usage marks the last use in range of an aggregate (its last, else its first)
	usage := func(ch string, u Usage, refused bool) {
		if u.N == 0 {
			return
		}
		if in(u.Last.Time) {
			mark(ch, u.Last, refused)
		} else {
			mark(ch, u.First, refused)
		}
	}
	for _, g := range o.User.Grants {
		e := g.Ev
		switch g.Kind {
		case gSignIn:
			mark(chSignIn, e, g.Failed)
			if !g.Failed {
				mark(chPortal, e, false)
			}
		case gFederate:
			if !denied(e.Time) {
				mark(chRoleNew, e, false)
			}
			mark(chPortal, e, false)
		case gCreds:
			if !denied(e.Time) {
				mark(chRoleNew, e, false)
			}
			if browserAgent(g.Agent) {
				mark(chPortal, e, false)
			} else {
				mark(chCLIToken, e, false)
			}
		case gAssume:
			if !denied(e.Time) {
				mark(chRoleNew, e, false)
			}
		case gAppCreds:
			if !denied(e.Time) {
				mark(chAppOnBehalf, e, false)
			}
		case gLogin, gRefresh:
			mark(chCLIToken, e, false)
		}
	}
	for _, rs := range o.User.Roles {
		usage(chRoleExisting, rs.Uses, false)
		usage(chRoleExisting, rs.Refused, true)
	}
	for _, a := range o.User.Activity {
		usage(a.Channel, a.Uses, false)
		usage(a.Channel, a.Refused, true)
	}
	return out
}

// sessions lists the user's grants and role sessions from a day before the offboarding to the
// end of what it accounts for.
func sessions(o *Offboarding) []SessionLine {
	from := o.At.Add(-24 * time.Hour)
	until := o.Until
	var out []SessionLine
	for _, g := range o.User.Grants {
		t := g.Ev.Time
		if t.Before(from) || !until.IsZero() && t.After(until) || g.Kind == gExchange {
			continue
		}
		line := SessionLine{Kind: g.Kind, At: t, Ev: g.Ev}
		switch g.Kind {
		case gSignIn:
			line.Detail = g.Detail
			if g.Failed {
				line.Kind = "sign_in_failed"
			}
		case gFederate, gCreds, gAssume:
			line.Detail = g.Account + "/" + g.PermissionSet
		case gAppCreds:
			line.Detail = g.Account + "/" + g.PermissionSet + " by " + g.Client
		case gLogin, gRefresh:
			line.Detail = fmt.Sprintf("client %s, expires in %s", g.Client, sim.HumanDuration(g.Lifetime))
		}
		out = append(out, line)
	}
	for _, rs := range o.User.Roles {
		if rs.Issued.Before(from) && (rs.Uses.N == 0 || rs.Uses.Last.Time.Before(o.At)) {
			continue
		}
		if !until.IsZero() && rs.Issued.After(until) {
			continue
		}
		line := SessionLine{Kind: "role_session", At: rs.Issued, Detail: rs.Account + "/" + rs.PermissionSet, Until: rs.Expires}
		if rs.Uses.N > 0 {
			line.LastUse, line.Ev = rs.Uses.Last.Time, rs.Uses.Last
		}
		out = append(out, line)
	}
	return out
}

// hints says what the records suggest about activity after the offboarding: a sign-in under
// another user ID than the one disabled or deleted is a user created again (PROV-5).
func hints(o *Offboarding) []string {
	off := map[string]bool{}
	for _, st := range o.Steps {
		if st.offboards() {
			off[st.UserID] = true
		}
	}
	var out []string
	for _, g := range o.User.Grants {
		if g.Kind == gSignIn && !g.Failed && g.Ev.Time.After(o.At) && g.UserID != "" && !off[g.UserID] && len(off) > 0 {
			out = append(out, fmt.Sprintf("the sign-in at %s is of user ID %s, not the one offboarded: the user was created again with the same name (as PROV-5 describes when the identity source still provisions them)",
				stamp(g.Ev.Time), g.UserID))
		}
	}
	return out
}
