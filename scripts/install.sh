#!/bin/sh
set -e
set -o noglob

# K8s-DaaS worker installer: installs k8s-daas-agent as a service on this host. The agent registers
# the worker on chain (once), connects to the master and runs `k3s agent` with the join token the
# master hands it.
#
# Usage:
#   curl -sfL https://<master>/install.sh | K8S_DAAS_MASTER_URL=wss://<master> K8S_DAAS_NODE_ID=<name> ... sh -s -
#       or
#   K8S_DAAS_MASTER_URL=... K8S_DAAS_NODE_ID=... ./install.sh
#
# Example: a worker that registers itself and stakes 1 SUI on its first start:
#   curl -sfL https://master.example.com:8443/install.sh | \
#     K8S_DAAS_MASTER_URL=wss://master.example.com:8443 K8S_DAAS_NODE_ID=worker-01 \
#     SUI_RPC_URL=https://fullnode.testnet.sui.io:443 K8S_DAAS_PACKAGE_ID=0x... \
#     K8S_DAAS_REGISTRY_ID=0x... K8S_DAAS_SCHEDULER_ID=0x... \
#     SUI_KEYSTORE=/root/.sui/sui_config/sui.keystore sh -s -
#
# What it does, in order: checks this host (root or sudo, systemd or openrc, CPU architecture,
# Node.js >= 20.19) and the configuration; downloads the agent bundle from the master
# (<master>/dist/k8s-daas-agent.tgz), verifies it against the master's checksum and installs it by
# rename; writes the env file, the service and an uninstall script, each only when its content
# changed; enables the service and (re)starts it only when something changed.
#
# Worker configuration: the agent's own variables (README "Configuration"), written to
# /etc/k8s-daas/agent.env (mode 0600). When the installer runs again, a variable that is not given
# keeps its value from that file, so `curl ... | sh -s -` alone upgrades the agent.
#
#   - K8S_DAAS_MASTER_URL (required)
#     The master's base URL, wss://host:port. ws:// only for a loopback master, or with
#     K8S_DAAS_ALLOW_PLAINTEXT=1. The bundle is downloaded from the same host over https://
#     (http:// for ws://).
#
#   - K8S_DAAS_NODE_ID (required)
#     This worker's node id: a Kubernetes node name (1-63 characters of a-z, 0-9 and '-',
#     starting and ending with a letter or digit).
#
#   - SUI_RPC_URL, K8S_DAAS_PACKAGE_ID, K8S_DAAS_REGISTRY_ID, K8S_DAAS_SCHEDULER_ID (required)
#     The Sui full node and the published package with its shared objects. SUI_RPC_TRANSPORT
#     (grpc or graphql) is optional.
#
#   - K8S_DAAS_SEAL_TOKEN or K8S_DAAS_SEAL_TOKEN_FILE
#     The worker's seal token (at least 32 characters). When neither is given and this host has
#     none yet, the installer generates one into /etc/k8s-daas/seal-token (mode 0600) and prints it
#     once, with its public key. A given K8S_DAAS_SEAL_TOKEN is stored in that file too.
#
#   - SUI_PRIVATE_KEY or SUI_KEYSTORE
#     The owner's key (a suiprivkey1... key, or a Sui CLI keystore file with mode 0600): the agent
#     registers and stakes with it on its first start. Not needed with INSTALL_K8S_DAAS_PREREGISTERED.
#
#   - K8S_DAAS_STAKE_MIST, K8S_DAAS_STATE_DIR, K3S_BIN, K3S_EXTRA_ARGS, K8S_DAAS_MASTER_CA_SHA256,
#     K8S_DAAS_ALLOW_PLAINTEXT, LOG_LEVEL
#     Optional, as documented for the agent; written to the env file when given.
#
# Installer variables:
#
#   - INSTALL_K8S_DAAS_PREREGISTERED
#     If set to true, the operator registers this worker from a wallet (stake_and_register_worker
#     with the seal public key the installer prints), so no key is needed or written.
#
#   - INSTALL_K8S_DAAS_INSTALL_K3S
#     If set to true and K3s is not installed, runs the official K3s installer (https://get.k3s.io,
#     or INSTALL_K8S_DAAS_K3S_INSTALL_URL) with INSTALL_K3S_SKIP_ENABLE=true and
#     INSTALL_K3S_SKIP_START=true: it installs the k3s binary and leaves its own service disabled,
#     since the agent runs `k3s agent` itself. Its INSTALL_K3S_* variables (e.g.
#     INSTALL_K3S_VERSION) are passed through.
#
#   - INSTALL_K8S_DAAS_SKIP_ENABLE
#     If set to true will not enable or start the service.
#
#   - INSTALL_K8S_DAAS_SKIP_START
#     If set to true will not start the service.
#
#   - INSTALL_K8S_DAAS_FORCE_RESTART
#     If set to true will restart the service even when nothing changed.
#
#   - INSTALL_K8S_DAAS_ROOT
#     Install into this directory instead of / (default /), for tests and image builds: every file
#     goes below it, the paths written into the files are those of the target system, and no
#     service is started. Allows running without root.
#
#   - INSTALL_K8S_DAAS_INIT
#     systemd or openrc: the service manager to write a service for (detected when unset).
#
#   - INSTALL_K8S_DAAS_BIN_DIR
#     Directory for the k8s-daas-agent command and the uninstall script (default /usr/local/bin).
#
#   - INSTALL_K8S_DAAS_LIB_DIR
#     Directory for the agent bundle (default /usr/local/lib/k8s-daas-agent).
#
#   - INSTALL_K8S_DAAS_SYSTEMD_DIR
#     Directory for the systemd unit (default /etc/systemd/system).
#
#   - INSTALL_K8S_DAAS_NODE
#     The Node.js executable the service runs (default: node on PATH); it must be >= 20.19.
#
#   - INSTALL_K8S_DAAS_CA_FILE
#     A CA bundle for downloading from a master whose certificate a public CA did not sign.

# --- helper functions for logs ---
info()
{
    echo '[INFO] ' "$@"
}
warn()
{
    echo '[WARN] ' "$@" >&2
}
fatal()
{
    echo '[ERROR] ' "$@" >&2
    exit 1
}

# --- true when $1 is one of the spellings the agent reads as "on" ---
is_on() {
    case "$1" in
        1|true|TRUE|True|yes|YES|on|ON) return 0 ;;
    esac
    return 1
}

# --- true when $1 holds a newline or carriage return ---
has_newline() {
    case "$1" in
        *"${NL}"*|*"${CR}"*) return 0 ;;
    esac
    return 1
}

# --- true when the single-line $1 matches the extended regular expression $2 as a whole ---
matches() {
    ! has_newline "$1" && printf '%s\n' "$1" | grep -Eqx -e "$2"
}

