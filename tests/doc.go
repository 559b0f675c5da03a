// Package tests boots the Tamix kernel under QEMU (through qemu.sh) and
// checks what it prints on the serial console: the in-guest KTAP report,
// the timing of a guest sleep, panic reporting and the boot time.
//
// The tests need build/tamix.elf ("make kernel"); "make test" builds it
// first. Set TAMIX_KERNEL to boot another ELF, TAMIX_TEST_TIMEOUT (seconds
// or a Go duration) to change the in-guest test timeout, and
// TAMIX_TEST_ECHO=1 to copy the console to standard error as it arrives.
package tests
