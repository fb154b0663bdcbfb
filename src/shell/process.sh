#!/bin/bash
# plugstack library: process functions (run_process, stop_process).
#
# run_process starts a service only when is_service_enabled says so, as
# DevStack does. Two ways to run it:
# - systemd, when it is usable (USE_SYSTEMD is True and systemd runs: the
#   directory /run/systemd/system exists, or PLUGSTACK_SYSTEMD=True): a unit
#   devstack@NAME.service written under $SYSTEMD_DIR, managed with
#   $SYSTEMCTL, as DevStack does;
# - otherwise (containers, CI sandboxes): a supervised background process in
#   its own session, pid file $SERVICE_DIR/$SCREEN_NAME/NAME.pid, output
#   appended to $LOGDIR/NAME.log (LOGDIR defaults to $DEST/logs).
# stop_process stops whichever of the two is there; for a background
# process it signals the whole process group (TERM, then KILL after
# SERVICE_GRACEFUL_SHUTDOWN_TIMEOUT seconds) and removes the pid file.
# Sourcing this file only defines functions.

# _ps_systemd_usable: run services under systemd?
_ps_systemd_usable() {
    [[ $(trueorfalse True USE_SYSTEMD) == True ]] && _ps_systemd_running
}

# _ps_pid_file NAME / _ps_log_file NAME: where a background service keeps
# its pid and its output.
_ps_pid_file() {
    echo "${SERVICE_DIR:-${DEST:-/opt/stack}/status}/${SCREEN_NAME:-stack}/$1.pid"
}
_ps_log_file() {
    echo "${LOGDIR:-${DEST:-/opt/stack}/logs}/$1.log"
}

