// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// This file is empty on purpose: its presence lets the functions in
// goos.go be declared without a body. Their bodies come from the program
// (see the package comment).
