// Package etag reads entity-tags (RFC 9110 §8.8.3) and the lists of them
// in If-Match and If-None-Match, for the library's handlers that answer
// conditional requests (fileserver) or change the tags of answers
// (compress). It is pure: no I/O, no allocation, no state.
package etag

import "strings"

// Scan reads one entity-tag from the start of s (RFC 9110 §8.8.3):
// [ "W/" ] DQUOTE *etagc DQUOTE, where etagc is '!' or '#'..'~' or
// obs-text. It returns the opaque tag with its quotes, whether it was
// weak, and the rest of s after optional whitespace; ok is false (and
// the rest empty) when s does not begin with an entity-tag. The strings
// returned are parts of s.
func Scan(s string) (tag string, weak bool, rest string, ok bool) {
	if strings.HasPrefix(s, "W/") {
		weak, s = true, s[2:]
	}
	if len(s) < 2 || s[0] != '"' {
		return "", false, "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[:i+1], weak, strings.TrimLeft(s[i+1:], " \t"), true
		case c == '!' || ('#' <= c && c <= '~') || c >= 0x80:
		default:
			return "", false, "", false
		}
	}
	return "", false, "", false
}

// Match reports whether the If-Match or If-None-Match value list matches
// the opaque tag etag (with its quotes, without "W/"): "*" matches any
// current representation (etag not ""); otherwise one of the listed
// entity-tags must equal etag, compared strongly (the listed tag strong,
// and identical) or weakly (identical but for W/, RFC 9110 §8.8.3.2). A
// malformed element ends the list: what came before it still counts.
func Match(list, etag string, strong bool) bool {
	if strings.Trim(list, " \t") == "*" {
		return etag != ""
	}
	for {
		list = strings.TrimLeft(list, " \t,")
		if list == "" || etag == "" {
			return false
		}
		tag, weak, rest, ok := Scan(list)
		if !ok {
			return false
		}
		if tag == etag && !(strong && weak) {
			return true
		}
		if rest != "" && rest[0] != ',' {
			return false
		}
		list = rest
	}
}
