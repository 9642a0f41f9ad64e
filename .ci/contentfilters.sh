#!/usr/bin/env bash
# contentfilters.sh installs SpamAssassin's spamd and Rspamd from Debian when
# they are missing and starts them on loopback only, so the tests of
# authcheck/contentfilter run against the real daemons.
#
#   .ci/contentfilters.sh          install (when missing) and start both
#   .ci/contentfilters.sh stop     stop the daemons this script started
#
# It prints the environment the tests read; CI exports it before go test:
#
#   eval "$(.ci/contentfilters.sh)"
#
#   BOUNCEKIT_SPAMD=127.0.0.1:7830      spamd, SPAMC/1.5 over TCP
#   BOUNCEKIT_RSPAMD=http://127.0.0.1:11333   rspamd's normal worker
#
# Nothing listens beyond 127.0.0.1. Rspamd's resolver is pointed at
# 127.0.0.1 (nothing answers there, so its DNS rules time out instead of
# reaching the internet) and its fuzzy_check module, whose servers are remote,
# is off. Rspamd needs ~40 s to load its rules; the script waits for it.
set -euo pipefail

SPAMD_PORT=${SPAMD_PORT:-7830}
RSPAMD_PORT=${RSPAMD_PORT:-11333}
STATE=${CONTENTFILTERS_STATE:-/tmp/bouncekit-contentfilters}
mkdir -p "$STATE"

log() { echo "contentfilters: $*" >&2; }

if [ "${1:-}" = stop ]; then
	for p in "$STATE"/spamd.pid "$STATE"/rspamd.pid; do
		[ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
		rm -f "$p"
	done
	exit 0
fi

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v spamd >/dev/null 2>&1 || missing+=(spamd spamassassin)
command -v rspamd >/dev/null 2>&1 || missing+=(rspamd)
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# rspamd binds its port before its workers have loaded the rules; it is
# ready when GET /ping answers "pong".
rspamd_ready() {
	timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET /ping HTTP/1.0\r\n\r\n" >&3 && grep -q pong <&3' _ "$1" 2>/dev/null
}

# spamd: loopback only, no network tests (-L), no per-user configs.
if ! listening "$SPAMD_PORT"; then
	log "starting spamd on 127.0.0.1:$SPAMD_PORT"
	user=()
	[ "$(id -u)" = 0 ] && user=(--username=nobody)
	spamd --daemonize --listen="127.0.0.1:$SPAMD_PORT" --allowed-ips=127.0.0.1 \
		--local --nouser-config --pidfile="$STATE/spamd.pid" "${user[@]}" \
		--max-children=2 >&2 2>>"$STATE/spamd.log" || log "spamd failed to start (see $STATE/spamd.log)"
fi

# rspamd: its own configuration directory so the system one is left alone.
if ! listening "$RSPAMD_PORT"; then
	conf="$STATE/rspamd"
	rm -rf "$conf" && mkdir -p "$conf/local.d" "$conf/override.d" "$STATE/rspamd-db"
	cp -r /etc/rspamd/. "$conf/"
	cat >"$conf/local.d/options.inc" <<OPT
dns { nameserver = ["127.0.0.1:53"]; timeout = 1s; retransmits = 1; }
OPT
	echo 'enabled = false;' >"$conf/local.d/fuzzy_check.conf"
	# Only the normal worker is needed; the controller and proxy stay off.
	echo "bind_socket = \"127.0.0.1:$RSPAMD_PORT\"; count = 1;" >"$conf/local.d/worker-normal.inc"
	echo 'enabled = false;' >"$conf/override.d/worker-controller.inc"
	echo 'enabled = false;' >"$conf/override.d/worker-proxy.inc"
	echo 'enabled = false;' >"$conf/override.d/worker-fuzzy.inc"
	log "starting rspamd on 127.0.0.1:$RSPAMD_PORT"
	ropts=(-c "$conf/rspamd.conf" --var="DBDIR=$STATE/rspamd-db" --var="RUNDIR=$STATE" --var="LOGDIR=$STATE" --var="CONFDIR=$conf" --var="LOCAL_CONFDIR=$conf")
	if [ "$(id -u)" = 0 ]; then
		chown -R _rspamd "$STATE/rspamd-db" 2>/dev/null || true
		ropts+=(-u _rspamd -g _rspamd)
	fi
	rspamd "${ropts[@]}" >>"$STATE/rspamd.log" 2>&1 || log "rspamd failed to start (see $STATE/rspamd.log)"
	# rspamd writes its main process id to RUNDIR/rspamd.pid itself; stop
	# kills that process only.
fi

for i in $(seq 1 120); do
	listening "$SPAMD_PORT" && rspamd_ready "$RSPAMD_PORT" && break
	sleep 1
done
listening "$SPAMD_PORT" || log "spamd is not listening on 127.0.0.1:$SPAMD_PORT"
rspamd_ready "$RSPAMD_PORT" || log "rspamd does not answer /ping on 127.0.0.1:$RSPAMD_PORT"

echo "export BOUNCEKIT_SPAMD=127.0.0.1:$SPAMD_PORT"
echo "export BOUNCEKIT_RSPAMD=http://127.0.0.1:$RSPAMD_PORT"
