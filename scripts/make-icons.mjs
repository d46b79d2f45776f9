// Renders the app icons kept in public/ from public/icon.svg, once, in the system Chromium:
// 192 and 512 px icons, a 512 px maskable icon (full-bleed, the glyph inside the 80 % safe zone) and the
// 180 px touch icon iOS puts on the home screen. Run: node scripts/make-icons.mjs
import { readFileSync } from "node:fs";
import { chromium } from "@playwright/test";

const svg = readFileSync("public/icon.svg", "utf8").trim();
// The maskable variant: no rounded corners (the launcher applies its own mask), the glyph scaled to 70 %.
const glyph = svg.replace(/^<svg[^>]*>/, "").replace(/<\/svg>$/, "").replace(/<rect[^>]*\/>/, "");
const maskable =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect width="512" height="512" fill="#b71c1c"/>` +
  `<g transform="translate(256 256) scale(0.7) translate(-256 -256)">${glyph}</g></svg>`;

const icons = [
  { file: "public/icon-192.png", size: 192, svg },
  { file: "public/icon-512.png", size: 512, svg },
  { file: "public/icon-maskable-512.png", size: 512, svg: maskable },
  { file: "public/apple-touch-icon.png", size: 180, svg: maskable },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
for (const icon of icons) {
  await page.setViewportSize({ width: icon.size, height: icon.size });
  const data = Buffer.from(icon.svg).toString("base64");
  await page.setContent(
    `<style>html,body{margin:0;background:transparent}</style>` +
      `<img src="data:image/svg+xml;base64,${data}" width="${icon.size}" height="${icon.size}" style="display:block">`
  );
  await page.locator("img").evaluate((img) => img.decode());
  await page.screenshot({ path: icon.file, omitBackground: true });
  console.log(icon.file);
}
await browser.close();
