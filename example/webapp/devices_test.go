package webapp

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// userAgentTransport sends a fixed User-Agent, as one real browser does.
type userAgentTransport struct {
	base http.RoundTripper
	ua   string
}

func (t userAgentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", t.ua)
	return t.base.RoundTrip(r)
}

// deviceRows reads the devices page's rows as "browser | os | network |
// remember | this browser", newest first.
func (p htmlPage) deviceRows() []string {
	cell := func(row, class string) string {
		m := regexp.MustCompile(`class="` + class + `">([^<]*)<`).FindStringSubmatch(row)
		if m == nil {
			return ""
		}
		return strings.TrimSpace(m[1])
	}
	var rows []string
	for _, row := range regexp.MustCompile(`(?s)<tr class="device.*?</tr>`).FindAllString(string(p), -1) {
		rows = append(rows, strings.Join([]string{cell(row, "browser"), cell(row, "os"), cell(row, "network"),
			cell(row, "remember"), cell(row, "badge")}, " | "))
	}
	return rows
}

// TestDevicesPageShowsDetails: the devices page tells two browsers apart by
// browser, system and network, and shows which one ticked "remember me".
func TestDevicesPageShowsDetails(t *testing.T) {
	srv := serveApp(t, openDB(t, sqliteURL(t)))
	laptop, phone := newBrowser(t, srv), newBrowser(t, srv)
	laptop.client.Transport = userAgentTransport{srv.Client().Transport,
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}
	phone.client.Transport = userAgentTransport{srv.Client().Transport,
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"}
	laptop.login("Alice")
	if p := phone.post("/login", url.Values{"name": {"Alice"}, "remember": {"on"}}); p.user() != "Alice" {
		t.Fatalf("phone login:\n%s", p)
	}
	got := strings.Join(laptop.get("/devices").deviceRows(), "\n")
	want := "Safari 17 | iOS | 127.0.0.0/24 | on | \n" +
		"Firefox 133 | Linux | 127.0.0.0/24 | off | this browser"
	if got != want {
		t.Fatalf("devices page rows:\n%s\nwant:\n%s", got, want)
	}
}
