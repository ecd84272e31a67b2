package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
)

var updateScreenshots = flag.Bool("update-screenshots", false,
	"write the browser's screenshots of the default report and of the sweep report, and the default report's ECDF, to docs/")

// chromium returns the path of a Chromium binary. Without one the test is skipped, unless
// IDCSIM_REQUIRE_BROWSER=1 (as in CI), when it fails. -short skips it too, unless required.
func chromium(t *testing.T) string {
	t.Helper()
	required := os.Getenv("IDCSIM_REQUIRE_BROWSER") == "1"
	if testing.Short() && !required {
		t.Skip("-short: the browser tests take a minute; IDCSIM_REQUIRE_BROWSER=1 runs them anyway")
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if required {
		t.Fatal("no chromium binary, and IDCSIM_REQUIRE_BROWSER=1: install Debian's chromium package")
	}
	t.Skip("no chromium binary (/usr/bin/chromium or chromium in PATH); set IDCSIM_REQUIRE_BROWSER=1 to fail instead")
	return ""
}

// headless runs Chromium headless on a page with the given extra flags and returns its stdout
// and stderr. Nothing is fetched from the network: the flags keep Chromium from calling home.
func headless(t *testing.T, bin, page string, flags ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
		"--user-data-dir=" + t.TempDir()}, flags...)
	args = append(args, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// plotsOnly is a style sheet that leaves only the plots of a report on the page, for a
// screenshot of them as the page shows them.
const plotsOnly = "body > :not(#plots) { display: none; }"

// probeScript measures what the browser drew, once the page's fonts have loaded, and writes it
// into the page as JSON for --dump-dom to carry out; last, the height of the page with only its
// plots. It is added to a copy of the report; the report itself has no script.
const probeScript = `<script>
document.fonts.ready.then(function () {
  var r = {figures: [], fonts: [], controls: [], banner: "", bannerClass: "", resources: [], tables: 0, plotsHeight: 0};
  document.fonts.forEach(function (f) { r.fonts.push({family: f.family, status: f.status}); });
  document.querySelectorAll("figure").forEach(function (f) {
    var svg = f.querySelector("svg");
    var box = svg ? svg.getBoundingClientRect() : {left: 0, top: 0, width: 0, height: 0};
    var vb = svg && svg.viewBox.baseVal;
    var fig = {id: f.id, left: box.left, top: box.top, width: box.width, height: box.height,
      viewWidth: vb ? vb.width : 0, viewHeight: vb ? vb.height : 0,
      paths: svg ? svg.querySelectorAll("path").length : 0, texts: [],
      caption: (f.querySelector("figcaption") || {}).textContent || ""};
    if (svg) svg.querySelectorAll("text").forEach(function (t) {
      var b = t.getBoundingClientRect(), cs = getComputedStyle(t);
      fig.texts.push({text: t.textContent, left: b.left, top: b.top, width: b.width, height: b.height,
        size: parseFloat(cs.fontSize), family: cs.fontFamily, length: t.getComputedTextLength()});
    });
    r.figures.push(fig);
  });
  document.querySelectorAll("#controls tr[data-verdict]").forEach(function (tr) {
    r.controls.push({verdict: tr.getAttribute("data-verdict"), text: tr.textContent,
      visible: tr.getBoundingClientRect().height > 0});
  });
  var b = document.getElementById("verdict");
  if (b) { r.banner = b.querySelector("h2").textContent; r.bannerClass = b.className;
    r.bannerColor = getComputedStyle(b).backgroundColor; }
  performance.getEntriesByType("resource").forEach(function (e) { r.resources.push(e.name.slice(0, 60)); });
  r.tables = document.querySelectorAll("table").length;
  var only = document.createElement("style");
  only.textContent = "` + plotsOnly + `";
  document.head.appendChild(only);
  r.plotsHeight = document.body.getBoundingClientRect().height;
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
</script>`

// box is where the browser drew something, in CSS pixels.
type box struct{ Left, Top, Width, Height float64 }

func (b box) right() float64  { return b.Left + b.Width }
func (b box) bottom() float64 { return b.Top + b.Height }

type probeText struct {
	box
	Text, Family string
	Size         float64 // the font size, in the SVG's units (points)
	Length       float64 // the advance of the text, in the SVG's units
}

type probeFigure struct {
	box
	ID                    string
	ViewWidth, ViewHeight float64
	Paths                 int
	Texts                 []probeText
	Caption               string
}

type probe struct {
	Figures  []probeFigure
	Fonts    []struct{ Family, Status string }
	Controls []struct {
		Verdict, Text string
		Visible       bool
	}
	Banner, BannerClass, BannerColor string
	Resources                        []string
	Tables                           int
	PlotsHeight                      float64 // of the page with only its plots
}

// The window the page is measured and shot in. At this width (less the page's padding of 24 px
// on either side) the figures are drawn at their largest, the page's max-width for figure svg.
const (
	windowWidth = 1040
	figureWidth = 960
)

// probePage measures report.html in out as the browser lays it out, in a copy with the probe.
func probePage(t *testing.T, bin, out string) probe {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(src, []byte("<script")) {
		t.Fatal("report.html has a script")
	}
	probed := filepath.Join(t.TempDir(), "probe.html")
	withProbe := strings.Replace(string(src), "</body>", probeScript+"\n</body>", 1)
	if err := os.WriteFile(probed, []byte(withProbe), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, _ := headless(t, bin, probed, fmt.Sprintf("--window-size=%d,2000", windowWidth),
		"--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000", "--dump-dom")
	m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe did not run; DOM:\n%.2000s", dom)
	}
	var p probe
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &p); err != nil {
		t.Fatalf("probe output %q: %v", m[1], err)
	}
	return p
}