# --- fatal if the installer cannot act as root ---
setup_root() {
    NL='
'
    CR=$(printf '\r')
    ROOT=${INSTALL_K8S_DAAS_ROOT:-/}
    case "${ROOT}" in
        /*) ;;
        *) fatal "INSTALL_K8S_DAAS_ROOT must be an absolute path (have ${ROOT})" ;;
    esac
    # --- every file operation goes to ${R}<path>; the files themselves name <path> ---
    R=$(printf '%s' "${ROOT}" | sed -e 's|/*$||')
    if [ -n "${R}" ] && [ ! -d "${R}" ]; then
        fatal "INSTALL_K8S_DAAS_ROOT ${ROOT} is not a directory"
    fi

    SUDO=
    IS_ROOT=false
    if [ "$(id -u)" -eq 0 ]; then
        IS_ROOT=true
    elif [ -n "${R}" ]; then
        info "Installing into ${ROOT} as $(id -un), without root"
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
        IS_ROOT=true
    else
        fatal 'Run this installer as root, or install sudo'
    fi
}

# --- fatal if no systemd or openrc ---
verify_system() {
    HAS_SYSTEMD=false
    HAS_OPENRC=false
    case "${INSTALL_K8S_DAAS_INIT}" in
        systemd)
            HAS_SYSTEMD=true
            ;;
        openrc)
            HAS_OPENRC=true
            ;;
        "")
            if [ -x /sbin/openrc-run ]; then
                HAS_OPENRC=true
            elif [ -x /bin/systemctl ] || type systemctl >/dev/null 2>&1; then
                HAS_SYSTEMD=true
            else
                fatal 'Can not find systemd or openrc to use as a process supervisor for k8s-daas-agent'
            fi
            ;;
        *)
            fatal "INSTALL_K8S_DAAS_INIT must be systemd or openrc (have ${INSTALL_K8S_DAAS_INIT})"
            ;;
    esac
}

# --- fatal if the architecture is not one K3s supports ---
verify_arch() {
    ARCH=$(uname -m)
    case "${ARCH}" in
        x86_64|amd64|aarch64|arm64|armv7l|armv7*|armhf)
            ;;
        *)
            fatal "Unsupported architecture ${ARCH}: K3s and the agent run on x86_64, aarch64 and armv7l"
            ;;
    esac
}

# --- fatal unless Node.js >= 20.19 is installed; sets NODE_BIN to its absolute path ---
verify_node() {
    NODE_BIN=${INSTALL_K8S_DAAS_NODE:-$(command -v node 2>/dev/null || true)}
    if [ -z "${NODE_BIN}" ] || [ ! -x "${NODE_BIN}" ]; then
        fatal "Node.js >= 20.19 is required to run the agent, and ${NODE_BIN:-node} was not found. Install it, e.g.
    Debian/Ubuntu:  curl -fsSL https://deb.nodesource.com/setup_22.x | sudo -E bash - && sudo apt-get install -y nodejs
    RHEL/Fedora:    curl -fsSL https://rpm.nodesource.com/setup_22.x | sudo bash - && sudo dnf install -y nodejs
    any Linux:      the binaries from https://nodejs.org/en/download (or your distribution's nodejs, if >= 20.19)
then run this installer again (INSTALL_K8S_DAAS_NODE=/path/to/node selects one that is not on PATH)."
    fi
    case "${NODE_BIN}" in
        /*) ;;
        *) fatal "INSTALL_K8S_DAAS_NODE must be an absolute path (have ${NODE_BIN})" ;;
    esac
    if ! matches "${NODE_BIN}" '[A-Za-z0-9_./+@-]+'; then
        fatal "The path of Node.js must not hold spaces or quotes (have ${NODE_BIN})"
    fi
    NODE_VERSION=$("${NODE_BIN}" --version 2>/dev/null || true)
    node_major=$(printf '%s' "${NODE_VERSION#v}" | cut -d. -f1)
    node_minor=$(printf '%s' "${NODE_VERSION#v}" | cut -d. -f2)
    if ! matches "${node_major}.${node_minor}" '[0-9]+\.[0-9]+'; then
        fatal "Can not tell the version of ${NODE_BIN} (it printed '${NODE_VERSION}')"
    fi
    if [ "${node_major}" -lt 20 ] || { [ "${node_major}" -eq 20 ] && [ "${node_minor}" -lt 19 ]; }; then
        fatal "Node.js ${NODE_VERSION} at ${NODE_BIN} is too old: the agent needs >= 20.19 (https://nodejs.org/en/download)"
    fi
    case "${NODE_BIN}" in
        /root/*|/home/*)
            warn "The service will run ${NODE_BIN}, inside a home directory; a system-wide Node.js survives user changes better"
            ;;
    esac
    info "Using Node.js ${NODE_VERSION} at ${NODE_BIN}"
}

# --- define needed environment variables ---
setup_env() {
    SYSTEM_NAME=k8s-daas-agent
    BIN_DIR=${INSTALL_K8S_DAAS_BIN_DIR:-/usr/local/bin}
    LIB_DIR=${INSTALL_K8S_DAAS_LIB_DIR:-/usr/local/lib/k8s-daas-agent}
    SYSTEMD_DIR=${INSTALL_K8S_DAAS_SYSTEMD_DIR:-/etc/systemd/system}
    CONFIG_DIR=/etc/k8s-daas
    FILE_ENV=${CONFIG_DIR}/agent.env
    FILE_SEAL=${CONFIG_DIR}/seal-token
    FILE_BIN=${BIN_DIR}/k8s-daas-agent
    UNINSTALL_SH=${BIN_DIR}/${SYSTEM_NAME}-uninstall.sh
    for dir in "${BIN_DIR}" "${LIB_DIR}" "${SYSTEMD_DIR}"; do
        if ! matches "${dir}" '/[A-Za-z0-9_./+@-]*'; then
            fatal "Install directories must be absolute paths without spaces or quotes (have ${dir})"
        fi
    done

    if [ "${HAS_SYSTEMD}" = true ]; then
        FILE_SERVICE=${SYSTEMD_DIR}/${SYSTEM_NAME}.service
    else
        FILE_SERVICE=/etc/init.d/${SYSTEM_NAME}
    fi

    # --- the agent's variables, in the order the env file lists them ---
    ENV_FILE_VARS='K8S_DAAS_MASTER_URL K8S_DAAS_NODE_ID SUI_RPC_URL SUI_RPC_TRANSPORT K8S_DAAS_PACKAGE_ID K8S_DAAS_REGISTRY_ID K8S_DAAS_SCHEDULER_ID K8S_DAAS_SEAL_TOKEN_FILE SUI_PRIVATE_KEY SUI_KEYSTORE K8S_DAAS_STAKE_MIST K8S_DAAS_STATE_DIR K3S_BIN K3S_EXTRA_ARGS K8S_DAAS_MASTER_CA_SHA256 K8S_DAAS_ALLOW_PLAINTEXT LOG_LEVEL'
    load_existing_config
    STATE_DIR=${K8S_DAAS_STATE_DIR:-/var/lib/k8s-daas-agent}
}

# --- one value of the existing env file (sourced as the shell reads it), or nothing ---
env_file_value() {
    # shellcheck disable=SC2016 # expanded by the inner shell
    $SUDO sh -c '. "$1" >/dev/null 2>&1 && eval "printf %s \"\${$2-}\""' k8s-daas-env "${R}${FILE_ENV}" "$1" 2>/dev/null || true
}

# --- set each unset variable of $@ from the existing env file ---
carry_from_env_file() {
    for name in "$@"; do
        eval "given=\${${name}:-}"
        if [ -z "${given}" ]; then
            value=$(env_file_value "${name}")
            if [ -n "${value}" ]; then
                eval "${name}=\${value}"
            fi
        fi
    done
}

# --- keep the settings of an earlier install that are not given again ---
load_existing_config() {
    [ -f "${R}${FILE_ENV}" ] || return 0
    info "Keeping the settings in ${FILE_ENV} that are not given again"
    carry_from_env_file K8S_DAAS_MASTER_URL K8S_DAAS_NODE_ID SUI_RPC_URL SUI_RPC_TRANSPORT \
        K8S_DAAS_PACKAGE_ID K8S_DAAS_REGISTRY_ID K8S_DAAS_SCHEDULER_ID K8S_DAAS_STAKE_MIST \
        K8S_DAAS_STATE_DIR K3S_BIN K3S_EXTRA_ARGS K8S_DAAS_MASTER_CA_SHA256 K8S_DAAS_ALLOW_PLAINTEXT LOG_LEVEL
    # --- the two ways to give the seal token, and the key, are kept only as a pair ---
    if [ -z "${K8S_DAAS_SEAL_TOKEN}" ] && [ -z "${K8S_DAAS_SEAL_TOKEN_FILE}" ]; then
        carry_from_env_file K8S_DAAS_SEAL_TOKEN K8S_DAAS_SEAL_TOKEN_FILE
    fi
    if [ -z "${SUI_PRIVATE_KEY}" ] && [ -z "${SUI_KEYSTORE}" ] && [ "${INSTALL_K8S_DAAS_PREREGISTERED}" != true ]; then
        carry_from_env_file SUI_PRIVATE_KEY SUI_KEYSTORE
    fi
}

# --- fatal unless $1 (a path on the target) is a file only its owner can read ---
verify_private_file() {
    if [ ! -f "${R}$2" ]; then
        fatal "$1: ${2} does not exist"
    fi
    perms=$($SUDO ls -ln "${R}$2" | cut -c5-10)
    if [ "${perms}" != '------' ]; then
        fatal "$1: ${2} is readable by others; run: chmod 600 ${2}"
    fi
}

# --- fatal unless K8S_DAAS_MASTER_URL is wss:// (ws:// under the agent's rule); sets DOWNLOAD_URL ---
verify_master_url() {
    url=${K8S_DAAS_MASTER_URL}
    if [ -z "${url}" ]; then
        fatal "Set K8S_DAAS_MASTER_URL to the master's URL, e.g. K8S_DAAS_MASTER_URL=wss://master.example.com:8443"
    fi
    case "${url}" in
        wss://*) scheme=wss; download_scheme=https ;;
        ws://*) scheme=ws; download_scheme=http ;;
        https://*) fatal "K8S_DAAS_MASTER_URL must be a wss:// URL (the agent speaks WebSocket): write wss://${url#https://}" ;;
        http://*) fatal "K8S_DAAS_MASTER_URL must be a wss:// URL (the agent speaks WebSocket): write wss://${url#http://}" ;;
        *) fatal "K8S_DAAS_MASTER_URL must be a URL like wss://master.example.com:8443 (have ${url})" ;;
    esac
    rest=${url#*://}
    hostport=${rest%%/*}
    path=
    case "${rest}" in
        */*) path=$(printf '/%s' "${rest#*/}" | sed -e 's|/*$||') ;;
    esac
    if ! matches "${hostport}${path}" '[A-Za-z0-9._~:/[%-]*\]?[A-Za-z0-9._~:/%-]*'; then
        fatal "K8S_DAAS_MASTER_URL must be a base URL without a user name, password, ?query or #fragment (have ${url})"
    fi
    case "${hostport}" in
        \[*) host=${hostport%%]*}] ;;
        *) host=${hostport%%:*} ;;
    esac
    if [ -z "${host}" ]; then
        fatal "K8S_DAAS_MASTER_URL must name a host, like wss://master.example.com:8443"
    fi
    host=$(printf '%s' "${host}" | tr '[:upper:]' '[:lower:]')
    if [ "${scheme}" = ws ]; then
        if [ "${host}" = localhost ] || [ "${host}" = '[::1]' ] || matches "${host}" '127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}'; then
            :
        elif is_on "${K8S_DAAS_ALLOW_PLAINTEXT}"; then
            warn "ws:// to ${host} sends the join token unencrypted (K8S_DAAS_ALLOW_PLAINTEXT is set)"
        else
            fatal "ws:// to ${host} would send the join token unencrypted; use wss://${hostport}${path}, or set K8S_DAAS_ALLOW_PLAINTEXT=1 on a network you trust (ws:// is allowed by default only for 127.0.0.0/8, ::1 and localhost)"
        fi
    fi
    K8S_DAAS_MASTER_URL=${scheme}://${hostport}${path}
    DOWNLOAD_URL=${download_scheme}://${hostport}${path}
}

