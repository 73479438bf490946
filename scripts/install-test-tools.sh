#!/usr/bin/env bash
# Installs the tools the editor tests need (see test/editors/):
#   - Debian packages: chromium (mode A/B VS Code tests), neovim (LSP check),
#     libkrb5-dev + ripgrep (needed to build/install code-server offline),
#     postgresql (the --database-url tests run against a throwaway Debian PostgreSQL cluster)
#   - code-server 4.100.3 (= VS Code 1.100.3, Node 20) into $REPO/.test-tools/code-server,
#     with its own package.json, never into the project's node_modules.
#
# Idempotent: apt-get update/install only run when a package is missing, and the
# code-server install is skipped when it already reports 4.100.3.
# Works non-interactively (CI=true, no stdin, root). Exits non-zero on any failure.
#
# Env overrides:
#   SKIP_APT=1            do not touch apt (fail if a package is missing)
#   SKIP_CODE_SERVER=1    only install the apt packages
set -Eeuo pipefail

CODE_SERVER_VERSION=4.100.3
# code-server 4.100.3 bundles @vscode/ripgrep 1.15.11, whose postinstall downloads
# ripgrep v13.0.0-10 from GitHub (unreachable here); we seed its cache instead.
VSCODE_RIPGREP_VERSION=1.15.11
RIPGREP_RELEASE=v13.0.0-10
APT_PACKAGES=(chromium neovim libkrb5-dev ripgrep postgresql)

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
TOOLS_DIR="$REPO/.test-tools"
CS_DIR="$TOOLS_DIR/code-server"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

