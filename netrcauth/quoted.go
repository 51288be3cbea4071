package netrcauth

import "fmt"

// QuoteError reports an unterminated quoted field in a GOAUTH command.
type QuoteError struct {
	// Quote is the quote character, ' or ".
	Quote byte
}

func (e *QuoteError) Error() string { return fmt.Sprintf("unterminated %c string", e.Quote) }

// SplitQuoted splits a GOAUTH command line into words the way the go command
// does (cmd/internal/quoted.Split): words are separated by runs of space,
// tab, newline or carriage return; a word that starts with ' or " extends to
// the next identical quote, with no escapes or other processing, and the
// quotes are removed. A quote inside a word is an ordinary character. An
// unterminated quoted word is a *[QuoteError].
func SplitQuoted(s string) ([]string, error) {
	var words []string
	i := 0
	for {
		for i < len(s) && isQuotedSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return words, nil
		}
		if q := s[i]; q == '\'' || q == '"' {
			j := i + 1
			for j < len(s) && s[j] != q {
				j++
			}
			if j == len(s) {
				return nil, &QuoteError{Quote: q}
			}
			words = append(words, s[i+1:j])
			i = j + 1
			continue
		}
		j := i
		for j < len(s) && !isQuotedSpace(s[j]) {
			j++
		}
		words = append(words, s[i:j])
		i = j
	}
}

func isQuotedSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
