#!/usr/bin/env bash
# The step of the composite GitHub Action (action.yml): install xxgk-audit, then audit the reports
# with GitHub annotations and a step summary. Inputs come as XXGK_* environment variables.
# XXGK_SKIP_INSTALL=1 uses the xxgk-audit already on PATH (the project's own tests do this).
set -euo pipefail

if [ "${XXGK_SKIP_INSTALL:-0}" != "1" ]; then
  if [ -n "${XXGK_VERSION:-}" ]; then
    python -m pip install --quiet --disable-pip-version-check "xxgk-audit${XXGK_VERSION}"
  else
    python -m pip install --quiet --disable-pip-version-check "${GITHUB_ACTION_PATH:?}"
  fi
fi

if [ "${XXGK_SUMMARY:-true}" != "true" ]; then
  unset GITHUB_STEP_SUMMARY
fi

read -r -a paths <<< "${XXGK_PATHS:-.}"
read -r -a extra <<< "${XXGK_ARGS:-}"
exec xxgk-audit check "${paths[@]}" --format github "${extra[@]}"
