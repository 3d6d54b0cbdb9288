#!/usr/bin/env bash
# Records real MPTCP captures from this machine's kernel, inside private
# network namespaces (client -- router -- server, two paths each side).
# See test/lab/README.md for the topology and the scenarios.
#
#   usage: test/lab/record.sh OUTDIR [scenario...]      (as root)
#
# Every namespace and process this script creates is removed on exit, on
# error and on Ctrl-C. Nothing leaves the machine: every address lives only
# inside the namespaces, and the namespaces have no link to the host.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER="$HERE/mptcp_peer.py"
OFFLOAD="$HERE/offload.py"
PREFIX="mpslab-$$-"
PORT=5201
ALL_SCENARIOS=(mptcp-v4-2subflows mptcp-v4-csum mptcp-fallback mptcp-v6 mptcp-loss mptcp-backup-fastclose)

NAMESPACES=()
PIDS=()
WORK=""

die() { echo "record.sh: $*" >&2; exit 1; }

usage() {
  echo "usage: $0 OUTDIR [scenario...]" >&2
  echo "scenarios: ${ALL_SCENARIOS[*]}" >&2
  exit 2
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid ns
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Anything still running inside our namespaces was started by us.
  for ns in "${NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  [ -n "$WORK" ] && rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ helpers

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Forget a child once it has been waited for, so cleanup never signals a recycled pid.
reap() {
  local pid=$1 rc=0 keep=() p
  wait "$pid" || rc=$?
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
  return "$rc"
}

wait_for() { # seconds description command...
  local tries=$(( $1 * 20 )) what=$2; shift 2
  until "$@"; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || die "timed out waiting for $what"
    sleep 0.05
  done
}

new_ns() {
  local ns=$1
  NAMESPACES+=("$ns")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # Skip duplicate address detection everywhere (link-local addresses too), so
  # IPv6 works the moment the links are up; set before any interface arrives.
  in_ns "$ns" sysctl -q -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  in_ns "$ns" sysctl -q -w net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
}

# veth pair with one end in each namespace, created in place so each end gets
# its namespace's defaults (no DAD).
wire() { # ns1 if1 ns2 if2
  ip -n "$1" link add name "$2" type veth peer name "$4" netns "$3"
}

addr() { # ns ifname ipv4/len ipv6/len
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$1" -6 addr add "$4" dev "$2" nodad
  ip -n "$1" link set "$2" up
}

# Topology (see README.md):
#   client eth0 10.0.1.1  fd00:1::1 -- c0 router s0 -- 10.0.3.1 fd00:3::1 eth0 server
#   client eth1 10.0.2.1  fd00:2::1 -- c1        s1 -- 10.0.4.1 fd00:4::1 eth1
# Each host's second address has its own routing table, so traffic from it
# leaves by the second interface (source routing, as multihomed hosts need).
build_topology() { # tag
  CLI="${PREFIX}$1-cli"; RTR="${PREFIX}$1-rtr"; SRV="${PREFIX}$1-srv"
  new_ns "$CLI"; new_ns "$RTR"; new_ns "$SRV"
  wire "$CLI" eth0 "$RTR" c0
  wire "$CLI" eth1 "$RTR" c1
  wire "$SRV" eth0 "$RTR" s0
  wire "$SRV" eth1 "$RTR" s1
  local n
  for n in 1 2; do
    addr "$CLI" "eth$((n - 1))" "10.0.$n.1/24" "fd00:$n::1/64"
    addr "$RTR" "c$((n - 1))" "10.0.$n.254/24" "fd00:$n::fe/64"
  done
  for n in 3 4; do
    addr "$SRV" "eth$((n - 3))" "10.0.$n.1/24" "fd00:$n::1/64"
    addr "$RTR" "s$((n - 3))" "10.0.$n.254/24" "fd00:$n::fe/64"
  done
  in_ns "$RTR" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  host_routes "$CLI" 1 2
  host_routes "$SRV" 3 4
  in_ns "$CLI" python3 "$OFFLOAD" eth0 eth1
  in_ns "$RTR" python3 "$OFFLOAD" c0 c1 s0 s1
  in_ns "$SRV" python3 "$OFFLOAD" eth0 eth1
}

host_routes() { # ns first-subnet second-subnet
  local ns=$1 a=$2 b=$3
  ip -n "$ns" route add default via "10.0.$a.254" dev eth0
  ip -n "$ns" -6 route add default via "fd00:$a::fe" dev eth0
  ip -n "$ns" rule add from "10.0.$b.1" table "$b"
  ip -n "$ns" route add default via "10.0.$b.254" dev eth1 table "$b"
  ip -n "$ns" -6 rule add from "fd00:$b::1" table "$b"
  ip -n "$ns" -6 route add default via "fd00:$b::fe" dev eth1 table "$b"
}

teardown_topology() {
  local ns
  for ns in "$CLI" "$RTR" "$SRV"; do ip netns del "$ns"; done
  local keep=() n
  for n in "${NAMESPACES[@]}"; do
    [ "$n" = "$CLI" ] || [ "$n" = "$RTR" ] || [ "$n" = "$SRV" ] || keep+=("$n")
  done
  NAMESPACES=("${keep[@]}")
}

# MPTCP path managers: the client opens a subflow from its second address
# (endpoint id 2, by eth1); the server announces its second address
# (endpoint id 4) with ADD_ADDR.
#   mptcp_endpoints FAMILY(4|6) JOIN_ANNOUNCED(0|1) [flags for the client endpoint...]
# JOIN_ANNOUNCED 1 lets the client also join the announced address (a third
# subflow, from its first address). With 0 the client only echoes the
# ADD_ADDR: accepting it while allowing a single extra subflow is not enough,
# because the ADD_ADDR arrives before the client's connection is fully
# established and would take the only slot away from the eth1 subflow.
mptcp_endpoints() {
  local fam=$1 join=$2; shift 2
  local c2=10.0.2.1 s4=10.0.4.1
  [ "$fam" = 6 ] && { c2=fd00:2::1; s4=fd00:4::1; }
  ip -n "$CLI" mptcp limits set subflows $((1 + join)) add_addr_accepted "$join"
  ip -n "$SRV" mptcp limits set subflows 2 add_addr_accepted 0
  ip -n "$CLI" mptcp endpoint add "$c2" dev eth1 id 2 subflow "$@"
  ip -n "$SRV" mptcp endpoint add "$s4" dev eth1 id 4 signal
}

# start_capture NAME NS IFACE DESCRIPTION [tcpdump options...]
# Snap length 4096 keeps whole packets (the links have a 1500-byte MTU and
# offloads are off); immediate mode hands each packet over at once (the
# default block timeout would lose the last second of traffic when tcpdump
# is stopped), and with a smaller snap length its ring has room for bursts.
start_capture() {
  local name=$1 ns=$2 iface=$3
  CAP_NAME=$name
  CAP_IFACE=$iface
  CAP_DESC=$4
  shift 4
  CAP_LOG="$WORK/$name.tcpdump.log"
  CAP_CMD=(tcpdump -i "$iface" "$@" -s 4096 -B 16384 -U --immediate-mode -w "$name.pcap" tcp)
  # The subshell execs ip, which execs tcpdump: $! is tcpdump itself, so
  # SIGINT reaches it (a shell would ignore it in the background).
  (cd "$WORK" && exec ip netns exec "$ns" "${CAP_CMD[@]}" 2>"$CAP_LOG") &
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  wait_for 5 "tcpdump on $iface" grep -qs 'listening on' "$CAP_LOG"
}

# Lets the last FIN/ACKs pass, stops tcpdump with SIGINT (it flushes and
# closes the file), converts to pcapng with the provenance inside, reports.
stop_capture() {
  sleep 0.4
  kill -INT "$CAP_PID"
  reap "$CAP_PID" || die "tcpdump failed: $(cat "$CAP_LOG")"
  local out="$OUTDIR/$CAP_NAME.pcapng" packets link
  python3 "$HERE/pcap2pcapng.py" "$WORK/$CAP_NAME.pcap" "$out" --if-name "$CAP_IFACE" \
    --os "Linux $(uname -r)" --app "$(tcpdump --version 2>&1 | head -n 1) via mpscope test/lab/record.sh" \
    --comment "mpscope lab scenario $CAP_NAME: $CAP_DESC" \
    --comment "recorded in the client namespace with: ${CAP_CMD[*]}"
  packets=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$CAP_LOG")
  link=$(sed -n 's/.*link-type \([A-Z0-9_]*\).*/\1/p' "$CAP_LOG" | head -n 1)
  echo "wrote $out ($packets packets, $link, $(wc -c <"$out") bytes)"
  if ! grep -q '^0 packets dropped by kernel' "$CAP_LOG"; then
    echo "record.sh: warning: $CAP_NAME: tcpdump lost packets: $(grep dropped "$CAP_LOG" | tr '\n' ' ')" >&2
  fi
}

start_server() { # address [peer options...]
  local ready="$WORK/ready.$CAP_NAME"
  ip netns exec "$SRV" python3 "$PEER" server "$@" --ready "$ready" --quiet &
  SRV_PID=$!
  PIDS+=("$SRV_PID")
  wait_for 5 "the server to listen" test -e "$ready"
}

run_client() { # address [peer options...]
  in_ns "$CLI" python3 "$PEER" client "$@" --quiet || die "client failed in $CAP_NAME"
  reap "$SRV_PID" || die "server failed in $CAP_NAME"
}

# ---------------------------------------------------------------- scenarios
# The client waits a moment after connecting (--start-delay) so the extra
# subflows are up before the data starts; sending it in one burst then fills
# the first subflow and the scheduler spreads the rest over the others. The
# server either echoes (both directions at once) or answers after the
# client's half-close (--send: one direction after the other).

# Client uploads 200 KB in one burst and half-closes; the server then answers 200 KB.
upload_then_download() { # server-listen-address server-address
  start_server "$1" "$PORT" --send 200000
  run_client "$2" "$PORT" --send 200000 --start-delay 0.05 --expect 200000
}

echo_transfer() { # server-listen-address server-address bytes [client options...]
  local listen=$1 target=$2 bytes=$3; shift 3
  start_server "$listen" "$PORT" --echo
  run_client "$target" "$PORT" --send "$bytes" --start-delay 0.05 --expect "$bytes" "$@"
}

scenario_mptcp_v4_2subflows() {
  build_topology 1
  mptcp_endpoints 4 0
  start_capture mptcp-v4-2subflows "$CLI" any \
    "two subflows (the second by the client's eth1), ADD_ADDR echoed but not joined, 200 KB each way" \
    -y LINUX_SLL
  upload_then_download 0.0.0.0 10.0.3.1
  stop_capture
  teardown_topology
}

scenario_mptcp_v4_csum() {
  build_topology 2
  in_ns "$CLI" sysctl -q -w net.mptcp.checksum_enabled=1
  in_ns "$SRV" sysctl -q -w net.mptcp.checksum_enabled=1
  mptcp_endpoints 4 1
  start_capture mptcp-v4-csum "$CLI" eth0 \
    "net.mptcp.checksum_enabled=1 on both hosts: MP_CAPABLE with the checksum flag, DSS checksums; client eth0 only"
  upload_then_download 0.0.0.0 10.0.3.1
  stop_capture
  teardown_topology
}

scenario_mptcp_fallback() {
  build_topology 3
  mptcp_endpoints 4 1
  start_capture mptcp-fallback "$CLI" any \
    "MPTCP client, plain TCP server: SYN/ACK without MP_CAPABLE, the connection goes on as TCP" \
    -y LINUX_SLL2
  start_server 0.0.0.0 "$PORT" --tcp --echo
  run_client 10.0.3.1 "$PORT" --send 20000 --expect 20000
  stop_capture
  teardown_topology
}

scenario_mptcp_v6() {
  build_topology 4
  mptcp_endpoints 6 1
  start_capture mptcp-v6 "$CLI" any \
    "IPv6: three subflows (eth1 endpoint and the announced address), ADD_ADDR with an IPv6 address" \
    -y LINUX_SLL2 --time-stamp-precision=nano
  upload_then_download :: fd00:3::1
  stop_capture
  teardown_topology
}

scenario_mptcp_loss() {
  build_topology 5
  mptcp_endpoints 4 0
  # Random loss on the client's first path (10.0.1.0/24), both directions,
  # sparing SYNs: a lost handshake would only add a one-second wait.
  local dir
  for dir in -i -o; do
    in_ns "$RTR" iptables -A FORWARD "$dir" c0 -p tcp ! --tcp-flags SYN SYN \
      -m statistic --mode random --probability 0.05 -j DROP
  done
  start_capture mptcp-loss "$CLI" any \
    "5% random loss on the client's first path (router iptables): retransmissions, reinjections on the other subflow" \
    -y LINUX_SLL
  echo_transfer 0.0.0.0 10.0.3.1 200000 --chunk 10000 --interval 0.01
  stop_capture
  teardown_topology
}

scenario_mptcp_backup_fastclose() {
  build_topology 6
  mptcp_endpoints 4 1 backup
  start_capture mptcp-backup-fastclose "$CLI" any \
    "backup MP_JOIN, MP_PRIO, REMOVE_ADDR, then an abortive close: MP_FASTCLOSE with MP_TCPRST" \
    -y LINUX_SLL2
  start_server 0.0.0.0 "$PORT" --echo
  ip netns exec "$CLI" python3 "$PEER" client 10.0.3.1 "$PORT" --send 1000000 --chunk 2000 --interval 0.02 \
    --abort-after 1.2 --quiet &
  local cli_pid=$!
  PIDS+=("$cli_pid")
  sleep 0.4
  # The backup subflow becomes a regular one: MP_PRIO.
  ip -n "$CLI" mptcp endpoint change id 2 nobackup
  sleep 0.3
  # The server withdraws its announced address: REMOVE_ADDR, and the
  # subflow to it closes.
  ip -n "$SRV" mptcp endpoint delete id 4
  reap "$cli_pid" || die "client failed in $CAP_NAME"
  reap "$SRV_PID" || die "server failed in $CAP_NAME"
  stop_capture
  teardown_topology
}

# --------------------------------------------------------------------- main

[ $# -ge 1 ] || usage
case $1 in -h|--help) usage ;; esac
OUTDIR=$1; shift
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=("${ALL_SCENARIOS[@]}")
for s in "${SCENARIOS[@]}"; do
  [[ " ${ALL_SCENARIOS[*]} " == *" $s "* ]] || { echo "record.sh: unknown scenario '$s'" >&2; usage; }
done

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
TOOLS=(ip tcpdump python3)
[[ " ${SCENARIOS[*]} " == *" mptcp-loss "* ]] && TOOLS+=(iptables)
for tool in "${TOOLS[@]}"; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[ "$(cat /proc/sys/net/mptcp/enabled 2>/dev/null)" = 1 ] || die "MPTCP is not enabled in this kernel (/proc/sys/net/mptcp/enabled)"

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mpslab.XXXXXX")
echo "kernel $(uname -r), namespaces ${PREFIX}*"
for s in "${SCENARIOS[@]}"; do
  "scenario_${s//-/_}"
done