# _ps_pid_alive PID: the process exists and is not a zombie (an exited
# process nobody has reaped yet).
_ps_pid_alive() {
    local stat
    [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
    if [[ -r /proc/$1/stat ]]; then
        # the process may end between the test and the read
        { stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
        stat=${stat##*) }
        [[ ${stat%% *} != Z ]]
    else
        [[ $(ps -o stat= -p "$1" 2>/dev/null) != Z* ]]
    fi
}

# _ps_process_alive NAME: the background service NAME is running.
_ps_process_alive() {
    local pidfile
    pidfile=$(_ps_pid_file "$1")
    [[ -s $pidfile ]] && _ps_pid_alive "$(<"$pidfile")"
}

# _ps_write_unit UNIT GROUP KEY=VALUE...: the systemd service unit
# $SYSTEMD_DIR/UNIT: its description, each KEY=VALUE in [Service] in the
# order given, the group (when given) and the install target; then systemd
# reloads its units.
_ps_write_unit() {
    local file=$SYSTEMD_DIR/$1 group=$2 pair
    _ps_root mkdir -p "$SYSTEMD_DIR"
    iniset -sudo "$file" "Unit" "Description" "Devstack $1"
    shift 2
    for pair in "$@"; do
        iniset -sudo "$file" "Service" "${pair%%=*}" "${pair#*=}"
    done
    [[ -z $group ]] || iniset -sudo "$file" "Service" "Group" "$group"
    iniset -sudo "$file" "Install" "WantedBy" "multi-user.target"
    $SYSTEMCTL daemon-reload
}

# write_user_unit_file UNIT COMMAND [GROUP] [USER]: a systemd service unit
# at $SYSTEMD_DIR/UNIT running COMMAND.
function write_user_unit_file {
    local kill_path
    kill_path=$(command -v kill || echo /bin/kill)
    _ps_write_unit "$1" "${3:-}" "User=${4:-}" "ExecStart=$2" KillMode=process TimeoutStopSec=300 \
        "ExecReload=$kill_path -HUP \$MAINPID"
}

# write_uwsgi_user_unit_file UNIT COMMAND [GROUP] [USER]: the same for a
# uwsgi service (notify type, restarted always).
function write_uwsgi_user_unit_file {
    local kill_path
    kill_path=$(command -v kill || echo /bin/kill)
    _ps_write_unit "$1" "${3:-}" "SyslogIdentifier=$1" "User=${4:-}" "ExecStart=$2" \
        "ExecReload=$kill_path -HUP \$MAINPID" Type=notify KillMode=process Restart=always NotifyAccess=all \
        RestartForceExitStatus=100
}

# _common_systemd_pitfalls COMMAND: dies on commands systemd cannot run
# (sudo inside, no absolute path).
function _common_systemd_pitfalls {
    local cmd=$1
    if [[ $cmd == *sudo* ]]; then
        die "You are trying to use run_process with sudo, this is not going to work under systemd. To run a service as another user than \$STACK_USER call: run_process \$name \$cmd \$group \$user"
    fi
    if [[ $cmd != /* ]]; then
        die "The cmd=\"$cmd\" does not start with an absolute path. It will fail to start under systemd. Please update your run_process stanza to have an absolute path."
    fi
}

# _run_under_systemd NAME COMMAND [GROUP] [USER]
function _run_under_systemd {
    local service=$1 command=$2 group=${3:-} user=${4:-${STACK_USER:-$(id -un)}}
    _common_systemd_pitfalls "$command"
    local unit="devstack@$service.service"
    if [[ $command == *uwsgi* ]]; then
        write_uwsgi_user_unit_file "$unit" "$command" "$group" "$user"
    else
        write_user_unit_file "$unit" "$command" "$group" "$user"
    fi
    $SYSTEMCTL enable "$unit"
    $SYSTEMCTL start "$unit"
}

# _ps_run_background NAME COMMAND [GROUP] [USER]: starts COMMAND (a shell
# command line) in a new session, as USER and with GROUP when given.
_ps_run_background() {
    local name=$1 command=$2 group=${3:-} user=${4:-}
    local pidfile logfile pid i
    pidfile=$(_ps_pid_file "$name")
    logfile=$(_ps_log_file "$name")
    mkdir -p "${pidfile%/*}" "${logfile%/*}"
    if _ps_process_alive "$name"; then
        warn "$name is already running (pid $(<"$pidfile")); stopping it first"
        _ps_stop_background "$name"
    fi
    rm -f "$pidfile"
    if [[ -n $group ]] && command -v sg >/dev/null 2>&1; then
        command="sg $(printf '%q' "$group") -c $(printf '%q' "$command")"
    fi
    local -a as_user=()
    _ps_fact_user
    if [[ -n $user && $user != "$_PS_FACT_USER" ]]; then
        if [[ $EUID -eq 0 ]] && command -v runuser >/dev/null 2>&1; then
            as_user=(runuser -u "$user" --)
        else
            as_user=(sudo -u "$user" -H)
        fi
        # the process writes its own pid: let USER write the file
        : >"$pidfile"
        _ps_root chown "$user" "$pidfile"
    fi
    printf '%s [plugstack] starting %s: %s\n' "$(date '+%F %T')" "$name" "$command" >>"$logfile"
    # A new session whose leader writes its own pid and then becomes the
    # command: the pid file names the process group stop_process signals.
    # Descriptors above 2 (plugstack's event pipe, the xtrace log) are not
    # inherited, so a long-running service never holds them open.
    (
        set +o xtrace
        _ps_close_fds
        # shellcheck disable=SC2016 # expanded by the inner bash
        exec "${as_user[@]}" setsid bash -c 'echo $$ >"$1"; exec bash -c "$2"' plugstack-run "$pidfile" "$command"
    ) </dev/null >>"$logfile" 2>&1 &
    for ((i = 0; i < 100; i++)); do
        [[ ! -s $pidfile ]] || break
        sleep 0.05
    done
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [[ -z $pid ]]; then
        die "run_process $name: the process did not start (see $logfile)"
    fi
    _ps_notify process "$name" "$pid" "$logfile"
    # a command that fails at once is reported now rather than found later
    sleep 0.2
    if ! _ps_pid_alive "$pid"; then
        warn "run_process $name: the process exited right after starting; last lines of $logfile:"
        tail -n 5 "$logfile" || true
    fi
    return 0
}

# _ps_close_fds: closes every file descriptor above 2 of this (sub)shell.
_ps_close_fds() {
    local fd
    if [[ -n ${BASH_XTRACEFD:-} && $BASH_XTRACEFD != [012] ]]; then
        unset BASH_XTRACEFD
    fi
    for fd in /proc/"$BASHPID"/fd/*; do
        fd=${fd##*/}
        [[ $fd =~ ^[0-9]+$ && $fd -gt 2 ]] || continue
        eval "exec $fd>&-" 2>/dev/null || true
    done
    return 0
}

# _ps_stop_background NAME: TERM the process group of NAME's pid file, KILL
# it after the graceful timeout, remove the pid file.
_ps_stop_background() {
    local name=$1 pidfile pid i limit
    pidfile=$(_ps_pid_file "$name")
    [[ -f $pidfile ]] || return 0
    pid=$(<"$pidfile")
    if _ps_pid_alive "$pid"; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || _ps_root kill -TERM -- "-$pid" || true
        limit=$((${SERVICE_GRACEFUL_SHUTDOWN_TIMEOUT:-5} * 10))
        for ((i = 0; i < limit; i++)); do
            _ps_pid_alive "$pid" || break
            sleep 0.1
        done
        if _ps_pid_alive "$pid"; then
            kill -KILL -- "-$pid" 2>/dev/null || _ps_root kill -KILL -- "-$pid" || true
        fi
        # members of the group that outlived their leader
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
    printf '%s [plugstack] stopped %s\n' "$(date '+%F %T')" "$name" >>"$(_ps_log_file "$name")" 2>/dev/null || true
    return 0
}

# is_running NAME: a process whose command line contains NAME exists.
function is_running {
    # shellcheck disable=SC2009 # a partial command-line match is the point
    ps auxw | grep -v grep | grep -q -- "${1:-}"
}

# run_process NAME COMMAND [GROUP] [USER]: starts the service NAME (when it
# is enabled) running COMMAND, optionally with GROUP and as USER.
function run_process {
    local service=$1 command=$2 group=${3:-} user=${4:-}
    _ps_time start run_process
    if is_service_enabled "$service"; then
        if _ps_systemd_usable; then
            _run_under_systemd "$service" "$command" "$group" "$user"
        else
            _ps_run_background "$service" "$command" "$group" "$user"
        fi
    fi
    _ps_time stop run_process
}

# stop_process NAME: stops the service NAME (when it is enabled), whether it
# runs under systemd or in the background.
function stop_process {
    local service=$1
    SERVICE_DIR=${SERVICE_DIR:-${DEST:-/opt/stack}/status}
    if is_service_enabled "$service"; then
        if _ps_systemd_usable && $SYSTEMCTL is-enabled "devstack@$service.service" >/dev/null 2>&1; then
            $SYSTEMCTL stop "devstack@$service.service"
            $SYSTEMCTL disable "devstack@$service.service"
        fi
        _ps_stop_background "$service"
    fi
    return 0
}

# Names DevStack had while it ran services in screen, still called by
# plugins written then. Without screen they did what DevStack did with
# USE_SCREEN=False: the command line (often "cd DIR; BIN ...", which a
# systemd unit would not take) runs in the background with a pid file.

# screen_it NAME COMMAND [GROUP] [USER]: starts an enabled service.
function screen_it {
    local service=$1 command=$2 group=${3:-} user=${4:-}
    if is_service_enabled "$service"; then
        _ps_run_background "$service" "$command" "$group" "$user"
    fi
}

# screen_stop NAME: stop_process.
function screen_stop {
    stop_process "$@"
}

# tail_log NAME FILE: followed a log file in a screen window; nothing to
# do without screen (the file is still written where the service puts it).
function tail_log {
    return 0
}
