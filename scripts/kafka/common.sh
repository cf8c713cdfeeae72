# Sourced by fetch.sh, start.sh and stop.sh, with $here set to this folder: what the three
# share. kafka.env is read as plain KEY=value lines, since it is shared with docker compose and
# so cannot contain shell logic; a variable already set in the environment wins.
# shellcheck shell=bash
# shellcheck disable=SC2154  # set by the sourcing script
: "${here:?common.sh must be sourced with \$here set to its folder}"
while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^([A-Z_][A-Z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    value=${value#\"} value=${value%\"}
    [[ -n ${!key+set} ]] || export "$key=$value"
done <"$here/kafka.env"

# Progress and errors go to stderr, prefixed with the script's name, so that stdout carries
# only the one line callers capture (a path or the bootstrap servers).
log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }
# Prints the script's header comment (from line 2 to `set -euo`) as its help.
usage() {
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit "${1:-1}"
}
