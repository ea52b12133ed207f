#!/usr/bin/env bash
# Runs a module's shaded jar with a JDK >= 21, building it first when it is missing or older than the sources.
# Usage: scripts/run-jar.sh MODULE JAR [ARGS...]   (called by ./dbprovision and ./dbprovision-provisioner)
# provisioner/ counts for both jars: the API server runs a provisioner inside (its jar includes it).
# The jar runs in the caller's working directory, so relative paths in its arguments mean what the caller meant.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/jdk.sh"
module=$1 jar=$2
shift 2
(
  cd "$root"
  if [ ! -f "$jar" ] || [ -n "$(find proto api provisioner "$module" -newer "$jar" \( -name '*.java' -o -name '*.proto' -o -name 'pom.xml' \) -print -quit)" ]; then
    ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -pl "$module" -am package >&2
  fi
)
exec "$JAVA_HOME/bin/java" -jar "$root/$jar" "$@"
