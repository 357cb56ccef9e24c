# Sourced by the scripts: puts the tools that scripts/bootstrap installs on PATH.
ATOLL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ATOLL_ROOT/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
