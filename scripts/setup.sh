# Shared set-up for scripts/main.sh and scripts/test.sh; source it, don't run it.
#   setup_system_packages PKG...   install Debian packages that are missing (or say which)
#   setup_node                     node and npm, unless both are on the PATH already
#   setup_venv EXTRAS              create .venv and install the project with those extras
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Which of the named Debian packages are not installed yet.
missing_packages() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || printf '%s ' "$pkg"
    done
}

setup_system_packages() {
    local missing
    command -v dpkg-query >/dev/null || {
        say "not a Debian/Ubuntu system: make sure these are installed yourself: $*"; return 0; }
    missing="$(missing_packages "$@")"
    [ -z "$missing" ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"
        else die "missing system packages: $missing; install them with: sudo apt-get install -y $missing"
        fi
    fi
    say "installing system packages: $missing"
    # Another apt (an unattended upgrade, a parallel job) may hold the dpkg lock: wait for it.
    local wait=(-o DPkg::Lock::Timeout=300)
    $sudo apt-get "${wait[@]}" update -qq
    # shellcheck disable=SC2086  # word splitting of the package list is wanted
    DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait[@]}" install -y -qq $missing >/dev/null \
        || die "could not install: $missing (try: sudo apt-get install -y $missing)"
}

# node and npm: the site build fetches Pyodide and viz-js with `npm pack` (lite/assets.py).
# A node from elsewhere (NodeSource's nodejs ships its own npm and conflicts with Debian's
# npm package) is used as it is; otherwise Debian's nodejs and npm are installed.
setup_node() {
    if command -v node >/dev/null && command -v npm >/dev/null; then return 0; fi
    setup_system_packages nodejs npm
}

setup_venv() {
    local extras="$1" python
    python="$(command -v python3 || true)"
    [ -n "$python" ] || die "python3 is not installed: sudo apt-get install -y python3 python3-venv"
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || die "Python 3.10 or newer is needed, found $("$python" --version)"
    if [ ! -x "$VENV/bin/python" ]; then
        "$python" -c 'import ensurepip, venv' 2>/dev/null || setup_system_packages python3-venv
        say "creating $VENV"
        "$python" -m venv "$VENV"
    fi
    say "installing micrograd-course[$extras] into .venv"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[$extras]"
    export PATH="$VENV/bin:$PATH"
}
