package scenarios

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"

	"idcsim/sim"
)

// event decodes one event of the timeline, or one playbook step when step is set. A step's
// `after` is kept in Event.At until the step is expanded.
func (b *builder) event(n *yaml.Node, step bool) *rawEvent {
	re := &rawEvent{}
	what, keys := "event", keysOf("event")
	if step {
		what, keys = "playbook step", keysOf("step")
	}
	f := b.mapping(n, what, keys)
	if f == nil {
		return re
	}
	re.f = f
	good := true
	if step {
		if v := f.get("after"); v != nil {
			re.ev.At, good = b.duration(v, "after")
		}
	} else if v := f.get("at"); v == nil {
		b.errorf(n, "event needs at: when it happens, as an offset from start (1d9h) or an RFC 3339 time")
		good = false
	} else {
		re.ev.At, good = b.when(v, "at")
	}
	av := f.get("action")
	if av == nil {
		b.errorf(n, "%s needs action", what)
		return re
	}
	name, ok := b.enum(av, "action", sim.Actions())
	if !ok {
		return re
	}
	a, _ := sim.ParseAction(name)
	re.ev.Action = a
	if step && !a.Spec().Step {
		b.errorf(av, "%s cannot be a playbook step: a step is an admin action on the offboarded user", name)
		return re
	}
	good = b.eventKeys(n, f, a, step) && good
	userOK := step
	if v := f.get("user"); v != nil && !step && a.Spec().Use("user") != sim.Refused {
		re.ev.User, userOK = b.user(v)
		good = good && userOK
	}
	good = b.eventValues(re) && good
	if !step && userOK && good {
		good = b.checkUser(re, &re.ev)
	}
	re.ok = b.actionAvailable(av, a) && good
	return re
}

// eventKeys checks that an event has the keys its action requires and none it refuses.
func (b *builder) eventKeys(n *yaml.Node, f *fields, a sim.Action, step bool) bool {
	good := true
	name, r := a.String(), a.Spec()
	for _, k := range sim.EventKeys {
		switch u := r.Use(k); {
		case step && k == "user":
		case f.has(k) && u == sim.Refused:
			b.errorf(f.key[k], "%s does not take %s", name, k)
			good = false
		case !f.has(k) && u == sim.Required:
			b.errorf(n, "%s needs %s", name, k)
			good = false
		}
	}
	if a == sim.AddAssignment || a == sim.RemoveAssignment {
		good = b.assignmentEvent(n, f, name, step) && good
	}
	if a == sim.StopCLIWorkload && f.has("account") != f.has("permission_set") {
		b.errorf(n, "stop_cli_workload takes an account and a permission_set together, or neither")
		good = false
	}
	return good
}

// eventValues reads the values of the keys an event's action takes, besides its user.
func (b *builder) eventValues(re *rawEvent) bool {
	ev, f := &re.ev, re.f
	a := ev.Action
	get := func(k string) *yaml.Node {
		if a.Spec().Use(k) == sim.Refused {
			return nil
		}
		return f.get(k)
	}
	good, ok := true, true
	if v := get("device"); v != nil {
		ev.Device, ok = b.name(v, "device")
		good = good && ok
	}
	if v := get("application"); v != nil {
		good = b.eventApp(v, ev) && good
	}
	if v := get("account"); v != nil {
		ev.Account, ok = b.account(v)
		good = good && ok
	}
	if v := get("permission_set"); v != nil {
		ev.PermissionSet, ok = b.permset(v)
		good = good && ok
	}
	if v := get("group"); v != nil {
		ev.Group, ok = b.group(v)
		good = good && ok
	}
	if v := get("where"); v != nil {
		good = b.eventWhere(v, ev) && good
	}
	if v := get("duration"); v != nil {
		good = b.eventDuration(v, a, ev) && good
	}
	if v := get("scheduled"); v != nil {
		ev.Scheduled, ok = b.boolean(v, "scheduled")
		good = good && ok
	}
	if v := get("playbook"); v != nil {
		good = b.playbookRef(v, re) && good
	}
	return good
}

