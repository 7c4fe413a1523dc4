/* guest.h - the test guests' shared library: boot_params, ACPI, 16550A, APICs, 8254, printf. */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* ---- Linux zero page (struct boot_params), only the fields we read ---- */
#define BP_ACPI_RSDP_ADDR	0x070	/* u64 */
#define BP_EXT_CMD_LINE_PTR	0x0c0	/* u32 */
#define BP_E820_ENTRIES		0x1e8	/* u8 */
#define BP_HDR			0x1f1	/* struct setup_header */
#define BP_CMD_LINE_PTR		0x228	/* u32 */
#define BP_E820_TABLE		0x2d0	/* 128 x struct boot_e820_entry */
#define BP_E820_MAX		128

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

/* Set by head.S from RSI at entry. */
extern const uint8_t *boot_params;

static inline uint64_t bp_u64(unsigned off)
{
	return *(const uint64_t *)(boot_params + off);
}

static inline uint32_t bp_u32(unsigned off)
{
	return *(const uint32_t *)(boot_params + off);
}

/* The kernel command line ("" when there is none). */
const char *bp_cmdline(void);
/* True if the command line holds word as a whole, space-separated item. */
bool bp_cmdline_has(const char *word);
/* The e820 map: sets *table, returns the entry count. */
unsigned bp_e820(const struct e820_entry **table);

/* ---- Port and MMIO access ---- */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

/* Enables interrupts and halts until one arrives (sti shadow: no race). */
static inline void irq_enable_and_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

static inline uint64_t read_cr(int n)
{
	uint64_t v = 0;

	switch (n) {
	case 0: __asm__ volatile("mov %%cr0, %0" : "=r"(v)); break;
	case 3: __asm__ volatile("mov %%cr3, %0" : "=r"(v)); break;
	case 4: __asm__ volatile("mov %%cr4, %0" : "=r"(v)); break;
	}
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

/* Stops this CPU for good: cli; hlt forever. */
void __attribute__((noreturn)) halt_forever(void);

/* ---- Strings and formatting (fmt.c) ---- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* printf subset: %s %c %d %u %x %p %%, l/ll, flags # 0, width, .prec */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "ERROR: ..." and stops this CPU. */
void __attribute__((noreturn, format(printf, 1, 2))) panic(const char *fmt,
							    ...);

/* ---- 16550A UART on COM1 (serial.c) ---- */
#define COM1		0x3f8
#define COM1_IRQ	4

void serial_init(void);
void serial_putc(char c);	/* '\n' goes out as "\r\n" */
void serial_write(const char *s, size_t n);
/* Turns on the receive-data interrupt (IER.ERBFI) and MCR.OUT2. */
void serial_rx_irq_enable(void);
/* Reads one waiting byte; -1 when the receiver is empty. */
int serial_getc_nowait(void);

/* ---- ACPI (acpi.c) ---- */
struct acpi_sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

#define MADT_MAX_CPUS	64

struct madt_info {
	uint64_t lapic_base;
	uint64_t ioapic_base;		/* first I/O APIC */
	uint32_t ioapic_gsi_base;
	unsigned ncpus;			/* enabled local APICs */
	uint32_t apic_ids[MADT_MAX_CPUS];
	/* Interrupt source overrides for ISA IRQs 0-15. */
	uint32_t isa_gsi[16];
	uint16_t isa_flags[16];		/* MPS INTI flags */
};

/* Ignore boot_params.acpi_rsdp_addr: find the RSDP by the BIOS scan. */
void acpi_rsdp_scan_only(void);
/* Finds a table by signature (checksummed); NULL and a message otherwise. */
const struct acpi_sdt *acpi_find(const char *sig);
/* The first error the table walk hit ("" when none). */
const char *acpi_error(void);
int acpi_madt(struct madt_info *out);
/* S5 through PM1a_CNT; on failure prints ERROR and halts. */
void __attribute__((noreturn)) acpi_poweroff(void);
/* Resets through the FADT RESET_REG; on failure prints ERROR and halts. */
void __attribute__((noreturn)) acpi_reset(void);
/*
 * Routes the SCI to vector on apic_id and enables the power button event
 * (PM1a_EN.PWRBTN_EN); on failure prints ERROR and halts.
 */
void acpi_power_button_enable(const struct madt_info *m, unsigned vector,
			      uint32_t apic_id);
/* From the SCI handler: true if the power button was pressed (clears it). */
bool acpi_power_button_check(void);

/* ---- Platform: i8042 reset, CMOS RAM, PIT delays (platform.c) ---- */
void __attribute__((noreturn)) i8042_reset(void);
uint8_t cmos_read(uint8_t index);
void cmos_write(uint8_t index, uint8_t v);
/* Busy-waits with PIT channel 2; false if the PIT does not count. */
bool pit_delay_us(uint32_t us);

/* ---- Interrupts: IDT, LAPIC, IOAPIC, 8259 (trap.c, apic.c) ---- */
struct trap_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void trap_handler_fn(struct trap_frame *f);

#define VEC_SPURIOUS	0xff

/* Builds the IDT (exceptions print and halt) and loads it. */
void trap_init(void);
/* Loads the already built IDT on this CPU (for APs). */
void trap_load(void);
void trap_set_handler(unsigned vector, trap_handler_fn *fn);

void pic_disable(void);
void lapic_init(uint64_t base);
uint32_t lapic_id(void);
void lapic_eoi(void);
/* Sends an IPI through the ICR; false if delivery never completes. */
bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);
/*
 * Routes ISA IRQ irq (after MADT overrides) to vector on apic_id; sci: the
 * line is the ACPI SCI, level and active low unless overridden.
 */
