/**
 * Reads k3s agent log lines (logrus text format) and recognises the failures an operator must act
 * on, each with one sentence naming the likely cause and the fix. The patterns are k3s's own
 * messages (pkg/agent/run.go, pkg/agent/config/config.go, pkg/clientaccess/token.go, kubelet's
 * ValidateKubeletFlags, urfave/cli), not guesses: callers branch on `code`, people read `cause`.
 */

export type K3sFailureCode =
  | 'K3S_TOKEN_CA_MISMATCH'
  | 'K3S_TOKEN_REJECTED'
  | 'K3S_TOKEN_MALFORMED'
  | 'K3S_TOKEN_FILE_UNREADABLE'
  | 'K3S_NODE_PASSWORD_REJECTED'
  | 'K3S_SERVER_UNREACHABLE'
  | 'K3S_TLS_CLOCK'
  | 'K3S_TLS_UNTRUSTED'
  | 'K3S_BAD_FLAG'
  | 'K3S_BAD_NODE_LABEL'
  | 'K3S_NOT_PRIVILEGED'
  | 'K3S_NOT_FOUND'
  | 'K3S_NOT_EXECUTABLE';

export interface K3sDiagnosis {
  code: K3sFailureCode;
  /** One sentence for a person: the likely cause, then the fix. */
  cause: string;
  /** Whether restarting k3s as is can succeed (a fresh token, the server coming back). */
  retryable: boolean;
}

/** What the sentences may name; all optional. */
export interface DiagnoseContext {
  serverUrl?: string;
  nodeName?: string;
  bin?: string;
}

export interface LogrusLine {
  level: string;
  msg: string;
}

/** Parses `time="…" level=info msg="…" k=v`; null for lines in another format (klog, usage text). */
export function parseLogrusLine(line: string): LogrusLine | null {
  const level = /(?:^|\s)level=(\w+)/.exec(line);
  const msg = /(?:^|\s)msg=("(?:[^"\\]|\\.)*"|\S*)/.exec(line);
  if (!level || !msg) return null;
  return { level: level[1], msg: unquote(msg[1]) };
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    return JSON.parse(value) as string; // Go's %q and JSON agree for the ASCII k3s prints
  } catch {
    return value.slice(1, -1);
  }
}

/**
 * True for the lines k3s prints once the agent is joined: the websocket tunnel to the supervisor is
 * up ("Remotedialer connected to proxy", pkg/agent/tunnel) or the node object has been labelled.
 */
export function isK3sReadyLine(line: string): boolean {
  const msg = parseLogrusLine(line)?.msg ?? '';
  return (
    msg === 'Remotedialer connected to proxy' ||
    msg.startsWith('Annotations and labels have been set successfully on node') ||
    msg.startsWith('Annotations and labels have already set on node') ||
    msg === 'k3s agent is up and running'
  );
}

interface Rule {
  test: RegExp;
  diagnose: (match: RegExpExecArray, ctx: DiagnoseContext) => K3sDiagnosis;
}

const server = (ctx: DiagnoseContext) => ctx.serverUrl ?? 'the K3s server';
const node = (ctx: DiagnoseContext) => ctx.nodeName ?? '<node>';

