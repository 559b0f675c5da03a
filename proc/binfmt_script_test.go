package proc

import (
	"reflect"
	"strings"
	"testing"

	"tamix/abi"
)

func TestParseShebang(t *testing.T) {
	for _, c := range []struct {
		in          string
		interp, arg string
		ok          bool
		err         error
	}{
		{"\x7fELF", "", "", false, nil},
		{"#!/bin/sh\necho hi\n", "/bin/sh", "", true, nil},
		{"#! /bin/sh -e \n", "/bin/sh", "-e", true, nil},
		{"#!/usr/bin/env  python3 -u \t\n", "/usr/bin/env", "python3 -u", true, nil},
		{"#!/bin/sh", "/bin/sh", "", true, nil}, // no newline, short file
		{"#!\n", "", "", true, abi.ENOEXEC},
		{"#!   \t\n", "", "", true, abi.ENOEXEC},
		{"#!/" + strings.Repeat("x", 300), "", "", true, abi.ENOEXEC},
		{"#!/bin/sh " + strings.Repeat("a", 300), "/bin/sh", strings.Repeat("a", 246), true, nil},
	} {
		interp, arg, ok, err := ParseShebang([]byte(c.in))
		if interp != c.interp || arg != c.arg || ok != c.ok || err != c.err {
			t.Errorf("%.20q: %q %q %v %v, want %q %q %v %v", c.in, interp, arg, ok, err, c.interp, c.arg, c.ok, c.err)
		}
	}
}

func TestScriptArgv(t *testing.T) {
	got := ScriptArgv("/bin/sh", "-e", "./s.sh", []string{"s", "1", "2"})
	if want := []string{"/bin/sh", "-e", "./s.sh", "1", "2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
	if got := ScriptArgv("/bin/sh", "", "/x", nil); !reflect.DeepEqual(got, []string{"/bin/sh", "/x"}) {
		t.Errorf("%q", got)
	}
}
