# fuzz.mk - libFuzzer targets (clang): "make fuzz" builds them, "make fuzz-run" runs each for FUZZ_TIME seconds.
#
# A fuzzer NAME is tests/fuzz/fuzz-NAME.c plus the sources it links
# (FUZZ_SRCS_NAME), the headers it depends on (FUZZ_DEPS_NAME), optional
# seed folders (FUZZ_SEEDS_NAME), optional extra libraries (FUZZ_LIBS_NAME)
# and an optional dictionary (FUZZ_DICT_NAME, by default tests/fuzz/NAME.dict
# when it exists). Add NAME to FUZZ_NAMES.
# Each run prints "PASS: fuzz/fuzz-NAME" or "FAIL: fuzz/fuzz-NAME: ..." so
# that tests/run can count it; a crash input is kept as $(BUILD)/fuzz/crash-*.

FUZZ_CC ?= clang
FUZZ_TIME ?= 10
FUZZ_CFLAGS := -std=gnu11 $(WARN) -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I. -D_GNU_SOURCE

FUZZ_NAMES += import
FUZZ_SRCS_import := profiles/import.c profiles/shell-words.c vmm/compat.c
FUZZ_DEPS_import := profiles/import.h profiles/shell-words.h
FUZZ_SEEDS_import := tests/import

FUZZ_NAMES += profile
FUZZ_SRCS_profile := profiles/profile.c profiles/errors.c profiles/schema.c \
	profiles/validate.c vmm/compat.c vmm/config.c
FUZZ_DEPS_profile := profiles/profile.h profiles/schema.h vmm/vmm.h
FUZZ_SEEDS_profile := tests/profiles/invalid tests/profiles/valid
FUZZ_NAMES += profile-doc
FUZZ_SRCS_profile-doc := profiles/profile-doc.c profiles/profile-doc-save.c profiles/safe-file.c vmm/compat.c
FUZZ_DEPS_profile-doc := profiles/profile-doc.h profiles/profile-doc-internal.h profiles/safe-file.h
FUZZ_SEEDS_profile-doc := tests/profiles/valid
FUZZ_DICT_profile-doc := tests/fuzz/profile.dict
FUZZ_NAMES += console
FUZZ_SRCS_console := tui/vterm-pane.c tui/vterm-guard.c tui/scrollback.c tui/term-colors.c vmm/compat.c
FUZZ_DEPS_console := tui/vterm-pane.h tui/scrollback.h tui/term-colors.h tui/keys.h
FUZZ_LIBS_console := $(TUI_PKGS_LIBS)
FUZZ_NAMES += virtqueue
FUZZ_SRCS_virtqueue := devices/virtqueue.c vmm/compat.c
FUZZ_DEPS_virtqueue := devices/virtqueue.h devices/virtio-defs.h tests/fuzz/fuzz-vq-input.h tests/unit/virtq-fake.h
FUZZ_SEEDS_virtqueue := tests/fuzz/seeds-virtqueue

FUZZ_NAMES += virtio-blk
FUZZ_SRCS_virtio-blk := devices/virtqueue.c devices/virtio-blk-req.c devices/iov.c vmm/compat.c
FUZZ_DEPS_virtio-blk := devices/virtqueue.h devices/virtio-blk-req.h devices/iov.h devices/virtio-defs.h tests/fuzz/fuzz-vq-input.h tests/unit/virtq-fake.h tests/unit/blk-memdisk.h
FUZZ_SEEDS_virtio-blk := tests/fuzz/seeds-virtio-blk

FUZZ_NAMES += lz4
FUZZ_SRCS_lz4 := vmm/lz4.c
FUZZ_DEPS_lz4 := vmm/lz4.h vmm/compat.h tests/unit/lz4-pieces.h
FUZZ_NAMES += pci-config
FUZZ_SRCS_pci-config := devices/pci-cfg.c devices/pci-bus.c devices/pci-dev.c devices/pci-msix.c vmm/compat.c
FUZZ_DEPS_pci-config := devices/pci.h devices/pci-internal.h devices/pci-msix.h vmm/layout.h

# (add new fuzzers above this line)

# fuzz_rule NAME: the build rule of one fuzzer.
define fuzz_rule
$(BUILD)/fuzz/fuzz-$(1): tests/fuzz/fuzz-$(1).c $(FUZZ_SRCS_$(1)) $(FUZZ_DEPS_$(1))
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ tests/fuzz/fuzz-$(1).c $(FUZZ_SRCS_$(1)) $(FUZZ_LIBS_$(1)) $(LDLIBS)
endef

.PHONY: fuzz fuzz-run
fuzz: $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz-%)

# fuzz-run: every fuzzer, one after the other, each for FUZZ_TIME seconds.
fuzz-run: fuzz
	@$(foreach n,$(FUZZ_NAMES),$(call fuzz_run_one,$(n));)

# fuzz_run_one NAME: one short run, seeded and with its dictionary if any.
fuzz_run_one = \
	f=$(BUILD)/fuzz/fuzz-$(1); mkdir -p $(BUILD)/fuzz/corpus-$(1); \
	d=$(or $(FUZZ_DICT_$(1)),tests/fuzz/$(1).dict); \
	dict=; [ -f $$d ] && dict=-dict=$$d; \
	if $$f -max_total_time=$(FUZZ_TIME) -timeout=60 $$dict \
	    -artifact_prefix=$(BUILD)/fuzz/ \
	    $(BUILD)/fuzz/corpus-$(1) $(FUZZ_SEEDS_$(1)) \
	    >$(BUILD)/fuzz/fuzz-$(1).log 2>&1; then \
		echo "PASS: fuzz/fuzz-$(1)"; \
	else \
		echo "FAIL: fuzz/fuzz-$(1): see $(BUILD)/fuzz/fuzz-$(1).log"; \
		tail -n 30 $(BUILD)/fuzz/fuzz-$(1).log; \
	fi

$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_rule,$(n))))
