"""Runs a WASI command under wasmtime's Python API: python wasmtime_run.py FILE [ARGS]...

Each benchmark run is a fresh process, like every other runtime's, so the time includes
start-up and Cranelift compilation of the module, just as node's includes V8's.
"""

import sys

from wasmtime import Engine, ExitTrap, Linker, Module, Store, WasiConfig


def main() -> int:
    path = sys.argv[1]
    engine = Engine()
    linker = Linker(engine)
    linker.define_wasi()
    store = Store(engine)
    wasi = WasiConfig()
    wasi.argv = [path, *sys.argv[2:]]
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    wasi.preopen_dir(".", ".")
    store.set_wasi(wasi)
    instance = linker.instantiate(store, Module.from_file(engine, path))
    start = instance.exports(store)["_start"]
    try:
        start(store)
    except ExitTrap as trap:
        return trap.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
