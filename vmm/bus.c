/* bus.c - port I/O and MMIO trap registration and dispatch to device models. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/compat.h"
#include "vmm/vm-internal.h"

int vm_trap_add(struct vm *vm, enum vm_space space, uint64_t base,
		uint64_t len, vm_trap_fn *fn, void *dev)
{
	struct bus *bus;
	size_t i;

	if ((space != VM_SPACE_PIO && space != VM_SPACE_MMIO) || !len ||
	    base + len < base || !fn)
		return -EINVAL;
	if (vm->state != VM_STATE_CREATED)
		return -EBUSY;
	bus = &vm->bus[space];
	for (i = 0; i < bus->n && bus->traps[i].base < base; i++)
		;
	if ((i > 0 && bus->traps[i - 1].base + bus->traps[i - 1].len > base) ||
	    (i < bus->n && base + len > bus->traps[i].base))
		return -EEXIST;
	if (bus->n == bus->cap) {
		size_t cap = bus->cap ? bus->cap * 2 : 16;
		struct trap *t = realloc(bus->traps, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		bus->traps = t;
		bus->cap = cap;
	}
	memmove(&bus->traps[i + 1], &bus->traps[i],
		(bus->n - i) * sizeof(*bus->traps));
	bus->traps[i] = (struct trap){ base, len, fn, dev };
	bus->n++;
	return 0;
}

static const struct trap *bus_find(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct trap *t = &bus->traps[mid];

		if (addr < t->base)
			hi = mid;
		else if (addr - t->base >= t->len)
			lo = mid + 1;
		else
			return t;
	}
	return NULL;
}

void bus_dispatch(struct vm *vm, enum vm_space space, uint64_t addr,
		  unsigned size, bool write, uint8_t *data)
{
	struct bus *bus = &vm->bus[space];
	const struct trap *t = bus_find(bus, addr);
	uint64_t val = ~0ULL;

	if (size == 0 || size > 8)
		return;
	if (!t) {
		atomic_fetch_add_explicit(&bus->unclaimed, 1,
					  memory_order_relaxed);
		if (!write)
			memset(data, 0xff, size);
		return;
	}
	if (write) {
		val = 0;
		memcpy(&val, data, size);
	}
	t->fn(t->dev, addr - t->base, size, write, &val);
	if (!write)
		memcpy(data, &val, size);
}

void bus_free(struct bus *bus)
{
	free(bus->traps);
	bus->traps = NULL;
	bus->n = bus->cap = 0;
}
