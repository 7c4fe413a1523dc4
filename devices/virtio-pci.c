/* virtio-pci.c - the virtio 1.x PCI transport: capabilities in BAR 0, common config, feature negotiation, status and reset, queue setup, doorbells through ioeventfd to a worker thread, and MSI-X (irqfd) or INTx interrupts. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/pci-msix.h"
#include "devices/virtio-pci.h"
#include "vmm/compat.h"

#define VP_EV_CTL	0x100	/* epoll data of the control eventfd */
#define VP_EV_EXTRA	0x101	/* ... and of params.extra_fd */

struct vp_queue {
	struct vq vq;
	uint16_t size;
	uint16_t msix_vector;
	bool enabled;
	bool reported;		/* its breakage was logged */
	uint64_t desc, driver, device;
	int kick_fd;		/* eventfd: the doorbell */
};

struct virtio_pci {
	struct vm *vm;
	struct virtio_pci_params p;
	char name[32];
	struct pci_dev pd;
	struct pci_msix msix;
	unsigned nvec;
	int irq_fd[PCI_MSIX_MAX];	/* eventfd -> irqfd per vector */
	int gsi[PCI_MSIX_MAX];

	pthread_mutex_t lock;	/* the state below; held by the worker */
	uint64_t device_features;
	uint64_t driver_features;
	uint32_t dfselect, gfselect;
	uint8_t status;
	uint8_t generation;
	uint16_t msix_config;
	uint16_t qselect;
	struct vp_queue q[VIRTIO_PCI_MAX_QUEUES];
	_Atomic uint8_t isr;
	bool intx_high;

	uint64_t notify_base;	/* where the ioeventfds are; 0: nowhere */
	bool notify_ioeventfd;	/* KVM took them */

	int ctl_fd;		/* eventfd: wakes the worker to stop */
	int epoll_fd;
	pthread_t worker;
	bool worker_started;
	_Atomic bool stopping;
};

static void
fd_kick(int fd)
{
	uint64_t one = 1;
	ssize_t n = write(fd, &one, sizeof(one));

	(void)n;	/* an eventfd at its maximum stays readable */
}

static void
fd_clear(int fd)
{
	uint64_t v;
	ssize_t n = read(fd, &v, sizeof(v));

	(void)n;
}

/* ---- Interrupts ---- */

static void
vp_intx(struct virtio_pci *vp, bool level)
{
	if (vp->intx_high == level)
		return;
	vp->intx_high = level;
	vm_irq_line(vp->vm, vp->pd.gsi, level);
}

/* Raises vector (MSI-X) or the ISR bit and INTx (lock held). */
static void
vp_interrupt(struct virtio_pci *vp, uint16_t vector, uint8_t isr_bit)
{
	if (pci_msix_enabled(&vp->msix)) {
		if (vector != VIRTIO_NO_VECTOR)
			pci_msix_notify(&vp->msix, vector);
		return;
	}
	atomic_fetch_or(&vp->isr, isr_bit);
	vp_intx(vp, true);
}

static int
vp_msix_route(void *ctx, unsigned vec, uint64_t addr, uint32_t data)
{
	struct virtio_pci *vp = ctx;

	return vm_msi_route(vp->vm, (unsigned)vp->gsi[vec], addr, data);
}

static void
vp_msix_fire(void *ctx, unsigned vec)
{
	struct virtio_pci *vp = ctx;

	fd_kick(vp->irq_fd[vec]);
}

static const struct pci_msix_ops vp_msix_ops = {
	.route = vp_msix_route,
	.fire = vp_msix_fire,
};

/* ---- Queues ---- */

static void *
vp_gpa(void *ctx, uint64_t gpa, uint64_t len)
{
	return vm_gpa(ctx, gpa, len);
}

/* A queue the guest broke: tell it (NEEDS_RESET) and the VM's log. */
static void
vp_report_broken(struct virtio_pci *vp, struct vp_queue *q)
{
	if (q->reported)
		return;
	q->reported = true;
	vm_log(vp->vm, "%s: %s; the device needs a reset", vp->name,
	       vq_error(&q->vq));
	vp->status |= VIRTIO_STATUS_NEEDS_RESET;
	vp->generation++;
	vp_interrupt(vp, vp->msix_config, VIRTIO_ISR_CONFIG);
}

