# shellcheck shell=bash
# devstack/plugin.sh of the __NAME__ plugin. DevStack sources it as
#   source plugin.sh MODE [PHASE]
# at each hook point: stack (pre-install, install, post-config, extra,
# test-config), unstack and clean. Variables come from devstack/settings.

function install___FNAME__ {
    # Install the service's code, e.g.:
    #   git_clone "$__UNAME___REPO" "$__UNAME___DIR" "$__UNAME___BRANCH"
    #   setup_develop "$__UNAME___DIR"
    :
}

function configure___FNAME__ {
    mkdir -p "$__UNAME___CONF_DIR"
    iniset "$__UNAME___CONF" DEFAULT debug "$__UNAME___DEBUG"
}

function init___FNAME__ {
    # Create databases, accounts and keys here, e.g.:
    #   recreate_database __FNAME__
    :
}

function start___FNAME__ {
    # Start the service's processes, e.g.:
    #   run_process __NAME__ "$__UNAME___DIR/bin/__NAME__ --config-file $__UNAME___CONF"
    :
}

function stop___FNAME__ {
    # Stop what start___FNAME__ started, e.g.:
    #   stop_process __NAME__
    :
}

function cleanup___FNAME__ {
    rm -rf "$__UNAME___DATA_DIR"
}

if is_service_enabled __NAME__; then
    if [[ "$1" == "stack" && "$2" == "pre-install" ]]; then
        # System set-up is done; the plugin's packages are installed.
        echo_summary "Preparing __NAME__"
    elif [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing __NAME__"
        install___FNAME__
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        # The other services are configured; their config files exist.
        echo_summary "Configuring __NAME__"
        configure___FNAME__
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        # The other services are running.
        echo_summary "Initializing and starting __NAME__"
        init___FNAME__
        start___FNAME__
    elif [[ "$1" == "stack" && "$2" == "test-config" ]]; then
        # Configure tempest or other test tools here.
        echo_summary "Configuring tests for __NAME__"
    fi

    if [[ "$1" == "unstack" ]]; then
        stop___FNAME__
    fi

    if [[ "$1" == "clean" ]]; then
        # clean runs after unstack: remove what stack made.
        cleanup___FNAME__
    fi
fi
