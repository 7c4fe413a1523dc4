/* virtio-blk.c - a minimal virtio 1.x PCI (modern) block driver: capability walk, VERSION_1 negotiation, one split queue, polled requests. */
#include "guest.h"

#define VIRTIO_VENDOR		0x1af4
#define VIRTIO_BLK_MODERN	0x1042
#define PCI_CAP_VNDR		0x09
#define PCI_COMMAND		0x04
#define PCI_CMD_MEM_MASTER	0x0006

/* virtio_pci_cap.cfg_type */
enum { CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4 };

/* common configuration registers */
#define CC_DFSELECT	0x00
#define CC_DF		0x04
#define CC_GFSELECT	0x08
#define CC_GF		0x0c
#define CC_MSIX		0x10
#define CC_STATUS	0x14
#define CC_Q_SELECT	0x16
#define CC_Q_SIZE	0x18
#define CC_Q_MSIX	0x1a
#define CC_Q_ENABLE	0x1c
#define CC_Q_NOFF	0x1e
#define CC_Q_DESC	0x20
#define CC_Q_AVAIL	0x28
#define CC_Q_USED	0x30

#define ST_ACK		1
#define ST_DRIVER	2
#define ST_DRIVER_OK	4
#define ST_FEATURES_OK	8
#define NO_VECTOR	0xffff

#define F_RO		5
#define F_BLK_SIZE	6
#define F_FLUSH		9
#define F_VERSION_1	32

#define REQ_IN		0
#define REQ_OUT		1
#define REQ_FLUSH	4

#define DESC_NEXT	1
#define DESC_WRITE	2

#define QSIZE		8	/* a request takes three descriptors */
#define POLL_LIMIT	(1u << 28)

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct ring {
	struct desc desc[QSIZE];
	struct {
		uint16_t flags, idx, ring[QSIZE], event;
	} avail __attribute__((aligned(2)));
	struct {
		uint16_t flags, idx;
		struct {
			uint32_t id, len;
		} ring[QSIZE];
		uint16_t event;
	} used __attribute__((aligned(4)));
};

static struct {
	bool up;
	uint64_t common, notify, isr, device;	/* BAR 0 region addresses */
	uint64_t features;			/* accepted */
	struct ring ring __attribute__((aligned(16)));
	uint16_t avail_idx, used_idx;
	struct {
		uint32_t type, reserved;
		uint64_t sector;
	} hdr;
	volatile uint8_t status;
} blk __attribute__((aligned(4096)));

static inline void barrier(void)
{
	__asm__ volatile("mfence" ::: "memory");
}

static uint8_t rd8(uint64_t a) { return *(volatile uint8_t *)a; }
static uint16_t rd16(uint64_t a) { return *(volatile uint16_t *)a; }
static void wr8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static void wr16(uint64_t a, uint16_t v) { *(volatile uint16_t *)a = v; }

static void wr64(uint64_t a, uint64_t v)
{
	mmio_write32(a, (uint32_t)v);
	mmio_write32(a + 4, (uint32_t)(v >> 32));
}

/* Finds the vendor capabilities; the four regions must be in a <4 GiB BAR. */
static const char *find_regions(unsigned devfn, uint32_t *notify_mult)
{
	uint64_t *slot[] = { [CAP_COMMON] = &blk.common,
			     [CAP_NOTIFY] = &blk.notify,
			     [CAP_ISR] = &blk.isr,
			     [CAP_DEVICE] = &blk.device };

	for (unsigned at = pci_cap_next(devfn, 0); at;
	     at = pci_cap_next(devfn, at)) {
		uint8_t type = pci_read8(devfn, at + 3), bar;
		uint64_t base;

		if (pci_read8(devfn, at) != PCI_CAP_VNDR || type < CAP_COMMON ||
		    type > CAP_DEVICE || *slot[type])
			continue;
		bar = pci_read8(devfn, at + 4);
		if (bar > 5)
			continue;
		base = pci_bar_mem(devfn, bar);
		if (!base)
			return "a virtio region is in an unassigned BAR";
		base += pci_read32(devfn, at + 8);
		if (base >= 1ull << 32 && map_identity_gib(base))
			return "a virtio BAR is out of reach (no page tables)";
		*slot[type] = base;
		if (type == CAP_NOTIFY)
			*notify_mult = pci_read32(devfn, at + 16);
	}
	if (!blk.common || !blk.notify || !blk.isr || !blk.device)
		return "a virtio capability is missing";
	return NULL;
}

static uint64_t device_features(void)
{
	uint64_t f;

	mmio_write32(blk.common + CC_DFSELECT, 1);
	f = (uint64_t)mmio_read32(blk.common + CC_DF) << 32;
	mmio_write32(blk.common + CC_DFSELECT, 0);
	return f | mmio_read32(blk.common + CC_DF);
}