// Order matters: the first match wins, and several messages share the "Failed to validate
// connection to cluster" prefix.
const RULES: Rule[] = [
  {
    test: /token CA hash does not match the Cluster CA certificate hash/,
    diagnose: (_m, ctx) => ({
      code: 'K3S_TOKEN_CA_MISMATCH',
      retryable: false,
      cause: `The join token was made for a different cluster CA than ${server(ctx)} presents (the server was reinstalled, or the master hands out a token of another cluster): make K3S_TOKEN_FILE and K3S_SERVER_URL on the master belong to the same K3s server, then restart this agent to fetch a fresh token.`,
    }),
  },
  {
    test: /\b401 Unauthorized\b|failed to get CA certs: Unauthorized/,
    diagnose: () => ({
      code: 'K3S_TOKEN_REJECTED',
      retryable: true,
      cause: 'The K3s server rejected the join token (401 Unauthorized): it is wrong, expired or revoked (bootstrap tokens expire after their --ttl); restart this agent to fetch a fresh token from the master, and if it persists check K3S_TOKEN_FILE and K3S_TOKEN_MODE on the master.',
    }),
  },
  {
    test: /invalid token CA hash length|invalid token format|token must not be empty/,
    diagnose: (m) => ({
      code: 'K3S_TOKEN_MALFORMED',
      retryable: false,
      cause: `The join token is malformed (${m[0]}): it must be the K10<ca-hash>::<credentials> string from the server's node-token file or from k3s token create; check K3S_TOKEN_FILE on the master.`,
    }),
  },
  {
    test: /Node password rejected/,
    diagnose: (_m, ctx) => ({
      code: 'K3S_NODE_PASSWORD_REJECTED',
      retryable: false,
      cause: `The K3s server already knows a node named ${node(ctx)} with a different node password (another host uses this node id, or this host was reinstalled): give this worker a unique K8S_DAAS_NODE_ID, or on the server run kubectl delete node ${node(ctx)} and kubectl -n kube-system delete secret ${node(ctx)}.node-password.k3s, then restart this agent.`,
    }),
  },
  {
    test: /x509: certificate has expired or is not yet valid/,
    diagnose: () => ({
      code: 'K3S_TLS_CLOCK',
      retryable: false,
      cause: "TLS to the K3s server failed because a certificate is outside its validity period (x509: certificate has expired or is not yet valid): check this host's clock (timedatectl; enable NTP), then the server's certificates.",
    }),
  },
  {
    test: /x509: [^"]*/,
    diagnose: (m, ctx) => ({
      code: 'K3S_TLS_UNTRUSTED',
      retryable: false,
      cause: `TLS to the K3s server failed (${m[0]}): ${server(ctx)} is probably not the K3s server itself (a TLS-terminating proxy in between?); point K3S_SERVER_URL on the master at the server's port 6443.`,
    }),
  },
  {
    test: /(?:Failed to validate connection to cluster|failed to get CA certs|Remotedialer proxy error|dial tcp).*?(connection refused|connection reset by peer|no route to host|i\/o timeout|context deadline exceeded|network is unreachable|no such host|EOF)/,
    diagnose: (m, ctx) => ({
      code: 'K3S_SERVER_UNREACHABLE',
      retryable: true,
      cause: `The K3s server ${server(ctx)} cannot be reached from this host (${m[1]}): check that k3s is running on the server, that TCP 6443 is open in every firewall in between, and that K3S_SERVER_URL on the master is an address workers can reach.`,
    }),
  },
  {
    test: /flag provided but not defined: (-\S+)/,
    diagnose: (m) => ({
      code: 'K3S_BAD_FLAG',
      retryable: false,
      cause: `k3s agent does not know the flag ${m[1].replace(/^-(?!-)/, '--')} (flag provided but not defined): fix K3S_EXTRA_ARGS (k3s agent --help lists the flags of this k3s version).`,
    }),
  },
  {
    test: /invalid node labels: (.*)/,
    diagnose: (m) => ({
      code: 'K3S_BAD_NODE_LABEL',
      retryable: false,
      cause: `The kubelet rejected a node label (${m[1].slice(0, 160)}): fix the --node-label values in K3S_EXTRA_ARGS or the master's labels; a label value has at most 63 characters of [A-Za-z0-9-_.].`,
    }),
  },
  {
    test: /agent requires additional privilege/,
    diagnose: () => ({
      code: 'K3S_NOT_PRIVILEGED',
      retryable: false,
      cause: 'k3s agent needs root: run the k8s-daas agent as root, or add --rootless to K3S_EXTRA_ARGS.',
    }),
  },
  {
    test: /^open (\S+): (no such file or directory|permission denied)$/,
    diagnose: (m) => ({
      code: 'K3S_TOKEN_FILE_UNREADABLE',
      retryable: true,
      cause: `k3s could not read the token file ${m[1]} (${m[2]}): k3s runs as another user than the agent, or the state directory was cleaned up; run both as root and check K8S_DAAS_STATE_DIR.`,
    }),
  },
];

/** The failure this line reports, or null for ordinary lines. */
export function diagnoseK3sLine(line: string, ctx: DiagnoseContext = {}): K3sDiagnosis | null {
  const text = parseLogrusLine(line)?.msg ?? line;
  for (const rule of RULES) {
    const match = rule.test.exec(text);
    if (match) return rule.diagnose(match, ctx);
  }
  return null;
}

/** The k3s executable could not be started at all (`spawn` failed with `errno`, e.g. ENOENT). */
export function diagnoseSpawnError(errno: string | undefined, ctx: DiagnoseContext = {}): K3sDiagnosis {
  const bin = ctx.bin ?? 'k3s';
  if (errno === 'EACCES') {
    return { code: 'K3S_NOT_EXECUTABLE', retryable: false, cause: `${bin} is not executable: chmod +x it, or set K3S_BIN to the k3s binary.` };
  }
  return {
    code: 'K3S_NOT_FOUND',
    retryable: false,
    cause: `The k3s executable ${bin} could not be started (${errno ?? 'spawn failed'}): install k3s (https://get.k3s.io with INSTALL_K3S_SKIP_START=true) or set K3S_BIN to its path.`,
  };
}
