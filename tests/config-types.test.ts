/**
 * The StackConfig type is derived from the table (config/schema.ts): these compile-time checks
 * (tsc runs over tests/) pin how the derivation treats each kind of field, so a change to the
 * type machinery in config/fields.ts cannot silently make a key optional, required or `any`.
 */
import * as pulumi from '@pulumi/pulumi';
import type { ParsedStackConfig, StackConfig } from '../config';
import { DEFAULTS } from '../config';
import type { AnalyticsFlavor, Ports } from '../topology';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const is = <T extends true>(): T => true as T;

describe('the StackConfig type derived from the table', () => {
  test('fixed and derived defaults give required properties; optional leaves optional ones', () => {
    is<Equals<StackConfig['is'], { nodeCount: number; instanceType: string; packUrl?: string }>>();
    is<Equals<StackConfig['analytics'], { flavor: AnalyticsFlavor; nodeCount: number; instanceType: string; packUrl?: string }>>();
    is<Equals<StackConfig['mgtHostname'], string>>();
    is<Equals<StackConfig['rds']['multiAz'], boolean>>();
    is<Equals<StackConfig['network']['publicSubnetIds'], string[] | undefined>>();
    is<Equals<StackConfig['kubernetes']['images']['analyticsDas'], string | undefined>>();
    is<Equals<StackConfig['ports'], Ports>>();
    expect(true).toBe(true);
  });

  test('enumerations are unions; secrets are grouped and wrapped', () => {
    is<Equals<StackConfig['platform'], 'ec2' | 'kubernetes'>>();
    is<Equals<StackConfig['database'], 'rds' | 'in-cluster'>>();
    is<Equals<ParsedStackConfig['secrets'], { adminPassword?: string; dbPassword?: string; dbMasterPassword?: string }>>();
    is<Equals<StackConfig['secrets']['dbPassword'], pulumi.Output<string> | undefined>>();
    is<Equals<StackConfig['tls'], { certificate?: string; privateKey?: pulumi.Output<string> }>>();
    // grouped keys are not also top-level properties
    is<Equals<Extract<keyof StackConfig, 'tlsCertificate' | 'adminPassword'>, never>>();
    expect(true).toBe(true);
  });

  test('DEFAULTS holds the fixed defaults, typed', () => {
    const url: string = DEFAULTS.jdbcDriver.url;
    expect(url).toMatch(/\.jar$/);
    expect(DEFAULTS.kubernetes.images).not.toHaveProperty('analyticsDas');
    expect(DEFAULTS.rds).toEqual({ engineVersion: '8.0', instanceClass: 'db.t3.medium', allocatedStorage: 20, backupRetentionDays: 7 });
  });
});
