package sim

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// tracking is the exposure tracking of an offboarded user: which channels are open, what held
// each last, and when each last closed.
type tracking struct {
	avail   [NumChannels]bool
	holder  [NumChannels]holder
	lastEnd [NumChannels]time.Duration
	notes   []string
}

// holder names what held a channel open: a session of some kind, or the user's own state.
type holder struct {
	kind uint8
	idx  int32
}

const (
	hNone uint8 = iota
	hUser
	hPortal
	hApp
	hSAML
	hRole
	hToken
	hJob
	hKiro
	hExchanged // an access token an application exchanged a JWT for (TTI-1)
	hJWT       // a JWT an application holds (TTI-2)
	hIdPIssues // the IdP issuing JWTs for the user (PROV-1, TTI-2)
)

// channelState computes, for the user now, which channels are open and what holds each.
func (w *world) channelState(u int32) (open [NumChannels]bool, by [NumChannels]holder) {
	s := &w.users[u]
	set := func(c Channel, h holder) {
		if !open[c] {
			open[c] = true
			by[c] = h
		}
	}
	portal := int32(-1)
	for _, p := range w.live(u, kindPortal) {
		if w.portalLive(p) {
			portal = p
			break
		}
	}
	if portal >= 0 {
		set(ChPortal, holder{hPortal, portal})
	}
	if w.canSignIn(u) {
		set(ChSignIn, holder{hUser, u})
	}
	if portal >= 0 && w.entitledToAny(u, w.isManagedApp) {
		for _, p := range w.live(u, kindPortal) {
			if w.portalLive(p) && w.portalAdmits(p) { // APP-1, UIS-11
				set(ChAppNew, holder{hPortal, p})
				break
			}
		}
	}
	for _, a := range w.live(u, kindApp) {
		if w.isManagedApp(w.apps[a].target) {
			set(ChAppExisting, holder{hApp, a})
		} else {
			set(ChKiro, holder{hApp, a})
		}
	}
	for _, j := range w.live(u, kindJob) {
		set(ChBackground, holder{hJob, j})
	}
	for _, k := range w.live(u, kindKiro) {
		set(ChKiro, holder{hKiro, k})
	}
	for _, a := range w.live(u, kindSAML) {
		set(ChSAMLApp, holder{hSAML, a})
	}
	if !s.denied && w.entitledToAny(u, w.isRole) {
		// ROLE-1 through a portal session or a CLI token; UIS-5, UIS-11
		for _, p := range w.live(u, kindPortal) {
			if w.portalLive(p) && w.canFederateVia(u, p, w.portals[p].gen) {
				set(ChRoleNew, holder{hPortal, p})
				break
			}
		}
		for d := range w.m.userDevices(u) {
			if t := &w.tokens[d]; w.canMint(d) && w.canFederateVia(u, t.portal, t.portalGen) {
				set(ChRoleNew, holder{hToken, d})
				break
			}
		}
	}
	if !s.denied {
		// the credentials that last longest hold the channel
		best := int32(-1)
		for _, r := range w.live(u, kindRole) {
			if best < 0 || w.roles[r].end > w.roles[best].end {
				best = r
			}
		}
		if best >= 0 {
			set(ChRoleExisting, holder{hRole, best})
		}
	}
	for d := range w.m.userDevices(u) {
		if w.tokenUsable(d) {
			set(ChCLIToken, holder{hToken, d})
			break
		}
	}
	// TTI-1, TTI-3: an application's role sessions are blocked by the deny as any other
	if !s.denied && w.entitledToAny(u, w.isRole) {
		if h, ok := w.onBehalfHolder(u); ok {
			set(ChAppOnBehalf, h)
		}
	}
	for c := Channel(0); c < ChAny; c++ {
		if open[c] {
			set(ChAny, by[c])
			break
		}
	}
	return open, by
}

