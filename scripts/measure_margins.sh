#!/usr/bin/env bash
# Measures clean-vs-clean and fault-vs-tolerance margins on the committed references (docs/tolerances.md)
# and prints them as markdown tables. Builds the jar first when it is missing or stale (as scripts/layerwise).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/java_tool.sh"
run_java_tool measure_margins dev.layerwise.margins.MarginsTool "$root"
