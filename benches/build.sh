#!/usr/bin/env bash
# Build the Stratus benchmark programs natively and for wasm32-wasi.
#
#   benches/build.sh [OUTDIR]        (default: target/bench-programs)
#   CC=aarch64-linux-gnu-gcc NATIVE_ONLY=1 NATIVE_CFLAGS=-ffp-contract=off \
#       benches/build.sh OUTDIR       (native builds only, with another compiler:
#                                     what benches/run-aarch64 does)
#
# Produces OUTDIR/native/NAME and OUTDIR/wasm/NAME.wasm for every
# benches/programs/NAME.c, OUTDIR/free32/NAME.wasm and OUTDIR/free64/NAME.wasm for
# the array kernels (wasm32 and wasm64 without libc), plus NAME=sqlite from benches/programs/sqlite/
# linked with SQLite's amalgamation taken from the libsqlite3-sys crate's
# bundled source in the cargo registry (fetched on demand, never checked in).
# Installs clang/lld/wasi-libc with apt-get if they are missing. Idempotent:
# outputs newer than their sources are left alone.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC="$ROOT/benches/programs"
OUT=${1:-"$ROOT/target/bench-programs"}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

CC=${CC:-clang}
CFLAGS="-O2 -Wall"
# NATIVE_ONLY=1: only OUTDIR/native (another target's native code; the .wasm files
# do not depend on the host). NATIVE_CFLAGS: added to the native compiles only.
NATIVE_ONLY=${NATIVE_ONLY:-0}
NATIVE_CFLAGS=${NATIVE_CFLAGS:-}
mkdir -p "$OUT/native" "$OUT/obj"
[ "$NATIVE_ONLY" = 1 ] || mkdir -p "$OUT/wasm"
WASMFLAGS="--target=wasm32-wasi --sysroot=/usr"

# --- toolchain --------------------------------------------------------------
toolchain_ok() {
    command -v "$CC" >/dev/null 2>&1 || return 1
    [ "$NATIVE_ONLY" = 1 ] && return 0
    printf 'int main(void){return 0;}\n' >"$OUT/obj/probe.c"
    "$CC" $WASMFLAGS -O2 -o "$OUT/obj/probe.wasm" "$OUT/obj/probe.c" >/dev/null 2>&1
}
if ! toolchain_ok && [ "$NATIVE_ONLY" = 1 ]; then
    echo "build.sh: $CC not found (NATIVE_ONLY: install it, e.g. gcc-aarch64-linux-gnu)" >&2
    exit 1
elif ! toolchain_ok; then
    echo "build.sh: installing clang, lld and wasi-libc" >&2
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update
    $SUDO apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32
    toolchain_ok || { echo "build.sh: wasm32-wasi toolchain still not working" >&2; exit 1; }
fi

# stale OUTPUT INPUT... : true if OUTPUT is missing or older than any INPUT
stale() {
    local out=$1; shift
    [ -e "$out" ] || return 0
    for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
    return 1
}

# --- the C kernels ----------------------------------------------------------
for c in "$SRC"/*.c; do
    name=$(basename "$c" .c)
    if stale "$OUT/native/$name" "$c" "$SRC/bench.h"; then
        echo "native  $name"
        "$CC" $CFLAGS $NATIVE_CFLAGS -o "$OUT/native/$name" "$c" -lm
    fi
    [ "$NATIVE_ONLY" = 1 ] && continue
    if stale "$OUT/wasm/$name.wasm" "$c" "$SRC/bench.h"; then
        echo "wasm    $name"
        case $name in
            # Wasm 3.0 tail calls: Debian's clang-19, installed on demand.
            tailcall)
                command -v clang-19 >/dev/null 2>&1 || {
                    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
                    $SUDO apt-get install -y clang-19 lld-19 libclang-rt-19-dev-wasm32
                }
                clang-19 $WASMFLAGS $CFLAGS -mtail-call -o "$OUT/wasm/$name.wasm" "$c" -lm
                ;;
            *) "$CC" $WASMFLAGS $CFLAGS -o "$OUT/wasm/$name.wasm" "$c" -lm ;;
        esac
    fi
done

# --- the kernels for wasm32 and wasm64, without libc --------------------------
# wasi-libc has no wasm64, so the memory64 comparison builds the array kernels
# freestanding (bench.h, BENCH_FREESTANDING: the export run(percent) returns the
# checksum), both ways with the same flags: OUTDIR/free32/NAME.wasm and
# OUTDIR/free64/NAME.wasm. Debian's clang-19, installed on demand.
FREESTANDING="cholesky fdtd2d heat3d jacobi2d lu matmul trisolve floyd"
FREEFLAGS="-O2 -Wall -nostdlib -mbulk-memory -DBENCH_FREESTANDING -I$SRC/freestanding
  -Wl,--no-entry -Wl,--strip-debug"
if [ "$NATIVE_ONLY" != 1 ]; then
    mkdir -p "$OUT/free32" "$OUT/free64"
    for name in $FREESTANDING; do
        for bits in 32 64; do
            dest="$OUT/free$bits/$name.wasm"
            stale "$dest" "$SRC/$name.c" "$SRC/bench.h" "$SRC/freestanding/math.h" || continue
            command -v clang-19 >/dev/null 2>&1 || {
                SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
                $SUDO apt-get install -y clang-19 lld-19 libclang-rt-19-dev-wasm32
            }
            echo "wasm$bits  $name (freestanding)"
            clang-19 --target=wasm$bits $FREEFLAGS -o "$dest" "$SRC/$name.c"
        done
    done
fi

# --- SQLite -----------------------------------------------------------------
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
find_sqlite() {
    ls -d "$CARGO_HOME"/registry/src/*/libsqlite3-sys-*/sqlite3 2>/dev/null | sort -V | tail -n 1
}
SQLITE_DIR=$(find_sqlite)
if [ -z "$SQLITE_DIR" ] || [ ! -f "$SQLITE_DIR/sqlite3.c" ]; then
    echo "build.sh: fetching libsqlite3-sys (bundled SQLite source) into the cargo registry" >&2
    tmp=$(mktemp -d)
    mkdir -p "$tmp/src"
    cat >"$tmp/Cargo.toml" <<'TOML'
