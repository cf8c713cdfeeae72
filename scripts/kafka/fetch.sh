#!/usr/bin/env bash
# Fetch Apache Kafka (broker + tools) from Maven Central into the asyncbench cache.
#
#   scripts/kafka/fetch.sh            # prints the libs folder as the last line of stdout
#
# Why Maven and not the usual kafka_2.13-X.tgz: these machines reach Maven Central but not the
# apache.org mirrors. The jars are the same ones the tarball puts in libs/; the few config
# files the broker needs at run time (log4j) are written here.
#
# Cache: ${ASYNCBENCH_CACHE:-$HOME/.cache/asyncbench}/kafka-<version>/{libs,config}, complete
# once the .complete marker exists (written last). A second run finds it and does nothing.
# Progress goes to stderr so that `libs=$(fetch.sh)` captures only the path.
set -euo pipefail

src=${BASH_SOURCE[0]}
[[ $src == */* ]] || src=./$src
here="$(cd "${src%/*}" && pwd)"

# shellcheck source=SCRIPTDIR/common.sh
source "$here/common.sh"


# Say exactly what is missing and which Debian package brings it, rather than letting a
# "command not found" surface from the middle of the script.
missing=()
command -v java >/dev/null 2>&1 || missing+=("java (apt-get install -y openjdk-17-jre-headless)")
command -v mvn >/dev/null 2>&1 || missing+=("mvn (apt-get install -y maven)")
if ((${#missing[@]})); then
    for m in "${missing[@]}"; do log "error: missing $m"; done
    exit 1
fi
# Kafka 3.9 needs Java 11+ for the broker (17 is what the project uses and tests).
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n1)
if [[ -z $java_major || $java_major -lt 11 ]]; then
    die "Kafka $KAFKA_VERSION needs Java 11 or newer, found '${java_major:-unknown}' (apt-get install -y openjdk-17-jre-headless)"
fi

cache="${ASYNCBENCH_CACHE:-$HOME/.cache/asyncbench}"
home="$cache/kafka-$KAFKA_VERSION"
mkdir -p "$cache"

if [[ -f $home/.complete ]]; then
    log "Kafka $KAFKA_VERSION already fetched (cached), nothing to do"
    echo "$home/libs"
    exit 0
fi

# Two fetches at once (e.g. two start.sh) would race on the same folder: serialize them and
# re-check the marker once we hold the lock.
exec 9>"$cache/kafka-$KAFKA_VERSION.lock"
flock 9
if [[ -f $home/.complete ]]; then
    log "Kafka $KAFKA_VERSION fetched meanwhile by another process (cached)"
    echo "$home/libs"
    exit 0
fi

# Build in a staging folder and rename it at the end, so an interrupted fetch never leaves a
# folder that looks usable; a leftover incomplete folder from an older run is replaced.
staging="$cache/.kafka-$KAFKA_VERSION.partial.$$"
rm -rf "$staging"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/libs" "$staging/config"

log "fetching Apache Kafka $KAFKA_VERSION (kafka_$KAFKA_SCALA_VERSION + kafka-tools) from Maven Central"
# mvn prints its errors on stdout: send them to stderr so stdout stays the path alone. Debian's
# Maven 3.8 emits bare colour resets even in batch mode; strip them and the empty lines.
if ! mvn -B -q -Dstyle.color=never -f "$here/pom.xml" \
        -Dkafka.version="$KAFKA_VERSION" -Dkafka.scala.version="$KAFKA_SCALA_VERSION" \
        dependency:copy-dependencies -DoutputDirectory="$staging/libs" 2>&1 \
        | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^[[:space:]]*$/d' >&2; then
    die "mvn could not fetch org.apache.kafka:kafka_$KAFKA_SCALA_VERSION:$KAFKA_VERSION (is Maven Central reachable? see the output above)"
fi
for jar in "kafka_$KAFKA_SCALA_VERSION-$KAFKA_VERSION.jar" "kafka-tools-$KAFKA_VERSION.jar" \
           "kafka-clients-$KAFKA_VERSION.jar"; do
    [[ -f $staging/libs/$jar ]] || die "mvn finished but $jar is missing from $staging/libs"
done

# The broker's log4j 1.x (reload4j) config. kafka.logs.dir is set per node by start.sh, so
# each node logs into its own folder: server.log for everything at INFO, plus the
# controller/state-change streams the distribution also separates (useful when a fault
# injection test wants to see leadership moves). Rolled by size so a long soak stays bounded.
cat >"$staging/config/log4j.properties" <<'LOG4J'
log4j.rootLogger=INFO, kafkaAppender

log4j.appender.kafkaAppender=org.apache.log4j.RollingFileAppender
log4j.appender.kafkaAppender.File=${kafka.logs.dir}/server.log
log4j.appender.kafkaAppender.MaxFileSize=100MB
log4j.appender.kafkaAppender.MaxBackupIndex=2
log4j.appender.kafkaAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.kafkaAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.controllerAppender=org.apache.log4j.RollingFileAppender
log4j.appender.controllerAppender.File=${kafka.logs.dir}/controller.log
log4j.appender.controllerAppender.MaxFileSize=50MB
log4j.appender.controllerAppender.MaxBackupIndex=1
log4j.appender.controllerAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.controllerAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.stateChangeAppender=org.apache.log4j.RollingFileAppender
log4j.appender.stateChangeAppender.File=${kafka.logs.dir}/state-change.log
log4j.appender.stateChangeAppender.MaxFileSize=50MB
log4j.appender.stateChangeAppender.MaxBackupIndex=1
log4j.appender.stateChangeAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.stateChangeAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

# Quiet the chatty per-request and client-side loggers, as the distribution does.
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel$=WARN
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.kafka.controller=TRACE, controllerAppender
log4j.additivity.kafka.controller=false
log4j.logger.state.change.logger=INFO, stateChangeAppender
log4j.additivity.state.change.logger=false
LOG4J

# The command-line tools (StorageTool, console producer/consumer, readiness probe) only need
# warnings, on stderr, like the distribution's tools-log4j.properties.
cat >"$staging/config/tools-log4j.properties" <<'LOG4J'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.stderr.Target=System.err
LOG4J

# Marker last: its presence is what "complete" means.
printf 'kafka_%s-%s fetched %s\n' "$KAFKA_SCALA_VERSION" "$KAFKA_VERSION" "$(date -u +%FT%TZ)" \
    >"$staging/.complete"
rm -rf "$home"
mv "$staging" "$home"
trap - EXIT
log "Kafka $KAFKA_VERSION ready: $(find "$home/libs" -name '*.jar' | wc -l) jars, $(du -sh "$home/libs" | cut -f1)"
echo "$home/libs"
