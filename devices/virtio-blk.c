/* virtio-blk.c - the virtio-blk PCI device (xhyve's virtio-blk): a disk image behind the request engine, served on the device's worker thread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/disk.h"
#include "devices/virtio-blk-req.h"
#include "devices/virtio-pci.h"
#include "vmm/compat.h"

#define BLK_QUEUE_SIZE	256
#define BLK_PCI_CLASS	0x018000	/* mass storage, other */

struct virtio_blk {
	struct disk *disk;
	struct blk_engine engine;
	struct virtio_blk_config config;
	struct vq_chain chain;
	struct virtio_pci *vp;
};

/* ---- The engine's backend: the disk ---- */

static int
blk_disk_read(void *ctx, uint64_t off, const struct iovec *iov, int n)
{
	return disk_read(ctx, off, iov, n);
}

static int
blk_disk_write(void *ctx, uint64_t off, const struct iovec *iov, int n)
{
	return disk_write(ctx, off, iov, n);
}

static int
blk_disk_flush(void *ctx)
{
	return disk_flush(ctx);
}

static int
blk_disk_discard(void *ctx, uint64_t off, uint64_t len)
{
	return disk_discard(ctx, off, len);
}

static int
blk_disk_write_zeroes(void *ctx, uint64_t off, uint64_t len, bool may_unmap)
{
	(void)may_unmap;	/* zeroes always leave holes here */
	return disk_write_zeroes(ctx, off, len);
}

/* ---- The queue ---- */

static void
blk_queue_notify(void *dev, unsigned qi)
{
	struct virtio_blk *b = dev;
	struct vq *vq = virtio_pci_vq(b->vp, qi);

	for (;;) {
		int rc;

		vq_suppress_notify(vq);
		while ((rc = vq_pop(vq, &b->chain)) == 1) {
			if (blk_req_handle(&b->engine, vq, &b->chain) == -EIO)
				return;	/* broken: the transport reports */
			virtio_pci_queue_done(b->vp, qi);
		}
		if (rc < 0)
			return;
		if (!vq_enable_notify(vq))
			return;
	}
}

static const struct virtio_dev_ops blk_ops = {
	.queue_notify = blk_queue_notify,
};

/* ---- The device model ---- */

/* GET_ID: the VM's name, and the disk's when there are several. */
static void
blk_serial(const struct vm_config *cfg, unsigned index, char *out,
	   size_t len)
{
	if (cfg->disks > 1)
		snprintf(out, len, "%s-%s", cfg->name, cfg->disk[index].name);
	else
		snprintf(out, len, "%s", cfg->name);
}

static void
blk_free(struct virtio_blk *b)
{
	virtio_pci_destroy(b->vp);
	disk_close(b->disk);
	vq_chain_free(&b->chain);
	free(b);
}

static int
blk_attach(struct vm *vm, const void *arg, void **state, char *err)
{
	const struct pci_attach *pa = arg;
	const struct vm_config *cfg = vm_config(vm);
	const struct vm_disk_config *dc = &cfg->disk[pa->index];
	struct blk_backend be = {
		.read = blk_disk_read,
		.write = blk_disk_write,
		.discard = blk_disk_discard,
		.write_zeroes = blk_disk_write_zeroes,
	};
	char name[32], serial[VM_NAME_MAX + VM_DEV_NAME_MAX + 2];
	struct virtio_pci_params p;
	struct virtio_blk *b;
	int rc;

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return err_set(err, VM_ERR_MAX, -ENOMEM,
			       "disk.%s: out of memory", dc->name);
	rc = disk_open(dc, &b->disk, err);
	if (rc < 0) {
		free(b);
		return rc;
	}
	be.ctx = b->disk;
	/* writethrough is O_DSYNC: every write is durable, no FLUSH needed. */
	if (dc->cache != VM_CACHE_WRITETHROUGH)
		be.flush = blk_disk_flush;
	if (disk_readonly(b->disk))
		be.write = NULL;
	blk_serial(cfg, pa->index, serial, sizeof(serial));
	rc = blk_engine_init(&b->engine, &be, disk_size(b->disk),
			     disk_sector_size(b->disk), disk_readonly(b->disk),
			     serial, BLK_QUEUE_SIZE);
	if (rc < 0) {
		err_set(err, VM_ERR_MAX, rc, "disk.%s: %s: unusable geometry",
			dc->name, dc->path);
		goto fail;
	}
	blk_engine_config(&b->engine, &b->config);
	snprintf(name, sizeof(name), "virtio-blk%u", pa->index);
	p = (struct virtio_pci_params){
		.name = name,
		.device_id = VIRTIO_ID_BLOCK,
		.pci_class = BLK_PCI_CLASS,
		.features = blk_engine_features(&b->engine) |
			    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
			    VIRTIO_BIT(VIRTIO_F_EVENT_IDX),
		.nqueues = 1,
		.queue_size = BLK_QUEUE_SIZE,
		.config = &b->config,
		.config_len = sizeof(b->config),
		.extra_fd = -1,
		.ops = &blk_ops,
		.dev = b,
	};
	rc = virtio_pci_create(vm, pa, &p, &b->vp, err);
	if (rc < 0)
		goto fail;
	*state = b;
	return 0;
fail:
	blk_free(b);
	return rc;
}

static void
blk_detach(void *state)
{
	blk_free(state);
}

static void
blk_reset(void *state)
{
	struct virtio_blk *b = state;

	virtio_pci_machine_reset(b->vp);
}

static void
blk_quiesce(void *state)
{
	struct virtio_blk *b = state;

	virtio_pci_quiesce(b->vp);
}

static int
blk_usage(void *state, struct vm_disk_usage *out)
{
	struct virtio_blk *b = state;
	struct disk_usage u;

	disk_usage(b->disk, &u);
	*out = (struct vm_disk_usage){
		.virtual_size = u.virtual_size,
		.allocated = u.allocated,
		.rd_bytes = u.rd_bytes,
		.wr_bytes = u.wr_bytes,
		.rd_ops = u.rd_ops,
		.wr_ops = u.wr_ops,
		.flushes = u.flushes,
	};
	return 0;
}

const struct device_model virtio_blk_model = {
	.name = "virtio-blk",
	.attach = blk_attach,
	.detach = blk_detach,
	.reset = blk_reset,
	.quiesce = blk_quiesce,
	.disk_usage = blk_usage,
};
