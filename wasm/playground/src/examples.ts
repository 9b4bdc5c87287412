// The examples menu: six real-looking inputs, one of each kind ecrlint reads.

import conformityPolicy from "../examples/conformity-exposed-policy.json";
import kicsTemplate from "../examples/kics-mutable-tags.yaml";
import repositoryPolicyOutput from "../examples/get-repository-policy-output.json";
import describeRepositoriesOutput from "../examples/describe-repositories-output.json";
import cleanTemplate from "../examples/clean-template.yaml";
import terraformModule from "../examples/terraform-public-repository.tf";

export interface Example {
  id: string;
  title: string;
  text: string;
}

export const EXAMPLES: readonly Example[] = [
  {
    id: "conformity-exposed-policy",
    title: "Exposed repository policy (Conformity ECR-001)",
    text: conformityPolicy,
  },
  {
    // Checkmarx KICS, cloudFormation/aws/ecr_image_tag_not_immutable/test/positive1.yaml (Apache-2.0).
    id: "kics-mutable-tags",
    title: "Template with mutable tags (KICS)",
    text: kicsTemplate,
  },
  {
    id: "get-repository-policy",
    title: "aws ecr get-repository-policy output",
    text: repositoryPolicyOutput,
  },
  {
    id: "describe-repositories",
    title: "aws ecr describe-repositories output",
    text: describeRepositoriesOutput,
  },
  {
    id: "terraform",
    title: "Terraform: public policy, mutable tags",
    text: terraformModule,
  },
  {
    id: "clean-template",
    title: "Clean template",
    text: cleanTemplate,
  },
];
