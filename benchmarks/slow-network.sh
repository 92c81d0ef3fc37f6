#!/usr/bin/env bash
# Measures data-parallel runs on a real slow network rather than a model of one: as root, a network
# namespace whose loopback is rate-limited with tc (tbf; both directions share the one qdisc), in
# which two ranks talk TCP over that loopback. For each rate it runs `gradquant bench-collective
# --workers 2` and a short `gradquant compare --workers 2`, writing their JSON into the output
# directory, and removes the namespace again at the end, also when interrupted.
#
# Without OMPI_MCA_btl=tcp,self (and btl_tcp_if_include=lo) local ranks talk through shared memory
# and the limit does nothing; both are set here. See docs/distributed.md.
#
# Usage: sudo benchmarks/slow-network.sh [--elements M] [--rates "1gbit 10gbit unlimited"]
#            [--quantizers LIST] [--backend NAME] [--steps N] [--no-compare] [--out DIR]
#   --elements M    values per worker for bench-collective (default 16777216)
#   --rates LIST    tc rates, "unlimited" for the plain loopback over TCP (default "1gbit 10gbit unlimited")
#   --quantizers L  quantizers for both commands (default none,standard,smart,hadamard,exponential)
#   --backend NAME  bench-collective: auto, java or cpu (default auto: cpu where it loads)
#   --steps N       compare: steps of its one epoch (default 100)
#   --no-compare    only bench-collective
#   --out DIR       where the JSON goes (default benchmarks/results/slow-network-<date>)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

elements=16777216
rates="1gbit 10gbit unlimited"
quantizers=none,standard,smart,hadamard,exponential
backend=auto
steps=100
compare=1
out="$root/benchmarks/results/slow-network-$(date -u +%Y%m%dT%H%M%SZ)"
while [ $# -gt 0 ]; do
    case "$1" in
        --elements) elements="$2"; shift 2 ;;
        --rates) rates="$2"; shift 2 ;;
        --quantizers) quantizers="$2"; shift 2 ;;
        --backend) backend="$2"; shift 2 ;;
        --steps) steps="$2"; shift 2 ;;
        --no-compare) compare=0; shift ;;
        --out) out="$2"; shift 2 ;;
        *) echo "slow-network: unknown argument '$1' (see the comment at the top of $0)" >&2; exit 2 ;;
    esac
done

stop() {
    echo "slow-network: $*" >&2
    exit 1
}
[ "$(id -u)" = 0 ] || stop "network namespaces and tc need root; run it as root (sudo $0 ...)"
command -v ip >/dev/null 2>&1 && command -v tc >/dev/null 2>&1 || stop "ip and tc not found: install iproute2"

ns="gradquant-slow-$$"
cleanup() {
    # end whatever still runs in the namespace, then remove it
    if ip netns list 2>/dev/null | grep -qw "$ns"; then
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
        sleep 1
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
        echo "slow-network: removed network namespace $ns" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$ns" 2>/dev/null || stop "cannot create a network namespace here (a container without CAP_SYS_ADMIN?):"\
" this measurement needs one; nothing was run"
ip netns exec "$ns" ip link set lo up
echo "slow-network: network namespace $ns; results in $out" >&2
mkdir -p "$out"

# build outside the namespace's timing, once
"$root/gradquant" --version >/dev/null

# Runs a command in the namespace over TCP. In the background and waited for, so that a signal to
# this script runs the trap at once (bash runs traps only between foreground commands); the trap's
# cleanup then ends everything in the namespace.
in_ns() {
    ip netns exec "$ns" env OMPI_MCA_btl=tcp,self OMPI_MCA_btl_tcp_if_include=lo "$@" &
    wait $!
}

for rate in $rates; do
    ip netns exec "$ns" tc qdisc del dev lo root 2>/dev/null || true
    if [ "$rate" != unlimited ]; then
        ip netns exec "$ns" tc qdisc add dev lo root tbf rate "$rate" burst 512kb latency 100ms
    fi
    echo "slow-network: $rate: bench-collective, $elements values per worker" >&2
    in_ns "$root/gradquant" bench-collective --workers 2 --elements "$elements" --quantizers "$quantizers" \
        --backend "$backend" --json \
        > "$out/bench-collective-$rate.json"
    if [ "$compare" = 1 ]; then
        echo "slow-network: $rate: compare --workers 2, $steps steps" >&2
        in_ns "$root/gradquant" compare --workers 2 --model cnn --dataset fashion-mnist --quantizers "$quantizers" \
            --epochs 1 --max-steps-per-epoch "$steps" --variance-steps 0 --out "$out/compare-$rate" \
            > "$out/compare-$rate.txt"
    fi
done
echo "slow-network: done; results in $out" >&2
