#!/usr/bin/env bash
# Fuzzes one target with AFL++ and SharpFuzz: builds the harness, instruments copies of the library and the CLI,
# and runs afl-fuzz (one process, one core) on the target's seed corpus for the given number of seconds.
#   tests/LatentModels.Fuzz/fuzz.sh <model|csv|csv-chunks|idx-images|idx-labels|data-file|csv-shard|parquet> [seconds=600] [findings folder]
# Needs: apt-get install -y afl++; dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
# Crashes land in <findings>/default/crashes/: replay one with
#   dotnet tests/LatentModels.Fuzz/bin/Release/net10.0/LatentModels.Fuzz.dll <target> --replay <file>
# then fix the library and copy the file into tests/fuzz-corpus/<target>/ (the replay test keeps it as a regression).
set -euo pipefail
target=${1:?target}
seconds=${2:-600}
root=$(cd "$(dirname "$0")/../.." && pwd)
findings=${3:-$root/artifacts/fuzz/$target}
bin=$root/artifacts/fuzz/bin
export PATH="$PATH:$HOME/.dotnet/tools"

dotnet build "$root/tests/LatentModels.Fuzz" -c Release -v quiet -nologo
rm -rf "$bin" && mkdir -p "$bin" "$findings"
cp -r "$root/tests/LatentModels.Fuzz/bin/Release/net10.0/." "$bin/"
# Only the project's own assemblies are instrumented (never the runtime's); instrumented code runs only under afl-fuzz.
sharpfuzz "$bin/LatentModels.dll"
sharpfuzz "$bin/latent.dll"
sharpfuzz "$bin/LatentModels.Orleans.dll"
sharpfuzz "$bin/LatentModels.Parquet.dll"
# The Parquet target's coverage is mostly inside Parquet.Net's decoder: instrument it too (only this copy).
sharpfuzz "$bin/Parquet.dll"

# .NET is not an AFL-compiled binary (skip the check); inputs arrive on stdin; a .NET start takes a while (-t).
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
afl-fuzz -i "$root/tests/fuzz-corpus/$target" -o "$findings" -t 5000 -m none -V "$seconds" \
  -- dotnet "$bin/LatentModels.Fuzz.dll" "$target"
