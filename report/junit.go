package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"idcsim/sim"
)

// JUnitRun says when and on which machine the work a JUnit document reports ran: the attributes
// that CI systems' JUnit schemas (Jenkins' junit-10.xsd, Ant's JUnit.xsd) require of a test suite.
type JUnitRun struct {
	Start   time.Time     // when the work began
	Elapsed time.Duration // how long it took
	Host    string        // the machine's name
}

// junitSuites is the JUnit XML document that WriteJUnit, WriteSweepJUnit and WriteTableJUnit
// write: a <testsuites> root, bare (Ant's schema allows it no attributes, Jenkins' requires none),
// holding one <testsuite> with what both schemas require of it.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Package    string          `xml:"package,attr"`
	ID         int             `xml:"id,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Host       string          `xml:"hostname,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	Out        string          `xml:"system-out"`
	Err        string          `xml:"system-err"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name    string        `xml:"name,attr"`
	Class   string        `xml:"classname,attr"`
	Time    string        `xml:"time,attr"`
	Skipped *junitSkipped `xml:"skipped,omitempty"`
	Failure *junitFailure `xml:"failure,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitFailed is the failure of a case: its message, and the text that says more.
func junitFailed(message, text string) *junitFailure {
	return &junitFailure{Message: message, Type: "idcsim.Fail", Text: text}
}

// scenarioProperties are the properties of a suite about a scenario: what it ran with.
func scenarioProperties(sc *sim.Scenario) []junitProperty {
	props := []junitProperty{{"scenario", sc.Name}, {"scenario_sha256", sc.SHA256}, {"profile", sc.Profile.Name},
		{"seed", fmt.Sprint(sc.Seed)}, {"replications", fmt.Sprint(sc.Replications)}}
	sw := sc.Switches.Map()
	for _, name := range sim.SwitchNames() {
		props = append(props, junitProperty{"switch." + name, fmt.Sprint(sw[name])})
	}
	return props
}

// write writes the suite as a JUnit XML document, its tests, failures and skipped counted from
// its cases, with run's time and machine.
func (suite *junitSuite) write(w io.Writer, run JUnitRun) error {
	suite.Package, suite.ID = "idcsim", 0
	suite.Timestamp = run.Start.UTC().Format("2006-01-02T15:04:05")
	suite.Host = run.Host
	if suite.Host == "" {
		suite.Host = "localhost"
	}
	suite.Time = fmt.Sprintf("%.3f", run.Elapsed.Seconds())
	suite.Tests, suite.Failures, suite.Skipped = len(suite.Cases), 0, 0
	for i := range suite.Cases {
		c := &suite.Cases[i]
		c.Time = "0"
		switch {
		case c.Failure != nil:
			suite.Failures++
		case c.Skipped != nil:
			suite.Skipped++
		}
	}
	if suite.Properties == nil {
		suite.Properties = []junitProperty{{"tool", "idcsim"}}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{*suite}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteJUnit writes the policy's controls as a JUnit XML document, one test case per control,
// for CI systems: a failed control is a failure whose message gives its value against its limit
// and whose text names the worst offboarding on the control's channel and its evidence; the
// suite's output lists every control's evidence, and its properties what the run ran with.
func WriteJUnit(w io.Writer, s *Summary, run JUnitRun) error {
	suite := junitSuite{Name: "idcsim run " + s.Results.Scenario.Name, Properties: scenarioProperties(s.Results.Scenario)}
	var out strings.Builder
	for _, v := range s.Policy {
		suite.Cases = append(suite.Cases, s.junitCase("idcsim.policy", v, ""))
		fmt.Fprintf(&out, "%s: %s\n", v.Control.ID, s.junitEvidence(v))
	}
	suite.Out = out.String()
	return suite.write(w, run)
}

// junitCase returns the test case of the control of the verdict v, in the class, its name
// followed by " [" + candidate + "]" for a candidate of a sweep.
func (s *Summary) junitCase(class string, v Verdict, candidate string) junitCase {
	c := v.Control
	jc := junitCase{Class: class, Name: c.ID}
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
		jc.Failure = junitFailed(msg, v.Reason+"\n"+s.junitEvidence(v))
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
