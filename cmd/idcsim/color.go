package main

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strconv"

	"idcsim/sim"
)

// ANSI colours of the text summary.
const (
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiReset  = "\x1b[0m"
)

// useColor says whether the text summary written to w is coloured, as --color says: always,
// never, or auto: on a terminal, unless the environment sets NO_COLOR (no-color.org) to anything
// but the empty string.
func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	return os.Getenv("NO_COLOR") == "" && isTerminal(w)
}

var verdictWord = regexp.MustCompile(`\b(PASS|FAIL)\b`)

// colorize colours a text summary for a terminal: PASS green, FAIL red, and the rows of the
// exposure table whose channel has windows open at the horizon yellow.
func colorize(text []byte) []byte {
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(text, []byte("\n")) {
		body := bytes.TrimSuffix(line, []byte("\n"))
		switch {
		case openRow(body):
			b.WriteString(ansiYellow)
			b.Write(body)
			b.WriteString(ansiReset)
		default:
			b.Write(verdictWord.ReplaceAllFunc(body, func(w []byte) []byte {
				c := ansiGreen
				if string(w) == "FAIL" {
					c = ansiRed
				}
				return []byte(c + string(w) + ansiReset)
			}))
		}
		b.Write(line[len(body):])
	}
	return b.Bytes()
}

// openRow says whether line is a row of the exposure table (a channel's name, then the number of
// windows open at the horizon) with open windows.
func openRow(line []byte) bool {
	f := bytes.Fields(line)
	if len(f) < 2 {
		return false
	}
	if _, ok := sim.ParseChannel(string(f[0])); !ok {
		return false
	}
	n, err := strconv.Atoi(string(f[1]))
	return err == nil && n > 0
}
