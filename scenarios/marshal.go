package scenarios

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"idcsim/sim"
)

// Marshal writes a scenario in the YAML format, so that Parse gives back an equal scenario
// (apart from SHA256 and Warnings). The keys come in a fixed order and the lists in the
// scenario's; named playbooks are written once under playbooks:.
func Marshal(sc *sim.Scenario) ([]byte, error) {
	return MarshalComments(sc, nil)
}

// A Comment is written by MarshalComments beside a value: Head on the lines above it, Line at
// the end of its line. Each line of the text becomes a comment line.
type Comment struct {
	Head, Line string
}

// MarshalComments is Marshal with comments. comments[""] heads the file; the other keys are
// the places of values in the written YAML: a top-level key ("settings"), a key inside one
// ("settings.portal_session", "groups[1].name"), an item of a list by its index ("accounts[2]",
// "permission_sets[0]", "groups[1].assignments[0]"). A list or mapping that Marshal writes on
// one line is written one entry a line when an entry inside it has a comment. Places the
// written scenario does not have are ignored.
func MarshalComments(sc *sim.Scenario, comments map[string]Comment) ([]byte, error) {
	base, ok := sim.LookupProfile(sc.Profile.Name)
	if !ok {
		return nil, fmt.Errorf("scenarios: unknown profile %q", sc.Profile.Name)
	}
	if base.ADSessionManagement != sc.Profile.ADSessionManagement || base.ExtendedSessions != sc.Profile.ExtendedSessions ||
		base.AccountAccess != sc.Profile.AccountAccess {
		return nil, fmt.Errorf("scenarios: profile %s has capabilities that the format cannot express", sc.Profile.Name)
	}
	m := &mapNode{}
	marshalHeader(m, sc, &base)
	m.add("identity_source", sourceNode(sc.Source))
	st, err := settingsNode(sc)
	if err != nil {
		return nil, err
	}
	m.add("settings", st)
	marshalDeclarations(m, sc)
	marshalPeople(m, sc)
	marshalTimeline(m, sc)
	marshalPolicy(m, sc.Policy)
	if sc.Sweep != nil {
		m.add("sweep", sweepNode(sc.Sweep))
	}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{&m.n}}
	if len(comments) > 0 {
		doc.HeadComment = commentText(comments[""].Head)
		annotate(&m.n, "", comments)
	}
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// annotate puts the comments on the values of node n, at place path and under it, and says
// whether it put any; a collection written on one line that holds a comment is written in
// block style, since comments cannot go inside it.
func annotate(n *yaml.Node, path string, comments map[string]Comment) bool {
	any := false
	put := func(key, value *yaml.Node, place string) {
		c, ok := comments[place]
		if ok {
			key.HeadComment = commentText(c.Head)
			lineNode(key, value).LineComment = commentText(c.Line)
		}
		if annotate(value, place, comments) || ok && (c.Head != "" || c.Line != "") {
			any = true
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			place := n.Content[i].Value
			if path != "" {
				place = path + "." + place
			}
			put(n.Content[i], n.Content[i+1], place)
		}
	case yaml.SequenceNode:
		for i, it := range n.Content {
			put(it, it, path+"["+strconv.Itoa(i)+"]")
		}
	}
	if any {
		n.Style &^= yaml.FlowStyle
	}
	return any
}

// lineNode is the node that carries the comment at the end of the line of the value of key: the
// value when it is written on the key's line, else the key (or, for an item of a list written
// on several lines, its first value).
func lineNode(key, value *yaml.Node) *yaml.Node {
	if value.Kind == yaml.ScalarNode || value.Style&yaml.FlowStyle != 0 {
		return value
	}
	if key == value && value.Kind == yaml.MappingNode && len(value.Content) >= 2 {
		return lineNode(value.Content[0], value.Content[1])
	}
	return key
}

