#!/bin/bash
# plugstack's $TOP_DIR/tools/discover_hosts.sh: map new compute hosts into
# their cells, as the DevStack tool of the same name does (plugins such as
# ironic's call it after enrolling nodes). Nothing to do without nova-manage.
if command -v nova-manage >/dev/null 2>&1; then
    nova-manage cell_v2 discover_hosts --verbose
fi
