package proxyenv

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestEnvPrintingRedacts(t *testing.T) {
	const secret = "Env5ecret"
	e := &Env{
		GOPROXY:     "https://u:" + secret + "@proxy.example|direct",
		HTTPS_PROXY: "http://p:" + secret + "@corp-proxy:3128",
		HTTP_PROXY:  "p:" + secret + "@corp-proxy:3128",
		GOSUMDB:     SumGolangOrgKey + " https://s:" + secret + "@sum.example",
		Sources:     map[string]Value{"GOPROXY": {Name: "GOPROXY", Value: "https://u:" + secret + "@proxy.example|direct", Source: SourceEnv}},
	}
	js, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	db, _ := ParseSumDB(e.GOSUMDB)
	_, sumErr := ParseSumDB(SumGolangOrgKey + " https://s:" + secret + "@sum.example/%zz")
	for _, out := range []string{
		fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), fmt.Sprintf("%v", *e), string(js),
		fmt.Sprintf("%v", db), fmt.Sprintf("%v", sumErr), fmt.Sprintf("%+v", sumErr),
	} {
		if strings.Contains(out, secret) {
			t.Errorf("output shows the password: %s", out)
		}
	}
	if !strings.Contains(fmt.Sprint(e), "https://u:xxxxx@proxy.example|direct") {
		t.Errorf("String() = %s, want the redacted GOPROXY", e)
	}
}

func TestRedactConfigURLs(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"GOPROXY", "https://u:2024/s3cret@proxy.example,direct", "https://u:xxxxx@proxy.example,direct"},
		{"GOPROXY", "https://u:12#34@host|off", "https://u:xxxxx@host|off"},
		{"HTTPS_PROXY", "socks5://u:9/pw@proxy:1080", "socks5://u:xxxxx@proxy:1080"},
		{"HTTPS_PROXY", "http://alice:2024?x@proxy.example", "http://alice:xxxxx@proxy.example"},
		{"GOSUMDB", SumGolangOrgKey + " https://u:s3cret@sum.example extra", SumGolangOrgKey + " https://u:xxxxx@sum.example extra"},
		{"GOPROXY", "https://proxy.example:8080/go", "https://proxy.example:8080/go"},
	} {
		if got := Redact(tc.name, tc.in); got != tc.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}
