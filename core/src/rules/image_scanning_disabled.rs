//! ECR202 `image-scanning-disabled`: repositories whose images are not scanned on push or
//! continuously, judged by the registry scanning configuration when the source holds one (AWS's
//! filter semantics, [`filter_matches`]), else by the repository's own scan-on-push setting.

use super::{Finding, FixAvailability, Report, RuleMeta};
use crate::diagnostic::{Related, Severity};
use crate::model::{
    Known, Model, RegistryScanning, Remedy, Repository, RepositoryKind, Value, Written,
};
use crate::text::{Text, TextRange};

pub static META: RuleMeta = RuleMeta {
    code: "ECR202",
    name: "image-scanning-disabled",
    severity: Severity::Warning,
    summary: "Images are not scanned for vulnerabilities on push or continuously",
    explanation: r#"## What it does
Reports ECR repositories (`AWS::ECR::Repository`, `aws_ecr_repository`, and repositories in
`aws ecr describe-repositories` and `batch-get-repository-scanning-configuration` output) whose
images are not scanned for vulnerabilities when they are pushed, nor continuously.

Which setting decides follows AWS:
- In `batch-get-repository-scanning-configuration` output, the `scanFrequency` AWS reports as in
  effect decides: `MANUAL` is reported.
- When the same source holds a registry scanning configuration
  (`AWS::ECR::RegistryScanningConfiguration`, `aws_ecr_registry_scanning_configuration`,
  `aws ecr get-registry-scanning-configuration` output) with rules, its rules decide, matched
  against the repository's name as AWS documents its filters: a filter without a wildcard
  matches every name that *contains* it (`prod` matches `repo-prod-repo`); a filter with `*`
  matches the whole name, `*` standing for zero or more characters (`prod*` matches `prodrepo`
  but not `repo-prod`). Under `ENHANCED` scanning, a repository no rule matches is not scanned;
  a `CONTINUOUS_SCAN` rule wins over a `SCAN_ON_PUSH` one. Under `BASIC` scanning, a repository
  no `SCAN_ON_PUSH` rule matches is set to `MANUAL`: scanned only when someone starts a scan.
  A registry configuration that does not scan a repository is reported at the repository.
- Otherwise the repository's own `ScanOnPush` (`scan_on_push`) decides; not written, it is
  `false`. This includes a `BASIC` registry configuration without rules, which is what every
  registry has until someone configures it.

A source with a registry scanning configuration and no repositories is reported when that
configuration scans no repository at all (`ENHANCED` without a rule that scans, `BASIC` whose
rules are all `MANUAL`). Repository creation templates have no scanning settings and are not
checked. With the setting `registry-scanning = "covers-all"` (a registry scanning configuration
outside the checked files scans every repository) nothing is reported. A value that cannot be
known (a parameter without a `Default`, a variable without a value, a repository name known only
at deployment where a filter must match it) is reported as ECR903, never guessed.

What AWS says (Amazon ECR User Guide, *Filters to choose which repositories are scanned*; API
reference of `PutImageScanningConfiguration` and `PutRegistryScanningConfiguration`): the
repository-level setting is deprecated in favour of the registry's scanning configuration; a
registry without a scanning configuration uses `BASIC`; under `BASIC`, repositories that no
scan-on-push filter matches get the `MANUAL` frequency; under `ENHANCED`, repositories that no
filter matches are not scanned, and where a scan-on-push and a continuous filter both match,
continuous applies. AWS does not say in so many words what becomes of a repository's own
`ScanOnPush` next to registry rules: ecrlint follows the filter documentation (the rules decide)
and treats a `BASIC` configuration without rules as the unconfigured default, where the
repository's own setting is what scans on push.

## Why is this bad?
An image that is never scanned can carry known vulnerabilities into every deployment that pulls
it, and nobody is told. Scanning on push reports them when the image arrives; continuous
(enhanced) scanning reports them again as new vulnerabilities are published.

## Example
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    ImageScanningConfiguration:
      ScanOnPush: false
```

Use instead:
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    ImageScanningConfiguration:
      ScanOnPush: true
```

In Terraform:
```hcl
resource "aws_ecr_repository" "app" {
  name = "app"

  image_scanning_configuration {
    scan_on_push = true
  }
}
```

Or scan every repository from the registry:
```hcl
resource "aws_ecr_registry_scanning_configuration" "this" {
  scan_type = "ENHANCED"

  rule {
    scan_frequency = "CONTINUOUS_SCAN"
    repository_filter {
      filter      = "*"
      filter_type = "WILDCARD"
    }
  }
}
```

## Fix
Safe, where the repository's own setting decides: `false` becomes `true` (in the parameter
`Default` or the variable's default when the value comes from one); a missing
`ImageScanningConfiguration: {ScanOnPush: true}` (Terraform: an `image_scanning_configuration`
block) is inserted. For a repository that exists, the message gives the
`aws ecr put-image-scanning-configuration` command. Where a registry scanning configuration
decides, the repository's own setting would change nothing: no fix is offered, and the message
says to add a filter that matches the repository to the registry's rules.

## How ecrlint differs from its peers
The peers below read only the repository's own flag, and so report repositories that a registry
configuration scans, and pass repositories that a registry configuration leaves unscanned
(checkov#4167, prowler#2228). ecrlint applies the registry's rules when the source holds them,
and AWS's own verdict in `batch-get-repository-scanning-configuration` output, as AWS Security
Hub ECR.1 does with the live account.
"#,
    covers: &[
        "Checkov CKV_AWS_163",
        "Trivy AWS-0030",
        "cfn_nag W79",
        "cfn-guard ECR_REPO_SCAN_ON_PUSH",
        "KICS 9025b2b3-e554-4842-ba87-db7aeec36d35",
        "KICS 9630336b-3fed-4096-8173-b9afdfe346a7",
        "Trend Micro Conformity (ECR image scan on push)",
        "AWS Security Hub ECR.1",
    ],
    fix: FixAvailability::Sometimes,
    default: true,
};

const QUESTION: &str = "whether images are scanned";

pub(super) fn check(model: &Model, report: &mut Report) {
    if model.assumed.registry_scans_all {
        return;
    }
    // AWS keeps one scanning configuration per registry: the last one written is the one set.
    let registry = model.registry.scanning.last();
    let mut repositories = model
        .repositories
        .iter()
        .filter(|r| matches!(r.kind, RepositoryKind::Repository))
        .peekable();
    if repositories.peek().is_none() {
        if let Some(registry) = registry {
            check_registry_alone(registry, report);
        }
        return;
    }
    for repository in repositories {
        // What AWS reports as in effect has the registry's rules and the repository's setting
        // already combined.
        if let Some(frequency) = &repository.scan_frequency {
            // A registry configuration in the source with rules: the repository's own flag
            // does not count.
            let rules = registry.is_some_and(|r| !r.rules.is_empty());
            check_frequency(repository, frequency, rules, report);
            continue;
        }
        if let Some(registry) = registry {
            match registry_verdict(registry, &names(repository)) {
                Verdict::RepositoryDecides => {}
                Verdict::Scanned => continue,
                Verdict::CannotTell(range, reason) => {
                    report.cannot_tell(range, QUESTION, reason);
                    continue;
                }
                Verdict::NotScanned(scan_type) => {
                    report.push(not_scanned_by_registry(repository, registry, scan_type));
                    continue;
                }
            }
        }
        check_own_setting(repository, registry.is_some(), report);
    }
}

/// Whether a registry scanning configuration filter matches a repository name, as AWS documents
/// it: without a wildcard, the name contains the filter; with `*`, the whole name matches, each
/// `*` standing for zero or more characters.
pub(crate) fn filter_matches(filter: &str, name: &str) -> bool {
    if !filter.contains('*') {
        return name.contains(filter);
    }
    let (pattern, text) = (filter.as_bytes(), name.as_bytes());
    // Greedy matching with one backtrack point: the last `*` seen and where its match began.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// What the registry scanning configuration does with a repository.
enum Verdict {
    Scanned,
    /// Not scanned under this scan type (`BASIC`: manual scans only; `ENHANCED`: none).
    NotScanned(ScanType),
    /// `BASIC` without rules: what every registry has until configured; the repository's own
    /// setting applies.
    RepositoryDecides,
    CannotTell(TextRange, String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScanType {
    Basic,
    Enhanced,
}

/// Yes, no, or cannot tell (where, and why).
#[derive(Clone)]
enum Tri {
    Yes,
    No,
    Unknown(TextRange, String),
}

impl Tri {
    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Unknown(at, why), _) | (_, Tri::Unknown(at, why)) => Tri::Unknown(at, why),
            (Tri::Yes, Tri::Yes) => Tri::Yes,
        }
    }

    /// Yes if any is, else cannot tell if any cannot, else no.
    fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut unknown = None;
        for item in items {
            match item {
                Tri::Yes => return Tri::Yes,
                Tri::Unknown(at, why) => {
                    unknown.get_or_insert((at, why));
                }
                Tri::No => {}
            }
        }
        unknown.map_or(Tri::No, |(at, why)| Tri::Unknown(at, why))
    }
}