[package]
name = "stratus-bench-sqlite-fetch"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
libsqlite3-sys = { version = "0.30", features = ["bundled"] }
TOML
    echo 'fn main() {}' >"$tmp/src/main.rs"
    (cd "$tmp" && cargo fetch)
    rm -rf "$tmp"
    SQLITE_DIR=$(find_sqlite)
fi
[ -f "$SQLITE_DIR/sqlite3.c" ] || { echo "build.sh: no sqlite3.c found under $CARGO_HOME/registry" >&2; exit 1; }

# Same configuration for both targets, so both do the same work:
# single-threaded, no extensions or WAL, temp tables in memory, and
# LONGDOUBLE_TYPE=double so number<->text conversions agree bit for bit.
SQLITE_DEFS="-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL
  -DSQLITE_TEMP_STORE=3 -DSQLITE_DEFAULT_MEMSTATUS=0 -DLONGDOUBLE_TYPE=double"
# wasi has no mmap, getpid, signals or process clocks: use wasi-libc's emulations.
WASI_EMU="-D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_SIGNAL
  -D_WASI_EMULATED_PROCESS_CLOCKS"
WASI_EMU_LIBS="-lwasi-emulated-mman -lwasi-emulated-getpid -lwasi-emulated-signal
  -lwasi-emulated-process-clocks"

if stale "$OUT/obj/sqlite3-native.o" "$SQLITE_DIR/sqlite3.c"; then
    echo "native  sqlite3.o (from $SQLITE_DIR)"
    "$CC" -O2 -w $NATIVE_CFLAGS $SQLITE_DEFS -c -o "$OUT/obj/sqlite3-native.o" "$SQLITE_DIR/sqlite3.c"
fi
if [ "$NATIVE_ONLY" != 1 ] && stale "$OUT/obj/sqlite3-wasm.o" "$SQLITE_DIR/sqlite3.c"; then
    echo "wasm    sqlite3.o (from $SQLITE_DIR)"
    "$CC" $WASMFLAGS -O2 -w $SQLITE_DEFS $WASI_EMU -c -o "$OUT/obj/sqlite3-wasm.o" "$SQLITE_DIR/sqlite3.c"
fi
DRIVER="$SRC/sqlite/driver.c"
if stale "$OUT/native/sqlite" "$DRIVER" "$SRC/bench.h" "$OUT/obj/sqlite3-native.o"; then
    echo "native  sqlite"
    "$CC" $CFLAGS $NATIVE_CFLAGS -I"$SQLITE_DIR" -o "$OUT/native/sqlite" "$DRIVER" "$OUT/obj/sqlite3-native.o" -lm
fi
if [ "$NATIVE_ONLY" != 1 ] && stale "$OUT/wasm/sqlite.wasm" "$DRIVER" "$SRC/bench.h" "$OUT/obj/sqlite3-wasm.o"; then
    echo "wasm    sqlite"
    "$CC" $WASMFLAGS $CFLAGS -I"$SQLITE_DIR" -o "$OUT/wasm/sqlite.wasm" "$DRIVER" \
        "$OUT/obj/sqlite3-wasm.o" $WASI_EMU_LIBS -lm
fi

if [ "$NATIVE_ONLY" = 1 ]; then
    echo "build.sh: programs in $OUT/native ($CC)"
else
    echo "build.sh: programs in $OUT/native and $OUT/wasm"
fi
