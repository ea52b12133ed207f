#!/usr/bin/env bash
# Compiles proto/ with the build's protoc without running Maven (fast; safe while a build runs).
# Needs one earlier `./build -pl proto compile` for protoc and the well-known types.
set -euo pipefail
cd "$(dirname "$0")/.."
protoc=$(ls ~/.m2/repository/com/google/protobuf/protoc/4.36.2/protoc-4.36.2-*.exe | head -1)
chmod +x "$protoc"
wkt=$(dirname "$(find proto/target/protoc-dependencies -name descriptor.proto -path '*google/protobuf*' | head -1)")/../..
"$protoc" -I proto -I "$wkt" --descriptor_set_out=/dev/null proto/dbops/v1alpha1/*.proto proto/k8s/core/v1/*.proto proto/k8s/rbac/v1/*.proto proto/k8s/authorization/v1/*.proto proto/dbops/engine/v1alpha1/*.proto proto/dbops/portal/v1alpha1/*.proto
echo "proto OK"
python3 scripts/generate-portal-proto.py --check || { echo "resources.proto is not what scripts/generate-portal-proto.py writes"; exit 1; }
echo "portal resources.proto up to date"