/// The names a repository can have, for matching filters.
enum Names<'m> {
    /// Every name the source gives it.
    Known(Vec<&'m str>),
    /// Known only at deployment.
    Unknown(TextRange, String),
    /// No repository at all: does the configuration scan any name?
    Any,
}

fn names(repository: &Repository) -> Names<'_> {
    if let Some(deployed) = &repository.deployed {
        return Names::Known(vec![deployed.name.as_str()]);
    }
    let Some(name) = &repository.name else {
        return Names::Unknown(
            repository.at,
            "the repository's name is not written, so AWS makes one up at deployment".into(),
        );
    };
    let mut known = Vec::new();
    for candidate in &name.candidates {
        match &candidate.state {
            // A repository name never holds `$`: `${…}` stands for a value known at deployment.
            Known::Is(text) if !text.contains("${") => known.push(text.as_str()),
            Known::Is(text) => {
                return Names::Unknown(
                    candidate.origin.range,
                    format!("the repository name `{text}` is known only at deployment"),
                )
            }
            Known::Unknown(reason) => {
                return Names::Unknown(candidate.origin.range, reason.clone())
            }
            Known::Rejected => {}
        }
    }
    if known.is_empty() {
        return Names::Unknown(repository.at, "the repository's name is not known".into());
    }
    Names::Known(known)
}

