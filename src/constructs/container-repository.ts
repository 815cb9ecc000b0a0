import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";

export interface ContainerRepositoryProps {
  readonly repositoryName: string;
  /** Images kept; older ones expire. */
  readonly keepImages: number;
}

/** The ECR repository of the Lambda image: immutable tags, scanned on push, the newest images kept. */
export class ContainerRepository extends Construct {
  readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ContainerRepositoryProps) {
    super(scope, id);
    if (!Number.isInteger(props.keepImages) || props.keepImages < 1) throw new Error("ContainerRepository: keepImages must be a positive whole number");
    this.repository = new EcrRepository(this, "repository", {
      name: props.repositoryName,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "AES256" }],
      tags: { Name: props.repositoryName },
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Keep the newest ${props.keepImages} images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: props.keepImages },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }
}