// observeFrom starts tracking the user's channels.
func (w *world) observeFrom(u int32) {
	w.settle(u)
	w.users[u].track = int32(len(w.tracks))
	w.scheduleEnds(u)
	w.tracks = append(w.tracks, tracking{})
	s := &w.tracks[len(w.tracks)-1]
	s.avail, s.holder = w.channelState(u)
	for c := range s.lastEnd {
		s.lastEnd[c] = -1
	}
}

// observe records, for a tracked user, each channel that has just closed.
func (w *world) observe(u int32) {
	ti := w.users[u].track
	if ti < 0 {
		return
	}
	open, by := w.channelState(u)
	s := &w.tracks[ti]
	for c := range open {
		if s.avail[c] && !open[c] {
			s.lastEnd[c] = w.now
		}
		if open[c] {
			s.holder[c] = by[c]
		}
	}
	s.avail = open
}

// collect appends the offboardings of the world's people to out, by time and then by person, an
// order that does not depend on how the replication was split (run.go).
func (w *world) collect(rep int, out []Offboarding) []Offboarding {
	own := w.sessionsOfTracked()
	var offs []offboardingRecord
	for _, o := range w.offs {
		if w.mine(o.user) {
			offs = append(offs, o)
		}
	}
	slices.SortFunc(offs, func(a, b offboardingRecord) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.user, b.user))
	})
	for _, o := range offs {
		s := &w.tracks[w.users[o.user].track]
		ob := Offboarding{Replication: rep, User: w.m.userName(o.user), At: o.at, Playbook: o.name}
		for c := range ob.Windows {
			if win, ok := w.window(s, Channel(c), o.at); ok {
				win.Evidence = w.describe(Channel(c), s.holder[c])
				ob.Windows[c] = win
			}
		}
		ob.Notes = append(ob.Notes, s.notes...)
		ob.Sessions = w.spans(o.user, o.at, &own[w.users[o.user].track])
		at := o.at
		for _, st := range o.playbook {
			at += st.at
			if at > w.sc.Horizon {
				break
			}
			ob.Steps = append(ob.Steps, StepMark{At: at, Action: st.action.String()})
		}
		out = append(out, ob)
	}
	return out
}

// window returns the window of channel c in the tracking s for an offboarding at at, without its
// evidence, and whether the access existed after at.
func (w *world) window(s *tracking, c Channel, at time.Duration) (Window, bool) {
	switch {
	case s.avail[c]:
		return Window{Open: true, Length: w.sc.Horizon - at}, true
	case s.lastEnd[c] > at:
		return Window{Length: s.lastEnd[c] - at}, true
	}
	return Window{}, false
}

// sessionsOfTracked returns, for each exposure tracking, the slots of its user's sessions of
// each kind, in order: every session array is read once, not once per offboarding.
func (w *world) sessionsOfTracked() [][numKinds][]int32 {
	own := make([][numKinds][]int32, len(w.tracks))
	for k, kind := range w.kinds {
		for i := range int32(kind.slots(w)) {
			if t := w.users[w.head(k, i).user].track; t >= 0 {
				own[t][k] = append(own[t][k], i)
			}
		}
	}
	return own
}