/// The one text a setting has, or why it cannot be told.
fn one_text(value: &Value<Text>, missing_at: TextRange) -> Result<&str, (TextRange, String)> {
    let setting = value.setting;
    let mut found: Option<(&str, TextRange)> = None;
    for candidate in &value.candidates {
        let at = candidate.origin.range;
        match &candidate.state {
            Known::Is(text) => match found {
                Some((other, _)) if other != text.as_str() => {
                    return Err((at, format!("`{setting}` depends on a condition")))
                }
                _ => found = Some((text.as_str(), at)),
            },
            Known::Unknown(reason) => return Err((at, reason.clone())),
            Known::Rejected => {
                return Err((at, format!("`{setting}` is not a value AWS accepts")));
            }
        }
    }
    found
        .map(|(text, _)| text)
        .ok_or_else(|| (missing_at, format!("`{setting}` is not written")))
}

fn registry_verdict(registry: &RegistryScanning, names: &Names<'_>) -> Verdict {
    let scan_type = match one_text(&registry.scan_type, registry.at) {
        Ok("BASIC") => ScanType::Basic,
        Ok("ENHANCED") => ScanType::Enhanced,
        Ok(other) => {
            let at = registry
                .scan_type
                .candidates
                .first()
                .map_or(registry.at, |c| c.origin.range);
            return Verdict::CannotTell(at, format!("`{other}` is not a scan type AWS knows"));
        }
        Err((at, reason)) => return Verdict::CannotTell(at, reason),
    };
    if scan_type == ScanType::Basic && registry.rules.is_empty() {
        return Verdict::RepositoryDecides;
    }
    let scans = Tri::any(registry.rules.iter().map(|rule| {
        let frequency = match one_text(&rule.frequency, registry.at) {
            Ok("SCAN_ON_PUSH") => Tri::Yes,
            Ok("CONTINUOUS_SCAN") if scan_type == ScanType::Enhanced => Tri::Yes,
            Ok("MANUAL") => Tri::No,
            Ok(other) => {
                let at = rule
                    .frequency
                    .candidates
                    .first()
                    .map_or(registry.at, |c| c.origin.range);
                Tri::Unknown(
                    at,
                    format!("`{other}` is not a scan frequency of this scan type"),
                )
            }
            Err((at, reason)) => Tri::Unknown(at, reason),
        };
        // A rule that scans nothing needs no filter read.
        if let Tri::No = frequency {
            return Tri::No;
        }
        frequency.and(Tri::any(
            rule.filters.iter().map(|f| matches(f, registry.at, names)),
        ))
    }));
    match scans {
        Tri::Yes => Verdict::Scanned,
        Tri::No => Verdict::NotScanned(scan_type),
        Tri::Unknown(at, reason) => Verdict::CannotTell(at, reason),
    }
}

