package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium returns the path of a Chromium binary. Without one the test is skipped, unless
// IDCSIM_REQUIRE_BROWSER=1 (as in CI), when it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("IDCSIM_REQUIRE_BROWSER") == "1" {
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
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + t.TempDir()}, flags...)
	args = append(args, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// probeScript measures what the browser drew and writes it into the page as JSON, for
// --dump-dom to carry out. It is added to a copy of the report; the report itself has no script.
const probeScript = `<script>
(function () {
  var r = {figures: [], controls: [], banner: "", bannerClass: "", resources: 0, tables: 0};
  document.querySelectorAll("figure").forEach(function (f) {
    var svg = f.querySelector("svg");
    var box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    r.figures.push({id: f.id, width: box.width, height: box.height,
      paths: svg ? svg.querySelectorAll("path").length : 0,
      texts: svg ? svg.querySelectorAll("text").length : 0,
      caption: (f.querySelector("figcaption") || {}).textContent || ""});
  });
  document.querySelectorAll("#controls tr[data-verdict]").forEach(function (tr) {
    r.controls.push({verdict: tr.getAttribute("data-verdict"), text: tr.textContent,
      visible: tr.getBoundingClientRect().height > 0});
  });
  var b = document.getElementById("verdict");
  if (b) { r.banner = b.querySelector("h2").textContent; r.bannerClass = b.className;
    r.bannerColor = getComputedStyle(b).backgroundColor; }
  r.resources = performance.getEntriesByType("resource").length;
  r.tables = document.querySelectorAll("table").length;
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
})();
</script>`

type probe struct {
	Figures []struct {
		ID            string
		Width, Height float64
		Paths, Texts  int
		Caption       string
	}
	Controls []struct {
		Verdict, Text string
		Visible       bool
	}
	Banner, BannerClass, BannerColor string
	Resources, Tables                int
}

// The report of the default scenario, as a person sees it in a browser.
func TestBrowserShowsReport(t *testing.T) {
	bin := chromium(t)
	out := filepath.Join(t.TempDir(), "report")
	code, _, stderr := idcsim(t, "run", "--replications", "20", "--out", out, "--format", "json", "--progress", "never")
	if code != exitOK && code != exitFail {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page := filepath.Join(out, "report.html")
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	var results struct {
		Pass   bool
		Policy []struct {
			ID   string
			Pass bool
		}
	}
	if err := json.Unmarshal(readDir(t, out)["results.json"], &results); err != nil {
		t.Fatal(err)
	}

	// The page as it is: it loads without a console error or a failed fetch.
	dom, logs := headless(t, bin, page, "--enable-logging=stderr", "--v=0", "--dump-dom")
	for _, bad := range []string{"Uncaught", "Failed to load resource", "net::ERR_", ":CONSOLE"} {
		if strings.Contains(logs, bad) {
			t.Errorf("rendering report.html logged %q:\n%s", bad, logs)
		}
	}
	if !strings.Contains(dom, `id="verdict"`) || !strings.Contains(dom, "</svg>") {
		t.Errorf("the rendered DOM lacks the verdict or the plots:\n%.2000s", dom)
	}

	// A copy with a probe that measures what was laid out.
	probed := filepath.Join(t.TempDir(), "probe.html")
	withProbe := strings.Replace(string(src), "</body>", probeScript+"\n</body>", 1)
	if err := os.WriteFile(probed, []byte(withProbe), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, _ = headless(t, bin, probed, "--window-size=1280,2000", "--dump-dom")
	m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe did not run; DOM:\n%.2000s", dom)
	}
	var p probe
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &p); err != nil {
		t.Fatalf("probe output %q: %v", m[1], err)
	}
	if p.Resources != 0 {
		t.Errorf("the page fetched %d resources; it must stand alone", p.Resources)
	}
	wantFigures := []string{"exposure-ecdf", "timeline", "histogram"}
	if len(p.Figures) != len(wantFigures) {
		t.Fatalf("%d figures drawn, want %d", len(p.Figures), len(wantFigures))
	}
	for i, f := range p.Figures {
		if f.ID != wantFigures[i] {
			t.Errorf("figure %d is %q, want %q", i, f.ID, wantFigures[i])
		}
		if f.Width < 300 || f.Height < 150 {
			t.Errorf("figure %s is drawn %gx%g px: too small to see", f.ID, f.Width, f.Height)
		}
		if f.Paths < 5 || f.Texts < 3 {
			t.Errorf("figure %s has %d paths and %d texts: not a plot", f.ID, f.Paths, f.Texts)
		}
		if len(f.Caption) < 40 {
			t.Errorf("figure %s caption %q", f.ID, f.Caption)
		}
	}
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

	// A screenshot: the plots' colours are on the screen.
	shot := filepath.Join(t.TempDir(), "shot.png")
	headless(t, bin, page, "--window-size=1280,6000", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	blue := 0 // the first colour of the plots' palette, #0072b2
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 < 0x10 && g>>8 > 0x60 && g>>8 < 0x80 && bl>>8 > 0xa8 && bl>>8 < 0xbc {
				blue++
			}
		}
	}
	if blue < 500 {
		t.Errorf("the screenshot has %d pixels of the plots' blue: the plots are not on the screen", blue)
	}
}
