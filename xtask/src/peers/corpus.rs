//! The benchmark corpus: templates and policies generated from a fixed seed, each with the
//! answers a correct linter gives — which resources and statements are public, which
//! repositories have mutable tags — so every tool's findings can be counted right or wrong.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use super::emit::{self, if_, list, lit, map, mark, quoted, reference, s, Doc, Quote};
use super::terraform;

/// The checks the tools are asked to make; each tool is scored on the ones it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// A repository policy statement that lets everyone in (ecrlint ECR101, checkov CKV_AWS_32).
    Public,
    /// A repository whose image tags can be overwritten (ecrlint ECR201, checkov CKV_AWS_51).
    Mutable,
    /// A repository whose images are not scanned on push or continuously (ecrlint ECR202,
    /// checkov CKV_AWS_163).
    Scanning,
    /// A repository not encrypted with a customer-managed KMS key (ecrlint ECR301, checkov
    /// CKV_AWS_136).
    Encryption,
}

impl Check {
    pub const ALL: [Check; 4] = [
        Check::Public,
        Check::Mutable,
        Check::Scanning,
        Check::Encryption,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Check::Public => "public-repository",
            Check::Mutable => "mutable-image-tags",
            Check::Scanning => "image-scanning-disabled",
            Check::Encryption => "encryption-not-cmk",
        }
    }
}

/// What a correct linter says about one part for one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub check: Check,
    pub flagged: bool,
    /// The spelling under test, as the results tables name it.
    pub case: &'static str,
}

/// A resource, a parameter or a policy statement, with the lines it covers.
#[derive(Clone, Debug)]
pub struct Part {
    /// The logical id, `Parameters/Name`, or `Statement[i]`.
    pub name: String,
    /// 1-based, inclusive.
    pub lines: (u32, u32),
    pub answers: Vec<Answer>,
    /// A parameter whose findings are about the resource that refers to it.
    pub counts_for: Option<String>,
    /// The file that resource is in, when it is another file of the same module (a Terraform
    /// variable in `variables.tf` used in `main.tf`).
    pub counts_in: Option<String>,
}

#[derive(Clone, Debug)]
pub struct File {
    /// Relative to the corpus folder, with `/`.
    pub path: String,
    pub text: String,
    pub parts: Vec<Part>,
}

impl File {
    pub fn part_named(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }

    pub fn part_at_line(&self, line: u32) -> Option<&Part> {
        self.parts
            .iter()
            .find(|p| p.lines.0 <= line && line <= p.lines.1)
    }
}

/// The inputs the tools are timed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Set {
    Small,
    Large,
    Policies,
    Terraform,
    TerraformLarge,
}

impl Set {
    pub const ALL: [Set; 5] = [
        Set::Small,
        Set::Large,
        Set::Policies,
        Set::Terraform,
        Set::TerraformLarge,
    ];

    /// The folder under the corpus root.
    pub fn dir(self) -> &'static str {
        match self {
            Set::Small => "small",
            Set::Large => "large",
            Set::Policies => "policies",
            Set::Terraform => "terraform",
            Set::TerraformLarge => "terraform-large",
        }
    }

    /// The Terraform inputs: the modules, and the one large file.
    pub fn is_terraform(self) -> bool {
        matches!(self, Set::Terraform | Set::TerraformLarge)
    }
}

/// How much to generate.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub small_templates: usize,
    pub large_repositories: usize,
    pub policies: usize,
    pub terraform_modules: usize,
    /// How many modules' worth of blocks the one large Terraform file holds.
    pub terraform_large_modules: usize,
}

impl Size {
    /// The corpus of the published figures: 1,000 small templates, one ~3 MB template, 1,000
    /// policies, 1,000 Terraform modules, one ~3 MB Terraform file.
    pub const FULL: Size = Size {
        small_templates: 1000,
        large_repositories: 2350,
        policies: 1000,
        terraform_modules: 1000,
        terraform_large_modules: 1500,
    };
    /// A tenth of it, for trying the benchmark out.
    pub const QUICK: Size = Size {
        small_templates: 100,
        large_repositories: 235,
        policies: 100,
        terraform_modules: 100,
        terraform_large_modules: 150,
    };
}

pub struct Corpus {
    pub sets: BTreeMap<Set, Vec<File>>,
}

impl Corpus {
    pub fn files(&self, set: Set) -> &[File] {
        self.sets.get(&set).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn file(&self, set: Set, path: &str) -> Option<&File> {
        self.files(set).iter().find(|f| f.path == path)
    }

    pub fn answers(&self, set: Set) -> impl Iterator<Item = (&File, &Part, &Answer)> {
        self.files(set).iter().flat_map(|file| {
            file.parts
                .iter()
                .flat_map(move |part| part.answers.iter().map(move |a| (file, part, a)))
        })
    }

    /// Writes the files under `dir` (emptied first) and the answer key as `answers.tsv`.
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        if dir.exists() {
            fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut key = String::from("set\tfile\tpart\tlines\tcheck\tflagged\tcase\n");
        for (set, files) in &self.sets {
            for file in files {
                let path = dir.join(set.dir()).join(&file.path);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
                }
                fs::write(&path, &file.text).map_err(|e| format!("{}: {e}", path.display()))?;
                for part in &file.parts {
                    for answer in &part.answers {
                        let _ = writeln!(
                            key,
                            "{}\t{}\t{}\t{}-{}\t{}\t{}\t{}",
                            set.dir(),
                            file.path,
                            part.name,
                            part.lines.0,
                            part.lines.1,
                            answer.check.name(),
                            answer.flagged,
                            answer.case
                        );
                    }
                }
            }
        }
        fs::write(dir.join("answers.tsv"), key).map_err(|e| e.to_string())
    }
}

pub fn generate(size: Size) -> Corpus {
    let mut sets = BTreeMap::new();
    let mut rng = Rng(0x0ec2_1127);
    sets.insert(
        Set::Small,
        (0..size.small_templates)
            .map(|i| small_template(&mut rng, i))
            .collect(),
    );
    let mut rng = Rng(0x3_0000_0000);
    sets.insert(
        Set::Large,
        vec![large_template(&mut rng, size.large_repositories)],
    );
    let mut rng = Rng(0x901_1c1e5);
    sets.insert(
        Set::Policies,
        (0..size.policies)
            .map(|i| policy_file(&mut rng, i))
            .collect(),
    );
    let mut rng = Rng(0x7e44_af04);
    sets.insert(
        Set::Terraform,
        (0..size.terraform_modules)
            .flat_map(|i| terraform::module(&mut rng, i))
            .collect(),
    );
    let mut rng = Rng(0x7e44_1a26);
    sets.insert(
        Set::TerraformLarge,
        vec![terraform::large_file(
            &mut rng,
            size.terraform_large_modules,
        )],
    );
    Corpus { sets }
}

/// splitmix64: small, fast, and the same everywhere.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

// ---------------------------------------------------------------------------------------------
// Statements

pub(super) const OWN_ACCOUNT: &str = "111122223333";
pub(super) const PARTNER_ACCOUNT: &str = "444455556666";
const ORG_ID: &str = "o-a1b2c3d4e5";

