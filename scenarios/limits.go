package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// Limits on what a scenario may ask for, so that reading or running one never takes hours or
// exhausts memory. The command line holds its flags to the same limits.
const (
	// MaxFileSize is the most bytes a scenario file may hold.
	MaxFileSize = 64 << 20
	// MaxNodes is the most YAML nodes a file may make. CheckSize bounds them before the YAML
	// parser builds any (see nodeBound). Files just under it took 190 to 260 MB and 1 to 2.5
	// seconds to parse (500,000 accounts, 50,000 events, 143,000 users, a flow mapping of
	// 500,000 keys making 1,000,000 nodes); one of 64 MiB of comments or a quoted string, 300 MB.
	MaxNodes = 1_000_000
	// MaxReplications is the most replications of a run.
	MaxReplications = 100_000
	// MaxUsers is the most people: users and the people of populations together.
	MaxUsers = 10_000_000
	// MaxEvents is the most events of the timeline.
	MaxEvents = 1_000_000
	// MaxHorizonDays is the longest horizon, in days.
	MaxHorizonDays = 400
	// MaxSweepCandidates is the most candidates a sweep may list or its grid may hold.
	MaxSweepCandidates = 10_000
	// MaxErrors is the most problems listed per file, and apart the most warnings; the others
	// are counted, not kept.
	MaxErrors = 100
)

// CheckSize refuses data that is too large to read as YAML: more than MaxFileSize bytes, or
// tokens that could make more than MaxNodes nodes. It reads the data once and builds nothing;
// the error is an ErrorList naming the place where the limit was crossed.
func CheckSize(filename string, data []byte) error {
	return checkSize(filename, data, "")
}

// checkSize is CheckSize with a hint added to the message of too many nodes.
func checkSize(filename string, data []byte, hint string) error {
	if len(data) > MaxFileSize {
		return ErrorList{{File: filename, Line: 1, Col: 1,
			Msg: fmt.Sprintf("the file is %d bytes, larger than the limit of %d MiB", len(data), MaxFileSize>>20)}}
	}
	if _, line, col, over := nodeBound(data, MaxNodes); over {
		return ErrorList{{File: filename, Line: line, Col: col,
			Msg: fmt.Sprintf("the file could make more than %d YAML nodes by here, the limit%s", MaxNodes, hint)}}
	}
	return nil
}

// nodeBound bounds the number of nodes the YAML parser would build from data (yaml.v3 has no
// streaming node API, so the bound must come first). It counts the tokens outside comments,
// each with the most nodes it can make:
//
//   - a run of characters other than blanks, ASCII line breaks and the flow indicators ,[]{}: 1
//     (a scalar or an alias), or 2 when it begins with --- or ... (a document and its empty
//     root), or 2 when it is a - followed by anything but a visible ASCII character (a
//     sequence and an empty entry);
//   - each : in a run: 1 more (a mapping), 1 more at the start of a run (an empty key), and 1
//     more unless the next character past blanks is visible ASCII other than #,]} (an empty
//     value, as in "a:" at the end of a line);
//   - each ? in a run: 3 more (a mapping, an empty key and an empty value);
//   - each - inside a run not followed by a visible ASCII character: 2 more;
//   - each [ and {: 1 (the collection); each , and }: 1 (the empty value of a key without one
//     in a flow mapping, as in {a, b});
//
// and 2 for the first document and its root. Every node is thus counted at least once: a
// quoted string's inside is counted as if it were not quoted, and characters outside ASCII,
// some of which break lines, never end a run but never hide an empty value. A comment, from a
// # at the start of a line or after a blank, is skipped up to the first character that is not
// printable ASCII or is a quote: if the # was inside a quoted string, the string can only end
// at a quote, where counting goes on. The bound is about 1.5 times the nodes of YAML written
// in block style (key: value), twice those of flow style ({key: value, ...}), more where
// comments hold quotes or quoted strings hold words, and at most 2.5 times in the examples.
//
// It stops as soon as the bound exceeds limit, with over set and the line and column (in
// characters, from 1) of the token that crossed it.
func nodeBound(data []byte, limit int) (bound, line, col int, over bool) {
	bound, line, col = 2, 1, 1
	inRun := false
	afterBlank := true // at the start of a line or after a blank, where a # starts a comment
	visible := func(i int) bool { return i < len(data) && data[i] >= '!' && data[i] <= '~' }
	for i := 0; i < len(data); i++ {
		c := data[i]
		w := 0
		switch {
		case c == '\n' || c == '\r' && (i+1 == len(data) || data[i+1] != '\n'): // \r\n breaks once
			line, col, inRun, afterBlank = line+1, 1, false, true
			continue
		case c == '\r':
			continue
		case c == ' ' || c == '\t':
			inRun, afterBlank = false, true
			col++
			continue
		case c == '#' && afterBlank:
			for i+1 < len(data) && commentByte(data[i+1]) {
				i++
				col++
			}
			col++
			afterBlank = false
			continue
		case c == '[' || c == '{' || c == ',' || c == '}':
			w, inRun = 1, false
		case c == ']':
			inRun = false
		default:
			start := !inRun
			inRun = true
			switch {
			case c == '-' && !visible(i+1):
				w = 2
			case start && (c == '-' || c == '.') && i+2 < len(data) && data[i+1] == c && data[i+2] == c:
				w = 2 // --- or ...
			case start:
				w = 1
			}
			switch c {
			case ':':
				w++
				if start {
					w++
				}
				j := i + 1
				for j < len(data) && (data[j] == ' ' || data[j] == '\t') {
					j++
				}
				if !visible(j) || strings.IndexByte("#,]}", data[j]) >= 0 {
					w++
				}
			case '?':
				w += 3
			}
		}
		afterBlank = false
		if bound += w; bound > limit {
			return bound, line, col, true
		}
		if c&0xC0 != 0x80 { // not a continuation byte of UTF-8: a new character
			col++
		}
	}
	return bound, line, col, false
}

// commentByte says whether a comment may be skipped over c: printable ASCII but a quote, or a tab.
func commentByte(c byte) bool {
	return c == '\t' || c >= ' ' && c <= '~' && c != '"' && c != '\''
}

// problems collects the problems found in a file in bounded memory: the first MaxErrors by
// position, and how many others there were.
type problems struct {
	list ErrorList
	more int
}

// compactAt is how many problems are kept before the list is sorted and cut to MaxErrors.
const compactAt = 10_000

func (p *problems) add(e *Error) {
	p.list = append(p.list, e)
	if len(p.list) >= compactAt {
		p.compact()
	}
}

// compact sorts the problems, drops repeated ones and keeps the first MaxErrors, counting the
// rest. A repetition of a problem already counted out is counted again: only a file with more
// than compactAt problems can tell.
func (p *problems) compact() {
	p.list = p.list.sortDedup()
	if len(p.list) > MaxErrors {
		p.more += len(p.list) - MaxErrors
		p.list = slices.Clip(p.list[:MaxErrors])
	}
}

// len is the number of problems found.
func (p *problems) len() int { return len(p.list) + p.more }

// result returns the first MaxErrors problems sorted by position and, when there were more, a
// last Error without a position saying how many more (of what: "errors", "warnings").
func (p *problems) result(file, what string) ErrorList {
	p.compact()
	if p.more == 0 {
		return p.list
	}
	return append(p.list, &Error{File: file, Msg: fmt.Sprintf("and %d more %s", p.more, what)})
}
