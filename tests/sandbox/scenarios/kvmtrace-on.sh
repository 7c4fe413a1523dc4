#!/bin/sh
# kvmtrace-on.sh - diagnostic, not in the suite: turns on L1 KVM's
# tracepoints (exits, entries, injections, interrupt lines) into a ring
# buffer, so that kvmtrace-dump.sh, run after the scenarios under study,
# can show what L1 KVM did just before an L2 guest died. Usage:
#   tests/sandbox/run kvmtrace-on,boot,disk,kvmtrace-dump
# Turning tracepoints on patches L1's code once, before any L2 runs.
# sandbox-suite: no
. /sandbox/scenarios/lib.sh

T=/sys/kernel/tracing
mount -t tracefs nodev "$T" 2>/dev/null
if [ ! -d "$T/events/kvm" ]; then
	fail kvmtrace-on "no kvm tracepoints under $T"
	exit 0
fi
echo "${KVMTRACE_KB:-8192}" > "$T/buffer_size_kb"
for e in kvm_exit kvm_entry kvm_inj_virq kvm_inj_exception kvm_page_fault \
	 kvm_set_irq kvm_msi_set_irq kvm_apic_accept_irq kvm_userspace_exit; do
	echo 1 > "$T/events/kvm/$e/enable" || note "kvmtrace: no event $e"
done
echo 1 > "$T/tracing_on"
pass kvmtrace-on