// eventApp reads the application of an event: of kind jobs for the actions on jobs, of kind
// account_access for act_as_user and never for open_app and close_app.
func (b *builder) eventApp(v *yaml.Node, ev *sim.Event) bool {
	var ok bool
	if ev.Application, ok = b.app(v); !ok {
		return false
	}
	app := b.sc.Applications[b.ix.Applications[ev.Application]]
	spec := ev.Action.Spec()
	switch {
	case spec.JobsApp && app.Kind != sim.Jobs:
		b.errorf(v, "%s needs an application of kind jobs; %s is %s", ev.Action, app.Name, app.Kind)
		return false
	case spec.AccountAccessApp && app.Kind != sim.AccountAccess:
		b.errorf(v, "%s needs an application of kind account_access (TTI-1); %s is %s", ev.Action, app.Name, app.Kind)
		return false
	case (ev.Action == sim.OpenApp || ev.Action == sim.CloseApp) && app.Kind == sim.AccountAccess:
		b.errorf(v, "%s: %s is of kind account_access: it acts as users from its own server (act_as_user, TTI-1) and is not opened", ev.Action, app.Name)
		return false
	}
	return true
}

// eventWhere reads where a user is disabled or enabled.
func (b *builder) eventWhere(v *yaml.Node, ev *sim.Event) bool {
	w, ok := b.enum(v, "where", wheres)
	if !ok || w != "idp" {
		return ok
	}
	// With Active Directory, idp means the directory: the change reaches IAM Identity
	// Center with the next AD sync (PROV-4).
	ev.Where = sim.AtIdP
	if b.sc.Source.Kind == sim.IdentityCenter {
		b.errorf(v, "where: idp needs an identity source of kind external_idp or active_directory (where it means the directory); this one is %s", b.sc.Source.Kind)
		return false
	}
	return true
}

// actionAvailable refuses or warns about an action the profile does not have.
func (b *builder) actionAvailable(av *yaml.Node, a sim.Action) bool {
	p := &b.sc.Profile
	switch {
	case a == sim.EnableBackgroundSessions && !p.ExtendedSessions:
		b.errorf(av, "background sessions cannot be enabled: they do not exist in profile %s (BG-1); use profile current", p.Name)
		return false
	case a == sim.DisableBackgroundSessions && !p.ExtendedSessions:
		b.warnf(av, "disable_background_sessions has no effect: background sessions do not exist in profile %s (BG-1)", p.Name)
	case a == sim.EndSessions && b.sc.Source.Kind == sim.ActiveDirectory && !p.ADSessionManagement:
		b.warnf(av, "end_sessions is not available in profile %s for an Active Directory source (UIS-8)", p.Name)
	}
	return true
}

// assignmentEvent checks the subject and object of add_assignment and remove_assignment.
func (b *builder) assignmentEvent(n *yaml.Node, f *fields, name string, step bool) bool {
	ok := true
	switch {
	case step && f.has("group"):
		b.errorf(f.key["group"], "in a playbook step, %s acts on the offboarded user and does not take group", name)
		ok = false
	case step:
	case f.has("user") && f.has("group"):
		b.errorf(f.key["group"], "%s takes a user or a group, not both", name)
		ok = false
	case !f.has("user") && !f.has("group"):
		b.errorf(n, "%s needs a user or a group", name)
		ok = false
	}
	if _, good := b.targetKeys(n, f, name); !good {
		ok = false
	}
	return ok
}