log() { printf '[install-test-tools] %s\n' "$*"; }
die() { printf '[install-test-tools] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; printf "[install-test-tools] ERROR: command failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

START=$SECONDS
log "repo: $REPO"

# Scratch XDG dirs for every tool invocation here: without them code-server writes
# ~/.config/code-server/config.yaml and ~/.local/share/code-server on first run (and prints a
# "[date] Wrote default config file" line before its version), and nvim creates ~/.cache/nvim/log.
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/sqla-install-tools.XXXXXX")
RG_TMP=
cleanup() { rm -rf "$SCRATCH" ${RG_TMP:+"$RG_TMP"}; }
trap cleanup EXIT
in_scratch() {
  HOME="$SCRATCH/home" XDG_CONFIG_HOME="$SCRATCH/config" XDG_DATA_HOME="$SCRATCH/data" \
    XDG_CACHE_HOME="$SCRATCH/cache" XDG_STATE_HOME="$SCRATCH/state" TMPDIR="$SCRATCH" "$@" < /dev/null
}
cs_run() { in_scratch "$CS_BIN" "$@"; }

# ---------------------------------------------------------------- apt packages
pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

MISSING=()
for p in "${APT_PACKAGES[@]}"; do
  if pkg_installed "$p"; then log "apt: $p already installed"; else MISSING+=("$p"); fi
done

if [ "${#MISSING[@]}" -gt 0 ]; then
  [ "${SKIP_APT:-}" = 1 ] && die "missing Debian packages (${MISSING[*]}) and SKIP_APT=1"
  command -v apt-get >/dev/null || die "apt-get not found; install manually: ${MISSING[*]}"
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=(sudo -n)
    else die "need root (or passwordless sudo) to install: ${MISSING[*]}"; fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  log "apt: missing ${MISSING[*]} -> apt-get update"
  APT_OPTS=(-q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update < /dev/null || die "apt-get update failed"
  log "apt: apt-get install -y ${MISSING[*]}"
  "${SUDO[@]}" apt-get "${APT_OPTS[@]}" install -y "${MISSING[@]}" < /dev/null || die "apt-get install ${MISSING[*]} failed"
  for p in "${MISSING[@]}"; do pkg_installed "$p" || die "package $p still not installed after apt-get install"; done
fi

command -v rg >/dev/null || die "rg (ripgrep) not on PATH after install"
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium not found after install"
command -v nvim >/dev/null || die "nvim not on PATH after install"
log "nvim: $(in_scratch nvim --version | head -n1)"
log "chromium: $(in_scratch /usr/bin/chromium --version 2>/dev/null | head -n1 || echo '?')"

# ---------------------------------------------------------------- code-server
if [ "${SKIP_CODE_SERVER:-}" = 1 ]; then
  log "SKIP_CODE_SERVER=1: not installing code-server"
  log "done in $((SECONDS - START)) s"
  exit 0
fi

cs_version() {
  [ -x "$CS_BIN" ] || return 1
  # code-server --version prints "4.100.3 <commit> with Code 1.100.3"
  cs_run --version 2>/dev/null | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ [0-9a-f]{40}' | head -n1 | awk '{print $1}'
}

CURRENT=$(cs_version || true)
if [ "$CURRENT" = "$CODE_SERVER_VERSION" ]; then
  log "code-server $CODE_SERVER_VERSION already installed at $CS_BIN (skipping)"
  log "done in $((SECONDS - START)) s"
  exit 0
fi
[ -n "$CURRENT" ] && log "code-server at $CS_BIN reports '$CURRENT', reinstalling $CODE_SERVER_VERSION"

command -v npm >/dev/null || die "npm not found"
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" = 20 ] || log "WARNING: code-server $CODE_SERVER_VERSION expects Node 20, found $(node --version)"

mkdir -p "$CS_DIR"
if [ -d "$CS_DIR/node_modules" ]; then
  # A half-finished earlier install (e.g. a failed postinstall) would be kept as is by npm,
  # which does not re-run install scripts of packages already in the tree: start clean.
  log "removing incomplete $CS_DIR/node_modules"
  rm -rf "$CS_DIR/node_modules" "$CS_DIR/package-lock.json"
fi
cat > "$CS_DIR/package.json" <<EOF
{
  "name": "sql-architect-test-tools-code-server",
  "private": true,
  "description": "code-server used by the editor tests (installed by scripts/install-test-tools.sh)",
  "dependencies": {
    "code-server": "$CODE_SERVER_VERSION"
  }
}
EOF
log "wrote $CS_DIR/package.json"

# Quirk 3: @vscode/ripgrep's postinstall downloads from api.github.com. Seed its cache
# ($TMPDIR/vscode-ripgrep-cache-<ver>/ripgrep-<release>-<target>.tar.gz) with Debian's rg.
case "$(uname -m)" in
  x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
  aarch64|arm64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) die "unsupported architecture $(uname -m) for the ripgrep cache seed" ;;
esac
RG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sqla-rgtmp.XXXXXX")
mkdir -p "$RG_TMP/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION" "$RG_TMP/seed"
cp "$(command -v rg)" "$RG_TMP/seed/rg"
tar czf "$RG_TMP/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION/ripgrep-$RIPGREP_RELEASE-$RG_TARGET.tar.gz" -C "$RG_TMP/seed" rg
log "seeded ripgrep cache in $RG_TMP (TMPDIR for npm install)"

# Quirk 1: npm_config_unsafe_perm=true  (code-server's preinstall refuses root without it)
# Quirk 2: libkrb5-dev                   (kerberos native build; installed above)
# Quirk 3: TMPDIR=<seeded ripgrep cache> (ripgrep postinstall reads os.tmpdir())
# Quirk 4: npm_config_yes=true           (node-pty postinstall runs `npx node-gyp`)
log "npm install code-server@$CODE_SERVER_VERSION in $CS_DIR (about 1 min)"
T0=$SECONDS
(
  cd "$CS_DIR"
  TMPDIR="$RG_TMP" npm_config_unsafe_perm=true npm_config_yes=true \
    npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false \
    npm install --no-audit --no-fund < /dev/null
) || die "npm install code-server@$CODE_SERVER_VERSION failed (see output above)"
log "npm install took $((SECONDS - T0)) s"

CURRENT=$(cs_version || true)
[ "$CURRENT" = "$CODE_SERVER_VERSION" ] || die "code-server install finished but '$CS_BIN --version' reports '${CURRENT:-nothing}', expected $CODE_SERVER_VERSION"
RG_BIN=$(ls "$CS_DIR"/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg 2>/dev/null || true)
[ -n "$RG_BIN" ] || log "WARNING: bundled ripgrep binary not found (search in code-server may not work)"
log "code-server: $(cs_run --version 2>/dev/null | tail -n1)"
log "done in $((SECONDS - START)) s"
