package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"idcsim/sim"
)

// decoder walks a YAML node tree and collects every problem with its position.
type decoder struct {
	file     string
	errs     problems
	warnings problems
	// budget bounds the work spent on "did you mean" suggestions in files with many errors.
	budget int
}

// orList suggests the option closest to s, or lists the options when none is close.
func (d *decoder) orList(s string, options []string) string {
	if hint := d.suggest(s, options); hint != "" {
		return hint
	}
	return "; it is one of " + strings.Join(options, ", ")
}

// suggest is the package's suggest within the decoder's budget.
func (d *decoder) suggest(s string, candidates []string) string {
	if d.budget < len(candidates) {
		return ""
	}
	d.budget -= len(candidates)
	return suggest(s, candidates)
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs.add(d.at(n, format, args...))
}

func (d *decoder) warnf(n *yaml.Node, format string, args ...any) {
	d.warnings.add(d.at(n, format, args...))
}

func (d *decoder) at(n *yaml.Node, format string, args ...any) *Error {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, n.Column
	}
	return &Error{File: d.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// describe says what a node is, for messages about wrong types.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "an empty value"
		case "!!bool":
			return "the boolean " + n.Value
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!timestamp":
			return "the time " + n.Value
		}
		return strconv.Quote(n.Value)
	}
	return "an unknown node"
}

var allowedTags = map[string]bool{
	"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true,
	"!!map": true, "!!seq": true, "!!timestamp": true,
}

// checkTree refuses anchors, aliases, merge keys and unusual tags anywhere in the tree.
// Aliases are refused outright, so that no file can expand to more than it holds.
func (d *decoder) checkTree(root *yaml.Node) {
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Anchor != "" {
			d.errorf(n, "anchors (&%s) are not supported; write the value out in full", n.Anchor)
		}
		if n.Kind == yaml.AliasNode {
			d.errorf(n, "aliases (*%s) are not supported; write the value out in full", n.Value)
			continue
		}
		if n.Style&yaml.TaggedStyle != 0 && !allowedTags[n.ShortTag()] {
			d.errorf(n, "the tag %s is not supported; remove it", n.Tag)
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i < len(n.Content); i += 2 {
				if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].ShortTag() == "!!merge" {
					d.errorf(n.Content[i], "merge keys (<<) are not supported; write the keys out in full")
				}
			}
		}
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
}

// fields are the keys of a mapping with their values.
type fields struct {
	n   *yaml.Node
	val map[string]*yaml.Node
	key map[string]*yaml.Node
}

func (f *fields) has(k string) bool { return f != nil && f.val[k] != nil }

func (f *fields) get(k string) *yaml.Node {
	if f == nil {
		return nil
	}
	return f.val[k]
}

// mapping reads a mapping, refusing duplicate keys and keys not in allowed.
func (d *decoder) mapping(n *yaml.Node, what string, allowed []string) *fields {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, what, "a mapping (key: value)")
		return nil
	}
	f := &fields{n: n, val: map[string]*yaml.Node{}, key: map[string]*yaml.Node{}}
	keys, vals := d.entries(n, what)
	for i, k := range keys {
		if !contains(allowed, k.Value) {
			hint := keyHints[what+"."+k.Value]
			if hint == "" {
				hint = d.suggest(k.Value, allowed)
			}
			if hint == "" {
				hint = keyHints[what+".*"]
			}
			d.errorf(k, "unknown key %q in %s%s", k.Value, what, hint)
			continue
		}
		f.key[k.Value] = k
		f.val[k.Value] = vals[i]
	}
	return f
}

// keyHints explain keys that are refused where they were written.
var keyHints = map[string]string{
	"playbook step.at":        "; a step is timed by after, from the previous step",
	"playbook step.user":      "; a step acts on the offboarded user",
	"playbook step.playbook":  "; playbooks do not nest",
	"event.after":             "; an event is timed by at",
	"target.application":      "; a target is an account with a permission_set; applications go under open_app, jobs or kiro",
	"cli.applications":        "; cli takes targets: accounts with permission sets",
	"federate.applications":   "; federate takes targets: accounts with permission sets",
	"open_app.targets":        "; open_app takes applications",
	"jobs.targets":            "; jobs takes applications of kind jobs",
	"jobs duration.*":         "; a distribution is one of exponential, lognormal or uniform, or write a duration",
	"offboardings entry.user": "; generated offboardings draw their people at random; to offboard one person, write an offboard event",
	"offboardings entry.at":   "; generated offboardings fall at random between from and to",
}