static const char *negotiate(void)
{
	uint64_t offered = device_features();
	uint64_t wanted = 1ull << F_VERSION_1 | 1ull << F_RO |
			  1ull << F_BLK_SIZE | 1ull << F_FLUSH;

	if (!(offered & 1ull << F_VERSION_1))
		return "the device does not offer VERSION_1";
	blk.features = offered & wanted;
	mmio_write32(blk.common + CC_GFSELECT, 0);
	mmio_write32(blk.common + CC_GF, (uint32_t)blk.features);
	mmio_write32(blk.common + CC_GFSELECT, 1);
	mmio_write32(blk.common + CC_GF, (uint32_t)(blk.features >> 32));
	wr8(blk.common + CC_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	if (!(rd8(blk.common + CC_STATUS) & ST_FEATURES_OK))
		return "the device refused the features";
	return NULL;
}

static const char *queue_setup(uint32_t notify_mult)
{
	uint16_t size;

	wr16(blk.common + CC_Q_SELECT, 0);
	size = rd16(blk.common + CC_Q_SIZE);
	if (size < QSIZE)
		return "the request queue is too small";
	wr16(blk.common + CC_Q_SIZE, QSIZE);
	wr16(blk.common + CC_Q_MSIX, NO_VECTOR);
	wr64(blk.common + CC_Q_DESC, (uint64_t)blk.ring.desc);
	wr64(blk.common + CC_Q_AVAIL, (uint64_t)&blk.ring.avail);
	wr64(blk.common + CC_Q_USED, (uint64_t)&blk.ring.used);
	blk.notify += (uint64_t)rd16(blk.common + CC_Q_NOFF) * notify_mult;
	wr16(blk.common + CC_Q_ENABLE, 1);
	return NULL;
}

const char *vblk_init(void)
{
	uint32_t notify_mult = 0;
	const char *why;
	int devfn;

	if (blk.up)
		return NULL;
	devfn = pci_find(VIRTIO_VENDOR, VIRTIO_BLK_MODERN);
	if (devfn < 0)
		return "no virtio-blk device (1af4:1042) on PCI bus 0";
	pci_write16((unsigned)devfn, PCI_COMMAND, PCI_CMD_MEM_MASTER);
	why = find_regions((unsigned)devfn, &notify_mult);
	if (why)
		return why;
	wr8(blk.common + CC_STATUS, 0);		/* reset */
	while (rd8(blk.common + CC_STATUS))
		cpu_relax();
	wr8(blk.common + CC_STATUS, ST_ACK);
	wr8(blk.common + CC_STATUS, ST_ACK | ST_DRIVER);
	wr16(blk.common + CC_MSIX, NO_VECTOR);
	why = negotiate();
	if (!why)
		why = queue_setup(notify_mult);
	if (why)
		return why;
	wr8(blk.common + CC_STATUS,
	    ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	blk.up = true;
	return NULL;
}

uint64_t vblk_sectors(void)
{
	return mmio_read32(blk.device) |
	       (uint64_t)mmio_read32(blk.device + 4) << 32;
}

uint32_t vblk_block_size(void)
{
	return blk.features & 1ull << F_BLK_SIZE ?
		       mmio_read32(blk.device + 20) : 512;
}

bool vblk_readonly(void)
{
	return blk.features & 1ull << F_RO;
}

static void desc_set(unsigned i, const volatile void *addr, uint32_t len,
		     uint16_t flags)
{
	blk.ring.desc[i] = (struct desc){ (uint64_t)addr, len, flags,
					  (uint16_t)(i + 1) };
}

/* One request: header, optional data, status; waits for its completion. */
static const char *request(uint32_t type, uint64_t sector, void *buf,
			   uint32_t len)
{
	volatile uint16_t *used_idx = &blk.ring.used.idx;
	unsigned d = 0;

	if (!blk.up)
		return "the disk is not set up";
	blk.hdr.type = type;
	blk.hdr.reserved = 0;
	blk.hdr.sector = sector;
	blk.status = 0xff;
	desc_set(d++, &blk.hdr, sizeof(blk.hdr), DESC_NEXT);
	if (len)
		desc_set(d++, buf, len,
			 DESC_NEXT | (type == REQ_IN ? DESC_WRITE : 0));
	desc_set(d, &blk.status, 1, DESC_WRITE);
	blk.ring.desc[d].next = 0;
	blk.ring.avail.ring[blk.avail_idx % QSIZE] = 0;
	barrier();
	blk.ring.avail.idx = ++blk.avail_idx;
	barrier();
	wr16(blk.notify, 0);
	for (uint32_t spins = 0; *used_idx == blk.used_idx; spins++) {
		if (spins == POLL_LIMIT)
			return "the disk did not answer";
		cpu_relax();
	}
	blk.used_idx++;
	barrier();
	(void)rd8(blk.isr);	/* acknowledge an INTx, if one was raised */
	switch (blk.status) {
	case 0:
		return NULL;
	case 1:
		return "I/O error";
	case 2:
		return "unsupported request";
	default:
		return "no status from the device";
	}
}

const char *vblk_read(uint64_t sector, void *buf, uint32_t len)
{
	return request(REQ_IN, sector, buf, len);
}

const char *vblk_write(uint64_t sector, const void *buf, uint32_t len)
{
	const char *why = request(REQ_OUT, sector, (void *)buf, len);

	if (!why && blk.features & 1ull << F_FLUSH)
		why = request(REQ_FLUSH, 0, NULL, 0);
	return why;
}
