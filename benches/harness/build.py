"""Builds what is measured: both Stratus builds, the benchmark programs, hello world."""

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from common import HARNESS, REPO, note, setup

STRATUS = REPO / "target/release/stratus"
# The interpreter-only build has its own target dir so the two builds never evict
# each other's artifacts (and incremental rebuilds of both stay fast).
STRATUS_INTERP_ONLY = REPO / "target/interp-only/release/stratus"


@dataclass
class Program:
    name: str
    native: Path
    wasm: Path


def build_stratus(logs: Path) -> bool:
    ok = setup(["cargo", "build", "--release"], logs / "cargo-default.log")
    ok_interp = setup(
        ["cargo", "build", "--release", "--no-default-features", "--features", "wasi",
         "--target-dir", "target/interp-only"],
        logs / "cargo-interp-only.log",
    )
    if not ok_interp:
        note("interpreter-only build failed: its size will be missing")
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


def stripped_size(binary: Path, scratch: Path) -> dict | None:
    """Sizes of a binary as built and after `strip` of a copy (the build stays intact)."""
    if not binary.exists():
        return None
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / (binary.parent.parent.name + "-stratus-stripped")
    shutil.copyfile(binary, copy)
    stripped = None
    if subprocess.run(["strip", str(copy)], capture_output=True).returncode == 0:
        stripped = copy.stat().st_size
    return {"path": str(binary.relative_to(REPO)), "bytes": binary.stat().st_size, "stripped_bytes": stripped}
