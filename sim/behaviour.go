package sim

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Events of people described by behaviours.
const (
	evDayStart    evKind = iota + 32 // a working day starts: sign in, Kiro, workload
	evActivity                       // a random activity of the working day
	evDayEnd                         // the working day ends: maybe sign out, stop the workload
	evGenOffboard                    // a generated offboarding
	evActAsUser                      // an application acts as the person, at any hour (TTI-1)
)

type generatedOffboarding struct {
	user int32
	plan int32
	at   time.Duration
}

// startBehaviours schedules the first working day of each of the world's people and the generated
// offboardings, every one: another partition's person's playbook may act on the instance
// (applyElsewhere).
func (w *world) startBehaviours() {
	for u := w.lo; u < w.hi; u++ {
		if w.m.users[u].behaviour >= 0 {
			w.scheduleDay(u)
			w.nextActAsUser(u)
		}
	}
	for i, g := range w.genOffs {
		w.q.push(g.at, evGenOffboard, int32(i), 0)
	}
}

// drawOffboardings draws the people and times of the generated offboardings, from the
// replication's stream.
func (w *world) drawOffboardings() {
	w.genOffs = w.genOffs[:0]
	// A person is offboarded at most once in a replication (EV-2): the people the timeline
	// offboards and those drawn already are taken, for every entry of offboardings.
	w.drawStamp++
	if len(w.drawn) != len(w.users) {
		w.drawn = make([]uint32, len(w.users))
	}
	for _, u := range w.m.offboarded {
		w.drawn[u] = w.drawStamp
	}
	for pi := range w.m.plans {
		pm := &w.m.plans[pi]
		p := pm.plan
		// draw Count people without replacement (a partial Fisher-Yates shuffle of a copy), a
		// taken one being dropped from the copy and the draw made again
		w.scratch = append(w.scratch[:0], pm.candidates...)
		n := len(w.scratch)
		for k := 0; k < p.Count; {
			if k == n {
				w.warnings = append(w.warnings, fmt.Sprintf("offboardings entry %d: only %d of %d people could be drawn who are offboarded nowhere else (EV-2)", pm.entry+1, k, p.Count))
				break
			}
			j := k + w.rng.IntN(n-k)
			w.scratch[k], w.scratch[j] = w.scratch[j], w.scratch[k]
			u := w.scratch[k]
			if w.drawn[u] == w.drawStamp {
				n--
				w.scratch[k], w.scratch[n] = w.scratch[n], w.scratch[k]
				continue
			}
			w.drawn[u] = w.drawStamp
			at := p.From + time.Duration(w.rng.Float64()*float64(p.To-p.From))
			w.genOffs = append(w.genOffs, generatedOffboarding{user: u, plan: int32(pi), at: at})
			k++
		}
	}
}

// scheduleDay queues the person's next working day, if any remains before the horizon.
func (w *world) scheduleDay(u int32) {
	p := &w.users[u]
	b := &w.m.behaviours[w.m.users[u].behaviour]
	for int(p.day) < len(b.dayStarts) {
		at := b.dayStarts[p.day]
		if b.ArrivalSpread > 0 {
			at += time.Duration(w.rngOf(u).Float64() * float64(b.ArrivalSpread))
		}
		p.day++
		if at >= w.now {
			w.q.push(at, evDayStart, u, 0)
			return
		}
	}
}

func (w *world) dispatchBehaviour(e *event) {
	u := e.ref
	if e.kind != evGenOffboard {
		w.settle(u)
	}
	switch e.kind {
	case evDayStart:
		w.dayStart(u)
	case evActivity:
		w.activity(u)
	case evDayEnd:
		w.dayEnd(u)
	case evActAsUser:
		b := &w.m.behaviours[w.m.users[u].behaviour]
		if !w.actAsUser(u, b.onBehalfApp, b.onBehalf[w.rngOf(u).IntN(len(b.onBehalf))]) {
			w.counters.RefusedActions++
		}
		w.nextActAsUser(u)
	case evGenOffboard:
		g := w.genOffs[e.ref]
		u = g.user
		w.settle(u)
		w.offboard(u, &w.m.plans[g.plan].offboard)
	}
	w.observe(u)
}

