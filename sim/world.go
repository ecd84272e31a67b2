package sim

import (
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

type userState struct {
	// ends holds, per kind of session, a time no later than the earliest natural end of the
	// user's live sessions of that kind (see settle)
	ends    [numKinds]time.Duration
	soonest time.Duration // the earliest of ends
	track   int32         // index of the user's exposure tracking in world.tracks, -1 before any offboarding
	person
	enabledIdC, enabledIdP, deleted bool
	denied, denyWant                bool
	deniedAt                        time.Duration // when a deny last took effect (CUT-1); never before
	provisionPending                bool
	live                            [numKinds][]int32 // live sessions, by kind
	inactiveSince                   time.Duration     // when the user was disabled or deleted; never when active
	idpSessionEnd                   time.Duration
	denyGen                         uint32
	direct                          []target
	groups                          []int32  // membership
	view                            []int32  // membership as the entitlement decisions see it (GRP-1)
	federated                       []target // the accounts the user has federated into (ROLE-6)
	owned                           bool     // direct, groups and view are the user's own copies
	// buffers for those copies, kept from one replication to the next
	ownDirect          []target
	ownGroups, ownView []int32
}

type offboardingRecord struct {
	user     int32
	at       time.Duration
	playbook []step
	name     string
}

// bucketWidth is the width of the event calendar's buckets: a minute holds a few hundred events
// of a large organisation, and the ring of buckets reaches 68 hours ahead.
const bucketWidth = time.Minute

// world is the state of one replication. It is reset and reused, so that a run allocates little
// once the slices have grown.
type world struct {
	m        *model
	sc       *Scenario
	prof     *Profile
	q        queue
	pcg      rand.PCG
	rng      *rand.Rand
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
	devPortal []int32 // each device's live portal session, or -1

	// progress, when set, is told the thousandths of the horizon simulated
	progress func(permille int64)
	// record, when set, is given the replication's activity (Options.Audit)
	record func(Audit)

	genOffs []generatedOffboarding
	scratch []int32
	// drawn marks the people taken for an offboarding in this replication: drawn[u] == drawStamp
	drawn     []uint32
	drawStamp uint32
}

func newWorld(m *model) *world {
	w := &world{m: m, sc: m.sc, prof: &m.sc.Profile, kinds: sessionKinds()}
	w.rng = rand.New(&w.pcg)
	w.q.init(bucketWidth)
	return w
}

// reset prepares the world for replication rep.
func (w *world) reset(rep int) {
	w.pcg.Seed(w.sc.Seed, uint64(rep))
	w.q.reset()
	w.now = 0
	w.events = 0
	w.counters = Counters{}
	w.resetSettings()
	w.resetUsers()
	w.resetSessions()
	// The phases of the periodic processes are unknown: drawn once per replication.
	w.grpPhase = w.uniform(w.prof.GroupMembershipDelay)
	w.provPhase = w.uniform(w.provisioningInterval())
	w.startBehaviours()
}

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

// resetUsers puts every person and device back in their state at the start, keeping the buffers.
func (w *world) resetUsers() {
	w.users = resize(w.users, len(w.m.users))
	for i := range w.users {
		u := &w.users[i]
		um := &w.m.users[i]
		if u.owned {
			u.ownDirect, u.ownGroups, u.ownView = u.direct, u.groups, u.view
		}
		live := u.live
		*u = userState{
			enabledIdC: true, enabledIdP: true, inactiveSince: never, deniedAt: never, track: -1,
			person: person{behaviour: um.behaviour, browser: um.browser, cli: um.cli, kiro: um.kiro},
			ends:   [numKinds]time.Duration{never, never, never, never, never, never}, soonest: never,
			// shared with the model until changed (see own): people of a population share theirs
			direct: um.direct, groups: um.groups, view: um.groups,
			ownDirect: u.ownDirect, ownGroups: u.ownGroups, ownView: u.ownView,
			federated: u.federated[:0],
		}
		for k := range u.live {
			u.live[k] = live[k][:0]
		}
	}
	w.tokens = resize(w.tokens, len(w.m.devices))
	for i := range w.tokens {
		w.tokens[i] = token{portal: -1, cache: w.tokens[i].cache[:0]}
	}
	w.devPortal = w.devPortal[:0]
	for range w.m.devices {
		w.devPortal = append(w.devPortal, -1)
	}
	w.onBehalf = resize(w.onBehalf, len(w.users)*len(w.m.tti))
	clear(w.onBehalf)
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
	w.warnings = w.warnings[:0]
}

// resize returns s with length n, its elements kept (for reuse) as far as its capacity allows.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// uniform draws a delay uniform in (0, d], to the nanosecond.
func (w *world) uniform(d time.Duration) time.Duration {
	return time.Duration(math.Ceil((1 - w.rng.Float64()) * float64(d)))
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
			w.events++
			w.apply(s)
			continue
		}
		if w.q.len() == 0 || w.q.peek().at > horizon {
			break
		}
		e := w.q.pop()
		w.now = e.at
		if w.dispatch(&e) {
			w.events++
			if w.events&0xffff == 0 && w.progress != nil {
				w.progress(int64(1000 * (float64(w.now) / float64(horizon))))
			}
		}
	}
	w.now = horizon
}

// dispatch handles a queued event; it reports false for a cancelled one.
func (w *world) dispatch(e *event) bool {
	switch e.kind {
	case evStep:
		w.runStep(e.ref, int(e.gen))
		w.runSteps(e.ref, int(e.gen)+1)
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
	case evProvision:
		w.provision(e.ref)
	case evDayStart, evActivity, evDayEnd, evGenOffboard, evActAsUser:
		w.dispatchBehaviour(e)
	}
	return true
}

// apply carries out a timeline event or a playbook step.
func (w *world) apply(s *step) {
	u := s.user
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

func (w *world) warn(msg string) {
	for _, m := range w.warnings {
		if m == msg {
			return
		}
	}
	w.warnings = append(w.warnings, msg)
}
