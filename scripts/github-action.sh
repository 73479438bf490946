#!/usr/bin/env bash
# The shell step of action.yml: fetch the pull request's base commit if the checkout lacks it, then run
# `sql-architect check` with the action's inputs (INPUT_* variables). test/action.test.ts runs this same file.
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"
run_cli() {
  if [[ -f "$action_path/dist/cli.js" ]]; then
    node "$action_path/dist/cli.js" "$@"
  else
    local version="${INPUT_VERSION:-}"
    [[ -n "$version" ]] || version="$(node -p "require(process.argv[1]).version" "$action_path/package.json")"
    npx --yes "sql-architect@$version" "$@"
  fi
}

read -r -a paths <<< "$(printf '%s' "${INPUT_PATHS:-.}" | tr '\n' ' ')"
[[ ${#paths[@]} -gt 0 ]] || paths=(.)
args=("${paths[@]}")
[[ -z "${INPUT_CONFIG:-}" ]] || args+=(--config "$INPUT_CONFIG")

since="${INPUT_SINCE:-}"
if [[ -n "$since" ]]; then
  # actions/checkout fetches one commit, so the pull request's base is usually missing. --since reads only the
  # base's file list (git ls-tree), so that one commit is enough history.
  if ! git cat-file -e "${since}^{commit}" 2>/dev/null; then
    echo "Fetching $since (the base to compare with)"
    git fetch --no-tags --quiet --depth=1 origin "$since"
    git cat-file -e "${since}^{commit}" 2>/dev/null || since="$(git rev-parse FETCH_HEAD)"
  fi
  args+=(--since "$since")
fi

if [[ "${INPUT_SARIF:-false}" == "true" ]]; then
  sarif="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/sql-architect.sarif"
  run_cli check "${args[@]}" --format sarif --output "$sarif" --fail-on never
  [[ -z "${GITHUB_OUTPUT:-}" ]] || echo "sarif-file=$sarif" >> "$GITHUB_OUTPUT"
fi

run_cli check "${args[@]}" --format "${INPUT_FORMAT:-github}" --fail-on "${INPUT_FAIL_ON:-error}"