/// One policy statement as written, and whether it lets everyone in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StatementCase {
    PrincipalStar,
    AwsStar,
    AwsListWithStar,
    AccountWildcardArn,
    OrgIdEquals,
    PrincipalAccountEquals,
    ForAllValuesOrgId,
    IfExistsOrgId,
    OrgIdLikeWildcard,
    SecureTransportOnly,
    SourceIpEverywhere,
    DenyStar,
    ServicePrincipal,
    AccountRoot,
    NotPrincipal,
}

impl StatementCase {
    pub(super) const ALL: [StatementCase; 15] = [
        StatementCase::PrincipalStar,
        StatementCase::AwsStar,
        StatementCase::AwsListWithStar,
        StatementCase::AccountWildcardArn,
        StatementCase::OrgIdEquals,
        StatementCase::PrincipalAccountEquals,
        StatementCase::ForAllValuesOrgId,
        StatementCase::IfExistsOrgId,
        StatementCase::OrgIdLikeWildcard,
        StatementCase::SecureTransportOnly,
        StatementCase::SourceIpEverywhere,
        StatementCase::DenyStar,
        StatementCase::ServicePrincipal,
        StatementCase::AccountRoot,
        StatementCase::NotPrincipal,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            StatementCase::PrincipalStar => "Principal \"*\"",
            StatementCase::AwsStar => "Principal {AWS: \"*\"}",
            StatementCase::AwsListWithStar => "AWS list holding \"*\"",
            StatementCase::AccountWildcardArn => "AWS arn:aws:iam::*:root",
            StatementCase::OrgIdEquals => "\"*\" + StringEquals aws:PrincipalOrgID",
            StatementCase::PrincipalAccountEquals => "\"*\" + StringEquals aws:PrincipalAccount",
            StatementCase::ForAllValuesOrgId => {
                "\"*\" + ForAllValues:StringEquals aws:PrincipalOrgID"
            }
            StatementCase::IfExistsOrgId => "\"*\" + StringEqualsIfExists aws:PrincipalOrgID",
            StatementCase::OrgIdLikeWildcard => "\"*\" + StringLike aws:PrincipalOrgID \"o-*\"",
            StatementCase::SecureTransportOnly => "\"*\" + Bool aws:SecureTransport only",
            StatementCase::SourceIpEverywhere => "\"*\" + IpAddress aws:SourceIp 0.0.0.0/0",
            StatementCase::DenyStar => "Deny \"*\"",
            StatementCase::ServicePrincipal => "Service principal",
            StatementCase::AccountRoot => "account root principal",
            StatementCase::NotPrincipal => "Allow with NotPrincipal",
        }
    }

    pub(super) fn public(self) -> bool {
        !matches!(
            self,
            StatementCase::OrgIdEquals
                | StatementCase::PrincipalAccountEquals
                | StatementCase::DenyStar
                | StatementCase::ServicePrincipal
                | StatementCase::AccountRoot
        )
    }

    pub(super) fn statement(self, rng: &mut Rng, sid: &str) -> Doc {
        let star = || quoted("*", Quote::Double);
        let star_any = |rng: &mut Rng| quoted("*", rng.pick(&[Quote::Double, Quote::Single]));
        let condition =
            |operator: &str, key: &str, value: Doc| map(vec![(operator, map(vec![(key, value)]))]);
        let (effect, principal_key, principal, condition) = match self {
            StatementCase::PrincipalStar => ("Allow", "Principal", star_any(rng), None),
            StatementCase::AwsStar => (
                "Allow",
                "Principal",
                map(vec![("AWS", star_any(rng))]),
                None,
            ),
            StatementCase::AwsListWithStar => (
                "Allow",
                "Principal",
                map(vec![(
                    "AWS",
                    list(vec![s(&account_root(PARTNER_ACCOUNT)), star()]),
                )]),
                None,
            ),
            StatementCase::AccountWildcardArn => (
                "Allow",
                "Principal",
                map(vec![("AWS", s("arn:aws:iam::*:root"))]),
                None,
            ),
            StatementCase::OrgIdEquals => (
                "Allow",
                "Principal",
                star(),
                Some(condition("StringEquals", "aws:PrincipalOrgID", s(ORG_ID))),
            ),
            StatementCase::PrincipalAccountEquals => (
                "Allow",
                "Principal",
                map(vec![("AWS", star())]),
                Some(condition(
                    "StringEquals",
                    "aws:PrincipalAccount",
                    list(vec![
                        quoted(OWN_ACCOUNT, Quote::Double),
                        quoted(PARTNER_ACCOUNT, Quote::Double),
                    ]),
                )),
            ),
            StatementCase::ForAllValuesOrgId => (
                "Allow",
                "Principal",
                star(),
                Some(condition(
                    "ForAllValues:StringEquals",
                    "aws:PrincipalOrgID",
                    list(vec![s(ORG_ID)]),
                )),
            ),
            StatementCase::IfExistsOrgId => (
                "Allow",
                "Principal",
                star(),
                Some(condition(
                    "StringEqualsIfExists",
                    "aws:PrincipalOrgID",
                    s(ORG_ID),
                )),
            ),
            StatementCase::OrgIdLikeWildcard => (
                "Allow",
                "Principal",
                star(),
                Some(condition(
                    "StringLike",
                    "aws:PrincipalOrgID",
                    quoted("o-*", Quote::Double),
                )),
            ),
            StatementCase::SecureTransportOnly => (
                "Allow",
                "Principal",
                star(),
                Some(condition(
                    "Bool",
                    "aws:SecureTransport",
                    quoted("true", Quote::Double),
                )),
            ),
            StatementCase::SourceIpEverywhere => (
                "Allow",
                "Principal",
                map(vec![("AWS", star())]),
                Some(condition(
                    "IpAddress",
                    "aws:SourceIp",
                    quoted("0.0.0.0/0", Quote::Double),
                )),
            ),
            StatementCase::DenyStar => ("Deny", "Principal", star_any(rng), None),
            StatementCase::ServicePrincipal => (
                "Allow",
                "Principal",
                map(vec![(
                    "Service",
                    s(rng.pick(&["codebuild.amazonaws.com", "lambda.amazonaws.com"])),
                )]),
                None,
            ),
            StatementCase::AccountRoot => (
                "Allow",
                "Principal",
                map(vec![(
                    "AWS",
                    s(&account_root(rng.pick(&[OWN_ACCOUNT, PARTNER_ACCOUNT]))),
                )]),
                None,
            ),
            StatementCase::NotPrincipal => (
                "Allow",
                "NotPrincipal",
                map(vec![("AWS", s(&account_root(PARTNER_ACCOUNT)))]),
                None,
            ),
        };
        statement(rng, sid, effect, principal_key, principal, condition)
    }
}

pub(super) fn account_root(account: &str) -> String {
    format!("arn:aws:iam::{account}:root")
}

