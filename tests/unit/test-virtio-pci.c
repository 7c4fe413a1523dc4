/* test-virtio-pci.c - virtio-blk and virtio-rng over the modern PCI transport, driven like a guest driver through the VM's config ports and MMIO (a created, unstarted VM on /dev/kvm; its device threads serve the queues). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices/pci.h"
#include "devices/virtio-defs.h"
#include "devices/virtio-pci.h"
#include "tests/unit/check.h"
#include "vmm/compat.h"
#include "vmm/layout.h"
#include "vmm/vm-internal.h"

static char guest_dir[PATH_MAX / 2];
static char disk_path[PATH_MAX];

/* ---- A tiny "driver" on the VM's buses ---- */

static uint64_t
bus_rd(struct vm *vm, enum vm_space s, uint64_t addr, unsigned size)
{
	uint64_t v = 0;

	bus_dispatch(vm, s, addr, size, false, (uint8_t *)&v);
	return v;
}

static void
bus_wr(struct vm *vm, enum vm_space s, uint64_t addr, unsigned size,
       uint64_t v)
{
	bus_dispatch(vm, s, addr, size, true, (uint8_t *)&v);
}

static uint32_t
cfg_rd(struct vm *vm, unsigned slot, unsigned reg, unsigned size)
{
	bus_wr(vm, VM_SPACE_PIO, PORT_PCI_CONF_ADDR, 4,
	       0x80000000u | slot << 11 | (reg & 0xfc));
	return (uint32_t)bus_rd(vm, VM_SPACE_PIO,
				PORT_PCI_CONF_DATA + (reg & 3), size);
}

static void
cfg_wr(struct vm *vm, unsigned slot, unsigned reg, unsigned size, uint32_t v)
{
	bus_wr(vm, VM_SPACE_PIO, PORT_PCI_CONF_ADDR, 4,
	       0x80000000u | slot << 11 | (reg & 0xfc));
	bus_wr(vm, VM_SPACE_PIO, PORT_PCI_CONF_DATA + (reg & 3), size, v);
}

struct drv {
	struct vm *vm;
	unsigned slot;
	uint64_t bar;
	uint64_t common, notify, isr, device;
	uint32_t notify_mult;
};

/* Finds the virtio capabilities the way Linux's virtio_pci_modern does. */
static bool
drv_probe(struct drv *d, struct vm *vm, unsigned slot)
{
	unsigned off;

	memset(d, 0, sizeof(*d));
	d->vm = vm;
	d->slot = slot;
	if (cfg_rd(vm, slot, PCI_VENDOR_ID, 2) != VIRTIO_PCI_VENDOR)
		return false;
	d->bar = cfg_rd(vm, slot, PCI_BAR0, 4) & ~0xfull;
	d->bar |= (uint64_t)cfg_rd(vm, slot, PCI_BAR0 + 4, 4) << 32;
	cfg_wr(vm, slot, PCI_COMMAND, 2,
	       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	for (off = cfg_rd(vm, slot, PCI_CAP_PTR, 1); off;
	     off = cfg_rd(vm, slot, off + 1, 1)) {
		uint64_t at;

		if (cfg_rd(vm, slot, off, 1) != PCI_CAP_ID_VNDR)
			continue;
		at = d->bar + cfg_rd(vm, slot, off + 8, 4);
		switch (cfg_rd(vm, slot, off + 3, 1)) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			d->common = at;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			d->notify = at;
			d->notify_mult = cfg_rd(vm, slot, off + 16, 4);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			d->isr = at;
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			d->device = at;
			break;
		}
	}
	return d->common && d->notify && d->isr;
}

static uint64_t
common_rd(struct drv *d, unsigned off, unsigned size)
{
	return bus_rd(d->vm, VM_SPACE_MMIO, d->common + off, size);
}

static void
common_wr(struct drv *d, unsigned off, unsigned size, uint64_t v)
{
	bus_wr(d->vm, VM_SPACE_MMIO, d->common + off, size, v);
}

static uint64_t
drv_features(struct drv *d)
{
	common_wr(d, VP_DFSELECT, 4, 0);
	uint64_t f = common_rd(d, VP_DF, 4);
	common_wr(d, VP_DFSELECT, 4, 1);
	return f | common_rd(d, VP_DF, 4) << 32;
}

