package scenarios

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"idcsim/sim"
)

// Default objective of a sweep: the candidates are compared on the p95 of the any channel.
const (
	defaultObjectiveChannel   = sim.ChAny
	defaultObjectiveStatistic = "p95"
)

// sweepObjects are the objects of the sweep: block, for the schema and for decoding.
func sweepObjects(dur, name map[string]any) []object {
	durations := map[string]any{"type": "array", "items": dur, "minItems": 1, "uniqueItems": true}
	timingOf := func(item map[string]any) map[string]any {
		props := map[string]any{}
		for _, t := range sim.TimingNames() {
			props[t] = item
		}
		return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	}
	perSet := func(item map[string]any) map[string]any {
		return map[string]any{"type": "object", "additionalProperties": item, "propertyNames": name}
	}
	return []object{
		{"sweep", fmt.Sprintf("Candidate settings for idcsim sweep: lists of candidate values, whose every combination (the grid) is a candidate, or a list of candidates in place of the grid; at most %d candidates. Every candidate runs with the same seeds.", MaxSweepCandidates), []prop{
			{"portal_session", "Candidate portal session durations (UIS-1), within the profile's range.", durations},
			{"permission_sets", "Candidate session durations (ROLE-2, 1h..12h) by permission set.", perSet(durations)},
			{"background_session", "Candidate background session durations (BG-1); profile current only.", durations},
			{"kiro_session", "Candidate Kiro session durations (KIRO-1); profile current only.", durations},
			{"timing", "Candidate values of the profile's timing parameters, by name.", timingOf(durations)},
			{"candidates", "A list of candidates in place of the grid: each names the settings it changes; the others keep the scenario's values.", listOf(ref("sweep_candidate"))},
			{"objective", "The exposure statistic the candidates are compared on. Default: the p95 of any.", ref("sweep_objective")},
		}},
		{"sweep_candidate", "One candidate: the settings it changes.", []prop{
			{"portal_session", "The portal session duration (UIS-1).", dur},
			{"permission_sets", "Session durations (ROLE-2) by permission set.", perSet(dur)},
			{"background_session", "The background session duration (BG-1).", dur},
			{"kiro_session", "The Kiro session duration (KIRO-1).", dur},
			{"timing", "Timing parameters of the profile, by name.", timingOf(dur)},
		}},
		{"sweep_objective", "The exposure statistic a sweep compares candidates on, against friction.", []prop{
			{"channel", "The channel. Default any.", enum(channelNames())},
			{"statistic", "max, mean, p50, p95 (the default) or p99.", enum(sim.Statistics())},
		}},
	}
}

// buildSweep reads the sweep: block.
func (b *builder) buildSweep(n *yaml.Node) {
	if n == nil {
		return
	}
	f := b.mapping(n, "sweep", keysOf("sweep"))
	if f == nil {
		return
	}
	sw := &sim.Sweep{Channel: defaultObjectiveChannel, Statistic: defaultObjectiveStatistic}
	ok := true
	var grid []*yaml.Node // the keys of the grid's settings
	for _, k := range f.order() {
		v := f.get(k.Value)
		switch k.Value {
		case "portal_session", "background_session", "kiro_session":
			grid = append(grid, k)
			ok = b.sweepAxis(sw, k.Value, "sweep "+k.Value, k, v) && ok
		case "permission_sets", "timing":
			grid = append(grid, k)
			keys, vals := b.entries(v, "sweep "+k.Value)
			if len(keys) == 0 && v.Kind == yaml.MappingNode {
				b.errorf(v, "sweep %s names none: give candidate values, or leave the key out", k.Value)
				ok = false
			}
			for i, key := range keys {
				setting, good := b.sweepSetting(k.Value, key)
				if good {
					ok = b.sweepAxis(sw, setting, "sweep "+setting, key, vals[i]) && ok
				} else {
					ok = false
				}
			}
		}
	}
	if v := f.get("candidates"); v != nil {
		if len(grid) > 0 {
			b.errorf(f.key["candidates"], "sweep: candidates lists the candidates in place of the grid of %s; put those values into the candidates, or leave candidates out",
				joinKeys(grid))
			ok = false
		} else {
			ok = b.sweepCandidates(sw, v) && ok
		}
	}
	if v := f.get("objective"); v != nil {
		if g := b.mapping(v, "sweep objective", keysOf("sweep_objective")); g != nil {
			if x := g.get("channel"); x != nil {
				if s, good := b.enum(x, "channel", channelNames()); good {
					sw.Channel, _ = sim.ParseChannel(s)
				}
			}
			if x := g.get("statistic"); x != nil {
				if s, good := b.enum(x, "statistic", sim.Statistics()); good {
					sw.Statistic = s
				}
			}
		}
	}
	if len(grid) == 0 && !f.has("candidates") {
		b.errorf(n, "sweep varies no setting: give candidate values such as portal_session: [4h, 8h, 12h], or a list of candidates")
		return
	}
	if !ok {
		return
	}
	if len(sw.Axes) > 0 {
		size, sizes := 1, []string{}
		for _, a := range sw.Axes {
			size = min(size*len(a.Values), MaxSweepCandidates+1)
			sizes = append(sizes, fmt.Sprint(len(a.Values)))
		}
		if size > MaxSweepCandidates {
			b.errorf(n, "the sweep's grid has more than %d candidates (%s values); sweep fewer values, or list the candidates to compare", MaxSweepCandidates, strings.Join(sizes, " × "))
			return
		}
	}
	b.sc.Sweep = sw
}

