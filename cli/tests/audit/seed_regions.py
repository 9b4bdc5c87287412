# Three regions of account 123456789012 with each rule's positive and negative cases.
import json
import boto3


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
PUSH = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]
LIFECYCLE = json.dumps({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]})


def repository(ecr, name, mutability="IMMUTABLE", filters=(), kms=True, lifecycle=LIFECYCLE, repository_policy=None):
    args = {"repositoryName": name, "imageTagMutability": mutability}
    if filters:
        args["imageTagMutabilityExclusionFilters"] = [{"filter": f, "filterType": "WILDCARD"} for f in filters]
    if kms:
        args["encryptionConfiguration"] = {"encryptionType": "KMS"}
    ecr.create_repository(**args)
    if lifecycle:
        ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=lifecycle)
    if repository_policy:
        ecr.set_repository_policy(repositoryName=name, policyText=repository_policy)


def scan_everything(ecr):
    ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}])


east = boto3.client("ecr", region_name="us-east-1")
scan_everything(east)
east.put_registry_policy(policyText=policy({"Sid": "ReplicateAnywhere", "Effect": "Allow", "Principal": "*", "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"], "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/*"}))
repository(east, "public-pull", repository_policy=policy({"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": PULL}))
repository(east, "public-push", repository_policy=policy({"Sid": "EveryonePushes", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": PULL + PUSH}))
repository(east, "org-only", repository_policy=policy({"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": PULL, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}))
repository(east, "any-org", repository_policy=policy({"Sid": "AnyOrg", "Effect": "Allow", "Principal": "*", "Action": PULL, "Condition": {"StringLike": {"aws:PrincipalOrgID": "*"}}}))
repository(east, "partner", repository_policy=policy({"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": PULL}))
repository(east, "owner-only", repository_policy=policy({"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": PULL + PUSH}))
repository(east, "mutable-except-release", mutability="MUTABLE_WITH_EXCLUSION", filters=["release-*"])
repository(east, "immutable-except-latest", mutability="IMMUTABLE_WITH_EXCLUSION", filters=["latest"])

west = boto3.client("ecr", region_name="eu-west-1")
repository(west, "legacy", mutability="MUTABLE", kms=False, lifecycle=None)
repository(west, "tidy")
# What ECR rejects today and moto still takes, as an old policy may hold it: a lifecycle rule on
# tagged images with no tag list (ECR303), a repository policy naming a resource (ECR401).
repository(west, "handmade",
           lifecycle=json.dumps({"rules": [{"rulePriority": 1, "description": "old releases", "selection": {"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 20}, "action": {"type": "expire"}}]}),
           repository_policy=policy({"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": PULL, "Resource": "*"}))

south = boto3.client("ecr", region_name="ap-southeast-2")
scan_everything(south)
repository(south, "tidy")
