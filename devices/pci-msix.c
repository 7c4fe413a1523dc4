/* pci-msix.c - MSI-X: the capability, the vector table and PBA, masking, pending bits and delivery through routes. */
#include <errno.h>
#include <string.h>

#include "devices/pci-msix.h"

#define MSIX_CAP_CTRL	2	/* offsets inside the capability */
#define MSIX_CAP_TABLE	4
#define MSIX_CAP_PBA	8

int
pci_msix_init(struct pci_msix *m, struct pci_dev *pd, unsigned nvec,
	      unsigned bar, uint32_t table_off, uint32_t pba_off,
	      const struct pci_msix_ops *ops, void *ctx)
{
	uint8_t cap[PCI_MSIX_CAP_LEN] = { PCI_CAP_ID_MSIX };
	int off;

	if (nvec == 0 || nvec > PCI_MSIX_MAX || bar >= PCI_BARS ||
	    (table_off & 7) || (pba_off & 7) || ops == NULL)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	cap[MSIX_CAP_CTRL] = (uint8_t)(nvec - 1);
	cap[MSIX_CAP_CTRL + 1] = (uint8_t)((nvec - 1) >> 8);
	for (unsigned i = 0; i < 4; i++) {
		cap[MSIX_CAP_TABLE + i] = (uint8_t)((table_off | bar) >> (8 * i));
		cap[MSIX_CAP_PBA + i] = (uint8_t)((pba_off | bar) >> (8 * i));
	}
	off = pci_dev_add_cap(pd, cap, sizeof(cap));
	if (off < 0)
		return off;
	/* Only Enable and Function Mask are writable. */
	pd->cfg.wmask[off + MSIX_CAP_CTRL + 1] = 0xc0;
	pd->power_on = pd->cfg;
	if (pthread_mutex_init(&m->lock, NULL) != 0)
		return -ENOMEM;
	m->pd = pd;
	m->cap_off = (unsigned)off;
	m->nvec = nvec;
	m->ops = ops;
	m->ctx = ctx;
	for (unsigned i = 0; i < nvec; i++)
		m->vec[i].ctrl = PCI_MSIX_VEC_MASKED;
	pd->msix = m;
	return 0;
}

void
pci_msix_destroy(struct pci_msix *m)
{
	if (m->pd != NULL)
		pthread_mutex_destroy(&m->lock);
	m->pd = NULL;
}

static bool
msix_deliverable(const struct pci_msix *m, unsigned v)
{
	return m->enabled && !m->masked &&
	       !(m->vec[v].ctrl & PCI_MSIX_VEC_MASKED);
}

/* Sends vector v (lock held): brings its route up to date first. */
static void
msix_send(struct pci_msix *m, unsigned v)
{
	struct pci_msix_vec *e = &m->vec[v];
	uint64_t addr = (uint64_t)e->addr_hi << 32 | e->addr_lo;

	if (!e->routed || e->r_addr != addr || e->r_data != e->data) {
		if (m->ops->route(m->ctx, v, addr, e->data) < 0)
			return;
		e->routed = true;
		e->r_addr = addr;
		e->r_data = e->data;
	}
	m->ops->fire(m->ctx, v);
}

/* Delivers what became deliverable (lock held). */
static void
msix_flush_pending(struct pci_msix *m)
{
	for (unsigned v = 0; v < m->nvec; v++) {
		if ((m->pending & (1ull << v)) && msix_deliverable(m, v)) {
			m->pending &= ~(1ull << v);
			msix_send(m, v);
		}
	}
}

void
pci_msix_table_access(struct pci_msix *m, uint64_t off, unsigned size,
		      bool write, uint64_t *val)
{
	unsigned v = (unsigned)(off / PCI_MSIX_ENTRY_SIZE);
	unsigned word = (unsigned)(off % PCI_MSIX_ENTRY_SIZE) / 4;
	uint32_t *w;

	if (!write)
		*val = 0;
	/* Dword or aligned qword accesses inside the table only. */
	if ((size != 4 && size != 8) || (off & (size - 1)) ||
	    off >= PCI_MSIX_TABLE_BYTES((uint64_t)m->nvec))
		return;
	pthread_mutex_lock(&m->lock);
	w = &m->vec[v].addr_lo;
	if (write) {
		w[word] = (uint32_t)*val;
		if (size == 8)
			w[word + 1] = (uint32_t)(*val >> 32);
		m->vec[v].ctrl &= PCI_MSIX_VEC_MASKED;
		msix_flush_pending(m);
	} else {
		*val = w[word];
		if (size == 8)
			*val |= (uint64_t)w[word + 1] << 32;
	}
	pthread_mutex_unlock(&m->lock);
}

void
pci_msix_pba_access(struct pci_msix *m, uint64_t off, unsigned size,
		    bool write, uint64_t *val)
{
	if (write)
		return;	/* read-only */
	*val = 0;
	if ((size != 4 && size != 8) || (off & (size - 1)) ||
	    off >= PCI_MSIX_PBA_BYTES((uint64_t)m->nvec))
		return;
	pthread_mutex_lock(&m->lock);
	*val = m->pending >> (8 * off);
	if (size == 4)
		*val &= 0xffffffffu;
	pthread_mutex_unlock(&m->lock);
}

void
pci_msix_cfg_written(struct pci_msix *m)
{
	uint16_t ctrl = (uint16_t)pci_cfg_read(&m->pd->cfg,
					       m->cap_off + MSIX_CAP_CTRL, 2);

	pthread_mutex_lock(&m->lock);
	m->enabled = ctrl & PCI_MSIX_CTRL_ENABLE;
	m->masked = ctrl & PCI_MSIX_CTRL_MASKALL;
	msix_flush_pending(m);
	pthread_mutex_unlock(&m->lock);
}

void
pci_msix_reset(struct pci_msix *m)
{
	pthread_mutex_lock(&m->lock);
	m->enabled = m->masked = false;
	m->pending = 0;
	for (unsigned v = 0; v < m->nvec; v++) {
		m->vec[v].addr_lo = m->vec[v].addr_hi = m->vec[v].data = 0;
		m->vec[v].ctrl = PCI_MSIX_VEC_MASKED;
	}
	pthread_mutex_unlock(&m->lock);
}

bool
pci_msix_enabled(struct pci_msix *m)
{
	bool on;

	pthread_mutex_lock(&m->lock);
	on = m->enabled;
	pthread_mutex_unlock(&m->lock);
	return on;
}

bool
pci_msix_notify(struct pci_msix *m, unsigned vec)
{
	bool on;

	if (vec >= m->nvec)
		return false;
	pthread_mutex_lock(&m->lock);
	on = m->enabled;
	if (on) {
		if (msix_deliverable(m, vec))
			msix_send(m, vec);
		else
			m->pending |= 1ull << vec;
	}
	pthread_mutex_unlock(&m->lock);
	return on;
}
