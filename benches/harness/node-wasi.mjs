// Runs a WASI preview1 command under Node's V8: node node-wasi.mjs FILE [ARGS]...
// argv[0] is FILE as written (as with stratus and wasmtime); the current directory is
// preopened as "." so programs may use files the same way under every runtime.
import { readFile } from 'node:fs/promises';
import { argv, exit } from 'node:process';
import { WASI } from 'node:wasi';

const [file, ...args] = argv.slice(2);
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env: {},
  preopens: { '.': '.' },
  returnOnExit: true, // proc_exit returns its code here instead of killing node mid-write
});
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
