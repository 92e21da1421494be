package session

import (
	"strings"
	"testing"
)

// userAgents are real User-Agent headers of current browsers and clients,
// with the summary a device list shows for each.
var userAgents = []struct{ ua, want string }{
	{"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133 on Linux"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Chrome 131 on Windows"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
		"Edge 131 on Windows"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
		"Safari 18 on macOS"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		"Safari 17 on iOS"},
	{"Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
		"Chrome 131 on iPadOS"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
		"Firefox 133 on iOS"},
	{"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
		"Chrome 131 on Android"},
	{"Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", "Firefox 133 on Android"},
	{"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
		"Samsung Internet 26 on Android"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
		"Opera 115 on Windows"},
	{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Chrome 131 on ChromeOS"},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
		"Headless Chrome 131 on Linux"},
	{"Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/130.0.0.0 Chrome/130.0.0.0 Safari/537.36",
		"Chromium 130 on Linux"},
	{"Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko", "Internet Explorer on Windows"},
	{"Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)", "Internet Explorer 10 on Windows"},
	{"Mozilla/5.0 (FreeBSD; amd64; rv:132.0) Gecko/20100101 Firefox/132.0", "Firefox 132 on FreeBSD"},
	{"curl/8.5.0", "curl 8"},
	{"Go-http-client/1.1", "Go-http-client 1"},
	{"python-requests/2.32.3", "python-requests 2"},
	{"Mozilla/5.0 (Linux) SomethingNew", "Unknown browser on Linux"},
	{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", ""},
	{"", ""},
	{"<script>alert(1)</script>/1", ""},
	{"Mozilla/5.0 (Windows) XEdge/12", "Unknown browser on Windows"}, // "Edge/" only counts at a token's start
	{"Firefox/99999999999", "Firefox 9999"},
}

func TestSummarizeUserAgent(t *testing.T) {
	for _, c := range userAgents {
		if got := summarizeUserAgent(c.ua); got != c.want {
			t.Errorf("summarizeUserAgent(%q) = %q, want %q", c.ua, got, c.want)
		}
	}
}

// TestSummaryReadsOnlyTheStart: a browser token past userAgentScan bytes is
// not looked at, so that a huge header costs no more than a real one.
func TestSummaryReadsOnlyTheStart(t *testing.T) {
	padding := "Mozilla/5.0 (" + strings.Repeat("x", userAgentScan) + ")"
	if got := summarizeUserAgent(padding + " Firefox/133.0"); got != "" {
		t.Fatalf("a token after %d bytes was read: %q", userAgentScan, got)
	}
}

// TestSummaryAllocations: one allocation (the result) per summary, whatever
// the header's size.
func TestSummaryAllocations(t *testing.T) {
	for _, ua := range []string{userAgents[1].ua, "Mozilla/5.0 (Linux) " + strings.Repeat("Chrome/1 ", 100_000)} {
		if n := testing.AllocsPerRun(100, func() { summarizeUserAgent(ua) }); n > 1 {
			t.Errorf("summarizeUserAgent of %d bytes: %v allocations, want at most 1", len(ua), n)
		}
	}
}

func TestSplitDevice(t *testing.T) {
	for _, c := range []struct{ summary, browser, os string }{
		{"Firefox 133 on Linux", "Firefox 133", "Linux"},
		{"Unknown browser on iOS", "", "iOS"},
		{"curl 8", "curl 8", ""},
		{"", "", ""},
	} {
		if b, o := splitDevice(c.summary); b != c.browser || o != c.os {
			t.Errorf("splitDevice(%q) = %q, %q; want %q, %q", c.summary, b, o, c.browser, c.os)
		}
	}
}

// FuzzSummarizeUserAgent: whatever the header holds, the summary is short
// printable ASCII made of known names, a version and a product name taken
// only from name characters, and splits back into what it joined. (Its
// allocations are bounded by TestSummaryAllocations: measuring them here
// would stop the world for every input.)
func FuzzSummarizeUserAgent(f *testing.F) {
	for _, c := range userAgents {
		f.Add(c.ua)
	}
	f.Add("Safari/ Version/")
	f.Add("MSIE ")
	f.Add("a/b/c on d")
	f.Fuzz(func(t *testing.T, ua string) {
		got := summarizeUserAgent(ua)
		if len(got) > MaxDeviceSize {
			t.Fatalf("summary of %d bytes: %q", len(got), got)
		}
		for i := range len(got) {
			if c := got[i]; c < ' ' || c > '~' {
				t.Fatalf("summary %q has byte %#x", got, c)
			}
		}
		if got != "" && !strings.Contains(ua, strings.Fields(got)[0]) && !knownName(got) {
			t.Fatalf("summary %q of %q names something the header does not", got, ua)
		}
		browser, system := splitDevice(got)
		if strings.Contains(browser, deviceSeparator) || strings.Contains(system, deviceSeparator) {
			t.Fatalf("summary %q does not split cleanly: %q / %q", got, browser, system)
		}
	})
}

// knownName reports whether summary starts with a name from our tables.
func knownName(summary string) bool {
	for _, list := range [][]product{browserProducts, systems} {
		for _, p := range list {
			if strings.HasPrefix(summary, p.name) {
				return true
			}
		}
	}
	return strings.HasPrefix(summary, "Safari") || strings.HasPrefix(summary, "Internet Explorer") ||
		strings.HasPrefix(summary, unknownBrowser)
}

// BenchmarkSummarizeUserAgent: the cost of a summary, paid once per login
// (creation or rotation), never per request. docs/DEVICES.md quotes it.
func BenchmarkSummarizeUserAgent(b *testing.B) {
	for _, c := range []struct{ name, ua string }{
		{"chrome", userAgents[1].ua}, {"safari-ios", userAgents[4].ua}, {"curl", "curl/8.5.0"},
		{"1MiB", "Mozilla/5.0 (Linux) " + strings.Repeat("x", 1<<20)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				summarizeUserAgent(c.ua)
			}
		})
	}
}
