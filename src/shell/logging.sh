# shellcheck shell=bash
# logging.sh - the oslo.log settings DevStack's functions file writes into a
# service's config: colored console formats, journald-friendly formats, or
# just the user identity format.

# setup_logging CONF [OTHER_COND=False]
# journald formats when USE_JOURNAL=True; colored formats when LOG_COLOR=True,
# SYSLOG=False and OTHER_COND is False; otherwise only the identity format.
function setup_logging {
    local conf=$1 other_cond=${2:-False}
    if [[ ${USE_JOURNAL:-False} == True ]]; then
        setup_systemd_logging "$conf"
    elif [[ ${LOG_COLOR:-True} == True && ${SYSLOG:-False} == False && $other_cond == False ]]; then
        setup_colorized_logging "$conf"
    else
        setup_standard_logging_identity "$conf"
    fi
}

# setup_colorized_logging CONF [SECTION=DEFAULT]
# (Older callers pass project/user variable names after the section; the
# formats below always use project_name and user_name.)
function setup_colorized_logging {
    local conf=$1 section=${2:-DEFAULT}
    local e=$'\033'
    iniset "$conf" "$section" logging_context_format_string \
        "%(asctime)s.%(msecs)03d %(color)s%(levelname)s %(name)s [${e}[01;36m%(request_id)s ${e}[00;36m%(project_name)s %(user_name)s%(color)s] ${e}[01;35m%(instance)s%(color)s%(message)s${e}[00m"
    iniset "$conf" "$section" logging_default_format_string \
        "%(asctime)s.%(msecs)03d %(color)s%(levelname)s %(name)s [${e}[00;36m-%(color)s] ${e}[01;35m%(instance)s%(color)s%(message)s${e}[00m"
    iniset "$conf" "$section" logging_debug_format_suffix \
        "${e}[00;33mfrom (pid=%(process)d) %(funcName)s %(pathname)s:%(lineno)d${e}[00m"
    iniset "$conf" "$section" logging_exception_prefix \
        "%(color)s%(asctime)s.%(msecs)03d TRACE %(name)s ${e}[01;35m%(instance)s${e}[00m"
    iniset "$conf" "$section" log_color "${LOG_COLOR:-True}"
}

# setup_systemd_logging CONF
# Formats without timestamps (journald adds them); use_journal when
# USE_JOURNAL=True.
function setup_systemd_logging {
    local conf=$1 pid="(pid=%(process)d) "
    local e=$'\033'
    if [[ ${USE_JOURNAL:-False} == True ]]; then
        iniset "$conf" DEFAULT use_journal True
        pid=""
    fi
    iniset "$conf" DEFAULT logging_debug_format_suffix \
        "${e}[00;33m{{${pid}%(funcName)s %(pathname)s:%(lineno)d}}${e}[00m"
    iniset "$conf" DEFAULT logging_context_format_string \
        "%(color)s%(levelname)s %(name)s [${e}[01;36m%(global_request_id)s %(request_id)s ${e}[00;36m%(project_name)s %(user_name)s%(color)s] ${e}[01;35m%(instance)s%(color)s%(message)s${e}[00m"
    iniset "$conf" DEFAULT logging_default_format_string \
        "%(color)s%(levelname)s %(name)s [${e}[00;36m-%(color)s] ${e}[01;35m%(instance)s%(color)s%(message)s${e}[00m"
    iniset "$conf" DEFAULT logging_exception_prefix "ERROR %(name)s ${e}[01;35m%(instance)s${e}[00m"
    iniset "$conf" DEFAULT log_color "${LOG_COLOR:-True}"
}

# setup_standard_logging_identity CONF
function setup_standard_logging_identity {
    iniset "$1" DEFAULT logging_user_identity_format "%(project_name)s %(user_name)s"
}
