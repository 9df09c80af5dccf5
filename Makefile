# SPDX-License-Identifier: BSD-2-Clause
# qtpm — thin wrapper over CMake/CTest. Every target first installs missing
# Debian packages (scripts/deps.sh), so a fresh Debian 12 machine needs only
# `make demo` or `make check`.
#
#   make demo    build if needed and run the device-management demo
#   make demo-tpm  the QR-TPM flows demo (qtpm-demo)
#   make demo-wallet  the wallet story (scripts/demo-wallet.sh)
#   make demo-daa  the activity-tracker story: anonymous attestation with
#                ECDAA and the lattice DAA (scripts/demo-daa.sh)
#   make check   build and run every test: normal build (gcc), then
#                ASan+UBSan build (clang); the constant-time test runs in the
#                normal build only (valgrind and ASan do not mix)
#   make bench   build and run the benchmarks, writing bench/results/
#   make bench-scale  qtpm-swarm against qtpm-nms on PostgreSQL, 1k-10k routers
#                (docs/SWARM.md), writing bench/results/scale.*
#   make experiment  the traffic-diversion experiment on real Linux routing
#                (root; netlab/, docs/ROUTING.md), writing bench/results/routing.*
#   make crash-test  the state journal killed 1000 times during NV writes
#                (bench/results/crash.json; make check runs 100 kills)
#   make fuzz    long libFuzzer runs, FUZZ_SECONDS=600 (make check runs them
#                for about a minute)
#   make install PREFIX=/usr/local  build for PREFIX and install there
#                (programs, headers, shared libraries, pkg-config files, man
#                pages, bash completion, systemd units; DESTDIR works too)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=

.PHONY: all deps install build build-asan build-portable build-fuzz check-fuzz check check-normal check-asan demo demo-tpm demo-wallet demo-daa bench bench-scale fuzz clean experiment crash-test

all: build

deps:
	@sh scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	      -DCMAKE_C_COMPILER=clang -DQTPM_SANITIZE=ON $(CMAKE_FLAGS)

build-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)

PREFIX ?= /usr/local
INSTALL_BUILD ?= build-install

install: deps
	cmake -S . -B $(INSTALL_BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc \
	      -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)
	cmake --build $(INSTALL_BUILD) -j $(JOBS)
	cmake --install $(INSTALL_BUILD)

# Debian's kernel for the VM tests (tests/vm/), fetched once per build directory.
check-normal: build
	sh scripts/vm-kernel.sh $(BUILD)/vm-cache
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@echo "Wycheproof vectors exercised (from the test log):"
	@grep -h ': [0-9]* vectors (' $(BUILD)/Testing/Temporary/LastTest.log | sed 's/^/  /'

check-asan: build-asan
	sh scripts/vm-kernel.sh $(ASAN_BUILD)/vm-cache
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j $(JOBS)

FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600

