#!/usr/bin/env bash
# Loopback load benchmark of Edgeward's edge cache against nginx's proxy_cache.
#
# What it does (see README.md beside this file for how to read the result):
#   1. Installs wrk and nginx from Debian when they are missing.
#   2. Makes a temp dir with three incompressible objects (1k.bin, 100k.bin,
#      1m.bin, from /dev/urandom) and starts, all on 127.0.0.1:
#        origin    nginx serving those files with Cache-Control: max-age=3600
#        nginx     nginx proxy_cache in front of the origin
#        edgeward  `edgeward serve` in front of the same origin
#        bare      (optional) a plain Go net/http server with the bytes in memory
#        raw       (optional) the same program as a hand-written HTTP/1.1 loop
#                  writing a pre-rendered head: the ceiling without net/http
#   3. Per object size: warms every cache and checks the second request is a
#      hit (a warning when not), then runs wrk against each server in turn,
#      ROUNDS times with the order reversed every other round, and keeps each
#      server's best run (highest req/s, with that run's p99).
#   4. Prints a Markdown table (written to $BENCH_OUT too when set).
#
# It is a measurement, not a test: it exits 0 whatever the ratios are, and
# non-zero only when something could not be built, started or reached.
# Every process it starts runs in its own process group under `timeout`
# (a hard bound on its life even if this script is SIGKILLed) and is stopped
# by the EXIT trap, on success, failure and Ctrl-C alike.
#
# Environment (all optional):
#   WRK_THREADS   wrk threads (default 2)
#   WRK_CONNS     wrk connections (default 64)
#   DURATION      length of one wrk run: 10s, 30, 1m (default 10s; at most 10m)
#   ROUNDS        runs per server and size; the best is kept (default 2)
#   BENCH_BARE    1 to include the bare Go reference column, 0 to skip (default 1)
#   BENCH_RAW     1 to include the raw HTTP/1.1 reference column, 0 to skip (default 1)
#   BENCH_OUT     file to write the Markdown report to
#   BENCH_KEEP    1 to keep the temp dir (configs, logs, raw wrk output)
#   EDGEWARD_BIN  an already built edgeward binary to use instead of building
#   GO            the go command (default go)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-64}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-2}
BENCH_BARE=${BENCH_BARE:-1}
BENCH_RAW=${BENCH_RAW:-1}
BENCH_OUT=${BENCH_OUT:-}
BENCH_KEEP=${BENCH_KEEP:-0}
EDGEWARD_BIN=${EDGEWARD_BIN:-}
GO=${GO:-go}

# The objects: name and size in bytes, in table order.
SIZES=(1k 100k 1m)
declare -A BYTES=([1k]=1024 [100k]=102400 [1m]=1048576)

BENCH_NAME=bench READY_S=15
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

[[ $BENCH_BARE == 0 || $BENCH_BARE == 1 ]] || die "BENCH_BARE must be 0 or 1, not '$BENCH_BARE'"
[[ $BENCH_RAW == 0 || $BENCH_RAW == 1 ]] || die "BENCH_RAW must be 0 or 1, not '$BENCH_RAW'"

TARGETS=(nginx edgeward)
((BENCH_BARE)) && TARGETS+=(bare)
((BENCH_RAW)) && TARGETS+=(raw)

