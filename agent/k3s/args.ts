/**
 * The argv of `k3s agent` for this worker. Pure: no I/O, no environment reads.
 *
 * The join token is never an argument: it travels in a 0600 file (`--token-file`), because argv is
 * readable by every user on the host (`ps`, /proc/<pid>/cmdline).
 */
import { OWNER_LABEL, ownerLabelValue } from '../../shared/chain/owner-label.ts';
import { ConfigError, DaasError } from '../../shared/errors.ts';

export { OWNER_LABEL, ownerLabelValue } from '../../shared/chain/owner-label.ts';
export const STAKE_LABEL = 'k8s-daas.io/stake-mist';

export interface K3sAgentArgsOptions {
  /** The K3s server (supervisor) URL from the master's `welcome`; k3s accepts only https. */
  serverUrl: string;
  /** Path of the 0600 file holding the join token (see token-file.ts). */
  tokenFile: string;
  /** This worker's node id, used as the Kubernetes node name. */
  nodeId: string;
  /** The worker owner's Sui address. */
  ownerAddress: string;
  /** Stake in MIST, as registered on chain. */
  stakeMist: bigint | number | string;
  /** Extra labels from the master's `welcome` (they may not override the two above). */
  labels?: Readonly<Record<string, string>>;
  /** `K3S_EXTRA_ARGS`, split like a POSIX shell would (quotes and backslashes, no expansion). */
  extraArgs?: string;
}

/** Flags the agent owns: setting them again in K3S_EXTRA_ARGS would fight the master's values or leak the token. */
const RESERVED_FLAGS = new Map<string, string>([
  ['token', 'the join token must not be on the command line (it is passed with --token-file)'],
  ['t', 'the join token must not be on the command line (it is passed with --token-file)'],
  ['token-file', 'the agent writes and passes the token file itself'],
  ['server', 'the server URL comes from the master'],
  ['s', 'the server URL comes from the master'],
  ['node-name', 'the node name is K8S_DAAS_NODE_ID'],
  ['with-node-id', 'the node name must stay exactly K8S_DAAS_NODE_ID, which the master knows'],
]);

const NODE_ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Builds `['agent', '--server', …, ...extra]`. Throws DaasError `K3S_BAD_ARGS` for a value k3s or
 * the kubelet would reject, and ConfigError(`K3S_EXTRA_ARGS`) for unbalanced quotes or a reserved flag.
 */
export function buildK3sAgentArgs(options: K3sAgentArgsOptions): string[] {
  const { serverUrl, tokenFile, nodeId } = options;
  if (!/^https:\/\/[^/\s]+/.test(serverUrl)) {
    throw new DaasError('K3S_BAD_ARGS', `k3s accepts only https:// server URLs, got ${JSON.stringify(serverUrl)}`);
  }
  if (!NODE_ID.test(nodeId)) throw new DaasError('K3S_BAD_ARGS', `node id ${JSON.stringify(nodeId)} is not a Kubernetes node name`);
  if (tokenFile === '') throw new DaasError('K3S_BAD_ARGS', 'token file path is empty');

  const labels = new Map<string, string>([
    [OWNER_LABEL, ownerLabel(options.ownerAddress)],
    [STAKE_LABEL, stakeLabelValue(options.stakeMist)],
  ]);
  for (const [key, value] of Object.entries(options.labels ?? {})) {
    if (labels.has(key) && labels.get(key) !== value) {
      throw new DaasError('K3S_BAD_ARGS', `label ${key} is set by the agent and may not be overridden`);
    }
    labels.set(key, value);
  }
  const args = ['agent', '--server', serverUrl, '--token-file', tokenFile, '--node-name', nodeId];
  for (const [key, value] of labels) {
    checkLabel(key, value);
    args.push('--node-label', `${key}=${value}`);
  }
  return [...args, ...checkExtraArgs(splitShellWords(options.extraArgs ?? ''))];
}

function ownerLabel(address: string): string {
  try {
    return ownerLabelValue(address);
  } catch {
    throw new DaasError('K3S_BAD_ARGS', `owner ${JSON.stringify(address)} is not a Sui address`);
  }
}

function stakeLabelValue(stake: bigint | number | string): string {
  const text = String(stake);
  if (!/^\d{1,20}$/.test(text)) throw new DaasError('K3S_BAD_ARGS', `stake ${JSON.stringify(text)} is not a MIST amount`);
  return text;
}

/** The kubelet's --node-labels rules (apimachinery IsQualifiedName / IsValidLabelValue). */
function checkLabel(key: string, value: string): void {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const keyOk = name.length <= 63 && LABEL_NAME.test(name) && (slash < 0 || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
  if (!keyOk) throw new DaasError('K3S_BAD_ARGS', `node label key ${JSON.stringify(key)} is not a valid Kubernetes label key`);
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new DaasError('K3S_BAD_ARGS', `node label ${key}=${JSON.stringify(value)}: a label value has at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`);
  }
}

function checkExtraArgs(words: string[]): string[] {
  for (const word of words) {
    const match = /^--?([^=]+)/.exec(word);
    const why = match ? RESERVED_FLAGS.get(match[1]) : undefined;
    if (why !== undefined) throw new ConfigError('K3S_EXTRA_ARGS', `${match![0]} is not allowed here: ${why}`);
  }
  return words;
}

/**
 * Splits a string into words the way `sh` does, without expansion: whitespace separates words;
 * '…' is literal; "…" is literal except for \" \\ \$ \` and a backslash-newline; outside quotes a
 * backslash escapes the next character. Throws ConfigError(`K3S_EXTRA_ARGS`) on an unterminated quote
 * or a trailing backslash.
 */
export function splitShellWords(input: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) throw new ConfigError('K3S_EXTRA_ARGS', `unterminated single quote at position ${i + 1}`);
      word += input.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      const [text, end] = readDoubleQuoted(input, i);
      word += text;
      inWord = true;
      i = end;
    } else if (ch === '\\') {
      if (i + 1 >= input.length) throw new ConfigError('K3S_EXTRA_ARGS', 'trailing backslash');
      if (input[i + 1] !== '\n') {
        word += input[i + 1];
        inWord = true;
      }
      i++;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function readDoubleQuoted(input: string, start: number): [string, number] {
  let text = '';
  for (let i = start + 1; i < input.length; i++) {
    const ch = input[i];
    if (ch === '"') return [text, i];
    if (ch === '\\' && i + 1 < input.length && '"\\$`\n'.includes(input[i + 1])) {
      if (input[i + 1] !== '\n') text += input[i + 1];
      i++;
    } else {
      text += ch;
    }
  }
  throw new ConfigError('K3S_EXTRA_ARGS', `unterminated double quote at position ${start + 1}`);
}