static void
vp_queue_enable(struct virtio_pci *vp, struct vp_queue *q)
{
	struct vq_config c = {
		.size = q->size,
		.desc_gpa = q->desc,
		.avail_gpa = q->driver,
		.used_gpa = q->device,
		.indirect_desc = vp->driver_features &
				 VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC),
		.event_idx = vp->driver_features &
			     VIRTIO_BIT(VIRTIO_F_EVENT_IDX),
	};

	if (q->enabled)
		return;
	q->enabled = true;
	if (vq_enable(&q->vq, &c) < 0)
		vp_report_broken(vp, q);
}

/* Back to power-on as far as the driver can tell (lock held). */
static void
vp_device_reset(struct virtio_pci *vp)
{
	for (unsigned i = 0; i < vp->p.nqueues; i++) {
		struct vp_queue *q = &vp->q[i];

		vq_reset(&q->vq);
		q->size = vp->p.queue_size;
		q->msix_vector = VIRTIO_NO_VECTOR;
		q->enabled = q->reported = false;
		q->desc = q->driver = q->device = 0;
	}
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->status = 0;
	vp->msix_config = VIRTIO_NO_VECTOR;
	vp->qselect = 0;
	atomic_store(&vp->isr, 0);
	vp_intx(vp, false);
	if (vp->p.ops->reset != NULL)
		vp->p.ops->reset(vp->p.dev);
}

struct vq *
virtio_pci_vq(struct virtio_pci *vp, unsigned q)
{
	return q < vp->p.nqueues ? &vp->q[q].vq : NULL;
}

void
virtio_pci_queue_done(struct virtio_pci *vp, unsigned q)
{
	if (q < vp->p.nqueues && vq_need_notify(&vp->q[q].vq))
		vp_interrupt(vp, vp->q[q].msix_vector, VIRTIO_ISR_QUEUE);
}

uint64_t
virtio_pci_features(struct virtio_pci *vp)
{
	return vp->driver_features;
}

/* ---- Status and feature negotiation ---- */

