package proxyenv

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseEnvFile(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []EnvLine
	}{
		{"empty", "", nil},
		{"one", "GOPROXY=https://p.example\n", []EnvLine{{Line: 1, Text: "GOPROXY=https://p.example", Key: "GOPROXY", Value: "https://p.example"}}},
		{"no-final-newline", "A=1", []EnvLine{{Line: 1, Text: "A=1", Key: "A", Value: "1"}}},
		{"blank-line-kept", "A=1\n\n", []EnvLine{{Line: 1, Text: "A=1", Key: "A", Value: "1"}, {Line: 2, Ignored: true}}},
		{"crlf", "A=1\r\n", []EnvLine{{Line: 1, Text: "A=1\r", Key: "A", Value: "1\r"}}},
		{"quotes-verbatim", "A=\"x\"\n", []EnvLine{{Line: 1, Text: "A=\"x\"", Key: "A", Value: "\"x\""}}},
		{"second-equals-in-value", "GOFLAGS=-ldflags=-s\n", []EnvLine{{Line: 1, Text: "GOFLAGS=-ldflags=-s", Key: "GOFLAGS", Value: "-ldflags=-s"}}},
		{"space-before-equals", "A =b\n", []EnvLine{{Line: 1, Text: "A =b", Key: "A ", Value: "b"}}},
		{"empty-value", "A=\n", []EnvLine{{Line: 1, Text: "A=", Key: "A", Value: ""}}},
		{"comment", "# A=1\n", []EnvLine{{Line: 1, Text: "# A=1", Ignored: true}}},
		{"lowercase", "a=1\n", []EnvLine{{Line: 1, Text: "a=1", Ignored: true}}},
		{"leading-space", " A=1\n", []EnvLine{{Line: 1, Text: " A=1", Ignored: true}}},
		{"no-equals", "GOPROXY\n", []EnvLine{{Line: 1, Text: "GOPROXY", Ignored: true}}},
		{"equals-first", "=A\n", []EnvLine{{Line: 1, Text: "=A", Ignored: true}}},
		{"underscore-first", "_A=1\n", []EnvLine{{Line: 1, Text: "_A=1", Ignored: true}}},
		{"mixed-case-key", "GOproxy=1\n", []EnvLine{{Line: 1, Text: "GOproxy=1", Key: "GOproxy", Value: "1"}}},
		{"lone-cr-is-not-a-separator", "A=1\rB=2\n", []EnvLine{{Line: 1, Text: "A=1\rB=2", Key: "A", Value: "1\rB=2"}}},
	}
	for _, tt := range tests {
		got := ParseEnvFile([]byte(tt.data))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ParseEnvFile(%q) = %+v, want %+v", tt.name, tt.data, got, tt.want)
		}
	}
}

func TestLookupEnvLine(t *testing.T) {
	lines := ParseEnvFile([]byte("GOPROXY=a\nGOPRIVATE=p\n GOPROXY=c\nGOPROXY=b\nGOPROXY =d\n"))
	if l, ok := LookupEnvLine(lines, "GOPROXY"); !ok || l.Value != "b" || l.Line != 4 {
		t.Errorf(`LookupEnvLine(lines, "GOPROXY") = %+v, %v; want value "b" at line 4`, l, ok)
	}
	if l, ok := LookupEnvLine(lines, "GOSUMDB"); ok {
		t.Errorf(`LookupEnvLine(lines, "GOSUMDB") = %+v, true; want false`, l)
	}
}

// refParse is an independent statement of the go command's rules, for the
// fuzz target: split on '\n' (a final '\n' ends the data), keep a line as
// an assignment if it has '=' and starts with A-Z, later keys win.
func refParse(data string) map[string]string {
	m := map[string]string{}
	lines := strings.Split(data, "\n")
	if strings.HasSuffix(data, "\n") {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		k, v, ok := strings.Cut(l, "=")
		if !ok || l[0] < 'A' || l[0] > 'Z' {
			continue
		}
		m[k] = v
	}
	return m
}

func FuzzParseEnvFile(f *testing.F) {
	for _, s := range []string{
		"", "\n", "A=1\n", "A=1\r\nB=\"2\"\n", "# c\n a=1\nA =2\nA=3", "=\n=\n", "A==\nA=\x00\n",
		"GOPROXY=https://u:p@x,direct\nGOPRIVATE=*.corp\n",
	} {
		f.Add([]byte(s))
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "env", "messy.env")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := ParseEnvFile(data)
		got := map[string]string{}
		var rebuilt []string
		for i, l := range lines {
			if l.Line != i+1 {
				t.Fatalf("line %d numbered %d", i+1, l.Line)
			}
			rebuilt = append(rebuilt, l.Text)
			if l.Ignored {
				if l.Key != "" || l.Value != "" {
					t.Fatalf("ignored line %d has key %q value %q", l.Line, l.Key, l.Value)
				}
				continue
			}
			if l.Key+"="+l.Value != l.Text || strings.Contains(l.Key, "=") {
				t.Fatalf("line %d: key %q value %q do not rebuild text %q", l.Line, l.Key, l.Value, l.Text)
			}
			got[l.Key] = l.Value
		}
		// Every byte is accounted for.
		s := strings.Join(rebuilt, "\n")
		if len(lines) > 0 && strings.HasSuffix(string(data), "\n") {
			s += "\n"
		}
		if s != string(data) {
			t.Fatalf("lines rebuild %q, want %q", s, data)
		}
		want := refParse(string(data))
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("ParseEnvFile(%q) assigns %q, reference %q", data, got, want)
		}
		for k, v := range want {
			if l, ok := LookupEnvLine(lines, k); !ok || l.Value != v {
				t.Fatalf("LookupEnvLine(%q) = %+v, %v; want %q", k, l, ok, v)
			}
		}
		_ = lintEnvLines("fuzz.env", lines, false)
		_ = lintEnvLines("go.env", lines, true)
	})
}