/// Whether a filter matches every name the repository can have.
fn matches(filter: &Value<Text>, missing_at: TextRange, names: &Names<'_>) -> Tri {
    let text = match one_text(filter, missing_at) {
        Ok(text) => text,
        Err((at, reason)) => return Tri::Unknown(at, reason),
    };
    let at = filter
        .candidates
        .first()
        .map_or(missing_at, |c| c.origin.range);
    if text.bytes().all(|c| c == b'*') {
        return Tri::Yes;
    }
    match names {
        Names::Any => Tri::Yes,
        Names::Unknown(at, reason) => Tri::Unknown(*at, reason.clone()),
        Names::Known(names) => {
            let matched = names.iter().filter(|n| filter_matches(text, n)).count();
            if matched == names.len() {
                Tri::Yes
            } else if matched == 0 {
                Tri::No
            } else {
                Tri::Unknown(
                    at,
                    format!("whether filter `{text}` matches depends on the repository name's condition"),
                )
            }
        }
    }
}

fn display(repository: &Repository) -> String {
    if let Some(deployed) = &repository.deployed {
        return format!("repository `{}`", deployed.name);
    }
    match repository.name.as_ref().map(|n| &n.candidates[..]) {
        Some([candidate]) => match &candidate.state {
            Known::Is(name) => format!("repository `{name}`"),
            _ => "the repository".into(),
        },
        _ => "the repository".into(),
    }
}

fn not_scanned_by_registry(
    repository: &Repository,
    registry: &RegistryScanning,
    scan_type: ScanType,
) -> Finding {
    let name = display(repository);
    let message = match scan_type {
        ScanType::Enhanced => format!(
            "no rule of the registry's `ENHANCED` scanning configuration matches {name}, so its images are not scanned; its own scan-on-push setting does not apply under the registry's rules: add a filter that matches it to a rule"
        ),
        ScanType::Basic => format!(
            "no `SCAN_ON_PUSH` rule of the registry's `BASIC` scanning configuration matches {name}, so its images are scanned only when someone starts a scan (`MANUAL`); its own scan-on-push setting does not apply under the registry's rules: add a filter that matches it to a `SCAN_ON_PUSH` rule"
        ),
    };
    Finding {
        rule: &META,
        range: repository.at,
        message,
        remedy: None,
        related: vec![Related::new(
            registry.at,
            "the registry scanning configuration",
        )],
        without_fix: None,
    }
}

