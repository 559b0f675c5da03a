package proc

import "tamix/abi"

// #! scripts (fs/binfmt_script.c): a file that starts with "#!" names
// its interpreter, and exec runs that instead, with the script's path as
// an argument.

// BinprmBufSize is how much of the file exec looks at (BINPRM_BUF_SIZE):
// the #! line must fit in it.
const BinprmBufSize = 256

// maxInterpDepth bounds scripts whose interpreter is itself a script
// (Linux allows 4 levels, then ELOOP).
const maxInterpDepth = 4

// ParseShebang reads a "#!interpreter [argument]" line: the interpreter
// is the first word after "#!" (spaces and tabs skipped), the optional
// argument is the rest of the line with the blanks around it removed (one
// argument, spaces and all, as Linux passes it). ok is false if the file
// is not a script. ENOEXEC if there is no interpreter, or if the
// interpreter's name runs past the first BinprmBufSize bytes. Mirrors
// fs/binfmt_script.c:load_script().
func ParseShebang(data []byte) (interp, arg string, ok bool, err error) {
	if len(data) < 2 || data[0] != '#' || data[1] != '!' {
		return "", "", false, nil
	}
	buf := data[2:min(len(data), BinprmBufSize)]
	truncated := len(data) > BinprmBufSize
	end := len(buf)
	for i, c := range buf {
		if c == '\n' {
			end, truncated = i, false
			break
		}
	}
	line := buf[:end]
	blank := func(c byte) bool { return c == ' ' || c == '\t' }
	i := 0
	for i < len(line) && blank(line[i]) {
		i++
	}
	j := i
	for j < len(line) && !blank(line[j]) && line[j] != 0 {
		j++
	}
	if i == j || truncated && j == len(line) {
		return "", "", true, abi.ENOEXEC
	}
	interp = string(line[i:j])
	rest := line[j:]
	for len(rest) > 0 && blank(rest[0]) {
		rest = rest[1:]
	}
	for len(rest) > 0 && blank(rest[len(rest)-1]) {
		rest = rest[:len(rest)-1]
	}
	return interp, string(rest), true, nil
}

// ScriptArgv is the argument list the interpreter gets: itself, the #!
// line's argument if any, the script's path as exec was given it, then
// the script's arguments after argv[0].
func ScriptArgv(interp, arg, filename string, argv []string) []string {
	out := []string{interp}
	if arg != "" {
		out = append(out, arg)
	}
	out = append(out, filename)
	if len(argv) > 1 {
		out = append(out, argv[1:]...)
	}
	return out
}