static void
vp_set_status(struct virtio_pci *vp, uint8_t val)
{
	uint8_t old = vp->status;
	uint64_t f = vp->driver_features;

	if (val == 0) {
		vp_device_reset(vp);
		return;
	}
	/* FEATURES_OK sticks only for a subset of ours with VERSION_1. */
	if ((val & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    ((f & ~vp->device_features) ||
	     !(f & VIRTIO_BIT(VIRTIO_F_VERSION_1))))
		val &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	vp->status = (uint8_t)(val | (old & VIRTIO_STATUS_NEEDS_RESET));
	if ((val & VIRTIO_STATUS_DRIVER_OK) &&
	    !(old & VIRTIO_STATUS_DRIVER_OK))
		for (unsigned i = 0; i < vp->p.nqueues; i++)
			fd_kick(vp->q[i].kick_fd);	/* look once */
}

/* ---- Common configuration ---- */

struct vp_field {
	uint8_t off, size;
};

static const struct vp_field vp_fields[] = {
	{ VP_DFSELECT, 4 }, { VP_DF, 4 }, { VP_GFSELECT, 4 }, { VP_GF, 4 },
	{ VP_MSIX_CONFIG, 2 }, { VP_NUM_QUEUES, 2 }, { VP_STATUS, 1 },
	{ VP_CFG_GENERATION, 1 }, { VP_Q_SELECT, 2 }, { VP_Q_SIZE, 2 },
	{ VP_Q_MSIX, 2 }, { VP_Q_ENABLE, 2 }, { VP_Q_NOFF, 2 },
	{ VP_Q_DESC, 8 }, { VP_Q_DRIVER, 8 }, { VP_Q_DEVICE, 8 },
};

static struct vp_queue *
vp_selected(struct virtio_pci *vp)
{
	return vp->qselect < vp->p.nqueues ? &vp->q[vp->qselect] : NULL;
}

static uint64_t
vp_common_get(struct virtio_pci *vp, unsigned field)
{
	struct vp_queue *q = vp_selected(vp);

	switch (field) {
	case VP_DFSELECT:
		return vp->dfselect;
	case VP_DF:
		return vp->dfselect < 2 ?
			(uint32_t)(vp->device_features >> (32 * vp->dfselect)) :
			0;
	case VP_GFSELECT:
		return vp->gfselect;
	case VP_GF:
		return vp->gfselect < 2 ?
			(uint32_t)(vp->driver_features >> (32 * vp->gfselect)) :
			0;
	case VP_MSIX_CONFIG:
		return vp->msix_config;
	case VP_NUM_QUEUES:
		return vp->p.nqueues;
	case VP_STATUS:
		return vp->status;
	case VP_CFG_GENERATION:
		return vp->generation;
	case VP_Q_SELECT:
		return vp->qselect;
	}
	if (q == NULL)
		return 0;	/* an absent queue: size 0 */
	switch (field) {
	case VP_Q_SIZE:
		return q->size;
	case VP_Q_MSIX:
		return q->msix_vector;
	case VP_Q_ENABLE:
		return q->enabled;
	case VP_Q_NOFF:
		return vp->qselect;
	case VP_Q_DESC:
		return q->desc;
	case VP_Q_DRIVER:
		return q->driver;
	case VP_Q_DEVICE:
		return q->device;
	}
	return 0;
}

static uint16_t
vp_vector(const struct virtio_pci *vp, uint64_t v)
{
	return v < vp->nvec ? (uint16_t)v : VIRTIO_NO_VECTOR;
}

static void
vp_common_set(struct virtio_pci *vp, unsigned field, uint64_t v)
{
	struct vp_queue *q = vp_selected(vp);

	switch (field) {
	case VP_DFSELECT:
		vp->dfselect = (uint32_t)v;
		return;
	case VP_GFSELECT:
		vp->gfselect = (uint32_t)v;
		return;
	case VP_GF:
		if (vp->gfselect < 2 &&
		    !(vp->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned sh = 32 * vp->gfselect;

			vp->driver_features &= ~(0xffffffffull << sh);
			vp->driver_features |= (v & 0xffffffffull) << sh;
		}
		return;
	case VP_MSIX_CONFIG:
		vp->msix_config = vp_vector(vp, v);
		return;
	case VP_STATUS:
		vp_set_status(vp, (uint8_t)v);
		return;
	case VP_Q_SELECT:
		vp->qselect = (uint16_t)v;
		return;
	}
	if (q == NULL)
		return;
	if (field == VP_Q_MSIX) {
		q->msix_vector = vp_vector(vp, v);
		return;
	}
	if (q->enabled)
		return;	/* fixed once enabled (4.1.4.3.2) */
	switch (field) {
	case VP_Q_SIZE:
		q->size = (uint16_t)v;
		break;
	case VP_Q_ENABLE:
		if (v == 1)
			vp_queue_enable(vp, q);
		break;
	case VP_Q_DESC:
		q->desc = v;
		break;
	case VP_Q_DRIVER:
		q->driver = v;
		break;
	case VP_Q_DEVICE:
		q->device = v;
		break;
	}
}

/* An access inside one field (any aligned part of it); others are dropped. */
static void
vp_common_access(struct virtio_pci *vp, unsigned off, unsigned size,
		 bool write, uint64_t *val)
{
	const struct vp_field *f = NULL;
	uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
	unsigned shift;
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(vp_fields); i++)
		if (off >= vp_fields[i].off &&
		    off + size <= (unsigned)vp_fields[i].off + vp_fields[i].size)
			f = &vp_fields[i];
	if (!write)
		*val = 0;
	if (f == NULL)
		return;
	shift = 8 * (off - f->off);
	pthread_mutex_lock(&vp->lock);
	v = vp_common_get(vp, f->off);
	if (write)
		vp_common_set(vp, f->off,
			      (v & ~(mask << shift)) | ((*val & mask) << shift));
	else
		*val = (v >> shift) & mask;
	pthread_mutex_unlock(&vp->lock);
}

/* ---- BAR 0 ---- */

static void
vp_device_cfg_read(struct virtio_pci *vp, uint64_t off, unsigned size,
		   uint64_t *val)
{
	const uint8_t *c = vp->p.config;

	*val = 0;
	if (off >= vp->p.config_len || size > vp->p.config_len - off)
		return;
	for (unsigned i = 0; i < size; i++)
		*val |= (uint64_t)c[off + i] << (8 * i);
}

static bool
vp_in(uint64_t off, unsigned size, uint64_t start, uint64_t len)
{
	return off >= start && off - start < len && size <= len - (off - start);
}

static void
vp_bar_access(struct pci_dev *pd, unsigned bar, uint64_t off, unsigned size,
	      bool write, uint64_t *val)
{
	struct virtio_pci *vp = pd->priv;
	uint64_t notify_len = (uint64_t)vp->p.nqueues * VP_NOTIFY_MULT;

	if (bar != VP_BAR)
		return;
	if (vp_in(off, size, VP_COMMON_OFF, VP_COMMON_LEN)) {
		vp_common_access(vp, (unsigned)(off - VP_COMMON_OFF), size,
				 write, val);
	} else if (vp_in(off, size, VP_ISR_OFF, VP_ISR_LEN)) {
		if (write)
			return;
		/* Reading ISR acknowledges it and lowers INTx. */
		pthread_mutex_lock(&vp->lock);
		*val = atomic_exchange(&vp->isr, 0);
		vp_intx(vp, false);
		pthread_mutex_unlock(&vp->lock);
	} else if (vp_in(off, size, VP_DEVICE_OFF, VP_DEVICE_LEN_MAX)) {
		if (!write)
			vp_device_cfg_read(vp, off - VP_DEVICE_OFF, size, val);
	} else if (vp_in(off, size, VP_NOTIFY_OFF, notify_len)) {
		/* Only when KVM did not take the doorbell (ioeventfd). */
		if (write)
			fd_kick(vp->q[(off - VP_NOTIFY_OFF) /
				      VP_NOTIFY_MULT].kick_fd);
		else
			*val = 0;
	} else if (vp_in(off, size, VP_MSIX_TABLE_OFF,
			 PCI_MSIX_TABLE_BYTES(vp->nvec))) {
		pci_msix_table_access(&vp->msix, off - VP_MSIX_TABLE_OFF, size,
				      write, val);
	} else if (vp_in(off, size, VP_MSIX_PBA_OFF,
			 PCI_MSIX_PBA_BYTES(vp->nvec))) {
		pci_msix_pba_access(&vp->msix, off - VP_MSIX_PBA_OFF, size,
				    write, val);
	} else if (!write) {
		*val = 0;
	}
}

/* Doorbells follow BAR 0: KVM signals the kick eventfds directly. */
static void
vp_notify_unplug(struct virtio_pci *vp)
{
	if (vp->notify_ioeventfd)
		for (unsigned i = 0; i < vp->p.nqueues; i++)
			vm_ioeventfd_del(vp->vm, VM_SPACE_MMIO,
					 vp->notify_base + VP_NOTIFY_OFF +
						 VP_NOTIFY_MULT * i,
					 0, vp->q[i].kick_fd);
	vp->notify_ioeventfd = false;
	vp->notify_base = 0;
}

static void
vp_bar_moved(struct pci_dev *pd, unsigned bar, uint64_t addr)
{
	struct virtio_pci *vp = pd->priv;
	unsigned i;

	if (bar != VP_BAR)
		return;
	vp_notify_unplug(vp);
	if (addr == 0)
		return;
	vp->notify_base = addr;
	for (i = 0; i < vp->p.nqueues; i++)
		if (vm_ioeventfd_add(vp->vm, VM_SPACE_MMIO,
				     addr + VP_NOTIFY_OFF + VP_NOTIFY_MULT * i,
				     0, vp->q[i].kick_fd) < 0)
			break;
	vp->notify_ioeventfd = true;
	if (i < vp->p.nqueues) {
		/* Fall back to the trap for all of them. */
		while (i-- > 0)
			vm_ioeventfd_del(vp->vm, VM_SPACE_MMIO,
					 addr + VP_NOTIFY_OFF +
						 VP_NOTIFY_MULT * i,
					 0, vp->q[i].kick_fd);
		vp->notify_ioeventfd = false;
	}
}

static const struct pci_dev_ops vp_pci_ops = {
	.bar_access = vp_bar_access,
	.bar_moved = vp_bar_moved,
};

/* ---- Capabilities ---- */

static int
vp_add_cap(struct virtio_pci *vp, uint8_t type, uint32_t off, uint32_t len,
	   bool notify)
{
	uint8_t cap[20] = { PCI_CAP_ID_VNDR, 0, notify ? 20 : 16, type,
			    VP_BAR };

	put_le32(cap + 8, off);
	put_le32(cap + 12, len);
	if (notify)
		put_le32(cap + 16, VP_NOTIFY_MULT);
	return pci_dev_add_cap(&vp->pd, cap, notify ? 20 : 16);
}

static int
vp_build_function(struct virtio_pci *vp)
{
	const struct virtio_pci_params *p = &vp->p;
	int rc;

	pci_dev_init(&vp->pd, VIRTIO_PCI_VENDOR,
		     (uint16_t)(VIRTIO_PCI_DEVICE_BASE + p->device_id),
		     p->pci_class, 1, VIRTIO_PCI_VENDOR, VIRTIO_PCI_SUBSYS_ID,
		     &vp_pci_ops, vp);
	rc = pci_dev_add_bar(&vp->pd, VP_BAR, PCI_BAR_MEM64, VP_BAR_SIZE);
	if (!rc)
		rc = pci_msix_init(&vp->msix, &vp->pd, vp->nvec, VP_BAR,
				   VP_MSIX_TABLE_OFF, VP_MSIX_PBA_OFF,
				   &vp_msix_ops, vp);
	if (rc)
		return rc;
	if ((rc = vp_add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VP_COMMON_OFF,
			     VP_COMMON_LEN, false)) < 0 ||
	    (rc = vp_add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VP_NOTIFY_OFF,
			     p->nqueues * VP_NOTIFY_MULT, true)) < 0 ||
	    (rc = vp_add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, VP_ISR_OFF,
			     VP_ISR_LEN, false)) < 0)
		return rc;
	if (p->config_len &&
	    (rc = vp_add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, VP_DEVICE_OFF,
			     (uint32_t)p->config_len, false)) < 0)
		return rc;
	return 0;
}