// order returns the keys of the mapping that were read, in the order of the file.
func (f *fields) order() []*yaml.Node {
	var out []*yaml.Node
	for i := 0; i+1 < len(f.n.Content); i += 2 {
		k := f.n.Content[i]
		if k.Kind == yaml.ScalarNode && f.key[k.Value] == k {
			out = append(out, k)
		}
	}
	return out
}

func joinKeys(keys []*yaml.Node) string {
	var s []string
	for _, k := range keys {
		s = append(s, k.Value)
	}
	return strings.Join(s, ", ")
}

// sweepSetting returns the setting that a key under permission_sets or timing names, checking
// that the permission set or timing parameter exists.
func (b *builder) sweepSetting(group string, key *yaml.Node) (string, bool) {
	if group == "permission_sets" {
		name, ok := b.permset(key)
		return "permission_set." + name, ok
	}
	names := sim.TimingNames()
	if !contains(names, key.Value) {
		b.errorf(key, "unknown timing parameter %q%s", key.Value, b.orList(key.Value, names))
		return "", false
	}
	return "timing." + key.Value, true
}

// sweepAxis reads the candidate values of a setting and adds them to the grid.
func (b *builder) sweepAxis(sw *sim.Sweep, setting, what string, key, n *yaml.Node) bool {
	items, ok := b.list(n, what)
	if !ok {
		return false
	}
	if len(items) == 0 {
		b.errorf(n, "%s is an empty list: give at least one value, or leave the key out", what)
		return false
	}
	axis := sim.Axis{Name: setting}
	at := map[time.Duration]*yaml.Node{}
	for _, it := range items {
		v, good := b.sweepValue(setting, it)
		if !good {
			ok = false
			continue
		}
		if prev := at[v]; prev != nil {
			b.errorf(it, "%s lists %s twice (first at line %d)", what, sim.FormatDuration(v), prev.Line)
			ok = false
			continue
		}
		at[v] = it
		axis.Values = append(axis.Values, v)
	}
	if ok {
		b.sweepWarnings(setting, key)
		sw.Axes = append(sw.Axes, axis)
	}
	return ok
}

// sweepValue reads a candidate value of a setting and checks it against the profile's range.
func (b *builder) sweepValue(setting string, n *yaml.Node) (time.Duration, bool) {
	p := &b.sc.Profile
	read := b.positive
	if t, ok := strings.CutPrefix(setting, "timing."); ok && sim.TimingMayBeZero(t) {
		read = b.duration // 0 (the mechanism is off) or more: durations are never negative
	}
	v, ok := read(n, setting)
	if !ok {
		return 0, false
	}
	st := sim.Setting{Name: setting}
	_, _, rule, ranged := st.Range(p)
	if (st == sim.BackgroundSessionSetting || st == sim.KiroSessionSetting) && b.profile && !p.ExtendedSessions {
		b.errorf(n, "%s cannot be swept: profile %s has no such sessions (%s); use profile current", setting, p.Name, rule)
		return 0, false
	}
	if ranged {
		what := setting
		if strings.HasPrefix(setting, "permission_set.") {
			what = "permission set session_duration"
		}
		ok = b.checkRange(n, what, v, st)
	}
	return v, ok
}

// sweepWarnings notices a swept setting that cannot change anything.
func (b *builder) sweepWarnings(setting string, key *yaml.Node) {
	sc := b.sc
	switch setting {
	case "portal_session":
		if sc.Source.Kind == sim.ActiveDirectory && !sc.Profile.ADSessionManagement {
			b.warnf(key, "sweeping portal_session changes nothing: in profile %s an Active Directory source has a fixed %s portal session (UIS-8)",
				sc.Profile.Name, sim.FormatDuration(sc.Profile.ADFixedPortal))
		}
	case "background_session":
		if !sc.Settings.BackgroundSessions {
			b.warnf(key, "sweeping background_session changes nothing while background sessions are off (settings.background_sessions)")
		}
	case "kiro_session":
		if !sc.Settings.KiroExtendedSessions {
			b.warnf(key, "sweeping kiro_session changes nothing while Kiro extended sessions are off (settings.kiro_sessions)")
		}
	}
}

