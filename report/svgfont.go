package report

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf16"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The SVG figures carry their font: a browser without it would measure the text with another
// font of other widths, and text laid out for one font overruns its place in another. Each
// figure embeds, as a @font-face rule, a subset of each face its text uses holding only the
// glyphs drawn; report.html holds one rule per face for all its figures.

// fontUse is the text drawn in each font face, by the face's family name as vgsvg writes it.
type fontUse map[string]*faceUse

// faceUse is a font face and the characters drawn with it.
type faceUse struct {
	face  font.Face
	runes map[rune]bool
}

// add notes that s was drawn with f.
func (u fontUse) add(f font.Face, s string) {
	name := fontName(f.Face.Name, nameFamily)
	fu := u[name]
	if fu == nil {
		fu = &faceUse{face: f, runes: map[rune]bool{}}
		u[name] = fu
	}
	for _, r := range s {
		fu.runes[r] = true
	}
}

// merge adds the text of v to u.
func (u fontUse) merge(v fontUse) {
	for name, fv := range v {
		fu := u[name]
		if fu == nil {
			fu = &faceUse{face: fv.face, runes: map[rune]bool{}}
			u[name] = fu
		}
		maps.Copy(fu.runes, fv.runes)
	}
}

// textCanvas is an SVG canvas that notes the text drawn on it.
type textCanvas struct {
	*vgsvg.Canvas
	use fontUse
}

// FillString draws s and notes it.
func (c textCanvas) FillString(f font.Face, pt vg.Point, s string) {
	c.use.add(f, s)
	c.Canvas.FillString(f, pt, s)
}

// cssFamily is the CSS font family of an embedded face: its own name, so that no font installed
// on the reader's machine stands in for it, with a generic family as the fallback.
func cssFamily(f font.Face) (name, generic string) {
	v := string(f.Font.Variant)
	if v == "" {
		v = string(f.Font.Typeface)
	}
	generic = "serif"
	switch strings.ToLower(v) {
	case "sans", "sansserif", "sans-serif":
		generic = "sans-serif"
	case "mono", "monospace":
		generic = "monospace"
	}
	return "idcsim " + v, generic
}

// renameFamilies makes the text of an SVG document from vgsvg name the embedded faces: the
// family vgsvg writes in each text's style becomes the face's CSS family, then a generic one.
// Only style attributes change: text content has its quotes escaped, so it cannot hold one.
func renameFamilies(svg []byte, u fontUse) []byte {
	for _, name := range slices.Sorted(maps.Keys(u)) {
		css, generic := cssFamily(u[name].face)
		svg = bytes.ReplaceAll(svg, []byte(`style="font-family:`+name+`;`), []byte(`style="font-family:'`+css+`',`+generic+`;`))
	}
	return svg
}

// fontFaces returns a @font-face rule for each face of u, holding a subset of the face with the
// glyphs of the text drawn with it, in a stable order.
func fontFaces(u fontUse) (string, error) {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(u)) {
		fu := u[name]
		var src bytes.Buffer
		if _, err := fu.face.Face.WriteSourceTo(nil, &src); err != nil {
			return "", fmt.Errorf("font %s: %v", name, err)
		}
		css, _ := cssFamily(fu.face)
		sub, err := subsetTTF(src.Bytes(), fu.face, slices.Sorted(maps.Keys(fu.runes)), css)
		if err != nil {
			return "", fmt.Errorf("font %s: %v", name, err)
		}
		style := "normal"
		if fu.face.Font.Style != 0 { // x/image/font: StyleNormal is 0, then italic and oblique
			style = "italic"
		}
		fmt.Fprintf(&b, "@font-face{font-family:'%s';font-weight:%d;font-style:%s;src:url(data:font/woff;base64,%s) format('woff')}",
			css, cssWeight(int(fu.face.Font.Weight)), style, base64.StdEncoding.EncodeToString(woff(sub)))
	}
	return b.String(), nil
}

// cssWeight maps x/image/font's weights (-3 thin to 5 black, 0 normal) to CSS's (100 to 900).
func cssWeight(w int) int { return min(max(400+100*w, 100), 900) }

// The <style> element that embedFonts puts after the opening <svg> tag, and inlineSVG removes.
const (
	svgFontsOpen  = "<defs><style>"
	svgFontsClose = "</style></defs>\n"
)