fn statement(
    rng: &mut Rng,
    sid: &str,
    effect: &str,
    principal_key: &str,
    principal: Doc,
    condition: Option<Doc>,
) -> Doc {
    let actions = if rng.chance(70) {
        list(vec![
            s("ecr:BatchGetImage"),
            s("ecr:GetDownloadUrlForLayer"),
            s("ecr:BatchCheckLayerAvailability"),
        ])
    } else {
        list(vec![
            s("ecr:PutImage"),
            s("ecr:InitiateLayerUpload"),
            s("ecr:UploadLayerPart"),
            s("ecr:CompleteLayerUpload"),
        ])
    };
    let mut entries = vec![
        ("Sid", s(sid)),
        ("Effect", s(effect)),
        (principal_key, principal),
        ("Action", actions),
    ];
    if let Some(condition) = condition {
        entries.push(("Condition", condition));
    }
    map(entries)
}

pub(super) fn policy(statements: Doc) -> Doc {
    map(vec![
        ("Version", quoted("2012-10-17", Quote::Double)),
        ("Statement", statements),
    ])
}

// ---------------------------------------------------------------------------------------------
// Repositories in templates

/// The repository policy of a template's repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PolicyCase {
    None,
    One(StatementCase),
    SingleStatementObject,
    DenyStarThenAccount,
    AccountThenStar,
    RefDefaultStar,
    RefDefaultAccount,
    IfOneBranchStar,
    IfNoBranchStar,
    JsonTextStar,
    JsonTextAccount,
}

impl PolicyCase {
    fn all() -> Vec<PolicyCase> {
        let mut all = vec![
            PolicyCase::None,
            PolicyCase::SingleStatementObject,
            PolicyCase::DenyStarThenAccount,
            PolicyCase::AccountThenStar,
            PolicyCase::RefDefaultStar,
            PolicyCase::RefDefaultAccount,
            PolicyCase::IfOneBranchStar,
            PolicyCase::IfNoBranchStar,
            PolicyCase::JsonTextStar,
            PolicyCase::JsonTextAccount,
        ];
        all.extend(StatementCase::ALL.map(PolicyCase::One));
        all
    }

    fn name(self) -> &'static str {
        match self {
            PolicyCase::None => "no repository policy",
            PolicyCase::One(case) => case.name(),
            PolicyCase::SingleStatementObject => "Statement as one object, Principal \"*\"",
            PolicyCase::DenyStarThenAccount => "Deny \"*\" + Allow account",
            PolicyCase::AccountThenStar => "Allow account + Allow \"*\"",
            PolicyCase::RefDefaultStar => "AWS !Ref parameter, Default \"*\"",
            PolicyCase::RefDefaultAccount => "AWS !Ref parameter, Default account ARN",
            PolicyCase::IfOneBranchStar => "AWS !If, one branch \"*\"",
            PolicyCase::IfNoBranchStar => "AWS !If, both branches accounts",
            PolicyCase::JsonTextStar => "policy as JSON text, Principal \"*\"",
            PolicyCase::JsonTextAccount => "policy as JSON text, account principal",
        }
    }

    fn public(self) -> bool {
        match self {
            PolicyCase::None
            | PolicyCase::DenyStarThenAccount
            | PolicyCase::RefDefaultAccount
            | PolicyCase::IfNoBranchStar
            | PolicyCase::JsonTextAccount => false,
            PolicyCase::One(case) => case.public(),
            PolicyCase::SingleStatementObject
            | PolicyCase::AccountThenStar
            | PolicyCase::RefDefaultStar
            | PolicyCase::IfOneBranchStar
            | PolicyCase::JsonTextStar => true,
        }
    }

    fn document(self, rng: &mut Rng, template: &mut TemplateBuilder, id: &str) -> Option<Doc> {
        let allow = |rng: &mut Rng, principal: Doc| {
            statement(rng, "Pull", "Allow", "Principal", principal, None)
        };
        let doc = match self {
            PolicyCase::None => return None,
            PolicyCase::One(case) => policy(list(vec![case.statement(rng, "Access")])),
            PolicyCase::SingleStatementObject => {
                policy(StatementCase::PrincipalStar.statement(rng, "Everyone"))
            }
            PolicyCase::DenyStarThenAccount => policy(list(vec![
                StatementCase::DenyStar.statement(rng, "DenyEveryone"),
                StatementCase::AccountRoot.statement(rng, "AllowAccount"),
            ])),
            PolicyCase::AccountThenStar => policy(list(vec![
                StatementCase::AccountRoot.statement(rng, "AllowAccount"),
                StatementCase::AwsStar.statement(rng, "AllowEveryone"),
            ])),
            PolicyCase::RefDefaultStar | PolicyCase::RefDefaultAccount => {
                let name = format!("{id}PullPrincipal");
                let default = if self == PolicyCase::RefDefaultStar {
                    quoted("*", Quote::Double)
                } else {
                    s(&account_root(PARTNER_ACCOUNT))
                };
                template.parameter(
                    &name,
                    map(vec![("Type", s("String")), ("Default", default)]),
                    Some(id),
                );
                policy(list(vec![allow(rng, map(vec![("AWS", reference(&name))]))]))
            }
            PolicyCase::IfOneBranchStar | PolicyCase::IfNoBranchStar => {
                template.needs_environment = true;
                let other = if self == PolicyCase::IfOneBranchStar {
                    quoted("*", Quote::Double)
                } else {
                    s(&account_root(PARTNER_ACCOUNT))
                };
                policy(list(vec![allow(
                    rng,
                    map(vec![(
                        "AWS",
                        if_(CONDITION, s(&account_root(OWN_ACCOUNT)), other),
                    )]),
                )]))
            }
            PolicyCase::JsonTextStar => Doc::JsonText(Box::new(policy(list(vec![
                StatementCase::PrincipalStar.statement(rng, "Everyone"),
            ])))),
            PolicyCase::JsonTextAccount => Doc::JsonText(Box::new(policy(list(vec![
                StatementCase::AccountRoot.statement(rng, "Account"),
            ])))),
        };
        Some(doc)
    }
}

/// How a template's repository sets its tag mutability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MutabilityCase {
    Missing,
    NoProperties,
    Mutable,
    MutableQuoted,
    Immutable,
    RefDefaultMutable,
    RefDefaultImmutable,
    IfOneBranchMutable,
    IfNoBranchMutable,
    MutableWithExclusion,
    ImmutableWithExclusion,
    ImmutableWithWildcardExclusion,
}

impl MutabilityCase {
    const ALL: [MutabilityCase; 12] = [
        MutabilityCase::Missing,
        MutabilityCase::NoProperties,
        MutabilityCase::Mutable,
        MutabilityCase::MutableQuoted,
        MutabilityCase::Immutable,
        MutabilityCase::RefDefaultMutable,
        MutabilityCase::RefDefaultImmutable,
        MutabilityCase::IfOneBranchMutable,
        MutabilityCase::IfNoBranchMutable,
        MutabilityCase::MutableWithExclusion,
        MutabilityCase::ImmutableWithExclusion,
        MutabilityCase::ImmutableWithWildcardExclusion,
    ];