/* ---- The worker ---- */

static void
vp_worker_event(struct virtio_pci *vp, uint64_t what)
{
	pthread_mutex_lock(&vp->lock);
	if (what == VP_EV_EXTRA) {
		if (vp->p.ops->extra_event != NULL)
			vp->p.ops->extra_event(vp->p.dev);
	} else if (what < vp->p.nqueues) {
		struct vp_queue *q = &vp->q[what];

		fd_clear(q->kick_fd);
		if ((vp->status & VIRTIO_STATUS_DRIVER_OK) && q->enabled &&
		    !vq_broken(&q->vq))
			vp->p.ops->queue_notify(vp->p.dev, (unsigned)what);
	}
	for (unsigned i = 0; i < vp->p.nqueues; i++)
		if (vp->q[i].enabled && vq_broken(&vp->q[i].vq))
			vp_report_broken(vp, &vp->q[i]);
	pthread_mutex_unlock(&vp->lock);
}

static void *
vp_worker(void *arg)
{
	struct virtio_pci *vp = arg;
	struct epoll_event ev[VIRTIO_PCI_MAX_QUEUES + 2];
	char tname[16];

	str_copy(tname, vp->name, sizeof(tname));
	pthread_setname_np(pthread_self(), tname);
	while (!atomic_load(&vp->stopping)) {
		int n = epoll_wait(vp->epoll_fd, ev, (int)ARRAY_SIZE(ev), -1);

		for (int i = 0; i < n && !atomic_load(&vp->stopping); i++)
			if (ev[i].data.u64 != VP_EV_CTL)
				vp_worker_event(vp, ev[i].data.u64);
	}
	return NULL;
}