$(FUZZ_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	      -DCMAKE_C_COMPILER=clang -DQTPM_FUZZ=ON -DQTPM_SANITIZE=ON $(CMAKE_FLAGS)

build-fuzz: deps $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all

# libFuzzer (ASan+UBSan) over qtpm_tpm_execute() and the server's frame
# parsers: every seed, then about a minute of new inputs.
check-fuzz: build-fuzz
	cd $(FUZZ_BUILD) && ctest --output-on-failure -L fuzz

check: check-normal check-fuzz check-asan

# The device-management story (scripts/demo-dm.sh): vendor, NMS, three
# routers, enrolment, attestation, an attack; then trust-aware routing on the
# seeds' network of FRR routers (scripts/demo-routing.py): an attack on R2
# moves R1's route round it, and the dashboard's login links. The TPM flows
# demo is demo-tpm. The NMS takes only the hybrid post-quantum TLS groups,
# so Python's TLS client (the routing half's HTTPS calls) loads
# qtpm-provider through the build's OpenSSL configuration.
demo: build
	sh scripts/demo-dm.sh $(BUILD)
	OPENSSL_CONF=$(abspath $(BUILD))/qtpm-provider-test.cnf python3 scripts/demo-routing.py $(BUILD)

demo-tpm: build
	./$(BUILD)/src/cli/qtpm-demo

# The traffic-diversion experiment (docs/ROUTING.md): the seeds' topology on network
# namespaces with FRR, 20 repetitions per policy mode of 7 s of UDP with an attack at
# 1 s; results to bench/results/routing.{json,md}, the plot to docs/routing-traffic.png.
# Needs root. EXPERIMENT_REPS=N for fewer or more repetitions.
EXPERIMENT_REPS ?= 20
experiment: build
	python3 netlab/experiment --build $(BUILD) --reps $(EXPERIMENT_REPS) --duration 7 \
	    --out bench/results/routing --plot docs/routing-traffic.png

# The NMS scale benchmark (docs/SWARM.md): a curve of 1000-5000 routers for 60 s each, then
# 10000 routers for 5 minutes after enrolment, each router attesting every 2 s; results to
# bench/results/scale.{json,md}. SCALE_WORKERS="1 2 3" for several NMS workers; the other
# SCALE_* variables are in bench/scale/bench.sh.
bench-scale: build
	sh bench/scale/bench.sh $(BUILD)

# The wallet story (scripts/demo-wallet.sh, docs/WALLET.md).
demo-wallet: build
	sh scripts/demo-wallet.sh $(BUILD)

# The tracker story (scripts/demo-daa.sh, docs/DAA.md "The tracker demo").
demo-daa: build
	sh scripts/demo-daa.sh $(BUILD)

PORTABLE_BUILD ?= build-portable

$(PORTABLE_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(PORTABLE_BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc \
	      -DQTPM_PORTABLE=ON $(CMAKE_FLAGS)

build-portable: deps $(PORTABLE_BUILD)/CMakeCache.txt
	cmake --build $(PORTABLE_BUILD) -j $(JOBS) --target qtpm-bench-crypto

# The crypto core twice: with the CPU's best Keccak (AVX2/AVX-512 when
# present) and in portable C only.
bench: build build-portable
	./$(BUILD)/bench/qtpm-bench-crypto --runs 1000 --json bench/results/crypto.json
	./$(PORTABLE_BUILD)/bench/qtpm-bench-crypto --runs 1000 --json bench/results/crypto-portable.json
	./$(BUILD)/bench/qtpm-bench-tpm --runs 200 --keygen-runs 20 --json bench/results/tpm.json
	./$(BUILD)/bench/qtpm-bench-flows --runs 100 --json bench/results/flows.json --md bench/results/flows.md
	./$(BUILD)/bench/qtpm-bench-attest --runs 101 --json bench/results/attest.json
	./$(BUILD)/bench/qtpm-bench-dm --runs 100 --json bench/results/dm.json --md bench/results/dm.md
	./$(BUILD)/bench/qtpm-bench-tls --runs 1000 --module-dir $(BUILD)/ossl-modules \
	    --json bench/results/tls_groups.json --md bench/results/tls_groups.md
	sh bench/tls_tpmkeys.sh $(BUILD) bench/results/tls_tpmkeys 300
	./$(BUILD)/bench/qtpm-bench-daa --runs 50 --json bench/results/daa.json --md bench/results/daa.md
	sh bench/ztp.sh $(BUILD) 15

# The state journal killed 1000 times during NV writes (tests/server/
# test_crash_journal.py; make check runs 100), results in bench/results/crash.json.
crash-test: build
	python3 tests/server/test_crash_journal.py $(BUILD)/src/server/qtpm-server 1000 \
	    --json bench/results/crash.json

fuzz: build-fuzz
	mkdir -p $(FUZZ_BUILD)/corpus-long
	./$(FUZZ_BUILD)/tests/fuzz/fuzz_execute -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 $(FUZZ_BUILD)/corpus-long tests/fuzz/corpus
	mkdir -p $(FUZZ_BUILD)/frames-long
	./$(FUZZ_BUILD)/tests/fuzz/fuzz_server_frames -max_total_time=$$(( $(FUZZ_SECONDS) / 2 )) \
	    -timeout=10 $(FUZZ_BUILD)/frames-long tests/fuzz/corpus-frames

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(PORTABLE_BUILD) $(FUZZ_BUILD) $(INSTALL_BUILD)

# The long VM test (docs/VTPM.md): tpm-tis and tpm-crb, qtpm-server and
# swtpm, three boots each, boot-to-IMA-list times in bench/results/vtpm.*.
.PHONY: check-vm
check-vm: build
	sh scripts/vm-kernel.sh $(BUILD)/vm-cache
	sh tests/vm/check-vm.sh $(BUILD)
	sh tests/netlab/netlab_vm_bench.sh $(BUILD)
