#!/bin/sh
# Rebuilds the Wasm 3.0 test programs and the outputs their native builds give. The
# .wasm and .out files are checked in, so `cargo test` needs no C toolchain. Needs
# Debian's clang-19 and lld-19, wasi-libc and compiler-rt for wasm32 (apt-get install
# clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32).
set -eu
cd "$(dirname "$0")"
CC=clang-19
native=$(mktemp -d)
trap 'rm -rf "$native"' EXIT

# Tail calls: the benchmark's bytecode interpreter, whose handlers' musttail calls
# become return_call_indirect; at 1% of its full work.
$CC --target=wasm32-wasi --sysroot=/usr -O2 -mtail-call -Wall -Wextra -Wl,--strip-debug \
    -o tailcall.wasm ../../../benches/programs/tailcall.c
$CC -O2 -Wall -Wextra -o "$native/tailcall" ../../../benches/programs/tailcall.c
"$native/tailcall" percent=1 >tailcall.out

# Memory64: freestanding, no libc; the export `run` takes the rounds.
$CC --target=wasm64 -O2 -nostdlib -Wall -Wextra -Wl,--no-entry -Wl,--export=run -Wl,--strip-debug \
    -o wasm64.wasm wasm64.c
$CC -O2 -Wall -Wextra -o "$native/wasm64" wasm64.c
"$native/wasm64" >wasm64.out

# Relaxed SIMD intrinsics; natively, the scalar versions.
$CC --target=wasm32-wasi --sysroot=/usr -O2 -msimd128 -mrelaxed-simd -Wall -Wextra -Wl,--strip-debug \
    -o relaxed.wasm relaxed.c
$CC -O2 -Wall -Wextra -o "$native/relaxed" relaxed.c
"$native/relaxed" >relaxed.out
