//go:build !linux

package main

func watchParent() (int, bool) { return 0, false }

func physicalMemory() int64 { return 0 }