// entries reads a mapping whose keys are names chosen by the user, refusing duplicates.
func (d *decoder) entries(n *yaml.Node, what string) (keys, vals []*yaml.Node) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, what, "a mapping (key: value)")
		return nil, nil
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			if k.Kind != yaml.AliasNode {
				d.errorf(k, "the keys of %s must be plain names, not %s", what, describe(k))
			}
			continue
		}
		if k.ShortTag() == "!!merge" {
			continue
		}
		if prev := seen[k.Value]; prev != nil {
			d.errorf(k, "duplicate key %q in %s (first at line %d)", k.Value, what, prev.Line)
			continue
		}
		seen[k.Value] = k
		keys = append(keys, k)
		vals = append(vals, v)
	}
	return keys, vals
}

func (d *decoder) wrongType(n *yaml.Node, what, want string) {
	if n.Kind == yaml.AliasNode {
		return // reported by checkTree
	}
	hint := ""
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		switch {
		case strings.HasPrefix(want, "a list"):
			hint = "; write [] for none"
		case strings.HasPrefix(want, "a mapping"):
			hint = "; write {} for none, or leave the key out"
		default:
			hint = "; give a value or leave the key out"
		}
	}
	d.errorf(n, "%s must be %s, not %s%s", what, want, describe(n), hint)
}

// list reads a sequence.
func (d *decoder) list(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		d.wrongType(n, what, "a list")
		return nil, false
	}
	return n.Content, true
}

func isScalar(n *yaml.Node, tags ...string) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	t := n.ShortTag()
	for _, x := range tags {
		if t == x {
			return true
		}
	}
	return false
}

// text reads free text: anything printable, with line breaks and tabs when multiline is set.
func (d *decoder) text(n *yaml.Node, what string, multiline bool) (string, bool) {
	if !isScalar(n, "!!str", "!!int", "!!float", "!!bool", "!!timestamp") {
		d.wrongType(n, what, "a string")
		return "", false
	}
	for _, r := range n.Value {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) || r == utf8.RuneError {
			d.errorf(n, "%s contains the control character %U; remove it", what, r)
			return "", false
		}
	}
	if utf8.RuneCountInString(n.Value) > 1000 {
		d.errorf(n, "%s is longer than 1000 characters", what)
		return "", false
	}
	return n.Value, true
}

// name reads the name of a thing: printable, without spaces at either end, at most 200 characters.
func (d *decoder) name(n *yaml.Node, what string) (string, bool) {
	if !isScalar(n, "!!str", "!!int", "!!float") {
		if isScalar(n, "!!bool") {
			d.errorf(n, "%s must be a name, not the boolean %s; quote it if it is meant as a name", what, n.Value)
			return "", false
		}
		d.wrongType(n, what, "a name")
		return "", false
	}
	s := n.Value
	switch {
	case s == "":
		d.errorf(n, "%s is empty", what)
	case strings.TrimSpace(s) != s:
		d.errorf(n, "%s %q begins or ends with a space", what, s)
	case utf8.RuneCountInString(s) > 200:
		d.errorf(n, "%s is longer than 200 characters", what)
	case strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0:
		d.errorf(n, "%s %q contains a character that is not printable", what, s)
	default:
		return s, true
	}
	return "", false
}

// enum reads one of a fixed set of words.
func (d *decoder) enum(n *yaml.Node, what string, options []string) (string, bool) {
	if !isScalar(n, "!!str", "!!int", "!!float") {
		d.wrongType(n, what, "one of "+strings.Join(options, ", "))
		return "", false
	}
	if !contains(options, n.Value) {
		d.errorf(n, "unknown %s %q%s", what, n.Value, d.orList(n.Value, options))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	if !isScalar(n, "!!bool") {
		if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" {
			d.errorf(n, "%s must be true or false, not %s", what, describe(n))
		} else {
			d.wrongType(n, what, "true or false")
		}
		return false, false
	}
	return strings.EqualFold(n.Value, "true"), true
}

