package session

import "strings"

// The user-agent summary: what a session records about the browser that
// signed in, so that a person can tell their laptop from their phone in a
// device list. It is a name, a major version and a system ("Firefox 133 on
// Linux"), never the header itself: a whole User-Agent is longer, more
// identifying, and worth nothing more to the person reading the list.
//
// A small parser of our own rather than a library: the maintained Go
// parsers either build a trie of several MiB at start-up or match hundreds
// of regular expressions, for details (device models, engines, bots) a
// device list does not show (docs/DEVICES.md compares them).

// userAgentScan bounds how much of the header is read. Real browsers send
// 100-300 bytes; the header can be up to the server's header limit (1 MiB by
// default), and a summary must not cost more for a longer one.
const userAgentScan = 512

// unknownBrowser stands for the browser when only the system is known.
const unknownBrowser = "Unknown browser"

// deviceSeparator joins browser and system in a summary.
const deviceSeparator = " on "

// product is a token that names a browser, and the name shown for it.
type product struct{ token, name string }

// browserProducts are looked for in this order, first match wins: browsers
// built on another one name both (Edge sends "Chrome/131 ... Edg/131", Chrome
// sends "Safari/537"), so the more specific token comes first.
var browserProducts = []product{
	{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"}, {"Edge/", "Edge"},
	{"OPR/", "Opera"}, {"OPT/", "Opera"}, {"OPiOS/", "Opera"}, {"Opera/", "Opera"},
	{"SamsungBrowser/", "Samsung Internet"},
	{"YaBrowser/", "Yandex Browser"},
	{"Vivaldi/", "Vivaldi"},
	{"UCBrowser/", "UC Browser"},
	{"DuckDuckGo/", "DuckDuckGo"},
	{"FxiOS/", "Firefox"}, {"Firefox/", "Firefox"},
	{"CriOS/", "Chrome"}, {"HeadlessChrome/", "Headless Chrome"}, {"Chromium/", "Chromium"}, {"Chrome/", "Chrome"},
	{"MSIE ", "Internet Explorer"},
}

// systems are looked for in this order, first match wins: Android and
// ChromeOS say "Linux" too, Windows Phone says "Windows", iOS browsers say
// "like Mac OS X". Versions are left out on purpose: browsers freeze them
// (Chrome reports Android 10 and macOS 10.15.7 whatever the real one is;
// Windows 10 and 11 both send "Windows NT 10.0"), so a version would mislead.
var systems = []product{
	{"Windows Phone", "Windows Phone"},
	{"iPhone", "iOS"}, {"iPod", "iOS"}, {"iPad", "iPadOS"},
	{"Android", "Android"},
	{"CrOS", "ChromeOS"},
	{"Windows", "Windows"},
	{"Macintosh", "macOS"}, {"Mac OS X", "macOS"},
	{"Linux", "Linux"}, {"X11", "Linux"},
	{"FreeBSD", "FreeBSD"}, {"OpenBSD", "OpenBSD"}, {"NetBSD", "NetBSD"},
}

// Bounds of what a summary takes from a product token it does not know
// ("curl/8.5.0" gives "curl 8"): short enough that the whole summary stays
// far below MaxDeviceSize.
const (
	maxProductName = 24
	maxVersion     = 4
)

// summarizeUserAgent returns a short description of the browser and system
// that sent the User-Agent header ua: "Firefox 133 on Linux", "Safari 17 on
// iOS", "curl 8", or "" when it names neither. The result is printable ASCII
// of at most MaxDeviceSize bytes, whatever ua holds, and costs at most one
// allocation.
func summarizeUserAgent(ua string) string {
	if len(ua) > userAgentScan {
		ua = ua[:userAgentScan]
	}
	var buf [64]byte
	b := appendBrowser(buf[:0], ua)
	sys := findProduct(ua, systems, false)
	switch {
	case sys == nil && len(b) == 0:
		return ""
	case sys == nil:
		return string(b)
	case len(b) == 0:
		b = append(b, unknownBrowser...)
	}
	b = append(b, deviceSeparator...)
	b = append(b, sys.name...)
	return string(b)
}

// appendBrowser appends the browser's name and major version ("Chrome 131")
// to b, or nothing when ua names no browser.
func appendBrowser(b []byte, ua string) []byte {
	if p := findProduct(ua, browserProducts, true); p != nil {
		b = append(b, p.name...)
		return appendVersion(b, ua[strings.Index(ua, p.token)+len(p.token):])
	}
	if i := strings.Index(ua, "Safari/"); i >= 0 && atTokenStart(ua, i) {
		// Safari's own version is in Version/, its Safari/ is WebKit's.
		b = append(b, "Safari"...)
		if j := strings.Index(ua, "Version/"); j >= 0 && atTokenStart(ua, j) {
			b = appendVersion(b, ua[j+len("Version/"):])
		}
		return b
	}
	if strings.Contains(ua, "Trident/") {
		return append(b, "Internet Explorer"...)
	}
	return appendFirstProduct(b, ua)
}

// findProduct returns the first of list whose token ua contains, at the
// start of a token when anchored (so that "XEdge/1" is not Edge).
func findProduct(ua string, list []product, anchored bool) *product {
	for i := range list {
		j := strings.Index(ua, list[i].token)
		if j >= 0 && (!anchored || atTokenStart(ua, j)) {
			return &list[i]
		}
	}
	return nil
}

// atTokenStart reports whether ua[i:] starts a product token or a comment
// item: at the start, or after a space, ';', '(' or ','.
func atTokenStart(ua string, i int) bool {
	if i == 0 {
		return true
	}
	switch ua[i-1] {
	case ' ', ';', '(', ',':
		return true
	}
	return false
}

// appendVersion appends " " and the major version that v starts with (its
// leading digits, at most maxVersion of them), or nothing when v does not
// start with a digit.
func appendVersion(b []byte, v string) []byte {
	n := 0
	for n < len(v) && n < maxVersion && isDigit(v[n]) {
		n++
	}
	if n == 0 {
		return b
	}
	b = append(b, ' ')
	return append(b, v[:n]...)
}

// appendFirstProduct appends the first product of ua when it is a plain
// name/version pair other than the historic "Mozilla" ("curl/8.5.0" gives
// "curl 8", "Go-http-client/1.1" gives "Go-http-client 1"): a client that is
// not a browser still gets a recognisable name. Anything else appends
// nothing, so that no arbitrary header text reaches a device list.
func appendFirstProduct(b []byte, ua string) []byte {
	name, rest, ok := strings.Cut(ua, "/")
	if !ok || name == "" || len(name) > maxProductName || name == "Mozilla" {
		return b
	}
	for i := range len(name) {
		if !isNameByte(name[i]) {
			return b
		}
	}
	b = append(b, name...)
	return appendVersion(b, rest)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isNameByte reports whether c may appear in a product name taken as is.
func isNameByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_' || c == '.'
}

// splitDevice splits a stored summary into browser and system. A summary
// without a system is all browser; "Unknown browser" becomes "".
func splitDevice(summary string) (browser, system string) {
	browser, system, _ = strings.Cut(summary, deviceSeparator)
	if browser == unknownBrowser {
		browser = ""
	}
	return browser, system
}
