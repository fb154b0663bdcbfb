# hello-config hooks
case "$1" in
    stack)
        case "$2" in
            post-config)
                echo_summary "Writing $HELLO_CONFIG_FILE"
                mkdir -p "$HELLO_CONFIG_DIR"
                # HELLO_URL was exported by hello-service's settings
                iniset "$HELLO_CONFIG_FILE" DEFAULT hello_url "$HELLO_URL"
                iniset "$HELLO_CONFIG_FILE" DEFAULT written_by "$(basename "$(dirname "$(dirname "${BASH_SOURCE[0]}")")")"
                ;;
            test-config)
                [[ $(iniget "$HELLO_CONFIG_FILE" DEFAULT greeting) == "hello from local.conf" ]] \
                    || die $LINENO "the [[post-config|\$HELLO_CONFIG_FILE]] block was not merged"
                echo_summary "hello.conf: $(iniget "$HELLO_CONFIG_FILE" DEFAULT hello_url)"
                ;;
        esac
        ;;
    clean)
        rm -rf "$HELLO_CONFIG_DIR"
        ;;
esac
