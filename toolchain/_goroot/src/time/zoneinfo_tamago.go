// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build tamago

package time

// On bare metal there is no zone database: Local is UTC unless the
// program sets time.Local itself.
var platformZoneSources []string

func initLocal() {
	localLoc.name = "UTC"
}