// checkFigures checks the figures as the browser drew them: the expected ones at the expected
// sizes, their text in the embedded fonts, inside the figure and not over other text.
func checkFigures(t *testing.T, p probe, want map[string][2]float64) {
	t.Helper()
	if len(p.Resources) != 0 {
		t.Errorf("the page fetched %q; it must stand alone", p.Resources)
	}
	if len(p.Fonts) == 0 {
		t.Error("the page has no fonts of its own: the figures' text would be drawn in whatever the browser has")
	}
	for _, f := range p.Fonts {
		if f.Status != "loaded" {
			t.Errorf("font %s: %s, want loaded (a font the browser refuses falls back to another)", f.Family, f.Status)
		}
	}
	if len(p.Figures) != len(want) {
		t.Fatalf("%d figures drawn, want %d", len(p.Figures), len(want))
	}
	for _, f := range p.Figures {
		size, ok := want[f.ID]
		if !ok {
			t.Errorf("figure %q, want one of %v", f.ID, want)
			continue
		}
		// The figures have the size they are drawn at (points, as viewBox), shown 960 px wide.
		if math.Abs(f.ViewWidth-size[0]) > 0.01 || math.Abs(f.ViewHeight-size[1]) > 0.01 { // float32 in the DOM
			t.Errorf("figure %s is %gx%g pt, want %gx%g", f.ID, f.ViewWidth, f.ViewHeight, size[0], size[1])
		}
		// The box has a border of 1 px around the drawing.
		if w, h := float64(figureWidth+2), figureWidth*size[1]/size[0]+2; math.Abs(f.Width-w) > 0.5 || math.Abs(f.Height-h) > 1 {
			t.Errorf("figure %s is shown %gx%g px, want %gx%.0f", f.ID, f.Width, f.Height, w, h)
		}
		if f.Paths < 5 || len(f.Texts) < 3 {
			t.Errorf("figure %s has %d paths and %d texts: not a plot", f.ID, f.Paths, len(f.Texts))
		}
		if len(f.Caption) < 40 {
			t.Errorf("figure %s caption %q", f.ID, f.Caption)
		}
		const tol = 0.5 // px: rounding
		for i, x := range f.Texts {
			// Drawn in the embedded face: the browser's advance is gonum/plot's, which laid the
			// figure out. Another font would be several percent off (DejaVu Serif, Chromium's
			// serif on Debian without the Liberation fonts, is some 20% wider).
			if !strings.HasPrefix(x.Family, `"idcsim `) {
				t.Errorf("figure %s: text %q in font %s, want the embedded one", f.ID, x.Text, x.Family)
			}
			face := font.DefaultCache.Lookup(plot.DefaultFont, font.Length(x.Size))
			if w := float64(face.Width(x.Text)); math.Abs(x.Length-w) > 0.01*w+0.2 {
				t.Errorf("figure %s: text %q is %.2f pt long in the browser, %.2f as laid out", f.ID, x.Text, x.Length, w)
			}
			if x.Left < f.Left-tol || x.Top < f.Top-tol || x.right() > f.right()+tol || x.bottom() > f.bottom()+tol {
				t.Errorf("figure %s: text %q at %+v runs outside the figure at %+v", f.ID, x.Text, x.box, f.box)
			}
			for _, y := range f.Texts[:i] {
				if overlaps(x, y, f.Width/f.ViewWidth) {
					t.Errorf("figure %s: text %q at %+v overlaps %q at %+v", f.ID, x.Text, x.box, y.Text, y.box)
				}
			}
		}
	}
}

