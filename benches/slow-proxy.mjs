// A bad mobile network in front of the server, for the outbox-drain benchmark (scripts/bench.sh):
// every request waits LATENCY_MS before it is forwarded, and a share DROP of the writes (PUT) lose their response
// after the server has answered (and so committed): the socket is destroyed instead, as when 4G drops in a lift.
//
//   node benches/slow-proxy.mjs LISTEN_PORT UPSTREAM_PORT [LATENCY_MS=150] [DROP=0.02] [STATS_FILE]
//
// Loopback only. Drops follow a fixed-seed generator, so runs are comparable. On SIGTERM it writes its counts
// (requests, writes, dropped) as JSON to STATS_FILE and exits.
import http from "node:http";
import fs from "node:fs";

const [listen, upstream, latencyArg, dropArg, statsFile] = process.argv.slice(2);
const latency = Number(latencyArg ?? 150);
const drop = Number(dropArg ?? 0.02);
if (!listen || !upstream) {
  console.error("usage: slow-proxy.mjs LISTEN_PORT UPSTREAM_PORT [LATENCY_MS] [DROP] [STATS_FILE]");
  process.exit(2);
}

let seed = 20261126;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const stats = { latency_ms: latency, drop, requests: 0, writes: 0, dropped: 0 };
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const server = http.createServer((req, res) => {
  stats.requests++;
  const write = req.method === "PUT";
  if (write) stats.writes++;
  const body = [];
  req.on("data", (c) => body.push(c));
  req.on("end", () => {
    setTimeout(() => {
      const up = http.request(
        { host: "127.0.0.1", port: Number(upstream), method: req.method, path: req.url, headers: req.headers, agent },
        (upRes) => {
          const chunks = [];
          upRes.on("data", (c) => chunks.push(c));
          upRes.on("end", () => {
            // The server has answered: it committed. Now the phone may never hear of it.
            if (write && random() < drop) {
              stats.dropped++;
              req.socket.destroy();
              return;
            }
            res.writeHead(upRes.statusCode, upRes.headers);
            res.end(Buffer.concat(chunks));
          });
        }
      );
      up.on("error", () => req.socket.destroy());
      up.end(Buffer.concat(body));
    }, latency);
  });
});

server.listen(Number(listen), "127.0.0.1", () => console.error(`slow proxy :${listen} → :${upstream}, ${latency} ms, drop ${drop}`));
process.on("SIGTERM", () => {
  if (statsFile) fs.writeFileSync(statsFile, JSON.stringify(stats));
  process.exit(0);
});
