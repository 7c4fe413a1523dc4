# guests.mk - builds the test guests as bzImages (Linux x86 boot protocol); included by Makefile.

GUEST_CC ?= gcc
GUEST_OBJCOPY ?= objcopy
GUEST_AR ?= ar
GUEST_DIR := tests/guests
GUEST_OUT := $(BUILD)/guests
GUEST_NAMES := hello echo smp reboot-count crash internal demo flood
# Extra sources (without suffix, under $(GUEST_DIR)) of one guest.
GUEST_EXTRA_smp := smp-trampoline
GUEST_LIB := head serial fmt acpi apic trap-entry trap platform bootparams \
	line-input pci virtio-blk paging

GUEST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wshadow \
	-Wno-unused-parameter -O2 -g -ffreestanding -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fcf-protection=none -fno-tree-loop-distribute-patterns \
	-Wa,--noexecstack -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
GUEST_LDSCRIPT := $(GUEST_DIR)/lib/guest.ld

GUEST_LIB_OBJS := $(filter-out $(GUEST_OUT)/obj/lib/head.o, \
	$(GUEST_LIB:%=$(GUEST_OUT)/obj/lib/%.o))
GUEST_IMAGES := $(GUEST_NAMES:%=$(GUEST_OUT)/%.bzImage)

guests: $(GUEST_IMAGES)

$(GUEST_OUT)/obj/%.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_OUT)/obj/%.o: $(GUEST_DIR)/%.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_OUT)/libguest.a: $(GUEST_LIB_OBJS)
	rm -f $@
	$(GUEST_AR) rcs $@ $^

# One link rule per guest: head.o first, the guest, its extras, the library.
define GUEST_LINK
$(GUEST_OUT)/$(1).elf: $(GUEST_OUT)/obj/lib/head.o $(GUEST_OUT)/obj/$(1).o \
		$(GUEST_EXTRA_$(1):%=$(GUEST_OUT)/obj/%.o) \
		$(GUEST_OUT)/libguest.a $(GUEST_LDSCRIPT)
	$$(GUEST_CC) $$(GUEST_LDFLAGS) -T $(GUEST_LDSCRIPT) -o $$@ \
		$$(filter %.o %.a,$$^)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call GUEST_LINK,$(g))))

# The file is the link's image by load address: setup sectors, then the kernel.
$(GUEST_OUT)/%.bzImage: $(GUEST_OUT)/%.elf
	$(GUEST_OBJCOPY) -O binary $< $@

.SECONDARY: $(GUEST_NAMES:%=$(GUEST_OUT)/%.elf)

-include $(wildcard $(GUEST_OUT)/obj/*.d $(GUEST_OUT)/obj/lib/*.d)
