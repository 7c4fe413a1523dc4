/* virtio-rng.c - the virtio entropy PCI device (xhyve's virtio-rnd): getrandom() bytes under a rate limit, with a timerfd to resume when the budget refills. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio-pci.h"
#include "devices/virtio-rng-req.h"
#include "vmm/compat.h"

#define RNG_QUEUE_SIZE	64
#define RNG_PCI_CLASS	0xff0000	/* unclassified device */

struct virtio_rng {
	struct rng_limit limit;
	struct vq_chain chain;
	int timer_fd;
	bool waiting;		/* budget ran out; the timer restarts service */
	struct virtio_pci *vp;
};

static uint64_t
rng_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
rng_arm(struct virtio_rng *r, uint64_t ns)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(ns / 1000000000ull),
			      .tv_nsec = (long)(ns % 1000000000ull) },
	};

	r->waiting = ns != 0;
	timerfd_settime(r->timer_fd, 0, &its, NULL);
}

static void
rng_serve(struct virtio_rng *r)
{
	struct vq *vq = virtio_pci_vq(r->vp, 0);
	uint64_t wait_ns = 0;
	int rc;

	rc = rng_service(&r->limit, vq, &r->chain, rng_now_ns(), &wait_ns);
	if (rc > 0)
		virtio_pci_queue_done(r->vp, 0);
	if (rc >= 0 && wait_ns)
		rng_arm(r, wait_ns);
}

static void
rng_queue_notify(void *dev, unsigned q)
{
	struct virtio_rng *r = dev;

	if (!r->waiting)	/* a doorbell does not beat the limit */
		rng_serve(r);
}

static void
rng_timer(void *dev)
{
	struct virtio_rng *r = dev;
	uint64_t n;

	if (read(r->timer_fd, &n, sizeof(n)) != sizeof(n) || !r->waiting)
		return;
	r->waiting = false;
	rng_serve(r);
}

static void
rng_device_reset(void *dev)
{
	struct virtio_rng *r = dev;

	if (r->timer_fd >= 0)
		rng_arm(r, 0);
}

static const struct virtio_dev_ops rng_ops = {
	.queue_notify = rng_queue_notify,
	.extra_event = rng_timer,
	.reset = rng_device_reset,
};

static void
rng_free(struct virtio_rng *r)
{
	virtio_pci_destroy(r->vp);
	if (r->timer_fd >= 0)
		close(r->timer_fd);
	vq_chain_free(&r->chain);
	free(r);
}

static int
rng_attach(struct vm *vm, const void *arg, void **state, char *err)
{
	const struct pci_attach *pa = arg;
	struct virtio_pci_params p;
	struct virtio_rng *r;
	int rc;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "rng: out of memory");
	r->timer_fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_CLOEXEC | TFD_NONBLOCK);
	if (r->timer_fd < 0) {
		rc = err_set(err, VM_ERR_MAX, -errno, "rng: timerfd: %s",
			     strerror(errno));
		free(r);
		return rc;
	}
	rng_limit_init(&r->limit, RNG_RATE_DEFAULT, RNG_BURST_DEFAULT,
		       rng_now_ns());
	p = (struct virtio_pci_params){
		.name = "virtio-rng",
		.device_id = VIRTIO_ID_ENTROPY,
		.pci_class = RNG_PCI_CLASS,
		.features = VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
			    VIRTIO_BIT(VIRTIO_F_EVENT_IDX),
		.nqueues = 1,
		.queue_size = RNG_QUEUE_SIZE,
		.extra_fd = r->timer_fd,
		.ops = &rng_ops,
		.dev = r,
	};
	rc = virtio_pci_create(vm, pa, &p, &r->vp, err);
	if (rc < 0) {
		rng_free(r);
		return rc;
	}
	*state = r;
	return 0;
}

static void
rng_detach(void *state)
{
	rng_free(state);
}

static void
rng_reset(void *state)
{
	struct virtio_rng *r = state;

	virtio_pci_machine_reset(r->vp);
}

static void
rng_quiesce(void *state)
{
	struct virtio_rng *r = state;

	virtio_pci_quiesce(r->vp);
}

const struct device_model virtio_rng_model = {
	.name = "virtio-rng",
	.attach = rng_attach,
	.detach = rng_detach,
	.reset = rng_reset,
	.quiesce = rng_quiesce,
};
