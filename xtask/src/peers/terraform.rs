//! The Terraform set: modules, each a folder of `.tf` files, generated from the corpus's seed with
//! their answers — repositories with their mutability, scanning and encryption spellings, and
//! repository policies written with `jsonencode`, a heredoc or an `aws_iam_policy_document`, tied
//! to their repository by a reference or by its name.

use std::fmt::Write as _;
use std::sync::OnceLock;

use super::corpus::{
    account_root, policy, scanned_repository_name, scanning_answer, Answer, Check, EncryptionCase,
    File, Format, Part, RegistryScanning, Rng, ScanOnPush, StatementCase, OWN_ACCOUNT,
    PARTNER_ACCOUNT, WORDS,
};
use super::emit::{self, list, lit, map, quoted, s, Doc, Quote};

/// How a module's repository sets its tag mutability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mutability {
    Missing,
    Mutable,
    Immutable,
    VariableMutable,
    VariableImmutable,
    LocalMutable,
    ConditionalOneMutable,
    MutableWithExclusion,
    ImmutableWithExclusion,
    ImmutableWithWildcardExclusion,
}

impl Mutability {
    pub(super) const ALL: [Mutability; 10] = [
        Mutability::Missing,
        Mutability::Mutable,
        Mutability::Immutable,
        Mutability::VariableMutable,
        Mutability::VariableImmutable,
        Mutability::LocalMutable,
        Mutability::ConditionalOneMutable,
        Mutability::MutableWithExclusion,
        Mutability::ImmutableWithExclusion,
        Mutability::ImmutableWithWildcardExclusion,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Mutability::Missing => "image_tag_mutability missing",
            Mutability::Mutable => "= \"MUTABLE\"",
            Mutability::Immutable => "= \"IMMUTABLE\"",
            Mutability::VariableMutable => "var, default \"MUTABLE\" in variables.tf",
            Mutability::VariableImmutable => "var, default \"IMMUTABLE\" in variables.tf",
            Mutability::LocalMutable => "local value \"MUTABLE\"",
            Mutability::ConditionalOneMutable => {
                "var.environment == \"production\" ? \"IMMUTABLE\" : \"MUTABLE\""
            }
            Mutability::MutableWithExclusion => "MUTABLE_WITH_EXCLUSION (terraform)",
            Mutability::ImmutableWithExclusion => {
                "IMMUTABLE_WITH_EXCLUSION, filter \"release-*\" (terraform)"
            }
            Mutability::ImmutableWithWildcardExclusion => {
                "IMMUTABLE_WITH_EXCLUSION, filter \"*\" (terraform)"
            }
        }
    }

    pub(super) fn mutable(self) -> bool {
        !matches!(
            self,
            Mutability::Immutable
                | Mutability::VariableImmutable
                | Mutability::ImmutableWithExclusion
        )
    }
}

/// How a repository policy is written, and what it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PolicyCase {
    Jsonencode(StatementCase),
    Document(StatementCase),
    Heredoc(StatementCase),
    JsonencodeVariableStar,
    JsonencodeVariableAccount,
    HeredocInterpolatedStar,
    DocumentDenyStarThenAccount,
    DocumentAccountThenStar,
}

/// The statements a heredoc policy is tried with: the public and the closed spellings.
const HEREDOC_STATEMENTS: [StatementCase; 7] = [
    StatementCase::PrincipalStar,
    StatementCase::AwsStar,
    StatementCase::OrgIdEquals,
    StatementCase::ForAllValuesOrgId,
    StatementCase::DenyStar,
    StatementCase::AccountRoot,
    StatementCase::NotPrincipal,
];

impl PolicyCase {
    pub(super) fn all() -> Vec<PolicyCase> {
        let mut all: Vec<PolicyCase> = StatementCase::ALL
            .iter()
            .map(|c| PolicyCase::Jsonencode(*c))
            .collect();
        all.extend(StatementCase::ALL.iter().map(|c| PolicyCase::Document(*c)));
        all.extend(HEREDOC_STATEMENTS.iter().map(|c| PolicyCase::Heredoc(*c)));
        all.extend([
            PolicyCase::JsonencodeVariableStar,
            PolicyCase::JsonencodeVariableAccount,
            PolicyCase::HeredocInterpolatedStar,
            PolicyCase::DocumentDenyStarThenAccount,
            PolicyCase::DocumentAccountThenStar,
        ]);
        all
    }

