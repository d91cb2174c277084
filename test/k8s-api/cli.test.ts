/**
 * The owner CLI end to end: `node bin/k8s-daas.mjs request …` as a real process, against the local
 * chain, with a real master (in-process) executing on the Kubernetes API stand-in.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnerScope } from '../../master/requests/scope.ts';
import { startChainFixture, type ChainFixture } from '../helpers/chain.ts';
import { startK8sStandIn, type K8sStandIn } from './standin.ts';
import { ownerWithWorker, startRequestMaster, type Owner, type RequestMaster } from './harness.ts';

const BIN = join(import.meta.dirname, '../../bin/k8s-daas.mjs');

let fx: ChainFixture;
let k: K8sStandIn;
let m: RequestMaster;
let owner: Owner;

beforeAll(async () => {
  fx = await startChainFixture();
  k = await startK8sStandIn();
  m = await startRequestMaster(fx, k.kubeconfigPath);
  owner = await ownerWithWorker(fx, m, 'cli-w1');
  const scope = new OwnerScope(owner.address);
  const ns = scope.clusterNamespace('production');
  k.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: scope.namespaceLabels() } });
  for (const name of ['api-7d9f', 'web-5c6b']) {
    k.seed({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'main', image: 'nginx' }] } });
  }
});
afterAll(async () => {
  owner?.agent.close();
  await m?.close();
  await k?.close();
  await fx?.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], key = owner.key.getSecretKey(), extraEnv: Record<string, string> = {}): Promise<Run> {
  const { info } = fx.local;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    SUI_RPC_URL: info.rpcUrl,
    K8S_DAAS_PACKAGE_ID: info.packageId,
    K8S_DAAS_REGISTRY_ID: info.registryId,
    K8S_DAAS_SCHEDULER_ID: info.schedulerId,
    SUI_PRIVATE_KEY: key,
    ...extraEnv,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('k8s-daas request (the owner CLI)', { timeout: 240_000 }, () => {
  it('get pods -n production prints a kubectl-like table', async () => {
    const r = await cli(['request', 'get', 'pods', '-n', 'production']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ['api-7d9f', '1/1', 'Running', '0'],
      ['web-5c6b', '1/1', 'Running', '0'],
    ]);
    expect(r.stdout).not.toContain('o-');
  });

  it('apply -f creates from YAML; get -o json shows it in the owner\'s namespace; patch and delete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const file = join(dir, 'web.yaml');
    writeFileSync(file, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: production\nspec:\n  replicas: 2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  mode: blue\n');
    const apply = await cli(['request', 'apply', '-f', file, '-n', 'production']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toBe('deployment.apps/web created\nconfigmap/web-config created\n');

    const get = await cli(['request', 'get', 'deploy', 'web', '-n', 'production', '-o', 'json']);
    expect(get.code, get.stderr).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'production' }, spec: { replicas: 2 } });

    const patch = await cli(['request', 'patch', 'deployment', 'web', '-n', 'production', '-p', '{"spec":{"replicas":4}}']);
    expect(patch.stdout, patch.stderr).toBe('deployment.apps/web patched\n');
    const table = await cli(['request', 'get', 'deployments', '-n', 'production']);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+4\/4\s+4\s+4\s+\d+s\n$/);

    const del = await cli(['request', 'delete', 'cm', 'web-config', '-n', 'production']);
    expect(del.stdout, del.stderr).toBe('configmap "web-config" deleted\n');
    const again = await cli(['request', 'delete', 'cm', 'web-config', '-n', 'production']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error from server (NotFound): configmaps "web-config" not found');
  });

  it('prints Move aborts by name (exit 1), the master\'s refusals, and usage errors (exit 2)', async () => {
    const stranger = await fx.fundedKey();
    const none = await cli(['request', 'get', 'pods'], stranger.getSecretKey());
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('ENoAvailableWorkers');

    const nodes = await cli(['request', 'delete', 'nodes', 'standin-node']);
    expect(nodes.code).toBe(1);
    expect(nodes.stderr).toContain('EUnauthorizedRequest');

    const refused = await cli(['request', 'get', 'pods', '-n', 'Prod']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Error from master (Refused): namespace "Prod" is not a DNS label');

    const usage = await cli(['request', 'get']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('k8s-daas: get needs a resource type');

    const config = await cli(['request', 'get', 'pods'], '', { SUI_RPC_URL: '' });
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('SUI_RPC_URL');
  });
});
