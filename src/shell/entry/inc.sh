#!/bin/bash
# A DevStack-layout entry file written by plugstack (inc/ini-config,
# inc/meta-config, inc/python, inc/async, inc/rootwrap): sourcing it loads
# plugstack's bash library, which defines these functions among DevStack's
# others. Each library file is loaded at most once per shell, so sourcing
# this again, or another entry file, is harmless.
# shellcheck disable=SC1091 # written beside this file by plugstack
source "$(CDPATH='' cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/plugstack/load.sh"
