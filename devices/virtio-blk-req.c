/* virtio-blk-req.c - virtio-blk requests (virtio 1.2 section 5.2): header and range checks, backend calls, status and used length; config space. */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "devices/iov.h"
#include "devices/virtio-blk-req.h"
#include "vmm/compat.h"

/* ---- Engine set-up and what it advertises ---- */

int
blk_engine_init(struct blk_engine *e, const struct blk_backend *be,
		uint64_t disk_bytes, unsigned sector_size, bool readonly,
		const char *serial, uint32_t queue_size)
{
	memset(e, 0, sizeof(*e));
	if ((sector_size != 512 && sector_size != 4096) || queue_size < 3 ||
	    !be->read || (!readonly && !be->write))
		return -EINVAL;
	e->be = *be;
	e->sector_size = sector_size;
	e->capacity = disk_bytes / sector_size * (sector_size >> 9);
	e->readonly = readonly;
	e->seg_max = MIN(BLK_SEG_MAX_DEFAULT, queue_size - 2);
	e->size_max = BLK_SIZE_MAX_DEFAULT;
	/* whole disk sectors, so a range of the maximum size stays aligned */
	e->max_discard_sectors =
		ALIGN_DOWN(BLK_DWZ_SECTORS_MAX,
			   sector_size >> VIRTIO_BLK_SECTOR_SHIFT);
	e->max_discard_seg = BLK_DWZ_SEG_MAX;
	e->max_write_zeroes_sectors = e->max_discard_sectors;
	e->max_write_zeroes_seg = BLK_DWZ_SEG_MAX;
	strncpy(e->serial, serial ? serial : "", sizeof(e->serial));
	return 0;
}

uint64_t
blk_engine_features(const struct blk_engine *e)
{
	uint64_t f = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
		     VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
		     VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY);

	if (e->size_max)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX);
	if (e->readonly)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (e->be.flush)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	if (e->be.discard && !e->readonly)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
	if (e->be.write_zeroes && !e->readonly)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}

void
blk_engine_config(const struct blk_engine *e, struct virtio_blk_config *cfg)
{
	uint32_t align = e->sector_size >> VIRTIO_BLK_SECTOR_SHIFT;
	uint64_t f = blk_engine_features(e);

	memset(cfg, 0, sizeof(*cfg));
	cfg->capacity = htole64(e->capacity);
	cfg->size_max = htole32(e->size_max);
	cfg->seg_max = htole32(e->seg_max);
	cfg->blk_size = htole32(e->sector_size);
	/* logical = physical block, no offset, one block minimum, no optimum */
	cfg->min_io_size = htole16(1);
	cfg->num_queues = htole16(1);
	if (f & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD)) {
		cfg->max_discard_sectors = htole32(e->max_discard_sectors);
		cfg->max_discard_seg =
			htole32(MIN(e->max_discard_seg, BLK_DWZ_SEG_MAX));
		cfg->discard_sector_alignment = htole32(align);
	}
	if (f & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES)) {
		cfg->max_write_zeroes_sectors =
			htole32(e->max_write_zeroes_sectors);
		cfg->max_write_zeroes_seg =
			htole32(MIN(e->max_write_zeroes_seg, BLK_DWZ_SEG_MAX));
		cfg->write_zeroes_may_unmap = 1;
	}
}

/* ---- Parsing ---- */

static int
decide(struct blk_req *r, uint8_t status)
{
	r->decided = true;
	r->result = status;
	return 0;
}

/*
 * Byte range of sectors [sector, sector + count) when it lies inside the
 * disk and on sector_size boundaries.
 */
static bool
blk_range_ok(const struct blk_engine *e, uint64_t sector, uint64_t count,
	     uint64_t *off, uint64_t *len)
{
	uint64_t per = e->sector_size >> VIRTIO_BLK_SECTOR_SHIFT;

	if (sector > e->capacity || count > e->capacity - sector)
		return false;
	if (sector % per || count % per)
		return false;
	*off = sector << VIRTIO_BLK_SECTOR_SHIFT;
	*len = count << VIRTIO_BLK_SECTOR_SHIFT;
	return true;
}

/* IN and OUT: the data buffers and where they go on the disk. */
static int
parse_rw(const struct blk_engine *e, struct vq_chain *c, struct blk_req *r,
	 uint64_t sector)
{
	uint64_t len;

	if (r->type == VIRTIO_BLK_T_OUT) {
		if (e->readonly)
			return decide(r, VIRTIO_BLK_S_IOERR);
		r->data = vq_chain_rd(c);
		r->ndata = c->nr_rd;
		r->data_len = c->rd_len - VIRTIO_BLK_OUTHDR_SIZE;
		iov_drop_front(&r->data, &r->ndata, VIRTIO_BLK_OUTHDR_SIZE);
	}
	/* The used length (data + status) must fit its 32 bits. */
	if (r->data_len % VIRTIO_BLK_SECTOR_SIZE || r->ndata > e->seg_max ||
	    r->data_len >= UINT32_MAX ||
	    !blk_range_ok(e, sector, r->data_len >> VIRTIO_BLK_SECTOR_SHIFT,
			  &r->off, &len))
		return decide(r, VIRTIO_BLK_S_IOERR);
	if (r->data_len == 0)
		return decide(r, VIRTIO_BLK_S_OK);
	return 0;
}

/* DISCARD and WRITE_ZEROES: copy the ranges out of guest memory, check. */
static int
parse_ranges(const struct blk_engine *e, struct vq_chain *c,
	     struct blk_req *r)
{
	bool discard = r->type == VIRTIO_BLK_T_DISCARD;
	uint64_t payload = c->rd_len - VIRTIO_BLK_OUTHDR_SIZE;
	uint32_t max_seg = discard ? e->max_discard_seg
				   : e->max_write_zeroes_seg;
	uint32_t max_sectors = discard ? e->max_discard_sectors
				       : e->max_write_zeroes_sectors;
	uint8_t raw[BLK_DWZ_SEG_MAX * VIRTIO_BLK_DWZ_SEG_SIZE];
	bool ok = true;