// spans lists the user's sessions live at from or started after it; own are the slots of the
// user's sessions (sessionsOfTracked).
func (w *world) spans(u int32, from time.Duration, own *[numKinds][]int32) []Span {
	var out []Span
	horizon := w.sc.Horizon
	add := func(kind, label string, start, end time.Duration, live bool) {
		if end < from && !live {
			return
		}
		sp := Span{Kind: kind, Label: label, Start: start, End: end}
		if live && end >= horizon || end > horizon {
			sp.End, sp.Open = horizon, true
		}
		out = append(out, sp)
	}
	// Each kind's sessions go in the order of their times, not of their slots, which depend on
	// who else the world runs (run.go).
	byTime := func(first int) {
		slices.SortFunc(out[first:], func(a, b Span) int {
			return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), cmp.Compare(a.Label, b.Label))
		})
	}
	for _, i := range own[kindPortal] {
		p := &w.portals[i]
		add("portal", "portal session on "+w.m.deviceName(p.device), p.start, p.end, p.live && p.end > horizon)
	}
	byTime(0)
	first := len(out)
	for _, i := range own[kindApp] {
		a := &w.apps[i]
		add("app", w.m.targetName(a.target), a.start, a.end, a.live)
	}
	byTime(first)
	first = len(out)
	for _, i := range own[kindSAML] {
		a := &w.samls[i]
		add("saml", w.m.targetName(a.target), a.start, a.end, a.live)
	}
	byTime(first)
	first = len(out)
	for _, i := range own[kindRole] {
		r := &w.roles[i]
		label := w.m.targetName(r.target)
		if r.app != noTarget {
			label += " via " + w.m.targetName(r.app)
		}
		add("role", label, r.issued, r.end, r.live)
	}
	byTime(first)
	w.onBehalfSpans(u, add)
	for d := range w.m.userDevices(u) {
		if t := &w.tokens[d]; t.live {
			add("cli_token", "access token on "+w.m.deviceName(d), t.issued, t.expiry, false)
		}
	}
	first = len(out)
	for _, i := range own[kindJob] {
		j := &w.jobs[i]
		add("job", "job in "+w.m.targetName(j.target), j.start, j.end, j.live)
	}
	byTime(first)
	first = len(out)
	for _, i := range own[kindKiro] {
		k := &w.kiros[i]
		add("kiro", w.m.targetName(k.target), k.start, k.end, k.live)
	}
	byTime(first)
	return out
}

// describe says what held a channel, with the rule that let it.
func (w *world) describe(c Channel, h holder) string {
	switch h.kind {
	case hUser:
		switch w.sc.Source.Kind {
		case ExternalIdP:
			return "the user could still sign in: enabled in IAM Identity Center and at the IdP (UIS-5, PROV-1)"
		case ActiveDirectory:
			return "the user could still sign in: enabled in IAM Identity Center and in the directory (UIS-5, PROV-4)"
		}
		return "the user could still sign in: enabled in IAM Identity Center (UIS-5)"
	case hPortal:
		p := &w.portals[h.idx]
		how := "its end (UIS-1)"
		if p.why != 0 {
			how = w.reasons[p.why]
		}
		text := fmt.Sprintf("portal session on %s from %s to %s, %s", w.m.deviceName(p.device), w.at(p.start), w.at(p.end), how)
		if p.refresh > 0 {
			text += fmt.Sprintf("; until its refresh at %s it acted on the user's status cached before the change (UIS-11)", w.at(p.refresh))
		}
		switch c {
		case ChAppNew:
			return text + "; new app sessions need it (APP-1)"
		case ChRoleNew:
			return text + "; federation needs it (ROLE-1)"
		}
		return text
	case hApp:
		a := &w.apps[h.idx]
		return fmt.Sprintf("%s session opened at %s, ended at the check at %s (APP-2 every %s, APP-3 every %s)",
			w.m.targetName(a.target), w.at(a.start), w.at(a.end),
			FormatDuration(RoundMillis(w.prof.AppSessionCheck)), FormatDuration(RoundMillis(w.prof.AppEntitlementCheck)))
	case hSAML:
		a := &w.samls[h.idx]
		return w.spanText("SAML application %s session from %s to %s: nothing in IAM Identity Center ends it (SAML-2)",
			a.target, a.start, a.end)
	case hRole:
		r := &w.roles[h.idx]
		how := "CLI"
		if r.console {
			how = "console"
		}
		text := fmt.Sprintf("%s role session %s issued at %s, valid to %s (ROLE-3)", how, w.m.targetName(r.target),
			w.at(r.issued), w.at(r.end))
		if r.app != noTarget {
			text = fmt.Sprintf("role session %s that application %s obtained as the user at %s, valid to %s (TTI-1, ROLE-3)",
				w.m.targetName(r.target), w.m.targetName(r.app), w.at(r.issued), w.at(r.end))
		}
		if d := w.users[r.user].deniedAt; r.issued <= d && d < r.end {
			text += fmt.Sprintf(", cut at %s by the deny policy on the user (CUT-1)", w.at(d))
		}
		if r.revoked {
			text += ", revoked (CUT-2)"
		}
		return text
	case hJob:
		j := &w.jobs[h.idx]
		check := FormatDuration(RoundMillis(w.prof.JobFailureCheck))
		done := j.end >= j.finish // it ran to its end, and failed at no check
		switch {
		case j.background && done:
			return fmt.Sprintf("job in %s started at %s under a background session to %s; it survives the portal session (BG-2) and finished at %s",
				w.m.targetName(j.target), w.at(j.start), w.at(min(j.bgEnd, j.bgEndedAt)), w.at(j.end))
		case j.background:
			return fmt.Sprintf("job in %s started at %s under a background session to %s; it survives the portal session (BG-2) and fails at the first check after the session ends (BG-3, every %s): it ended at %s",
				w.m.targetName(j.target), w.at(j.start), w.at(min(j.bgEnd, j.bgEndedAt)), check, w.at(j.end))
		case done:
			return fmt.Sprintf("job in %s started at %s on the portal session, with background sessions off (BG-4): it finished at %s",
				w.m.targetName(j.target), w.at(j.start), w.at(j.end))
		}
		return fmt.Sprintf("job in %s started at %s on the portal session, with background sessions off: it failed at the first check after the portal session ended (BG-4, every %s), at %s",
			w.m.targetName(j.target), w.at(j.start), check, w.at(j.end))
	case hExchanged, hJWT, hIdPIssues:
		return w.describeOnBehalf(h)
	case hKiro:
		k := &w.kiros[h.idx]
		return w.spanText("extended Kiro session %s from %s to %s, independent of the portal session (KIRO-1)",
			k.target, k.start, k.end)
	case hToken:
		t := &w.tokens[h.idx]
		kind := "sso-session access token (CLI-1, CLI-3)"
		switch {
		case t.fixed:
			kind = "fixed CLI session token, apart from the portal session (CLI-7)"
		case t.legacy:
			kind = "legacy access token (CLI-4)"
		}
		text := fmt.Sprintf("%s on %s issued at %s, valid to %s", kind, w.m.deviceName(h.idx), w.at(t.issued), w.at(t.expiry))
		if c == ChRoleNew {
			text += "; it can mint role credentials (ROLE-5)"
		}
		return text
	}
	return ""
}