/// The repository's own scan-on-push setting decides: each value it can take.
fn check_own_setting(repository: &Repository, registry_in_source: bool, report: &mut Report) {
    let value = &repository.scan_on_push;
    let setting = value.setting;
    // AWS CLI output that does not carry the setting (get-repository-policy) says nothing
    // about scanning, as it says nothing about lifecycle policies.
    if value.candidates.is_empty() {
        return;
    }
    let why = if registry_in_source {
        "; the registry's `BASIC` scanning configuration has no rules, so this setting decides"
            .to_string()
    } else {
        "; a registry scanning configuration with rules overrides this setting (set `registry-scanning = \"covers-all\"` when yours scans every repository)".to_string()
    };
    for candidate in &value.candidates {
        let origin = &candidate.origin;
        match &candidate.state {
            Known::Is(true) | Known::Rejected => continue,
            Known::Unknown(reason) => {
                report.cannot_tell(origin.range, QUESTION, reason);
                continue;
            }
            Known::Is(false) => {}
        }
        let through = origin
            .via
            .as_ref()
            .map(|r| format!(" (through {})", r.message))
            .unwrap_or_default();
        let message = match (&repository.deployed, origin.written) {
            (Some(deployed), _) => {
                format!("repository `{}` does not scan images on push{why}", deployed.name)
            }
            (None, Written::Default) => format!(
                "`{setting}` is not set, so images are not scanned on push (the default is `false`){why}"
            ),
            (None, _) => {
                format!("`{setting}` is `false`{through}: images are not scanned on push{why}")
            }
        };
        report.push(Finding {
            rule: &META,
            range: origin.range,
            message,
            remedy: Some(Remedy::ScanOnPush {
                value: origin.anchor,
            }),
            related: origin.via.as_deref().cloned().into_iter().collect(),
            without_fix: None,
        });
    }
}

/// A repository that exists, with the scan frequency AWS reports as in effect.
fn check_frequency(
    repository: &Repository,
    frequency: &Value<Text>,
    registry_has_rules: bool,
    report: &mut Report,
) {
    let name = display(repository);
    for candidate in &frequency.candidates {
        let origin = &candidate.origin;
        match &candidate.state {
            Known::Is(text) if text.as_str() == "MANUAL" => {}
            Known::Is(text) if matches!(text.as_str(), "SCAN_ON_PUSH" | "CONTINUOUS_SCAN") => {
                continue
            }
            Known::Is(text) => {
                report.cannot_tell(
                    origin.range,
                    QUESTION,
                    format!("`{text}` is not a scan frequency AWS knows"),
                );
                continue;
            }
            Known::Unknown(reason) => {
                report.cannot_tell(origin.range, QUESTION, reason);
                continue;
            }
            Known::Rejected => continue,
        }
        // The repository's own flag counts only while the registry has no scanning rules: the
        // command is offered where that flag is off, never where it is on and overridden.
        let own = repository.scan_on_push.known().next();
        let (message, remedy) = match own {
            Some((false, _)) if registry_has_rules => (
                format!(
                    "{name} is not scanned: the scan frequency in effect is `MANUAL`: no rule of the registry's scanning configuration matches it (and while the registry has rules, its own `scanOnPush` does not count): add a filter that matches it to a scan-on-push or continuous rule"
                ),
                None,
            ),
            Some((true, _)) => (
                format!(
                    "{name} is not scanned: the scan frequency in effect is `MANUAL` although its own `scanOnPush` is `true`, which the registry's scanning rules override: add a filter that matches it to a scan-on-push or continuous rule"
                ),
                None,
            ),
            Some((false, own)) => (
                format!(
                    "{name} is not scanned: the scan frequency in effect is `MANUAL`; its own `scanOnPush` decides only while the registry has no scanning rules"
                ),
                Some(Remedy::ScanOnPush {
                    value: own.origin.anchor,
                }),
            ),
            None => (
                format!("{name} is not scanned: the scan frequency in effect is `MANUAL`"),
                None,
            ),
        };
        report.push(Finding {
            rule: &META,
            range: origin.range,
            message,
            remedy,
            related: Vec::new(),
            without_fix: None,
        });
    }
}

