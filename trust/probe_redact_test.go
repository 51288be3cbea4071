package trust

import (
	"context"
	"strings"
	"testing"
)

func TestProbeUnparsableURLHidesPassword(t *testing.T) {
	res := Probe(context.Background(), "https://user:hunter2-probe@%zz/x")
	if res.Error == nil {
		t.Fatal("Probe of an unparsable URL succeeded")
	}
	for _, s := range []string{res.URL, res.Error.Message, res.Error.Error()} {
		if strings.Contains(s, "hunter2-probe") {
			t.Errorf("output %q contains the password", s)
		}
	}
	if !strings.Contains(res.URL, "user:xxxxx@") {
		t.Errorf("URL = %q, want the password replaced by xxxxx", res.URL)
	}
}
