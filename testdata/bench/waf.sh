#!/usr/bin/env bash
# Loopback throughput benchmark of Edgeward's WAF against Coraza's own
# HTTP middleware, both running the OWASP CRS at paranoia level 1.
#
# What it does (see README.md beside this file for how to read the result):
#   1. Installs wrk from Debian when it is missing.
#   2. Builds edgeward and corazabaseline/main.go and starts, all on
#      127.0.0.1:
#        origin      corazabaseline -waf off: a plain net/http handler
#                    answering 1 KiB of text/html with Cache-Control: no-store
#        ew_on       `edgeward serve` in front of the origin, the default
#                    behavior with waf_policy: waf.yaml (kind: waf, mode:
#                    block, crs: {paranoia_level: 1}, defaults otherwise)
#        ew_off      the same config without waf_policy
#        coraza      corazabaseline: txhttp.WrapHandler around the same
#                    handler, Coraza's recommended config (response bodies
#                    inspected), the CRS example setup, SecRuleEngine On
#        coraza_nrb  the same with SecResponseBodyAccess Off
#   3. Warms every server: the benign GET and POST must answer 200 with the
#      whole page, an XSS and an SQL injection must be refused with 403 by
#      every server with a WAF (and pass through ew_off); anything else
#      fails the script, since the numbers would not mean what they say.
#   4. Per request (a benign GET with a query string, a benign urlencoded
#      form POST; waf.lua, the same requests as the Go benchmarks' in
#      testdata/bench/benign: by default every query string and form is new,
#      as from real visitors, so nothing a WAF remembers from one request
#      decides the next) runs wrk against each server in turn, ROUNDS times
#      with the order reversed every other round, and keeps each server's
#      best run (highest req/s, with that run's p99) and its lowest CPU
#      time per request (the server's own process group: not wrk, not the
#      origin).
#   5. Prints a Markdown table and the ratios (written to $BENCH_OUT too
#      when set).
#
# It is a measurement, not a test: it exits 0 whatever the ratios are, and
# non-zero only when something could not be built, started or reached, or
# answered wrongly. Every process it starts runs in its own process group
# under `timeout` (a hard bound on its life even if this script is
# SIGKILLed) and is stopped by the EXIT trap, on success, failure and
# Ctrl-C alike.
#
# Environment (all optional):
#   WRK_THREADS   wrk threads (default 2)
#   WRK_CONNS     wrk connections (default 64)
#   DURATION      length of one wrk run: 10s, 30, 1m (default 10s; at most 10m)
#   ROUNDS        runs per server and request; the best is kept (default 2)
#   WAF_REQUESTS  varied (default: new query strings and forms) or repeat
#                 (the same request every time)
#   BENCH_OUT     file to write the Markdown report to
#   BENCH_APPEND  1 to add the report to the end of BENCH_OUT instead of
#                 replacing it (make bench: after bench.sh's report)
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
WAF_REQUESTS=${WAF_REQUESTS:-varied}
BENCH_OUT=${BENCH_OUT:-}
BENCH_APPEND=${BENCH_APPEND:-0}
BENCH_KEEP=${BENCH_KEEP:-0}
EDGEWARD_BIN=${EDGEWARD_BIN:-}
GO=${GO:-go}

# The servers in table order, and what the report calls them.
TARGETS=(ew_on ew_off coraza coraza_nrb)
declare -A LABEL=(
	[ew_on]="edgeward, WAF on"
	[ew_off]="edgeward, WAF off"
	[coraza]="Coraza txhttp.WrapHandler, recommended config"
	[coraza_nrb]="Coraza txhttp.WrapHandler, SecResponseBodyAccess Off"
)
# The servers that must refuse the attacks.
WAF_TARGETS=(ew_on coraza coraza_nrb)

