package report

import (
	"encoding/csv"
	"io"
	"strconv"

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
			err := cw.Write([]string{rep, o.User, at, o.Playbook, sim.Channel(ch).String(),
				strconv.FormatFloat(seconds(win.Length), 'f', -1, 64), strconv.FormatBool(win.Open), evidence(o, sim.Channel(ch))})
			if err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