# --- fatal unless K8S_DAAS_NODE_ID is a Kubernetes node name ---
verify_node_id() {
    suggestion=$(hostname 2>/dev/null | tr 'A-Z_.' 'a-z--' | sed -e 's/[^a-z0-9-]//g; s/^-*//' | cut -c1-63 | sed -e 's/-*$//')
    if [ -z "${K8S_DAAS_NODE_ID}" ]; then
        fatal "Set K8S_DAAS_NODE_ID to this worker's node name, e.g. K8S_DAAS_NODE_ID=${suggestion:-worker-01}"
    fi
    if [ "${#K8S_DAAS_NODE_ID}" -gt 63 ] || ! matches "${K8S_DAAS_NODE_ID}" '[a-z0-9]([-a-z0-9]*[a-z0-9])?'; then
        fatal "K8S_DAAS_NODE_ID must be a Kubernetes node name: 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit (have ${K8S_DAAS_NODE_ID})"
    fi
}

# --- fatal unless the chain settings are present and well-formed ---
verify_chain_config() {
    if ! matches "${SUI_RPC_URL}" 'https?://[^[:space:]]+'; then
        fatal "Set SUI_RPC_URL to the Sui full node's http(s):// URL, e.g. SUI_RPC_URL=https://fullnode.testnet.sui.io:443"
    fi
    for name in K8S_DAAS_PACKAGE_ID K8S_DAAS_REGISTRY_ID K8S_DAAS_SCHEDULER_ID; do
        eval "value=\${${name}:-}"
        if ! matches "${value}" '0x[0-9a-fA-F]{1,64}'; then
            fatal "Set ${name} to the 0x id of the published package or its shared object (have '${value}')"
        fi
    done
    if [ -n "${K8S_DAAS_STAKE_MIST}" ] && ! matches "${K8S_DAAS_STAKE_MIST}" '[1-9][0-9]{9,19}'; then
        fatal 'K8S_DAAS_STAKE_MIST must be whole MIST, at least 1000000000 (1 SUI)'
    fi
    if ! matches "${K8S_DAAS_STATE_DIR:-/}" '/[A-Za-z0-9_./+@-]*'; then
        fatal "K8S_DAAS_STATE_DIR must be an absolute path without spaces or quotes (have ${K8S_DAAS_STATE_DIR})"
    fi
}

