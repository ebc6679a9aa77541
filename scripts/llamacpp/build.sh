#!/usr/bin/env bash
# Builds llama.cpp's llama-eval-callback (CPU) from the source that node-llama-cpp@3.21.1 carries
# as a git bundle. Nothing is downloaded except that npm package.
#
#   scripts/llamacpp/build.sh [--bug NAME]     prints the path of the built llama-eval-callback
#   scripts/llamacpp/build.sh --source         prints the path of the llama.cpp source (no build)
#
# --bug NAME builds with scripts/llamacpp/bugs/NAME.patch applied (a planted bug for localization
# tests) incrementally: the clean source and build tree are copied (timestamps kept), the copied
# build is re-pointed at the copied source, the patch applied to the copy, and make recompiles only
# the patched file (and ggml.c, which embeds the now "-dirty" git state) and relinks. The binary goes
# to bug-NAME/; the clean tree is never touched.
# Builds are cached outside the checkout, keyed by the llama.cpp commit:
#   ${LAYERWISE_LLAMACPP_CACHE:-~/.cache/layerwise/llamacpp}/<commit>/{src,build-clean,bug-NAME}
# Flags are portable (GGML_NATIVE=OFF: x86-64 with AVX2/FMA/F16C), so a CI cache is usable on
# another machine of the same architecture.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
package="node-llama-cpp@3.21.1"
cache="${LAYERWISE_LLAMACPP_CACHE:-$HOME/.cache/layerwise/llamacpp}"
jobs="${LAYERWISE_BUILD_JOBS:-2}"
bug=""
source_only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bug) bug="${2:?--bug needs a name}"; shift 2 ;;
    --source) source_only=1; shift ;;
    *) echo "build.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [ -n "$bug" ] && [ ! -f "$here/bugs/$bug.patch" ]; then
  echo "build.sh: no patch $here/bugs/$bug.patch" >&2; exit 2
fi

npm_dir="$cache/npm"
bundle="$npm_dir/node_modules/node-llama-cpp/llama/gitRelease.bundle"
if [ ! -f "$bundle" ]; then
  mkdir -p "$npm_dir"
  # --ignore-scripts: the package's install step would download prebuilt binaries; we only want its source bundle.
  (cd "$npm_dir" && [ -f package.json ] || echo '{"private":true}' > "$npm_dir/package.json")
  (cd "$npm_dir" && npm install --no-audit --no-fund --ignore-scripts "$package" >&2)
fi
commit="$(git bundle list-heads "$bundle" | awk '$2=="HEAD"{print $1}')"
[ -n "$commit" ] || { echo "build.sh: no HEAD in $bundle" >&2; exit 1; }
root="$cache/$commit"
mkdir -p "$root"

if [ ! -f "$root/src/CMakeLists.txt" ]; then
  rm -rf "$root/src.tmp"
  git clone -q "$bundle" "$root/src.tmp" >&2
  git -C "$root/src.tmp" checkout -q "$commit"
  mv "$root/src.tmp" "$root/src"
fi

src="$root/src"; build="$root/build-clean"
[ -z "$source_only" ] || { echo "$src"; exit 0; }
binary="$build/bin/llama-eval-callback"
compile() { # SOURCE BUILD
  if [ ! -f "$2/CMakeCache.txt" ]; then
    cmake -S "$1" -B "$2" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
      -DGGML_NATIVE=OFF -DGGML_OPENMP=OFF -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF \
      -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF >&2
  fi
  cmake --build "$2" --target llama-eval-callback -j "$jobs" >&2
}
# Replaces every mention of the clean tree's paths in the copied build tree's text files, keeping each
# file's timestamp so that make sees nothing changed but the patched source.
repoint() { # WORK
  local f
  grep -rlIZ -e "$src" -e "$build" "$1/build" | while IFS= read -r -d '' f; do
    touch -r "$f" "$1/stamp"
    sed -i -e "s#$build#$1/build#g" -e "s#$src#$1/src#g" "$f"
    touch -r "$1/stamp" "$f"
  done
  rm -f "$1/stamp"
}
exec 9>"$root/.lock"
flock 9
if [ ! -x "$binary" ] || [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
  git -C "$src" checkout -q -- .   # an older build.sh patched this tree in place; a clean build never is
  compile "$src" "$build"
fi
if [ -n "$bug" ]; then
  out="$root/bug-$bug/llama-eval-callback"
  if [ ! -x "$out" ] || ! cmp -s "$here/bugs/$bug.patch" "$root/bug-$bug/patch"; then
    work="$root/bug-$bug.work"
    rm -rf "$work"
    mkdir -p "$work"
    cp -a "$src" "$work/src"
    cp -a "$build" "$work/build"
    repoint "$work"
    git -C "$work/src" apply "$here/bugs/$bug.patch"
    compile "$work/src" "$work/build"
    mkdir -p "$root/bug-$bug"
    cp "$work/build/bin/llama-eval-callback" "$out.tmp" && mv "$out.tmp" "$out"
    cp "$here/bugs/$bug.patch" "$root/bug-$bug/patch"
    rm -rf "$work"
  fi
  binary="$out"
fi
[ -x "$binary" ] || { echo "build.sh: $binary was not built" >&2; exit 1; }
shim="$(dirname "$binary")/drain_log_at_exit.so"   # run.sh preloads it from beside the binary
if [ ! -f "$shim" ] || [ "$here/drain_log_at_exit.c" -nt "$shim" ]; then
  cc -shared -fPIC -O2 -o "$shim.tmp" "$here/drain_log_at_exit.c" && mv "$shim.tmp" "$shim"
fi
echo "$binary"
