#!/bin/sh
# The container's entry point: make sure the data directory has a seeds/ folder (an empty one if
# nothing is mounted there, so the bot starts and says where articles go), then become
# `byline "$@"` (default: run) with exec, so that `docker stop`'s SIGTERM reaches Byline itself.
set -eu
data="${BYLINE_DATA_DIR:-/data}"
seeds="${BYLINE_SEEDS_DIR:-seeds}"
case "$seeds" in
    /*) ;;
    *) seeds="$data/$seeds" ;;
esac
if [ ! -e "$seeds" ]; then
    mkdir -p "$seeds"
    echo "byline-entrypoint: created the empty articles folder $seeds: mount yours there" >&2
fi
exec byline "$@"