	if (discard ? !e->be.discard : !e->be.write_zeroes)
		return decide(r, VIRTIO_BLK_S_UNSUPP);
	if (e->readonly)
		return decide(r, VIRTIO_BLK_S_IOERR);
	if (payload == 0 || payload % VIRTIO_BLK_DWZ_SEG_SIZE ||
	    payload / VIRTIO_BLK_DWZ_SEG_SIZE > MIN(max_seg, BLK_DWZ_SEG_MAX))
		return decide(r, VIRTIO_BLK_S_IOERR);
	r->nranges = (unsigned)(payload / VIRTIO_BLK_DWZ_SEG_SIZE);
	iov_gather(vq_chain_rd(c), c->nr_rd, VIRTIO_BLK_OUTHDR_SIZE, raw,
		   payload);
	for (unsigned i = 0; i < r->nranges; i++) {
		const uint8_t *s = raw + i * VIRTIO_BLK_DWZ_SEG_SIZE;
		uint64_t sector = get_le64(s);
		uint32_t num = get_le32(s + 8), flags = get_le32(s + 12);

		/* Unknown flags, or unmap on a discard: UNSUPP wins. */
		if (flags & ~VIRTIO_BLK_DWZ_F_UNMAP ||
		    (discard && (flags & VIRTIO_BLK_DWZ_F_UNMAP)))
			return decide(r, VIRTIO_BLK_S_UNSUPP);
		r->ranges[i].unmap = flags & VIRTIO_BLK_DWZ_F_UNMAP;
		if (num > max_sectors ||
		    !blk_range_ok(e, sector, num, &r->ranges[i].off,
				  &r->ranges[i].len))
			ok = false;
	}
	return ok ? 0 : decide(r, VIRTIO_BLK_S_IOERR);
}

int
blk_req_parse(const struct blk_engine *e, struct vq *vq, struct vq_chain *c,
	      struct blk_req *r)
{
	uint8_t hdr[VIRTIO_BLK_OUTHDR_SIZE];
	struct iovec *last;
	uint64_t sector;

	memset(r, 0, sizeof(*r));
	r->head = c->head;
	if (c->wr_len == 0)
		return vq_fail(vq, "head %u: virtio-blk request without a "
			       "device-writable status byte", c->head);
	last = &vq_chain_wr(c)[c->nr_wr - 1];
	r->status = (uint8_t *)last->iov_base + last->iov_len - 1;
	/* The writable part minus the status byte: IN and GET_ID data. */
	r->data = vq_chain_wr(c);
	r->ndata = c->nr_wr;
	r->data_len = c->wr_len - 1;
	iov_drop_last_byte(r->data, &r->ndata);

	if (c->rd_len < VIRTIO_BLK_OUTHDR_SIZE)
		return decide(r, VIRTIO_BLK_S_IOERR);
	iov_gather(vq_chain_rd(c), c->nr_rd, 0, hdr, sizeof(hdr));
	r->type = get_le32(hdr);
	sector = get_le64(hdr + 8);

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return parse_rw(e, c, r, sector);
	case VIRTIO_BLK_T_FLUSH:
		return e->be.flush ? 0 : decide(r, VIRTIO_BLK_S_OK);
	case VIRTIO_BLK_T_GET_ID:
		return 0;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return parse_ranges(e, c, r);
	default:
		return decide(r, VIRTIO_BLK_S_UNSUPP);
	}
}

/* ---- Execution ---- */

static uint8_t
status_of(int rc)
{
	return rc < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

static uint8_t
exec_ranges(const struct blk_engine *e, struct blk_req *r)
{
	for (unsigned i = 0; i < r->nranges; i++) {
		const struct blk_range *g = &r->ranges[i];
		int rc;

		if (g->len == 0)
			continue;
		if (r->type == VIRTIO_BLK_T_DISCARD)
			rc = e->be.discard(e->be.ctx, g->off, g->len);
		else
			rc = e->be.write_zeroes(e->be.ctx, g->off, g->len,
						g->unmap);
		if (rc < 0)
			return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

uint8_t
blk_req_execute(const struct blk_engine *e, struct blk_req *r)
{
	uint8_t st;

	if (r->decided)
		return r->result;
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		st = status_of(e->be.read(e->be.ctx, r->off, r->data,
					  (int)r->ndata));
		if (st == VIRTIO_BLK_S_OK)
			r->written = (uint32_t)r->data_len;
		return st;
	case VIRTIO_BLK_T_OUT:
		return status_of(e->be.write(e->be.ctx, r->off, r->data,
					     (int)r->ndata));
	case VIRTIO_BLK_T_FLUSH:
		return status_of(e->be.flush(e->be.ctx));
	case VIRTIO_BLK_T_GET_ID:
		r->written = (uint32_t)iov_scatter(r->data, r->ndata, e->serial,
						   sizeof(e->serial));
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return exec_ranges(e, r);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

uint32_t
blk_req_complete(struct blk_req *r, uint8_t status)
{
	*r->status = status;
	return (status == VIRTIO_BLK_S_OK ? r->written : 0) + 1;
}

int
blk_req_handle(const struct blk_engine *e, struct vq *vq, struct vq_chain *c)
{
	struct blk_req r;
	int rc = blk_req_parse(e, vq, c, &r);

	if (rc < 0)
		return rc;
	return vq_push(vq, r.head,
		       blk_req_complete(&r, blk_req_execute(e, &r)));
}