# --- fatal unless there is a seal token, or none yet (then one is generated) ---
verify_seal_token() {
    if [ -n "${K8S_DAAS_SEAL_TOKEN}" ] && [ -n "${K8S_DAAS_SEAL_TOKEN_FILE}" ]; then
        fatal 'Set either K8S_DAAS_SEAL_TOKEN or K8S_DAAS_SEAL_TOKEN_FILE, not both'
    fi
    if [ -n "${K8S_DAAS_SEAL_TOKEN}" ]; then
        if has_newline "${K8S_DAAS_SEAL_TOKEN}" || [ "${#K8S_DAAS_SEAL_TOKEN}" -lt 32 ]; then
            fatal "K8S_DAAS_SEAL_TOKEN must be one line of at least 32 characters (this one has ${#K8S_DAAS_SEAL_TOKEN}); leave it unset and the installer makes one"
        fi
    elif [ -n "${K8S_DAAS_SEAL_TOKEN_FILE}" ]; then
        case "${K8S_DAAS_SEAL_TOKEN_FILE}" in
            /*) ;;
            *) fatal "K8S_DAAS_SEAL_TOKEN_FILE must be an absolute path (have ${K8S_DAAS_SEAL_TOKEN_FILE})" ;;
        esac
        verify_private_file K8S_DAAS_SEAL_TOKEN_FILE "${K8S_DAAS_SEAL_TOKEN_FILE}"
    fi
}

# --- fatal unless the agent can register (a key) or the operator registers it (pre-registered) ---
verify_owner_key() {
    if [ "${INSTALL_K8S_DAAS_PREREGISTERED}" = true ]; then
        if [ -n "${SUI_PRIVATE_KEY}${SUI_KEYSTORE}" ]; then
            warn 'INSTALL_K8S_DAAS_PREREGISTERED=true: the key given is not written; the agent will not register'
        fi
        SUI_PRIVATE_KEY=
        SUI_KEYSTORE=
        return 0
    fi
    if [ -n "${SUI_PRIVATE_KEY}" ] && [ -n "${SUI_KEYSTORE}" ]; then
        fatal 'Set either SUI_PRIVATE_KEY or SUI_KEYSTORE, not both'
    fi
    if [ -n "${SUI_PRIVATE_KEY}" ]; then
        if ! matches "${SUI_PRIVATE_KEY}" 'suiprivkey1[a-z0-9]+'; then
            fatal 'SUI_PRIVATE_KEY must be a suiprivkey1... key (sui keytool export --key-identity <address>)'
        fi
    elif [ -n "${SUI_KEYSTORE}" ]; then
        case "${SUI_KEYSTORE}" in
            /*) ;;
            *) fatal "SUI_KEYSTORE must be an absolute path (have ${SUI_KEYSTORE})" ;;
        esac
        verify_private_file SUI_KEYSTORE "${SUI_KEYSTORE}"
    else
        fatal "No key to register this worker with. Either set SUI_PRIVATE_KEY (a suiprivkey1... key) or SUI_KEYSTORE (a Sui CLI keystore file): the agent registers and stakes on its first start;
or, to register it yourself from a wallet, set INSTALL_K8S_DAAS_PREREGISTERED=true: the installer prints the seal public key to register with."
    fi
}

# --- fatal if the arguments after `sh -s -` are not empty: k3s flags go in K3S_EXTRA_ARGS ---
verify_args() {
    if [ $# -gt 0 ]; then
        fatal "Unexpected argument '$1': the installer takes variables only (k3s flags go in K3S_EXTRA_ARGS)"
    fi
}

# --- find curl or wget, and a sha256 tool ---
verify_downloader() {
    if command -v curl >/dev/null 2>&1; then
        DOWNLOADER=curl
    elif command -v wget >/dev/null 2>&1; then
        DOWNLOADER=wget
    else
        fatal 'Can not find curl or wget for downloading files'
    fi
    if command -v sha256sum >/dev/null 2>&1; then
        SHA256_CMD=sha256sum
    elif command -v shasum >/dev/null 2>&1; then
        SHA256_CMD='shasum -a 256'
    elif command -v openssl >/dev/null 2>&1; then
        SHA256_CMD='openssl dgst -sha256 -r'
    else
        fatal 'Can not find sha256sum, shasum or openssl to verify the download'
    fi
    if [ -n "${INSTALL_K8S_DAAS_CA_FILE}" ] && [ ! -f "${INSTALL_K8S_DAAS_CA_FILE}" ]; then
        fatal "INSTALL_K8S_DAAS_CA_FILE: ${INSTALL_K8S_DAAS_CA_FILE} does not exist"
    fi
}

# --- the sha256 of file $1, in hex ---
sha256_of() {
    # shellcheck disable=SC2086 # SHA256_CMD is a command with its options
    sum=$($SUDO ${SHA256_CMD} "$1")
    printf '%s\n' "${sum%%[[:blank:]]*}"
}

# --- create temporary directory and cleanup when done ---
setup_tmp() {
    TMP_DIR=$(mktemp -d -t k8s-daas-install.XXXXXXXXXX)
    TMP_HASH=${TMP_DIR}/k8s-daas-agent.tgz.sha256
    TMP_TGZ=${TMP_DIR}/k8s-daas-agent.tgz
    TMP_LIB=
    cleanup() {
        code=$?
        set +e
        trap - EXIT
        rm -rf "${TMP_DIR}"
        if [ -n "${TMP_LIB}" ]; then
            $SUDO rm -rf "${TMP_LIB}"
        fi
        exit "${code}"
    }
    trap cleanup INT TERM HUP EXIT
}

# --- download $2 to $1; fatal (with the master's answer) on any failure ---
download() {
    [ $# -eq 2 ] || fatal 'download needs exactly 2 arguments'
    dest=$1
    src=$2
    # Disable exit-on-error so we can do custom error messages on failure
    set +e
    case "${DOWNLOADER}" in
        curl)
            set -- --connect-timeout 20 -sSL -o "${dest}" -w '%{http_code}'
            if [ -n "${INSTALL_K8S_DAAS_CA_FILE}" ]; then
                set -- "$@" --cacert "${INSTALL_K8S_DAAS_CA_FILE}"
            fi
            case "${src}" in
                https://*) set -- "$@" --proto '=https' ;;
            esac
            http_code=$(curl "$@" "${src}")
            status=$?
            ;;
        wget)
            set -- -qO "${dest}"
            if [ -n "${INSTALL_K8S_DAAS_CA_FILE}" ]; then
                set -- "$@" --ca-certificate="${INSTALL_K8S_DAAS_CA_FILE}"
            fi
            wget "$@" "${src}"
            status=$?
            http_code=200
            ;;
    esac
    # Re-enable exit-on-error
    set -e
    if [ "${status}" -ne 0 ]; then
        fatal "Download of ${src} failed (${DOWNLOADER} exit code ${status}); is the master reachable from this host?"
    fi
    if [ "${http_code}" != 200 ]; then
        detail=$(head -c 300 "${dest}" 2>/dev/null | tr -d '\r' | tr '\n' ' ')
        fatal "Download of ${src} failed: HTTP ${http_code}${detail:+: ${detail}}"
    fi
}

# --- download the master's checksum of the bundle into HASH_EXPECTED ---
download_hash() {
    HASH_URL=${DOWNLOAD_URL}/dist/k8s-daas-agent.tgz.sha256
    info "Downloading hash ${HASH_URL}"
    download "${TMP_HASH}" "${HASH_URL}"
    HASH_EXPECTED=$(sed -n -e 's/^\([0-9a-f]\{64\}\)[[:blank:]][[:blank:]]*\*\{0,1\}k8s-daas-agent\.tgz$/\1/p' "${TMP_HASH}" | head -n 1)
    if [ -z "${HASH_EXPECTED}" ]; then
        fatal "${HASH_URL} does not hold a sha256 line for k8s-daas-agent.tgz"
    fi
}

# --- true when the installed bundle is the one the master serves ---
installed_hash_matches() {
    if [ -f "${R}${LIB_DIR}/lib/agent.mjs" ] && [ -f "${R}${LIB_DIR}/BUNDLE.sha256" ]; then
        HASH_INSTALLED=$(cut -d' ' -f1 "${R}${LIB_DIR}/BUNDLE.sha256")
        if [ "${HASH_EXPECTED}" = "${HASH_INSTALLED}" ]; then
            return 0
        fi
    fi
    return 1
}

# --- download the bundle and refuse it unless it matches the master's checksum ---
download_and_verify() {
    setup_tmp
    download_hash
    if installed_hash_matches; then
        info "Skipping download, installed agent $(cat "${R}${LIB_DIR}/VERSION") matches hash ${HASH_EXPECTED}"
        return
    fi
    info "Downloading bundle ${DOWNLOAD_URL}/dist/k8s-daas-agent.tgz"
    download "${TMP_TGZ}" "${DOWNLOAD_URL}/dist/k8s-daas-agent.tgz"
    info 'Verifying bundle download'
    HASH_BUNDLE=$(sha256_of "${TMP_TGZ}")
    if [ "${HASH_EXPECTED}" != "${HASH_BUNDLE}" ]; then
        fatal "Download sha256 does not match ${HASH_EXPECTED}, got ${HASH_BUNDLE}: refusing to install it. Run the installer again; if this persists, the bundle on the master is being rebuilt, or is not what the master signed off"
    fi
    install_bundle
}

# --- make directory $1 (and its parents) with mode $2 for the last one ---
make_dir() {
    if [ ! -d "$1" ]; then
        (umask 022 && $SUDO mkdir -p "$1")
        $SUDO chmod "$2" "$1"
    fi
}

# --- extract the bundle beside LIB_DIR, check it runs, then rename it into place ---
install_bundle() {
    target=${R}${LIB_DIR}
    parent=$(dirname "${target}")
    # --- every path below k8s-daas-agent/, no segment starting with a dot (so no ..) ---
    if tar -tzf "${TMP_TGZ}" | grep -q -v -E -x 'k8s-daas-agent/([A-Za-z0-9_-][A-Za-z0-9_.-]*/?)*'; then
        fatal 'The bundle holds paths outside k8s-daas-agent/: refusing to install it'
    fi
    make_dir "${parent}" 755
    TMP_LIB=$($SUDO mktemp -d "${parent}/.k8s-daas-agent.new.XXXXXXXX")
    $SUDO tar -xzf "${TMP_TGZ}" -C "${TMP_LIB}"
    new=${TMP_LIB}/k8s-daas-agent
    if [ ! -f "${new}/lib/agent.mjs" ] || [ ! -f "${new}/VERSION" ]; then
        fatal 'The bundle has no k8s-daas-agent/lib/agent.mjs or VERSION: refusing to install it'
    fi
    if ! "${NODE_BIN}" "${new}/lib/agent.mjs" new-seal-token >/dev/null; then
        fatal "The downloaded agent does not run on Node.js ${NODE_VERSION} at ${NODE_BIN}"
    fi
    printf '%s  k8s-daas-agent.tgz\n' "${HASH_EXPECTED}" | $SUDO tee "${new}/BUNDLE.sha256" >/dev/null
    $SUDO chmod -R u=rwX,go=rX "${new}"
    if [ "${IS_ROOT}" = true ]; then
        $SUDO chown -R 0:0 "${new}"
    fi
    info "Installing k8s-daas-agent $(cat "${new}/VERSION") to ${LIB_DIR}"
    old=
    if [ -e "${target}" ]; then
        old=${TMP_LIB}/previous
        $SUDO mv "${target}" "${old}"
    fi
    if ! $SUDO mv "${new}" "${target}"; then
        if [ -n "${old}" ]; then
            $SUDO mv "${old}" "${target}"
        fi
        fatal "Could not move the new agent into ${LIB_DIR}"
    fi
    $SUDO rm -rf "${TMP_LIB}"
    TMP_LIB=
}

