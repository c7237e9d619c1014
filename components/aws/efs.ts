/**
 * Encrypted EFS file system with one mount target per AZ and one access point per tree the
 * nodes share, reusable by EC2 (mounted by the nodes) and EKS (EFS CSI volumes). The mount
 * targets listen on topology's NFS_PORT; the caller's security groups open it.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';

export interface EfsAccessPointSpec {
  /** Directory on the file system the access point exposes as its root, e.g. `/is`. */
  path: string;
  /** Owning uid of the directory when EFS creates it. */
  ownerUid: number;
  /** Owning gid of the directory when EFS creates it. */
  ownerGid: number;
  /** Octal permissions of the directory when created, e.g. `0750`. */
  permissions: string;
}

export interface EfsFileSystemArgs {
  /** One private subnet per AZ; a mount target is made in each. */
  subnetIds: pulumi.Input<string>[];
  /** Security groups of the mount targets; the caller owns their rules. */
  securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Access points by key (the key names the child resource). */
  accessPoints: Record<string, EfsAccessPointSpec>;
  /** Turn on AWS Backup for the file system (prod). */
  backup: boolean;
  /** Tags on every resource. */
  tags?: Record<string, string>;
}

/** Children: `${name}-fs`, `${name}-mount-<i>`, `${name}-ap-<key>`, `${name}-backup`. */
export class EfsFileSystem extends pulumi.ComponentResource {
  public readonly fileSystem: aws.efs.FileSystem;
  public readonly id: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  public readonly mountTargets: aws.efs.MountTarget[];
  /** Access point ids by key. */
  public readonly accessPointIds: Record<string, pulumi.Output<string>>;
  public readonly accessPointArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: EfsFileSystemArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:EfsFileSystem', name, {}, opts);
    const tags = args.tags ?? {};
    this.fileSystem = new aws.efs.FileSystem(
      `${name}-fs`,
      { encrypted: true, performanceMode: 'generalPurpose', throughputMode: 'elastic', tags: { ...tags, Name: name } },
      { parent: this },
    );
    this.id = this.fileSystem.id;
    this.arn = this.fileSystem.arn;
    this.mountTargets = args.subnetIds.map(
      (subnetId, i) =>
        new aws.efs.MountTarget(
          `${name}-mount-${i + 1}`,
          { fileSystemId: this.fileSystem.id, subnetId, securityGroups: args.securityGroupIds },
          { parent: this },
        ),
    );
    this.accessPointIds = {};
    this.accessPointArns = {};
    for (const [key, ap] of Object.entries(args.accessPoints)) {
      const res = new aws.efs.AccessPoint(
        `${name}-ap-${key}`,
        {
          fileSystemId: this.fileSystem.id,
          rootDirectory: {
            path: ap.path,
            creationInfo: { ownerUid: ap.ownerUid, ownerGid: ap.ownerGid, permissions: ap.permissions },
          },
          tags: { ...tags, Name: `${name}-${key}` },
        },
        { parent: this },
      );
      this.accessPointIds[key] = res.id;
      this.accessPointArns[key] = res.arn;
    }
    if (args.backup) {
      new aws.efs.BackupPolicy(
        `${name}-backup`,
        { fileSystemId: this.fileSystem.id, backupPolicy: { status: 'ENABLED' } },
        { parent: this },
      );
    }
    this.registerOutputs({ id: this.id, accessPointIds: this.accessPointIds });
  }
}
