#!/bin/sh
# smoke.sh - checks the sandbox itself with QEMU/KVM as the L2 VMM: /dev/kvm
# works in L1, Debian's cloud kernel boots the L2 initramfs to its marker,
# its shell answers on the serial console, and poweroff ends QEMU.
# sandbox-needs: qemu
# sandbox-suite: no
. /sandbox/scenarios/lib.sh

Q="qemu-system-x86_64 -enable-kvm -cpu host -M pc -m 256M -nographic
 -nodefaults -serial stdio -no-reboot -kernel $L2_KERNEL -initrd $L2_INITRD"

if [ ! -c /dev/kvm ]; then
	fail smoke-kvm "no /dev/kvm in L1"
	exit 0
fi
pass smoke-kvm

vm_start q 3 $Q -smp 2 -append "console=ttyS0 panic=-1"
if vm_expect q -E "HYVE-GUEST: init$" 300; then
	pass smoke-l2-init
	note "qemu: L2 init after $(vm_elapsed q) s"
else
	fail smoke-l2-init "$(why_not $? 300)"
	show "$WORK/q.out"; show "$WORK/q.err"
	vm_kill q
	exit 0
fi
if vm_expect q -F "hyve-guest# " 60 && vm_mark q &&
   vm_send q 'echo hy$((40+2))ve $(nproc)' &&
   vm_expect q -Fx "hy42ve 2" 60; then
	pass smoke-l2-shell
	note "qemu: shell answered after $(vm_elapsed q) s"
else
	fail smoke-l2-shell "no answer from the L2 shell"
	show "$WORK/q.out"
fi
vm_send q 'poweroff -f'
vm_wait q 60
if [ "$VM_RC" = 0 ]; then
	pass smoke-l2-poweroff
	note "qemu: exited after $(vm_elapsed q) s"
else
	fail smoke-l2-poweroff "qemu exit status $VM_RC"
	show "$WORK/q.out"; show "$WORK/q.err"
fi