    fn name(self) -> &'static str {
        match self {
            MutabilityCase::Missing => "ImageTagMutability missing",
            MutabilityCase::NoProperties => "no Properties at all",
            MutabilityCase::Mutable => "MUTABLE",
            MutabilityCase::MutableQuoted => "\"MUTABLE\" quoted",
            MutabilityCase::Immutable => "IMMUTABLE",
            MutabilityCase::RefDefaultMutable => "!Ref parameter, Default MUTABLE",
            MutabilityCase::RefDefaultImmutable => "!Ref parameter, Default IMMUTABLE",
            MutabilityCase::IfOneBranchMutable => "!If, one branch MUTABLE",
            MutabilityCase::IfNoBranchMutable => "!If, IMMUTABLE or IMMUTABLE_WITH_EXCLUSION",
            MutabilityCase::MutableWithExclusion => "MUTABLE_WITH_EXCLUSION",
            MutabilityCase::ImmutableWithExclusion => {
                "IMMUTABLE_WITH_EXCLUSION, filter \"release-*\""
            }
            MutabilityCase::ImmutableWithWildcardExclusion => {
                "IMMUTABLE_WITH_EXCLUSION, filter \"*\""
            }
        }
    }

    fn mutable(self) -> bool {
        !matches!(
            self,
            MutabilityCase::Immutable
                | MutabilityCase::RefDefaultImmutable
                | MutabilityCase::IfNoBranchMutable
                | MutabilityCase::ImmutableWithExclusion
        )
    }

    /// The `ImageTagMutability` value and exclusion filters, if any.
    fn properties(
        self,
        rng: &mut Rng,
        template: &mut TemplateBuilder,
        id: &str,
    ) -> Vec<(&'static str, Doc)> {
        let filters = |value: &str| {
            list(vec![map(vec![
                ("ImageTagMutabilityExclusionFilterType", s("WILDCARD")),
                (
                    "ImageTagMutabilityExclusionFilterValue",
                    quoted(value, Quote::Double),
                ),
            ])])
        };
        let value = match self {
            MutabilityCase::Missing | MutabilityCase::NoProperties => return Vec::new(),
            MutabilityCase::Mutable => s("MUTABLE"),
            MutabilityCase::MutableQuoted => {
                quoted("MUTABLE", rng.pick(&[Quote::Double, Quote::Single]))
            }
            MutabilityCase::Immutable => s("IMMUTABLE"),
            MutabilityCase::RefDefaultMutable | MutabilityCase::RefDefaultImmutable => {
                let name = format!("{id}TagMutability");
                let default = if self == MutabilityCase::RefDefaultMutable {
                    "MUTABLE"
                } else {
                    "IMMUTABLE"
                };
                template.parameter(
                    &name,
                    map(vec![
                        ("Type", s("String")),
                        ("Default", s(default)),
                        ("AllowedValues", list(vec![s("MUTABLE"), s("IMMUTABLE")])),
                    ]),
                    Some(id),
                );
                reference(&name)
            }
            MutabilityCase::IfOneBranchMutable => {
                template.needs_environment = true;
                if_(CONDITION, s("IMMUTABLE"), s("MUTABLE"))
            }
            MutabilityCase::IfNoBranchMutable => {
                template.needs_environment = true;
                return vec![
                    (
                        "ImageTagMutability",
                        if_(CONDITION, s("IMMUTABLE"), s("IMMUTABLE_WITH_EXCLUSION")),
                    ),
                    ("ImageTagMutabilityExclusionFilters", filters("latest")),
                ];
            }
            MutabilityCase::MutableWithExclusion => {
                return vec![
                    ("ImageTagMutability", s("MUTABLE_WITH_EXCLUSION")),
                    ("ImageTagMutabilityExclusionFilters", filters("release-*")),
                ]
            }
            MutabilityCase::ImmutableWithExclusion => {
                return vec![
                    ("ImageTagMutability", s("IMMUTABLE_WITH_EXCLUSION")),
                    ("ImageTagMutabilityExclusionFilters", filters("release-*")),
                ]
            }
            MutabilityCase::ImmutableWithWildcardExclusion => {
                return vec![
                    ("ImageTagMutability", s("IMMUTABLE_WITH_EXCLUSION")),
                    ("ImageTagMutabilityExclusionFilters", filters("*")),
                ]
            }
        };
        vec![("ImageTagMutability", value)]
    }
}

// ---------------------------------------------------------------------------------------------
// Scanning and encryption, in both formats

/// Which spelling a case name is for: its setting names differ between the two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    CloudFormation,
    Terraform,
}

/// A repository's own scan-on-push setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ScanOnPush {
    True,
    False,
    Missing,
}

impl ScanOnPush {
    pub(super) const ALL: [ScanOnPush; 3] =
        [ScanOnPush::True, ScanOnPush::False, ScanOnPush::Missing];
}

/// A registry scanning configuration with rules: it decides for every repository of the source,
/// by AWS's filter semantics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RegistryScanning {
    pub enhanced: bool,
    /// `SCAN_ON_PUSH` or `CONTINUOUS_SCAN`, and the rule's filters.
    pub rules: Vec<(&'static str, Vec<&'static str>)>,
}

const FILTERS: &[&str] = &[
    "prod", "*prod", "prod*", "*-prod", "*prod*", "team-*", "staging",
];

impl RegistryScanning {
    pub(super) fn generate(rng: &mut Rng) -> RegistryScanning {
        let enhanced = rng.chance(50);
        let frequency = if enhanced {
            rng.pick(&["SCAN_ON_PUSH", "CONTINUOUS_SCAN"])
        } else {
            "SCAN_ON_PUSH"
        };
        let mut filters = vec![rng.pick(FILTERS)];
        if rng.chance(30) {
            let other = rng.pick(FILTERS);
            if !filters.contains(&other) {
                filters.push(other);
            }
        }
        RegistryScanning {
            enhanced,
            rules: vec![(frequency, filters)],
        }
    }

    /// Whether a repository of this name is scanned on push or continuously: under `ENHANCED`,
    /// when any rule matches it; under `BASIC`, when a `SCAN_ON_PUSH` rule does (else `MANUAL`).
    pub(super) fn scans(&self, name: &str) -> bool {
        self.rules.iter().any(|(frequency, filters)| {
            (self.enhanced || *frequency == "SCAN_ON_PUSH")
                && filters.iter().any(|f| filter_matches(f, name))
        })
    }

    pub(super) fn scan_type(&self) -> &'static str {
        if self.enhanced {
            "ENHANCED"
        } else {
            "BASIC"
        }
    }
}

