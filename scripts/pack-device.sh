#!/usr/bin/env bash
# Packs the benchmark for a lent GPU machine (x86-64 Linux, no network, no Node) into .device/:
#   node.xz       this machine's Node, compressed
#   app.tar.xz    package.json, bin, dist/lib and only the packages they import at run time
#                 (scripts/runtime-deps.mjs; Dawn for linux-x64 only)
#   debs/         the Vulkan loader, in case the machine has the NVIDIA driver but no loader
#   run.sh        unpacks, points Dawn at the NVIDIA Vulkan driver and runs the benchmark
# The whole of node_modules would not do: with the test tools and ONNX Runtime it packs to over
# 100 MB, and at most 64 MiB travels to the machine.
#
# Run from a checkout after `npm ci`:   bash scripts/pack-device.sh
# Then, with the device tool:           run  carry [".device"]
#                                       command "bash .device/run.sh --large --only matmul,training,seed"
# (--only leaves out the peak-memory case: 10^7 iterations on the CPU, not what the GPU is lent for;
# add --variants to time every matmul kernel variant beside the chosen one, one row each).
# Or, to check the kernels on that GPU rather than time them:   bash .device/run.sh --check
# Both in one call (each leaves its own files in $OUT):
#   bash .device/run.sh --large --only matmul,training,seed --variants; bash .device/run.sh --check
# It leaves bench.jsonl (one JSON object per row, written as they come), bench.json (the whole run,
# as bench/results/ keeps it), bench.stderr and machine.txt in $OUT.
# To try the package here, on SwiftShader:
#   BENCH_ICD=/usr/lib/chromium/vk_swiftshader_icd.json OUT=/tmp/device-out bash .device/run.sh --quick
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .device && mkdir -p .device/debs
npm run --silent build:lib >/dev/null

xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > .device/node.xz

mapfile -t packages < <(node scripts/runtime-deps.mjs dist/lib/bench.js dist/lib/cli.js | grep -v '^node_modules/@types/\|^node_modules/undici-types$')
tar -cJf .device/app.tar.xz \
  --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' --exclude='*.map' \
  package.json bin dist/lib "${packages[@]}"

# The loader from Debian (no other registry is reachable); the run uses the machine's own if it has them.
lists=$(mktemp -d)
apt=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
mkdir -p "$lists/partial"
apt-get "${apt[@]}" update -qq >/dev/null 2>&1 || true
# With it, the GL vendor-neutral dispatch libraries that NVIDIA's Vulkan driver (libGLX_nvidia) links against.
(cd .device/debs && apt-get "${apt[@]}" download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2 >/dev/null 2>&1) || echo "pack-device: the Vulkan loader and GL dispatch libraries were not downloaded; the run relies on the machine's own"
rm -rf "$lists"

cat > .device/run.sh <<'RUN'
#!/usr/bin/env bash
# On the GPU machine: Node, the app and (if missing) the Vulkan loader unpacked under /tmp, Dawn
# pointed at the NVIDIA Vulkan driver (BENCH_ICD to choose another), then the benchmark with the
# options given. Results go to $OUT (or .device/out): bench.jsonl, bench.json, bench.stderr, machine.txt.
# With --check instead: training runs checked after every step against the float64 CPU (check.txt).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=/tmp/webgpu-backprop-bench
rm -rf "$work" && mkdir -p "$work/bin"
xz -dc "$here/node.xz" > "$work/bin/node" && chmod +x "$work/bin/node"
tar -xJf "$here/app.tar.xz" -C "$work"
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 ' || ! ldconfig -p 2>/dev/null | grep -q 'libGLdispatch.so.0 '; then
  for deb in "$here"/debs/*.deb; do [ -e "$deb" ] && dpkg -x "$deb" /; done
  ldconfig 2>/dev/null || true
fi
icd=${BENCH_ICD:-}
if [ -z "$icd" ]; then
  for candidate in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json; do
    [ -e "$candidate" ] && icd=$candidate && break
  done
fi
[ -n "$icd" ] && export VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd"
out=${OUT:-$here/out}
mkdir -p "$out"
{ if command -v nvidia-smi >/dev/null; then nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.sm,power.limit --format=csv; else echo "no nvidia-smi"; fi
  echo "Vulkan driver: ${icd:-none found, Dawn chooses}"; uname -m; nproc; } > "$out/machine.txt"
cd "$work"
if [ "${1:-}" = "--check" ]; then
  # Two networks on random data (784 inputs, 10 classes, 1,024 rows), every form and epilogue of
  # the fast plan with biases, each run by `backprop train --check`: first with the kernels this
  # GPU measured fastest, then with every product forced to each staged variant through the
  # choice cache. A disagreement with the CPU reference fails the run (exit 1).
  export XDG_CACHE_HOME=$work/cache
  cache=$XDG_CACHE_HOME/webgpu-backprop/kernels.json
  PATH="$work/bin:$PATH" node -e 'let s=1;const r=()=>(s=(Math.imul(s,1664525)+1013904223)>>>0)/2**32;
    for(let i=0;i<1024;i++)console.log([...Array.from({length:784},()=>r().toFixed(3)),...Array.from({length:10},(_,c)=>+(c===i%10))].join(","))' > random.csv
  failed=0
  for net in "--layers 784,128,10 --batch-size 100" "--layers 784,512,512,10 --activation tanh --batch-size 256"; do
    rm -rf "$XDG_CACHE_HOME"
    for forced in measured splitk:16 splitk:4 tiled128: tiled128:wide tiled:16; do
      [ "$forced" != measured ] && sed -i -E "s/\": \"[^\"]*\"/\": \"$forced\"/" "$cache"
      echo "== $net, kernels: $forced"
      PATH="$work/bin:$PATH" node bin/backprop.js train --dataset random.csv $net --loss softmax --alpha 0.01 --bias --iterations 2 --check --plan fast > run.log 2>&1 || failed=1
      tail -n 2 run.log
      [ "$forced" = measured ] && cat "$cache" && echo
    done
  done 2>&1 | tee "$out/check.txt"
  grep -q "disagree\|^backprop:" "$out/check.txt" && failed=1
  exit $failed
fi
# Rows as they come (what a run cut short still leaves), and the whole run as bench/results/ keeps it.
PATH="$work/bin:$PATH" node dist/lib/bench.js --json --save "$out/bench.json" "$@" > "$out/bench.jsonl" 2> "$out/bench.stderr"
rc=$?
tail -n 30 "$out/bench.stderr"
exit $rc
RUN
chmod +x .device/run.sh
du -sh .device/* | sed "s/^/pack-device: /"
du -sh .device | sed "s/^/pack-device: total /"
