# fuzz.mk - libFuzzer targets (clang): "make fuzz" builds them, "make fuzz-run" runs each for FUZZ_TIME seconds.
#
# Each fuzzer prints "PASS: fuzz/NAME" or "FAIL: fuzz/NAME: ..." so that
# tests/run can count it; a crash input is kept as $(BUILD)/fuzz/crash-*.

FUZZ_CC ?= clang
FUZZ_TIME ?= 10
FUZZ_CFLAGS := -std=gnu11 $(WARN) -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I. -D_GNU_SOURCE

FUZZ_IMPORT_SRCS := tests/fuzz/fuzz-import.c profiles/import.c \
	profiles/shell-words.c vmm/compat.c

$(BUILD)/fuzz/fuzz-import: $(FUZZ_IMPORT_SRCS) profiles/import.h \
		profiles/shell-words.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_IMPORT_SRCS) -linih

# seeds and dictionary of each fuzzer
FUZZ_SEEDS_fuzz-import := tests/import
FUZZ_DICT_fuzz-import := tests/fuzz/import.dict

FUZZERS += $(BUILD)/fuzz/fuzz-import

.PHONY: fuzz fuzz-run
fuzz: $(FUZZERS)

fuzz-run: $(FUZZERS)
	@for f in $(FUZZERS); do \
		n=$$(basename $$f); \
		mkdir -p $(BUILD)/fuzz/corpus-$$n; \
		seeds=; dict=; \
		case $$n in \
		fuzz-import) seeds="$(FUZZ_SEEDS_fuzz-import)"; \
			dict="-dict=$(FUZZ_DICT_fuzz-import)" ;; \
		esac; \
		if $$f -max_total_time=$(FUZZ_TIME) $$dict \
		    -artifact_prefix=$(BUILD)/fuzz/ \
		    $(BUILD)/fuzz/corpus-$$n $$seeds \
		    >$(BUILD)/fuzz/$$n.log 2>&1; then \
			echo "PASS: fuzz/$$n"; \
		else \
			echo "FAIL: fuzz/$$n: see $(BUILD)/fuzz/$$n.log"; \
			tail -n 30 $(BUILD)/fuzz/$$n.log; \
		fi; \
	done
