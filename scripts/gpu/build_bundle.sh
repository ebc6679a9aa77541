#!/usr/bin/env bash
# Builds what the GPU machine needs to run Layerwise without Java or network: a jlink runtime, the
# shaded jar and the OpenCL ICD loader, packed into target/gpu/layerwise-gpu.tar.xz (must stay under
# 60 MiB, leaving room under the 64 MiB a device run may carry). Run here, then on the device: scripts/gpu/run_h200.sh
# (docs/opencl.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
out="$root/target/gpu"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

(cd "$root" && mvn -q -B -ntp -DskipTests package -pl harness -am)
cp "$root/harness/target/layerwise-all.jar" "$stage/"

# Modules from `jdeps --print-module-deps` on the shaded jar, plus jdk.unsupported (Unsafe users).
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.desktop,java.sql,jdk.incubator.vector,jdk.management,jdk.unsupported \
  --strip-java-debug-attributes --strip-native-debug-symbols=exclude-debuginfo-files --no-header-files --no-man-pages \
  --compress zip-9 --output "$stage/jrt"

# The ICD loader (JOCL opens the unversioned libOpenCL.so); the vendor driver comes from the device.
loader="$(readlink -f /usr/lib/x86_64-linux-gnu/libOpenCL.so.1)"
mkdir -p "$stage/lib"
cp "$loader" "$stage/lib/libOpenCL.so.1"
ln -s libOpenCL.so.1 "$stage/lib/libOpenCL.so"

mkdir -p "$out"
tar -C "$stage" -cJf "$out/layerwise-gpu.tar.xz.tmp" .
mv "$out/layerwise-gpu.tar.xz.tmp" "$out/layerwise-gpu.tar.xz"
size=$(stat -c %s "$out/layerwise-gpu.tar.xz")
echo "target/gpu/layerwise-gpu.tar.xz: $((size / 1048576)) MiB"
if [ "$size" -ge $((60 * 1048576)) ]; then
  echo "build_bundle: the bundle is over 60 MiB" >&2
  exit 1
fi
