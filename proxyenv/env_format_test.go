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
