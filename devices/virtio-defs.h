/* virtio-defs.h - virtio 1.2 constants and wire layouts: status and feature bits, split rings, virtio-blk requests and config. */
#ifndef HYVE_VIRTIO_DEFS_H
#define HYVE_VIRTIO_DEFS_H

#include <stdint.h>

/* ---- Device status (2.1) ---- */
#define VIRTIO_STATUS_ACKNOWLEDGE	1u
#define VIRTIO_STATUS_DRIVER		2u
#define VIRTIO_STATUS_DRIVER_OK		4u
#define VIRTIO_STATUS_FEATURES_OK	8u
#define VIRTIO_STATUS_NEEDS_RESET	64u
#define VIRTIO_STATUS_FAILED		128u

/* ---- Device-independent feature bits (6), as bit numbers ---- */
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33
#define VIRTIO_F_RING_PACKED		34
#define VIRTIO_F_IN_ORDER		35
#define VIRTIO_F_ORDER_PLATFORM		36
#define VIRTIO_F_SR_IOV			37
#define VIRTIO_F_NOTIFICATION_DATA	38

#define VIRTIO_BIT(n)			(1ull << (n))

/* ---- Split virtqueue (2.7) ---- */
#define VIRTQ_SIZE_MAX			32768u

#define VIRTQ_DESC_F_NEXT		1u
#define VIRTQ_DESC_F_WRITE		2u
#define VIRTQ_DESC_F_INDIRECT		4u

#define VIRTQ_AVAIL_F_NO_INTERRUPT	1u
#define VIRTQ_USED_F_NO_NOTIFY		1u

/* Alignment the driver must give each area. */
#define VIRTQ_DESC_ALIGN		16u
#define VIRTQ_AVAIL_ALIGN		2u
#define VIRTQ_USED_ALIGN		4u

/* All fields little-endian in guest memory. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* then uint16_t used_event (EVENT_IDX) */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* then uint16_t avail_event */
};

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used elem is 8 bytes");

/* Area sizes for a queue of n entries, trailing event word included. */
#define VIRTQ_DESC_BYTES(n)	(16ull * (n))
#define VIRTQ_AVAIL_BYTES(n)	(6ull + 2ull * (n))
#define VIRTQ_USED_BYTES(n)	(6ull + 8ull * (n))

/* ---- Device IDs (5) ---- */
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_ID_ENTROPY		4

/* ---- virtio-blk (5.2) ---- */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_GEOMETRY		4
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_F_TOPOLOGY		10
#define VIRTIO_BLK_F_CONFIG_WCE		11
#define VIRTIO_BLK_F_MQ			12
#define VIRTIO_BLK_F_DISCARD		13
#define VIRTIO_BLK_F_WRITE_ZEROES	14

#define VIRTIO_BLK_T_IN			0u
#define VIRTIO_BLK_T_OUT		1u
#define VIRTIO_BLK_T_FLUSH		4u
#define VIRTIO_BLK_T_GET_ID		8u
#define VIRTIO_BLK_T_GET_LIFETIME	10u
#define VIRTIO_BLK_T_DISCARD		11u
#define VIRTIO_BLK_T_WRITE_ZEROES	13u
#define VIRTIO_BLK_T_SECURE_ERASE	14u

#define VIRTIO_BLK_S_OK			0u
#define VIRTIO_BLK_S_IOERR		1u
#define VIRTIO_BLK_S_UNSUPP		2u

/* Requests always count in 512-byte sectors, whatever blk_size says. */
#define VIRTIO_BLK_SECTOR_SHIFT		9
#define VIRTIO_BLK_SECTOR_SIZE		512u
#define VIRTIO_BLK_ID_BYTES		20u

/* struct virtio_blk_req header: le32 type, le32 reserved, le64 sector. */
#define VIRTIO_BLK_OUTHDR_SIZE		16u

/* struct virtio_blk_discard_write_zeroes: le64 sector, le32 num, le32 flags. */
#define VIRTIO_BLK_DWZ_SEG_SIZE		16u
#define VIRTIO_BLK_DWZ_F_UNMAP		1u

/* struct virtio_blk_config, little-endian; offsets fixed by the spec. */
struct virtio_blk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	uint16_t geo_cylinders;
	uint8_t geo_heads;
	uint8_t geo_sectors;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;
	uint8_t unused0;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint8_t unused1[3];
	uint32_t max_secure_erase_sectors;
	uint32_t max_secure_erase_seg;
	uint32_t secure_erase_sector_alignment;
} __attribute__((packed));

_Static_assert(sizeof(struct virtio_blk_config) == 72,
	       "virtio_blk_config layout (without zoned) is 72 bytes");

#endif