// sweepCandidates reads a list of candidates.
func (b *builder) sweepCandidates(sw *sim.Sweep, n *yaml.Node) bool {
	items, ok := b.list(n, "sweep candidates")
	if !ok {
		return false
	}
	if len(items) == 0 {
		b.errorf(n, "sweep candidates is an empty list: give at least one candidate, or leave the key out")
		return false
	}
	if len(items) > MaxSweepCandidates {
		b.errorf(n, "sweep candidates lists %d candidates, more than the limit of %d", len(items), MaxSweepCandidates)
		return false
	}
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		f := b.mapping(it, "sweep candidate", keysOf("sweep_candidate"))
		if f == nil {
			ok = false
			continue
		}
		var c sim.Candidate
		good := true
		add := func(setting string, v *yaml.Node) {
			if d, fine := b.sweepValue(setting, v); fine {
				c = append(c, sim.Setting{Name: setting, Value: d})
			} else {
				good = false
			}
		}
		for _, k := range f.order() {
			v := f.get(k.Value)
			switch k.Value {
			case "portal_session", "background_session", "kiro_session":
				add(k.Value, v)
			case "permission_sets", "timing":
				keys, vals := b.entries(v, "sweep candidate "+k.Value)
				for i, key := range keys {
					if setting, fine := b.sweepSetting(k.Value, key); fine {
						add(setting, vals[i])
					} else {
						good = false
					}
				}
			}
		}
		if !good {
			ok = false
			continue
		}
		if len(c) == 0 {
			b.errorf(it, "sweep candidate changes no setting: name at least one, such as {portal_session: 8h}")
			ok = false
			continue
		}
		id := candidateKey(c)
		if prev := seen[id]; prev != nil {
			b.errorf(it, "sweep candidate %s is listed twice (first at line %d)", c, prev.Line)
			ok = false
			continue
		}
		seen[id] = it
		sw.Candidates = append(sw.Candidates, c)
	}
	return ok
}

// candidateKey identifies a candidate whatever the order of its settings.
func candidateKey(c sim.Candidate) string {
	parts := make([]string, len(c))
	for i, s := range c {
		parts[i] = fmt.Sprintf("%s=%d", s.Name, s.Value)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// sweepNode writes a sweep in the format: the grid's settings, or the candidates, and the
// objective. Settings of a permission set or timing parameter are grouped under permission_sets
// or timing where the first of them stands.
func sweepNode(sw *sim.Sweep) *yaml.Node {
	m := &mapNode{}
	// settings writes settings (as value nodes) into m, grouping those of permission sets and timing.
	settings := func(m *mapNode, names []string, value func(i int) *yaml.Node) {
		groups := map[string]*mapNode{}
		for i, name := range names {
			key, sub, grouped := name, "", false
			if s, ok := strings.CutPrefix(name, "permission_set."); ok {
				key, sub, grouped = "permission_sets", s, true
			} else if s, ok := strings.CutPrefix(name, "timing."); ok {
				key, sub, grouped = "timing", s, true
			}
			if !grouped {
				m.add(key, value(i))
				continue
			}
			g := groups[key]
			if g == nil {
				g = &mapNode{}
				g.n.Kind = yaml.MappingNode
				groups[key] = g
				m.add(key, &g.n)
			}
			g.add(sub, value(i))
		}
	}
	if len(sw.Candidates) > 0 {
		l := seqNode(false)
		for _, c := range sw.Candidates {
			e := &mapNode{}
			names := make([]string, len(c))
			for i, s := range c {
				names[i] = s.Name
			}
			settings(e, names, func(i int) *yaml.Node { return durNode(c[i].Value) })
			for k := 1; k < len(e.n.Content); k += 2 {
				if e.n.Content[k].Kind == yaml.MappingNode {
					e.n.Content[k].Style = yaml.FlowStyle
				}
			}
			l.Content = append(l.Content, e.flow())
		}
		m.add("candidates", l)
	} else {
		names := make([]string, len(sw.Axes))
		for i, a := range sw.Axes {
			names[i] = a.Name
		}
		settings(m, names, func(i int) *yaml.Node {
			l := seqNode(true)
			for _, v := range sw.Axes[i].Values {
				l.Content = append(l.Content, durNode(v))
			}
			return l
		})
	}
	obj := &mapNode{}
	obj.add("channel", strNode(sw.Channel.String()))
	obj.add("statistic", strNode(sw.Statistic))
	m.add("objective", obj.flow())
	return &m.n
}