/* Negotiates features; returns the status read back. */
static unsigned
drv_negotiate(struct drv *d, uint64_t want)
{
	common_wr(d, VP_STATUS, 1, 0);
	common_wr(d, VP_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	common_wr(d, VP_STATUS, 1,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	common_wr(d, VP_GFSELECT, 4, 0);
	common_wr(d, VP_GF, 4, (uint32_t)want);
	common_wr(d, VP_GFSELECT, 4, 1);
	common_wr(d, VP_GF, 4, (uint32_t)(want >> 32));
	common_wr(d, VP_STATUS, 1,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK);
	return (unsigned)common_rd(d, VP_STATUS, 1);
}

/* A queue of 8 entries at gpa (desc, then avail, then used). */
#define QSZ	8

static void
drv_queue(struct drv *d, unsigned q, uint64_t gpa)
{
	memset(vm_gpa(d->vm, gpa, 0x3000), 0, 0x3000);
	common_wr(d, VP_Q_SELECT, 2, q);
	CHECK(common_rd(d, VP_Q_SIZE, 2) >= QSZ, "queue too small");
	common_wr(d, VP_Q_SIZE, 2, QSZ);
	common_wr(d, VP_Q_DESC, 4, gpa);	/* two halves, like Linux */
	common_wr(d, VP_Q_DESC + 4, 4, 0);
	common_wr(d, VP_Q_DRIVER, 8, gpa + 0x1000);
	common_wr(d, VP_Q_DEVICE, 8, gpa + 0x2000);
	common_wr(d, VP_Q_ENABLE, 2, 1);
}

static void
drv_ok(struct drv *d)
{
	common_wr(d, VP_STATUS, 1,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void
desc_set(struct drv *d, uint64_t qgpa, unsigned i, uint64_t addr,
	 uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = vm_gpa(d->vm, qgpa + 16 * i, 16);

	put_le64(p, addr);
	put_le32(p + 8, len);
	put_le16(p + 12, flags);
	put_le16(p + 14, next);
}

/* Offers chain head, rings the doorbell, waits for the used index. */
static bool
drv_submit(struct drv *d, unsigned q, uint64_t qgpa, uint16_t head)
{
	uint8_t *avail = vm_gpa(d->vm, qgpa + 0x1000, 4 + 2 * QSZ);
	uint8_t *used = vm_gpa(d->vm, qgpa + 0x2000, 4);
	uint16_t idx = get_le16(avail + 2);
	struct timespec ts = { 0, 1000000 };

	put_le16(avail + 4 + 2 * (idx % QSZ), head);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	put_le16(avail + 2, (uint16_t)(idx + 1));
	bus_wr(d->vm, VM_SPACE_MMIO, d->notify + d->notify_mult * q, 2, q);
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n((uint16_t *)(used + 2), __ATOMIC_ACQUIRE) ==
		    (uint16_t)(idx + 1))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* ---- The VM ---- */

static void
config(struct vm_config *cfg, const char *name, bool rng)
{
	vm_config_defaults(cfg);
	str_copy(cfg->name, name, sizeof(cfg->name));
	cfg->memory = 32ULL << 20;
	snprintf(cfg->kernel, sizeof(cfg->kernel), "%s/hello.bzImage",
		 guest_dir);
	cfg->disks = 1;
	str_copy(cfg->disk[0].name, "root", sizeof(cfg->disk[0].name));
	str_copy(cfg->disk[0].path, disk_path, sizeof(cfg->disk[0].path));
	cfg->disk[0].format = VM_DISK_RAW;
	cfg->disk[0].size = 1 << 20;
	cfg->disk[0].sectorsize = 4096;
	cfg->rng = rng;
	cfg->rng_slot = rng ? 7 : 0;
}

#define Q0	0x100000ull
#define BUF	0x110000ull

static void
test_blk_write_read(void)
{
	struct vm_config cfg;
	struct vm *vm = NULL;
	char err[VM_ERR_MAX] = "";
	struct drv d;
	uint8_t *hdr, *data, *st, back[4096];
	uint64_t f;
	int fd;

	config(&cfg, "vpci-blk", false);
	if (vm_create(&cfg, &vm, err)) {
		CHECK(0, "vm_create: %s", err);
		return;
	}
	/* Auto slot 1; the LPC bridge at 31. */
	CHECK(drv_probe(&d, vm, 1), "no virtio-blk at 00:01.0");
	CHECK_EQ(cfg_rd(vm, 1, PCI_DEVICE_ID, 2), 0x1042);
	CHECK_EQ(cfg_rd(vm, 1, PCI_REVISION_ID, 1), 1);
	CHECK_EQ(cfg_rd(vm, PCI_SLOT_LPC, PCI_CLASS_SUB, 2), 0x0601);
	/* Config: capacity in 512-byte sectors, blk_size 4096. */
	CHECK_EQ(bus_rd(vm, VM_SPACE_MMIO, d.device, 8), (1 << 20) / 512);
	CHECK_EQ(bus_rd(vm, VM_SPACE_MMIO, d.device + 20, 4), 4096);
	f = drv_features(&d);
	CHECK(f & VIRTIO_BIT(VIRTIO_F_VERSION_1), "no VERSION_1");
	CHECK(f & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH), "writeback without FLUSH");
	CHECK(f & VIRTIO_BIT(VIRTIO_F_EVENT_IDX), "no EVENT_IDX");
	/* A legacy driver (no VERSION_1) is refused; so are unknown bits. */
	CHECK(!(drv_negotiate(&d, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)) &
		VIRTIO_STATUS_FEATURES_OK), "FEATURES_OK without VERSION_1");
	CHECK(!(drv_negotiate(&d, VIRTIO_BIT(VIRTIO_F_VERSION_1) |
				      VIRTIO_BIT(50)) &
		VIRTIO_STATUS_FEATURES_OK), "FEATURES_OK with unknown bits");
	CHECK(drv_negotiate(&d, VIRTIO_BIT(VIRTIO_F_VERSION_1) |
				VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)) &
		      VIRTIO_STATUS_FEATURES_OK, "FEATURES_OK refused");
	drv_queue(&d, 0, Q0);
	CHECK_EQ(common_rd(&d, VP_Q_ENABLE, 2), 1);
	drv_ok(&d);

	/* OUT: header, 4 KiB of data, status. */
	hdr = vm_gpa(vm, BUF, 16);
	data = vm_gpa(vm, BUF + 0x1000, 4096);
	st = vm_gpa(vm, BUF + 0x3000, 1);
	put_le32(hdr, VIRTIO_BLK_T_OUT);
	put_le64(hdr + 8, 8);	/* sector 8 = byte 4096 */
	for (int i = 0; i < 4096; i++)
		data[i] = (uint8_t)(i * 7 + 1);
	*st = 0xff;
	desc_set(&d, Q0, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc_set(&d, Q0, 1, BUF + 0x1000, 4096, VIRTQ_DESC_F_NEXT, 2);
	desc_set(&d, Q0, 2, BUF + 0x3000, 1, VIRTQ_DESC_F_WRITE, 0);
	CHECK(drv_submit(&d, 0, Q0, 0), "write not completed");
	CHECK_EQ(*st, VIRTIO_BLK_S_OK);
	/* INTx: ISR says "queue", reading it acknowledges. */
	CHECK_EQ(bus_rd(vm, VM_SPACE_MMIO, d.isr, 1), VIRTIO_ISR_QUEUE);
	CHECK_EQ(bus_rd(vm, VM_SPACE_MMIO, d.isr, 1), 0);
	/* FLUSH, then the bytes are in the file. */
	put_le32(hdr, VIRTIO_BLK_T_FLUSH);
	desc_set(&d, Q0, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	*st = 0xff;
	CHECK(drv_submit(&d, 0, Q0, 0), "flush not completed");
	CHECK_EQ(*st, VIRTIO_BLK_S_OK);
	fd = open(disk_path, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, back, 4096, 4096) == 4096, "pread");
	CHECK(memcmp(back, data, 4096) == 0, "file content differs");
	close(fd);
	/* Usage counters through the vm API. */
	struct vm_disk_usage u;
	CHECK_EQ(vm_disk_usage(vm, 0, &u), 0);
	CHECK_EQ(u.virtual_size, 1 << 20);
	CHECK_EQ(u.wr_bytes, 4096);
	CHECK_EQ(u.flushes, 1);
	CHECK_EQ(vm_disk_usage(vm, 1, &u), -ENOENT);

	/* A second VM asking for the same image gets the lock error. */
	struct vm *vm2 = NULL;
	char err2[VM_ERR_MAX] = "";
	config(&cfg, "vpci-blk2", false);
	CHECK(vm_create(&cfg, &vm2, err2) < 0, "second writer accepted");
	CHECK(strstr(err2, disk_path) != NULL, "message: %s", err2);
	printf("  lock message: %s\n", err2);

	/* Reset: queue disabled, status 0. */
	common_wr(&d, VP_STATUS, 1, 0);
	CHECK_EQ(common_rd(&d, VP_STATUS, 1), 0);
	CHECK_EQ(common_rd(&d, VP_Q_ENABLE, 2), 0);
	vm_destroy(vm);
}

static void
test_broken_queue_needs_reset(void)
{
	struct vm_config cfg;
	struct vm *vm = NULL;
	char err[VM_ERR_MAX] = "", line[VM_ERR_MAX];
	uint64_t cursor = 0;
	bool logged = false;
	struct drv d;

	config(&cfg, "vpci-bad", true);
	if (vm_create(&cfg, &vm, err)) {
		CHECK(0, "vm_create: %s", err);
		return;
	}
	CHECK(drv_probe(&d, vm, 1), "no virtio-blk");
	drv_negotiate(&d, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	drv_queue(&d, 0, Q0);
	drv_ok(&d);
	/* A descriptor pointing far outside RAM. */
	desc_set(&d, Q0, 0, 1ull << 50, 16, VIRTQ_DESC_F_NEXT, 1);
	desc_set(&d, Q0, 1, BUF, 1, VIRTQ_DESC_F_WRITE, 0);
	drv_submit(&d, 0, Q0, 0);
	for (int i = 0; i < 2000 && !(common_rd(&d, VP_STATUS, 1) &
				      VIRTIO_STATUS_NEEDS_RESET); i++)
		usleep(1000);
	CHECK(common_rd(&d, VP_STATUS, 1) & VIRTIO_STATUS_NEEDS_RESET,
	      "no DEVICE_NEEDS_RESET");
	CHECK_EQ(bus_rd(vm, VM_SPACE_MMIO, d.isr, 1), VIRTIO_ISR_CONFIG);
	while (vm_log_next(vm, &cursor, line, sizeof(line)))
		if (strstr(line, "virtio-blk0") && strstr(line, "reset"))
			logged = true;
	CHECK(logged, "no log line");
	/* A reset brings it back. */
	common_wr(&d, VP_STATUS, 1, 0);
	CHECK_EQ(common_rd(&d, VP_STATUS, 1), 0);

	/* The rng at its profile slot still works: bytes arrive. */
	struct drv r;
	uint8_t *buf = vm_gpa(vm, BUF, 64), zero[64] = { 0 };
	CHECK(drv_probe(&r, vm, 7), "no virtio-rng at slot 7");
	CHECK_EQ(cfg_rd(vm, 7, PCI_DEVICE_ID, 2), 0x1044);
	drv_negotiate(&r, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	drv_queue(&r, 0, Q0 + 0x4000);
	drv_ok(&r);
	memset(buf, 0, 64);
	desc_set(&r, Q0 + 0x4000, 0, BUF, 64, VIRTQ_DESC_F_WRITE, 0);
	CHECK(drv_submit(&r, 0, Q0 + 0x4000, 0), "rng not served");
	CHECK(memcmp(buf, zero, 64) != 0, "no random bytes");
	CHECK_EQ(get_le32((uint8_t *)vm_gpa(vm, Q0 + 0x6000 + 8, 4)), 64);
	vm_destroy(vm);
}

int
main(void)
{
	const char *build = getenv("BUILD");

	snprintf(guest_dir, sizeof(guest_dir), "%s/guests",
		 build ? build : "build");
	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		printf("SKIP: virtio-pci: /dev/kvm is not usable here\n");
		return 0;
	}
	snprintf(disk_path, sizeof(disk_path), "%s/hyve-vpci-%d.img",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	unlink(disk_path);
	RUN_TEST(test_blk_write_read);
	RUN_TEST(test_broken_queue_needs_reset);
	unlink(disk_path);
	CHECK_EXIT();
}