// dayStart begins a working day: sign in from the browser, open Kiro when there is no Kiro
// session, start the workload; then the day's first activity and its end.
func (w *world) dayStart(u int32) {
	um := &w.m.users[u]
	b := &w.m.behaviours[um.behaviour]
	if um.browser >= 0 {
		w.signIn(u, um.browser)
	}
	if b.kiro != noTarget && um.kiro >= 0 && len(w.live(u, kindKiro)) == 0 {
		w.openApp(u, um.kiro, b.kiro)
	}
	if b.workload != noTarget && um.cli >= 0 {
		w.startWorkload(um.cli, b.workload)
	}
	p := &w.users[u]
	p.dayEnd = w.now + b.length
	w.nextActivity(u)
	w.q.push(p.dayEnd, evDayEnd, u, 0)
}

// nextActivity queues the person's next activity, an exponential time away, if it falls within
// the working day.
func (w *world) nextActivity(u int32) {
	p := &w.users[u]
	b := &w.m.behaviours[w.m.users[u].behaviour]
	if b.rate <= 0 {
		return
	}
	at := w.now + time.Duration(w.rngOf(u).ExpFloat64()/b.rate)
	if at < p.dayEnd {
		w.q.push(at, evActivity, u, 0)
	}
}

// nextActAsUser queues the next time the person's behaviour has an application of kind
// account_access act as them, an exponential time away, around the clock (TTI-1), if it falls
// within the horizon.
func (w *world) nextActAsUser(u int32) {
	b := &w.m.behaviours[w.m.users[u].behaviour]
	if b.onBehalfRate <= 0 {
		return
	}
	if at := w.now + time.Duration(w.rngOf(u).ExpFloat64()/b.onBehalfRate); at <= w.sc.Horizon {
		w.q.push(at, evActAsUser, u, 0)
	}
}

// activity does one thing of the working day, chosen in proportion to the behaviour's rates.
func (w *world) activity(u int32) {
	um := &w.m.users[u]
	b := &w.m.behaviours[um.behaviour]
	rng := w.rngOf(u)
	x := rng.Float64() * (b.OpenApp.PerDay + b.Federate.PerDay + b.CLI.PerDay + b.Jobs.PerDay)
	pick := func(ts []target) target { return ts[rng.IntN(len(ts))] }
	switch {
	case x < b.OpenApp.PerDay:
		if um.browser >= 0 {
			w.openApp(u, um.browser, pick(b.openApp))
		}
	case x < b.OpenApp.PerDay+b.Federate.PerDay:
		if um.browser >= 0 {
			w.federate(u, um.browser, pick(b.federate))
		}
	case x < b.OpenApp.PerDay+b.Federate.PerDay+b.CLI.PerDay:
		if um.cli >= 0 {
			t := pick(b.cli)
			w.cliEnsureLogin(u, um.cli)
			if !w.getRoleCredentials(um.cli, t) {
				w.counters.RefusedActions++
			}
		}
	default:
		if um.browser >= 0 {
			w.startJob(u, um.browser, pick(b.jobs), w.draw(u, b.JobDuration), false)
		}
	}
	w.nextActivity(u)
}

// cliEnsureLogin logs the CLI in when its token can no longer get credentials, as a person
// would when the CLI asks them to.
func (w *world) cliEnsureLogin(u, dev int32) {
	if !w.canMint(dev) {
		w.cliLogin(u, dev)
	}
}

// dayEnd ends a working day: the workload stops and the person may sign out.
func (w *world) dayEnd(u int32) {
	um := &w.m.users[u]
	b := &w.m.behaviours[um.behaviour]
	if um.cli >= 0 && w.tokens[um.cli].workload {
		t := &w.tokens[um.cli]
		t.workload = false
		t.workGen++
	}
	if um.browser >= 0 && b.SignOutProbability > 0 && w.rngOf(u).Float64() < b.SignOutProbability {
		w.signOut(u, um.browser)
	}
	w.scheduleDay(u)
}

// draw samples a duration from d with person u's random stream.
func (w *world) draw(u int32, d Dist) time.Duration {
	src := &w.streams[u]
	var x float64
	switch d.Kind {
	case Fixed:
		return d.A
	case Exponential:
		x = distuv.Exponential{Rate: 1 / float64(d.A), Src: src}.Rand()
	case LogNormal:
		x = distuv.LogNormal{Mu: math.Log(float64(d.A)), Sigma: d.Sigma, Src: src}.Rand()
	case Uniform:
		x = distuv.Uniform{Min: float64(d.A), Max: float64(d.B), Src: src}.Rand()
	}
	// a heavy tail must not overflow: nothing lasts longer than the longest horizon twice over
	return time.Duration(min(max(x, 0), float64(800*24*time.Hour)))
}