// overlaps says whether two texts of a figure shown at scale pixels per point overlap. A text's
// box is as tall as its font's ascent and descent (1.11 em in Liberation Serif), and gonum/plot
// sets the lines of a text 1 em apart, so boxes may share a tenth of an em of height without
// their letters touching.
func overlaps(a, b probeText, scale float64) bool {
	w := math.Min(a.right(), b.right()) - math.Max(a.Left, b.Left)
	h := math.Min(a.bottom(), b.bottom()) - math.Max(a.Top, b.Top)
	em := math.Max(a.Size, b.Size) * scale
	return w > 0.5 && h > 0.15*em
}

// screenshot takes a screenshot of the plots of a page, in a copy of it with only its plots, in a
// window windowWidth wide and height high. It checks the size and returns the image.
func screenshot(t *testing.T, bin, page string, height int) ([]byte, image.Image) {
	t.Helper()
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	page = filepath.Join(t.TempDir(), "plots.html")
	only := strings.Replace(string(src), "</head>", "<style>"+plotsOnly+"</style>\n</head>", 1)
	if err := os.WriteFile(page, []byte(only), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	headless(t, bin, page, fmt.Sprintf("--window-size=%d,%d", windowWidth, height),
		"--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000", "--screenshot="+shot)
	b, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got != (image.Point{windowWidth, height}) {
		t.Errorf("screenshot is %v, want %dx%d", got, windowWidth, height)
	}
	return b, img
}

// countBlue counts the pixels of the first colour of the plots' palette, #0072b2.
func countBlue(img image.Image) int {
	blue := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 < 0x10 && g>>8 > 0x60 && g>>8 < 0x80 && bl>>8 > 0xa8 && bl>>8 < 0xbc {
				blue++
			}
		}
	}
	return blue
}