/// A registry scanning configuration with no repository beside it: reported when it scans no
/// repository whatever its name.
fn check_registry_alone(registry: &RegistryScanning, report: &mut Report) {
    match registry_verdict(registry, &Names::Any) {
        Verdict::Scanned | Verdict::RepositoryDecides => {}
        Verdict::CannotTell(at, reason) => report.cannot_tell(at, QUESTION, reason),
        Verdict::NotScanned(scan_type) => {
            let message = match scan_type {
                ScanType::Enhanced => "the registry's `ENHANCED` scanning configuration has no rule that scans on push or continuously, so no repository is scanned",
                ScanType::Basic => "the registry's `BASIC` scanning configuration has no `SCAN_ON_PUSH` rule, so every repository is scanned only when someone starts a scan (`MANUAL`)",
            };
            report.push(Finding {
                rule: &META,
                range: registry.at,
                message: message.into(),
                remedy: None,
                related: Vec::new(),
                without_fix: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::filter_matches;
    use crate::settings::{RegistryScanningSetting, Settings};

    /// `registry-scanning = "covers-all"`: a registry configuration outside the source scans
    /// every repository, so the repository's own setting is not reported.
    #[test]
    fn nothing_is_reported_when_the_registry_scans_all_elsewhere() {
        let source = "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n    Properties:\n      ImageScanningConfiguration:\n        ScanOnPush: false\n";
        let alone = Settings {
            select: Some(vec!["ECR202".into()]),
            ..Settings::default()
        };
        let messages = |settings: &Settings| -> Vec<String> {
            crate::check(source, None, settings)
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect()
        };
        assert_eq!(
            messages(&alone),
            ["`ScanOnPush` is `false`: images are not scanned on push; a registry scanning configuration with rules overrides this setting (set `registry-scanning = \"covers-all\"` when yours scans every repository)"]
        );
        let covered = Settings {
            registry_scanning: RegistryScanningSetting::CoversAll,
            ..alone
        };
        assert_eq!(messages(&covered), Vec::<String>::new());
    }

    /// AWS's own table (Amazon ECR User Guide, "Filters to choose which repositories are
    /// scanned"): filters down, repository names across.
    #[test]
    fn filters_match_as_aws_documents() {
        let names = [
            "prod",
            "repo-prod",
            "prod-repo",
            "repo-prod-repo",
            "prodrepo",
        ];
        let table: [(&str, [bool; 5]); 5] = [
            ("prod", [true, true, true, true, true]),
            ("*prod", [true, true, false, false, false]),
            ("prod*", [true, false, true, false, true]),
            ("*prod*", [true, true, true, true, true]),
            ("prod*repo", [false, false, true, false, true]),
        ];
        for (filter, expected) in table {
            let found: Vec<bool> = names.iter().map(|n| filter_matches(filter, n)).collect();
            assert_eq!(found, expected, "filter `{filter}`");
        }
    }

    #[test]
    fn wildcards_need_the_whole_name_and_backtrack() {
        assert!(filter_matches("*", "anything/at-all"));
        assert!(filter_matches("team/*", "team/app"));
        assert!(!filter_matches("team/*", "other/team/app"));
        assert!(filter_matches("a*b*c", "aXbYbZc"));
        assert!(!filter_matches("a*b*c", "aXbYbZ"));
        assert!(filter_matches("**x", "x"));
        assert!(!filter_matches("app", "ap"));
        assert!(filter_matches("app", "my-app-image"));
    }
}
