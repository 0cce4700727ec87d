# Two entry points: `make demo` and `make test`. Both install what they need first.
BUILD_DIR ?= build/release
JOBS ?= $(shell nproc)

.PHONY: deps build demo test test-asan fuzz bench package format clean

deps:
	@./ops/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Only what the demo runs is built (target demo_programs), not the test suite.
demo: deps
	@cmake --preset release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target demo_programs
	@./ops/demo.sh $(BUILD_DIR)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build build/asan -j $(JOBS)
	@cd build/asan && ctest --output-on-failure -j $(JOBS) --timeout 900

# The libFuzzer targets (clang, ASan + UBSan), each run for a bounded number of inputs.
fuzz: deps
	@cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
	@cmake --build build/fuzz -j $(JOBS) --target \
	  $$(ninja -C build/fuzz -t targets all | sed -n 's/^\([a-z0-9_]*_fuzz\): .*/\1/p' | sort -u)
	@cd build/fuzz && ctest --output-on-failure -R '\.fuzz\.'

# The Debian package, in $(BUILD_DIR)/package (tests/package/package_test.sh installs it).
package: deps
	@cmake --preset release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target package_contents
	@cd $(BUILD_DIR) && cpack --config CPackConfig.cmake -B package

bench: build
	@./tests/bench/run.sh $(BUILD_DIR)

format:
	@git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i

clean:
	@rm -rf build
