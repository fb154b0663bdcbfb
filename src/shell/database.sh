# shellcheck shell=bash
# database.sh - DevStack's lib/database with its mysql and postgresql
# backends: recreate a service database and build its SQLAlchemy URL with the
# real mysql / psql clients. The backend is the enabled database service
# (mysql or postgresql), mysql when neither is enabled.

_ps_database_defaults() {
    _ps_default DATABASE_BACKENDS "mysql postgresql"
    _ps_default MYSQL_HOST "${SERVICE_LOCAL_HOST:-127.0.0.1}"
    _ps_default MYSQL_USER root
    _ps_default MYSQL_DRIVER PyMySQL
    local host=$MYSQL_HOST
    [[ ${SERVICE_IP_VERSION:-4} == 6 ]] && host="[$MYSQL_HOST]"
    _ps_default DATABASE_HOST "$host"
    _ps_default DATABASE_USER "$MYSQL_USER"
    if [[ -n ${MYSQL_PASSWORD:-} ]]; then
        _ps_default DATABASE_PASSWORD "$MYSQL_PASSWORD"
    fi
    local type=mysql
    if declare -F is_service_enabled >/dev/null; then
        local backend
        for backend in $DATABASE_BACKENDS; do
            is_service_enabled "$backend" && type=$backend
        done
    fi
    _ps_default DATABASE_TYPE "$type"
}
_ps_register_defaults _ps_database_defaults

# initialize_database_backends: settle the backend and the base connection
# URL; asks for DATABASE_PASSWORD (read_password) when it is not set yet.
function initialize_database_backends {
    _ps_database_defaults
    if [[ -z ${DATABASE_PASSWORD:-} ]]; then
        read_password DATABASE_PASSWORD "ENTER A PASSWORD TO USE FOR THE DATABASE."
    fi
    case $DATABASE_TYPE in
        mysql | postgresql) ;;
        *) die "DATABASE_TYPE '$DATABASE_TYPE' is not supported (use mysql or postgresql)" ;;
    esac
    BASE_SQL_CONN=${BASE_SQL_CONN:-$("get_database_type_$DATABASE_TYPE")://$DATABASE_USER:$DATABASE_PASSWORD@$DATABASE_HOST}
    return 0
}

# _ps_check_db_name NAME: database names go into SQL text; keep them plain.
_ps_check_db_name() {
    [[ $1 =~ ^[A-Za-z0-9_]+$ ]] ||
        die "database name '$1' is not a plain identifier (letters, digits, _)"
}

# recreate_database NAME [CHARSET]: drop and create an empty database.
# (The charset argument of older DevStack is accepted and ignored: utf8.)
function recreate_database {
    local db=$1
    _ps_check_db_name "$db"
    [[ -n ${BASE_SQL_CONN:-} ]] || initialize_database_backends
    "recreate_database_$DATABASE_TYPE" "$db"
}

# database_connection_url NAME: SQLAlchemy URL for database NAME.
function database_connection_url {
    [[ -n ${BASE_SQL_CONN:-} ]] || initialize_database_backends
    "database_connection_url_$DATABASE_TYPE" "$1"
}

# --- mysql -----------------------------------------------------------------

function get_database_type_mysql {
    if [[ ${MYSQL_DRIVER:-PyMySQL} == PyMySQL ]]; then
        echo mysql+pymysql
    else
        echo mysql
    fi
}

# recreate_database_mysql NAME
function recreate_database_mysql {
    local db=$1
    _ps_check_db_name "$db"
    _ps_require_tool mysql "install a MySQL/MariaDB client or enable the mysql service"
    mysql "-u$DATABASE_USER" "-p$DATABASE_PASSWORD" "-h$MYSQL_HOST" -e "DROP DATABASE IF EXISTS $db;"
    mysql "-u$DATABASE_USER" "-p$DATABASE_PASSWORD" "-h$MYSQL_HOST" -e "CREATE DATABASE $db CHARACTER SET utf8;"
}

# database_connection_url_mysql NAME
function database_connection_url_mysql {
    local plugin=""
    # DevStack's default (MYSQL_GATHER_PERFORMANCE=True) counts queries with
    # its dbcounter plugin, which DevStack installs with mysql; plugstack
    # installs no mysql, so the plugin is named only when it is there.
    if [[ ${MYSQL_GATHER_PERFORMANCE:-False} == True ]] && is_service_enabled mysql &&
        "${PYTHON:-python3}" -c 'import dbcounter' >/dev/null 2>&1; then
        plugin="&plugin=dbcounter"
    fi
    echo "$BASE_SQL_CONN/$1?charset=utf8$plugin"
}

# --- postgresql ------------------------------------------------------------

function get_database_type_postgresql {
    echo postgresql
}

# recreate_database_postgresql NAME
function recreate_database_postgresql {
    local db=$1
    _ps_check_db_name "$db"
    _ps_require_tool psql "install the PostgreSQL client or enable the postgresql service"
    _ps_require_tool createdb "install the PostgreSQL client"
    psql "-h$DATABASE_HOST" "-U$DATABASE_USER" -dtemplate1 -c "DROP DATABASE IF EXISTS $db"
    createdb -h "$DATABASE_HOST" "-U$DATABASE_USER" -l C -T template0 -E utf8 "$db"
}

# database_connection_url_postgresql NAME
function database_connection_url_postgresql {
    echo "$BASE_SQL_CONN/$1?client_encoding=utf8"
}