/// AWS's filter semantics (ECR User Guide, "Filters to choose which repositories are scanned"):
/// without a wildcard, the name contains the filter; with `*`, the whole name matches, `*`
/// standing for zero or more characters.
pub(super) fn filter_matches(filter: &str, name: &str) -> bool {
    if !filter.contains('*') {
        return name.contains(filter);
    }
    let pieces: Vec<&str> = filter.split('*').collect();
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &name[first.len()..];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// A repository name for a source with a registry scanning configuration: some shapes the
/// filters above match, some they do not.
pub(super) fn scanned_repository_name(rng: &mut Rng, word: &str) -> String {
    let word = word.to_ascii_lowercase();
    let team = rng.below(40);
    match rng.below(6) {
        0 => format!("team-{team}/{word}-prod"),
        1 => format!("prod-{word}"),
        2 => format!("{word}-staging"),
        3 => format!("{word}prod"),
        4 => format!("team-{team}/{word}"),
        _ => format!("{word}-prod-{team}"),
    }
}

/// The answer for a repository's scanning, and the case it is counted under.
pub(super) fn scanning_answer(
    format: Format,
    own: ScanOnPush,
    registry: Option<&RegistryScanning>,
    name: &str,
) -> Answer {
    let (flagged, case) = match registry {
        None => (
            own != ScanOnPush::True,
            match (format, own) {
                (Format::CloudFormation, ScanOnPush::True) => "ScanOnPush true",
                (Format::CloudFormation, ScanOnPush::False) => "ScanOnPush false",
                (Format::CloudFormation, ScanOnPush::Missing) => {
                    "ImageScanningConfiguration missing"
                }
                (Format::Terraform, ScanOnPush::True) => "scan_on_push = true",
                (Format::Terraform, ScanOnPush::False) => "scan_on_push = false",
                (Format::Terraform, ScanOnPush::Missing) => "image_scanning_configuration missing",
            },
        ),
        Some(registry) => {
            let scanned = registry.scans(name);
            let own_on = own == ScanOnPush::True;
            (
                !scanned,
                match (registry.enhanced, scanned, own_on) {
                    (true, true, true) => "registry ENHANCED, a rule matches; own scan on push on",
                    (true, true, false) => {
                        "registry ENHANCED, a rule matches; own scan on push off"
                    }
                    (true, false, true) => {
                        "registry ENHANCED, no rule matches; own scan on push on"
                    }
                    (true, false, false) => {
                        "registry ENHANCED, no rule matches; own scan on push off"
                    }
                    (false, true, true) => "registry BASIC, a rule matches; own scan on push on",
                    (false, true, false) => "registry BASIC, a rule matches; own scan on push off",
                    (false, false, true) => "registry BASIC, no rule matches; own scan on push on",
                    (false, false, false) => {
                        "registry BASIC, no rule matches; own scan on push off"
                    }
                },
            )
        }
    };
    Answer {
        check: Check::Scanning,
        flagged,
        case,
    }
}

/// How a repository's encryption is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EncryptionCase {
    Missing,
    Aes256,
    KmsWithoutKey,
    KmsAwsManaged,
    KmsCustomerKey,
    KmsDsseCustomerKey,
}

impl EncryptionCase {
    pub(super) const ALL: [EncryptionCase; 6] = [
        EncryptionCase::Missing,
        EncryptionCase::Aes256,
        EncryptionCase::KmsWithoutKey,
        EncryptionCase::KmsAwsManaged,
        EncryptionCase::KmsCustomerKey,
        EncryptionCase::KmsDsseCustomerKey,
    ];

    /// Not a customer-managed key: AES256, or KMS with AWS's own `aws/ecr` key.
    pub(super) fn flagged(self) -> bool {
        !matches!(
            self,
            EncryptionCase::KmsCustomerKey | EncryptionCase::KmsDsseCustomerKey
        )
    }

    pub(super) fn name(self, format: Format) -> &'static str {
        match (format, self) {
            (Format::CloudFormation, EncryptionCase::Missing) => "EncryptionConfiguration missing",
            (Format::Terraform, EncryptionCase::Missing) => "encryption_configuration missing",
            (_, EncryptionCase::Aes256) => "AES256",
            (Format::CloudFormation, EncryptionCase::KmsWithoutKey) => "KMS without KmsKey",
            (Format::Terraform, EncryptionCase::KmsWithoutKey) => "KMS without kms_key",
            (_, EncryptionCase::KmsAwsManaged) => "KMS, key alias/aws/ecr",
            (_, EncryptionCase::KmsCustomerKey) => "KMS, customer-managed key",
            (_, EncryptionCase::KmsDsseCustomerKey) => "KMS_DSSE, customer-managed key",
        }
    }

    /// The encryption type and key, if any (`None` for both when nothing is written).
    pub(super) fn setting(self, rng: &mut Rng) -> Option<(&'static str, Option<String>)> {
        let customer_key = |rng: &mut Rng| {
            if rng.chance(50) {
                format!(
                    "arn:aws:kms:us-east-1:{OWN_ACCOUNT}:key/{:08x}-1111-2222-3333-{:012x}",
                    rng.next() as u32,
                    rng.next() & 0xffff_ffff_ffff
                )
            } else {
                "alias/ecr-images".to_string()
            }
        };
        match self {
            EncryptionCase::Missing => None,
            EncryptionCase::Aes256 => Some(("AES256", None)),
            EncryptionCase::KmsWithoutKey => Some(("KMS", None)),
            EncryptionCase::KmsAwsManaged => Some(("KMS", Some("alias/aws/ecr".into()))),
            EncryptionCase::KmsCustomerKey => Some(("KMS", Some(customer_key(rng)))),
            EncryptionCase::KmsDsseCustomerKey => Some(("KMS_DSSE", Some(customer_key(rng)))),
        }
    }

    pub(super) fn answer(self, format: Format) -> Answer {
        Answer {
            check: Check::Encryption,
            flagged: self.flagged(),
            case: self.name(format),
        }
    }
}

const CONDITION: &str = "IsProduction";
const ENVIRONMENT: &str = "Environment";

/// A template being put together: parameters and resources, each a marked part.
#[derive(Default)]
struct TemplateBuilder {
    parameters: Vec<(String, Doc, Option<String>)>,
    needs_environment: bool,
    resources: Vec<(String, Doc, Vec<Answer>)>,
    /// The template's registry scanning configuration, when it has one.
    registry: Option<RegistryScanning>,
}

impl TemplateBuilder {
    fn parameter(&mut self, name: &str, doc: Doc, counts_for: Option<&str>) {
        self.parameters
            .push((name.to_string(), doc, counts_for.map(str::to_string)));
    }