    pub(super) fn name(self) -> String {
        match self {
            PolicyCase::Jsonencode(c) => format!("jsonencode: {}", c.name()),
            PolicyCase::Document(c) => format!("aws_iam_policy_document: {}", c.name()),
            PolicyCase::Heredoc(c) => format!("heredoc: {}", c.name()),
            PolicyCase::JsonencodeVariableStar => {
                "jsonencode: AWS = var, default \"*\" in variables.tf".into()
            }
            PolicyCase::JsonencodeVariableAccount => {
                "jsonencode: AWS = var, default account ARN in variables.tf".into()
            }
            PolicyCase::HeredocInterpolatedStar => {
                "heredoc: AWS \"${var}\", default \"*\" in variables.tf".into()
            }
            PolicyCase::DocumentDenyStarThenAccount => {
                "aws_iam_policy_document: Deny \"*\" + Allow account".into()
            }
            PolicyCase::DocumentAccountThenStar => {
                "aws_iam_policy_document: Allow account + Allow \"*\"".into()
            }
        }
    }

    /// The name as answers carry it: each case's name is made once and kept for the run.
    fn static_name(self) -> &'static str {
        static NAMES: OnceLock<Vec<(PolicyCase, &'static str)>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            PolicyCase::all()
                .into_iter()
                .map(|c| (c, &*Box::leak(c.name().into_boxed_str())))
                .collect()
        });
        names
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("?", |(_, name)| name)
    }

    pub(super) fn public(self) -> bool {
        match self {
            PolicyCase::Jsonencode(c) | PolicyCase::Document(c) | PolicyCase::Heredoc(c) => {
                c.public()
            }
            PolicyCase::JsonencodeVariableStar
            | PolicyCase::HeredocInterpolatedStar
            | PolicyCase::DocumentAccountThenStar => true,
            PolicyCase::JsonencodeVariableAccount | PolicyCase::DocumentDenyStarThenAccount => {
                false
            }
        }
    }
}

/// A repository's encryption in Terraform: the spellings both formats share, and a key given as
/// a reference to an `aws_kms_key` of the module (customer-managed by construction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Encryption {
    Written(EncryptionCase),
    KmsKeyReference,
}

impl Encryption {
    pub(super) fn all() -> Vec<Encryption> {
        let mut all: Vec<Encryption> = EncryptionCase::ALL
            .iter()
            .map(|c| Encryption::Written(*c))
            .collect();
        all.push(Encryption::KmsKeyReference);
        all
    }

