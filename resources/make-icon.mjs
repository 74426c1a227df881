#!/usr/bin/env node
// Draws the app icon from the brand mark in AppToolbar.vue (three layers of units: two inputs,
// one hidden, one output, wired left to right) on a dark rounded square:
// resources/icon.svg and resources/icon.png (512x512, what electron-builder turns into .icns/.ico).
//   node resources/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const here = dirname(fileURLToPath(import.meta.url));
// The mark's 24x24 geometry, placed on a 32-unit tile with a margin.
const S = 512;
const k = S / 32;
const off = 4; // (32 - 24) / 2
const circles = [
  { x: 5, y: 6, r: 2.9, c: '#2bb8a6' },
  { x: 5, y: 18, r: 2.9, c: '#2bb8a6' },
  { x: 12, y: 12, r: 2.9, c: '#4c8dff' },
  { x: 19, y: 12, r: 2.9, c: '#3ccf91' },
];
const lines = [
  [7, 6.8, 10, 11],
  [7, 17.2, 10, 13],
  [14.5, 12, 16.5, 12],
];
const stroke = { c: '#9aa6b8', w: 1.5 };
const bg = { c: '#141923', radius: 6.5 };

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="512" height="512">
<rect width="32" height="32" rx="${bg.radius}" fill="${bg.c}"/>
<g transform="translate(${off} ${off})">
<path d="${lines.map(([a, b, c, d]) => `M${a} ${b} ${c} ${d}`).join('')}" stroke="${stroke.c}" stroke-width="${stroke.w}" stroke-linecap="round"/>
${circles.map((p) => `<circle cx="${p.x}" cy="${p.y}" r="${p.r}" fill="${p.c}"/>`).join('\n')}
</g>
</svg>
`;
writeFileSync(join(here, 'icon.svg'), svg);

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
function inRoundedSquare(x, y) {
  const r = bg.radius;
  const cx = Math.min(Math.max(x, r), 32 - r);
  const cy = Math.min(Math.max(y, r), 32 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
function segDist(px, py, [ax, ay, bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}
/** The colour at a point of the 32-unit tile, or null (transparent). */
function colourAt(x, y) {
  if (!inRoundedSquare(x, y)) return null;
  const mx = x - off;
  const my = y - off;
  for (const p of circles) if ((mx - p.x) ** 2 + (my - p.y) ** 2 <= p.r * p.r) return rgb(p.c);
  if (lines.some((l) => segDist(mx, my, l) <= stroke.w / 2)) return rgb(stroke.c);
  return rgb(bg.c);
}

const png = new PNG({ width: S, height: S });
const N = 4; // 4x4 supersampling for smooth edges
for (let py = 0; py < S; py++) {
  for (let px = 0; px < S; px++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < N; sy++) {
      for (let sx = 0; sx < N; sx++) {
        const c = colourAt((px + (sx + 0.5) / N) / k, (py + (sy + 0.5) / N) / k);
        if (!c) continue;
        r += c[0]; g += c[1]; b += c[2]; a += 1;
      }
    }
    const i = (py * S + px) * 4;
    png.data[i] = a ? Math.round(r / a) : 0;
    png.data[i + 1] = a ? Math.round(g / a) : 0;
    png.data[i + 2] = a ? Math.round(b / a) : 0;
    png.data[i + 3] = Math.round((255 * a) / (N * N));
  }
}
writeFileSync(join(here, 'icon.png'), PNG.sync.write(png));
console.log('wrote resources/icon.svg and resources/icon.png');
