//! Checking against parsing alone: `cargo bench -p ecrlint_core --bench check`.
//!
//! `events` is the parser by itself (saphyr-parser events, jsonc-parser AST, hcl-edit's tree),
//! `parse` adds our spanned tree, `check` is the whole pipeline. The target: `check` within 1.5×
//! of `events`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ecrlint_core::syntax::{parse, Format};
use ecrlint_core::{check, Settings};

/// A template with `n` resources: ECR repositories with policies (some public, some restricted
/// by conditions), IAM roles and S3 buckets, the mix a real platform template has.
fn yaml_template(n: usize) -> String {
    let mut text = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Mutability:\n    Type: String\n    Default: IMMUTABLE\nResources:\n");
    for i in 0..n {
        match i % 3 {
            0 => text.push_str(&format!(
                "  Repository{i}:\n    Type: AWS::ECR::Repository\n    Properties:\n      RepositoryName: team-{i}/service\n      ImageTagMutability: {}\n      ImageScanningConfiguration:\n        ScanOnPush: true\n      RepositoryPolicyText:\n        Version: \"2012-10-17\"\n        Statement:\n          - Sid: Pull\n            Effect: Allow\n            Principal: \"{}\"\n            Action: [ecr:BatchGetImage, ecr:GetDownloadUrlForLayer]\n            Condition:\n              StringEquals:\n                aws:PrincipalOrgID: o-a1b2c3d4e5\n          - Sid: Push\n            Effect: Allow\n            Principal:\n              AWS:\n                - arn:aws:iam::111122223333:role/ci-{i}\n                - !Sub arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:root\n            Action: [ecr:PutImage, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload]\n",
                if i % 2 == 0 { "!Ref Mutability" } else { "MUTABLE" },
                if i % 4 == 0 { "*" } else { "arn:aws:iam::111122223333:root" }
            )),
            1 => text.push_str(&format!(
                "  Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Sub service-${{AWS::Region}}-{i}\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: ecs-tasks.amazonaws.com\n            Action: sts:AssumeRole\n      ManagedPolicyArns:\n        - arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly\n"
            )),
            _ => text.push_str(&format!(
                "  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub artifacts-${{AWS::AccountId}}-{i}\n      VersioningConfiguration:\n        Status: Enabled\n      Tags:\n        - Key: team\n          Value: platform\n"
            )),
        }
    }
    text
}

/// A Terraform configuration with the same mix: `n` blocks of repositories (with policies in
/// `jsonencode`, some public, some restricted), IAM roles and S3 buckets, with variables and a
/// policy document data source.
fn terraform(n: usize) -> String {
    let mut text = String::from(
        "data \"aws_caller_identity\" \"current\" {}\n\nvariable \"mutability\" {\n  type    = string\n  default = \"IMMUTABLE\"\n}\n\n",
    );
    for i in 0..n {
        match i % 3 {
            0 => text.push_str(&format!(
                "resource \"aws_ecr_repository\" \"repository{i}\" {{\n  name                 = \"team-{i}/service\"\n  image_tag_mutability = {}\n\n  image_scanning_configuration {{\n    scan_on_push = true\n  }}\n}}\n\nresource \"aws_ecr_repository_policy\" \"repository{i}\" {{\n  repository = aws_ecr_repository.repository{i}.name\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n      {{\n        Sid       = \"Pull\"\n        Effect    = \"Allow\"\n        Principal = \"{}\"\n        Action    = [\"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\"]\n        Condition = {{ StringEquals = {{ \"aws:PrincipalOrgID\" = \"o-a1b2c3d4e5\" }} }}\n      }},\n      {{\n        Sid       = \"Push\"\n        Effect    = \"Allow\"\n        Principal = {{ AWS = [\"arn:aws:iam::111122223333:role/ci-{i}\", \"arn:aws:iam::${{data.aws_caller_identity.current.account_id}}:root\"] }}\n        Action    = [\"ecr:PutImage\", \"ecr:InitiateLayerUpload\", \"ecr:UploadLayerPart\", \"ecr:CompleteLayerUpload\"]\n      }},\n    ]\n  }})\n}}\n\n",
                if i % 2 == 0 { "var.mutability" } else { "\"MUTABLE\"" },
                if i % 4 == 0 { "*" } else { "arn:aws:iam::111122223333:root" }
            )),
            1 => text.push_str(&format!(
                "resource \"aws_iam_role\" \"role{i}\" {{\n  name = \"service-{i}\"\n  assume_role_policy = jsonencode({{\n    Statement = [{{\n      Effect    = \"Allow\"\n      Principal = {{ Service = \"ecs-tasks.amazonaws.com\" }}\n      Action    = \"sts:AssumeRole\"\n    }}]\n  }})\n  managed_policy_arns = [\"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly\"]\n}}\n\n"
            )),
            _ => text.push_str(&format!(
                "resource \"aws_s3_bucket\" \"bucket{i}\" {{\n  bucket = \"artifacts-${{data.aws_caller_identity.current.account_id}}-{i}\"\n  tags = {{\n    team = \"platform\"\n  }}\n}}\n\n"
            )),
        }
    }
    text
}

