#!/bin/sh
# Rebuilds the test programs' .wasm files from their C sources. The .wasm files are
# checked in, so `cargo test` needs no C toolchain; run this after changing a source.
# Needs clang, lld and wasi-libc (Debian: apt-get install clang lld wasi-libc
# libclang-rt-dev-wasm32).
set -eu
cd "$(dirname "$0")"
for src in *.c; do
    clang --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Wl,--strip-debug -o "${src%.c}.wasm" "$src"
done
