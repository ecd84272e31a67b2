package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"idcsim/sim"
)

// csvColumns are the columns of exposures.csv.
var csvColumns = []string{"replication", "user", "at", "playbook", "channel", "exposure_s", "open", "evidence"}

// WriteCSV writes exposures.csv: a header, then one row per offboarding and channel, in the order
// of results.json, with the window in seconds, whether it was open at the horizon and its evidence.
func WriteCSV(w io.Writer, s *Summary) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	obs := s.Results.Offboardings
	for i := range obs {
		o := &obs[i]
		rep, at := strconv.Itoa(o.Replication), s.at(o.At)
		for ch, win := range o.Windows {
			err := cw.Write([]string{rep, csvText(o.User), at, csvText(o.Playbook), sim.Channel(ch).String(),
				strconv.FormatFloat(seconds(win.Length), 'f', -1, 64), strconv.FormatBool(win.Open), csvText(evidence(o, sim.Channel(ch)))})
			if err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvText keeps a text cell from being read as a formula by a spreadsheet (CSV injection): a cell
// that starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe, as OWASP's
// "CSV Injection" page recommends. Only names and texts go through it; numbers are idcsim's own.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
