package matcher_test

import (
	"fmt"

	"github.com/modnet/modnet/matcher"
)

func ExampleCompile() {
	private := matcher.Compile("*.corp.example.com,github.com/acme,gitlab.acme.io/platform/*")
	for _, path := range []string{
		"git.corp.example.com/tools",
		"github.com/acme/widgets/v2",
		"github.com/acme-labs/x",
		"gitlab.acme.io/platform/api",
		"gitlab.acme.io/platform",
		"golang.org/x/net",
	} {
		fmt.Println(path, private.Match(path))
	}
	// Output:
	// git.corp.example.com/tools true
	// github.com/acme/widgets/v2 true
	// github.com/acme-labs/x false
	// gitlab.acme.io/platform/api true
	// gitlab.acme.io/platform false
	// golang.org/x/net false
}

// The go command does not trim spaces around commas.
func ExampleList_Match_spaces() {
	l := matcher.Compile("a.example.com, b.example.com")
	fmt.Println(l.Match("a.example.com/x"))
	fmt.Println(l.Match("b.example.com/x"))
	// Output:
	// true
	// false
}

func ExampleList_MatchPattern() {
	l := matcher.Compile("golang.org/x,,*.corp.example.com/,github.com/acme")
	pattern, index, ok := l.MatchPattern("git.corp.example.com/tools/lint")
	fmt.Printf("%q %d %v\n", pattern, index, ok)
	pattern, index, ok = l.MatchPattern("example.com/public")
	fmt.Printf("%q %d %v\n", pattern, index, ok)
	// Output:
	// "*.corp.example.com" 2 true
	// "" -1 false
}

func ExampleLint() {
	for _, p := range matcher.Lint("github.com/acme, gitlab.acme.io,https://git.acme.io,[acme") {
		fmt.Println(p.Column, p.Kind, p.NoEffect)
		fmt.Println("\t" + p.Message)
	}
	// Output:
	// 17 stray-space true
	// 	pattern 2 " gitlab.acme.io": leading white space: the go command does not trim spaces, so this pattern never matches "gitlab.acme.io"; write "gitlab.acme.io"
	// 33 scheme true
	// 	pattern 3 "https://git.acme.io": patterns match module paths, not URLs, so this pattern with a scheme never matches; write "git.acme.io"
	// 53 malformed-pattern true
	// 	pattern 4 "[acme": path.Match rejects this pattern (syntax error in pattern) and the go command ignores it: check its character classes: "[" needs a closing "]", a class needs at least one character, and "-" and "]" inside one must be escaped with "\"
}