    fn repository(&mut self, rng: &mut Rng, id: &str, bulky: bool) {
        // A registry scanning configuration matches repositories by name: they all have one.
        let mutability_case = loop {
            let case = rng.pick(&MutabilityCase::ALL);
            if self.registry.is_none() || case != MutabilityCase::NoProperties {
                break case;
            }
        };
        // With no Properties there is no policy, scanning or encryption either.
        let (policy_case, scanning, encryption) = match mutability_case {
            MutabilityCase::NoProperties => (
                PolicyCase::None,
                ScanOnPush::Missing,
                EncryptionCase::Missing,
            ),
            _ => (
                rng.pick(&PolicyCase::all()),
                rng.pick(&ScanOnPush::ALL),
                rng.pick(&EncryptionCase::ALL),
            ),
        };
        let name = match &self.registry {
            Some(_) => scanned_repository_name(rng, id),
            None => format!("team-{}/{}", rng.below(40), id.to_ascii_lowercase()),
        };
        let answers = vec![
            Answer {
                check: Check::Public,
                flagged: policy_case.public(),
                case: policy_case.name(),
            },
            Answer {
                check: Check::Mutable,
                flagged: mutability_case.mutable(),
                case: mutability_case.name(),
            },
            scanning_answer(
                Format::CloudFormation,
                scanning,
                self.registry.as_ref(),
                &name,
            ),
            encryption.answer(Format::CloudFormation),
        ];
        let mut resource = vec![("Type", s("AWS::ECR::Repository"))];
        if mutability_case != MutabilityCase::NoProperties {
            let mut properties = vec![("RepositoryName", s(&name))];
            properties.extend(mutability_case.properties(rng, self, id));
            match scanning {
                ScanOnPush::True => properties.push((
                    "ImageScanningConfiguration",
                    map(vec![("ScanOnPush", lit("true"))]),
                )),
                ScanOnPush::False => properties.push((
                    "ImageScanningConfiguration",
                    map(vec![("ScanOnPush", lit("false"))]),
                )),
                ScanOnPush::Missing => {}
            }
            if let Some((kind, key)) = encryption.setting(rng) {
                let mut entries = vec![("EncryptionType", s(kind))];
                if let Some(key) = key {
                    entries.push(("KmsKey", s(&key)));
                }
                properties.push(("EncryptionConfiguration", map(entries)));
            }
            if bulky || rng.chance(30) {
                properties.push((
                    "LifecyclePolicy",
                    map(vec![(
                        "LifecyclePolicyText",
                        Doc::JsonText(Box::new(lifecycle_policy(rng))),
                    )]),
                ));
            }
            if let Some(document) = policy_case.document(rng, self, id) {
                properties.push(("RepositoryPolicyText", document));
            }
            if bulky || rng.chance(40) {
                properties.push(("Tags", tags(rng)));
            }
            resource.push(("Properties", map(properties)));
        }
        self.resources
            .push((id.to_string(), map(resource), answers));
    }

    /// The registry's scanning configuration: it decides for every repository of the template.
    fn registry_scanning(&mut self, registry: &RegistryScanning) {
        let rules = registry
            .rules
            .iter()
            .map(|(frequency, filters)| {
                map(vec![
                    ("ScanFrequency", s(frequency)),
                    (
                        "RepositoryFilters",
                        list(
                            filters
                                .iter()
                                .map(|f| {
                                    map(vec![
                                        ("Filter", quoted(f, Quote::Auto)),
                                        ("FilterType", s("WILDCARD")),
                                    ])
                                })
                                .collect(),
                        ),
                    ),
                ])
            })
            .collect();
        let doc = map(vec![
            ("Type", s("AWS::ECR::RegistryScanningConfiguration")),
            (
                "Properties",
                map(vec![
                    ("ScanType", s(registry.scan_type())),
                    ("Rules", list(rules)),
                ]),
            ),
        ]);
        self.resources
            .push(("RegistryScanning".into(), doc, Vec::new()));
    }

    /// Something else a template holds, that neither check is about.
    fn other_resource(&mut self, rng: &mut Rng, id: &str) {
        let doc = match rng.below(5) {
            0 => map(vec![
                ("Type", s("AWS::S3::Bucket")),
                (
                    "Properties",
                    map(vec![
                        (
                            "VersioningConfiguration",
                            map(vec![("Status", s("Enabled"))]),
                        ),
                        ("Tags", tags(rng)),
                    ]),
                ),
            ]),
            // A public bucket policy: public, but not a repository's.
            1 => map(vec![
                ("Type", s("AWS::S3::BucketPolicy")),
                (
                    "Properties",
                    map(vec![
                        ("Bucket", s(&format!("{}-assets", id.to_ascii_lowercase()))),
                        (
                            "PolicyDocument",
                            policy(list(vec![map(vec![
                                ("Effect", s("Allow")),
                                ("Principal", quoted("*", Quote::Double)),
                                ("Action", s("s3:GetObject")),
                                (
                                    "Resource",
                                    s(&format!(
                                        "arn:aws:s3:::{}-assets/*",
                                        id.to_ascii_lowercase()
                                    )),
                                ),
                            ])])),
                        ),
                    ]),
                ),
            ]),
            // Public by design, and not mutable-tag territory.
            2 => map(vec![
                ("Type", s("AWS::ECR::PublicRepository")),
                (
                    "Properties",
                    map(vec![
                        ("RepositoryName", s(&id.to_ascii_lowercase())),
                        (
                            "RepositoryCatalogData",
                            map(vec![("AboutText", s("Community images"))]),
                        ),
                    ]),
                ),
            ]),
            3 => map(vec![
                ("Type", s("AWS::IAM::Role")),
                (
                    "Properties",
                    map(vec![(
                        "AssumeRolePolicyDocument",
                        policy(list(vec![map(vec![
                            ("Effect", s("Allow")),
                            (
                                "Principal",
                                map(vec![("Service", s("lambda.amazonaws.com"))]),
                            ),
                            ("Action", s("sts:AssumeRole")),
                        ])])),
                    )]),
                ),
            ]),
            _ => map(vec![
                ("Type", s("AWS::SNS::Topic")),
                (
                    "Properties",
                    map(vec![("DisplayName", s(&format!("{id} notifications")))]),
                ),
            ]),
        };
        self.resources.push((id.to_string(), doc, Vec::new()));
    }

    fn build(mut self, path: String, json: bool) -> File {
        let mut parts = Vec::new();
        let mut top = vec![
            (
                "AWSTemplateFormatVersion",
                quoted("2010-09-09", Quote::Double),
            ),
            ("Description", s("Container repositories")),
        ];
        if self.needs_environment {
            self.parameters.insert(
                0,
                (
                    ENVIRONMENT.into(),
                    map(vec![
                        ("Type", s("String")),
                        ("Default", s("staging")),
                        ("AllowedValues", list(vec![s("staging"), s("production")])),
                    ]),
                    None,
                ),
            );
        }
        if !self.parameters.is_empty() {
            let mut entries = Vec::new();
            for (name, doc, counts_for) in self.parameters {
                entries.push((name.clone(), mark(parts.len(), doc)));
                parts.push(Part {
                    name: format!("Parameters/{name}"),
                    lines: (0, 0),
                    answers: Vec::new(),
                    counts_for,
                    counts_in: None,
                });
            }
            top.push(("Parameters", Doc::Map(entries)));
        }
        if self.needs_environment {
            top.push((
                "Conditions",
                map(vec![(
                    CONDITION,
                    Doc::Fn(
                        "Fn::Equals",
                        Box::new(list(vec![reference(ENVIRONMENT), s("production")])),
                    ),
                )]),
            ));
        }
        let mut resources = Vec::new();
        for (name, doc, answers) in self.resources {
            resources.push((name.clone(), mark(parts.len(), doc)));
            parts.push(Part {
                name,
                lines: (0, 0),
                answers,
                counts_for: None,
                counts_in: None,
            });
        }
        top.push(("Resources", Doc::Map(resources)));
        let doc = map(top);
        finish(
            path,
            if json {
                emit::json(&doc)
            } else {
                emit::yaml(&doc)
            },
            parts,
        )
    }
}