# A hard bound on how long any server may live: every wrk run plus slack for
# builds, start-up and warm-up. `timeout` enforces it even if this script
# dies without running its trap.
BUDGET_S=$((${#SIZES[@]} * ${#TARGETS[@]} * ROUNDS * (DUR_S + 15) + 300))

# --------------------------------------------------------------------- tools

# ensure_tools installs wrk and nginx from Debian when missing.
NGINX=""
ensure_tools() {
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get) pkgs=() ng
	if [[ $(id -u) != 0 ]]; then
		command -v sudo >/dev/null || die "wrk or nginx is missing and there is no sudo to install them"
		apt=(sudo env DEBIAN_FRONTEND=noninteractive apt-get)
	fi
	# nginx lives in /usr/sbin, which is not on every user's PATH.
	find_nginx() { command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true; }
	command -v wrk >/dev/null || pkgs+=(wrk)
	NGINX=$(find_nginx)
	if [[ -z $NGINX ]]; then
		# nginx-light is the smallest build with proxy_cache; newer Debian
		# releases fold it into plain nginx.
		ng=nginx
		if apt-cache policy nginx-light 2>/dev/null | grep -q 'Candidate: [0-9]'; then
			ng=nginx-light
		fi
		pkgs+=("$ng")
	fi
	if ((${#pkgs[@]})); then
		log "installing ${pkgs[*]} (Debian packages)"
		"${apt[@]}" update -qq || die "apt-get update failed"
		# Debian may also enable and start the system nginx service; this
		# benchmark never uses it (it runs its own nginx as this user).
		"${apt[@]}" install -y -qq "${pkgs[@]}" >/dev/null || die "apt-get install ${pkgs[*]} failed"
		NGINX=$(find_nginx)
	fi
	command -v wrk >/dev/null || die "wrk is not installed"
	[[ -n $NGINX ]] || die "nginx is not installed"
	command -v curl >/dev/null || die "curl is not installed"
}

# ------------------------------------------------------------------- configs

# nginx_common PREFIX WORKERS prints the parts of an nginx.conf that keep
# nginx inside PREFIX: pid, error log and every temp path, so it needs no
# system directory and no root. As root, workers would otherwise drop to
# "nobody", who cannot read the 0700 temp dir; they run as the invoking
# user instead (the directive is only a notice for other users).
nginx_common() {
	local prefix=$1 workers=$2
	if [[ $(id -u) == 0 ]]; then
		echo "user $(id -un) $(id -gn);"
	fi
	cat <<EOF
worker_processes $workers;
daemon off;
master_process on;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
events { worker_connections 4096; }
EOF
}

# nginx_http_common PREFIX prints http{} settings shared by both nginx
# instances. keepalive_requests is raised so neither nginx closes wrk's
# connections every 1000 requests (Edgeward's Go server never does).
# tcp_nopush stays at nginx's default (off): with sendfile on loopback it
# stalls every 100 KiB and 1 MiB cache hit on a ~40 ms delayed ACK
# (about 2,000 req/s instead of ~50,000 measured here for 100 KiB).
nginx_http_common() {
	local prefix=$1
	cat <<EOF
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 65s;
    default_type application/octet-stream;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
EOF
}

write_origin_conf() {
	local prefix=$1 port=$2 root=$3
	mkdir -p "$prefix/tmp"
	{
		nginx_common "$prefix" 1
		cat <<EOF
http {
$(nginx_http_common "$prefix")
    server {
        listen 127.0.0.1:$port;
        root $root;
        location / {
            add_header Cache-Control "max-age=3600" always;
        }
    }
}
EOF
	} >"$prefix/nginx.conf"
}

# The nginx cache: proxy_cache with a zone and max_size far above the
# 1.1 MiB of objects, keep-alive connections to the origin, and the cache
# status in X-Cache-Status so the warm-up can see hits.
write_cache_conf() {
	local prefix=$1 port=$2 origin_port=$3
	mkdir -p "$prefix/tmp" "$prefix/cache"
	{
		nginx_common "$prefix" auto
		cat <<EOF
http {
$(nginx_http_common "$prefix")
    proxy_cache_path $prefix/cache levels=1:2 keys_zone=edge:16m max_size=1g inactive=1h use_temp_path=off;
    upstream origin {
        server 127.0.0.1:$origin_port;
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache edge;
            proxy_cache_valid 200 1h;
            proxy_cache_lock on;
            add_header X-Cache-Status \$upstream_cache_status always;
        }
    }
}
EOF
	} >"$prefix/nginx.conf"
}

# write_edgeward_conf FILE PORT ORIGIN_PORT WITH_CACHE: one distribution in
# front of the origin, no admin API, no access log. WITH_CACHE=1 adds the
# cache block (memory tier big enough for every object).
write_edgeward_conf() {
	local file=$1 port=$2 origin_port=$3 with_cache=$4
	{
		cat <<EOF
# Written by testdata/bench/bench.sh.
node_name: bench
listen:
  http: 127.0.0.1:$port
  admin: "off"
access_log:
  path: "off"
EOF
		if [[ $with_cache == 1 ]]; then
			cat <<EOF
cache:
  memory: 512MiB
  max_memory_object: 8MiB
EOF
		fi
		cat <<EOF
distributions:
  - name: bench
    hosts: [127.0.0.1, localhost]
    origins:
      - id: origin
        url: http://127.0.0.1:$origin_port
    default_behavior:
      origin: origin
EOF
	} >"$file"
}

# start_nginx NAME PREFIX checks the config, then starts nginx on it.
start_nginx() {
	local name=$1 prefix=$2
	if ! "$NGINX" -t -q -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf" >"$TMP/$name-check.log" 2>&1; then
		show_log "$name-check"
		die "nginx rejected the generated $name config ($prefix/nginx.conf)"
	fi
	start "$name" "$NGINX" -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf"
}

# ------------------------------------------------------------------ measuring

# probe URL: one GET; prints "STATUS SIZE CACHE" where CACHE is the
# X-Cache-Status (nginx) or X-Cache (edgeward) header, "-" when absent.
probe() {
	local url=$1 hdr="$TMP/probe.hdr" out cache
	out=$(curl -sS -o /dev/null -D "$hdr" -w '%{http_code} %{size_download}' --max-time 10 "$url") || out="000 0"
	cache=$(tr -d '\r' <"$hdr" 2>/dev/null | awk -F': ' 'tolower($1) == "x-cache-status" || tolower($1) == "x-cache" { v = $2 } END { print (v == "" ? "-" : v) }')
	echo "$out ${cache// /_}"
}

# warm TARGET SIZE: three GETs. Each must be a 200 with the whole object
# (anything else means the harness is broken: fail). The second must be a
# cache hit; when it is not, warn, because the numbers then measure the
# origin path. Leaves the cache status of the last GET in CACHE_STATE.
declare -A CACHE_STATE=()
warm() {
	local t=$1 s=$2 url i status size cache hit
	url="${URL[$t]}/$s.bin"
	for i in 1 2 3; do
		read -r status size cache < <(probe "$url")
		[[ $status == 200 ]] || {
			show_log "$t"
			die "$t: GET $url answered $status, want 200"
		}
		[[ $size == "${BYTES[$s]}" ]] || die "$t: GET $url sent $size bytes, want ${BYTES[$s]}"
		if ((i == 2)); then
			case $t in
			nginx) [[ $cache == HIT ]] && hit=1 || hit=0 ;;
			edgeward) [[ ${cache,,} == hit_from_edgeward ]] && hit=1 || hit=0 ;;
			*) hit=1 ;; # bare and raw have no cache: always from memory
			esac
			((hit)) || warn "$t: second GET of $s.bin was not a cache hit (${cache//_/ }); its numbers measure the trip to the origin"
		fi
	done
	CACHE_STATE[$t,$s]=${cache//_/ }
}

declare -A URL=()

# run_wrk TARGET KEY ROUND: one wrk run (lib.sh's wrk_best).
run_wrk() {
	wrk_best "$1" "$2" "$3" "$2.bin" "${BYTES[$2]}" "$HERE/report.lua" "${URL[$1]}/$2.bin"
}

# ---------------------------------------------------------------------- main

ensure_tools
TMP=$(mktemp -d "${TMPDIR:-/tmp}/edgeward-bench.XXXXXX")
log "working in $TMP"

# Objects: random bytes, so no layer can compress them.
mkdir -p "$TMP/objects"
for s in "${SIZES[@]}"; do
	head -c "${BYTES[$s]}" /dev/urandom >"$TMP/objects/$s.bin"
done

# Builds.
if [[ -n $EDGEWARD_BIN ]]; then
	[[ -x $EDGEWARD_BIN ]] || die "EDGEWARD_BIN=$EDGEWARD_BIN is not an executable"
	EW=$EDGEWARD_BIN
	log "using edgeward binary $EW"
else
	EW="$TMP/edgeward"
	log "building edgeward"
	(cd "$ROOT" && "$GO" build -o "$EW" ./cmd/edgeward) || die "go build ./cmd/edgeward failed"
fi
if ((BENCH_BARE || BENCH_RAW)); then
	log "building the bare Go reference server"
	(cd "$ROOT" && "$GO" build -o "$TMP/bare" ./testdata/bench/bare) || die "go build ./testdata/bench/bare failed"
fi

for t in origin nginx edgeward bare raw; do
	free_port "$t"
	URL[$t]="http://127.0.0.1:${PORT[$t]}"
done

# Origin.
write_origin_conf "$TMP/origin" "${PORT[origin]}" "$TMP/objects"
start_nginx origin "$TMP/origin"
wait_ready origin "$STARTED_PID" "${URL[origin]}/"
read -r st _ _ < <(probe "${URL[origin]}/1k.bin")
[[ $st == 200 ]] || die "the origin answered $st for /1k.bin"

# nginx proxy_cache.
write_cache_conf "$TMP/nginx" "${PORT[nginx]}" "${PORT[origin]}"
start_nginx nginx "$TMP/nginx"
wait_ready nginx "$STARTED_PID" "${URL[nginx]}/"

# Edgeward. The cache block is being wired into the gateway; when this
# build's config check does not know it yet, run without it (and say so).
EW_CONF="$TMP/edgeward.yaml"
write_edgeward_conf "$EW_CONF" "${PORT[edgeward]}" "${PORT[origin]}" 1
EW_CACHE_BLOCK=yes
if ! "$EW" policy check "$EW_CONF" >"$TMP/edgeward-check.log" 2>&1; then
	show_log edgeward-check
	log "NOTE: this edgeward rejects the cache: block; retrying without it (cache defaults, if any)"
	write_edgeward_conf "$EW_CONF" "${PORT[edgeward]}" "${PORT[origin]}" 0
	EW_CACHE_BLOCK="no (rejected by policy check)"
	if ! "$EW" policy check "$EW_CONF" >"$TMP/edgeward-check.log" 2>&1; then
		show_log edgeward-check
		die "edgeward policy check rejected the benchmark config ($EW_CONF)"
	fi
fi
start edgeward "$EW" serve --config "$EW_CONF" --log-level warn
wait_ready edgeward "$STARTED_PID" "${URL[edgeward]}/"

if ((BENCH_BARE)); then
	start bare "$TMP/bare" -listen "127.0.0.1:${PORT[bare]}" -dir "$TMP/objects"
	wait_ready bare "$STARTED_PID" "${URL[bare]}/"
fi
if ((BENCH_RAW)); then
	start raw "$TMP/bare" -mode raw -listen "127.0.0.1:${PORT[raw]}" -dir "$TMP/objects"
	wait_ready raw "$STARTED_PID" "${URL[raw]}/"
fi

check_quiet before

# Measure: per size, warm everything, then ROUNDS rounds; odd rounds go in
# TARGETS order, even rounds in reverse, so no server always runs first
# (on a fresh, cool CPU) or last.
for s in "${SIZES[@]}"; do
	for t in "${TARGETS[@]}"; do
		warm "$t" "$s"
	done
	for ((r = 1; r <= ROUNDS; r++)); do
		order=("${TARGETS[@]}")
		if ((r % 2 == 0)); then
			order=()
			for ((i = ${#TARGETS[@]} - 1; i >= 0; i--)); do order+=("${TARGETS[$i]}"); done
		fi
		for t in "${order[@]}"; do
			run_wrk "$t" "$s" "$r"
		done
	done
done

check_quiet after

# ------------------------------------------------------------------- report

report() {
	local s ratio n t
	echo "## Edgeward vs nginx proxy_cache: cache hits on loopback"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown CPU); CPU used by other processes: ${BUSY[before]}% before the runs, ${BUSY[after]}% after"
	local ew_version
	if [[ -n $EDGEWARD_BIN ]]; then
		ew_version="binary $EDGEWARD_BIN ($("$EW" --version 2>/dev/null | head -n 1 || true))"
	else
		ew_version="built from $(cd "$ROOT" && git describe --tags --always --dirty 2>/dev/null || echo "an unknown revision")"
	fi
	echo "- edgeward: $ew_version; cache block in config: $EW_CACHE_BLOCK"
	echo "- $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), worker_processes auto; $(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }'); $("$GO" version | awk '{ print $3 }')"
	echo "- wrk: $WRK_THREADS threads, $WRK_CONNS connections, ${DUR_S}s per run, best of $ROUNDS runs per cell (p99 from that run)"
	echo
	local head="| object | edgeward req/s | nginx req/s | ratio | edgeward p99 | nginx p99" rule="| --- | ---: | ---: | ---: | ---: | ---:"
	if ((BENCH_BARE)); then
		head+=" | bare Go req/s | bare Go p99" rule+=" | ---: | ---:"
	fi
	if ((BENCH_RAW)); then
		head+=" | raw Go req/s | raw Go p99" rule+=" | ---: | ---:"
	fi
	echo "$head | edgeward X-Cache |"
	echo "$rule | --- |"
	for s in "${SIZES[@]}"; do
		ratio=$(awk -v a="${BEST_RPS[edgeward,$s]}" -v b="${BEST_RPS[nginx,$s]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
		printf '| %s | %s | %s | %s | %s | %s |' "$s.bin" \
			"$(fmt_rps "${BEST_RPS[edgeward,$s]}")" "$(fmt_rps "${BEST_RPS[nginx,$s]}")" "$ratio" \
			"$(fmt_ms "${BEST_P99[edgeward,$s]}")" "$(fmt_ms "${BEST_P99[nginx,$s]}")"
		for t in bare raw; do
			[[ $t == bare ]] && ! ((BENCH_BARE)) && continue
			[[ $t == raw ]] && ! ((BENCH_RAW)) && continue
			printf ' %s | %s |' "$(fmt_rps "${BEST_RPS[$t,$s]}")" "$(fmt_ms "${BEST_P99[$t,$s]}")"
		done
		printf ' %s |\n' "${CACHE_STATE[edgeward,$s]}"
	done
	n=0
	for t in "${TARGETS[@]}"; do
		for s in "${SIZES[@]}"; do
			if [[ -n ${NOTES[$t,$s]:-} ]]; then
				((n++ == 0)) && echo && echo "Notes:"
				echo "- $t $s.bin: ${NOTES[$t,$s]}"
			fi
		done
	done
	for s in "${SIZES[@]}"; do
		if [[ ${CACHE_STATE[edgeward,$s],,} != "hit from edgeward" ]]; then
			echo
			echo "Edgeward did not serve these objects from its cache (X-Cache above), so its"
			echo "columns measure proxying to the origin, not cache hits."
			break
		fi
	done
}

REPORT=$(report)
echo
echo "$REPORT"
if [[ -n $BENCH_OUT ]]; then
	printf '%s\n' "$REPORT" >"$BENCH_OUT" || die "cannot write $BENCH_OUT"
	log "report written to $BENCH_OUT"
fi