# --- write $1 (a temporary file) to $2 with mode $3, only when the content differs ---
install_file() {
    dest=${R}$2
    if [ -f "${dest}" ] && $SUDO cmp -s "$1" "${dest}"; then
        $SUDO chmod "$3" "${dest}"
        info "${2} is up to date"
        return 0
    fi
    info "Writing ${2}"
    make_dir "$(dirname "${dest}")" 755
    $SUDO cp "$1" "${dest}.tmp.$$"
    $SUDO chmod "$3" "${dest}.tmp.$$"
    if [ "${IS_ROOT}" = true ]; then
        $SUDO chown 0:0 "${dest}.tmp.$$"
    fi
    $SUDO mv -f "${dest}.tmp.$$" "${dest}"
}

# --- the seal token: referenced, stored, reused or generated; prints its public key ---
setup_seal_token() {
    agent_mjs=${R}${LIB_DIR}/lib/agent.mjs
    make_dir "${R}${CONFIG_DIR}" 700
    if [ -n "${K8S_DAAS_SEAL_TOKEN_FILE}" ]; then
        seal_file=${K8S_DAAS_SEAL_TOKEN_FILE}
    else
        seal_file=${FILE_SEAL}
        if [ -n "${K8S_DAAS_SEAL_TOKEN}" ]; then
            printf '%s\n' "${K8S_DAAS_SEAL_TOKEN}" > "${TMP_DIR}/seal-token"
            if [ -f "${R}${FILE_SEAL}" ] && ! $SUDO cmp -s "${TMP_DIR}/seal-token" "${R}${FILE_SEAL}"; then
                warn "The seal token changed: the on-chain registration still holds the old public key, so the master refuses this worker until the owner rotates it (rotate_seal_key with the new public key below)"
            fi
            install_file "${TMP_DIR}/seal-token" "${FILE_SEAL}" 600
        elif [ -f "${R}${FILE_SEAL}" ]; then
            info "Using the seal token in ${FILE_SEAL}"
        else
            "${NODE_BIN}" "${agent_mjs}" new-seal-token > "${TMP_DIR}/seal-token"
            install_file "${TMP_DIR}/seal-token" "${FILE_SEAL}" 600
            info "Generated a seal token into ${FILE_SEAL} (mode 0600). It is shown only this once; keep a copy somewhere safe:"
            echo
            echo "    K8S_DAAS_SEAL_TOKEN=$(cat "${TMP_DIR}/seal-token")"
            echo
        fi
    fi
    K8S_DAAS_SEAL_TOKEN=
    K8S_DAAS_SEAL_TOKEN_FILE=${seal_file}
    SEAL_PUBKEY=$($SUDO env K8S_DAAS_SEAL_TOKEN_FILE="${R}${seal_file}" "${NODE_BIN}" "${agent_mjs}" seal-pubkey)
}

