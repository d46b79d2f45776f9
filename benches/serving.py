"""The release server as the Python benchmarks start it: on loopback, with the demo data, waiting until it answers."""
import subprocess, time, urllib.request


def start(bin_, port, db, dist, *extra, stdout=subprocess.DEVNULL):
    """`suishoupai serve` on 127.0.0.1:`port` (database `db`, files `dist`, then `extra`), once /health answers."""
    p = subprocess.Popen([bin_, "serve", "--addr", f"127.0.0.1:{port}", "--db", db, "--demo", "--dist", dist, *extra],
                         stdout=stdout, stderr=subprocess.DEVNULL, text=True)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health")
            return p
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise SystemExit("the server did not start")