# The benign requests (waf.lua adds the browser headers and the form), and
# the Host every request carries: a name, as browsers send, since the CRS
# scores a numeric Host (rule 920350).
KINDS=(GET POST)
declare -A REQ_PATH=([GET]="/products/42?ref=home&page=2&sort=price" [POST]="/contact")
FORM="name=alice&comment=hello+world&email=alice%40example.com"
HOST_NAME=bench.test
UA="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# The attacks: <script>alert(1)</script> and 1' OR '1'='1, URL-encoded.
ATTACKS=("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E" "/?id=1%27%20OR%20%271%27%3D%271")

BENCH_NAME=waf-bench READY_S=30  # the WAFs compile the CRS before they answer
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

[[ $WAF_REQUESTS == varied || $WAF_REQUESTS == repeat ]] || die "WAF_REQUESTS must be varied or repeat, not '$WAF_REQUESTS'"
[[ $BENCH_KEEP == 0 || $BENCH_KEEP == 1 ]] || die "BENCH_KEEP must be 0 or 1, not '$BENCH_KEEP'"
[[ $BENCH_APPEND == 0 || $BENCH_APPEND == 1 ]] || die "BENCH_APPEND must be 0 or 1, not '$BENCH_APPEND'"

# A hard bound on how long any server may live: every wrk run plus slack
# for start-up (the CRS compiles in each WAF) and warm-up. `timeout`
# enforces it even if this script dies without running its trap.
BUDGET_S=$((${#KINDS[@]} * ${#TARGETS[@]} * ROUNDS * (DUR_S + 15) + 300))

# --------------------------------------------------------------------- tools

# ensure_tools installs wrk from Debian when it is missing.
ensure_tools() {
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
	command -v curl >/dev/null || die "curl is not installed"
	command -v wrk >/dev/null && return 0
	if [[ $(id -u) != 0 ]]; then
		command -v sudo >/dev/null || die "wrk is missing and there is no sudo to install it"
		apt=(sudo env DEBIAN_FRONTEND=noninteractive apt-get)
	fi
	log "installing wrk (Debian package)"
	"${apt[@]}" update -qq || die "apt-get update failed"
	"${apt[@]}" install -y -qq wrk >/dev/null || die "apt-get install wrk failed"
	command -v wrk >/dev/null || die "wrk is not installed"
}

# ------------------------------------------------------------------- configs

# write_waf_policy FILE: the WAF policy under test, the defaults but for
# the mode and paranoia level the benchmark states (inbound anomaly
# threshold 5, request_body_limit 16KiB, response_inspection false).
write_waf_policy() {
	cat >"$1" <<EOF
# Written by testdata/bench/waf.sh.
kind: waf
mode: block
crs:
  paranoia_level: 1
EOF
}

# write_edgeward_conf FILE PORT ORIGIN_PORT WAF: one distribution in front
# of the origin, no admin API, no access log, the usual memory cache (the
# origin's no-store keeps every request going to it, as with the
# baselines, and POSTs are never cached). WAF=1 gives the default behavior
# waf_policy: waf.yaml (beside FILE).
write_edgeward_conf() {
	local file=$1 port=$2 origin_port=$3 waf=$4
	{
		cat <<EOF
# Written by testdata/bench/waf.sh.
node_name: bench
listen:
  http: 127.0.0.1:$port
  admin: "off"
access_log:
  path: "off"
cache:
  memory: 64MiB
distributions:
  - name: bench
    hosts: [$HOST_NAME]
    origins:
      - id: o
        url: http://127.0.0.1:$origin_port
    default_behavior:
      origin: o
      allowed_methods: [GET, HEAD, POST]
EOF
		if [[ $waf == 1 ]]; then
			echo "      waf_policy: waf.yaml"
		fi
	} >"$file"
}

# ------------------------------------------------------------------ measuring

# probe METHOD URL: one request as a browser would send it (the form for
# POST); prints "STATUS SIZE XCACHE", XCACHE being the X-Cache header
# ("-" when absent, spaces as "_").
probe() {
	local method=$1 url=$2 hdr="$TMP/probe.hdr" out cache
	local args=(-sS -o /dev/null -D "$hdr" -w '%{http_code} %{size_download}' --max-time 10
		-H "Host: $HOST_NAME" -H "User-Agent: $UA" -H "Accept: $ACCEPT" -H "Accept-Language: en-GB,en;q=0.5")
	if [[ $method == POST ]]; then
		args+=(-H "Content-Type: application/x-www-form-urlencoded" --data-raw "$FORM")
	fi
	: >"$hdr"
	out=$(curl "${args[@]}" "$url") || out="000 0"
	cache=$(tr -d '\r' <"$hdr" 2>/dev/null | awk -F': ' 'tolower($1) == "x-cache" { v = $2 } END { print (v == "" ? "-" : v) }')
	echo "$out ${cache// /_}"
}

# warm TARGET: the benign GET and POST twice each (200 with the whole page,
# or fail), then the attacks (403 from a WAF, 200 from ew_off, or fail: a
# WAF that lets them through is not on, and the numbers would not measure
# it). For edgeward, the second GET must not be a cache hit (the origin
# says no-store); it also leaves Edgeward's mark that the URL is not
# storable, so the runs' concurrent GETs do not queue behind each other.
declare -A CACHE_STATE=()
warm() {
	local t=$1 k i a url status size cache want
	for k in "${KINDS[@]}"; do
		url="${URL[$t]}${REQ_PATH[$k]}"
		for i in 1 2; do
			read -r status size cache < <(probe "$k" "$url")
			[[ $status == 200 ]] || {
				show_log "$t"
				die "$t: benign $k $url answered $status, want 200"
			}
			[[ $size == "$PAGE_BYTES" ]] || die "$t: $k $url sent $size bytes, want $PAGE_BYTES"
		done
		if [[ $t == ew_* && $k == GET ]]; then
			[[ ${cache,,} == hit_* ]] && die "$t: the second GET of $url was a cache hit ($cache) although the origin says no-store"
			CACHE_STATE[$t]=${cache//_/ }
		fi
	done
	want=200
	[[ " ${WAF_TARGETS[*]} " == *" $t "* ]] && want=403
	for a in "${ATTACKS[@]}"; do
		url="${URL[$t]}$a"
		read -r status _ _ < <(probe GET "$url")
		[[ $status == "$want" ]] || {
			show_log "$t"
			if [[ $want == 403 ]]; then
				die "$t: the attack GET $a answered $status, want 403: its WAF is not blocking"
			fi
			die "$t: the attack GET $a answered $status, want 200: something refuses it with the WAF off"
		}
	done
	log "  $t: benign GET and POST 200, attacks $want"
}

declare -A URL=()

# run_wrk TARGET KEY ROUND: one wrk run (lib.sh's wrk_best).
run_wrk() {
	# A refusal of the benign request is a false positive: wrk_best notes
	# error statuses, since the run then measures refusals.
	wrk_best "$1" "$2" "$3" "$2" "$PAGE_BYTES" "$HERE/waf.lua" "${URL[$1]}/" "$2" "$HOST_NAME" "$WAF_REQUESTS"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# module_version MODULE: the version go.mod requires ("unknown" when go
# cannot say).
module_version() {
	(cd "$ROOT" && "$GO" list -m -f '{{.Version}}' "$1" 2>/dev/null) || echo unknown
}

# ---------------------------------------------------------------------- main

ensure_tools
TMP=$(mktemp -d "${TMPDIR:-/tmp}/edgeward-waf-bench.XXXXXX")
log "working in $TMP"

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
log "building the Coraza baseline"
(cd "$ROOT" && "$GO" build -o "$TMP/corazabaseline" ./testdata/bench/corazabaseline) ||
	die "go build ./testdata/bench/corazabaseline failed"

for t in origin "${TARGETS[@]}"; do
	free_port "$t"
	URL[$t]="http://127.0.0.1:${PORT[$t]}"
done

# The origin: the baseline's handler alone.
start origin "$TMP/corazabaseline" -addr "127.0.0.1:${PORT[origin]}" -waf off
wait_ready origin "$STARTED_PID" "${URL[origin]}/"
read -r st PAGE_BYTES _ < <(probe GET "${URL[origin]}${REQ_PATH[GET]}")
[[ $st == 200 ]] || die "the origin answered $st for ${REQ_PATH[GET]}"
((PAGE_BYTES > 0)) || die "the origin answered an empty page"

# Edgeward with and without the WAF; `policy check` first, for a clear
# message when this build does not take the config.
write_waf_policy "$TMP/waf.yaml"
for t in ew_on ew_off; do
	conf="$TMP/$t.yaml"
	write_edgeward_conf "$conf" "${PORT[$t]}" "${PORT[origin]}" "$([[ $t == ew_on ]] && echo 1 || echo 0)"
	if ! "$EW" policy check "$conf" >"$TMP/$t-check.log" 2>&1; then
		show_log "$t-check"
		die "edgeward policy check rejected the benchmark config ($conf)"
	fi
	start "$t" "$EW" serve --config "$conf" --log-level warn
	wait_ready "$t" "$STARTED_PID" "${URL[$t]}/"
done

# The Coraza baselines.
start coraza "$TMP/corazabaseline" -addr "127.0.0.1:${PORT[coraza]}" -response-body on
wait_ready coraza "$STARTED_PID" "${URL[coraza]}/"
start coraza_nrb "$TMP/corazabaseline" -addr "127.0.0.1:${PORT[coraza_nrb]}" -response-body off
wait_ready coraza_nrb "$STARTED_PID" "${URL[coraza_nrb]}/"

log "warming up and checking every server"
for t in "${TARGETS[@]}"; do
	warm "$t"
done

check_quiet before

# Measure: per request, ROUNDS rounds; odd rounds go in TARGETS order, even
# rounds in reverse, so no server always runs first (on a fresh, cool CPU)
# or last.
for k in "${KINDS[@]}"; do
	for ((r = 1; r <= ROUNDS; r++)); do
		order=("${TARGETS[@]}")
		if ((r % 2 == 0)); then
			order=()
			for ((i = ${#TARGETS[@]} - 1; i >= 0; i--)); do order+=("${TARGETS[$i]}"); done
		fi
		for t in "${order[@]}"; do
			run_wrk "$t" "$k" "$r"
		done
	done
done

check_quiet after

# ------------------------------------------------------------------- report

report() {
	local t k n row
	echo "## Edgeward's WAF vs Coraza's middleware: benign requests on loopback"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown CPU); CPU used by other processes: ${BUSY[before]}% before the runs, ${BUSY[after]}% after"
	local ew_version
	if [[ -n $EDGEWARD_BIN ]]; then
		ew_version="binary $EDGEWARD_BIN ($("$EW" --version 2>/dev/null | head -n 1 || true))"
	else
		ew_version="built from $(cd "$ROOT" && git describe --tags --always --dirty 2>/dev/null || echo "an unknown revision")"
	fi
	echo "- edgeward: $ew_version; WAF policy \`kind: waf, mode: block, crs: {paranoia_level: 1}\` (inbound threshold 5, request body limit 16KiB, no response inspection); origin answers ${PAGE_BYTES} bytes of text/html, \`Cache-Control: no-store\` (edgeward X-Cache on GET: WAF on \"${CACHE_STATE[ew_on]}\", off \"${CACHE_STATE[ew_off]}\")"
	echo "- Coraza $(module_version github.com/corazawaf/coraza/v3), coraza-coreruleset $(module_version github.com/corazawaf/coraza-coreruleset/v4): \`@coraza.conf-recommended\`, \`@crs-setup.conf.example\`, \`@owasp_crs/*.conf\`, \`SecRuleEngine On\` (paranoia 1, threshold 5), in process around the same handler"
	if [[ $WAF_REQUESTS == varied ]]; then
		echo "- requests (waf.lua, varied): \`GET /products/<n mod 500>?ref=home&page=<n>&sort=price&q=<term>\` and \`POST /contact\` with a urlencoded form from visitor<n>, n counting up (every query string and form new; the session cookie changes every 8 requests), browser headers, Host: $HOST_NAME"
	else
		echo "- requests (waf.lua, repeat): the same \`GET /products/42?ref=home&page=42&sort=price&q=...\` and \`POST /contact\` form every time, browser headers, Host: $HOST_NAME"
	fi
	echo "- $(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }'); $("$GO" version | awk '{ print $3 }'); $WRK_THREADS threads, $WRK_CONNS connections, ${DUR_S}s per run, best of $ROUNDS runs per cell (p99 from that run)"
	echo
	echo "| server | GET req/s | GET p99 | GET CPU/req | POST req/s | POST p99 | POST CPU/req |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
	for t in "${TARGETS[@]}"; do
		row="| ${LABEL[$t]} |"
		for k in "${KINDS[@]}"; do
			row+=" $(fmt_rps "${BEST_RPS[$t,$k]}") | $(fmt_ms "${BEST_P99[$t,$k]}") | $(fmt_ms "${CPU_US[$t,$k]}") |"
		done
		echo "$row"
	done
	echo
	echo "| req/s ratio | GET | POST |"
	echo "| --- | ---: | ---: |"
	printf '| WAF on ÷ Coraza, recommended config (target: at least 2) | %s | %s |\n' \
		"$(ratio "${BEST_RPS[ew_on,GET]}" "${BEST_RPS[coraza,GET]}")" "$(ratio "${BEST_RPS[ew_on,POST]}" "${BEST_RPS[coraza,POST]}")"
	printf '| WAF on ÷ Coraza, SecResponseBodyAccess Off | %s | %s |\n' \
		"$(ratio "${BEST_RPS[ew_on,GET]}" "${BEST_RPS[coraza_nrb,GET]}")" "$(ratio "${BEST_RPS[ew_on,POST]}" "${BEST_RPS[coraza_nrb,POST]}")"
	printf '| WAF on ÷ WAF off | %s | %s |\n' \
		"$(ratio "${BEST_RPS[ew_on,GET]}" "${BEST_RPS[ew_off,GET]}")" "$(ratio "${BEST_RPS[ew_on,POST]}" "${BEST_RPS[ew_off,POST]}")"
	echo
	echo "| CPU per request ratio | GET | POST |"
	echo "| --- | ---: | ---: |"
	printf '| Coraza, recommended config ÷ WAF on | %s | %s |\n' \
		"$(ratio "${CPU_US[coraza,GET]}" "${CPU_US[ew_on,GET]}")" "$(ratio "${CPU_US[coraza,POST]}" "${CPU_US[ew_on,POST]}")"
	n=0
	for t in "${TARGETS[@]}"; do
		for k in "${KINDS[@]}"; do
			if [[ -n ${NOTES[$t,$k]:-} ]]; then
				((n++ == 0)) && echo && echo "Notes:"
				echo "- ${LABEL[$t]} $k: ${NOTES[$t,$k]}"
			fi
		done
	done
	return 0
}

REPORT=$(report)
echo
echo "$REPORT"
if [[ -n $BENCH_OUT ]]; then
	if [[ $BENCH_APPEND == 1 ]]; then
		printf '\n%s\n' "$REPORT" >>"$BENCH_OUT" || die "cannot write $BENCH_OUT"
		log "report added to $BENCH_OUT"
	else
		printf '%s\n' "$REPORT" >"$BENCH_OUT" || die "cannot write $BENCH_OUT"
		log "report written to $BENCH_OUT"
	fi
fi
