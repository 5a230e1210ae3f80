"""Builds what is measured: the three Stratus builds, the JIT's compile-speed example,
the benchmark programs, hello world."""

import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from common import HARNESS, REPO, note, setup


@dataclass
class Build:
    """One build of the `stratus` binary: its cargo features and its own target dir, so
    the builds never evict each other's artifacts (and incremental rebuilds stay fast)."""
    name: str
    features: list[str]  # cargo arguments after `cargo build --release`
    target_dir: str  # relative to the repository
    describe: str

    @property
    def binary(self) -> Path:
        return REPO / self.target_dir / "release/stratus"


BUILDS = [
    Build("default", [], "target", "cargo build --release: WASI, the JIT, the text format, spectest"),
    Build("interp-only", ["--no-default-features", "--features", "wasi"], "target/interp-only",
          "--no-default-features --features wasi: the interpreter and WASI, no compiler"),
    Build("smallest", ["--no-default-features"], "target/smallest",
          "--no-default-features: runs a binary module in the interpreter, no WASI"),
]
STRATUS = BUILDS[0].binary
# This machine's architecture as the JIT's back-ends are named (x86-64 only so far).
ARCH = {"x86_64": "x86-64", "amd64": "x86-64", "aarch64": "AArch64", "arm64": "AArch64"}.get(
    platform.machine().lower(), platform.machine())
# The baseline JIT's compile throughput, `jit-x64/examples/compile_speed.rs`, built into
# the default build's target dir; x86-64 only, like that back-end.
COMPILE_SPEED = REPO / "target/release/examples/compile_speed"


@dataclass
class Program:
    name: str
    native: Path
    wasm: Path


def build_stratus(logs: Path) -> bool:
    """All three builds and the compile-speed example; only the default build is
    needed for a run, the others only give a size or a figure, so their failure is a
    note."""
    ok = True
    for build in BUILDS:
        # --target-dir always, so a CARGO_TARGET_DIR in the environment cannot leave the
        # harness measuring a stale binary.
        built = setup(["cargo", "build", "--release", *build.features, "--target-dir", build.target_dir],
                      logs / f"cargo-{build.name}.log")
        if build.name == "default":
            ok = built
        elif not built:
            note(f"{build.name} build failed: its size will be missing")
    if ARCH == "x86-64" and not setup(
        ["cargo", "build", "--release", "-p", "stratus-jit-x64", "--example", "compile_speed", "--target-dir", "target"],
        logs / "cargo-compile-speed.log",
    ):
        note("the compile_speed example failed to build: no compile throughput")
    return ok


def build_programs(outdir: Path, logs: Path) -> bool:
    script = REPO / "benches/build.sh"
    if not script.exists():
        note("benches/build.sh does not exist yet: using whatever is already in the output directory")
        return False
    return setup(["bash", str(script), str(outdir)], logs / "build-programs.log")


def find_programs(outdir: Path) -> list[Program]:
    """Every program built both ways; one built only one way cannot be compared, so it
    is reported and left out."""
    programs = []
    wasm_dir, native_dir = outdir / "wasm", outdir / "native"
    for wasm in sorted(wasm_dir.glob("*.wasm")) if wasm_dir.is_dir() else []:
        native = native_dir / wasm.stem
        if native.exists():
            programs.append(Program(wasm.stem, native, wasm))
        else:
            note(f"{wasm.stem}: no native build, skipped")
    return programs


def build_hello(outdir: Path, logs: Path) -> Program | None:
    """The start-up probe, built by the harness itself so start-up is measured even
    when no benchmark program is a plain hello world."""
    src = HARNESS / "hello.c"
    dest = outdir / "startup"
    dest.mkdir(parents=True, exist_ok=True)
    native, wasm = dest / "hello", dest / "hello.wasm"
    ok = setup(["clang", "-O2", str(src), "-o", str(native)], logs / "hello-native.log")
    ok = ok and setup(
        ["clang", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", str(src), "-o", str(wasm)],
        logs / "hello-wasm.log",
    )
    return Program("hello", native, wasm) if ok else None


def stripped_size(build: Build, scratch: Path) -> dict | None:
    """Sizes of a build's binary as built and after `strip` of a copy (the build stays
    intact)."""
    binary = build.binary
    if not binary.exists():
        return None
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / f"stratus-{build.name}"
    shutil.copyfile(binary, copy)
    stripped = None
    if subprocess.run(["strip", str(copy)], capture_output=True).returncode == 0:
        stripped = copy.stat().st_size
    return {"path": str(binary.relative_to(REPO)), "features": " ".join(build.features) or "(default)",
            "bytes": binary.stat().st_size, "stripped_bytes": stripped}
