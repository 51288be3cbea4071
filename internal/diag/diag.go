// Package diag defines the one diagnostic type modnet's lints return:
// matcher.Lint, proxyenv's Env.Lint and LintEnvFile, and netrcauth.Lint
// all report [Diagnostic] values (each package names the type through an
// alias), so a program prints, sorts and serialises them one way.
package diag

import (
	"strconv"
	"strings"
)

// A Kind names a kind of problem: a short, stable, lower-case string with
// hyphens ("stray-space", "quoted-value", "port-mismatch"), for programs
// and JSON. Each linting package lists its kinds as constants.
type Kind string

// Severity says how a problem affects the go command.
type Severity string

// The severities.
const (
	// Error: the go command fails because of the problem.
	Error Severity = "error"
	// Warning: the go command accepts the input but silently does
	// something other than what its author probably meant.
	Warning Severity = "warning"
)

// A Diagnostic is one problem a lint found. Positions are 1-based; zero
// means "not applicable". A Diagnostic never holds a secret.
type Diagnostic struct {
	// Kind classifies the problem.
	Kind Kind `json:"kind"`
	// Severity says whether the go command fails because of it.
	Severity Severity `json:"severity"`
	// Var is the environment variable concerned, if any.
	Var string `json:"var,omitempty"`
	// File is the file concerned, if any.
	File string `json:"file,omitempty"`
	// Line is the 1-based line in File.
	Line int `json:"line,omitempty"`
	// Column is the 1-based byte column of Subject in the line, or in the
	// variable's value when there is no file.
	Column int `json:"column,omitempty"`
	// Subject is the element concerned: a pattern, a netrc machine, a
	// proxy URL (redacted), ...
	Subject string `json:"subject,omitempty"`
	// Message says what is wrong and what the go command does instead.
	Message string `json:"message"`
	// Fix is a corrected value, or an action, that resolves the problem;
	// "" when there is no obvious one.
	Fix string `json:"fix,omitempty"`
	// NoEffect reports that the element concerned has no effect on the go
	// command at all (a pattern that can never match a valid module path,
	// a line it ignores).
	NoEffect bool `json:"noEffect,omitempty"`
	// Err is the underlying error, if any.
	Err error `json:"-"`
}

// String formats d as "file:line:column: VAR: message" ("line N: ..."
// without a file), leaving out the parts d does not have.
func (d Diagnostic) String() string {
	var b strings.Builder
	switch {
	case d.File != "":
		b.WriteString(d.File)
		if d.Line > 0 {
			b.WriteString(":" + strconv.Itoa(d.Line))
			if d.Column > 0 {
				b.WriteString(":" + strconv.Itoa(d.Column))
			}
		}
		b.WriteString(": ")
	case d.Line > 0:
		b.WriteString("line " + strconv.Itoa(d.Line) + ": ")
	}
	if d.Var != "" {
		b.WriteString(d.Var + ": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Error returns d.String(), so a caller that treats a finding as fatal can
// return it as an error.
func (d Diagnostic) Error() string { return d.String() }

// Unwrap returns d.Err.
func (d Diagnostic) Unwrap() error { return d.Err }
