// Package qemush tests qemu.sh without booting anything: a fake QEMU
// stands in for qemu-system-x86_64 and plays the parts of a guest that
// reports a status, a QEMU that fails, a hang and a broken KVM.
package qemush
