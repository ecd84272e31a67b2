package scenarios

import (
	"strings"
	"unicode"
)

// Names that a reader cannot tell apart are a way to hide one person behind another in a report
// ("alice" and "аlice", whose first letter is Cyrillic). Following Unicode Technical Standard #39
// (Unicode Security Mechanisms), idcsim warns about a name that mixes scripts and about two names
// of one kind with the same skeleton. The skeleton here is a subset of UTS #39's: case folded,
// full-width forms made ASCII, the Cyrillic and Greek letters that look like Latin ones made
// Latin, and the digits 0 and 1 and the pair "rn" made the letters they resemble.

// lookalikes maps a letter to the Latin letter it looks like (from UTS #39's confusables.txt).
var lookalikes = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'с': 'c', 'ԁ': 'd', 'е': 'e', 'ё': 'e', 'һ': 'h', 'і': 'i', 'ї': 'i', 'ј': 'j',
	'к': 'k', 'ӏ': 'l', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'ԛ': 'q', 'ѕ': 's', 'т': 't', 'у': 'y',
	'ԝ': 'w', 'х': 'x', 'ү': 'y', 'ɡ': 'g',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't',
	'υ': 'u', 'χ': 'x', 'γ': 'y', 'ω': 'w',
	// digits and Latin letters that pass for others
	'0': 'o', '1': 'l', 'ı': 'i', 'ȷ': 'j',
}

// skeleton returns the form of name under which names that look alike are equal.
func skeleton(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 0xff01 && r <= 0xff5e { // full-width ASCII
			r = unicode.ToLower(r - 0xff01 + '!')
		}
		if l, ok := lookalikes[r]; ok {
			r = l
		}
		b.WriteRune(r)
	}
	return strings.ReplaceAll(strings.ReplaceAll(b.String(), "rn", "m"), "l", "i")
}

// scripts of letters that are confused with each other, in the order they are named.
var confusableScripts = []struct {
	name  string
	table *unicode.RangeTable
}{{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek}}

// mixedScripts returns the scripts a name's letters come from when they are more than one of
// Latin, Cyrillic and Greek, and nil otherwise.
func mixedScripts(name string) []string {
	var found []string
	for _, s := range confusableScripts {
		if strings.IndexFunc(name, func(r rune) bool { return unicode.Is(s.table, r) }) >= 0 {
			found = append(found, s.name)
		}
	}
	if len(found) < 2 {
		return nil
	}
	return found
}
