/* virtio-pci.h - the virtio 1.x PCI transport (virtio 1.2, 4.1): capabilities, feature negotiation, status and reset, queues with ioeventfd doorbells, MSI-X or INTx interrupts, and a worker thread per device. */
#ifndef HYVE_VIRTIO_PCI_H
#define HYVE_VIRTIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/devices.h"
#include "devices/virtqueue.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040	/* + the virtio device id */
#define VIRTIO_PCI_SUBSYS_ID	0x1100
#define VIRTIO_PCI_MAX_QUEUES	8
#define VIRTIO_NO_VECTOR	0xffff

/* The BAR 0 layout (64-bit memory BAR). */
#define VP_BAR			0
#define VP_COMMON_OFF		0x0000
#define VP_COMMON_LEN		0x38
#define VP_ISR_OFF		0x1000
#define VP_ISR_LEN		0x4
#define VP_DEVICE_OFF		0x2000
#define VP_DEVICE_LEN_MAX	0x1000
#define VP_NOTIFY_OFF		0x3000
#define VP_NOTIFY_MULT		4
#define VP_MSIX_TABLE_OFF	0x4000
#define VP_MSIX_PBA_OFF		0x5000
#define VP_BAR_SIZE		0x8000

/* Common configuration fields (4.1.4.3), offsets in VP_COMMON. */
#define VP_DFSELECT		0x00
#define VP_DF			0x04
#define VP_GFSELECT		0x08
#define VP_GF			0x0c
#define VP_MSIX_CONFIG		0x10
#define VP_NUM_QUEUES		0x12
#define VP_STATUS		0x14
#define VP_CFG_GENERATION	0x15
#define VP_Q_SELECT		0x16
#define VP_Q_SIZE		0x18
#define VP_Q_MSIX		0x1a
#define VP_Q_ENABLE		0x1c
#define VP_Q_NOFF		0x1e
#define VP_Q_DESC		0x20
#define VP_Q_DRIVER		0x28
#define VP_Q_DEVICE		0x30

/* virtio_pci_cap cfg_type values (4.1.4) */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4

#define VIRTIO_ISR_QUEUE	0x1
#define VIRTIO_ISR_CONFIG	0x2

/* What a device model plugs into the transport. */
struct virtio_dev_ops {
	/*
	 * Queue q has work (a doorbell, or DRIVER_OK). Runs on the device's
	 * worker thread with the transport lock held; pop, handle, push, and
	 * call virtio_pci_queue_done. A queue the guest broke (vq_broken) is
	 * reported by the transport afterwards.
	 */
	void (*queue_notify)(void *dev, unsigned q);
	/* Optional: params.extra_fd became readable (worker, lock held). */
	void (*extra_event)(void *dev);
	/* Optional: the device was reset (lock held, no queue in use). */
	void (*reset)(void *dev);
};

struct virtio_pci_params {
	const char *name;	/* "virtio-blk0": logs, thread name */
	uint16_t device_id;	/* VIRTIO_ID_* */
	uint32_t pci_class;	/* base << 16 | sub << 8 | prog-if */
	uint64_t features;	/* device bits; VERSION_1 is added */
	unsigned nqueues;	/* 1..VIRTIO_PCI_MAX_QUEUES */
	uint16_t queue_size;	/* the largest a driver may use */
	const void *config;	/* device config (read-only to the guest) */
	size_t config_len;	/* <= VP_DEVICE_LEN_MAX */
	int extra_fd;		/* -1, or an fd for ops->extra_event */
	const struct virtio_dev_ops *ops;
	void *dev;
};

struct virtio_pci;

/* Builds the function and puts it on the bus; its worker starts too. */
int virtio_pci_create(struct vm *vm, const struct pci_attach *pa,
		      const struct virtio_pci_params *p,
		      struct virtio_pci **out, char *err);
/* Stops the worker and frees everything. NULL is fine. */
void virtio_pci_destroy(struct virtio_pci *vp);
/* Machine reset: device reset (in-flight work done first) and PCI power-on. */
void virtio_pci_machine_reset(struct virtio_pci *vp);
/* Device reset only: the machine is going away (RAM too). */
void virtio_pci_quiesce(struct virtio_pci *vp);

struct vq *virtio_pci_vq(struct virtio_pci *vp, unsigned q);
/* After pushes on q: interrupts the driver if the queue asks for it. */
void virtio_pci_queue_done(struct virtio_pci *vp, unsigned q);
/* The negotiated features (valid once FEATURES_OK is set). */
uint64_t virtio_pci_features(struct virtio_pci *vp);

#endif
