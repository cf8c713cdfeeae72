#!/usr/bin/env bash
# Start a real Apache Kafka (KRaft, no ZooKeeper) on 127.0.0.1 for asyncbench.
#
#   scripts/kafka/start.sh [--brokers 1|3] [--dir DIR] [--base-port N] [--timeout S]
#   scripts/kafka/start.sh --node ID [--dir DIR]       # restart one stopped/killed node
#
# Every node is a combined broker+controller (process.roles=broker,controller), node.id 1..N,
# and all N nodes form the controller quorum. Node i listens for clients on base-port+i-1
# (default 19092..19094) and for the quorum on base-port+100+i-1. Data, configs, logs and pid
# files live under DIR (default: a new temporary folder):
#   DIR/cluster.env               cluster id, node count, base port (what a restart reuses)
#   DIR/node-<id>/server.properties, DIR/node-<id>/data/, DIR/node-<id>/server.log
#   DIR/node-<id>.pid, DIR/bootstrap.txt
# Running it again on an existing DIR starts whichever nodes are not running, from their
# existing config and data (never re-formats a node).
#
# Progress goes to stderr; on success stdout is exactly one line, the bootstrap string
# (e.g. 127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094), so
#   bootstrap=$(scripts/kafka/start.sh --brokers 3)
# works. Stop with scripts/kafka/stop.sh.
set -euo pipefail

