// icon.js: the page's app icon, drawn as a PNG (a small attention map: a diagonal of strong
// weights with weaker ones beside it, on the page's blue), so no binary image is kept in the
// repository. Used by scripts/build-site.js; deterministic.

import zlib from 'node:zlib';

function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An RGB PNG of size x size pixels from pixel(x, y) -> [r, g, b]. */
export function encodePng(size, pixel) {
  const raw = Buffer.alloc(size * (1 + 3 * size));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + 3 * size);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), row + 1 + 3 * x);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Weights of a 5 x 5 map: mostly diagonal, one crossing, like a date's alignment.
const MAP = [
  [0.9, 0.1, 0, 0, 0],
  [0.2, 0.8, 0, 0, 0],
  [0, 0, 0.1, 0.9, 0],
  [0, 0, 0.85, 0.15, 0],
  [0, 0, 0, 0.1, 0.9],
];
const BACK = [36, 87, 197];
const LIGHT = [247, 250, 255];
const DEEP = [20, 30, 110];

/** The icon at `size` px (maskable: the map sits inside the middle 70 %). */
export function iconPng(size) {
  const margin = Math.round(size * 0.15);
  const cell = (size - 2 * margin) / 5;
  const gap = Math.max(1, Math.round(cell * 0.08));
  return encodePng(size, (x, y) => {
    const cx = Math.floor((x - margin) / cell), cy = Math.floor((y - margin) / cell);
    if (cx < 0 || cy < 0 || cx > 4 || cy > 4) return BACK;
    const inX = (x - margin) - cx * cell, inY = (y - margin) - cy * cell;
    if (inX < gap || inY < gap) return BACK;
    const w = MAP[cy][cx];
    return LIGHT.map((v, i) => Math.round(v + w * (DEEP[i] - v)));
  });
}
