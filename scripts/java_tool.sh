# Sourced by the developer tools (measure_margins.sh, measure_sensitivity.sh): runs a main class of the harness
# jar with a JDK 25, building the jar first when it is missing or stale (as scripts/layerwise does).
#   run_java_tool TOOL_NAME MAIN_CLASS [ARG ...]
run_java_tool() {
  local name="$1" main="$2"; shift 2
  local root; root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  # scripts/layerwise builds the jar when needed and finds a JDK 25; --version is cheap.
  "$root/scripts/layerwise" --version >/dev/null
  local java="" candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/java-25-openjdk-amd64; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ "$(_java_tool_major "$candidate")" -ge 25 ] 2>/dev/null; then
      java="$candidate/bin/java"; break
    fi
  done
  [ -n "$java" ] || { echo "$name: needs a JDK 25: set JAVA_HOME" >&2; return 2; }
  exec "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
    -cp "$root/harness/target/layerwise-all.jar" "$main" "$@"
}

_java_tool_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
