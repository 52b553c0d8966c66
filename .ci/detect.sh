#!/usr/bin/env bash
# The checks .ci/setup makes, one function each, so a test can run them against a made-up root.
# Each tests the exact file or command the build uses, under "${ROOT:-}" (empty: this machine).

# libclang, the C interface clang-sys loads at build time for librocksdb-sys's bindgen (feature
# `bindgen-runtime`). clang-sys takes `libclang.so`, `libclang.so.*`, `libclang-N.so` and
# `libclang-N.so.*` from $LIBCLANG_PATH, LLVM's lib folders and the system library folders.
# `libclang-cpp.so*` is LLVM's C++ interface: it has no `clang_createIndex` and does not count.
# Prints the first file found; fails when there is none.
find_libclang() {
  local root="${ROOT:-}" dir file name
  local dirs=()
  [ -n "${LIBCLANG_PATH:-}" ] && dirs+=("$root$LIBCLANG_PATH")
  for dir in "$root"/usr/lib/llvm-*/lib "$root"/usr/lib/x86_64-linux-gnu "$root"/usr/lib64 \
             "$root"/usr/lib "$root"/usr/local/lib; do
    dirs+=("$dir")
  done
  for dir in "${dirs[@]}"; do
    [ -d "$dir" ] || continue
    for file in "$dir"/libclang*.so*; do
      [ -e "$file" ] || continue
      name="${file##*/}"
      case "$name" in
        libclang.so | libclang.so.* | libclang-[0-9]*.so | libclang-[0-9]*.so.*)
          echo "$file"
          return 0
          ;;
      esac
    done
  done
  return 1
}

# protoc, which prost-build runs from schemas/build.rs ($PROTOC or the PATH).
find_protoc() {
  local root="${ROOT:-}"
  if [ -n "${PROTOC:-}" ]; then [ -x "$root$PROTOC" ] && return 0; return 1; fi
  [ -x "$root/usr/bin/protoc" ] || { [ -z "$root" ] && command -v protoc >/dev/null 2>&1; }
}