// spanText fills format with the name of t and the instants start and end.
func (w *world) spanText(format string, t target, start, end time.Duration) string {
	return fmt.Sprintf(format, w.m.targetName(t), w.at(start), w.at(end))
}

// at writes an instant of the simulation as a time of day, to the second.
func (w *world) at(t time.Duration) string {
	return w.sc.Start.Add(t).UTC().Format("2006-01-02T15:04:05Z")
}

// offboard starts measuring the user's exposure and runs the playbook. A partition that does not
// run the user runs the playbook too, for its steps that act on the instance (applyElsewhere).
func (w *world) offboard(u int32, s *step) {
	if w.mine(u) && w.users[u].track < 0 {
		w.observeFrom(u)
	}
	o := int32(len(w.offs))
	w.offs = append(w.offs, offboardingRecord{user: u, at: w.now, playbook: s.playbook, name: s.name})
	w.runSteps(o, 0)
}

// runSteps carries out the steps of offboarding o from the k-th: those due now at once, before
// any other event of this instant (EV-1), and queues the first that comes after a delay.
func (w *world) runSteps(o int32, k int) {
	for ; k < len(w.offs[o].playbook); k++ {
		if d := w.offs[o].playbook[k].at; d > 0 {
			w.q.push(w.now+d, evStep, o, uint32(k))
			return
		}
		w.runStep(o, k)
	}
}

// runStep carries out the k-th step of offboarding o, on the offboarded user.
func (w *world) runStep(o int32, k int) {
	off := &w.offs[o]
	s := off.playbook[k]
	if s.user != off.user {
		// the steps act on the offboarded user, on the device of theirs with the step's name
		s.user = off.user
		if s.device >= 0 {
			s.device = w.m.deviceOf(off.user, w.m.deviceName(s.device))
		}
	}
	w.apply(&s)
}
