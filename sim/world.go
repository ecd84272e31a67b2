package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// Event kinds of the queue. Timeline events are not queued: they are merged in from the
// compiled timeline, before any queued event of the same instant.
const (
	evStep           evKind = iota // a playbook step: ref = offboarding, gen = step index
	evPortalEnd                    // UIS-1: a portal session reaches its end
	evAppEnd                       // APP-2, APP-3: the check that ends an application session
	evSAMLEnd                      // SAML-1: a SAML application session reaches its own end
	evRoleExpire                   // ROLE-2: role credentials expire
	evTokenExpire                  // CLI-1, CLI-4: a device's access token expires
	evWorkload                     // CLI-5: a CLI workload refreshes its role credentials
	evGroupView                    // GRP-1: a membership change reaches the membership view
	evDeny                         // CUT-1: a deny (or its removal) has propagated
	evRevoke                       // CUT-2: a TokenIssueTime deny has propagated
	evProvision                    // PROV-2: a provisioning run reaches a user
	evJobEnd                       // BG-3, BG-4: a job finishes, or the check that fails it
	evKiroEnd                      // KIRO-1: a Kiro session reaches its end
	evOnBehalfExpire               // TTI-1, TTI-2: a JWT or an exchanged access token an application holds expires
	evPortalRefresh                // UIS-11: a portal session's refresh, where a deferred change reaches it
)

// userState is a person's state in a replication; its fields are ordered by size, as a million of
// them are held at once.
type userState struct {
	// ends holds, per kind of session, a time no later than the earliest natural end of the
	// user's live sessions of that kind (see settle)
	ends          [numKinds]time.Duration
	soonest       time.Duration // the earliest of ends
	deniedAt      time.Duration // when a deny last took effect (CUT-1); never before
	inactiveSince time.Duration // when the user was disabled or deleted; never when active
	idpSessionEnd time.Duration
	dayEnd        time.Duration      // the end of the current working day (behaviour.go)
	live          [numKinds]liveList // live sessions, by kind
	federated     liveList           // the accounts the user has federated into (ROLE-6), in world.lists
	day           int32              // index of the next working day in the behaviour's dayStarts
	track         int32              // index of the user's exposure tracking in world.tracks, -1 before any offboarding
	// own is the index in world.owns of the user's own copies of their assignments and
	// memberships, made when they change (see own); -1 while they are their cohort's
	own                             int32
	denyGen                         uint32
	enabledIdC, enabledIdP, deleted bool
	denied, denyWant                bool
	provisionPending                bool
}

// ownLists are a person's own assignments and memberships, copied from their cohort's when they
// change: direct assignments, groups, and the groups as the entitlement decisions see them (GRP-1).
type ownLists struct {
	direct       []target
	groups, view []int32
}

type offboardingRecord struct {
	user     int32
	at       time.Duration
	playbook []step
	name     string
}

// bucketWidth is the width asked of the event calendar's buckets, set by the organisation
// model's time scales. The queue rounds it down to a power of two nanoseconds (69 s), and its
// ring of buckets then reaches 78 hours ahead: past a weekend, whose Monday morning is 62 to 66
// hours after the Friday evening, so that hardly an event waits in the heap beyond the ring. A
// bucket then holds about a hundred events of 10,000 people, which its counting sort sorts in
// time linear in their number.
const bucketWidth = 2 * time.Minute

