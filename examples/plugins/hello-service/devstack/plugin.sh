# hello-service hooks: `source plugin.sh MODE [PHASE]`

function install_hello {
    mkdir -p "$HELLO_DATA_DIR"
    echo "hello from plugstack" > "$HELLO_DATA_DIR/index.html"
}

function start_hello {
    command -v python3 >/dev/null || die $LINENO "hello-service needs python3 to serve HTTP"
    run_process hello "python3 -m http.server $HELLO_PORT --bind 127.0.0.1 --directory $HELLO_DATA_DIR"
}

# Asks the service for its page over bash's /dev/tcp, retrying while it starts.
function check_hello {
    local i reply
    for i in $(seq 1 50); do
        if reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$HELLO_PORT" && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && cat <&3) 2>/dev/null ) \
            && [[ $reply == *"hello from plugstack"* ]]; then
            echo_summary "hello answers on $HELLO_URL"
            return 0
        fi
        sleep 0.2
    done
    die $LINENO "hello did not answer on $HELLO_URL"
}

if is_service_enabled hello; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing hello"
        install_hello
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting hello on port $HELLO_PORT"
        start_hello
    elif [[ "$1" == "stack" && "$2" == "test-config" ]]; then
        check_hello
    fi
    if [[ "$1" == "unstack" ]]; then
        stop_process hello
    fi
    if [[ "$1" == "clean" ]]; then
        rm -rf "$HELLO_DATA_DIR"
    fi
fi
