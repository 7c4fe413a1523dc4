/* reboot-count.c - test guest: counts boots in CMOS byte 0x50 across i8042 resets (MC146818). */
#include "lib/guest.h"

#define CMOS_BOOT_COUNT	0x50
#define BOOTS		2	/* resets before the poweroff */

void guest_main(void)
{
	uint8_t n;

	serial_init();
	trap_init();
	n = cmos_read(CMOS_BOOT_COUNT);
	kprintf("boot %u\n", n);
	if (n < BOOTS) {
		cmos_write(CMOS_BOOT_COUNT, n + 1);
		if (cmos_read(CMOS_BOOT_COUNT) != n + 1)
			panic("CMOS byte %#x does not keep its value",
			      CMOS_BOOT_COUNT);
		kprintf("reboot-count: resetting through the i8042\n");
		i8042_reset();
	}
	if (n > BOOTS)
		panic("CMOS byte %#x holds %u, expected 0..%u",
		      CMOS_BOOT_COUNT, n, BOOTS);
	cmos_write(CMOS_BOOT_COUNT, 0);
	kprintf("reboot-count: done, powering off\n");
	acpi_poweroff();
}