// world is the state of one replication. It is reset and reused, so that a run allocates little
// once the slices have grown.
type world struct {
	m    *model
	sc   *Scenario
	prof *Profile
	q    queue
	pcg  rand.PCG   // the replication's stream: the draws that concern no one person
	rng  *rand.Rand // over pcg
	// streams are the people's own streams: every draw made for one person comes from theirs,
	// so that what happens to a person does not depend on who else the world runs (run.go).
	streams []rand.PCG
	// lo and hi bound the people the world runs, [lo, hi): a partition of the replication runs
	// some of them, and every instance-wide event, applied to its people (run.go).
	lo, hi int32
	// lead says the world counts the instance-wide events: one partition of a replication does.
	lead     bool
	now      time.Duration
	events   int64
	counters Counters

	portalDuration time.Duration
	psDuration     []time.Duration
	bgOn           bool
	bgAppOn        []int8 // per application: -1 off, 1 on, 0 as the instance (BG-1)
	bgDuration     time.Duration
	groupAssign    [][]target
	grpPhase       time.Duration
	provPhase      time.Duration

	users    []userState
	tokens   []token // one per device
	portals  []portalSession
	apps     []appSession
	samls    []samlSession
	roles    []roleSession
	jobs     []job
	kiros    []kiroSession
	onBehalf []onBehalf // per user and application of kind account_access (TTI-1)
	members  []pendingMembership
	revokes  []pendingRevoke
	offs     []offboardingRecord
	warnings []string

	kinds [numKinds]sessionKind
	// slots of ended sessions of people not offboarded, for reuse, by kind
	free [numKinds][]int32

	tracks    []tracking
	owns      []ownLists   // the people's own assignments and memberships (userState.own); buffers kept
	lists     sessionLists // the people's live sessions (userState.live)
	reasons   []string     // what ended portal sessions early (portalSession.why)
	devPortal []int32      // each device's live portal session, or -1

	// ctx, when set, stops the replication when it is done (an interrupt), so that a long one
	// does not run on to its end
	ctx context.Context
	// progress, when set, is told the thousandths of the horizon simulated
	progress func(permille int64)
	// record, when set, is given the replication's activity (Options.Audit)
	record func(Audit)

	genOffs []generatedOffboarding
	scratch []int32
	// drawn marks the people taken for an offboarding in this replication: drawn[u] == drawStamp
	drawn     []uint32
	drawStamp uint32
	rep       int // the replication
}

func newWorld(m *model) *world {
	w := &world{m: m, sc: m.sc, prof: &m.sc.Profile, kinds: sessionKinds()}
	w.rng = rand.New(&w.pcg)
	w.q.init(bucketWidth)
	return w
}

// reset prepares the world for replication rep, with every person.
func (w *world) reset(rep int) {
	w.prepare(rep)
	w.start(0, int32(len(w.users)), true)
}

// prepare makes what the partitions of replication rep share: the people's state, allocated but
// not set (start sets each partition's), and the replication's own draws, made once.
func (w *world) prepare(rep int) {
	w.rep = rep
	w.pcg.Seed(w.sc.Seed, uint64(rep))
	w.users = resize(w.users, len(w.m.users))
	w.streams = resize(w.streams, len(w.users))
	w.tokens = resize(w.tokens, len(w.m.devices))
	w.devPortal = resize(w.devPortal, len(w.m.devices))
	w.onBehalf = resize(w.onBehalf, len(w.users)*len(w.m.tti))
	w.warnings = w.warnings[:0]
	// The phases of the periodic processes are unknown: drawn once per replication.
	w.grpPhase = w.uniform(w.prof.GroupMembershipDelay)
	w.provPhase = w.uniform(w.provisioningInterval())
	w.drawOffboardings()
}

// share takes the people's state and the replication's draws from p, which prepared them, to run
// a partition of p's replication.
func (w *world) share(p *world) {
	w.rep = p.rep
	w.pcg = p.pcg
	w.users, w.streams, w.tokens, w.devPortal, w.onBehalf = p.users, p.streams, p.tokens, p.devPortal, p.onBehalf
	w.grpPhase, w.provPhase = p.grpPhase, p.provPhase
	w.genOffs = p.genOffs
	w.warnings = append(w.warnings[:0], p.warnings...)
}

// unshare lets go of the state share took, which belongs to the world that prepared it.
func (w *world) unshare() {
	w.users, w.streams, w.tokens, w.devPortal, w.onBehalf, w.genOffs = nil, nil, nil, nil, nil, nil
}

