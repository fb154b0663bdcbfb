# shellcheck shell=bash
# devstack/settings of the __NAME__ plugin. DevStack sources this file early,
# before any plugin.sh phase, so other plugins can read what it sets here.
# Give every variable a default that local.conf can override: FOO=${FOO:-default}.

# The name users write on enable_plugin lines.
define_plugin __NAME__
# One line per plugin this one needs, e.g.: plugin_requires __NAME__ OTHER

# run_process only starts services that are enabled.
enable_service __NAME__

__UNAME___DIR=${__UNAME___DIR:-$DEST/__NAME__}
__UNAME___DATA_DIR=${__UNAME___DATA_DIR:-$DATA_DIR/__NAME__}
__UNAME___CONF_DIR=${__UNAME___CONF_DIR:-$__UNAME___DATA_DIR/etc}
__UNAME___CONF=${__UNAME___CONF:-$__UNAME___CONF_DIR/__NAME__.conf}
__UNAME___DEBUG=${__UNAME___DEBUG:-True}