fn finish(path: String, written: emit::Written, mut parts: Vec<Part>) -> File {
    for (index, start, end) in written.marks {
        parts[index].lines = (start, end);
    }
    File {
        path,
        text: written.text,
        parts,
    }
}

fn lifecycle_policy(rng: &mut Rng) -> Doc {
    map(vec![(
        "rules",
        list(vec![map(vec![
            ("rulePriority", lit("1")),
            ("description", s("Expire untagged images")),
            (
                "selection",
                map(vec![
                    ("tagStatus", s("untagged")),
                    ("countType", s("sinceImagePushed")),
                    ("countUnit", s("days")),
                    ("countNumber", lit(&(7 + rng.below(60)).to_string())),
                ]),
            ),
            ("action", map(vec![("type", s("expire"))])),
        ])]),
    )])
}

fn tags(rng: &mut Rng) -> Doc {
    let team = rng.pick(&["payments", "search", "platform", "data", "identity"]);
    list(vec![
        map(vec![("Key", s("team")), ("Value", s(team))]),
        map(vec![
            ("Key", s("cost-center")),
            (
                "Value",
                quoted(&format!("cc-{}", 1000 + rng.below(9000)), Quote::Auto),
            ),
        ]),
    ])
}

pub(super) const WORDS: &[&str] = &[
    "Api", "Web", "Worker", "Billing", "Search", "Auth", "Ingest", "Report", "Batch", "Gateway",
];

fn small_template(rng: &mut Rng, index: usize) -> File {
    let json = rng.chance(50);
    let mut template = TemplateBuilder::default();
    if rng.chance(35) {
        template.registry = Some(RegistryScanning::generate(rng));
    }
    let repositories = 1 + rng.below(3);
    let others = rng.below(4);
    let mut ids = Vec::new();
    for i in 0..repositories {
        ids.push((format!("{}Repository{}", rng.pick(WORDS), i + 1), true));
    }
    for i in 0..others {
        ids.push((format!("Support{}", i + 1), false));
    }
    // Interleave so repositories are not always first.
    let shift = rng.below(ids.len());
    ids.rotate_left(shift);
    for (id, is_repository) in ids {
        if is_repository {
            template.repository(rng, &id, false);
        } else {
            template.other_resource(rng, &id);
        }
    }
    if let Some(registry) = template.registry.clone() {
        template.registry_scanning(&registry);
    }
    let extension = if json { "json" } else { "yaml" };
    template.build(format!("template-{index:04}.{extension}"), json)
}

fn large_template(rng: &mut Rng, repositories: usize) -> File {
    let mut template = TemplateBuilder::default();
    for i in 0..repositories {
        let id = format!("{}Repository{}", rng.pick(WORDS), i + 1);
        template.repository(rng, &id, true);
        if i % 3 == 2 {
            template.other_resource(rng, &format!("Support{}", i / 3 + 1));
        }
    }
    template.build("large.yaml".into(), false)
}

