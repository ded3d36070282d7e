package cli

import "strings"

// This file reads the README's example lines as a shell would, enough to
// find each simple command in them and its words: readme_test.go checks
// those commands. It knows what the README uses: quotes, backslashes,
// comments, | || && ; & operators, redirections (whose target is no
// argument) and $( ) and <( ) substitutions, whose commands count too,
// even inside single quotes (a prompt that runs them later).

// shellCommands is every simple command of line: its words, unquoted; a
// word with an expansion in it is kept as written. Leading NAME=value
// assignments are dropped.
func shellCommands(line string) [][]string {
	var cmds [][]string
	for _, c := range splitCommands(line) {
		for len(c) > 0 && isAssignment(c[0]) {
			c = c[1:]
		}
		if len(c) > 0 {
			cmds = append(cmds, c)
		}
	}
	for _, inner := range substitutions(line) {
		cmds = append(cmds, shellCommands(inner)...)
	}
	return cmds
}

// splitCommands lexes line into simple commands; a substitution stays
// inside its word.
func splitCommands(line string) [][]string {
	var (
		cmds     [][]string
		words    []string
		word     strings.Builder
		inWord   bool
		redirect bool // the next word is a redirection's target
	)
	end := func() {
		if inWord {
			if !redirect {
				words = append(words, word.String())
			}
			redirect = false
		}
		word.Reset()
		inWord = false
	}
	endCommand := func() {
		end()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			i++
			word.WriteByte(line[i])
			inWord = true
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				j = len(line) - i - 1
			}
			word.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := i + 1
			for ; j < len(line) && line[j] != '"'; j++ {
				if line[j] == '\\' {
					j++
				} else if strings.HasPrefix(line[j:], "$(") {
					j = closing(line, j+1)
				}
			}
			word.WriteString(line[i+1 : min(j, len(line))])
			i = j
			inWord = true
		case (c == '$' || c == '<') && strings.HasPrefix(line[i+1:], "("):
			j := closing(line, i+1)
			word.WriteString(line[i:min(j+1, len(line))])
			i = j
			inWord = true
		case c == '#' && !inWord:
			endCommand()
			return cmds
		case c == ' ' || c == '\t':
			end()
		case c == '>' || c == '<':
			end()
			for i+1 < len(line) && (line[i+1] == '>' || line[i+1] == '&') {
				i++
			}
			redirect = true
		case c == '|' || c == ';' || c == '&' || c == '(' || c == ')':
			endCommand()
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endCommand()
	return cmds
}

// closing is the index of the parenthesis that closes the one at open.
func closing(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(s)
}

// substitutions is the text inside each outermost $( ) and <( ) of s,
// quoted or not.
func substitutions(s string) []string {
	var out []string
	for i := 0; i+1 < len(s); i++ {
		if (s[i] == '$' || s[i] == '<') && s[i+1] == '(' {
			j := closing(s, i+1)
			out = append(out, s[i+2:min(j, len(s))])
			i = j
		}
	}
	return out
}

func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, c := range name {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
