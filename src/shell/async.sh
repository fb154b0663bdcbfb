# shellcheck shell=bash
# async.sh - DevStack's inc/async: run slow steps in the background and
# collect them later. Each job has a state file $DEST/async/NAME.ini (command,
# pid, start time), NAME.end (end time) and a log NAME.log that is printed
# when the job is waited for. With DEVSTACK_PARALLEL=False jobs run in the
# foreground.

_ps_async_defaults() {
    _ps_default DEVSTACK_PARALLEL True
    _ASYNC_BG_TIME=${_ASYNC_BG_TIME:-0}
}
_ps_register_defaults _ps_async_defaults

_ps_async_dir() {
    echo "${DEST:-/opt/stack}/async"
}

# async_init: an empty job directory.
function async_init {
    local dir
    dir=$(_ps_async_dir)
    rm -rf "$dir"
    mkdir -p "$dir"
}

# async_log NAME MESSAGE...: a line about job NAME (%command expands to its
# command line).
function async_log {
    local name=$1
    shift
    local ini pid command msg="$*"
    ini="$(_ps_async_dir)/$name.ini"
    pid=$(iniget "$ini" job pid)
    command=$(iniget "$ini" job command)
    echo "[$BASHPID Async ${name}:${pid}]: ${msg//%command/$command}"
}

# async_pidof NAME: the pid of job NAME ("self" when it ran in the foreground).
function async_pidof {
    local ini
    ini="$(_ps_async_dir)/$1.ini"
    if [[ -f $ini ]]; then
        iniget "$ini" job pid
    else
        echo UNKNOWN
        return 1
    fi
}

# _ps_async_job NAME CMD...: the background side of async_run.
_ps_async_job() {
    local name=$1 rc=0
    shift
    local dir
    dir=$(_ps_async_dir)
    "$@" >"$dir/$name.log" 2>&1 || rc=$?
    # a file of its own: the parent may be writing the ini right now
    date +%s%3N >"$dir/$name.end"
    return $rc
}

# async_run NAME CMD...: start CMD as job NAME.
function async_run {
    local xtrace
    xtrace=$(set +o | grep xtrace)
    set +o xtrace
    local name=$1
    shift
    local dir ini
    dir=$(_ps_async_dir)
    mkdir -p "$dir"
    ini="$dir/$name.ini"
    : >"$ini"
    iniset "$ini" job command "$*"
    iniset "$ini" job start_time "$(date +%s%3N)"
    if [[ $DEVSTACK_PARALLEL == True ]]; then
        _ps_async_job "$name" "$@" &
        iniset "$ini" job pid "$!"
        async_log "$name" "running: %command"
        $xtrace
    else
        iniset "$ini" job pid self
        async_log "$name" "Running synchronously: %command"
        $xtrace
        local rc=0
        "$@" || rc=$?
        date +%s%3N >"$dir/$name.end"
        return $rc
    fi
}

# async_runfunc FUNC [ARGS...]: async_run with the function name as job name.
function async_runfunc {
    async_run "$1" "$@"
}

# async_wait NAME...: wait for each job, print its output, and stop at the
# first failure, returning its status.
function async_wait {
    local xtrace
    xtrace=$(set +o | grep xtrace)
    set +o xtrace
    local name pid rc=0 dir ini
    dir=$(_ps_async_dir)
    for name in "$@"; do
        ini="$dir/$name.ini"
        if ! pid=$(async_pidof "$name"); then
            echo "Not waiting for async task $name that we never started or has already been waited for"
            continue
        fi
        async_log "$name" "Waiting for completion of %command"
        if [[ $pid != self ]]; then
            if wait "$pid"; then rc=0; else rc=$?; fi
            cat "$dir/$name.log"
        fi
        local start end
        start=$(iniget "$ini" job start_time)
        end=$(cat "$dir/$name.end" 2>/dev/null || date +%s%3N)
        _ASYNC_BG_TIME=$((_ASYNC_BG_TIME + end - start))
        async_log "$name" "finished %command with result $rc in $(((end - start) / 1000)) seconds"
        rm -f "$ini" "$dir/$name.end"
        if ((rc != 0)); then
            echo "Stopping async wait due to error: $*"
            break
        fi
    done
    $xtrace
    return $rc
}

# async_cleanup: wait for any job nobody collected.
function async_cleanup {
    [[ $DEVSTACK_PARALLEL == True ]] || return 0
    local ini
    for ini in "$(_ps_async_dir)"/*.ini; do
        [[ -e $ini ]] || continue
        local name
        name=$(basename -- "$ini" .ini)
        echo "WARNING: uncollected async future $name"
        async_wait "$name" || true
    done
}

# async_print_timing: total time spent in background jobs.
function async_print_timing {
    echo "Time spent in the background minus waits: $((_ASYNC_BG_TIME / 1000)) sec"
}