// embedFonts returns an SVG document from vgsvg with its text in the embedded faces of u: a
// <style> element with their @font-face rules after the opening <svg> tag.
func embedFonts(svg []byte, u fontUse) ([]byte, error) {
	css, err := fontFaces(u)
	if err != nil {
		return nil, err
	}
	svg = renameFamilies(svg, u)
	i := bytes.Index(svg, []byte("<svg"))
	j := bytes.IndexByte(svg[max(i, 0):], '>')
	if i < 0 || j < 0 || css == "" {
		return svg, nil
	}
	j += i + 1
	if j < len(svg) && svg[j] == '\n' {
		j++
	}
	var b bytes.Buffer
	b.Write(svg[:j])
	b.WriteString(svgFontsOpen + css + svgFontsClose)
	b.Write(svg[j:])
	return b.Bytes(), nil
}

// Name IDs of the OpenType name table.
const (
	nameCopyright  = 0
	nameFamily     = 1
	nameSubfamily  = 2
	nameUniqueID   = 3
	nameFull       = 4
	nameVersion    = 5
	namePostScript = 6
	nameLicense    = 13
	nameLicenseURL = 14
)

// subsetTables are the tables of a TrueType font that a subset keeps: what browsers need to
// draw and position the glyphs, and no more. GSUB goes, so that no ligature stands for glyphs
// the subset has emptied (and widths stay those gonum/plot measures, which knows none); GPOS
// stays, for the kerning gonum/plot applies too.
var subsetTables = []string{"GDEF", "GPOS", "OS/2", "cmap", "cvt ", "fpgm", "gasp", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post", "prep"}

// errNotTrueType says a font has no TrueType outlines to subset.
var errNotTrueType = errors.New("not a TrueType font with glyf outlines")

// subsetTTF returns a TrueType font with the glyphs of the runes (and the glyphs they are built
// of) and no others: the other glyphs are left empty, so glyph numbers, metrics, the character
// map and kerning stay as they are. It is named family, as the SIL Open Font License asks of a
// modified font whose name is reserved, and keeps the copyright and licence notices.
func subsetTTF(src []byte, f font.Face, runes []rune, family string) ([]byte, error) {
	tables, err := sfntTables(src)
	if err != nil {
		return nil, err
	}
	head, maxp, loca, glyf := tables["head"], tables["maxp"], tables["loca"], tables["glyf"]
	if len(head) < 54 || len(maxp) < 6 || glyf == nil || loca == nil {
		return nil, errNotTrueType
	}
	n := int(binary.BigEndian.Uint16(maxp[4:]))
	long := binary.BigEndian.Uint16(head[50:]) == 1
	offsets := make([]uint32, n+1)
	for i := range offsets {
		if long {
			if 4*i+4 > len(loca) {
				return nil, errNotTrueType
			}
			offsets[i] = binary.BigEndian.Uint32(loca[4*i:])
		} else {
			if 2*i+2 > len(loca) {
				return nil, errNotTrueType
			}
			offsets[i] = 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
		}
	}
	glyph := func(g int) []byte {
		if g >= n || offsets[g] > offsets[g+1] || int(offsets[g+1]) > len(glyf) {
			return nil
		}
		return glyf[offsets[g]:offsets[g+1]]
	}

	keep := map[int]bool{0: true} // .notdef, drawn for characters the font lacks
	todo := []int{0}
	for _, r := range runes {
		g, err := f.Face.GlyphIndex(nil, r)
		if err == nil && !keep[int(g)] {
			keep[int(g)] = true
			todo = append(todo, int(g))
		}
	}
	for len(todo) > 0 { // the components of composite glyphs
		g := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, c := range glyphComponents(glyph(g)) {
			if c < n && !keep[c] {
				keep[c] = true
				todo = append(todo, c)
			}
		}
	}

	var newGlyf, newLoca []byte
	for g := range n {
		newLoca = binary.BigEndian.AppendUint32(newLoca, uint32(len(newGlyf)))
		if keep[g] {
			newGlyf = append(newGlyf, glyph(g)...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	newLoca = binary.BigEndian.AppendUint32(newLoca, uint32(len(newGlyf)))
	newHead := slices.Clone(head)
	binary.BigEndian.PutUint16(newHead[50:], 1) // long offsets in loca
	binary.BigEndian.PutUint32(newHead[8:], 0)  // checkSumAdjustment, set below

	out := map[string][]byte{"glyf": newGlyf, "loca": newLoca, "head": newHead, "name": subsetName(f, family)}
	if post := tables["post"]; len(post) >= 32 {
		p := slices.Clone(post[:32]) // version 3: no glyph names
		binary.BigEndian.PutUint32(p, 0x00030000)
		out["post"] = p
	}
	for _, tag := range subsetTables {
		if _, done := out[tag]; !done && tables[tag] != nil {
			out[tag] = tables[tag]
		}
	}
	return writeSFNT(out), nil
}

// glyphComponents returns the glyphs a composite glyph is made of; none for a simple glyph.
func glyphComponents(g []byte) []int {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	const (
		argsAreWords   = 0x0001
		haveScale      = 0x0008
		moreComponents = 0x0020
		haveXYScale    = 0x0040
		haveTwoByTwo   = 0x0080
	)
	var comps []int
	for p := 10; p+4 <= len(g); {
		flags := binary.BigEndian.Uint16(g[p:])
		comps = append(comps, int(binary.BigEndian.Uint16(g[p+2:])))
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			break
		}
	}
	return comps
}

// sfntTables returns the tables of a TrueType font by tag.
func sfntTables(src []byte) (map[string][]byte, error) {
	dir, err := sfntDirectory(src)
	if err != nil {
		return nil, err
	}
	tables := map[string][]byte{}
	for _, t := range dir {
		tables[t.tag] = t.data
	}
	return tables, nil
}

// sfntTable is an entry of a TrueType font's table directory, with the table.
type sfntTable struct {
	tag      string
	checksum uint32
	data     []byte
}

// sfntDirectory returns the tables of a TrueType font in the order of its directory.
func sfntDirectory(src []byte) ([]sfntTable, error) {
	if len(src) < 12 || binary.BigEndian.Uint32(src) != 0x00010000 {
		return nil, errNotTrueType
	}
	n := int(binary.BigEndian.Uint16(src[4:]))
	var dir []sfntTable
	for i := range n {
		rec := 12 + 16*i
		if rec+16 > len(src) {
			return nil, errNotTrueType
		}
		off, size := binary.BigEndian.Uint32(src[rec+8:]), binary.BigEndian.Uint32(src[rec+12:])
		if uint64(off)+uint64(size) > uint64(len(src)) {
			return nil, errNotTrueType
		}
		dir = append(dir, sfntTable{string(src[rec : rec+4]), binary.BigEndian.Uint32(src[rec+4:]), src[off : off+size]})
	}
	return dir, nil
}

// woff returns a TrueType font written by writeSFNT as a WOFF 1.0 file, its tables compressed
// with zlib (kept as they are where that saves nothing).
func woff(sfnt []byte) []byte {
	dir, err := sfntDirectory(sfnt)
	if err != nil {
		panic(err) // writeSFNT wrote it
	}
	pad := func(b []byte) []byte {
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	var entries, data []byte
	start := 44 + 20*len(dir)
	total := 12 + 16*len(dir)
	for _, t := range dir {
		var z bytes.Buffer
		w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
		w.Write(t.data)
		w.Close()
		stored := z.Bytes()
		if len(stored) >= len(t.data) {
			stored = t.data
		}
		entries = append(entries, t.tag...)
		entries = binary.BigEndian.AppendUint32(entries, uint32(start+len(data)))
		entries = binary.BigEndian.AppendUint32(entries, uint32(len(stored)))
		entries = binary.BigEndian.AppendUint32(entries, uint32(len(t.data)))
		entries = binary.BigEndian.AppendUint32(entries, t.checksum)
		data = pad(append(data, stored...))
		total += (len(t.data) + 3) &^ 3
	}
	var b []byte
	b = binary.BigEndian.AppendUint32(b, 0x774F4646) // wOFF
	b = binary.BigEndian.AppendUint32(b, 0x00010000) // TrueType outlines
	b = binary.BigEndian.AppendUint32(b, uint32(start+len(data)))
	b = binary.BigEndian.AppendUint16(b, uint16(len(dir)))
	b = binary.BigEndian.AppendUint16(b, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(total))
	b = binary.BigEndian.AppendUint16(b, 1) // version 1.0
	b = binary.BigEndian.AppendUint16(b, 0)
	b = append(b, make([]byte, 20)...) // no metadata, no private data
	return append(append(b, entries...), data...)
}

// subsetName returns a name table that names the subset family and keeps the original's
// copyright, version and licence notices.
func subsetName(f font.Face, family string) []byte {
	get := func(id uint16) string { return fontName(f.Face.Name, id) }
	sub := get(nameSubfamily)
	if sub == "" {
		sub = "Regular"
	}
	records := []struct {
		id   uint16
		text string
	}{
		{nameCopyright, get(nameCopyright)},
		{nameFamily, family},
		{nameSubfamily, sub},
		{nameUniqueID, family + " " + sub + " subset"},
		{nameFull, family + " " + sub},
		{nameVersion, get(nameVersion)},
		{namePostScript, strings.ReplaceAll(family, " ", "") + "-" + strings.ReplaceAll(sub, " ", "")},
		{nameLicense, get(nameLicense)},
		{nameLicenseURL, get(nameLicenseURL)},
	}
	var strs, recs []byte
	count := 0
	for _, r := range records {
		if r.text == "" {
			continue
		}
		u := utf16.Encode([]rune(r.text))
		recs = binary.BigEndian.AppendUint16(recs, 3)     // platform: Windows
		recs = binary.BigEndian.AppendUint16(recs, 1)     // encoding: Unicode BMP
		recs = binary.BigEndian.AppendUint16(recs, 0x409) // language: English (US)
		recs = binary.BigEndian.AppendUint16(recs, r.id)
		recs = binary.BigEndian.AppendUint16(recs, uint16(2*len(u)))
		recs = binary.BigEndian.AppendUint16(recs, uint16(len(strs)))
		for _, c := range u {
			strs = binary.BigEndian.AppendUint16(strs, c)
		}
		count++
	}
	var b []byte
	b = binary.BigEndian.AppendUint16(b, 0) // format
	b = binary.BigEndian.AppendUint16(b, uint16(count))
	b = binary.BigEndian.AppendUint16(b, uint16(6+len(recs)))
	return append(append(b, recs...), strs...)
}

// fontName returns a string of a font's name table by its ID, or "": name is the font's Name
// method, whose types (golang.org/x/image/font/sfnt's) this package does not import.
func fontName[B any, ID ~uint16](name func(B, ID) (string, error), id uint16) string {
	var b B
	s, err := name(b, ID(id))
	if err != nil {
		return ""
	}
	return s
}

// writeSFNT returns a TrueType font file of the tables, with their directory and checksums.
func writeSFNT(tables map[string][]byte) []byte {
	tags := slices.Sorted(maps.Keys(tables))
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	var b []byte
	b = binary.BigEndian.AppendUint32(b, 0x00010000)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	b = binary.BigEndian.AppendUint16(b, uint16(searchRange))
	b = binary.BigEndian.AppendUint16(b, uint16(entrySelector))
	b = binary.BigEndian.AppendUint16(b, uint16(16*n-searchRange))
	off := 12 + 16*n
	var data []byte
	headAt := -1
	for _, tag := range tags {
		t := tables[tag]
		if tag == "head" {
			headAt = off + len(data)
		}
		b = append(b, tag...)
		b = binary.BigEndian.AppendUint32(b, checksum(t))
		b = binary.BigEndian.AppendUint32(b, uint32(off+len(data)))
		b = binary.BigEndian.AppendUint32(b, uint32(len(t)))
		data = append(data, t...)
		for len(data)%4 != 0 {
			data = append(data, 0)
		}
	}
	b = append(b, data...)
	if headAt >= 0 {
		binary.BigEndian.PutUint32(b[headAt+8:], 0xB1B0AFBA-checksum(b))
	}
	return b
}

// checksum is the OpenType checksum of a table: the sum of its big-endian 32-bit words, the
// last padded with zeros.
func checksum(t []byte) uint32 {
	var sum uint32
	for i := 0; i < len(t); i += 4 {
		var w [4]byte
		copy(w[:], t[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
