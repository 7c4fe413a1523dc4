/* wiring.c - irqfds, ioeventfds and MSI routes (GSI routing) that let devices raise interrupts and take doorbells without a vCPU exit to user space. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/compat.h"
#include "vmm/vm-internal.h"

#define IOAPIC_PINS	24
#define PIC_PINS	16

void wiring_init(struct vm_wiring *w)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	for (size_t i = 0; i < WIRE_IRQFD_MAX; i++)
		w->irqfd[i].fd = -1;
	for (size_t i = 0; i < WIRE_IOEVENTFD_MAX; i++)
		w->ioeventfd[i].fd = -1;
}

void wiring_destroy(struct vm_wiring *w)
{
	pthread_mutex_destroy(&w->lock);
}

/* Whether any MSI route exists (until then KVM's default table stands). */
static bool wiring_has_msi(const struct vm_wiring *w)
{
	for (size_t i = 0; i < WIRE_MSI_MAX; i++)
		if (w->msi[i].routed)
			return true;
	return false;
}

/*
 * KVM_SET_GSI_ROUTING replaces the whole table, so it carries KVM's default
 * entries (GSI n -> IOAPIC pin n, and PIC pin n for n < 16) plus ours.
 */
static int wiring_commit_routes(struct vm *vm)
{
	struct vm_wiring *w = &vm->wiring;
	struct kvm_irq_routing *r;
	unsigned n = 0;
	int rc = 0;

	if (!wiring_has_msi(w))
		return 0;
	r = calloc(1, sizeof(*r) + (IOAPIC_PINS + PIC_PINS + WIRE_MSI_MAX) *
			   sizeof(r->entries[0]));
	if (!r)
		return -ENOMEM;
	for (unsigned gsi = 0; gsi < IOAPIC_PINS; gsi++) {
		struct kvm_irq_routing_entry *e = &r->entries[n++];

		e->gsi = gsi;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e->u.irqchip.pin = gsi;
		if (gsi >= PIC_PINS)
			continue;
		e = &r->entries[n++];
		e->gsi = gsi;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
						 KVM_IRQCHIP_PIC_SLAVE;
		e->u.irqchip.pin = gsi % 8;
	}
	for (unsigned i = 0; i < WIRE_MSI_MAX; i++) {
		struct kvm_irq_routing_entry *e;

		if (!w->msi[i].routed)
			continue;
		e = &r->entries[n++];
		e->gsi = WIRE_GSI_FIRST + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = (uint32_t)w->msi[i].addr;
		e->u.msi.address_hi = (uint32_t)(w->msi[i].addr >> 32);
		e->u.msi.data = w->msi[i].data;
	}
	r->nr = n;
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0)
		rc = -errno;
	free(r);
	return rc;
}

