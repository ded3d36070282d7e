//go:build unix && !linux

package storage

import "syscall"

// mapFlags: a private, read-only mapping (MAP_POPULATE is Linux's).
const mapFlags = syscall.MAP_PRIVATE
