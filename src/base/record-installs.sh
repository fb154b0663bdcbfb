#!/bin/bash
# plugstack base layer: note what DevStack's own code asks apt and pip for.
#
# Appended to the localrc plugstack writes, after $PLUGSTACK_RECORD_APT and
# $PLUGSTACK_RECORD_PIP are set. stack.sh, unstack.sh and clean.sh source
# localrc (through stackrc) after `functions`, so DevStack's apt_get and
# pip_install exist here; each is wrapped once (stackrc may source localrc
# again) and keeps its behaviour and exit status. Every `apt_get install`
# and every `pip_install` call adds one line (its arguments) to the record,
# from which plugstack caches those packages and wheels for offline runs
# (`fetch --packages`, `fetch --python`). No file of DevStack is changed.

if declare -F apt_get >/dev/null && ! declare -F _ps_devstack_apt_get >/dev/null; then
    eval "_ps_devstack_apt_get() $(declare -f apt_get | tail -n +2)"
    function apt_get {
        if [[ ${1:-} == install && -n ${PLUGSTACK_RECORD_APT:-} ]]; then
            printf '%s\n' "${*:2}" >>"$PLUGSTACK_RECORD_APT" 2>/dev/null || true
        fi
        _ps_devstack_apt_get "$@"
    }
fi

if declare -F pip_install >/dev/null && ! declare -F _ps_devstack_pip_install >/dev/null; then
    eval "_ps_devstack_pip_install() $(declare -f pip_install | tail -n +2)"
    function pip_install {
        if [[ -n ${PLUGSTACK_RECORD_PIP:-} ]]; then
            printf '%s\n' "$*" >>"$PLUGSTACK_RECORD_PIP" 2>/dev/null || true
        fi
        _ps_devstack_pip_install "$@"
    }
fi
