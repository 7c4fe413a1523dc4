/* exits.c - names of the exit reasons hyve counts (kvm_stat style). */
#include "vmm/compat.h"
#include "vmm/vmm.h"

static const char *const exit_names[VM_EXIT_NR] = {
	[VM_EXIT_IO] = "io",
	[VM_EXIT_MMIO] = "mmio",
	[VM_EXIT_HLT] = "hlt",
	[VM_EXIT_SHUTDOWN] = "shutdown",
	[VM_EXIT_IRQ_WINDOW] = "irq_window",
	[VM_EXIT_INTERNAL_ERROR] = "internal_error",
	[VM_EXIT_FAIL_ENTRY] = "fail_entry",
	[VM_EXIT_INTR] = "intr",
	[VM_EXIT_SYSTEM_EVENT] = "system_event",
	[VM_EXIT_DEBUG] = "debug",
	[VM_EXIT_OTHER] = "other",
};

const char *vm_exit_name(enum vm_exit_kind k)
{
	return (unsigned)k < VM_EXIT_NR ? exit_names[k] : "?";
}
