// Draws the extension icon, images/icon.png (128×128): an orange shield with a check mark on the
// dark AWS navy. `node scripts/icon.mjs --check` fails when the committed PNG has other pixels.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync, inflateSync } from "node:zlib";

const SIZE = 128;
const SAMPLES = 4; // per axis, for anti-aliasing
const NAVY = [0x23, 0x2f, 0x3e];
const ORANGE = [0xff, 0x99, 0x00];
const WHITE = [0xff, 0xff, 0xff];
const target = join(dirname(fileURLToPath(import.meta.url)), "..", "images", "icon.png");

function insideRoundedSquare(x, y, radius) {
  const dx = Math.max(radius - x, x - (1 - radius), 0);
  const dy = Math.max(radius - y, y - (1 - radius), 0);
  return dx * dx + dy * dy <= radius * radius;
}

/** The shield outline: a flat top, straight sides, and curved sides meeting at the bottom. */
const shield = (() => {
  const points = [[0.5, 0.14], [0.76, 0.23], [0.76, 0.5]];
  const curve = (t, [x0, y0], [cx, cy], [x1, y1]) => [
    (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1,
    (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1,
  ];
  for (let i = 1; i <= 24; i++) points.push(curve(i / 24, [0.76, 0.5], [0.76, 0.74], [0.5, 0.88]));
  for (let i = 1; i <= 24; i++) points.push(curve(i / 24, [0.5, 0.88], [0.24, 0.74], [0.24, 0.5]));
  points.push([0.24, 0.23]);
  return points;
})();

function insidePolygon(x, y, polygon) {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function nearSegment(x, y, [ax, ay], [bx, by], halfWidth) {
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))) <= halfWidth;
}

const CHECK = [[0.37, 0.5], [0.47, 0.61], [0.65, 0.39]];

/** The colour and coverage of one sample point. */
function sample(x, y) {
  if (!insideRoundedSquare(x, y, 0.19)) return null;
  if (nearSegment(x, y, CHECK[0], CHECK[1], 0.045) || nearSegment(x, y, CHECK[1], CHECK[2], 0.045)) return WHITE;
  if (insidePolygon(x, y, shield)) return ORANGE;
  return NAVY;
}

/** RGBA scanlines, each led by PNG filter byte 0. */
function pixels() {
  const rows = Buffer.alloc(SIZE * (1 + SIZE * 4));
  for (let py = 0; py < SIZE; py++) {
    const row = py * (1 + SIZE * 4);
    for (let px = 0; px < SIZE; px++) {
      let r = 0, g = 0, b = 0, covered = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const colour = sample((px + (sx + 0.5) / SAMPLES) / SIZE, (py + (sy + 0.5) / SAMPLES) / SIZE);
          if (colour) {
            r += colour[0]; g += colour[1]; b += colour[2]; covered++;
          }
        }
      }
      const at = row + 1 + px * 4;
      if (covered > 0) {
        rows[at] = Math.round(r / covered);
        rows[at + 1] = Math.round(g / covered);
        rows[at + 2] = Math.round(b / covered);
        rows[at + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
      }
    }
  }
  return rows;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encode(rows) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The scanlines of a PNG written by `encode` (one IDAT, filter 0 on every row). */
function decode(png) {
  const idat = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString("ascii", at + 4, at + 8) === "IDAT") idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return inflateSync(Buffer.concat(idat));
}

const rows = pixels();
if (process.argv.includes("--check")) {
  let committed;
  try {
    committed = decode(readFileSync(target));
  } catch (error) {
    console.error(`cannot read ${target}: ${error.message}`);
    process.exit(1);
  }
  if (!committed.equals(rows)) {
    console.error(`${target} is stale: run \`npm run icon\` in vscode-extension`);
    process.exit(1);
  }
} else {
  writeFileSync(target, encode(rows));
}