static int
vp_watch(struct virtio_pci *vp, int fd, uint64_t what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = what };

	return epoll_ctl(vp->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* ---- Life cycle ---- */

static int
vp_open_fds(struct virtio_pci *vp)
{
	int rc = 0;

	vp->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vp->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (vp->ctl_fd < 0 || vp->epoll_fd < 0)
		return -errno;
	rc = vp_watch(vp, vp->ctl_fd, VP_EV_CTL);
	if (!rc && vp->p.extra_fd >= 0)
		rc = vp_watch(vp, vp->p.extra_fd, VP_EV_EXTRA);
	for (unsigned i = 0; !rc && i < vp->p.nqueues; i++) {
		vp->q[i].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vp->q[i].kick_fd < 0)
			return -errno;
		rc = vp_watch(vp, vp->q[i].kick_fd, i);
	}
	for (unsigned v = 0; !rc && v < vp->nvec; v++) {
		vp->irq_fd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vp->irq_fd[v] < 0)
			return -errno;
		vp->gsi[v] = vm_msi_gsi_alloc(vp->vm);
		if (vp->gsi[v] < 0)
			return vp->gsi[v];
		rc = vm_irqfd_add(vp->vm, vp->irq_fd[v], (unsigned)vp->gsi[v]);
	}
	return rc;
}