// updateDoc writes a file under docs/ when -update-screenshots is given.
func updateDoc(t *testing.T, name string, b []byte) {
	t.Helper()
	if !*updateScreenshots {
		return
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The figures' sizes in points: 8 inches wide, 4.5 high; the ECDF's three rows of panels
// 1.4 inches each and 1.2 inches for its title, axis labels and legend.
var (
	plotSize = [2]float64{576, 324}
	ecdfSize = [2]float64{576, 388.8}
)

// The report of the default scenario, as a person sees it in a browser.
func TestBrowserShowsReport(t *testing.T) {
	bin := chromium(t)
	out := filepath.Join(t.TempDir(), "report")
	code, _, stderr := idcsim(t, "run", "--replications", "20", "--out", out, "--format", "json", "--progress", "never")
	if code != exitOK && code != exitFail {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page := filepath.Join(out, "report.html")
	files := readDir(t, out)
	var results struct {
		Pass   bool
		Policy []struct {
			ID   string
			Pass bool
		}
	}
	if err := json.Unmarshal(files["results.json"], &results); err != nil {
		t.Fatal(err)
	}

	// The page as it is: it loads without a console error or a failed fetch.
	dom, logs := headless(t, bin, page, "--enable-logging=stderr", "--v=0", "--dump-dom")
	for _, bad := range []string{"Uncaught", "Failed to load resource", "net::ERR_", ":CONSOLE", "OTS parsing error"} {
		if strings.Contains(logs, bad) {
			t.Errorf("rendering report.html logged %q:\n%s", bad, logs)
		}
	}
	if !strings.Contains(dom, `id="verdict"`) || !strings.Contains(dom, "</svg>") {
		t.Errorf("the rendered DOM lacks the verdict or the plots:\n%.2000s", dom)
	}

	p := probePage(t, bin, out)
	// 10 of the 11 channels: background's windows are all 0 in the default scenario, so three
	// rows of four panels.
	checkFigures(t, p, map[string][2]float64{"exposure-ecdf": ecdfSize, "timeline": plotSize, "histogram": plotSize})
	wantClass := map[bool]string{true: "banner pass", false: "banner fail"}[results.Pass]
	if len(results.Policy) == 0 {
		wantClass = "banner none"
	}
	if p.BannerClass != wantClass || !strings.Contains(p.Banner, map[bool]string{true: "PASS", false: "FAIL"}[results.Pass]) {
		t.Errorf("banner %q class %q, want class %q for pass=%v", p.Banner, p.BannerClass, wantClass, results.Pass)
	}
	if p.BannerColor == "" || p.BannerColor == "rgba(0, 0, 0, 0)" {
		t.Errorf("the verdict banner has no colour: %q", p.BannerColor)
	}
	if len(p.Controls) != len(results.Policy) {
		t.Fatalf("%d control verdicts shown, results.json has %d", len(p.Controls), len(results.Policy))
	}
	for i, c := range p.Controls {
		want := map[bool]string{true: "pass", false: "fail"}[results.Policy[i].Pass]
		if c.Verdict != want || !strings.Contains(c.Text, results.Policy[i].ID) || !c.Visible {
			t.Errorf("control %s shown as %q (visible %v): %q, want %s", results.Policy[i].ID, c.Verdict, c.Visible, c.Text, want)
		}
	}
	if p.Tables < 5 {
		t.Errorf("%d tables", p.Tables)
	}

	// A screenshot of the plots: their colours are on the screen.
	shot, img := screenshot(t, bin, page, int(math.Ceil(p.PlotsHeight)))
	if blue := countBlue(img); blue < 500 {
		t.Errorf("the screenshot has %d pixels of the plots' blue: the plots are not on the screen", blue)
	}
	updateDoc(t, "report.png", shot)
	updateDoc(t, "exposure-ecdf.png", files["exposure-ecdf.png"])
}

// The report of the example sweep, as a person sees it in a browser.
func TestBrowserShowsSweepReport(t *testing.T) {
	bin := chromium(t)
	out := filepath.Join(t.TempDir(), "report")
	code, _, stderr := idcsim(t, "sweep", "example:choose-durations", "--out", out, "--progress", "never")
	if code != exitOK && code != exitFail {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p := probePage(t, bin, out)
	checkFigures(t, p, map[string][2]float64{"frontier": plotSize, "heatmap": plotSize})
	shot, img := screenshot(t, bin, filepath.Join(out, "report.html"), int(math.Ceil(p.PlotsHeight)))
	if blue := countBlue(img); blue < 100 {
		t.Errorf("the screenshot has %d pixels of the plots' blue: the plots are not on the screen", blue)
	}
	updateDoc(t, "sweep-report.png", shot)
}

// The timelines of idcsim trail, as a browser shows each SVG file on a page of its own: drawn in
// the font the file embeds, at its size, with its text inside the figure and not over other text.
func TestBrowserShowsTrailTimelines(t *testing.T) {
	bin := chromium(t)
	out := filepath.Join(t.TempDir(), "trail")
	if code, stdout, stderr := idcsim(t, "trail", story, "--out", out, "--replications", "5", "--exit-zero"); code != exitOK {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	files := readDir(t, out)
	// 8 inches wide; as high as 2.4 inches and 0.4 a row, of which there are at least 3: bob has
	// 4 sessions, carol 2
	for name, size := range map[string][2]float64{
		"timeline-bob-20260304T090000Z":   {576, 288},
		"timeline-carol-20260305T140000Z": {576, 259.2},
	} {
		svg, ok := bytes.CutPrefix(files[name+".svg"], []byte(`<?xml version="1.0"?>`))
		if !ok {
			t.Fatalf("%s.svg: no SVG file", name)
		}
		dir := t.TempDir()
		page := `<!DOCTYPE html><html><head><meta charset="utf-8"><style>body { margin: 24px; }
figure { margin: 0; } figure svg { display: block; width: 100%; max-width: 960px; height: auto; border: 1px solid #d0d7de; }</style></head>
<body><div id="plots"><figure id="` + name + `">` + string(svg) + `<figcaption>` + name + `.svg, as idcsim trail wrote it</figcaption></figure></div></body></html>`
		if err := os.WriteFile(filepath.Join(dir, "report.html"), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		checkFigures(t, probePage(t, bin, dir), map[string][2]float64{name: size})
	}
}
