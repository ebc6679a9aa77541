#!/usr/bin/env bash
# Measures clean-vs-clean and fault-vs-tolerance margins on the committed references (docs/tolerances.md)
# and prints them as markdown tables. Builds the jar first when it is missing or stale (as scripts/layerwise).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# scripts/layerwise builds the jar when needed and finds a JDK 25; --version is cheap.
"$root/scripts/layerwise" --version >/dev/null
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
java=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/java-25-openjdk-amd64; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ "$(java_major "$candidate")" -ge 25 ] 2>/dev/null; then
    java="$candidate/bin/java"; break
  fi
done
[ -n "$java" ] || { echo "measure_margins: needs a JDK 25: set JAVA_HOME" >&2; exit 2; }
exec "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
  -cp "$root/harness/target/layerwise-all.jar" dev.layerwise.margins.MarginsTool "$root"
