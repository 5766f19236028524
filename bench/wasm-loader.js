// Instantiate a standalone .wasm built by emcc (--no-entry -sSTANDALONE_WASM) with stub imports.
import fs from 'node:fs';

export async function instantiateStandalone(file) {
  const bytes = fs.readFileSync(file);
  const mod = await WebAssembly.compile(bytes);
  const imports = {};
  let memoryRef = null;
  for (const imp of WebAssembly.Module.imports(mod)) {
    imports[imp.module] ??= {};
    if (imp.kind !== 'function') continue;
    if (imp.name === 'proc_exit') imports[imp.module][imp.name] = (c) => { throw new Error(`proc_exit(${c})`); };
    else if (imp.name === 'emscripten_notify_memory_growth') imports[imp.module][imp.name] = () => {};
    else if (imp.name === 'fd_write') {
      imports[imp.module][imp.name] = (fd, iov, iovcnt, pnum) => {
        const dv = new DataView(memoryRef.buffer);
        let n = 0;
        for (let i = 0; i < iovcnt; i++) n += dv.getUint32(iov + 8 * i + 4, true);
        dv.setUint32(pnum, n, true);
        return 0;
      };
    } else imports[imp.module][imp.name] = () => 0;
  }
  const inst = await WebAssembly.instantiate(mod, imports);
  memoryRef = inst.exports.memory;
  if (inst.exports._initialize) inst.exports._initialize();
  return inst.exports;
}