/// The same template as JSON, through our own tree (so both formats hold the same content).
fn json_template(n: usize) -> String {
    let yaml = yaml_template(n).replace("!Ref Mutability", "IMMUTABLE");
    let yaml = yaml.replace(
        "- !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
        "- arn:aws:iam::111122223333:root",
    );
    let yaml = regex_free_sub(&yaml);
    let document = parse(&yaml, Format::Yaml);
    let mut out = String::with_capacity(yaml.len() * 2);
    to_json(document.root.as_ref().unwrap(), 0, &mut out);
    out
}

/// `!Sub x` → a plain string, so the YAML can be rendered as JSON without tags.
fn regex_free_sub(yaml: &str) -> String {
    yaml.replace(": !Sub ", ": ")
}

fn to_json(node: &ecrlint_core::syntax::Node, depth: usize, out: &mut String) {
    use ecrlint_core::syntax::NodeKind;
    let pad = |d: usize| "  ".repeat(d);
    match &node.kind {
        NodeKind::Mapping(m) => {
            out.push_str("{\n");
            for (i, e) in m.entries.iter().enumerate() {
                out.push_str(&format!("{}\"{}\": ", pad(depth + 1), e.key.text));
                to_json(&e.value, depth + 1, out);
                out.push_str(if i + 1 < m.entries.len() { ",\n" } else { "\n" });
            }
            out.push_str(&format!("{}}}", pad(depth)));
        }
        NodeKind::Sequence(s) => {
            out.push_str("[\n");
            for (i, item) in s.items.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                to_json(item, depth + 1, out);
                out.push_str(if i + 1 < s.items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&format!("{}]", pad(depth)));
        }
        NodeKind::Scalar(s) => out.push_str(&format!("{:?}", s.text)),
        NodeKind::Tagged(t) => to_json(&t.value, depth, out),
        NodeKind::Block(b) => to_json(&b.body, depth, out),
    }
}

fn events_only(text: &str, format: Format) -> usize {
    match format {
        Format::Yaml => saphyr_parser::Parser::new_from_str(text).count(),
        Format::Json => {
            let options = jsonc_parser::ParseOptions::default();
            let collect = jsonc_parser::CollectOptions::default();
            usize::from(jsonc_parser::parse_to_ast(text, &collect, &options).is_ok())
        }
        // hcl-edit's parse alone: what checking Terraform is measured against.
        Format::Hcl => hcl_edit::parser::parse_body(text).map_or(0, |body| body.len()),
    }
}

fn bench(c: &mut Criterion) {
    let settings = Settings::default();
    let inputs = [
        ("small.yaml", yaml_template(3), Format::Yaml),
        ("small.json", json_template(3), Format::Json),
        ("large.yaml", yaml_template(6_300), Format::Yaml),
        ("large.json", json_template(4_400), Format::Json),
        ("small.tf", terraform(3), Format::Hcl),
        ("large.tf", terraform(5_000), Format::Hcl),
    ];
    for (name, text, format) in &inputs {
        let mut group = c.benchmark_group(*name);
        group.throughput(Throughput::Bytes(text.len() as u64));
        if text.len() > 100_000 {
            group.sample_size(20);
        }
        group.bench_function(BenchmarkId::new("events", text.len()), |b| {
            b.iter(|| events_only(text, *format))
        });
        group.bench_function(BenchmarkId::new("parse", text.len()), |b| {
            b.iter(|| parse(text, *format))
        });
        group.bench_function(BenchmarkId::new("check", text.len()), |b| {
            b.iter(|| check(text, Some(name), &settings))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
