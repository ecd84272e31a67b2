package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"idcsim/sim"
)

// junitSuite is a JUnit XML test suite, the document that WriteJUnit, WriteSweepJUnit and
// WriteTableJUnit write.
type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Failure *junitFailure `xml:"failure,omitempty"`
	Out     string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// write writes the suite as a JUnit XML document, its tests and failures counted from its cases.
func (suite *junitSuite) write(w io.Writer) error {
	suite.Tests, suite.Failures = len(suite.Cases), 0
	for _, c := range suite.Cases {
		if c.Failure != nil {
			suite.Failures++
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suite); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteJUnit writes the policy's controls as a JUnit XML test suite, one test case per control,
// for CI systems: a failed control is a failure whose message gives its value against its limit,
// and every case's output names the worst offboarding on the control's channel and its evidence.
func WriteJUnit(w io.Writer, s *Summary) error {
	suite := junitSuite{Name: "idcsim run " + s.Results.Scenario.Name}
	for _, v := range s.Policy {
		suite.Cases = append(suite.Cases, s.junitCase("idcsim.policy", v, ""))
	}
	return suite.write(w)
}

// junitCase returns the test case of the control of the verdict v, in the class, its name
// followed by " [" + candidate + "]" for a candidate of a sweep.
func (s *Summary) junitCase(class string, v Verdict, candidate string) junitCase {
	c := v.Control
	jc := junitCase{Class: class, Name: c.ID, Out: s.junitEvidence(v)}
	if c.Text != "" {
		jc.Name += ": " + c.Text
	}
	if candidate != "" {
		jc.Name += " [" + candidate + "]"
	}
	if !v.Pass {
		msg := fmt.Sprintf("%s of %s is %s, limit %s", c.Statistic, c.Channel, sim.HumanDuration(v.Value), sim.HumanDuration(c.Within))
		if v.Open > 0 {
			msg = fmt.Sprintf("%s of %s is at least %s (%s open at the horizon), limit %s",
				c.Statistic, c.Channel, sim.HumanDuration(v.Value), plural(v.Open, "window"), sim.HumanDuration(c.Within))
		}
		jc.Failure = &junitFailure{Message: msg, Text: v.Reason}
	}
	return jc
}

func (s *Summary) junitEvidence(v Verdict) string {
	c := v.Control
	out := fmt.Sprintf("%s of %s: %s, limit %s", c.Statistic, c.Channel, sim.HumanDuration(v.Value), sim.HumanDuration(c.Within))
	if v.Worst == nil {
		return out + "; no window longer than 0"
	}
	return fmt.Sprintf("%s; worst offboarding %s: %s, %s", out, s.offboardingName(v.Worst),
		windowString(v.Worst.Windows[c.Channel]), v.Evidence)
}

// CheckJUnit says why data is not a JUnit document that idcsim writes (WriteJUnit,
// WriteSweepJUnit, WriteTableJUnit), or nil when it is one: well-formed XML whose root is a
// <testsuite>, or a <testsuites> of them, each named "idcsim ...".
func CheckJUnit(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, suites := 0, 0
	var root string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("it is not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && root != "":
				return errors.New("it has more than one root element")
			case depth == 1:
				root = t.Name.Local
				if root != "testsuite" && root != "testsuites" {
					return fmt.Errorf("its root element is <%s>, not idcsim's <testsuite>", root)
				}
			case depth == 2 && root == "testsuites" && t.Name.Local == "testsuite":
			default:
				continue
			}
			if t.Name.Local == "testsuites" {
				continue
			}
			suites++
			name := ""
			for _, a := range t.Attr {
				if a.Name.Local == "name" {
					name = a.Value
				}
			}
			if !strings.HasPrefix(name, "idcsim ") {
				return fmt.Errorf("it holds the test suite %q, not one of idcsim's", name)
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return errors.New("it has text outside its root element")
			}
		}
	}
	if suites == 0 {
		return errors.New("it holds no test suite of idcsim's")
	}
	return nil
}
