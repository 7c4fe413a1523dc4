/* config.c - the defaults of a VM configuration (plain data, no KVM). */
#include <string.h>

#include "vmm/compat.h"
#include "vmm/vmm.h"

void vm_config_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	str_copy(cfg->name, "vm", sizeof(cfg->name));
	cfg->cpus = 1;
	cfg->memory = 256ULL << 20;
	cfg->on_reboot = VM_REBOOT_RESTART;
	cfg->rtc = VM_RTC_UTC;
	cfg->acpi = true;
	cfg->boot_unpack = true;
	cfg->com[0] = VM_SERIAL_CONSOLE;
	cfg->com[1] = VM_SERIAL_NONE;
	cfg->console_rows = 24;
	cfg->console_cols = 80;
}