static int wiring_irqfd_ioctl(struct vm *vm, int fd, unsigned gsi,
			      bool assign)
{
	struct kvm_irqfd k = {
		.fd = (uint32_t)fd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	return ioctl(vm->vm_fd, KVM_IRQFD, &k) < 0 ? -errno : 0;
}

static int wiring_ioeventfd_ioctl(struct vm *vm,
				  const struct wire_ioeventfd *e, bool assign)
{
	struct kvm_ioeventfd k = {
		.addr = e->addr,
		.len = e->len,
		.fd = e->fd,
		.flags = (e->space == VM_SPACE_PIO ? KVM_IOEVENTFD_FLAG_PIO :
						     0) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &k) < 0 ? -errno : 0;
}

int wiring_apply(struct vm *vm, char *err)
{
	struct vm_wiring *w = &vm->wiring;
	int rc;

	pthread_mutex_lock(&w->lock);
	rc = wiring_commit_routes(vm);
	for (size_t i = 0; !rc && i < WIRE_IRQFD_MAX; i++)
		if (w->irqfd[i].fd >= 0)
			rc = wiring_irqfd_ioctl(vm, w->irqfd[i].fd,
						w->irqfd[i].gsi, true);
	for (size_t i = 0; !rc && i < WIRE_IOEVENTFD_MAX; i++)
		if (w->ioeventfd[i].fd >= 0)
			rc = wiring_ioeventfd_ioctl(vm, &w->ioeventfd[i], true);
	pthread_mutex_unlock(&w->lock);
	if (rc)
		return err_set(err, VM_ERR_MAX, rc,
			       "cannot restore irqfds and ioeventfds: %s",
			       strerror(-rc));
	return 0;
}

/*
 * Runs fn on the current KVM VM with both locks held (fd_lock first). With
 * no VM fd (between teardown and build) only the table changes; the next
 * wiring_apply brings KVM up to date.
 */
static int wiring_locked(struct vm *vm, int (*fn)(struct vm *vm, void *arg),
			 void *arg)
{
	int rc;

	pthread_rwlock_rdlock(&vm->fd_lock);
	pthread_mutex_lock(&vm->wiring.lock);
	rc = fn(vm, arg);
	pthread_mutex_unlock(&vm->wiring.lock);
	pthread_rwlock_unlock(&vm->fd_lock);
	return rc;
}

/* ---- MSI routes ---- */

int vm_msi_gsi_alloc(struct vm *vm)
{
	struct vm_wiring *w = &vm->wiring;
	int gsi = -ENOSPC;

	pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < WIRE_MSI_MAX; i++) {
		if (!w->msi[i].used) {
			w->msi[i] = (struct wire_msi){ .used = true };
			gsi = (int)(WIRE_GSI_FIRST + i);
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return gsi;
}

static struct wire_msi *wiring_msi(struct vm *vm, unsigned gsi)
{
	if (gsi < WIRE_GSI_FIRST || gsi - WIRE_GSI_FIRST >= WIRE_MSI_MAX)
		return NULL;
	return &vm->wiring.msi[gsi - WIRE_GSI_FIRST];
}

struct msi_change {
	unsigned gsi;
	bool routed, release;
	uint64_t addr;
	uint32_t data;
};

static int wiring_msi_change(struct vm *vm, void *arg)
{
	struct msi_change *c = arg;
	struct wire_msi *m = wiring_msi(vm, c->gsi), old;
	int rc = 0;

	if (!m || !m->used)
		return -EINVAL;
	old = *m;
	m->routed = c->routed;
	m->addr = c->addr;
	m->data = c->data;
	if (c->release)
		m->used = false;
	if (old.routed == m->routed && old.addr == m->addr &&
	    old.data == m->data)
		return 0;
	if (vm->vm_fd >= 0)
		rc = wiring_commit_routes(vm);
	if (rc)
		*m = old;
	return rc;
}

int vm_msi_route(struct vm *vm, unsigned gsi, uint64_t addr, uint32_t data)
{
	struct msi_change c = { gsi, true, false, addr, data };

	return wiring_locked(vm, wiring_msi_change, &c);
}

void vm_msi_gsi_free(struct vm *vm, unsigned gsi)
{
	struct msi_change c = { .gsi = gsi, .release = true };

	wiring_locked(vm, wiring_msi_change, &c);
}

/* ---- irqfds ---- */

struct irqfd_change {
	int fd;
	unsigned gsi;
	bool assign;
};

static int wiring_irqfd_change(struct vm *vm, void *arg)
{
	struct irqfd_change *c = arg;
	struct wire_irqfd *slot = NULL;
	struct vm_wiring *w = &vm->wiring;
	int rc = 0;

	for (size_t i = 0; i < WIRE_IRQFD_MAX; i++) {
		struct wire_irqfd *f = &w->irqfd[i];

		if (c->assign ? f->fd < 0 : (f->fd == c->fd &&
					     f->gsi == c->gsi)) {
			slot = f;
			break;
		}
	}
	if (!slot)
		return c->assign ? -ENOSPC : -ENOENT;
	if (vm->vm_fd >= 0)
		rc = wiring_irqfd_ioctl(vm, c->fd, c->gsi, c->assign);
	if (!c->assign)
		rc = 0;	/* the table entry goes regardless */
	if (!rc)
		*slot = (struct wire_irqfd){ c->assign ? c->fd : -1, c->gsi };
	return rc;
}

int vm_irqfd_add(struct vm *vm, int fd, unsigned gsi)
{
	struct irqfd_change c = { fd, gsi, true };

	return fd < 0 ? -EBADF : wiring_locked(vm, wiring_irqfd_change, &c);
}

int vm_irqfd_del(struct vm *vm, int fd, unsigned gsi)
{
	struct irqfd_change c = { fd, gsi, false };

	return wiring_locked(vm, wiring_irqfd_change, &c);
}

/* ---- ioeventfds ---- */

struct ioeventfd_change {
	struct wire_ioeventfd e;
	bool assign;
};

static int wiring_ioeventfd_change(struct vm *vm, void *arg)
{
	struct ioeventfd_change *c = arg;
	struct wire_ioeventfd *slot = NULL;
	struct vm_wiring *w = &vm->wiring;
	int rc = 0;

	for (size_t i = 0; i < WIRE_IOEVENTFD_MAX; i++) {
		struct wire_ioeventfd *f = &w->ioeventfd[i];

		if (c->assign ? f->fd < 0 : (f->fd == c->e.fd &&
					     f->space == c->e.space &&
					     f->addr == c->e.addr &&
					     f->len == c->e.len)) {
			slot = f;
			break;
		}
	}
	if (!slot)
		return c->assign ? -ENOSPC : -ENOENT;
	if (vm->vm_fd >= 0)
		rc = wiring_ioeventfd_ioctl(vm, &c->e, c->assign);
	if (!c->assign)
		rc = 0;
	if (!rc) {
		if (c->assign)
			*slot = c->e;
		else
			slot->fd = -1;
	}
	return rc;
}

static int wiring_ioeventfd(struct vm *vm, enum vm_space space, uint64_t addr,
			    unsigned len, int fd, bool assign)
{
	struct ioeventfd_change c;

	if (fd < 0)
		return -EBADF;
	if ((space != VM_SPACE_PIO && space != VM_SPACE_MMIO) ||
	    (len != 0 && len != 1 && len != 2 && len != 4 && len != 8) ||
	    (space == VM_SPACE_PIO && len == 0))
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.e.fd = fd;
	c.e.space = space;
	c.e.addr = addr;
	c.e.len = len;
	c.assign = assign;
	return wiring_locked(vm, wiring_ioeventfd_change, &c);
}

int vm_ioeventfd_add(struct vm *vm, enum vm_space space, uint64_t addr,
		     unsigned len, int fd)
{
	return wiring_ioeventfd(vm, space, addr, len, fd, true);
}

int vm_ioeventfd_del(struct vm *vm, enum vm_space space, uint64_t addr,
		     unsigned len, int fd)
{
	return wiring_ioeventfd(vm, space, addr, len, fd, false);
}
