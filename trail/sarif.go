package trail

import (
	"fmt"
	"io"
	"time"

	"idcsim/report"
	"idcsim/sim"
)

// WriteSARIF writes the report as a SARIF 2.1.0 log: a rule per channel, and a result for each
// channel of an offboarding whose observed activity is beyond the bound the rules allow, located
// at the log file of the last record seen, with the record's event ID and number.
func WriteSARIF(w io.Writer, r *Report) error {
	var rules []report.SARIFRule
	for c := sim.Channel(0); c < sim.NumChannels; c++ {
		rules = append(rules, report.SARIFRule{ID: "beyond-" + c.String(),
			Short: "activity on " + c.String() + " after an offboarding, beyond the bound of the rules",
			Full:  "The logs show activity on the channel " + c.String() + " after an offboarding later than the rules allow for the sessions live at it: a rule is wrong, or something outside IAM Identity Center kept the access (" + BeyondText + ")."})
	}
	var findings []report.SARIFFinding
	for _, o := range r.Offboardings {
		for _, win := range o.Windows {
			if !win.Beyond {
				continue
			}
			msg := fmt.Sprintf("%s, offboarded at %s: %s observed %s after the offboarding, beyond the bound of %s (%s); last: %s",
				o.Name, o.At.UTC().Format(time.RFC3339), win.Channel, sim.HumanDuration(win.Observed),
				sim.HumanDuration(win.BoundMax), BeyondText, win.Last)
			findings = append(findings, report.SARIFFinding{RuleID: "beyond-" + win.Channel, Level: "error", Message: msg,
				URI: report.SARIFURI(win.Last.File), Properties: map[string]any{"event_id": win.Last.EventID, "record": win.Last.Record,
					"observed_s": win.Observed.Seconds(), "bound_max_s": win.BoundMax.Seconds()}})
		}
	}
	return report.WriteSARIFFindings(w, rules, findings, map[string]any{"offboardings": len(r.Offboardings)})
}