# --- install K3s with the official installer, service left disabled, when asked to ---
install_k3s() {
    k3s_path=$(command -v "${K3S_BIN:-k3s}" 2>/dev/null || true)
    if [ "${INSTALL_K8S_DAAS_INSTALL_K3S}" != true ]; then
        if [ -z "${R}" ] && [ -z "${k3s_path}" ]; then
            warn "${K3S_BIN:-k3s} is not installed: the agent runs 'k3s agent'. Run the installer again with INSTALL_K8S_DAAS_INSTALL_K3S=true, or install it with: curl -sfL https://get.k3s.io | INSTALL_K3S_SKIP_ENABLE=true INSTALL_K3S_SKIP_START=true sh -s - agent"
        fi
        return 0
    fi
    if [ -n "${R}" ]; then
        fatal 'INSTALL_K8S_DAAS_INSTALL_K3S=true does not work with INSTALL_K8S_DAAS_ROOT: the K3s installer installs into /'
    fi
    k3s_url=${INSTALL_K8S_DAAS_K3S_INSTALL_URL:-https://get.k3s.io}
    info "Installing K3s with its official installer from ${k3s_url} (binary only: the agent runs k3s agent)"
    download "${TMP_DIR}/k3s-install.sh" "${k3s_url}"
    # The K3s installer copies every K3S_* variable into its own env file; ours are not for it.
    (
        unset K3S_BIN K3S_EXTRA_ARGS
        $SUDO env INSTALL_K3S_SKIP_ENABLE=true INSTALL_K3S_SKIP_START=true sh "${TMP_DIR}/k3s-install.sh" agent
    )
}

# --- the k8s-daas-agent command: the bundle, run by the Node.js found now ---
create_command() {
    cat > "${TMP_DIR}/k8s-daas-agent" << EOF
#!/bin/sh
# k8s-daas-agent, written by the K8s-DaaS installer: runs the agent in ${LIB_DIR}
# with the Node.js found at install time (run the installer again after moving Node.js).
exec '${NODE_BIN}' '${LIB_DIR}/lib/agent.mjs' "\$@"
EOF
    install_file "${TMP_DIR}/k8s-daas-agent" "${FILE_BIN}" 755
}

# --- NAME=VALUE, quoted so that a shell, systemd and the agent read the same value ---
env_line() {
    if has_newline "$2"; then
        fatal "$1 must be one line"
    fi
    if matches "$2" '[A-Za-z0-9_./:@%+,=-]*'; then
        printf '%s=%s\n' "$1" "$2"
        return
    fi
    case "$2" in
        *\'*\`*|*\`*\'*) fatal "$1 must not hold both ' and \`" ;;
        *\'*) printf '%s="%s"\n' "$1" "$(printf '%s' "$2" | sed -e 's/[\\"$]/\\&/g')" ;;
        *) printf "%s='%s'\n" "$1" "$2" ;;
    esac
}

# --- write the agent's env file (mode 0600: it holds the key) ---
create_env_file() {
    {
        echo '# K8s-DaaS agent configuration, written by install.sh. Mode 0600: it holds secrets.'
        echo '# The agent reads it with --env-file. When the installer runs again, the values here'
        echo '# of the variables it is not given are kept.'
        for name in ${ENV_FILE_VARS}; do
            eval "value=\${${name}:-}"
            if [ -n "${value}" ]; then
                env_line "${name}" "${value}"
            fi
        done
    } > "${TMP_DIR}/agent.env"
    install_file "${TMP_DIR}/agent.env" "${FILE_ENV}" 600
}

# --- write systemd service file ---
create_systemd_service_file() {
    cat > "${TMP_DIR}/service" << EOF
[Unit]
Description=K8s-DaaS worker agent (registers the worker, talks to the master, runs k3s agent)
Documentation=${DOWNLOAD_URL}/
Wants=network-online.target
After=network-online.target
# Two k3s agents on one host would fight over containerd and the kubelet port.
Conflicts=k3s-agent.service

[Install]
WantedBy=multi-user.target

[Service]
Type=simple
# The agent reads ${FILE_ENV} itself (--env-file) rather than through EnvironmentFile=:
# the file holds the owner key and the seal token, which k3s and every process it starts would
# inherit. Variables meant for k3s (HTTP_PROXY, NO_PROXY, CONTAINERD_*) go in these optional files.
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/sysconfig/%N
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStartPre=-/sbin/modprobe overlay
ExecStart=${FILE_BIN} run --env-file ${FILE_ENV}
Restart=always
RestartSec=5s
# SIGTERM goes to the agent alone, which stops k3s itself (SIGTERM, SIGKILL after 10 s);
# whatever is left in the unit's cgroup then is killed.
KillMode=mixed
TimeoutStopSec=60s
# k3s runs under this unit: it delegates cgroups to containerd and uses the K3s unit's limits.
# No further sandboxing (ProtectSystem=, PrivateTmp=, NoNewPrivileges=, ...): the kubelet needs the
# host's mounts, devices, sysctls and kernel modules, and containers may use setuid binaries.
Delegate=yes
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
EOF
    install_file "${TMP_DIR}/service" "${FILE_SERVICE}" 644
}

# --- write openrc service file ---
create_openrc_service_file() {
    LOG_FILE=/var/log/${SYSTEM_NAME}.log
    cat > "${TMP_DIR}/service" << EOF
#!/sbin/openrc-run
# shellcheck shell=sh disable=SC2034
# k8s-daas-agent, written by the K8s-DaaS installer.

depend() {
    after network-online
    want cgroups
}

description="K8s-DaaS worker agent"
supervisor=supervise-daemon
name=${SYSTEM_NAME}
command="${FILE_BIN}"
command_args="run --env-file ${FILE_ENV}"
output_log=${LOG_FILE}
error_log=${LOG_FILE}
pidfile="/var/run/${SYSTEM_NAME}.pid"
respawn_delay=5
respawn_max=0
# SIGTERM to the agent, which stops k3s itself; SIGKILL after 60 s.
retry="TERM/60/KILL/5"
EOF
    install_file "${TMP_DIR}/service" "${FILE_SERVICE}" 755

    cat > "${TMP_DIR}/logrotate" << EOF
${LOG_FILE} {
	missingok
	notifempty
	copytruncate
}
EOF
    install_file "${TMP_DIR}/logrotate" "/etc/logrotate.d/${SYSTEM_NAME}" 644
}

# --- write systemd or openrc service file ---
create_service_file() {
    if [ "${HAS_SYSTEMD}" = true ]; then
        create_systemd_service_file
    elif [ "${HAS_OPENRC}" = true ]; then
        create_openrc_service_file
    fi
}

# --- create uninstall script ---
create_uninstall() {
    {
        echo '#!/bin/sh'
        echo '# Uninstalls the K8s-DaaS agent; written by its installer. Keeps the agent state and the'
        echo '# seal token unless given --purge. K3s itself, and the stake on chain, are left alone.'
        echo 'set -e'
        printf "ROOT='%s'\n" "${R}"
        printf "INIT='%s'\n" "$([ "${HAS_SYSTEMD}" = true ] && echo systemd || echo openrc)"
        printf "SYSTEM_NAME='%s'\n" "${SYSTEM_NAME}"
        printf "FILE_SERVICE='%s'\n" "${FILE_SERVICE}"
        printf "FILE_ENV='%s'\n" "${FILE_ENV}"
        printf "FILE_SEAL='%s'\n" "${FILE_SEAL}"
        printf "FILE_BIN='%s'\n" "${FILE_BIN}"
        printf "LIB_DIR='%s'\n" "${LIB_DIR}"
        printf "STATE_DIR='%s'\n" "${STATE_DIR}"
        printf "CONFIG_DIR='%s'\n" "${CONFIG_DIR}"
        printf "BIN_DIR='%s'\n" "${BIN_DIR}"
        printf "NODE_ID='%s'\n" "${K8S_DAAS_NODE_ID}"
        cat << 'EOF'

PURGE=false
for arg in "$@"; do
    case "$arg" in
        --purge) PURGE=true ;;
        -h|--help) echo "usage: $0 [--purge]   (--purge also removes $STATE_DIR and $FILE_SEAL)"; exit 0 ;;
        *) echo "$0: unknown argument $arg" >&2; exit 2 ;;
    esac
done
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
    exec sudo "$0" "$@"
fi

if [ "$INIT" = systemd ]; then
    if [ -z "$ROOT" ]; then
        systemctl stop "$SYSTEM_NAME" >/dev/null 2>&1 || true
        systemctl disable "$SYSTEM_NAME" >/dev/null 2>&1 || true
    elif command -v systemctl >/dev/null 2>&1; then
        systemctl --root="$ROOT" disable "$SYSTEM_NAME" >/dev/null 2>&1 || true
    fi
    rm -f "$ROOT/etc/systemd/system/multi-user.target.wants/$SYSTEM_NAME.service"
    rm -f "$ROOT$FILE_SERVICE"
    if [ -z "$ROOT" ]; then
        systemctl daemon-reload || true
        systemctl reset-failed "$SYSTEM_NAME" >/dev/null 2>&1 || true
    fi
else
    if [ -z "$ROOT" ]; then
        "$FILE_SERVICE" stop || true
        rc-update del "$SYSTEM_NAME" default >/dev/null 2>&1 || true
    fi
    rm -f "$ROOT/etc/runlevels/default/$SYSTEM_NAME" "$ROOT$FILE_SERVICE" "$ROOT/etc/logrotate.d/$SYSTEM_NAME"
fi

rm -f "$ROOT$FILE_ENV" "$ROOT$FILE_BIN"
rm -rf "$ROOT$LIB_DIR"
if [ "$PURGE" = true ]; then
    rm -rf "$ROOT$STATE_DIR"
    rm -f "$ROOT$FILE_SEAL"
    echo "Removed the agent state $STATE_DIR and the seal token $FILE_SEAL"
else
    echo "Kept the agent state $STATE_DIR and the seal token $FILE_SEAL (--purge removes them)"
fi
rmdir "$ROOT$CONFIG_DIR" 2>/dev/null || true
rm -f "$0"
if [ -x "$ROOT$BIN_DIR/k3s-killall.sh" ]; then
    echo "Containers started by k3s may still run: $BIN_DIR/k3s-killall.sh stops them"
fi
echo "Worker $NODE_ID stays registered on chain with its stake: its owner unstakes it (worker_registry::unstake with the StakeProof)"
EOF
    } > "${TMP_DIR}/uninstall.sh"
    install_file "${TMP_DIR}/uninstall.sh" "${UNINSTALL_SH}" 755
}

# --- fatal if the agent rejects the env file it will start with (only on the target system) ---
verify_agent_config() {
    [ -z "${R}" ] || return 0
    set +e
    problems=$($SUDO env -i PATH="${PATH}" "${NODE_BIN}" "${LIB_DIR}/lib/agent.mjs" status --env-file "${FILE_ENV}" 2>&1 >/dev/null)
    status=$?
    set -e
    # status exits 2 for a configuration problem only (1 just means the agent has not run yet)
    if [ "${status}" -eq 2 ]; then
        fatal "The agent rejects ${FILE_ENV}:${NL}${problems}"
    fi
}

# --- get hashes of the installed agent, command, service and configuration files ---
get_installed_hashes() {
    # shellcheck disable=SC2086 # SHA256_CMD is a command with its options
    $SUDO ${SHA256_CMD} "${R}${LIB_DIR}/lib/agent.mjs" "${R}${FILE_BIN}" "${R}${FILE_SERVICE}" "${R}${FILE_ENV}" \
        "${R}${K8S_DAAS_SEAL_TOKEN_FILE:-${FILE_SEAL}}" ${K3S_HASHED} 2>&1 || true
}

# --- the hashes before anything is written, to tell whether the service must restart ---
record_installed_hashes() {
    K3S_HASHED=
    if [ "${INSTALL_K8S_DAAS_INSTALL_K3S}" = true ]; then
        K3S_HASHED=${INSTALL_K3S_BIN_DIR:-/usr/local/bin}/k3s
    fi
    PRE_INSTALL_HASHES=$(get_installed_hashes)
}

# --- enable the systemd unit (offline below INSTALL_K8S_DAAS_ROOT) ---
systemd_enable() {
    info "systemd: Enabling ${SYSTEM_NAME} unit"
    if [ -z "${R}" ]; then
        $SUDO systemctl enable "${FILE_SERVICE}" >/dev/null
        $SUDO systemctl daemon-reload >/dev/null
    elif command -v systemctl >/dev/null 2>&1; then
        systemctl --root="${R}" enable "${SYSTEM_NAME}.service" >/dev/null 2>&1
    else
        make_dir "${R}/etc/systemd/system/multi-user.target.wants" 755
        ln -sf "${FILE_SERVICE}" "${R}/etc/systemd/system/multi-user.target.wants/${SYSTEM_NAME}.service"
    fi
}

# --- enable the openrc service for the default runlevel ---
openrc_enable() {
    info "openrc: Enabling ${SYSTEM_NAME} service for default runlevel"
    if [ -z "${R}" ]; then
        $SUDO rc-update add "${SYSTEM_NAME}" default >/dev/null
    else
        make_dir "${R}/etc/runlevels/default" 755
        ln -sf "${FILE_SERVICE}" "${R}/etc/runlevels/default/${SYSTEM_NAME}"
    fi
}

# --- true when the service is running ---
service_is_running() {
    if [ "${HAS_SYSTEMD}" = true ]; then
        $SUDO systemctl is-active --quiet "${SYSTEM_NAME}"
    else
        $SUDO "${FILE_SERVICE}" status >/dev/null 2>&1
    fi
}

# --- restart the service ---
service_restart() {
    if [ "${HAS_SYSTEMD}" = true ]; then
        info "systemd: Starting ${SYSTEM_NAME}"
        $SUDO systemctl restart "${SYSTEM_NAME}"
    else
        info "openrc: Starting ${SYSTEM_NAME}"
        $SUDO "${FILE_SERVICE}" restart
    fi
}

# --- enable and start the service, restarting only on change ---
service_enable_and_start() {
    POST_INSTALL_HASHES=$(get_installed_hashes)
    CHANGED=true
    if [ "${PRE_INSTALL_HASHES}" = "${POST_INSTALL_HASHES}" ]; then
        CHANGED=false
        info 'No change detected in the agent, its command, service or configuration'
    fi

    if [ "${INSTALL_K8S_DAAS_SKIP_ENABLE}" = true ]; then
        info 'Skipping enable and start (INSTALL_K8S_DAAS_SKIP_ENABLE=true)'
        return
    fi
    if [ "${HAS_SYSTEMD}" = true ]; then
        systemd_enable
    else
        openrc_enable
    fi

    if [ "${INSTALL_K8S_DAAS_SKIP_START}" = true ]; then
        info 'Skipping service start (INSTALL_K8S_DAAS_SKIP_START=true)'
        return
    fi
    if [ -n "${R}" ]; then
        info "Skipping service start: installed into ${ROOT}, not this system"
        return
    fi
    if [ "${CHANGED}" = false ] && [ "${INSTALL_K8S_DAAS_FORCE_RESTART}" != true ] && service_is_running; then
        info "${SYSTEM_NAME} is running and nothing changed: not restarting it"
        return
    fi
    service_restart
}

# --- what was installed and what the operator does next ---
print_summary() {
    info "Installed k8s-daas-agent $(cat "${R}${LIB_DIR}/VERSION") as ${SYSTEM_NAME} for worker ${K8S_DAAS_NODE_ID}"
    info "Seal public key: ${SEAL_PUBKEY}"
    if [ "${INSTALL_K8S_DAAS_PREREGISTERED}" = true ]; then
        info "Register the worker from the owner's wallet before it can join: worker_registry::stake_and_register_worker(registry ${K8S_DAAS_REGISTRY_ID}, a coin of at least 1 SUI, node_id \"${K8S_DAAS_NODE_ID}\", seal_pubkey ${SEAL_PUBKEY}, clock 0x6)"
    fi
    if [ "${HAS_SYSTEMD}" = true ]; then
        info "Status: ${FILE_BIN} status; logs: journalctl -u ${SYSTEM_NAME} -f; uninstall: ${UNINSTALL_SH}"
    else
        info "Status: ${FILE_BIN} status; logs: /var/log/${SYSTEM_NAME}.log; uninstall: ${UNINSTALL_SH}"
    fi
}

# --- run the install process ---
main() {
    verify_args "$@"
    setup_root
    verify_system
    verify_arch
    setup_env
    verify_master_url
    verify_node_id
    verify_chain_config
    verify_seal_token
    verify_owner_key
    verify_node
    verify_downloader
    record_installed_hashes
    download_and_verify
    setup_seal_token
    install_k3s
    create_command
    create_env_file
    create_service_file
    create_uninstall
    verify_agent_config
    service_enable_and_start
    print_summary
}

main "$@"
