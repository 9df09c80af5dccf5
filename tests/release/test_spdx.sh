#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_spdx.sh — every source file of the project carries its licence as an
# SPDX line (LICENSE: BSD-2-Clause) in its first lines; third-party files
# (tests/vectors, with their own licence) and data (fuzz corpora, results)
# are not ours to tag.
#
#   test_spdx.sh SOURCE_DIR
set -eu
cd "$1"
missing=$(find src include tests bench scripts cmake dist .ci Makefile CMakeLists.txt \
    -path tests/vectors -prune -o -path '*/corpus*' -prune -o -path bench/results -prune -o \
    -type f \( -name '*.c' -o -name '*.h' -o -name '*.in' -o -name '*.sh' -o -name '*.py' \
               -o -name '*.cmake' -o -name CMakeLists.txt -o -name Makefile -o -name run \
               -o -name '*.socket' -o -name '*bash-completion' \) -print |
    while read -r f; do
        head -n 3 "$f" | grep -q 'SPDX-License-Identifier: BSD-2-Clause' || echo "$f"
    done)
if [ -n "$missing" ]; then
    echo "source files without an SPDX-License-Identifier line in their first 3 lines:"
    echo "$missing"
    exit 1
fi
echo "every source file carries SPDX-License-Identifier: BSD-2-Clause"
