/**
 * The floor `npm run bench` compares the plan against: what any EC2 program under the same loader
 * and mock engine cannot avoid, and nothing more (FLOOR_LOADS in bench.ts says it in words).
 * `--resources N` registers N empty buckets instead of one: the SDK's own cost for a program of
 * N resources, which bench shows next to each stack (same count as the stack's plan).
 */
import * as pulumi from '@pulumi/pulumi';
import { pattern2Mocks } from './mocks';

async function main(): Promise<void> {
  const mocks = pattern2Mocks();
  await pulumi.runtime.setMocks(mocks, 'wso2-is-pattern2', 'bench-floor', false);
  // Loaded after the mocks, as the program's modules are, so their load time is counted the same way.
  /* eslint-disable @typescript-eslint/no-var-requires */
  const aws = require('@pulumi/aws') as typeof import('@pulumi/aws');
  require('@pulumi/random');
  require('@pulumi/tls');
  /* eslint-enable @typescript-eslint/no-var-requires */
  const i = process.argv.indexOf('--resources');
  const count = i >= 0 ? Number(process.argv[i + 1]) : 1;
  if (!Number.isInteger(count) || count < 1) throw new Error('--resources needs a positive integer');
  const buckets = Array.from({ length: count }, (_, n) => new aws.s3.Bucket(n === 0 ? 'floor' : `floor-${n}`, {}));
  await Promise.all(buckets.map((b) => new Promise((resolve) => b.id.apply(resolve))));
  // As plan does: let the engine finish before exiting (the runtime fails on promises left running).
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  await (require('@pulumi/pulumi/runtime/settings') as { waitForRPCs(): Promise<void> }).waitForRPCs();
  if (mocks.recorder.records.length !== count) throw new Error(`the floor registers exactly ${count} resource(s)`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench-floor: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