// start sets up the people lo to hi (excluded) and the instance for the replication prepare made
// ready: lead says this world counts the instance-wide events.
func (w *world) start(lo, hi int32, lead bool) {
	w.lo, w.hi, w.lead = lo, hi, lead
	w.q.reset()
	w.now = 0
	w.events = 0
	w.counters = Counters{}
	w.resetSettings()
	w.resetUsers()
	w.resetSessions()
	w.startBehaviours()
}

// mine says whether the world runs person u.
func (w *world) mine(u int32) bool { return w.lo <= u && u < w.hi }

// personSeed is the second seed of person u's stream in replication rep: a bijection of (rep, u),
// which sets the top bit apart from the replications' own streams, mixed (SplitMix64's finaliser)
// so that the people's streams start far apart.
func personSeed(rep int, u int32) uint64 {
	z := 1<<63 | uint64(rep)<<32 | uint64(uint32(u))
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// rngOf returns person u's random stream.
func (w *world) rngOf(u int32) *rand.Rand { return rand.New(&w.streams[u]) }

// resetSettings puts in force the scenario's settings, which the timeline may change: the portal
// and permission-set durations (UIS-2, ROLE-4), background sessions (BG-5) and the groups'
// assignments.
func (w *world) resetSettings() {
	set := &w.sc.Settings
	w.portalDuration = set.PortalSession
	if w.portalDuration == 0 {
		w.portalDuration = w.prof.PortalDefault
	}
	w.psDuration = w.psDuration[:0]
	for _, p := range w.m.permSets {
		d := p.SessionDuration
		if d == 0 {
			d = w.prof.PermissionSetDefault
		}
		w.psDuration = append(w.psDuration, d)
	}
	w.bgOn = set.BackgroundSessions && w.prof.ExtendedSessions
	w.bgDuration = set.BackgroundDuration
	if w.bgDuration == 0 {
		w.bgDuration = w.prof.BackgroundDefault
	}
	w.bgAppOn = w.bgAppOn[:0]
	for _, a := range w.m.apps {
		var on int8
		if a.BackgroundSessions != nil {
			on = -1
			if *a.BackgroundSessions {
				on = 1
			}
		}
		w.bgAppOn = append(w.bgAppOn, on)
	}
	w.groupAssign = resize(w.groupAssign, len(w.m.groups))
	for g, ts := range w.m.groups {
		w.groupAssign[g] = append(w.groupAssign[g][:0], ts...)
	}
}

// resetUsers puts the world's people and their devices back in their state at the start, keeping
// the buffers, and seeds their streams.
func (w *world) resetUsers() {
	w.owns = w.owns[:0]
	w.lists.reset()
	for i := w.lo; i < w.hi; i++ {
		u := &w.users[i]
		*u = userState{
			enabledIdC: true, enabledIdP: true, inactiveSince: never, deniedAt: never, track: -1,
			ends: [numKinds]time.Duration{never, never, never, never, never, never}, soonest: never,
			// the cohort's assignments and memberships until they change (see own)
			own: -1,
		}
		lo, hi := w.m.devicesOf(i)
		for d := lo; d < hi; d++ {
			w.tokens[d] = token{portal: -1}
			w.devPortal[d] = -1
		}
		w.streams[i].Seed(w.sc.Seed, personSeed(w.rep, i))
	}
	n := int32(len(w.m.tti))
	clear(w.onBehalf[w.lo*n : w.hi*n])
}

// resetSessions empties the sessions and the pending changes, keeping the buffers.
func (w *world) resetSessions() {
	w.portals = w.portals[:0]
	w.apps = w.apps[:0]
	w.samls = w.samls[:0]
	w.roles = w.roles[:0]
	w.jobs = w.jobs[:0]
	w.kiros = w.kiros[:0]
	for k := range w.free {
		w.free[k] = w.free[k][:0]
	}
	w.tracks = w.tracks[:0]
	w.members = w.members[:0]
	w.revokes = w.revokes[:0]
	w.offs = w.offs[:0]
}

// resize returns s with length n, its elements kept (for reuse) as far as its capacity allows.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// uniform draws a delay uniform in (0, d], to the nanosecond, from the replication's stream.
func (w *world) uniform(d time.Duration) time.Duration { return uniform(w.rng, d) }

// uniform draws a delay uniform in (0, d], to the nanosecond, from rng.
func uniform(rng *rand.Rand, d time.Duration) time.Duration {
	return time.Duration(math.Ceil((1 - rng.Float64()) * float64(d)))
}

// nextTick returns the first instant after t of the periodic process phase + k·period.
func nextTick(phase, period, t time.Duration) time.Duration {
	if t < phase {
		return phase
	}
	return phase + ((t-phase)/period+1)*period
}

// run runs the replication to the horizon.
func (w *world) run() {
	evs := w.m.events
	horizon := w.sc.Horizon
	next := 0
	for {
		if next < len(evs) && (w.q.len() == 0 || evs[next].at <= w.q.peek().at) {
			s := &evs[next]
			next++
			w.now = s.at
			if s.user < 0 && w.lead || w.mine(s.user) {
				w.events++ // an event of the instance counts once, in the lead partition
			}
			w.apply(s)
			w.lists.release()
			continue
		}
		if w.q.len() == 0 || w.q.peek().at > horizon {
			break
		}
		e := w.q.pop()
		w.now = e.at
		counts := w.dispatch(&e)
		w.lists.release()
		if counts {
			w.events++
			if w.events&0xffff == 0 {
				if w.progress != nil {
					w.progress(int64(1000 * (float64(w.now) / float64(horizon))))
				}
				if w.ctx != nil && w.ctx.Err() != nil {
					break // interrupted: the run returns the context's error, not these results
				}
			}
		}
	}
	w.now = horizon
}

// dispatch handles a queued event; it reports whether the event counts: false for a cancelled
// one, and for one that the partition shares with others and does not count (see lead).
func (w *world) dispatch(e *event) bool {
	switch e.kind {
	case evStep:
		w.runStep(e.ref, int(e.gen))
		w.runSteps(e.ref, int(e.gen)+1)
		return w.mine(w.offs[e.ref].user)
	case evPortalEnd, evAppEnd, evSAMLEnd, evRoleExpire, evKiroEnd, evJobEnd:
		// a session reaches its end; every change of its end changed its generation
		k := w.endKind(e.kind)
		h := w.head(k, e.ref)
		if h.gen != e.gen {
			return false
		}
		w.end(k, e.ref, "")
		w.observe(h.user)
	case evTokenExpire:
		// The access token expires; the device keeps its refresh token (CLI-1).
		t := &w.tokens[e.ref]
		if t.gen != e.gen || !t.live {
			return false
		}
		w.observe(w.m.devices[e.ref].user)
	case evWorkload:
		t := &w.tokens[e.ref]
		if t.workGen != e.gen || !t.workload {
			return false
		}
		w.settle(w.m.devices[e.ref].user)
		w.workloadRefresh(e.ref)
		w.observe(w.m.devices[e.ref].user)
	case evOnBehalfExpire:
		// A JWT or an exchanged token expires: it changes nothing but the exposure channels.
		if w.onBehalf[e.ref].gen != e.gen {
			return false
		}
		w.observe(w.onBehalfUser(e.ref))
	case evPortalRefresh:
		if !w.portalRefresh(e.ref, e.gen) {
			return false
		}
	case evGroupView:
		pm := w.members[e.ref]
		w.membershipSeen(pm)
	case evDeny:
		u := &w.users[e.ref]
		if u.denyGen != e.gen {
			return false
		}
		if u.denyWant && !u.denied {
			u.deniedAt = w.now
		}
		u.denied = u.denyWant
		w.observe(e.ref)
	case evRevoke:
		w.revokeSeen(w.revokes[e.ref])
		return w.lead
	case evProvision:
		w.provision(e.ref)
	case evGenOffboard:
		if g := w.genOffs[e.ref]; !w.mine(g.user) {
			w.offboard(g.user, &w.m.plans[g.plan].offboard)
			return false
		}
		w.dispatchBehaviour(e)
	case evDayStart, evActivity, evDayEnd, evActAsUser:
		w.dispatchBehaviour(e)
	}
	return true
}

// apply carries out a timeline event or a playbook step.
func (w *world) apply(s *step) {
	u := s.user
	if u >= 0 && !w.mine(u) {
		w.applyElsewhere(s)
		return
	}
	if needsDevice(s.action) && s.device < 0 {
		w.counters.RefusedActions++ // a playbook step for a device this person does not have
		return
	}
	if u >= 0 {
		w.settle(u)
	}
	if w.record != nil {
		w.emitAdmin(s)
	}
	switch s.action {
	case SignIn:
		w.signIn(u, s.device)
	case SignOut:
		w.signOut(u, s.device)
	case OpenApp:
		w.openApp(u, s.device, s.target)
	case CloseApp:
		w.closeApp(u, s.target)
	case Federate:
		w.federate(u, s.device, s.target)
	case CLILogin:
		w.cliLogin(u, s.device)
	case CLILogout:
		w.cliLogout(u, s.device)
	case GetRoleCredentials:
		if !w.getRoleCredentials(s.device, s.target) {
			w.counters.RefusedActions++
		}
	case StartCLIWorkload:
		w.startWorkload(s.device, s.target)
	case StopCLIWorkload:
		t := &w.tokens[s.device]
		t.workload = false
		t.workGen++
	case StartJob:
		w.startJob(u, s.device, s.target, s.duration, s.scheduled)
	case ActAsUser:
		if !w.actAsUser(u, s.app, s.target) {
			w.counters.RefusedActions++
		}
	case EndBackgroundSession:
		w.endBackgroundSessions(u, s.target)
	case SetBackgroundSessionDuration:
		w.bgDuration = s.duration // BG-5: sessions already created keep theirs
	case EnableBackgroundSessions, DisableBackgroundSessions:
		w.setBackgroundSessions(s.target, s.action == EnableBackgroundSessions)
	case EndSessions:
		w.endSessions(u, s.device)
	case DisableUser:
		w.disable(u, s.where)
	case EnableUser:
		w.enable(u, s.where)
	case DeleteUser:
		w.deleteUser(u)
	case AddToGroup, RemoveFromGroup:
		w.changeMembership(u, s.group, s.action == AddToGroup)
	case AddAssignment, RemoveAssignment:
		w.changeAssignment(u, s.group, s.target, s.action == AddAssignment)
	case RemoveAssignments:
		w.removeAssignments(u)
	case SetPortalSession:
		w.portalDuration = s.duration // UIS-2: sessions already started keep their end
	case SetPermissionSetDuration:
		w.psDuration[s.permSet] = s.duration // ROLE-4: credentials already issued keep theirs
	case DenyUser, AllowUser:
		w.setDeny(u, s.action == DenyUser)
	case RevokeRoleSessions:
		w.revokeRoleSessions(s.permSet, u)
	case Offboard:
		w.offboard(u, s)
	}
	if u >= 0 {
		w.observe(u)
	}
}

// applyElsewhere carries out, in a partition that does not run the step's person, what the step
// does to the instance: a revocation of role sessions (CUT-2), a change of a group's assignments;
// and an offboarding, whose playbook may hold such steps.
func (w *world) applyElsewhere(s *step) {
	switch s.action {
	case Offboard:
		w.offboard(s.user, s)
	case RevokeRoleSessions:
		w.revokeRoleSessions(s.permSet, s.user)
	case AddAssignment, RemoveAssignment:
		if s.group >= 0 {
			w.changeAssignment(s.user, s.group, s.target, s.action == AddAssignment)
		}
	}
}

func (w *world) warn(msg string) {
	for _, m := range w.warnings {
		if m == msg {
			return
		}
	}
	w.warnings = append(w.warnings, msg)
}
