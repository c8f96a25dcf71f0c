# shellcheck shell=bash disable=SC2034  # PORT, DUR_S and the rest are used by the sourcing script
# Shared by bench.sh and waf.sh (sourced, not run): messages, the common
# knobs' validation, the processes the benchmarks start and stop, and the
# measuring helpers. The sourcing script sets BENCH_NAME (the message
# prefix), READY_S (how long wait_ready waits), WRK_THREADS, WRK_CONNS,
# DURATION, ROUNDS and BENCH_KEEP first; it gets DUR_S (DURATION in whole
# seconds), TMP, PIDS and the functions below, and the EXIT, INT and TERM
# traps that stop everything it started.

log() { printf '%s: %s\n' "$BENCH_NAME" "$*" >&2; }
warn() { printf '%s: WARNING: %s\n' "$BENCH_NAME" "$*" >&2; }
die() {
	printf '%s: FAILED: %s\n' "$BENCH_NAME" "$*" >&2
	exit 1
}

# ---------------------------------------------------------------- parameters

is_uint() { [[ $1 =~ ^[0-9]+$ ]] && ((10#$1 > 0)); }
is_uint "$WRK_THREADS" || die "WRK_THREADS must be a positive integer, not '$WRK_THREADS'"
is_uint "$WRK_CONNS" || die "WRK_CONNS must be a positive integer, not '$WRK_CONNS'"
is_uint "$ROUNDS" || die "ROUNDS must be 1..10, not '$ROUNDS'"
WRK_THREADS=$((10#$WRK_THREADS)) WRK_CONNS=$((10#$WRK_CONNS)) ROUNDS=$((10#$ROUNDS))
((WRK_CONNS >= WRK_THREADS)) || die "WRK_CONNS ($WRK_CONNS) must be at least WRK_THREADS ($WRK_THREADS)"
((WRK_CONNS <= 10000)) || die "WRK_CONNS must be at most 10000, not $WRK_CONNS"
((ROUNDS <= 10)) || die "ROUNDS must be 1..10, not $ROUNDS"

# DURATION in whole seconds: wrk takes the same forms (N, Ns, Nm).
case $DURATION in
*s) DUR_S=${DURATION%s} ;;
*m) DUR_S=${DURATION%m} && is_uint "$DUR_S" && DUR_S=$((10#$DUR_S * 60)) ;;
*) DUR_S=$DURATION ;;
esac
is_uint "$DUR_S" || die "DURATION must be 1s..10m (e.g. 10s, 30, 1m), not '$DURATION'"
DUR_S=$((10#$DUR_S))
((DUR_S <= 600)) || die "DURATION must be 1s..10m (e.g. 10s, 30, 1m), not '$DURATION'"


# ----------------------------------------------------------------- processes

TMP=""
PIDS=() # process-group leaders we started (setsid makes each its own group)

# cleanup stops every process group we started: SIGTERM, up to 5s to exit,
# then SIGKILL. It runs on every exit, normal or not.
cleanup() {
	local rc=$? pid i
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	for ((i = 0; i < 50; i++)); do
		local alive=0
		for pid in "${PIDS[@]}"; do
			kill -0 -- "-$pid" 2>/dev/null && alive=1
		done
		((alive)) || break
		sleep 0.1
	done
	for pid in "${PIDS[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [[ -n $TMP && -d $TMP ]]; then
		if [[ $BENCH_KEEP == 1 || $rc -ne 0 ]]; then
			log "kept $TMP (configs, logs, raw wrk output)"
		else
			rm -rf -- "$TMP"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# start NAME CMD... starts CMD in the background in its own session and
# process group, its output in $TMP/NAME.log, bounded by BUDGET_S. The pid
# (which is also the process group id) is left in STARTED_PID.
STARTED_PID=""
declare -A GROUP=() # NAME -> the process group start() made for it
start() {
	local name=$1
	shift
	# Not `set -m`: in a non-interactive shell the child is not a process
	# group leader, so setsid makes the new session in place (no fork) and
	# $! is the group's id.
	setsid timeout --kill-after=5s "${BUDGET_S}s" "$@" >"$TMP/$name.log" 2>&1 &
	STARTED_PID=$!
	PIDS+=("$STARTED_PID")
	GROUP[$name]=$STARTED_PID
}

# group_cpu_ticks PGID prints the CPU time (user + system, in clock ticks)
# the live processes of process group PGID have used. In /proc/PID/stat,
# after "PID (COMM) ", the third field is the group, the 12th and 13th
# utime and stime.
group_cpu_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$1" '{ sub(/^.*\) /, ""); if ($3 == g) t += $12 + $13 } END { print t + 0 }'
}

# show_log NAME prints the end of a server's log (after a failure).
show_log() {
	[[ -s $TMP/$1.log ]] || return 0
	log "last lines of $1.log:"
	tail -n 20 "$TMP/$1.log" >&2 || true
}

# wait_ready NAME PID URL waits up to READY_S seconds for an HTTP answer
# (any status) at URL, failing early when the process has exited.
wait_ready() {
	local name=$1 pid=$2 url=$3 i code
	for ((i = 0; i < READY_S * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			show_log "$name"
			die "$name exited during start-up"
		fi
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)
		if [[ $code != 000 && -n $code ]]; then
			return 0
		fi
		sleep 0.1
	done
	show_log "$name"
	die "$name did not answer at $url within ${READY_S}s"
}

# free_port NAME sets PORT[NAME] to a TCP port on 127.0.0.1 that nothing
# listens on and that this run has not handed out yet. (Not a command
# substitution: it must update USED_PORTS, and die must end the script.)
declare -A PORT=()
USED_PORTS=" "
free_port() {
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 40000))
		[[ $USED_PORTS == *" $p "* ]] && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			USED_PORTS+="$p "
			PORT[$1]=$p
			return 0
		fi
	done
	die "found no free port on 127.0.0.1"
}


# ------------------------------------------------------------------ measuring

# wrk_best TARGET KEY ROUND LABEL MIN_BYTES LUA URL [ARG...]: one wrk run of
# the script LUA (which prints report.lua's BENCH line) against URL, ARGs
# passed to the script. It keeps the best req/s per target and key in
# BEST_RPS and BEST_P99, and a note in NOTES when responses were errors or
# shorter than MIN_BYTES on average.
declare -A BEST_RPS=() BEST_P99=() NOTES=() CPU_US=()
wrk_best() {
	local t=$1 k=$2 r=$3 label=$4 min=$5 lua=$6 url=$7 out line rps p99 req bytes non2xx sockerr
	shift 7
	local args=()
	(($#)) && args=(-- "$@")
	out="$TMP/wrk-$t-$k-$r.txt"
	local cpu0=0 cpu1
	[[ -n ${GROUP[$t]:-} ]] && cpu0=$(group_cpu_ticks "${GROUP[$t]}")
	log "wrk $t $label round $r/$ROUNDS (${DUR_S}s, $WRK_THREADS threads, $WRK_CONNS connections)"
	# --foreground keeps wrk in our process group, so Ctrl-C reaches it
	# (wrk then stops early and the INT trap ends the script).
	if ! timeout --foreground --kill-after=5s "$((DUR_S + 30))s" \
		wrk -t "$WRK_THREADS" -c "$WRK_CONNS" -d "${DUR_S}s" --timeout 5s --latency \
		-s "$lua" "$url" "${args[@]}" >"$out" 2>&1; then
		cat "$out" >&2
		die "wrk against $t failed"
	fi
	[[ -n ${GROUP[$t]:-} ]] && cpu1=$(group_cpu_ticks "${GROUP[$t]}")
	line=$(grep '^BENCH ' "$out" || true)
	[[ -n $line ]] || {
		cat "$out" >&2
		die "no BENCH line in wrk's output ($out)"
	}
	rps=$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<<"$line")
	p99=$(sed -E 's/.* p99_us=([0-9]+).*/\1/' <<<"$line")
	req=$(sed -E 's/.* requests=([0-9]+).*/\1/' <<<"$line")
	bytes=$(sed -E 's/.* bytes=([0-9]+).*/\1/' <<<"$line")
	non2xx=$(sed -E 's/.* non2xx=([0-9]+).*/\1/' <<<"$line")
	sockerr=$(sed -E 's/.* sockerr=([0-9]+).*/\1/' <<<"$line")
	((req > 0)) || die "wrk completed no request against $t ($out)"
	if ((non2xx > 0 || sockerr > 0)); then
		NOTES[$t,$k]="$non2xx error statuses and $sockerr socket errors in round $r"
		warn "$t $label: ${NOTES[$t,$k]}"
	fi
	# Every response must have carried the whole body.
	if ((bytes / req < min)); then
		NOTES[$t,$k]="responses averaged $((bytes / req)) bytes, less than $min"
		warn "$t $label: ${NOTES[$t,$k]}"
	fi
	log "  $t $label: $rps req/s, p99 $(fmt_ms "$p99")"
	# The server's own CPU per request (its process group: not wrk's, not
	# another process's, such as a separate origin): less noisy than req/s
	# on a shared machine. The lowest of the rounds is kept.
	if [[ -n ${GROUP[$t]:-} ]]; then
		local us
		us=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$req" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (b - a) / hz * 1e6 / n }')
		if [[ -z ${CPU_US[$t,$k]:-} ]] || ((us < CPU_US[$t,$k])); then
			CPU_US[$t,$k]=$us
		fi
	fi
	if [[ -z ${BEST_RPS[$t,$k]:-} ]] || awk -v a="$rps" -v b="${BEST_RPS[$t,$k]}" 'BEGIN { exit !(a > b) }'; then
		BEST_RPS[$t,$k]=$rps
		BEST_P99[$t,$k]=$p99
	fi
}

cpu_busy() {
	local a b
	read -r -a a < <(grep '^cpu ' /proc/stat)
	sleep 1
	read -r -a b < <(grep '^cpu ' /proc/stat)
	awk -v a="${a[*]:1:8}" -v b="${b[*]:1:8}" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= 8; i++) total += y[i] - x[i]
		idle = (y[4] - x[4]) + (y[5] - x[5])
		printf "%.0f", (total > 0 ? 100 * (1 - idle / total) : 0)
	}'
}

# check_quiet WHEN: measures cpu_busy into BUSY[WHEN], warning above 10%.
declare -A BUSY=()
check_quiet() {
	BUSY[$1]=$(cpu_busy)
	if ((BUSY[$1] > 10)); then
		warn "other processes used ${BUSY[$1]}% of the CPUs $1 the runs; the numbers will be noisy (and lower)"
	fi
}

fmt_ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }
fmt_rps() { awk -v r="$1" 'BEGIN { printf "%.0f", r }'; }
