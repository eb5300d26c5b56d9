#!/usr/bin/env bash
# Create or reuse the local virtual environment .venv and install what is missing.
#   scripts/setup.sh          library + notebooks (Debian graphviz for drawings)
#   scripts/setup.sh test     also the test tools, Ray (the optional executor) and Debian chromium for the browser tests
# Re-running is cheap: pip runs again only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
WANT=${1:-run}
VENV=${VENV:-.venv}

need_apt=()
command -v dot >/dev/null || need_apt+=(graphviz)
[ "$WANT" = test ] && [ ! -x /usr/bin/chromium ] && need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install the Debian packages: sudo apt-get install ${need_apt[*]}" >&2
    echo "setup: (without them, drawings use a plain fallback and browser tests are skipped)" >&2
  fi
fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
stamp="$VENV/.minas-$WANT-$(cat pyproject.toml scripts/setup.sh | sha1sum | cut -c1-12)"
if [ ! -e "$stamp" ]; then
  echo "setup: installing Python packages into $VENV (first time: a few minutes)"
  pip="$VENV/bin/python -m pip install -q --disable-pip-version-check"
  # torch and torchvision first, pinned to the pair that imports together on this machine kind.
  case "$(uname -m)" in
    x86_64)  $pip torch==2.14.1 torchvision==0.29.1 ;;
    aarch64) $pip torch==2.9.1 torchvision==0.24.1 ;;
    *)       $pip torch torchvision ;;
  esac
  extra=""; [ "$WANT" = test ] && extra="[test,ray]"
  $pip -e ".$extra"
  touch "$stamp"
fi