src=${BASH_SOURCE[0]}
[[ $src == */* ]] || src=./$src
here="$(cd "${src%/*}" && pwd)"

# shellcheck source=SCRIPTDIR/common.sh
source "$here/common.sh"


brokers="" dir="" base_port="" node="" timeout_s=$KAFKA_START_TIMEOUT_S
while (($#)); do
    case $1 in
        --brokers) brokers=${2:?--brokers needs 1 or 3}; shift 2 ;;
        --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
        --base-port) base_port=${2:?--base-port needs a port}; shift 2 ;;
        --node) node=${2:?--node needs a node id}; shift 2 ;;
        --timeout) timeout_s=${2:?--timeout needs seconds}; shift 2 ;;
        -h | --help) usage 0 ;;
        *) log "unknown argument: $1"; usage 1 ;;
    esac
done
# Only 1 (a dev box) and 3 (the smallest cluster where acks=all with min.insync.replicas=2
# survives the loss of a broker) are meaningful for the benchmark; anything else is a typo.
[[ -z $brokers || $brokers == 1 || $brokers == 3 ]] || die "--brokers must be 1 or 3, not '$brokers'"
[[ -z $base_port || ($base_port =~ ^[0-9]+$ && $base_port -ge 1024 && $base_port -le 65000) ]] ||
    die "--base-port must be a number between 1024 and 65000, not '$base_port'"
[[ -z $node || $node =~ ^[1-9]$ ]] || die "--node must be a node id (1..3), not '$node'"
[[ $timeout_s =~ ^[0-9]+$ ]] || die "--timeout must be whole seconds, not '$timeout_s'"

cache="${ASYNCBENCH_CACHE:-$HOME/.cache/asyncbench}"
last_dir_file="$cache/kafka-last-dir"

# One command is enough: fetch (a no-op once cached) before anything else.
libs=$("$here/fetch.sh" | tail -n1)
kafka_home=${libs%/libs}

if [[ -z $dir && -n $node ]]; then
    # Restarting a node means "of the cluster I started last" unless told otherwise.
    [[ -s $last_dir_file ]] || die "--node needs --dir DIR (no previous cluster recorded in $last_dir_file)"
    dir=$(<"$last_dir_file")
fi
made_dir=0
if [[ -z $dir ]]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/asyncbench-kafka.XXXXXX")
    made_dir=1
else
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
fi

# The JVM options every Kafka process gets. Word splitting of the env values is intended.
read -r -a heap_opts <<<"$KAFKA_HEAP_OPTS"
read -r -a perf_opts <<<"$KAFKA_JVM_PERFORMANCE_OPTS"
# The tools are short-lived: a small heap, serial GC and C1 only start faster and leave the
# two cores to the brokers.
tool_jvm=(java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
          "-Dlog4j.configuration=file:$kafka_home/config/tools-log4j.properties" -cp "$libs/*")

# --- cluster identity: reuse DIR's, or create it ------------------------------------------
if [[ -f $dir/cluster.env ]]; then
    # shellcheck source=/dev/null
    source "$dir/cluster.env"
    [[ -z $brokers || $brokers == "$CLUSTER_BROKERS" ]] ||
        die "$dir holds a $CLUSTER_BROKERS-node cluster; --brokers $brokers does not match (use another --dir)"
    [[ -z $base_port || $base_port == "$CLUSTER_BASE_PORT" ]] ||
        die "$dir uses base port $CLUSTER_BASE_PORT; --base-port $base_port does not match"
    [[ $CLUSTER_KAFKA_VERSION == "$KAFKA_VERSION" ]] ||
        die "$dir was created by Kafka $CLUSTER_KAFKA_VERSION; run with KAFKA_VERSION=$CLUSTER_KAFKA_VERSION or use another --dir"
    # shellcheck disable=SC2153 # CLUSTER_* come from cluster.env
    brokers=$CLUSTER_BROKERS base_port=$CLUSTER_BASE_PORT cluster_id=$CLUSTER_ID
    fresh=0
else
    [[ -z $node ]] || die "no cluster in $dir (no cluster.env): start the whole cluster first"
    if [[ -n $(ls -A "$dir") ]]; then
        die "$dir is not empty and holds no cluster.env: refusing to put a cluster there"
    fi
    brokers=${brokers:-1} base_port=${base_port:-$KAFKA_BASE_PORT}
    # The cluster id must be a base64 UUID that every node is formatted with.
    cluster_id=$("${tool_jvm[@]}" kafka.tools.StorageTool random-uuid)
    fresh=1
fi
[[ -z $node || $node -le $brokers ]] || die "node $node does not exist: the cluster in $dir has $brokers node(s)"

client_port() { echo $((base_port + $1 - 1)); }
controller_port() { echo $((base_port + KAFKA_CONTROLLER_PORT_OFFSET + $1 - 1)); }
bootstrap=""
voters=""
for ((i = 1; i <= brokers; i++)); do
    bootstrap+="${bootstrap:+,}$KAFKA_BIND_HOST:$(client_port "$i")"
    voters+="${voters:+,}$i@$KAFKA_BIND_HOST:$(controller_port "$i")"
done

# A pid file is only trusted if that pid is still this node's JVM (pids get reused).
node_pid() {
    local pidf="$dir/node-$1.pid" pid
    [[ -s $pidf ]] || return 1
    pid=$(<"$pidf")
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/node-$1/server.properties" || return 1
    echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/$KAFKA_BIND_HOST/$1") 2>/dev/null; }

# --- on failure, stop what this run started ------------------------------------------------
started=()
cleanup_on_failure() {
    local rc=$?
    trap - EXIT INT TERM
    if ((rc != 0 && ${#started[@]})); then
        log "stopping the node(s) this run started: ${started[*]}"
        for i in "${started[@]}"; do
            "$here/stop.sh" --dir "$dir" --node "$i" || true
        done
    fi
    # A temporary folder this run made is of no use to anyone once the start failed; logs of
    # a failed node were printed above. A --dir given by the caller is left as it is.
    if ((rc != 0 && made_dir)); then rm -rf "$dir"; fi
    exit "$rc"
}
trap cleanup_on_failure EXIT
trap 'exit 130' INT TERM

# --- which nodes to start -----------------------------------------------------------------
to_start=()
if [[ -n $node ]]; then
    if pid=$(node_pid "$node"); then
        die "node $node is already running (pid $pid); stop it first: $here/stop.sh --dir $dir --node $node"
    fi
    to_start=("$node")
else
    for ((i = 1; i <= brokers; i++)); do
        if pid=$(node_pid "$i"); then
            log "node $i already running (pid $pid)"
        else
            to_start+=("$i")
        fi
    done
fi

# Refuse before starting anything: a half-started cluster on someone else's port is worse
# than a clear message.
for i in "${to_start[@]}"; do
    for p in "$(client_port "$i")" "$(controller_port "$i")"; do
        port_in_use "$p" && die "port $p (node $i) on $KAFKA_BIND_HOST is already in use; pick another --base-port or stop what listens there"
    done
done

if ((fresh)); then
    {
        echo "# Written by start.sh: the identity a restart of this cluster reuses."
        echo "CLUSTER_ID=$cluster_id"
        echo "CLUSTER_BROKERS=$brokers"
        echo "CLUSTER_BASE_PORT=$base_port"
        echo "CLUSTER_KAFKA_VERSION=$KAFKA_VERSION"
    } >"$dir/cluster.env"
fi

# With 3 nodes, acks=all + min.insync.replicas=2 keeps producing through the loss of one
# broker, which is what the fault-injection scenarios exercise; with 1 node, 1 everywhere.
if ((brokers >= 3)); then rf=3 min_isr=2; else rf=1 min_isr=1; fi

write_config() {
    local i=$1 nd="$dir/node-$1"
    mkdir -p "$nd/data"
    cat >"$nd/server.properties" <<PROPS
# Written by scripts/kafka/start.sh for asyncbench: node $i of $brokers, cluster $cluster_id.
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://$KAFKA_BIND_HOST:$(client_port "$i"),CONTROLLER://$KAFKA_BIND_HOST:$(controller_port "$i")
advertised.listeners=PLAINTEXT://$KAFKA_BIND_HOST:$(client_port "$i")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$nd/data

num.partitions=$KAFKA_NUM_PARTITIONS
default.replication.factor=$rf
min.insync.replicas=$min_isr
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr

# asyncbench creates its own topics; a typo in a topic name must fail, not create a topic.
auto.create.topics.enable=$KAFKA_AUTO_CREATE_TOPICS
# No 3 s wait before the first consumer group rebalance: measured runs start right away.
group.initial.rebalance.delay.ms=$KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS
PROPS
}


show_log() {
    local i=$1 f
    for f in "$dir/node-$i/console.log" "$dir/node-$i/server.log"; do
        [[ -s $f ]] || continue
        log "---- last 30 lines of $f ----"
        tail -n 30 "$f" >&2
    done
}

# fail_nodes MESSAGE NODE...: show each node's log tail, then fail (the EXIT trap stops
# whatever this run started).
fail_nodes() {
    local msg=$1 i
    shift
    for i in "$@"; do show_log "$i"; done
    die "$msg"
}

# --- format and launch -----------------------------------------------------------------------
t0=$SECONDS
for i in "${to_start[@]}"; do
    nd="$dir/node-$i"
    [[ -f $nd/server.properties ]] || write_config "$i"
    if [[ ! -f $nd/data/meta.properties ]]; then
        log "formatting node $i storage (cluster $cluster_id)"
        "${tool_jvm[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
            -c "$nd/server.properties" >"$nd/format.log" 2>&1 ||
            { cat "$nd/format.log" >&2; die "formatting node $i failed"; }
    fi
done

for i in "${to_start[@]}"; do
    nd="$dir/node-$i"
    rm -f "$dir/node-$i.pid"
    # setsid: the node must outlive this script and not get the terminal's Ctrl-C/hangup.
    # The inner shell writes its own pid then execs java, so the pid file is the JVM's pid.
    # shellcheck disable=SC2016 # $$ and $@ are for the inner shell
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$dir/node-$i.pid" \
        java "${heap_opts[@]}" "${perf_opts[@]}" \
        "-Xlog:gc*:file=$nd/gc.log:time,tags:filecount=2,filesize=20M" \
        "-Dkafka.logs.dir=$nd" "-Dlog4j.configuration=file:$kafka_home/config/log4j.properties" \
        -cp "$libs/*" kafka.Kafka "$nd/server.properties" \
        </dev/null >>"$nd/console.log" 2>&1 &
    started+=("$i")
    for _ in {1..50}; do [[ -s $dir/node-$i.pid ]] && break; sleep 0.1; done
    log "node $i starting (pid $(cat "$dir/node-$i.pid" 2>/dev/null || echo '?')): clients $KAFKA_BIND_HOST:$(client_port "$i"), controller $KAFKA_BIND_HOST:$(controller_port "$i"), log $nd/server.log"
done

# --- wait until the cluster's metadata lists every node -------------------------------------
# BrokerApiVersionsCommand asks the cluster for its metadata and then each listed broker for
# its API versions: a node appears only once it is registered, unfenced and answering, which
# is what a client (and asyncbench's topic creation with RF=3) needs.
deadline=$((SECONDS + timeout_s))
registered="" up=0
while :; do
    for i in "${to_start[@]}"; do
        node_pid "$i" >/dev/null || fail_nodes "node $i exited during startup (log tail above)" "$i"
    done
    remaining=$((deadline - SECONDS))
    ((remaining > 0)) || break
    # Don't spend a JVM start on the probe until every client port at least accepts TCP.
    all_listening=1
    for ((i = 1; i <= brokers; i++)); do
        port_in_use "$(client_port "$i")" || { all_listening=0; break; }
    done
    if ((all_listening)); then
        out=$(timeout "$remaining" "${tool_jvm[@]}" kafka.admin.BrokerApiVersionsCommand \
            --bootstrap-server "$bootstrap" 2>/dev/null || true)
        registered=$(grep -o '(id: [0-9]*' <<<"$out" | grep -o '[0-9]*$' | sort -un | tr '\n' ' ' || true)
        count=$(wc -w <<<"$registered")
        ((count == brokers)) && { up=1; break; }
    fi
    sleep 1
done

if ((!up)); then
    missing=()
    for ((i = 1; i <= brokers; i++)); do
        [[ " $registered " == *" $i "* ]] || missing+=("$i")
    done
    log "registered after ${timeout_s}s: ${registered:-none}"
    fail_nodes "node(s) ${missing[*]} did not come up within ${timeout_s}s (log tail above)" "${missing[@]}"
fi

echo "$bootstrap" >"$dir/bootstrap.txt"
echo "$dir" >"$last_dir_file"
log "cluster up in $((SECONDS - t0))s: $brokers node(s) registered (${registered% }), data in $dir"
log "point asyncbench at it: asyncbench run SCENARIO --bootstrap-servers $bootstrap"
log "stop it: $here/stop.sh --dir $dir [--clean]"
trap - EXIT INT TERM
echo "$bootstrap"