// commentText makes text a comment: each line of it a line of the comment, characters that
// are not printable (a line break inside a file name, say) replaced by U+FFFD.
func commentText(text string) string {
	if text == "" {
		return ""
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		l = strings.Map(func(r rune) rune {
			if r != ' ' && !unicode.IsPrint(r) {
				return unicode.ReplacementChar
			}
			return r
		}, l)
		lines[i] = strings.TrimRight("# "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// addList adds key with a list of n items, unless n is 0; flow writes it on one line.
func (m *mapNode) addList(key string, n int, flow bool, item func(i int) *yaml.Node) {
	if n == 0 {
		return
	}
	l := seqNode(flow)
	for i := 0; i < n; i++ {
		l.Content = append(l.Content, item(i))
	}
	m.add(key, l)
}

// marshalHeader adds the scenario's name, clock, profile, switches and timing overrides.
func marshalHeader(m *mapNode, sc *sim.Scenario, base *sim.Profile) {
	if sc.Name != "" {
		m.add("name", strNode(sc.Name))
	}
	m.add("start", strNode(sc.Start.UTC().Format(time.RFC3339Nano)))
	m.add("horizon", durNode(sc.Horizon))
	m.add("seed", intNode(strconv.FormatUint(sc.Seed, 10)))
	m.add("replications", intNode(strconv.Itoa(sc.Replications)))
	m.add("profile", strNode(sc.Profile.Name))

	sw := &mapNode{}
	def := sim.DefaultSwitches().Map()
	cur := sc.Switches.Map()
	for _, name := range sim.SwitchNames() {
		if cur[name] != def[name] {
			sw.add(name, boolNode(cur[name]))
		}
	}
	if len(sw.n.Content) > 0 {
		m.add("switches", &sw.n)
	}
	tm := &mapNode{}
	for _, name := range sim.TimingNames() {
		v, _ := sc.Profile.TimingValue(name)
		if b, _ := base.TimingValue(name); v != b {
			tm.add(name, durNode(v))
		}
	}
	if len(tm.n.Content) > 0 {
		m.add("timing", &tm.n)
	}
}

func sourceNode(s sim.IdentitySource) *yaml.Node {
	src := &mapNode{}
	src.add("kind", strNode(s.Kind.String()))
	switch s.Kind {
	case sim.ExternalIdP:
		src.add("idp_session", durNode(s.IdPSession))
		src.add("session_not_on_or_after", boolNode(s.SessionNotOnOrAfter))
		pr := &mapNode{}
		pr.add("mode", strNode(s.Provisioning.String()))
		switch s.Provisioning {
		case sim.ProvisioningPush:
			pr.add("latency", durNode(s.ProvisioningLatency))
		case sim.ProvisioningPeriodic:
			pr.add("interval", durNode(s.ProvisioningInterval))
		}
		src.add("provisioning", pr.flow())
	case sim.ActiveDirectory:
		if s.TicketLifetime != 0 {
			src.add("ticket_lifetime", durNode(s.TicketLifetime))
		}
		if s.ADSync != sim.ADSyncClassic {
			src.add("sync", strNode(s.ADSync.String()))
		}
	}
	return &src.n
}

func settingsNode(sc *sim.Scenario) (*yaml.Node, error) {
	st := &mapNode{}
	st.add("portal_session", durNode(sc.Settings.PortalSession))
	if sc.Profile.ExtendedSessions {
		bg := &mapNode{}
		bg.add("enabled", boolNode(sc.Settings.BackgroundSessions))
		bg.add("duration", durNode(sc.Settings.BackgroundDuration))
		st.add("background_sessions", bg.flow())
		k := &mapNode{}
		k.add("enabled", boolNode(sc.Settings.KiroExtendedSessions))
		k.add("duration", durNode(sc.Settings.KiroDuration))
		st.add("kiro_sessions", k.flow())
	} else if sc.Settings.BackgroundSessions || sc.Settings.KiroExtendedSessions {
		return nil, fmt.Errorf("scenarios: profile %s has no background or Kiro sessions", sc.Profile.Name)
	}
	return &st.n, nil
}

// marshalDeclarations adds the accounts, permission sets, applications, groups and users.
func marshalDeclarations(m *mapNode, sc *sim.Scenario) {
	m.addList("accounts", len(sc.Accounts), true, func(i int) *yaml.Node { return strNode(sc.Accounts[i]) })
	m.addList("permission_sets", len(sc.PermissionSets), false, func(i int) *yaml.Node {
		p := sc.PermissionSets[i]
		e := &mapNode{}
		e.add("name", strNode(p.Name))
		e.add("session_duration", durNode(p.SessionDuration))
		return e.flow()
	})
	m.addList("applications", len(sc.Applications), false, func(i int) *yaml.Node {
		a := sc.Applications[i]
		e := &mapNode{}
		e.add("name", strNode(a.Name))
		e.add("kind", strNode(a.Kind.String()))
		if a.Kind == sim.SAML {
			e.add("session_duration", durNode(a.SessionDuration))
		}
		if a.BackgroundSessions != nil {
			e.add("background_sessions", boolNode(*a.BackgroundSessions))
		}
		if a.Kind == sim.AccountAccess && a.JWTLifetime != 0 {
			e.add("jwt_lifetime", durNode(a.JWTLifetime))
		}
		return e.flow()
	})
	m.addList("groups", len(sc.Groups), false, func(i int) *yaml.Node {
		g := sc.Groups[i]
		e := &mapNode{}
		e.add("name", strNode(g.Name))
		if len(g.Assignments) > 0 {
			e.add("assignments", assignmentsNode(g.Assignments))
		}
		return &e.n
	})
	m.addList("users", len(sc.Users), false, func(i int) *yaml.Node {
		u := sc.Users[i]
		e := &mapNode{}
		e.add("name", strNode(u.Name))
		e.addPerson(u.Groups, u.Assignments, u.Devices)
		return &e.n
	})
}

// marshalPeople adds the behaviours and the populations.
func marshalPeople(m *mapNode, sc *sim.Scenario) {
	m.addList("behaviours", len(sc.Behaviours), false, func(i int) *yaml.Node { return behaviourNode(&sc.Behaviours[i]) })
	m.addList("populations", len(sc.Populations), false, func(i int) *yaml.Node {
		p := sc.Populations[i]
		e := &mapNode{}
		e.add("name", strNode(p.Name))
		e.add("count", intNode(strconv.Itoa(p.Count)))
		e.add("behaviour", strNode(p.Behaviour))
		e.addPerson(p.Groups, p.Assignments, p.Devices)
		return &e.n
	})
}

// marshalTimeline adds the events, the offboardings and the named playbooks they use.
func marshalTimeline(m *mapNode, sc *sim.Scenario) {
	playbooks := &mapNode{}
	seenPlaybook := map[string]bool{}
	// playbookNode writes the playbook of an offboarding, and a named one once under playbooks:.
	playbookNode := func(name string, steps []sim.Step) *yaml.Node {
		switch name {
		case inlinePlaybook:
			return stepsNode(steps, true)
		case builtinPlaybook:
		default:
			if !seenPlaybook[name] {
				seenPlaybook[name] = true
				playbooks.add(name, stepsNode(steps, false))
			}
		}
		return strNode(name)
	}
	m.addList("events", len(sc.Events), false, func(i int) *yaml.Node {
		ev := sc.Events[i]
		e := &mapNode{}
		e.add("at", durNode(ev.At))
		eventFields(e, ev, false)
		if ev.Action == sim.Offboard {
			e.add("playbook", playbookNode(ev.PlaybookName, ev.Playbook))
		}
		return e.flow()
	})
	m.addList("offboardings", len(sc.Offboardings), false, func(i int) *yaml.Node {
		p := sc.Offboardings[i]
		e := &mapNode{}
		e.add("count", intNode(strconv.Itoa(p.Count)))
		e.add("from", durNode(p.From))
		e.add("to", durNode(p.To))
		if p.Population != "" {
			e.add("population", strNode(p.Population))
		}
		e.add("playbook", playbookNode(p.PlaybookName, p.Playbook))
		return e.flow()
	})
	if len(playbooks.n.Content) > 0 {
		m.add("playbooks", &playbooks.n)
	}
}

// marshalPolicy adds the controls.
func marshalPolicy(m *mapNode, policy []sim.Control) {
	m.addList("policy", len(policy), false, func(i int) *yaml.Node {
		c := policy[i]
		e := &mapNode{}
		e.add("id", strNode(c.ID))
		e.add("channel", strNode(c.Channel.String()))
		e.add("statistic", strNode(c.Statistic))
		e.add("within", durNode(c.Within))
		if c.Text != "" {
			e.add("text", strNode(c.Text))
		}
		return &e.n
	})
}

// eventFields adds the keys an event's action uses.
func eventFields(e *mapNode, ev sim.Event, step bool) {
	e.add("action", strNode(ev.Action.String()))
	r := ev.Action.Spec()
	if !step && r.Use("user") != sim.Refused && ev.User != "" {
		e.add("user", strNode(ev.User))
	}
	for _, f := range []struct {
		key, v string
	}{
		{"device", ev.Device}, {"application", ev.Application}, {"account", ev.Account},
		{"permission_set", ev.PermissionSet}, {"group", ev.Group},
	} {
		if f.v != "" && r.Use(f.key) != sim.Refused {
			e.add(f.key, strNode(f.v))
		}
	}
	if ev.Where != sim.AtIdentityCenter && r.Use("where") != sim.Refused {
		e.add("where", strNode(ev.Where.String()))
	}
	if ev.Duration != 0 && r.Use("duration") != sim.Refused {
		e.add("duration", durNode(ev.Duration))
	}
	if ev.Scheduled && r.Use("scheduled") != sim.Refused {
		e.add("scheduled", boolNode(true))
	}
}

func stepsNode(steps []sim.Step, flow bool) *yaml.Node {
	l := seqNode(flow && len(steps) == 0)
	for _, st := range steps {
		e := &mapNode{}
		if st.After != 0 {
			e.add("after", durNode(st.After))
		}
		eventFields(e, st.Event, true)
		l.Content = append(l.Content, e.flow())
	}
	return l
}

func namesNode(names []string) *yaml.Node {
	l := seqNode(true)
	for _, n := range names {
		l.Content = append(l.Content, strNode(n))
	}
	return l
}

func devicesNode(devices []sim.Device) *yaml.Node {
	l := seqNode(false)
	for _, d := range devices {
		dm := &mapNode{}
		dm.add("name", strNode(d.Name))
		dm.add("kind", strNode(d.Kind.String()))
		if d.Kind == sim.CLI {
			dm.add("config", strNode(d.Config.String()))
			dm.add("client", strNode(d.Client.String()))
			if d.Browser != "" {
				dm.add("browser", strNode(d.Browser))
			}
		}
		l.Content = append(l.Content, dm.flow())
	}
	return l
}

func behaviourNode(bh *sim.Behaviour) *yaml.Node {
	e := &mapNode{}
	e.add("name", strNode(bh.Name))
	if bh.Location != nil {
		e.add("time_zone", strNode(bh.Location.String()))
	}
	days := seqNode(true)
	for d, on := range bh.WorkingDays {
		if on {
			days.Content = append(days.Content, strNode(weekdays[d]))
		}
	}
	e.add("working_days", days)
	wh := &mapNode{}
	wh.add("start", durNode(bh.DayStart))
	wh.add("end", durNode(bh.DayEnd))
	e.add("working_hours", wh.flow())
	if bh.ArrivalSpread != 0 {
		e.add("arrival_spread", durNode(bh.ArrivalSpread))
	}
	if bh.SignOutProbability != 0 {
		e.add("sign_out", floatNode(bh.SignOutProbability))
	}
	activity := func(key, targets string, a *sim.Activity, dur *sim.Dist, app string) {
		if a.PerDay == 0 && len(a.Targets) == 0 && (dur == nil || *dur == (sim.Dist{})) && app == "" {
			return
		}
		am := &mapNode{}
		if app != "" {
			am.add("application", strNode(app))
		}
		am.add("per_day", floatNode(a.PerDay))
		if len(a.Targets) > 0 {
			l := seqNode(true)
			for _, t := range a.Targets {
				if targets == "applications" {
					l.Content = append(l.Content, strNode(t.Application))
					continue
				}
				tm := &mapNode{}
				tm.add("account", strNode(t.Account))
				tm.add("permission_set", strNode(t.PermissionSet))
				l.Content = append(l.Content, tm.flow())
			}
			am.add(targets, l)
		}
		if dur != nil && *dur != (sim.Dist{}) {
			am.add("duration", distNode(*dur))
		}
		e.add(key, am.flow())
	}
	activity("open_app", "applications", &bh.OpenApp, nil, "")
	activity("federate", "targets", &bh.Federate, nil, "")
	activity("cli", "targets", &bh.CLI, nil, "")
	if bh.CLIWorkload != nil {
		tm := &mapNode{}
		tm.add("account", strNode(bh.CLIWorkload.Account))
		tm.add("permission_set", strNode(bh.CLIWorkload.PermissionSet))
		e.add("cli_workload", tm.flow())
	}
	activity("jobs", "applications", &bh.Jobs, &bh.JobDuration, "")
	if bh.Kiro != "" {
		e.add("kiro", strNode(bh.Kiro))
	}
	if ob := bh.ActAsUser; ob != nil {
		activity("act_as_user", "targets", &ob.Activity, nil, ob.Application)
	}
	return &e.n
}

func distNode(d sim.Dist) *yaml.Node {
	inner := &mapNode{}
	var key string
	switch d.Kind {
	case sim.Fixed:
		return durNode(d.A)
	case sim.Exponential:
		key = "exponential"
		inner.add("mean", durNode(d.A))
	case sim.LogNormal:
		key = "lognormal"
		inner.add("median", durNode(d.A))
		inner.add("sigma", floatNode(d.Sigma))
	case sim.Uniform:
		key = "uniform"
		inner.add("min", durNode(d.A))
		inner.add("max", durNode(d.B))
	}
	outer := &mapNode{}
	outer.add(key, inner.flow())
	return outer.flow()
}

// floatNode writes a number so that it reads back exactly.
func floatNode(x float64) *yaml.Node {
	s := strconv.FormatFloat(x, 'g', -1, 64)
	tag := "!!float"
	if strings.Trim(s, "-0123456789") == "" {
		tag = "!!int"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s}
}

func assignmentsNode(as []sim.Assignment) *yaml.Node {
	l := seqNode(true)
	for _, a := range as {
		e := &mapNode{}
		if a.Application != "" {
			e.add("application", strNode(a.Application))
		} else {
			e.add("account", strNode(a.Account))
			e.add("permission_set", strNode(a.PermissionSet))
		}
		l.Content = append(l.Content, e.flow())
	}
	return l
}

type mapNode struct{ n yaml.Node }

func (m *mapNode) add(key string, v *yaml.Node) {
	m.n.Kind = yaml.MappingNode
	m.n.Content = append(m.n.Content, strNode(key), v)
}

func (m *mapNode) flow() *yaml.Node {
	m.n.Kind = yaml.MappingNode
	m.n.Style = yaml.FlowStyle
	return &m.n
}

func strNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
func intNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: s} }
func durNode(d time.Duration) *yaml.Node {
	return strNode(sim.FormatDuration(d))
}
func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}
func seqNode(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

// addPerson writes what a user and a population's people have: groups, assignments and devices.
func (m *mapNode) addPerson(groups []string, assignments []sim.Assignment, devices []sim.Device) {
	if len(groups) > 0 {
		m.add("groups", namesNode(groups))
	}
	if len(assignments) > 0 {
		m.add("assignments", assignmentsNode(assignments))
	}
	if len(devices) > 0 {
		m.add("devices", devicesNode(devices))
	}
}
