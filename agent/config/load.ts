/**
 * Loads the agent's configuration: flags > environment > env file > defaults (shared/config), then
 * the rules that span variables or touch files. Every problem is collected, so an operator fixes
 * the env file once instead of once per restart.
 */
import { loadEnvFile } from '../../shared/config/env-file.ts';
import { tryResolveConfig, type ConfigSources } from '../../shared/config/resolve.ts';
import { ConfigError, DaasError } from '../../shared/errors.ts';
import { checkOwnerKey, checkPlaintext } from './checks.ts';
import type { OwnerKey } from './owner-key.ts';
import { agentConfigSchema, compileAgentConfig, type AgentConfig, type AgentConfigVariable, type AgentConfigVariables } from './schema.ts';

export interface AgentConfigSources extends ConfigSources {
  /** An env file to read as the lowest layer (ignored when `envFile` is given). */
  envFilePath?: string;
  /** With `envFilePath`: a missing file is no error. */
  envFileOptional?: boolean;
}

export type AgentConfigResult = { ok: true; config: AgentConfig } | { ok: false; errors: ConfigError[] };

/** Every configuration problem at once; `code` is `CONFIG`, the message one line per problem. */
export class ConfigProblems extends DaasError {
  constructor(readonly problems: ConfigError[]) {
    super(
      'CONFIG',
      problems.length === 1
        ? problems[0].message
        : `${problems.length} configuration problems:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigProblems';
  }
}

/**
 * The validated configuration.
 * @throws ConfigProblems listing every problem, each a ConfigError naming its variable and the fix.
 */
export function loadAgentConfig(sources: AgentConfigSources): AgentConfig {
  const result = tryLoadAgentConfig(sources);
  if (!result.ok) throw new ConfigProblems(result.errors);
  return result.config;
}

/** Like `loadAgentConfig`, but returns the problems (for `validate-config`-style reports). Never throws a ConfigError. */
export function tryLoadAgentConfig(sources: AgentConfigSources): AgentConfigResult {
  const errors: ConfigError[] = [];
  const layers = withEnvFile(sources, errors);
  const full = tryResolveConfig(agentConfigSchema, layers);
  if (!full.ok) errors.push(...full.errors);

  // Each cross check runs on its own variables, so a bad node id does not hide a ws:// problem.
  const transport = resolveSubset(layers, ['K8S_DAAS_MASTER_URL', 'K8S_DAAS_ALLOW_PLAINTEXT']);
  if (transport) errors.push(...checkPlaintext(transport));
  let ownerKey: OwnerKey | undefined;
  const keys = resolveSubset(layers, ['SUI_PRIVATE_KEY', 'SUI_KEYSTORE']);
  if (keys) {
    try {
      ownerKey = checkOwnerKey(keys);
    } catch (err) {
      errors.push(asConfigError(err, 'SUI_PRIVATE_KEY'));
    }
  }

  if (errors.length > 0 || !full.ok) return { ok: false, errors };
  return { ok: true, config: compileAgentConfig(full.config, ownerKey) };
}

function withEnvFile(sources: AgentConfigSources, errors: ConfigError[]): ConfigSources {
  const { flags, env, envFile, envFilePath, envFileOptional } = sources;
  if (envFile || !envFilePath) return { flags, env, envFile };
  try {
    return { flags, env, envFile: loadEnvFile(envFilePath, { optional: envFileOptional }) };
  } catch (err) {
    errors.push(asConfigError(err, envFilePath));
    return { flags, env };
  }
}

// The variables `keys` alone, or undefined when one of them is invalid (already reported by the full pass).
function resolveSubset<K extends AgentConfigVariable>(layers: ConfigSources, keys: K[]) {
  const mask = Object.fromEntries(keys.map((k) => [k, true]));
  // zod types pick() for literal masks only; the keys are checked by the signature above.
  const result = tryResolveConfig(agentConfigSchema.pick(mask as never), layers);
  return result.ok ? (result.config as Pick<AgentConfigVariables, K>) : undefined;
}

function asConfigError(err: unknown, variable: string): ConfigError {
  if (err instanceof ConfigError) return err;
  if (err instanceof DaasError) return new ConfigError(variable, err.message);
  throw err;
}
