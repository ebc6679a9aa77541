#!/usr/bin/env bash
# The sensitivity benchmark (docs/tolerances.md, "Sensitivity"): for each planted fault, preset and dtype, the
# smallest strength of the fault that `compare` catches at the faulted step with the expected diagnosis, against
# the Hugging Face references, next to the clean spread of that step kind. Prints markdown tables (progress on
# stderr). Builds the jar first when it is missing or stale.
#
#   scripts/measure_sensitivity.sh [--presets tiny,small,tinyllama-1.1b] [--dtypes f32,f16,bf16]
#                                  [--kinds scale-up,rope-offset,...] [--layer N|last] [--steps N]
#
# Defaults: tiny and small, every dtype and fault, the last layer, 8 bisection steps. tinyllama-1.1b costs seconds
# per forward pass on 2 cores (and its checkpoint, synthesized once per dtype, up to 4.4 GB in the temp folder):
# select it explicitly, with few --kinds and --steps.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/java_tool.sh"
run_java_tool measure_sensitivity dev.layerwise.margins.SensitivityTool --root "$root" "$@"
