package main

import (
	"fmt"
	"go/version"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// instruction is one instruction of a Dockerfile: its keyword in upper case and its arguments,
// continuation lines joined.
type instruction struct {
	line int
	cmd  string
	args string
}

// parseDockerfile reads a Dockerfile's instructions, skipping comments and blank lines.
func parseDockerfile(text string) []instruction {
	var ins []instruction
	var cur strings.Builder
	start := 0
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if body, more := strings.CutSuffix(trimmed, `\`); more {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		ins = append(ins, instruction{start, strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur.Reset()
	}
	return ins
}

// goLine is the go line of go.mod: "1.26.8".
var goLine = regexp.MustCompile(`(?m)^go (\d+\.\d+(?:\.\d+)?)\s*$`)

// golangTag is the Go version in a tag of the golang image: "1.26" in 1.26-bookworm.
var golangTag = regexp.MustCompile(`^(\d+\.\d+(?:\.\d+)?)(?:-|$)`)

// The Dockerfile builds a static idcsim in a golang image of the Go that go.mod names, and puts it
// in an image that runs it as a user other than root: every image pinned by a tag other than
// latest (or a digest), no ADD of a URL, the entrypoint idcsim. .ci/run builds the image where a
// builder and the base images are at hand; this test holds everywhere.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := goLine.FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	want := "go" + string(m[1])
	problems := lintDockerfile(string(data), want)
	for _, p := range problems {
		t.Error("Dockerfile:" + p)
	}
	// The lint finds what it is for.
	for _, c := range []struct{ file, want string }{
		{"FROM golang AS build\nFROM scratch\nUSER 1000\nENTRYPOINT [\"/idcsim\"]\n", "pinned by a tag"},
		{"FROM golang:latest AS build\nFROM scratch\nUSER 1000\nENTRYPOINT [\"/idcsim\"]\n", "pinned by a tag"},
		{"FROM golang:1.25 AS build\nFROM scratch\nUSER 1000\nENTRYPOINT [\"/idcsim\"]\n", "Go 1.25, go.mod asks for"},
		{"FROM golang:1.27 AS build\nFROM scratch\nUSER 1000\nENTRYPOINT [\"/idcsim\"]\n", "Go 1.27, go.mod asks for 1.26.8"},
		{"FROM golang:1.26.8-bookworm AS build\nRUN CGO_ENABLED=0 go build -trimpath\nFROM scratch\nUSER nonroot\nENTRYPOINT [\"/idcsim\"]\n", ""},
		{"FROM golang:1.26.1 AS build\nFROM scratch\nUSER 1000\nENTRYPOINT [\"/idcsim\"]\n", "Go 1.26.1, go.mod asks for"},
		{"FROM golang:1.26 AS build\nFROM scratch\nENTRYPOINT [\"/idcsim\"]\n", "no USER other than root"},
		{"FROM golang:1.26 AS build\nFROM scratch\nUSER 1000\nUSER root\nENTRYPOINT [\"/idcsim\"]\n", "runs as root"},
		{"FROM golang:1.26 AS build\nFROM scratch\nUSER 0:0\nENTRYPOINT [\"/idcsim\"]\n", "runs as root"},
		{"FROM golang:1.26 AS build\nADD \\\n  https://example.com/x.tgz /x\nFROM scratch\nUSER 1000\nENTRYPOINT [\"/idcsim\"]\n", "2: ADD of a URL"},
		{"FROM golang:1.26 AS build\nFROM scratch\nUSER 1000\n", "no ENTRYPOINT"},
		{"FROM golang:1.26 AS build\nRUN go build ./cmd/idcsim\nFROM scratch\nUSER 1000\nENTRYPOINT [\"/idcsim\"]\n", "CGO_ENABLED=0"},
		{"FROM alpine:3\nUSER 1000\nENTRYPOINT [\"/idcsim\"]\n", "no golang builder"},
		{"FROM golang:1.26 AS build\nRUN CGO_ENABLED=0 go build -trimpath\nFROM build\nUSER 1000\nENTRYPOINT [\"idcsim\"]\n", ""}, // a stage, not an image
	} {
		got := strings.Join(lintDockerfile(c.file, "go1.26.8"), "\n")
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("lint of\n%s\nsays %q, want %q", c.file, got, c.want)
		}
	}
}

// lintDockerfile lists what is wrong with a Dockerfile, each as "LINE: problem" (line 0 for the
// file as a whole), for a module whose go line is goVersion ("go1.26.8").
func lintDockerfile(text, goVersion string) []string {
	var problems []string
	bad := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%d: ", line)+fmt.Sprintf(format, args...))
	}
	stages := map[string]bool{} // the names of the stages so far
	var builder, static, user, entrypoint bool
	for _, in := range parseDockerfile(text) {
		switch in.cmd {
		case "FROM":
			user, entrypoint = false, false // what counts is the final stage's
			f := strings.Fields(in.args)
			for len(f) > 0 && strings.HasPrefix(f[0], "--") {
				f = f[1:] // --platform=...
			}
			switch {
			case len(f) == 0:
				bad(in.line, "FROM without an image")
			case stages[f[0]] || f[0] == "scratch":
			default:
				builder = lintImage(f[0], in.line, goVersion, bad) || builder
			}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				stages[f[2]] = true
			}
		case "ADD":
			for _, f := range strings.Fields(in.args) {
				if strings.Contains(f, "://") || strings.HasPrefix(f, "git@") {
					bad(in.line, "ADD of a URL (%s): fetch it in a RUN step that checks what it gets", f)
				}
			}
		case "USER":
			name, _, _ := strings.Cut(in.args, ":")
			if user = name != "root" && name != "0"; !user {
				bad(in.line, "USER %s: the image runs as root", in.args)
			}
		case "ENTRYPOINT":
			entrypoint = strings.Contains(in.args, "idcsim")
		case "RUN":
			if strings.Contains(in.args, "go build") {
				static = strings.Contains(in.args, "CGO_ENABLED=0") && strings.Contains(in.args, "-trimpath")
			}
		}
	}
	switch {
	case !builder:
		bad(0, "no golang builder stage")
	case !static:
		bad(0, "the go build is not static and reproducible: want CGO_ENABLED=0 go build -trimpath")
	}
	if !user {
		bad(0, "the final stage has no USER other than root: it would run as root")
	}
	if !entrypoint {
		bad(0, "the final stage has no ENTRYPOINT running idcsim")
	}
	return problems
}

// lintImage checks the image of a FROM line: pinned by a tag other than latest or by a digest, and
// a golang image of the Go of goVersion. It says whether the image is golang's.
func lintImage(image string, line int, goVersion string, bad func(int, string, ...any)) (golang bool) {
	name, tag := image, ""
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		name, tag = image[:i], image[i+1:]
	}
	if !strings.Contains(image, "@sha256:") && (tag == "" || tag == "latest") {
		bad(line, "%s is not pinned by a tag (or digest) other than latest", image)
		return false
	}
	if name != "golang" && name != "docker.io/library/golang" {
		return false
	}
	// golang:1.26 is the newest 1.26.x, which builds go 1.26.8; golang:1.26.1 does not.
	m := golangTag.FindStringSubmatch(tag)
	switch {
	case m == nil:
		bad(line, "%s: the tag names no Go version", image)
	case version.Lang("go"+m[1]) != version.Lang(goVersion) || strings.Count(m[1], ".") == 2 && version.Compare("go"+m[1], goVersion) < 0:
		bad(line, "%s has Go %s, go.mod asks for %s", image, m[1], strings.TrimPrefix(goVersion, "go"))
	}
	return true
}