func (b *builder) eventDuration(v *yaml.Node, a sim.Action, ev *sim.Event) bool {
	p := &b.sc.Profile
	d, ok := b.positive(v, "duration")
	if !ok {
		return false
	}
	switch a {
	case sim.SetPortalSession:
		ok = b.checkRange(v, "portal session", d, sim.PortalSessionSetting)
	case sim.SetPermissionSetDuration:
		ok = b.checkRange(v, "permission set session duration", d, sim.PermissionSetSetting(ev.PermissionSet))
	case sim.SetBackgroundSessionDuration:
		if !p.ExtendedSessions {
			if b.profile {
				b.errorf(v, "background sessions have no duration in profile %s: they do not exist there (BG-1)", p.Name)
			}
			ok = false
		} else {
			ok = b.checkRange(v, "background session duration", d, sim.BackgroundSessionSetting)
		}
	}
	ev.Duration = d
	return ok
}

// playbookRef reads the playbook of an offboarding: a name, or steps written in place.
func (b *builder) playbookRef(v *yaml.Node, re *rawEvent) bool {
	re.playbook = v
	switch {
	case v.Kind == yaml.SequenceNode:
		re.steps = b.steps(v)
		for _, st := range re.steps {
			if !st.ok {
				return false
			}
		}
		return true
	case isScalar(v, "!!str", "!!int", "!!float"):
		name, ok := b.ref(v, "playbook", func(s string) bool { return s == builtinPlaybook || b.playbooks[s] != nil })
		re.ev.PlaybookName = name
		if ok && b.playbooks[name] != nil {
			b.playbooks[name].used = true
			for _, st := range b.playbooks[name].steps {
				if !st.ok {
					return false
				}
			}
		}
		return ok
	}
	b.wrongType(v, "playbook", fmt.Sprintf("the name of a playbook, %s, or a list of steps ([] to change nothing)", builtinPlaybook))
	return false
}

// when reads the time of an event (or of the bounds of generated offboardings): an offset from
// start, or an RFC 3339 time, within the horizon.
func (b *builder) when(n *yaml.Node, what string) (time.Duration, bool) {
	var at time.Duration
	if n.Kind == yaml.ScalarNode && looksLikeTime(n.Value) {
		t, ok := b.timestamp(n, what)
		if !ok {
			return 0, false
		}
		if t.Before(b.sc.Start) {
			b.errorf(n, "%s %s is before start (%s)", what, n.Value, b.sc.Start.Format(time.RFC3339))
			return 0, false
		}
		at = t.Sub(b.sc.Start)
	} else {
		var ok bool
		if at, ok = b.duration(n, what); !ok {
			return 0, false
		}
	}
	if at > b.sc.Horizon {
		b.errorf(n, "%s %s is after the horizon (%s)", what, sim.FormatDuration(at), sim.FormatDuration(b.sc.Horizon))
		return 0, false
	}
	return at, true
}

// checkUser checks what an event needs of its user: that the device is theirs and of the right kind.
func (b *builder) checkUser(re *rawEvent, ev *sim.Event) bool {
	v := re.f.get("device")
	if v == nil || ev.Device == "" {
		return true
	}
	devices, ok := b.devicesOf(ev.User)
	if !ok {
		return false
	}
	var dev *sim.Device
	var names []string
	for i := range devices {
		names = append(names, devices[i].Name)
		if devices[i].Name == ev.Device {
			dev = &devices[i]
		}
	}
	if dev == nil {
		hint := b.suggest(ev.Device, names)
		if len(names) == 0 {
			hint = "; they have no devices"
		}
		b.errorf(v, "user %s has no device %q%s", ev.User, ev.Device, hint)
		return false
	}
	spec := ev.Action.Spec()
	want, check := spec.Device, spec.NeedsDevice()
	what := ev.Action.String()
	if ev.Action == sim.OpenApp || ev.Action == sim.CloseApp {
		ai, ok := b.ix.Applications.Lookup(ev.Application)
		if !ok {
			return false
		}
		if app := b.sc.Applications[ai]; app.Kind == sim.Kiro {
			want, check = sim.KiroIDE, true
			what = fmt.Sprintf("%s of the kiro application %s", what, app.Name)
		}
	}
	if check && dev.Kind != want {
		b.errorf(v, "%s needs a %s device; %s of %s is a %s device", what, want, dev.Name, ev.User, dev.Kind)
		return false
	}
	return true
}
