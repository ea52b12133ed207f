#!/bin/sh
# The EDITOR of the kubectl edit tests: kubectl runs it as `sh editor.sh FILE` (an EDITOR value with a space goes
# through "sh -c" with the file's path appended). It replaces the first text EDIT_FROM with EDIT_TO on every line
# of the buffer kubectl opened, and keeps a copy of the buffer as it was shown in EDIT_SEEN when that is set.
set -eu
file="$1"
if [ -n "${EDIT_SEEN:-}" ]; then cp "$file" "$EDIT_SEEN"; fi
tmp="$file.edit"
sed "s|$EDIT_FROM|$EDIT_TO|" "$file" > "$tmp"
mv "$tmp" "$file"