static void
vp_close_fds(struct virtio_pci *vp)
{
	for (unsigned v = 0; v < vp->nvec; v++) {
		if (vp->irq_fd[v] >= 0 && vp->gsi[v] >= 0)
			vm_irqfd_del(vp->vm, vp->irq_fd[v],
				     (unsigned)vp->gsi[v]);
		if (vp->gsi[v] >= 0)
			vm_msi_gsi_free(vp->vm, (unsigned)vp->gsi[v]);
		if (vp->irq_fd[v] >= 0)
			close(vp->irq_fd[v]);
	}
	for (unsigned i = 0; i < vp->p.nqueues; i++)
		if (vp->q[i].kick_fd >= 0)
			close(vp->q[i].kick_fd);
	if (vp->epoll_fd >= 0)
		close(vp->epoll_fd);
	if (vp->ctl_fd >= 0)
		close(vp->ctl_fd);
}

int
virtio_pci_create(struct vm *vm, const struct pci_attach *pa,
		  const struct virtio_pci_params *p, struct virtio_pci **out,
		  char *err)
{
	struct virtio_pci *vp;
	struct guest_mem mem = { vp_gpa, vm };
	int rc;

	if (p->nqueues == 0 || p->nqueues > VIRTIO_PCI_MAX_QUEUES ||
	    p->config_len > VP_DEVICE_LEN_MAX || p->ops == NULL ||
	    p->ops->queue_notify == NULL)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s: bad device parameters", p->name);
	vp = calloc(1, sizeof(*vp));
	if (vp == NULL)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "%s: out of memory",
			       p->name);
	vp->vm = vm;
	vp->p = *p;
	str_copy(vp->name, p->name, sizeof(vp->name));
	vp->nvec = p->nqueues + 1;
	vp->device_features = p->features | VIRTIO_BIT(VIRTIO_F_VERSION_1);
	vp->ctl_fd = vp->epoll_fd = -1;
	for (unsigned i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++) {
		char qname[VQ_NAME_MAX];

		snprintf(qname, sizeof(qname), "%s q%u", vp->name, i);
		vq_init(&vp->q[i].vq, qname, &mem);
		vp->q[i].kick_fd = -1;
	}
	for (unsigned v = 0; v < PCI_MSIX_MAX; v++)
		vp->irq_fd[v] = vp->gsi[v] = -1;
	pthread_mutex_init(&vp->lock, NULL);
	vp_device_reset(vp);
	rc = vp_open_fds(vp);
	if (rc) {
		err_set(err, VM_ERR_MAX, rc, "%s: cannot set up its eventfds: %s",
			vp->name, strerror(-rc));
		goto fail;
	}
	rc = vp_build_function(vp);
	if (rc) {
		err_set(err, VM_ERR_MAX, rc, "%s: cannot build its PCI function: %s",
			vp->name, strerror(-rc));
		goto fail;
	}
	rc = pci_bus_add_dev(pa->bus, &vp->pd, pa->slot, pa->reserved_slots);
	if (rc < 0) {
		if (pa->slot)
			err_set(err, VM_ERR_MAX, rc,
				"%s: PCI slot %u is taken (or out of range); "
				"pick another slot = in the profile",
				vp->name, pa->slot);
		else
			err_set(err, VM_ERR_MAX, rc,
				"%s: no free PCI slot or BAR space: %s",
				vp->name, strerror(-rc));
		goto fail;
	}
	rc = thread_start(&vp->worker, vp_worker, vp);
	if (rc) {
		err_set(err, VM_ERR_MAX, rc, "%s: cannot start its thread: %s",
			vp->name, strerror(-rc));
		goto fail;
	}
	vp->worker_started = true;
	*out = vp;
	return 0;
fail:
	virtio_pci_destroy(vp);
	return rc;
}

void
virtio_pci_destroy(struct virtio_pci *vp)
{
	if (vp == NULL)
		return;
	if (vp->worker_started) {
		atomic_store(&vp->stopping, true);
		fd_kick(vp->ctl_fd);
		pthread_join(vp->worker, NULL);
	}
	vp_notify_unplug(vp);
	vp_close_fds(vp);
	pci_msix_destroy(&vp->msix);
	pthread_mutex_destroy(&vp->lock);
	free(vp);
}

void
virtio_pci_quiesce(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);	/* waits for the worker's batch */
	vp_device_reset(vp);
	pthread_mutex_unlock(&vp->lock);
}

void
virtio_pci_machine_reset(struct virtio_pci *vp)
{
	virtio_pci_quiesce(vp);
	pci_dev_reset(&vp->pd);
}
