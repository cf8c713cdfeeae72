# Sourced by fetch.sh, start.sh and stop.sh (with $here set to this folder): reads kafka.env as
# plain KEY=value lines, since it is shared with docker compose and so cannot contain shell
# logic. A variable already set in the environment wins.
# shellcheck shell=bash
# shellcheck disable=SC2154  # set by the sourcing script
: "${here:?load-env.sh must be sourced with $here set to its folder}"
while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^([A-Z_][A-Z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    value=${value#\"} value=${value%\"}
    [[ -n ${!key+set} ]] || export "$key=$value"
done <"$here/kafka.env"
