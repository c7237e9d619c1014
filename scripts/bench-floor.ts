/**
 * The floor `npm run bench` compares the plan against: what any EC2 program under the same loader
 * and mock engine cannot avoid, and nothing more (FLOOR_LOADS in bench.ts says it in words).
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
  const bucket = new aws.s3.Bucket('floor', {});
  await new Promise((resolve) => bucket.id.apply(resolve));
  // As plan does: let the engine finish before exiting (the runtime fails on promises left running).
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  await (require('@pulumi/pulumi/runtime/settings') as { waitForRPCs(): Promise<void> }).waitForRPCs();
  if (mocks.recorder.records.length !== 1) throw new Error('the floor registers exactly one resource');
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench-floor: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
