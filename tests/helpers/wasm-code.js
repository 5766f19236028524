// wasm-code.js: a small reader of a WebAssembly module's code, for the test that the scalar build
// holds no SIMD and the SIMD build does. It walks the sections, and in the code section decodes
// every instruction of every function body with its immediates (MVP, sign extension, saturating
// conversions, bulk memory, reference types, tail calls, SIMD, atomics), so a 0xfd byte inside an
// immediate is never taken for the SIMD prefix. An opcode it does not know, or a body that does
// not end exactly at its size with `end`, throws: the count is exact or there is none.

const VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);
const V128 = 0x7b;

class Reader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }

  byte() {
    if (this.at >= this.bytes.length) throw new Error(`wasm-code: read past the end at ${this.at}`);
    return this.bytes[this.at++];
  }

  /** An unsigned or signed LEB128 number (the value only for sizes that fit a double). */
  leb() {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error(`wasm-code: LEB128 longer than 10 bytes before ${this.at}`);
  }

  skip(n) {
    this.at += n;
    if (this.at > this.bytes.length) throw new Error('wasm-code: read past the end');
  }
}

function memarg(r) {
  const align = r.leb();
  if (align & 0x40) r.leb(); // multi-memory: a memory index follows
  r.leb(); // offset
}

function blocktype(r) {
  const b = r.bytes[r.at];
  if (b === 0x40 || VALTYPES.has(b)) {
    if (b === V128) r.v128Types++;
    r.at++;
  } else {
    r.leb(); // a type index (s33)
  }
}

/** Decodes one instruction at r.at; returns true when it was SIMD (0xfd prefix). */
function instruction(r) {
  const op = r.byte();
  r.lastOp = op;
  if (op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b
      || (op >= 0x45 && op <= 0xc4) || op === 0xd1) return false;
  if (op === 0x02 || op === 0x03 || op === 0x04) return blocktype(r), false;
  if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12 || (op >= 0x20 && op <= 0x26) || op === 0x3f
      || op === 0x40 || op === 0x41 || op === 0x42 || op === 0xd2) return r.leb(), false;
  if (op === 0x11 || op === 0x13) return r.leb(), r.leb(), false;
  if (op === 0x0e) {
    for (let n = r.leb(); n >= 0; n--) r.leb(); // n labels and the default
    return false;
  }
  if (op === 0x1c) {
    for (let n = r.leb(); n > 0; n--) if (r.byte() === V128) r.v128Types++;
    return false;
  }
  if (op >= 0x28 && op <= 0x3e) return memarg(r), false;
  if (op === 0x43) return r.skip(4), false;
  if (op === 0x44) return r.skip(8), false;
  if (op === 0xd0) return r.byte(), false;
  if (op === 0xfc) {
    const sub = r.leb();
    if (sub <= 7) return false;
    if (sub === 8 || sub === 10 || sub === 12 || sub === 14) return r.leb(), r.leb(), false;
    if (sub === 9 || sub === 11 || sub === 13 || (sub >= 15 && sub <= 17)) return r.leb(), false;
    throw new Error(`wasm-code: unknown 0xfc instruction ${sub} at ${r.at}`);
  }
  if (op === 0xfd) {
    const sub = r.leb();
    if (sub <= 11 || sub === 92 || sub === 93) memarg(r); // loads, splat loads, store, load-zero
    else if (sub === 12 || sub === 13) r.skip(16); // v128.const, i8x16.shuffle
    else if (sub >= 21 && sub <= 34) r.byte(); // extract/replace lane
    else if (sub >= 84 && sub <= 91) memarg(r), r.byte(); // load/store lane
    return true; // every other SIMD instruction has no immediate
  }
  if (op === 0xfe) {
    const sub = r.leb();
    if (sub === 3) r.byte(); // atomic.fence
    else memarg(r);
    return false;
  }
  throw new Error(`wasm-code: unknown opcode 0x${op.toString(16)} at ${r.at - 1}`);
}

function valtypes(r) {
  let v128 = 0;
  for (let n = r.leb(); n > 0; n--) if (r.byte() === V128) v128++;
  return v128;
}

/**
 * Counts what needs WebAssembly SIMD in a module.
 * @param {Uint8Array} bytes a .wasm file
 * @returns {{ functions: number, instructions: number, simdInstructions: number, v128Types: number }}
 *   v128Types: v128 in function signatures, locals, typed selects and block types
 */
export function simdUse(bytes) {
  const r = new Reader(bytes);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (!magic.every((b) => r.byte() === b)) throw new Error('wasm-code: not a WebAssembly 1 module');
  r.v128Types = 0;
  let functions = 0, instructions = 0, simdInstructions = 0, sawCode = false;
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.leb();
    const end = r.at + size;
    if (id === 1) { // types: 0x60 params results
      for (let n = r.leb(); n > 0; n--) {
        if (r.byte() !== 0x60) throw new Error('wasm-code: a type that is not a function type');
        r.v128Types += valtypes(r) + valtypes(r);
      }
    } else if (id === 10) {
      sawCode = true;
      for (let n = r.leb(); n > 0; n--) {
        const bodySize = r.leb();
        const bodyEnd = r.at + bodySize;
        for (let groups = r.leb(); groups > 0; groups--) {
          r.leb();
          if (r.byte() === V128) r.v128Types++;
        }
        while (r.at < bodyEnd) {
          instructions++;
          if (instruction(r)) simdInstructions++;
        }
        if (r.at !== bodyEnd || r.lastOp !== 0x0b) {
          throw new Error(`wasm-code: function ${functions} does not end with 'end' at its size (${r.at} vs ${bodyEnd})`);
        }
        functions++;
      }
    }
    r.at = end;
  }
  if (!sawCode) throw new Error('wasm-code: the module has no code section');
  return { functions, instructions, simdInstructions, v128Types: r.v128Types };
}
