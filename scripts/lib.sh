# Shared by scripts/run.sh and scripts/test.sh: installs what is missing, idempotently, saying what it does.
# Sourced, not run. Everything comes from crates.io, npm and Debian's packages; nothing else is downloaded.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

TRUNK_VERSION=0.21.14
# Cuts the wasm into lazily loaded chunks (scripts/split-wasm.mjs); 0.2.3 and later know wasm-bindgen ≥ 0.2.128.
WASM_SPLIT_VERSION=0.2.4
# wasm-bindgen-cli must be exactly the wasm-bindgen crate version in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"

say() { if [ -t 2 ]; then printf '\033[1m==> %s\033[0m\n' "$*" >&2; else printf '==> %s\n' "$*" >&2; fi; }
have() { command -v "$1" >/dev/null 2>&1; }

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    $sudo apt-get update -qq
    apt_updated=1
  fi
  say "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if ! have trunk || [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "cargo install trunk $TRUNK_VERSION (takes a few minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  if ! have wasm-bindgen || [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes a few minutes, once)"
    # Without --locked: with it, the CLI's own lock file fails to resolve here.
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
  fi
}

ensure_node() {
  if ! have node || ! have npm; then
    apt_install nodejs npm
  fi
}

# node_modules from package-lock.json (binaryen's wasm-opt for the build, Playwright for the tests).
ensure_node_modules() {
  ensure_node
  # npm ci leaves node_modules/.package-lock.json behind; it is older than the lock file only when that changed.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci (from package-lock.json; no browser is downloaded)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  fi
}

ensure_wasm_split() {
  if ! have wasm-split-cli || ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
    say "cargo install wasm_split_cli_support $WASM_SPLIT_VERSION (wasm-split-cli; takes a minute or two, once)"
    cargo install wasm_split_cli_support --version "=$WASM_SPLIT_VERSION" --features build-binary --locked --force
  fi
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen
  ensure_wasm_split
  ensure_node_modules
}

# The PWA in release, into dist/. Trunk is offline: it uses wasm-bindgen and wasm-opt from PATH.
build_pwa() {
  say "trunk build --release (the PWA, into dist/)"
  TRUNK_OFFLINE=true TRUNK_SKIP_VERSION_CHECK=true trunk build --release
}