void ioapic_route_isa(const struct madt_info *m, unsigned irq,
		      unsigned vector, uint32_t apic_id, bool sci);

/* ---- PCI configuration space on bus 0, conf1 ports (pci.c) ---- */
uint32_t pci_read32(unsigned devfn, unsigned reg);
uint8_t pci_read8(unsigned devfn, unsigned reg);
void pci_write16(unsigned devfn, unsigned reg, uint16_t v);
/* devfn of the first function with these IDs, or -1. */
int pci_find(uint16_t vendor, uint16_t device);
/* The capability after offset at (0: the first), or 0 at the end. */
unsigned pci_cap_next(unsigned devfn, unsigned at);
/* The address a memory BAR holds (64-bit BARs whole); 0 for I/O BARs. */
uint64_t pci_bar_mem(unsigned devfn, unsigned bar);
/* Identity maps the GiB around addr (uncached) when the entry page tables
 * do not reach it; 0, or -1 when out of spare tables. */
int map_identity_gib(uint64_t addr);

/* ---- virtio-blk over modern virtio-pci, polled (virtio-blk.c) ---- */
/* Finds and sets up the first disk; NULL, or why it cannot. */
const char *vblk_init(void);
uint64_t vblk_sectors(void);		/* capacity in 512-byte units */
uint32_t vblk_block_size(void);		/* logical block size in bytes */
bool vblk_readonly(void);
/* len bytes at 512-byte sector; NULL, or why it failed. */
const char *vblk_read(uint64_t sector, void *buf, uint32_t len);
/* Writes and then flushes (when the device offers flushes). */
const char *vblk_write(uint64_t sector, const void *buf, uint32_t len);

/* ---- Interactive lines on COM1 (line-input.c) ---- */
#define LINE_VEC_COM1	0x24	/* the vectors line_input_init routes */
#define LINE_VEC_SCI	0x29
/*
 * Routes COM1 receive and the ACPI power button (SCI) interrupts; power
 * is called from line_read when the button was pressed.
 */
void line_input_init(const struct madt_info *madt, void (*power)(void));
/* Reads one line with echo and backspace, halting while idle; returns
 * its length (the line is NUL-terminated, at most max - 1 bytes). With
 * LINE_CARET, control bytes are kept in caret notation (0x1d is ^]);
 * without, they are dropped. */
#define LINE_CARET	1u
size_t line_read(char *line, size_t max, unsigned flags);
/* COM1 receive interrupts taken so far. */
unsigned line_rx_irqs(void);

/* Every guest defines this; head.S calls it on the boot CPU. */
void guest_main(void);

#endif
