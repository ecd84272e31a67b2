package report

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"html"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
)

// liberationSerif is the face gonum/plot draws text in, and its file.
func liberationSerif(t *testing.T) (font.Face, []byte) {
	t.Helper()
	face := font.DefaultCache.Lookup(plot.DefaultFont, 12)
	var src bytes.Buffer
	if _, err := face.Face.WriteSourceTo(nil, &src); err != nil {
		t.Fatal(err)
	}
	return face, src.Bytes()
}

// glyphs returns the glyphs of a TrueType font by number, from its loca and glyf tables.
func glyphs(t *testing.T, tables map[string][]byte) [][]byte {
	t.Helper()
	loca, glyf := tables["loca"], tables["glyf"]
	long := binary.BigEndian.Uint16(tables["head"][50:]) == 1
	n := int(binary.BigEndian.Uint16(tables["maxp"][4:]))
	at := func(i int) uint32 {
		if long {
			return binary.BigEndian.Uint32(loca[4*i:])
		}
		return 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = glyf[at(i):at(i+1)]
	}
	return out
}

func TestSubsetTTF(t *testing.T) {
	t.Parallel()
	face, src := liberationSerif(t)
	sub, err := subsetTTF(src, face, []rune("Aé"), "idcsim Serif")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := sfntDirectory(sub)
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	tables := map[string][]byte{}
	for _, tb := range dir {
		tags = append(tags, tb.tag)
		tables[tb.tag] = tb.data
		want := checksum(tb.data)
		if tb.tag == "head" { // its checksum is taken with checkSumAdjustment 0
			h := slices.Clone(tb.data)
			binary.BigEndian.PutUint32(h[8:], 0)
			want = checksum(h)
		}
		if tb.checksum != want {
			t.Errorf("table %s: checksum %08x, want %08x", tb.tag, tb.checksum, want)
		}
	}
	// Sorted, as the OpenType directory must be; no GSUB (ligatures of emptied glyphs).
	if !slices.Equal(tags, subsetTables) {
		t.Errorf("tables %q, want %q", tags, subsetTables)
	}
	if sum := checksum(sub); sum != 0xB1B0AFBA {
		t.Errorf("font checksum %08x, want B1B0AFBA (OpenType, head.checkSumAdjustment)", sum)
	}
	if len(sub) > len(src)/4 {
		t.Errorf("subset of 2 characters is %d bytes, the font %d", len(sub), len(src))
	}

	orig, err := sfntTables(src)
	if err != nil {
		t.Fatal(err)
	}
	before, after := glyphs(t, orig), glyphs(t, tables)
	if len(after) != len(before) {
		t.Fatalf("%d glyphs, want %d: glyph numbers stay", len(after), len(before))
	}
	index := func(r rune) int {
		g, err := face.Face.GlyphIndex(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		return int(g)
	}
	eacute := before[index('é')]
	comps := glyphComponents(eacute)
	if len(comps) != 2 {
		t.Fatalf("é has components %v: Liberation Serif builds it of e and an acute accent", comps)
	}
	kept := append([]int{0, index('A'), index('é')}, comps...)
	for g := range after {
		switch {
		case slices.Contains(kept, g):
			if want := before[g]; len(after[g]) < len(want) || !bytes.Equal(after[g][:len(want)], want) || len(want) == 0 && g != 0 {
				t.Errorf("glyph %d (kept) differs", g) // .notdef, 0, is empty in Liberation Serif
			}
		case len(after[g]) != 0:
			t.Errorf("glyph %d is kept (%d bytes), but not drawn", g, len(after[g]))
		}
	}

	// Named anew, notices kept.
	names := nameRecords(t, tables["name"])
	if names[nameFamily] != "idcsim Serif" || names[nameFull] != "idcsim Serif Regular" || names[namePostScript] != "idcsimSerif-Regular" {
		t.Errorf("names %v", names)
	}
	for _, id := range []uint16{nameFamily, nameFull, namePostScript, nameUniqueID} {
		if strings.Contains(names[id], "Liberation") {
			t.Errorf("name %d is %q: the font's reserved name stays with the original", id, names[id])
		}
	}
	if !strings.Contains(names[nameCopyright], "Copyright") || !strings.Contains(names[nameLicense], "Open Font License") {
		t.Errorf("copyright %q, licence %q", names[nameCopyright], names[nameLicense])
	}
}

// nameRecords returns the strings of a name table written by subsetName, by name ID.
func nameRecords(t *testing.T, name []byte) map[uint16]string {
	t.Helper()
	n, base := int(binary.BigEndian.Uint16(name[2:])), int(binary.BigEndian.Uint16(name[4:]))
	out := map[uint16]string{}
	for i := range n {
		r := name[6+12*i:]
		id, size, off := binary.BigEndian.Uint16(r[6:]), int(binary.BigEndian.Uint16(r[8:])), int(binary.BigEndian.Uint16(r[10:]))
		s := name[base+off : base+off+size]
		u := make([]uint16, size/2)
		for j := range u {
			u[j] = binary.BigEndian.Uint16(s[2*j:])
		}
		out[id] = string(utf16.Decode(u))
	}
	return out
}

// A WOFF file holds the font's tables as they are, compressed.
func TestWOFF(t *testing.T) {
	t.Parallel()
	face, src := liberationSerif(t)
	sfnt, err := subsetTTF(src, face, []rune("Exposure per channel"), "idcsim Serif")
	if err != nil {
		t.Fatal(err)
	}
	w := woff(sfnt)
	be := binary.BigEndian
	if be.Uint32(w) != 0x774F4646 || be.Uint32(w[4:]) != 0x00010000 || int(be.Uint32(w[8:])) != len(w) {
		t.Fatalf("header % x", w[:12])
	}
	dir, _ := sfntDirectory(sfnt)
	if n := int(be.Uint16(w[12:])); n != len(dir) {
		t.Fatalf("%d tables, want %d", n, len(dir))
	}
	total := 12 + 16*len(dir)
	for i, tb := range dir {
		e := w[44+20*i:]
		off, comp, orig, sum := be.Uint32(e[4:]), be.Uint32(e[8:]), be.Uint32(e[12:]), be.Uint32(e[16:])
		if string(e[:4]) != tb.tag || int(orig) != len(tb.data) || sum != tb.checksum || off%4 != 0 {
			t.Errorf("entry %d: %q offset %d, %d bytes, checksum %08x; want %q, %d bytes, %08x", i, e[:4], off, orig, sum, tb.tag, len(tb.data), tb.checksum)
			continue
		}
		data := w[off : off+comp]
		if comp < orig {
			r, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if data, err = io.ReadAll(r); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(data, tb.data) {
			t.Errorf("table %s differs", tb.tag)
		}
		total += (len(tb.data) + 3) &^ 3
	}
	if got := int(be.Uint32(w[16:])); got != total {
		t.Errorf("totalSfntSize %d, want %d", got, total)
	}
	if len(w) >= len(sfnt) {
		t.Errorf("WOFF of %d bytes, the font %d", len(w), len(sfnt))
	}
}

// The figures carry their font: a subset of Liberation Serif, named anew, in each SVG file and
// once in report.html.
func TestFiguresEmbedFonts(t *testing.T) {
	t.Parallel()
	s := Summarize(smallResults())
	figs, err := Figures(s)
	if err != nil {
		t.Fatal(err)
	}
	faces := regexp.MustCompile(`@font-face\{font-family:'idcsim Serif';font-weight:400;font-style:normal;src:url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\) format\('woff'\)\}`)
	for _, f := range figs {
		svg := string(f.SVG)
		m := faces.FindAllStringSubmatch(svg, -1)
		if len(m) != 1 || !strings.Contains(svg, svgFontsOpen+m[0][0]+svgFontsClose) {
			t.Errorf("%s.svg has %d embedded faces, want 1 in its <defs><style>", f.Name, len(m))
			continue
		}
		if w, err := base64.StdEncoding.DecodeString(m[0][1]); err != nil || !bytes.HasPrefix(w, []byte("wOFF")) {
			t.Errorf("%s.svg: the font is not a WOFF file (%v)", f.Name, err)
		}
		texts := strings.Count(svg, "<text ")
		if n := strings.Count(svg, `style="font-family:'idcsim Serif',serif;`); n != texts || texts < 3 {
			t.Errorf("%s.svg: %d of %d texts in the embedded face", f.Name, n, texts)
		}
		if strings.Contains(svg, "Liberation") {
			t.Errorf("%s.svg names Liberation", f.Name)
		}
		// The characters of the text, and only those, are in the subset.
		if got, want := slices.Sorted(maps.Keys(f.fonts["Liberation Serif"].runes)), textRunes(svg); !slices.Equal(got, want) {
			t.Errorf("%s.svg: subset of %q, its text has %q", f.Name, string(got), string(want))
		}
	}
	page := string(htmlPageOf(t, s))
	if n := len(faces.FindAllString(page, -1)); n != 1 || strings.Count(page, "@font-face") != 1 {
		t.Errorf("report.html has %d faces, want 1 for all its figures", n)
	}
	if strings.Contains(page, "<defs><style>") {
		t.Error("report.html repeats the figures' fonts")
	}
}

// textRunes returns the characters of the text elements of an SVG document from vgsvg, sorted.
func textRunes(svg string) []rune {
	set := map[rune]bool{}
	for _, m := range regexp.MustCompile(`<text [^>]*>([^<]*)</text>`).FindAllStringSubmatch(svg, -1) {
		for _, r := range html.UnescapeString(m[1]) {
			set[r] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}
