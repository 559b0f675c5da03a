package pvh

import (
	"strconv"
	"strings"
)

// Cmdline is a parsed kernel command line: parameter name to value. A bare
// word ("quiet") is present with the value "". Names are stored with '-'
// turned into '_', since Linux treats the two as the same in parameter
// names (kernel/params.c:parameq()); the lookup methods do the same, so
// "init-delay" and "init_delay" find each other.
//
// Its underlying type is map[string]string, so it can be used as one.
type Cmdline map[string]string

// ParseCmdline splits a kernel command line into parameters the way Linux
// does (lib/cmdline.c:next_arg() and kernel/params.c:parse_args()):
//
//   - parameters are separated by white space;
//   - "key=value" sets key to value, a bare "key" sets it to "";
//   - double quotes group white space: key="a b" and "key=a b" both give
//     key the value "a b" (the quotes are removed);
//   - a later parameter overrides an earlier one of the same name;
//   - a bare "--" ends the kernel's parameters: what follows belongs to
//     init (see InitArgs).
func ParseCmdline(s string) Cmdline {
	c := make(Cmdline)
	for rest := trimSpace(s); rest != ""; rest = trimSpace(rest) {
		var param, val string
		var hasVal bool
		param, val, hasVal, rest = nextArg(rest)
		if !hasVal && param == "--" {
			break
		}
		if param != "" {
			c[canonicalKey(param)] = val
		}
	}
	return c
}

// InitArgs returns the words after a bare "--" in the command line s, the
// arguments Linux passes on to init, with quotes removed as ParseCmdline
// removes them. It returns nil if s has no "--".
func InitArgs(s string) []string {
	var args []string
	seen := false
	for rest := trimSpace(s); rest != ""; rest = trimSpace(rest) {
		var param, val string
		var hasVal bool
		param, val, hasVal, rest = nextArg(rest)
		switch {
		case !seen:
			seen = !hasVal && param == "--"
		case hasVal:
			args = append(args, param+"="+val)
		default:
			args = append(args, param)
		}
	}
	if seen && args == nil {
		args = []string{}
	}
	return args
}

// Get returns the value of parameter key and whether it is present.
func (c Cmdline) Get(key string) (string, bool) {
	v, ok := c[canonicalKey(key)]
	return v, ok
}

// Has reports whether parameter key is present, with or without a value.
func (c Cmdline) Has(key string) bool {
	_, ok := c.Get(key)
	return ok
}

// Value returns the value of parameter key, or def if it is absent.
func (c Cmdline) Value(key, def string) string {
	if v, ok := c.Get(key); ok {
		return v
	}
	return def
}

// Bool returns parameter key as a boolean, the way Linux's kstrtobool()
// reads one: a value starting with 'y', 'Y', '1' or equal to "on" is true,
// one starting with 'n', 'N', '0' or equal to "off" is false. A bare key is
// true; an absent key or any other value gives def.
func (c Cmdline) Bool(key string, def bool) bool {
	v, ok := c.Get(key)
	switch {
	case !ok:
		return def
	case v == "":
		return true
	case strings.EqualFold(v, "on"):
		return true
	case strings.EqualFold(v, "off"):
		return false
	}
	switch v[0] {
	case 'y', 'Y', '1':
		return true
	case 'n', 'N', '0':
		return false
	}
	return def
}

// Uint returns parameter key as an unsigned number, or def if it is absent
// or not a number. As in Linux's memparse(), the number may be decimal,
// 0x-prefixed hexadecimal or 0-prefixed octal, and may end in K, M, G or T
// (either case) to multiply by 2^10, 2^20, 2^30 or 2^40: "mem=512M".
func (c Cmdline) Uint(key string, def uint64) uint64 {
	v, ok := c.Get(key)
	if !ok || v == "" {
		return def
	}
	shift := 0
	switch v[len(v)-1] {
	case 'k', 'K':
		shift = 10
	case 'm', 'M':
		shift = 20
	case 'g', 'G':
		shift = 30
	case 't', 'T':
		shift = 40
	}
	if shift > 0 {
		v = v[:len(v)-1]
	}
	n, err := strconv.ParseUint(v, 0, 64)
	if err != nil || n > ^uint64(0)>>shift {
		return def
	}
	return n << shift
}

// nextArg splits the first parameter off s, which starts with a non-space
// character. It mirrors lib/cmdline.c:next_arg(): a quote at the start of
// the word or of the value is removed with the matching quote at the end,
// and white space inside quotes does not end the word.
func nextArg(s string) (param, val string, hasVal bool, rest string) {
	quoted := s[0] == '"'
	if quoted {
		s = s[1:]
	}
	inQuote := quoted
	equals := -1
	i := 0
	for ; i < len(s); i++ {
		if isSpace(s[i]) && !inQuote {
			break
		}
		if equals < 0 && s[i] == '=' {
			equals = i
		}
		if s[i] == '"' {
			inQuote = !inQuote
		}
	}
	word, rest := s[:i], s[i:]
	param = word
	if equals >= 0 {
		param, val, hasVal = word[:equals], word[equals+1:], true
	}
	trailing := false
	if hasVal && strings.HasPrefix(val, `"`) {
		val = val[1:]
		val, trailing = strings.CutSuffix(val, `"`)
	}
	if quoted && !trailing {
		if hasVal {
			val = strings.TrimSuffix(val, `"`)
		} else {
			param = strings.TrimSuffix(param, `"`)
		}
	}
	return param, val, hasVal, rest
}

// canonicalKey spells a parameter name with '_' for '-'.
func canonicalKey(k string) string {
	return strings.ReplaceAll(k, "-", "_")
}

// isSpace reports whether b is white space as C's isspace() sees it.
func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\v' || b == '\f' || b == '\r'
}

// trimSpace removes leading white space.
func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	return s
}