fn policy_file(rng: &mut Rng, index: usize) -> File {
    let count = 1 + rng.below(4);
    let mut parts = Vec::new();
    let mut statements = Vec::new();
    for i in 0..count {
        let case = rng.pick(&StatementCase::ALL);
        statements.push(mark(i, case.statement(rng, &format!("Statement{}", i + 1))));
        parts.push(Part {
            name: format!("Statement[{i}]"),
            lines: (0, 0),
            answers: vec![Answer {
                check: Check::Public,
                flagged: case.public(),
                case: case.name(),
            }],
            counts_for: None,
            counts_in: None,
        });
    }
    // A lone statement is sometimes written as an object rather than a list of one.
    let statements = if count == 1 && rng.chance(30) {
        statements.pop().expect("one statement")
    } else {
        list(statements)
    };
    finish(
        format!("policy-{index:04}.json"),
        emit::json(&policy(statements)),
        parts,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_corpus() {
        let a = generate(Size::QUICK);
        let b = generate(Size::QUICK);
        for set in Set::ALL {
            let texts = |c: &Corpus| {
                c.files(set)
                    .iter()
                    .map(|f| f.text.clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(texts(&a), texts(&b));
        }
    }

    #[test]
    fn sizes() {
        let corpus = generate(Size::FULL);
        assert_eq!(corpus.files(Set::Small).len(), 1000);
        assert_eq!(corpus.files(Set::Policies).len(), 1000);
        let large = &corpus.files(Set::Large)[0];
        assert!(
            (2_800_000..3_300_000).contains(&large.text.len()),
            "the large template is {} bytes",
            large.text.len()
        );
        let json = corpus
            .files(Set::Small)
            .iter()
            .filter(|f| f.path.ends_with(".json"))
            .count();
        assert!(
            (400..600).contains(&json),
            "{json} of 1000 templates are JSON"
        );
    }

    /// Every part's first line names it, and its last line is where the next part begins, less one.
    #[test]
    fn parts_cover_their_own_lines() {
        let corpus = generate(Size::QUICK);
        for set in Set::ALL {
            for file in corpus.files(set) {
                let lines: Vec<&str> = file.text.lines().collect();
                for part in &file.parts {
                    let (start, end) = part.lines;
                    assert!(start >= 1 && start <= end, "{}: {part:?}", file.path);
                    let first = lines[start as usize - 1];
                    let key = part.name.rsplit('/').next().unwrap_or_default();
                    if set == Set::Policies {
                        assert!(
                            first.trim_start().starts_with('{')
                                || first.trim_start().starts_with("\"Statement\""),
                            "{}: {first}",
                            file.path
                        );
                    } else if set.is_terraform() {
                        let head = terraform::block_head(&part.name);
                        assert!(
                            first.starts_with(&head),
                            "{}: part {} starts at `{first}`",
                            file.path,
                            part.name
                        );
                    } else {
                        assert!(
                            first.trim_start().starts_with(key)
                                || first.trim_start().starts_with(&format!("\"{key}\"")),
                            "{}: part {} starts at `{first}`",
                            file.path,
                            part.name
                        );
                    }
                }
                let mut ranges: Vec<(u32, u32)> = file.parts.iter().map(|p| p.lines).collect();
                ranges.sort();
                for pair in ranges.windows(2) {
                    assert!(pair[0].1 < pair[1].0, "{}: overlapping parts", file.path);
                }
            }
        }
    }

    /// Every case appears, flagged and clean ones both, and the flags agree with the case lists.
    #[test]
    fn every_case_is_in_the_corpus() {
        let corpus = generate(Size::FULL);
        let mut seen = std::collections::BTreeMap::new();
        for set in Set::ALL {
            for (_, _, answer) in corpus.answers(set) {
                *seen
                    .entry((answer.check, answer.case, answer.flagged))
                    .or_insert(0) += 1;
            }
        }
        for case in PolicyCase::all() {
            let count = seen.get(&(Check::Public, case.name(), case.public()));
            assert!(
                count.is_some_and(|c| *c >= 20),
                "{}: {count:?}",
                case.name()
            );
        }
        for case in MutabilityCase::ALL {
            let count = seen.get(&(Check::Mutable, case.name(), case.mutable()));
            assert!(
                count.is_some_and(|c| *c >= 20),
                "{}: {count:?}",
                case.name()
            );
        }
        for case in EncryptionCase::ALL {
            let name = case.name(Format::CloudFormation);
            let count = seen.get(&(Check::Encryption, name, case.flagged()));
            assert!(count.is_some_and(|c| *c >= 20), "{name}: {count:?}");
        }
        for own in ScanOnPush::ALL {
            let answer = scanning_answer(Format::CloudFormation, own, None, "any");
            let count = seen.get(&(Check::Scanning, answer.case, answer.flagged));
            assert!(
                count.is_some_and(|c| *c >= 20),
                "{}: {count:?}",
                answer.case
            );
        }
        // The registry's rules decide, both ways, under both scan types, whatever the
        // repository's own setting.
        let registry_cases: Vec<_> = seen
            .iter()
            .filter(|((check, case, _), _)| {
                *check == Check::Scanning && case.starts_with("registry")
            })
            .map(|((_, case, flagged), count)| (*case, *flagged, *count))
            .collect();
        assert_eq!(registry_cases.len(), 8, "{registry_cases:?}");
        assert!(
            registry_cases.iter().all(|(_, _, count)| *count >= 20),
            "{registry_cases:?}"
        );
        // No case name is used with both answers.
        for (check, case, flagged) in seen.keys() {
            assert!(!seen.contains_key(&(*check, *case, !flagged)), "{case}");
        }
        assert_eq!(
            StatementCase::ALL.iter().filter(|c| !c.public()).count(),
            5,
            "five statement cases are not public"
        );
    }

    /// AWS's own table of filters and repository names (ECR User Guide, "Filters to choose
    /// which repositories are scanned").
    #[test]
    fn filters_match_as_aws_documents() {
        let names = [
            "prod",
            "repo-prod",
            "prod-repo",
            "repo-prod-repo",
            "prodrepo",
        ];
        let table = [
            ("prod", [true, true, true, true, true]),
            ("*prod", [true, true, false, false, false]),
            ("prod*", [true, false, true, false, true]),
            ("*prod*", [true, true, true, true, true]),
            ("prod*repo", [false, false, true, false, true]),
        ];
        for (filter, expected) in table {
            let got: Vec<bool> = names.iter().map(|n| filter_matches(filter, n)).collect();
            assert_eq!(got, expected, "{filter}");
        }
        assert!(filter_matches("team-*", "team-12/api"));
        assert!(!filter_matches("*-prod", "prod"));
        assert!(filter_matches("*", ""));
    }

    #[test]
    fn registry_scanning_by_scan_type() {
        let basic = RegistryScanning {
            enhanced: false,
            rules: vec![("SCAN_ON_PUSH", vec!["prod*"])],
        };
        assert!(basic.scans("prod-api"));
        assert!(!basic.scans("api-prod"));
        let enhanced = RegistryScanning {
            enhanced: true,
            rules: vec![("CONTINUOUS_SCAN", vec!["*-prod"])],
        };
        assert!(enhanced.scans("api-prod"));
        assert!(!enhanced.scans("prod-api"));
        let answer = scanning_answer(
            Format::CloudFormation,
            ScanOnPush::True,
            Some(&basic),
            "api",
        );
        assert!(
            answer.flagged,
            "a BASIC rule that does not match leaves it MANUAL"
        );
        let answer = scanning_answer(
            Format::CloudFormation,
            ScanOnPush::False,
            Some(&enhanced),
            "x-prod",
        );
        assert!(!answer.flagged);
    }

    /// Findings on a `!Ref`'d parameter count for the resource that refers to it.
    #[test]
    fn parameters_count_for_their_resource() {
        let corpus = generate(Size::QUICK);
        let mut checked = 0;
        for file in corpus.files(Set::Small) {
            for part in &file.parts {
                let Some(owner) = &part.counts_for else {
                    continue;
                };
                let resource = file.part_named(owner).expect("the owner is a part");
                let text: Vec<&str> = file.text.lines().collect();
                let parameter = part.name.trim_start_matches("Parameters/");
                let body =
                    text[resource.lines.0 as usize - 1..resource.lines.1 as usize].join("\n");
                assert!(
                    body.contains(parameter),
                    "{}: {owner} refers to {parameter}",
                    file.path
                );
                checked += 1;
            }
        }
        assert!(checked > 10);
    }

    /// The lines noted for each answer hold what the answer's case says they hold.
    #[test]
    fn answers_point_at_their_statements() {
        let corpus = generate(Size::QUICK);
        for set in Set::ALL {
            for (file, part, answer) in corpus.answers(set) {
                let lines: Vec<&str> = file.text.lines().collect();
                let body = lines[part.lines.0 as usize - 1..part.lines.1 as usize].join("\n");
                let holds = |needle: &str| body.contains(needle);
                let expected = match (answer.check, answer.case) {
                    (Check::Public, "Deny \"*\"") => holds("Deny") && !holds("Allow"),
                    (Check::Public, "Allow with NotPrincipal") => holds("NotPrincipal"),
                    (Check::Public, "AWS arn:aws:iam::*:root") => holds("arn:aws:iam::*:root"),
                    (Check::Public, "no repository policy") => !holds("RepositoryPolicyText"),
                    (Check::Public, "Service principal") => holds("Service"),
                    (Check::Mutable, "ImageTagMutability missing") => {
                        !holds("ImageTagMutability") && holds("Properties")
                    }
                    (Check::Mutable, "no Properties at all") => !holds("Properties"),
                    (Check::Mutable, "MUTABLE_WITH_EXCLUSION") => holds("MUTABLE_WITH_EXCLUSION"),
                    (Check::Encryption, "EncryptionConfiguration missing") => {
                        !holds("EncryptionConfiguration")
                    }
                    (Check::Encryption, "KMS without KmsKey") => holds("KMS") && !holds("KmsKey"),
                    (Check::Encryption, "KMS, key alias/aws/ecr") => holds("alias/aws/ecr"),
                    (Check::Encryption, "KMS_DSSE, customer-managed key") => {
                        holds("KMS_DSSE") && (holds("KmsKey") || holds("kms_key"))
                    }
                    (Check::Scanning, "ScanOnPush false") => {
                        holds("ScanOnPush: false") || holds("\"ScanOnPush\": false")
                    }
                    (Check::Scanning, "ImageScanningConfiguration missing") => {
                        !holds("ImageScanningConfiguration")
                    }
                    (Check::Mutable, "IMMUTABLE") => {
                        (holds(": IMMUTABLE") || holds("\"IMMUTABLE\""))
                            && !holds(": MUTABLE")
                            && !holds("\"MUTABLE\"")
                    }
                    _ => continue,
                };
                assert!(
                    expected,
                    "{}: {} [{}] in:\n{body}",
                    file.path, part.name, answer.case
                );
            }
        }
    }
}
