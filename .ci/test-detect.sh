#!/usr/bin/env bash
# Tests .ci/detect.sh against made-up roots: a machine with only LLVM's C++ interface
# (libclang-cpp.so.14) has no libclang for bindgen; Debian's libclang-dev or libclang1 layouts have.
set -euo pipefail
cd "$(dirname "$0")"
source ./detect.sh
unset LIBCLANG_PATH PROTOC
pass=0 fail=0
check() { # name, expected (found|missing), command
  local name="$1" want="$2"; shift 2
  local got=missing
  if "$@" >/dev/null; then got=found; fi
  if [ "$got" = "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name: $got, expected $want"; fi
}
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

ROOT="$tmp/cpp-only"; mkdir -p "$ROOT/usr/lib/llvm-14/lib" "$ROOT/usr/lib/x86_64-linux-gnu"
touch "$ROOT/usr/lib/llvm-14/lib/libclang-cpp.so.14" "$ROOT/usr/lib/x86_64-linux-gnu/libclang-cpp.so.14"
check "only libclang-cpp" missing find_libclang

ROOT="$tmp/empty"; mkdir -p "$ROOT"
check "no llvm at all" missing find_libclang

ROOT="$tmp/dev"; mkdir -p "$ROOT/usr/lib/llvm-14/lib"
touch "$ROOT/usr/lib/llvm-14/lib/libclang-cpp.so.14" "$ROOT/usr/lib/llvm-14/lib/libclang.so"
check "libclang-dev's libclang.so" found find_libclang

ROOT="$tmp/runtime"; mkdir -p "$ROOT/usr/lib/x86_64-linux-gnu"
touch "$ROOT/usr/lib/x86_64-linux-gnu/libclang-14.so.1"
check "libclang1-14's libclang-14.so.1" found find_libclang

ROOT="$tmp/custom"; mkdir -p "$ROOT/opt/llvm/lib"; touch "$ROOT/opt/llvm/lib/libclang.so.18"
check "LIBCLANG_PATH not set" missing find_libclang
LIBCLANG_PATH=/opt/llvm/lib check "LIBCLANG_PATH" found find_libclang

ROOT="$tmp/noprotoc"; mkdir -p "$ROOT/usr/bin"
check "no protoc under the root" missing find_protoc
touch "$ROOT/usr/bin/protoc"; chmod +x "$ROOT/usr/bin/protoc"
check "protoc under the root" found find_protoc

echo "setup detection: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
