// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build tamago

package sysrand

import _ "unsafe" // for go:linkname

// tamagoRandom fills b from the board's random source (runtime/goos
// GetRandomData). Provided by package runtime.
//
//go:linkname tamagoRandom
func tamagoRandom(b []byte)

func read(b []byte) error {
	tamagoRandom(b)
	return nil
}