    pub(super) fn answer(self) -> Answer {
        match self {
            Encryption::Written(case) => case.answer(Format::Terraform),
            Encryption::KmsKeyReference => Answer {
                check: Check::Encryption,
                flagged: false,
                case: "KMS, kms_key = aws_kms_key.NAME.arn",
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing HCL

/// A `.tf` file being put together: blocks, some of them parts with answers.
struct TfFile {
    path: String,
    blocks: Vec<(String, Option<Part>)>,
}

impl TfFile {
    fn new(path: String) -> TfFile {
        TfFile {
            path,
            blocks: Vec::new(),
        }
    }

    fn block(&mut self, text: String, part: Option<Part>) {
        self.blocks.push((text, part));
    }

    /// The text, blocks one blank line apart, and each part with the lines its block covers.
    fn finish(self) -> Option<File> {
        if self.blocks.is_empty() {
            return None;
        }
        let mut text = String::new();
        let mut parts = Vec::new();
        let mut line = 1;
        for (i, (block, part)) in self.blocks.into_iter().enumerate() {
            if i > 0 {
                text.push('\n');
                line += 1;
            }
            let lines = block.lines().count() as u32;
            if let Some(mut part) = part {
                part.lines = (line, line + lines - 1);
                parts.push(part);
            }
            text.push_str(&block);
            line += lines;
        }
        Some(File {
            path: self.path,
            text,
            parts,
        })
    }
}

fn part(name: String, answers: Vec<Answer>) -> Part {
    Part {
        name,
        lines: (0, 0),
        answers,
        counts_for: None,
        counts_in: None,
    }
}

/// A part whose findings count for a block in another place (a variable's default, a local, a
/// policy document).
fn counting_for(name: String, owner: &str, owner_file: &str, file: &str) -> Part {
    Part {
        name,
        lines: (0, 0),
        answers: Vec::new(),
        counts_for: Some(owner.to_string()),
        counts_in: (owner_file != file).then(|| owner_file.to_string()),
    }
}

fn hcl_string(text: &str) -> String {
    emit::json_string(text).replace("${", "$${")
}

fn hcl_key(key: &str) -> String {
    let identifier = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if identifier {
        key.to_string()
    } else {
        hcl_string(key)
    }
}

/// A document as an HCL expression (the argument of `jsonencode`); `Lit` is written as it is, so
/// it carries references such as `var.name`.
fn hcl_value(doc: &Doc, indent: usize) -> String {
    let pad = " ".repeat(indent + 2);
    let close = " ".repeat(indent);
    match doc {
        Doc::Str(text, _) => hcl_string(text),
        Doc::Lit(text) => text.clone(),
        Doc::Map(entries) => {
            let mut out = String::from("{\n");
            for (key, value) in entries {
                let _ = writeln!(
                    out,
                    "{pad}{} = {}",
                    hcl_key(key),
                    hcl_value(value, indent + 2)
                );
            }
            out.push_str(&close);
            out.push('}');
            out
        }
        Doc::List(items) => {
            if items
                .iter()
                .all(|i| matches!(i, Doc::Str(..) | Doc::Lit(_)))
            {
                let items: Vec<String> = items.iter().map(|i| hcl_value(i, indent)).collect();
                return format!("[{}]", items.join(", "));
            }
            let mut out = String::from("[\n");
            for item in items {
                let _ = writeln!(out, "{pad}{},", hcl_value(item, indent + 2));
            }
            out.push_str(&close);
            out.push(']');
            out
        }
        Doc::Fn(_, inner) | Doc::JsonText(inner) | Doc::Mark(_, inner) => hcl_value(inner, indent),
    }
}

fn entries(doc: &Doc) -> &[(String, Doc)] {
    match doc {
        Doc::Map(entries) => entries,
        _ => &[],
    }
}

fn strings(doc: &Doc) -> Vec<String> {
    match doc {
        Doc::Str(text, _) | Doc::Lit(text) => vec![hcl_string(text)],
        Doc::List(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// One statement of a generated policy as an `aws_iam_policy_document` `statement` block.
fn document_statement(statement: &Doc) -> String {
    let mut out = String::from("  statement {\n");
    for (key, value) in entries(statement) {
        match key.as_str() {
            "Sid" => {
                let _ = writeln!(out, "    sid    = {}", strings(value).join(""));
            }
            "Effect" => {
                let _ = writeln!(out, "    effect = {}", strings(value).join(""));
            }
            "Action" => {
                let _ = writeln!(out, "    actions = [{}]", strings(value).join(", "));
            }
            "Principal" | "NotPrincipal" => {
                let block = if key == "Principal" {
                    "principals"
                } else {
                    "not_principals"
                };
                let typed: Vec<(String, Vec<String>)> = match value {
                    Doc::Map(kinds) => kinds
                        .iter()
                        .map(|(kind, ids)| (kind.clone(), strings(ids)))
                        .collect(),
                    other => vec![("*".into(), strings(other))],
                };
                for (kind, ids) in typed {
                    let _ = write!(
                        out,
                        "\n    {block} {{\n      type        = {}\n      identifiers = [{}]\n    }}\n",
                        hcl_string(&kind),
                        ids.join(", ")
                    );
                }
            }
            "Condition" => {
                for (test, keys) in entries(value) {
                    for (variable, values) in entries(keys) {
                        let _ = write!(
                            out,
                            "\n    condition {{\n      test     = {}\n      variable = {}\n      values   = [{}]\n    }}\n",
                            hcl_string(test),
                            hcl_string(variable),
                            strings(values).join(", ")
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out.push_str("  }\n");
    out
}

// ---------------------------------------------------------------------------------------------
// Modules

const MAIN: &str = "main.tf";

/// Where a module's blocks are written: a folder of its own (`module-0042/main.tf`,
/// `variables.tf`, …), or one large file shared with the other modules, where every file name
/// stands for that file, labels carry the module's prefix so that they stay unique, and the
/// file's one registry scanning configuration decides for every repository.
enum Layout<'a> {
    Folder(String),
    Shared {
        prefix: String,
        registry: &'a RegistryScanning,
    },
}

impl Layout<'_> {
    fn path(&self, name: &str) -> String {
        match self {
            Layout::Folder(dir) => format!("{dir}/{name}"),
            Layout::Shared { .. } => MAIN.to_string(),
        }
    }

    fn prefix(&self) -> &str {
        match self {
            Layout::Folder(_) => "",
            Layout::Shared { prefix, .. } => prefix,
        }
    }
}

/// The files of one module, with their answers.
pub fn module(rng: &mut Rng, index: usize) -> Vec<File> {
    let layout = Layout::Folder(format!("module-{index:04}"));
    let mut files = vec![];
    let shared = module_blocks(rng, &layout);
    files.push(versions(rng, layout.path("versions.tf")));
    files.extend(shared.into_iter().filter_map(TfFile::finish));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// One large `main.tf`: the `terraform` and `provider` blocks, a registry scanning
/// configuration, then `modules` modules written one after the other, each with every spelling
/// a module of its own has — variables, locals, policy documents and KMS keys included.
pub fn large_file(rng: &mut Rng, modules: usize) -> File {
    let registry = RegistryScanning::generate(rng);
    let mut file = TfFile::new(MAIN.to_string());
    file.block(versions(rng, MAIN.to_string()).text, None);
    file.block(
        registry_block(&registry),
        Some(part(
            "aws_ecr_registry_scanning_configuration.this".into(),
            Vec::new(),
        )),
    );
    for index in 0..modules {
        let layout = Layout::Shared {
            prefix: format!("m{index:04}_"),
            registry: &registry,
        };
        for module in module_blocks(rng, &layout) {
            file.blocks.extend(module.blocks);
        }
    }
    file.finish().expect("the file has blocks")
}

/// The blocks of one module, file by file: `main.tf` first, with the files that share its name
/// (all of them, in the shared layout) added to it.
fn module_blocks(rng: &mut Rng, layout: &Layout) -> Vec<TfFile> {
    let main_path = layout.path(MAIN);
    // Policy documents sometimes live in a file of their own, as do the registry's settings.
    let documents_path = if rng.chance(50) {
        layout.path("policies.tf")
    } else {
        main_path.clone()
    };
    let registry = match layout {
        Layout::Folder(_) => rng.chance(35).then(|| RegistryScanning::generate(rng)),
        Layout::Shared { registry, .. } => Some((*registry).clone()),
    };
    let registry_path = if rng.chance(50) {
        layout.path("scanning.tf")
    } else {
        main_path.clone()
    };
    let prefix = layout.prefix();
    let mut main = TfFile::new(main_path.clone());
    let mut variables = TfFile::new(layout.path("variables.tf"));
    let mut documents = TfFile::new(documents_path.clone());
    let mut scanning = TfFile::new(registry_path.clone());
    let kms_key = format!("{prefix}ecr");
    let mut module = Module {
        main: &mut main,
        variables: &mut variables,
        documents: &mut documents,
        main_path: &main_path,
        documents_path: &documents_path,
        kms_key_label: &kms_key,
        kms_key: false,
    };

    let repositories = 1 + rng.below(3);
    for i in 0..repositories {
        let word = rng.pick(WORDS);
        let label = format!("{prefix}{}{}", word.to_ascii_lowercase(), i + 1);
        let name = match &registry {
            Some(_) => scanned_repository_name(rng, &label),
            None => format!("team-{}/{label}", rng.below(40)),
        };
        module.repository(rng, &label, &name, registry.as_ref());
        if rng.chance(30) {
            module.other(rng, &format!("{label}_support"));
        }
    }
    if module.kms_key {
        main.block(
            format!("resource \"aws_kms_key\" \"{kms_key}\" {{\n  description         = \"ECR images\"\n  enable_key_rotation = true\n}}\n"),
            None,
        );
    }
    // The shared file's one registry scanning configuration is written once, at its top.
    if let (Some(registry), Layout::Folder(_)) = (&registry, layout) {
        scanning.block(
            registry_block(registry),
            Some(part(
                "aws_ecr_registry_scanning_configuration.this".into(),
                Vec::new(),
            )),
        );
    }

    let mut shared = vec![main];
    for file in [documents, scanning, variables] {
        match shared.iter_mut().find(|f| f.path == file.path) {
            Some(existing) => existing.blocks.extend(file.blocks),
            None => shared.push(file),
        }
    }
    shared
}

fn versions(rng: &mut Rng, path: String) -> File {
    let region = rng.pick(&["us-east-1", "eu-west-1", "ap-southeast-2"]);
    File {
        path,
        text: format!(
            "terraform {{\n  required_version = \">= 1.5\"\n\n  required_providers {{\n    aws = {{\n      source  = \"hashicorp/aws\"\n      version = \">= 6.8\"\n    }}\n  }}\n}}\n\nprovider \"aws\" {{\n  region = \"{region}\"\n}}\n"
        ),
        parts: Vec::new(),
    }
}

fn registry_block(registry: &RegistryScanning) -> String {
    let mut out = format!(
        "resource \"aws_ecr_registry_scanning_configuration\" \"this\" {{\n  scan_type = \"{}\"\n",
        registry.scan_type()
    );
    for (frequency, filters) in &registry.rules {
        let _ = write!(out, "\n  rule {{\n    scan_frequency = \"{frequency}\"\n");
        for filter in filters {
            let _ = write!(
                out,
                "\n    repository_filter {{\n      filter      = {}\n      filter_type = \"WILDCARD\"\n    }}\n",
                hcl_string(filter)
            );
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

struct Module<'a> {
    main: &'a mut TfFile,
    variables: &'a mut TfFile,
    documents: &'a mut TfFile,
    main_path: &'a str,
    documents_path: &'a str,
    /// The label of the module's `aws_kms_key` (`ecr`, with the module's prefix in the shared
    /// file).
    kms_key_label: &'a str,
    /// Whether a repository's key refers to the module's `aws_kms_key`.
    kms_key: bool,
}

impl Module<'_> {
    fn variable(&mut self, name: &str, default: &str, owner: &str) {
        self.variables.block(
            format!(
                "variable \"{name}\" {{\n  type    = string\n  default = {}\n}}\n",
                hcl_string(default)
            ),
            Some(counting_for(
                format!("var.{name}"),
                owner,
                self.main_path,
                &self.variables.path,
            )),
        );
    }

    fn repository(
        &mut self,
        rng: &mut Rng,
        label: &str,
        name: &str,
        registry: Option<&RegistryScanning>,
    ) {
        let address = format!("aws_ecr_repository.{label}");
        let mutability = rng.pick(&Mutability::ALL);
        let scan = rng.pick(&ScanOnPush::ALL);
        let encryption = rng.pick(&Encryption::all());
        let answers = vec![
            Answer {
                check: Check::Mutable,
                flagged: mutability.mutable(),
                case: mutability.name(),
            },
            scanning_answer(Format::Terraform, scan, registry, name),
            encryption.answer(),
        ];

        let mut body = format!(
            "resource \"aws_ecr_repository\" \"{label}\" {{\n  name = {}\n",
            hcl_string(name)
        );
        let mut before = Vec::new();
        let mut blocks = String::new();
        let filter = |value: &str| {
            format!(
                "\n  image_tag_mutability_exclusion_filter {{\n    filter      = \"{value}\"\n    filter_type = \"WILDCARD\"\n  }}\n"
            )
        };
        let value = match mutability {
            Mutability::Missing => None,
            Mutability::Mutable => Some("\"MUTABLE\"".to_string()),
            Mutability::Immutable => Some("\"IMMUTABLE\"".to_string()),
            Mutability::VariableMutable | Mutability::VariableImmutable => {
                let variable = format!("{label}_tag_mutability");
                let default = if mutability == Mutability::VariableMutable {
                    "MUTABLE"
                } else {
                    "IMMUTABLE"
                };
                self.variable(&variable, default, &address);
                Some(format!("var.{variable}"))
            }
            Mutability::LocalMutable => {
                let local = format!("{label}_tag_mutability");
                before.push((
                    format!("locals {{\n  {local} = \"MUTABLE\"\n}}\n"),
                    Some(counting_for(
                        format!("locals.{local}"),
                        &address,
                        self.main_path,
                        self.main_path,
                    )),
                ));
                Some(format!("local.{local}"))
            }
            Mutability::ConditionalOneMutable => {
                let variable = format!("{label}_environment");
                self.variable(&variable, "staging", &address);
                Some(format!(
                    "var.{variable} == \"production\" ? \"IMMUTABLE\" : \"MUTABLE\""
                ))
            }
            Mutability::MutableWithExclusion => {
                blocks.push_str(&filter("release-*"));
                Some("\"MUTABLE_WITH_EXCLUSION\"".to_string())
            }
            Mutability::ImmutableWithExclusion => {
                blocks.push_str(&filter("release-*"));
                Some("\"IMMUTABLE_WITH_EXCLUSION\"".to_string())
            }
            Mutability::ImmutableWithWildcardExclusion => {
                blocks.push_str(&filter("*"));
                Some("\"IMMUTABLE_WITH_EXCLUSION\"".to_string())
            }
        };
        if let Some(value) = value {
            let _ = writeln!(body, "  image_tag_mutability = {value}");
        }
        if rng.chance(30) {
            body.push_str("  force_delete = true\n");
        }
        body.push_str(&blocks);
        match scan {
            ScanOnPush::True | ScanOnPush::False => {
                let _ = write!(
                    body,
                    "\n  image_scanning_configuration {{\n    scan_on_push = {}\n  }}\n",
                    scan == ScanOnPush::True
                );
            }
            ScanOnPush::Missing => {}
        }
        let setting = match encryption {
            Encryption::Written(case) => case
                .setting(rng)
                .map(|(kind, key)| (kind, key.map(|k| hcl_string(&k)))),
            Encryption::KmsKeyReference => {
                self.kms_key = true;
                Some((
                    "KMS",
                    Some(format!("aws_kms_key.{}.arn", self.kms_key_label)),
                ))
            }
        };
        if let Some((kind, key)) = setting {
            let _ = write!(
                body,
                "\n  encryption_configuration {{\n    encryption_type = \"{kind}\"\n"
            );
            if let Some(key) = key {
                let _ = writeln!(body, "    kms_key         = {key}");
            }
            body.push_str("  }\n");
        }
        if rng.chance(50) {
            let team = rng.pick(&["payments", "search", "platform", "data", "identity"]);
            let _ = write!(body, "\n  tags = {{\n    team = \"{team}\"\n  }}\n");
        }
        body.push_str("}\n");
        for (text, part) in before {
            self.main.block(text, part);
        }
        self.main.block(body, Some(part(address.clone(), answers)));

        if rng.chance(85) {
            let case = rng.pick(&PolicyCase::all());
            // Half the policies name their repository, half refer to its block.
            let tie = if rng.chance(50) {
                format!("aws_ecr_repository.{label}.name")
            } else {
                hcl_string(name)
            };
            self.policy(rng, label, &tie, case);
        }
        if rng.chance(30) {
            self.main.block(
                format!(
                    "resource \"aws_ecr_lifecycle_policy\" \"{label}\" {{\n  repository = aws_ecr_repository.{label}.name\n  policy = jsonencode({{\n    rules = [{{\n      rulePriority = 1\n      description  = \"Expire untagged images\"\n      selection = {{\n        tagStatus   = \"untagged\"\n        countType   = \"sinceImagePushed\"\n        countUnit   = \"days\"\n        countNumber = {}\n      }}\n      action = {{\n        type = \"expire\"\n      }}\n    }}]\n  }})\n}}\n",
                    7 + rng.below(60)
                ),
                None,
            );
        }
    }

    fn policy(&mut self, rng: &mut Rng, label: &str, tie: &str, case: PolicyCase) {
        let address = format!("aws_ecr_repository_policy.{label}");
        let answer = Answer {
            check: Check::Public,
            flagged: case.public(),
            case: case.static_name(),
        };
        let head = format!(
            "resource \"aws_ecr_repository_policy\" \"{label}\" {{\n  repository = {tie}\n"
        );
        let statements: Vec<Doc> = match case {
            PolicyCase::Jsonencode(c) | PolicyCase::Document(c) | PolicyCase::Heredoc(c) => {
                vec![c.statement(rng, "Access")]
            }
            PolicyCase::JsonencodeVariableStar | PolicyCase::JsonencodeVariableAccount => {
                let variable = format!("{label}_pull_principal");
                let default = if case == PolicyCase::JsonencodeVariableStar {
                    "*".to_string()
                } else {
                    account_root(PARTNER_ACCOUNT)
                };
                self.variable(&variable, &default, &address);
                vec![pull(map(vec![("AWS", lit(&format!("var.{variable}")))]))]
            }
            PolicyCase::HeredocInterpolatedStar => {
                let variable = format!("{label}_pull_principal");
                self.variable(&variable, "*", &address);
                vec![pull(map(vec![(
                    "AWS",
                    quoted(&format!("${{var.{variable}}}"), Quote::Double),
                )]))]
            }
            PolicyCase::DocumentDenyStarThenAccount => vec![
                StatementCase::DenyStar.statement(rng, "DenyEveryone"),
                StatementCase::AccountRoot.statement(rng, "AllowAccount"),
            ],
            PolicyCase::DocumentAccountThenStar => vec![
                StatementCase::AccountRoot.statement(rng, "AllowAccount"),
                StatementCase::AwsStar.statement(rng, "AllowEveryone"),
            ],
        };
        let body = match case {
            PolicyCase::Jsonencode(_)
            | PolicyCase::JsonencodeVariableStar
            | PolicyCase::JsonencodeVariableAccount => format!(
                "{head}  policy = jsonencode({})\n}}\n",
                hcl_value(&policy(list(statements)), 2)
            ),
            PolicyCase::Heredoc(_) | PolicyCase::HeredocInterpolatedStar => {
                let json = emit::json(&policy(list(statements))).text;
                if rng.chance(50) {
                    format!("{head}  policy = <<EOF\n{}EOF\n}}\n", with_newline(&json))
                } else {
                    let indented: String = json.lines().map(|l| format!("    {l}\n")).collect();
                    format!("{head}  policy = <<-EOT\n{indented}  EOT\n}}\n")
                }
            }
            PolicyCase::Document(_)
            | PolicyCase::DocumentDenyStarThenAccount
            | PolicyCase::DocumentAccountThenStar => {
                let document = format!(
                    "data \"aws_iam_policy_document\" \"{label}\" {{\n{}}}\n",
                    statements
                        .iter()
                        .map(document_statement)
                        .collect::<Vec<_>>()
                        .join("\n")
                );
                self.documents.block(
                    document,
                    Some(counting_for(
                        format!("data.aws_iam_policy_document.{label}"),
                        &address,
                        self.main_path,
                        self.documents_path,
                    )),
                );
                format!("{head}  policy = data.aws_iam_policy_document.{label}.json\n}}\n")
            }
        };
        self.main.block(body, Some(part(address, vec![answer])));
    }

    /// Something else a module holds, that no check is about: a public bucket policy, a role.
    fn other(&mut self, rng: &mut Rng, label: &str) {
        let text = match rng.below(3) {
            0 => format!(
                "resource \"aws_s3_bucket\" \"{label}\" {{\n  bucket = \"{}-assets\"\n}}\n\nresource \"aws_s3_bucket_policy\" \"{label}\" {{\n  bucket = aws_s3_bucket.{label}.id\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Effect    = \"Allow\"\n      Principal = \"*\"\n      Action    = \"s3:GetObject\"\n      Resource  = \"${{aws_s3_bucket.{label}.arn}}/*\"\n    }}]\n  }})\n}}\n",
                label.replace('_', "-")
            ),
            1 => format!(
                "resource \"aws_iam_role\" \"{label}\" {{\n  name = \"{label}\"\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Effect    = \"Allow\"\n      Principal = {{ Service = \"codebuild.amazonaws.com\" }}\n      Action    = \"sts:AssumeRole\"\n    }}]\n  }})\n}}\n"
            ),
            _ => format!(
                "output \"{label}_account\" {{\n  value = \"{}\"\n}}\n",
                account_root(OWN_ACCOUNT)
            ),
        };
        self.main.block(text, None);
    }
}

/// How the block a part names begins: `resource "TYPE" "NAME" {`, `data "TYPE" "NAME" {`,
/// `variable "NAME" {` or `locals {`.
#[cfg(test)]
pub(super) fn block_head(part: &str) -> String {
    let pieces: Vec<&str> = part.split('.').collect();
    match pieces.as_slice() {
        ["data", kind, name] => format!("data \"{kind}\" \"{name}\" {{"),
        ["var", name] => format!("variable \"{name}\" {{"),
        ["locals", _] => "locals {".to_string(),
        [kind, name] => format!("resource \"{kind}\" \"{name}\" {{"),
        _ => part.to_string(),
    }
}

fn pull(principal: Doc) -> Doc {
    map(vec![
        ("Sid", s("Pull")),
        ("Effect", s("Allow")),
        ("Principal", principal),
        (
            "Action",
            list(vec![
                s("ecr:BatchGetImage"),
                s("ecr:GetDownloadUrlForLayer"),
            ]),
        ),
    ])
}

fn with_newline(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::corpus::{generate, Set, Size};
    use super::*;

    /// The quick corpus's modules, pinned: a change to the generator shows here first.
    #[test]
    fn the_quick_modules() {
        let corpus = generate(Size::QUICK);
        let files = corpus.files(Set::Terraform);
        let count = |suffix: &str| files.iter().filter(|f| f.path.ends_with(suffix)).count();
        assert_eq!(files.len(), 294);
        assert_eq!(
            [
                count("/main.tf"),
                count("/versions.tf"),
                count("/variables.tf"),
                count("/policies.tf"),
                count("/scanning.tf")
            ],
            [100, 100, 52, 28, 14]
        );
        let mut per_check: BTreeMap<(Check, bool), usize> = BTreeMap::new();
        for (_, _, answer) in corpus.answers(Set::Terraform) {
            *per_check.entry((answer.check, answer.flagged)).or_default() += 1;
        }
        assert_eq!(
            per_check.into_iter().collect::<Vec<_>>(),
            [
                ((Check::Public, false), 63),
                ((Check::Public, true), 120),
                ((Check::Mutable, false), 62),
                ((Check::Mutable, true), 148),
                ((Check::Scanning, false), 68),
                ((Check::Scanning, true), 142),
                ((Check::Encryption, false), 86),
                ((Check::Encryption, true), 124),
            ]
        );
    }

    /// Every Terraform case is there at least twenty times in the full corpus, and no case name
    /// is used with both answers.
    #[test]
    fn every_terraform_case_is_in_the_corpus() {
        let corpus = generate(Size::FULL);
        assert_eq!(
            corpus
                .files(Set::Terraform)
                .iter()
                .filter(|f| f.path.ends_with("/main.tf"))
                .count(),
            1000
        );
        let mut seen: BTreeMap<(&str, bool), usize> = BTreeMap::new();
        for (_, _, answer) in corpus.answers(Set::Terraform) {
            *seen.entry((answer.case, answer.flagged)).or_default() += 1;
        }
        let expected: Vec<(String, bool)> = Mutability::ALL
            .iter()
            .map(|c| (c.name().to_string(), c.mutable()))
            .chain(PolicyCase::all().iter().map(|c| (c.name(), c.public())))
            .chain(Encryption::all().iter().map(|c| {
                let answer = c.answer();
                (answer.case.to_string(), answer.flagged)
            }))
            .chain(ScanOnPush::ALL.iter().map(|own| {
                let answer = scanning_answer(Format::Terraform, *own, None, "any");
                (answer.case.to_string(), answer.flagged)
            }))
            .collect();
        for (case, flagged) in &expected {
            let count = seen.get(&(case.as_str(), *flagged));
            assert!(count.is_some_and(|c| *c >= 20), "{case}: {count:?}");
        }
        for (case, flagged) in seen.keys() {
            assert!(!seen.contains_key(&(*case, !flagged)), "{case}");
        }
    }

    /// The large file: one `main.tf` of about 3 MB, its labels unique, holding every spelling
    /// the modules have (under its one registry scanning configuration, which decides the
    /// scanning answers), each case at least twenty times.
    #[test]
    fn the_large_file() {
        let corpus = generate(Size::FULL);
        let files = corpus.files(Set::TerraformLarge);
        assert_eq!(files.len(), 1);
        let file = &files[0];
        assert_eq!(file.path, "main.tf");
        assert!(
            (2_800_000..3_300_000).contains(&file.text.len()),
            "the large Terraform file is {} bytes",
            file.text.len()
        );
        assert_eq!(
            file.text
                .matches("resource \"aws_ecr_registry_scanning_configuration\"")
                .count(),
            1
        );
        assert!(file.text.starts_with("terraform {"));
        assert_eq!(file.text.matches("terraform {").count(), 1);
        let repositories = file
            .text
            .matches("resource \"aws_ecr_repository\" ")
            .count();
        assert!(
            (2500..3500).contains(&repositories),
            "{repositories} repositories"
        );
        let mut names = std::collections::BTreeSet::new();
        for part in &file.parts {
            assert!(names.insert(part.name.as_str()), "{} twice", part.name);
            assert_eq!(part.counts_in, None, "{}", part.name);
        }
        let count = |set: Set| {
            let mut seen: BTreeMap<(Check, &'static str, bool), usize> = BTreeMap::new();
            for (_, _, answer) in corpus.answers(set) {
                *seen
                    .entry((answer.check, answer.case, answer.flagged))
                    .or_default() += 1;
            }
            seen
        };
        let (modules, large) = (count(Set::Terraform), count(Set::TerraformLarge));
        let cases = |seen: &BTreeMap<(Check, &'static str, bool), usize>, scanning: bool| {
            seen.keys()
                .filter(|(check, _, _)| (*check == Check::Scanning) == scanning)
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(cases(&large, false), cases(&modules, false));
        for (case, n) in &large {
            assert!(*n >= 20, "{case:?}: {n}");
        }
        let scanning = cases(&large, true);
        assert!(scanning
            .iter()
            .all(|(_, case, _)| case.starts_with("registry ")));
        assert!(scanning.iter().any(|(_, _, flagged)| *flagged));
        assert!(scanning.iter().any(|(_, _, flagged)| !*flagged));
    }

    /// Writing a module into the shared file changes nothing of the modules written into
    /// folders: the quick modules' text, pinned.
    #[test]
    fn the_modules_are_unchanged() {
        let corpus = generate(Size::QUICK);
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for file in corpus.files(Set::Terraform) {
            for byte in file.path.bytes().chain(file.text.bytes()) {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        assert_eq!(hash, 0x16cc_42a6_2df2_d952);
    }

    /// Policies are tied both ways; parts in another file count for a block of main.tf that
    /// uses them.
    #[test]
    fn ties_and_parts_in_other_files() {
        let corpus = generate(Size::QUICK);
        let files = corpus.files(Set::Terraform);
        let text: String = files.iter().map(|f| f.text.as_str()).collect();
        let ties: Vec<&str> = text
            .split("resource \"aws_ecr_repository_policy\"")
            .skip(1)
            .filter_map(|block| block.lines().nth(1))
            .collect();
        let by_reference = ties
            .iter()
            .filter(|l| l.starts_with("  repository = aws_ecr_repository."))
            .count();
        let by_name = ties
            .iter()
            .filter(|l| l.starts_with("  repository = \""))
            .count();
        assert_eq!((by_reference, by_name, ties.len()), (92, 91, 183));
        let mut elsewhere = 0;
        for file in files {
            for part in &file.parts {
                let (Some(owner), Some(owner_file)) = (&part.counts_for, &part.counts_in) else {
                    continue;
                };
                let owner_file = corpus.file(Set::Terraform, owner_file).expect("a file");
                let owner = owner_file.part_named(owner).expect("a part of it");
                let lines: Vec<&str> = owner_file.text.lines().collect();
                let body = lines[owner.lines.0 as usize - 1..owner.lines.1 as usize].join("\n");
                let used = part.name.replace("locals.", "local.");
                assert!(
                    body.contains(&used),
                    "{}: {} uses {used}",
                    file.path,
                    owner.name
                );
                elsewhere += 1;
            }
        }
        assert_eq!(elsewhere, 110);
    }
}
