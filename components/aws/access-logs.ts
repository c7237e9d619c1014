/**
 * S3 server access logging for a bucket whose reads matter (the EC2 configuration bucket: who
 * fetched which node's files). The logs go to a bucket of their own, as private and encrypted as
 * the source: public access blocked, bucket-owner-enforced ownership, SSE-S3 (server access log
 * delivery supports only SSE-S3 on the target bucket), TLS-only, and logs expired after
 * `retentionDays`. With bucket-owner-enforced ownership the log delivery ACL cannot be used, so
 * the bucket policy grants the S3 logging service principal `s3:PutObject` under the prefix, for
 * the source bucket only (AWS S3 user guide, "Enabling Amazon S3 server access logging",
 * "Permissions for log delivery").
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';

/** Key prefix of the logs in the log bucket. */
export const ACCESS_LOG_PREFIX = 'access/';

export interface AccessLogsArgs {
  /** The bucket whose requests are logged. */
  source: aws.s3.Bucket;
  /** Days a log object is kept. */
  retentionDays: number;
  /** Let destroy empty the log bucket (as the source bucket's own setting). */
  forceDestroy: boolean;
  /** Tags on the log bucket. */
  tags: Record<string, string>;
}

/** The log bucket policy: log delivery for `sourceArn` under the prefix, TLS only. Pure. */
export function logBucketPolicy(logBucketArn: string, sourceArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'S3ServerAccessLogs',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: ['s3:PutObject'],
        Resource: [`${logBucketArn}/${ACCESS_LOG_PREFIX}*`],
        Condition: { ArnLike: { 'aws:SourceArn': sourceArn } },
      },
      {
        Sid: 'TlsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:*'],
        Resource: [logBucketArn, `${logBucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

/**
 * The log bucket and the source's logging configuration. Children: `<res>` (bucket, its public
 * access block, ownership controls, encryption, lifecycle and policy, one of each type) and
 * `<res>-source` (the source bucket's logging configuration).
 * @param res Logical name of the log bucket and its settings.
 * @param args Source bucket, retention, destroy behaviour, tags.
 * @param parent The platform component.
 */
export function accessLogs(res: string, args: AccessLogsArgs, parent: pulumi.Resource): aws.s3.Bucket {
  const bucket = new aws.s3.Bucket(res, { forceDestroy: args.forceDestroy, tags: args.tags }, { parent });
  const pab = new aws.s3.BucketPublicAccessBlock(
    res,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    { parent },
  );
  const owner = new aws.s3.BucketOwnershipControls(res, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }, { parent });
  const sse = new aws.s3.BucketServerSideEncryptionConfiguration(
    res,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
    { parent },
  );
  new aws.s3.BucketLifecycleConfiguration(
    res,
    {
      bucket: bucket.id,
      rules: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: { prefix: ACCESS_LOG_PREFIX },
          expiration: { days: args.retentionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    },
    { parent },
  );
  // The block comes first: it rejects public policies, and ours grants a service principal only.
  const policy = new aws.s3.BucketPolicy(
    res,
    { bucket: bucket.id, policy: pulumi.all([bucket.arn, args.source.arn]).apply(([logArn, srcArn]) => logBucketPolicy(logArn, srcArn)) },
    { parent, dependsOn: [pab] },
  );
  new aws.s3.BucketLogging(
    `${res}-source`,
    { bucket: args.source.id, targetBucket: bucket.id, targetPrefix: ACCESS_LOG_PREFIX },
    { parent, dependsOn: [policy, owner, sse] },
  );
  return bucket;
}