func (d *decoder) integer(n *yaml.Node, what string, lo, hi uint64) (uint64, bool) {
	if !isScalar(n, "!!int") {
		d.wrongType(n, what, "a whole number")
		return 0, false
	}
	v, err := strconv.ParseUint(n.Value, 10, 64)
	if err != nil || v < lo || v > hi {
		d.errorf(n, "%s must be a whole number from %d to %d, not %s", what, lo, hi, n.Value)
		return 0, false
	}
	return v, true
}

// duration reads a duration (ParseDuration).
func (d *decoder) duration(n *yaml.Node, what string) (time.Duration, bool) {
	if !isScalar(n, "!!str", "!!int", "!!float") {
		d.wrongType(n, what, "a duration such as 15m, 8h, 90d or PT8H")
		return 0, false
	}
	v, err := sim.ParseDuration(n.Value)
	if err != nil {
		d.errorf(n, "%s: %v", what, err)
		return 0, false
	}
	return v, true
}

// positive reads a duration that must be more than zero.
func (d *decoder) positive(n *yaml.Node, what string) (time.Duration, bool) {
	v, ok := d.duration(n, what)
	if ok && v <= 0 {
		d.errorf(n, "%s must be longer than 0s", what)
		return 0, false
	}
	return v, ok
}

// looksLikeTime reports whether s starts like a date (2026-03-02...).
func looksLikeTime(s string) bool {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// timestamp reads an RFC 3339 time and returns it in UTC.
func (d *decoder) timestamp(n *yaml.Node, what string) (time.Time, bool) {
	if !isScalar(n, "!!str", "!!timestamp") {
		d.wrongType(n, what, "an RFC 3339 time such as 2026-03-02T09:00:00Z")
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, n.Value)
	if err != nil {
		d.errorf(n, "%s %q is not an RFC 3339 time such as 2026-03-02T09:00:00Z (a date, a time of day and a zone)", what, n.Value)
		return time.Time{}, false
	}
	if msg := timeRangeProblem(n.Value, t); msg != "" {
		d.errorf(n, "%s %q: %s", what, n.Value, msg)
		return time.Time{}, false
	}
	if t.Nanosecond() != 0 {
		d.errorf(n, "%s %q has a fraction of a second; times are whole seconds, as durations are", what, n.Value)
		return time.Time{}, false
	}
	return t.UTC(), true
}

// The times a scenario may name: from the Unix epoch to the last instant RFC 3339 can write.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// timeRangeProblem says what is wrong with a time that time.Parse accepted but RFC 3339 or idcsim
// does not: a zone offset of 24 hours or more (RFC 3339's time-numoffset has hours 00 to 23 and
// minutes 00 to 59), or an instant outside minTime..maxTime. It returns "" when there is none.
func timeRangeProblem(value string, t time.Time) string {
	if z := value[len(value)-1]; z != 'Z' && z != 'z' && len(value) >= 6 {
		off := value[len(value)-5:] // HH:MM after the sign
		if off[0:2] > "23" || off[3:5] > "59" {
			return "the zone offset must be from -23:59 to +23:59"
		}
	}
	if t.Before(minTime) || t.After(maxTime) {
		return fmt.Sprintf("want a time from %s to %s", minTime.Format(time.RFC3339), maxTime.Format(time.RFC3339))
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns `; did you mean "x"?` for the candidate closest to s, if one is close.
func suggest(s string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		dist := editDistance(strings.ToLower(s), strings.ToLower(c))
		if best == "" || dist < bestDist {
			best, bestDist = c, dist
		}
	}
	limit := 2
	if n := utf8.RuneCountInString(s); n <= 3 {
		limit = 1
	} else if n >= 10 {
		limit = 3
	}
	if best == "" || bestDist > limit || best == s {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the Levenshtein distance between a and b, in runes; it gives up past 8.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		if a == b {
			return 0
		}
		return 99
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
