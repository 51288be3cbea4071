package netrcauth

import (
	"fmt"
	"log/slog"
)

// redacted is what every printing path of a [Secret] shows instead of the
// value.
const redacted = "[redacted]"

// Secret is a password, token or header value. Its String, GoString, Format,
// MarshalText and LogValue methods never reveal the value, so a Secret can
// be logged, wrapped in errors or printed with any fmt verb (%v, %+v, %#v,
// %s, %q, %x, ...) without leaking it. Use [Secret.Reveal] to get the value
// when it must be sent.
//
// The value is captured in a closure, so even reflection-based printing of
// a struct holding a Secret in an unexported field (where fmt cannot call
// these methods, with any verb) shows a function address, never the value.
// Secrets are not comparable with ==; compare Reveal results.
//
// The zero Secret is empty.
type Secret struct {
	reveal func() string
}

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{reveal: func() string { return s }}
}

// Reveal returns the secret value. Call it only to put the value on the
// wire.
func (s Secret) Reveal() string {
	if s.reveal == nil {
		return ""
	}
	return s.reveal()
}

// IsZero reports whether s is empty.
func (s Secret) IsZero() bool { return s.reveal == nil }

// String returns "[redacted]" (or "" for an empty Secret).
func (s Secret) String() string {
	if s.reveal == nil {
		return ""
	}
	return redacted
}

// GoString returns a Go-syntax placeholder that does not contain the value.
func (s Secret) GoString() string {
	if s.reveal == nil {
		return "netrcauth.Secret{}"
	}
	return `netrcauth.Secret{` + redacted + `}`
}

// Format implements [fmt.Formatter] so that every verb and flag prints the
// redacted form.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, s.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", s.String())
	default:
		fmt.Fprint(f, s.String())
	}
}

// MarshalText implements [encoding.TextMarshaler] with the redacted form,
// so JSON, XML and text encoders never reveal the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue implements [slog.LogValuer] with the redacted form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
