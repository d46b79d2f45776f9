#!/usr/bin/env bash
# Lighthouse (npm lighthouse 12.2.3, its default mobile settings: a mid-range phone, slow 4G, 4× CPU slowdown)
# on the release PWA served by the real server, in the system Chromium. Prints the scores and key metrics and
# writes them to docs/lighthouse.md (the full report: target/lighthouse.json). Builds the PWA and the server
# first (incremental when nothing changed).
# Goals: performance ≥ 95, accessibility 100, best practices ≥ 95. Then the checks of Lighthouse's former PWA
# category (scripts/pwa-checks.mjs), written beside the scores; the script fails when one of those fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_build_tools
apt_install chromium
build_pwa
say "cargo build (the server)"
cargo build --bin suishoupai

port="${LIGHTHOUSE_PORT:-18096}"
work="$(mktemp -d)"
target/debug/suishoupai serve --addr "127.0.0.1:$port" --db "$work/suishoupai.db" --dist dist --demo \
  >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done

say "lighthouse $(lighthouse --version) on http://127.0.0.1:$port/ (mobile)"
CHROME_PATH="${CHROMIUM_BIN:-/usr/bin/chromium}" lighthouse "http://127.0.0.1:$port/" \
  --chrome-flags="--no-sandbox --headless=new --disable-gpu --disable-dev-shm-usage --no-first-run" \
  --only-categories=performance,accessibility,best-practices,seo \
  --output=json --output-path=target/lighthouse.json --quiet

say "PWA checks (Lighthouse 12 has no PWA category): scripts/pwa-checks.mjs"
pwa_ok=0
node scripts/pwa-checks.mjs "http://127.0.0.1:$port/" target/pwa-checks.json || pwa_ok=$?

node - target/lighthouse.json target/pwa-checks.json docs/lighthouse.md <<'JS'
const fs = require("node:fs");
const [reportPath, pwaPath, outPath] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(reportPath, "utf8"));
const pwa = JSON.parse(fs.readFileSync(pwaPath, "utf8"));
const score = (id) => Math.round(r.categories[id].score * 100);
const audit = (id) => r.audits[id]?.displayValue ?? "n/a";
const failing = Object.values(r.categories).flatMap((c) =>
  c.auditRefs
    .filter((ref) => ref.weight > 0)
    .map((ref) => r.audits[ref.id])
    .filter((a) => a.score !== null && a.score < 0.9)
    .map((a) => `- ${c.title}: ${a.title}${a.displayValue ? ` (${a.displayValue})` : ""}`)
);
const lines = [
  `# Lighthouse`,
  ``,
  `\`scripts/lighthouse.sh\`: Lighthouse ${r.lighthouseVersion}, ${r.configSettings.formFactor} settings ` +
    `(${r.configSettings.throttlingMethod} throttling), ${r.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ""}, ` +
    `the release build on the real server, ${r.fetchTime.slice(0, 10)}. Goals: performance ≥ 95, accessibility 100, ` +
    `best practices ≥ 95.`,
  ``,
  `| category | score |`,
  `| --- | --- |`,
  `| performance | ${score("performance")} |`,
  `| accessibility | ${score("accessibility")} |`,
  `| best practices | ${score("best-practices")} |`,
  `| SEO | ${score("seo")} |`,
  ``,
  `| metric | value |`,
  `| --- | --- |`,
  ...["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
      "speed-index", "interactive", "total-byte-weight"].map((id) => `| ${r.audits[id].title} | ${audit(id)} |`),
  ``,
  `The largest paint is the start screen of index.html (the icon and the name, shown with the first bytes); the ` +
    `app itself (the enroll screen on a new phone) is ready once its wasm has loaded, which Time to Interactive measures.`,
  ``,
  `Lighthouse 12 has no PWA category any more; \`scripts/pwa-checks.mjs\` makes its checks in the same Chromium ` +
    `(${pwa.filter((c) => c.ok).length} of ${pwa.length} pass):`,
  ``,
  `| PWA check | result |`,
  `| --- | --- |`,
  ...pwa.map((c) => `| ${c.name} | ${c.ok ? "yes" : "**no**"}${c.detail ? ` (${c.detail})` : ""} |`),
  ``,
  failing.length ? `Audits below 90:\n\n${failing.join("\n")}` : `No weighted audit below 90.`,
  ``,
];
fs.writeFileSync(outPath, lines.join("\n"));
console.log(
  `lighthouse: performance ${score("performance")}, accessibility ${score("accessibility")}, ` +
    `best practices ${score("best-practices")}, SEO ${score("seo")}; ` +
    `FCP ${audit("first-contentful-paint")}, LCP ${audit("largest-contentful-paint")}, TBT ${audit("total-blocking-time")}, ` +
    `CLS ${audit("cumulative-layout-shift")}, bytes ${audit("total-byte-weight")}`
);
if (failing.length) console.log(failing.join("\n"));
console.log(`PWA checks: ${pwa.filter((c) => c.ok).length} of ${pwa.length} pass`);
console.log(`written to ${outPath}`);
JS
exit "$pwa_ok"
