#!/bin/bash
# A DevStack-layout entry file written by plugstack (functions,
# functions-common): sourcing it loads plugstack's bash library, which
# defines DevStack's public functions. Each library file is loaded at most
# once per shell, so sourcing this again, or another entry file, is harmless.
# shellcheck disable=SC1091 # written beside this file by plugstack
source "$(CDPATH='' cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/plugstack/load.sh"
