//! ECR303 `invalid-lifecycle-policy`: lifecycle policy text that ECR rejects.

use super::{Finding, FixAvailability, Report, RuleMeta};
use crate::diagnostic::{Related, Severity};
use crate::model::{
    Action, Field, Known, LifecyclePolicy, LifecycleRule, Literal, Model, Section, Selection,
};
use crate::text::TextRange;

pub static META: RuleMeta = RuleMeta {
    code: "ECR303",
    name: "invalid-lifecycle-policy",
    severity: Severity::Error,
    summary: "A lifecycle policy that ECR rejects",
    explanation: r#"## What it does
Reads every lifecycle policy — `LifecyclePolicyText` of `AWS::ECR::Repository`, `LifecyclePolicy`
of `AWS::ECR::RepositoryCreationTemplate`, the `policy` of Terraform's `aws_ecr_lifecycle_policy`
and the `lifecycle_policy` of `aws_ecr_repository_creation_template` (as `jsonencode({…})`, a JSON
string, a heredoc or `file()`), the `lifecyclePolicyText` of `aws ecr get-lifecycle-policy`, and a
lifecycle policy document on its own — and reports, at the key or value inside the text, what the
[lifecycle policy properties](https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html)
of the ECR User Guide rule out:

- text that is not JSON, and a document, `rules`, rule, `selection` or `action` of another shape;
- keys the [lifecycle policy template](https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html)
  does not have, and a missing `rules`, `rulePriority`, `selection`, `tagStatus`, `countType`,
  `countNumber`, `action` or `type`;
- `null` anywhere: ECR validates the text against a schema that has no nulls, and answers
  `InvalidParameterException: … Lifecycle policy validation failure` (what
  [cloudposse/terraform-aws-ecr#158](https://github.com/cloudposse/terraform-aws-ecr/issues/158)
  and [#132](https://github.com/cloudposse/terraform-aws-ecr/pull/132) ran into with
  `jsonencode` of an optional attribute);
- two rules with the same `rulePriority` ("you must give them each a unique value"), a
  `rulePriority` that is not an integer, and a `tagStatus: any` rule that does not have the
  highest `rulePriority` ("must have the highest value … and be evaluated last") among the rules
  of its storage class — AWS's own example archives images with one `any` rule and expires the
  archived ones with a second;
- `tagStatus` other than `tagged`, `untagged` or `any`; `tagged` without a `tagPatternList` or a
  `tagPrefixList`; `untagged` with either; a tag pattern with more than four `*` wildcards;
- `countType` other than `imageCountMoreThan`, `sinceImagePushed`, `sinceImagePulled` or
  `sinceImageTransitioned`; `countUnit` with `imageCountMoreThan` ("an error will occur");
  the three `since…` count types without `countUnit`, or with a unit other than `days`;
- `countNumber` that is not a positive integer ("`0` is not an accepted value");
- `storageClass` other than `standard` or `archive`, `archive` with a count type other than
  `sinceImageTransitioned`, and `sinceImageTransitioned` without `storageClass: archive`;
- an action `type` other than `expire` or `transition`, and `transition` without
  `targetStorageClass: archive`.

A policy whose text is only known at deployment (`Fn::Sub` or `Fn::Join` that fill it in, a
Terraform template with `${…}` where JSON cannot hold them, a variable without a default) is not
guessed at: it is reported once as ECR903 `unresolved-value`.

## Why is this bad?
ECR checks the text when it is put: CloudFormation rolls the stack back, `terraform apply` fails
half-way, and until it is fixed no image expires — the policy meant to bound storage and retire
vulnerable images does nothing. Errors found here point at the characters inside the string,
before any deployment.

## Example
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    LifecyclePolicy:
      LifecyclePolicyText: |
        {"rules": [
          {"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
            "countNumber": 100}, "action": {"type": "expire"}},
          {"rulePriority": 2, "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan",
            "countUnit": "days", "countNumber": 0}, "action": {"type": "expire"}}]}
```

Use instead:
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    LifecyclePolicy:
      LifecyclePolicyText: |
        {"rules": [
          {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
            "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}},
          {"rulePriority": 2, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
            "countNumber": 100}, "action": {"type": "expire"}}]}
```

## Fix
None. Which rule should come last, how many images or days to keep, which tags a rule means:
each finding has more than one right answer, and a wrong guess deletes images.

No peer checks the text of a lifecycle policy. cfn-lint reads `LifecyclePolicyText` only as a
string and accepts a policy ECR rejects, such as `"countNumber": 0`.
"#,
    covers: &[],
    fix: FixAvailability::None,
    default: true,
};

const QUESTION: &str = "whether the lifecycle policy is valid";
const TAG_STATUSES: [&str; 3] = ["tagged", "untagged", "any"];
const COUNT_TYPES: [&str; 4] = [
    "imageCountMoreThan",
    "sinceImagePushed",
    "sinceImagePulled",
    "sinceImageTransitioned",
];
const MAX_WILDCARDS: usize = 4;

pub(super) fn check(model: &Model, report: &mut Report) {
    for (state, origin) in model.every_lifecycle_policy() {
        match state {
            Known::Is(policy) => judge(policy, report),
            Known::Unknown(reason) => report.cannot_tell(origin.range, QUESTION, reason),
            Known::Rejected => {}
        }
    }
}

fn judge(policy: &LifecyclePolicy, report: &mut Report) {
    if let Some(error) = &policy.syntax_error {
        report.push(finding(error.range, error.message.clone()));
    }
    for unknown in &policy.unknown {
        if let Known::Unknown(reason) = &unknown.state {
            report.cannot_tell(unknown.origin.range, QUESTION, reason);
        }
    }
    for problem in &policy.misshapen {
        report.push(finding(problem.range, problem.message.clone()));
    }
    for unknown in &policy.unknown_keys {
        let keys = unknown.within.keys();
        let hint = match keys.iter().find(|k| k.eq_ignore_ascii_case(&unknown.key)) {
            Some(key) => format!("; did you mean `{key}`?"),
            None => format!("; it accepts {}", list(keys)),
        };
        report.push(finding(
            unknown.range,
            format!(
                "ECR does not accept `{}` in {}{hint}",
                unknown.key,
                unknown.within.name()
            ),
        ));
    }
    for null in &policy.nulls {
        report.push(finding(
            *null,
            "ECR rejects `null` in a lifecycle policy; leave the key out instead".into(),
        ));
    }
    let whole = policy.syntax_error.is_none() && policy.misshapen.is_empty();
    if policy.rules_key.is_none() && whole && policy.unknown.is_empty() {
        report.push(finding(
            policy.at,
            "the lifecycle policy has no `rules`".into(),
        ));
    }
    for rule in &policy.rules {
        judge_rule(rule, report);
    }
    judge_priorities(&policy.rules, report);
}

fn judge_rule(rule: &LifecycleRule, report: &mut Report) {
    match &rule.rule_priority {
        None => report.push(finding(rule.at, "this rule has no `rulePriority`".into())),
        Some(priority) => {
            for (value, range) in values(priority, report) {
                if value.as_integer().is_none() {
                    report.push(finding(
                        range,
                        format!(
                            "`rulePriority` must be an integer, not {}",
                            value.describe()
                        ),
                    ));
                }
            }
        }
    }
    if let Some(description) = &rule.description {
        for (value, range) in values(description, report) {
            if value.as_str().is_none() {
                report.push(finding(
                    range,
                    format!("`description` must be a string, not {}", value.describe()),
                ));
            }
        }
    }
    match &rule.selection {
        None => report.push(finding(rule.at, "this rule has no `selection`".into())),
        Some(selection) => judge_selection(selection, report),
    }
    match &rule.action {
        None => report.push(finding(rule.at, "this rule has no `action`".into())),
        Some(action) => judge_action(action, report),
    }
}

fn judge_selection(section: &Section<Selection>, report: &mut Report) {
    let Some(selection) = &section.fields else {
        return;
    };
    let pattern = selection.tag_pattern_list.as_ref();
    let prefix = selection.tag_prefix_list.as_ref();
    match &selection.tag_status {
        None => report.push(missing(section.key, "selection", "tagStatus")),
        Some(status) => {
            for (value, range) in values(status, report) {
                match value.as_str() {
                    Some("tagged") if !is_set(pattern) && !is_set(prefix) => {
                        report.push(finding(
                            range,
                            "`tagStatus` `tagged` needs a `tagPatternList` or a `tagPrefixList` to say which tags".into(),
                        ));
                    }
                    Some("untagged") => {
                        for (key, list) in [("tagPatternList", pattern), ("tagPrefixList", prefix)]
                        {
                            if let Some(list) = list.filter(|l| l.is_set()) {
                                report.push(finding(
                                    list.entry,
                                    format!("`tagStatus` `untagged` takes no `{key}`: untagged images have no tags to match"),
                                ));
                            }
                        }
                    }
                    Some(text) if TAG_STATUSES.contains(&text) => {}
                    _ => report.push(invalid("tagStatus", value, &TAG_STATUSES, range)),
                }
            }
        }
    }
    for (key, list) in [("tagPatternList", pattern), ("tagPrefixList", prefix)] {
        let Some(list) = list else { continue };
        for (value, range) in values(list, report) {
            let Literal::List(items) = value else {
                report.push(finding(
                    range,
                    format!(
                        "`{key}` must be a list of strings, not {}",
                        value.describe()
                    ),
                ));
                continue;
            };
            for item in items {
                for candidate in &item.candidates {
                    let range = candidate.origin.range;
                    match &candidate.state {
                        Known::Is(Literal::String(text)) => {
                            let wildcards = text.matches('*').count();
                            if key == "tagPatternList" && wildcards > MAX_WILDCARDS {
                                report.push(finding(
                                    range,
                                    format!("`{text}` has {wildcards} wildcards; ECR accepts at most {MAX_WILDCARDS} `*` in a tag pattern"),
                                ));
                            }
                        }
                        // Reported where it is written.
                        Known::Is(Literal::Null) | Known::Rejected => {}
                        Known::Is(other) => report.push(finding(
                            range,
                            format!("`{key}` must hold strings, not {}", other.describe()),
                        )),
                        Known::Unknown(reason) => report.cannot_tell(range, QUESTION, reason),
                    }
                }
            }
        }
    }
    let count_type = selection
        .count_type
        .as_ref()
        .and_then(|f| single(f, report));
    match &selection.count_type {
        None => report.push(missing(section.key, "selection", "countType")),
        Some(field) => {
            for (value, range) in values(field, report) {
                if !value.as_str().is_some_and(|t| COUNT_TYPES.contains(&t)) {
                    report.push(invalid("countType", value, &COUNT_TYPES, range));
                }
            }
        }
    }
    judge_count_unit(selection, count_type, report);
    judge_storage_class(selection, count_type, report);
    match &selection.count_number {
        None => report.push(missing(section.key, "selection", "countNumber")),
        Some(field) => {
            for (value, range) in values(field, report) {
                if value.as_integer().is_none_or(|n| n < 1) {
                    report.push(finding(
                        range,
                        format!(
                            "`countNumber` must be a positive integer; ECR does not accept {}",
                            value.describe()
                        ),
                    ));
                }
            }
        }
    }
}

fn judge_count_unit(
    selection: &Selection,
    count_type: Option<(&str, TextRange)>,
    report: &mut Report,
) {
    let Some((count_type, type_range)) = count_type else {
        return;
    };
    let unit = selection.count_unit.as_ref();
    if count_type == "imageCountMoreThan" {
        if let Some(unit) = unit.filter(|u| u.is_set()) {
            report.push(finding(
                unit.entry,
                "`countUnit` is accepted only with a `countType` of `sinceImagePushed`, `sinceImagePulled` or `sinceImageTransitioned`, not `imageCountMoreThan`".into(),
            ));
        }
        return;
    }
    if !COUNT_TYPES.contains(&count_type) {
        return;
    }
    match unit {
        None => report.push(finding(
            type_range,
            format!("`countType` `{count_type}` needs `\"countUnit\": \"days\"`"),
        )),
        Some(unit) => {
            for (value, range) in values(unit, report) {
                if value.as_str() != Some("days") {
                    report.push(invalid("countUnit", value, &["days"], range));
                }
            }
        }
    }
}

fn judge_storage_class(
    selection: &Selection,
    count_type: Option<(&str, TextRange)>,
    report: &mut Report,
) {
    let mut class = None;
    if let Some(field) = &selection.storage_class {
        for (value, range) in values(field, report) {
            match value.as_str() {
                Some(text @ ("standard" | "archive")) => class = Some((text, range, field.entry)),
                _ => report.push(invalid(
                    "storageClass",
                    value,
                    &["standard", "archive"],
                    range,
                )),
            }
        }
    }
    let Some((count_type, type_range)) = count_type else {
        return;
    };
    match (count_type, class) {
        ("sinceImageTransitioned", None) if !is_set(selection.storage_class.as_ref()) => {
            report.push(finding(
                type_range,
                "`countType` `sinceImageTransitioned` needs `\"storageClass\": \"archive\"`".into(),
            ))
        }
        ("sinceImageTransitioned", Some(("standard", range, _))) => report.push(finding(
            range,
            "`countType` `sinceImageTransitioned` selects archived images: `storageClass` must be `archive`".into(),
        )),
        (other, Some(("archive", _, entry)))
            if other != "sinceImageTransitioned" && COUNT_TYPES.contains(&other) =>
        {
            report.push(finding(
                entry,
                format!("`storageClass` `archive` is accepted only with `countType` `sinceImageTransitioned`, not `{other}`"),
            ))
        }
        _ => {}
    }
}

fn judge_action(section: &Section<Action>, report: &mut Report) {
    let Some(action) = &section.fields else {
        return;
    };
    let Some(action_type) = &action.action_type else {
        report.push(missing(section.key, "action", "type"));
        return;
    };
    for (value, range) in values(action_type, report) {
        match value.as_str() {
            Some("expire") => {}
            Some("transition") if !is_set(action.target_storage_class.as_ref()) => {
                report.push(finding(
                    range,
                    "`type` `transition` needs `\"targetStorageClass\": \"archive\"`".into(),
                ));
            }
            Some("transition") => {}
            _ => report.push(invalid("type", value, &["expire", "transition"], range)),
        }
    }
    if let Some(target) = &action.target_storage_class {
        for (value, range) in values(target, report) {
            if value.as_str() != Some("archive") {
                report.push(invalid("targetStorageClass", value, &["archive"], range));
            }
        }
    }
}

/// Duplicate priorities, and `any` rules that are not evaluated last.
fn judge_priorities(rules: &[LifecycleRule], report: &mut Report) {
    let mut quiet = Report::default();
    let priorities: Vec<Option<(i64, TextRange)>> = rules
        .iter()
        .map(|rule| {
            let (value, range) = single_literal(rule.rule_priority.as_ref()?, &mut quiet)?;
            Some((value.as_integer()?, range))
        })
        .collect();
    for (index, priority) in priorities.iter().enumerate() {
        let Some((number, range)) = priority else {
            continue;
        };
        let first = priorities[..index]
            .iter()
            .flatten()
            .find(|(other, _)| other == number);
        if let Some((_, first)) = first {
            report.push(Finding {
                related: vec![Related::new(
                    *first,
                    format!("the other rule with `rulePriority` {number}"),
                )],
                ..finding(
                    *range,
                    format!(
                        "another rule has `rulePriority` {number} already; each rule needs its own"
                    ),
                )
            });
        }
    }
    // The `any` rule must come last among the rules of its storage class (AWS's own example
    // expires archived images with a second `any` rule after a first one that archives them):
    // decidable only when every priority is known.
    if priorities.iter().any(Option::is_none) {
        return;
    }
    let classes: Vec<&str> = rules
        .iter()
        .map(|rule| {
            let field = rule
                .selection
                .as_ref()
                .and_then(|s| s.fields.as_ref()?.storage_class.as_ref());
            match field {
                None => "standard",
                Some(field) => single(field, &mut quiet).map_or("", |(class, _)| class),
            }
        })
        .collect();
    for ((rule, priority), own_class) in rules.iter().zip(&priorities).zip(&classes) {
        let Some((number, _)) = priority else {
            continue;
        };
        let status = rule
            .selection
            .as_ref()
            .and_then(|s| s.fields.as_ref()?.tag_status.as_ref())
            .and_then(|f| single(f, &mut quiet));
        let Some(("any", range)) = status else {
            continue;
        };
        let highest = priorities
            .iter()
            .zip(&classes)
            .filter(|(_, class)| *class == own_class)
            .filter_map(|(p, _)| p.as_ref())
            .max_by_key(|(n, _)| *n);
        if let Some((highest, highest_range)) = highest.filter(|(h, _)| h > number) {
            report.push(Finding {
                related: vec![Related::new(
                    *highest_range,
                    format!("the rule with `rulePriority` {highest}"),
                )],
                ..finding(
                    range,
                    format!("a rule with `tagStatus` `any` must have the highest `rulePriority` and be evaluated last, but this one has {number} and another rule {highest}"),
                )
            });
        }
    }
}

/// The known values of a field other than `null` (reported on its own), each where it is
/// written; unknown values are noted for ECR903.
fn values<'m>(field: &'m Field, report: &mut Report) -> Vec<(&'m Literal, TextRange)> {
    let mut out = Vec::new();
    for candidate in &field.value.candidates {
        match &candidate.state {
            Known::Is(Literal::Null) | Known::Rejected => {}
            Known::Is(value) => out.push((value, candidate.origin.range)),
            Known::Unknown(reason) => report.cannot_tell(candidate.origin.range, QUESTION, reason),
        }
    }
    out
}

/// The one value a field has, when it has exactly one and it is known.
fn single_literal<'m>(field: &'m Field, report: &mut Report) -> Option<(&'m Literal, TextRange)> {
    match (
        field.value.candidates.len(),
        values(field, report).as_slice(),
    ) {
        (1, [one]) => Some(*one),
        _ => None,
    }
}

/// The one string a field is, when it has exactly one known value.
fn single<'m>(field: &'m Field, report: &mut Report) -> Option<(&'m str, TextRange)> {
    let (value, range) = single_literal(field, report)?;
    Some((value.as_str()?, range))
}

fn is_set(field: Option<&Field>) -> bool {
    field.is_some_and(Field::is_set)
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn invalid(key: &str, value: &Literal, accepted: &[&str], range: TextRange) -> Finding {
    finding(
        range,
        format!(
            "`{key}` must be {}, not {}",
            list(accepted),
            value.describe()
        ),
    )
}

fn missing(at: TextRange, object: &str, key: &str) -> Finding {
    finding(at, format!("`{object}` has no `{key}`, which ECR requires"))
}

fn finding(range: TextRange, message: String) -> Finding {
    Finding {
        rule: &META,
        range,
        message,
        remedy: None,
        related: Vec::new(),
        without_fix: None,
    }
}

#[cfg(test)]
mod tests {
    use crate::{check, check_in_module, Settings, Source};

    fn selected(codes: &[&str]) -> Settings {
        Settings {
            select: Some(codes.iter().map(|c| c.to_string()).collect()),
            ..Settings::default()
        }
    }

    /// `(code, flagged text, message)` of each finding.
    fn found(text: &str, checked: &crate::Checked) -> Vec<(String, String, String)> {
        checked
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.code.to_string(),
                    text[d.range.as_usize()].to_string(),
                    d.message.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn a_policy_read_with_file_is_judged_in_its_own_file() {
        let main = "resource \"aws_ecr_lifecycle_policy\" \"app\" {\n  repository = \"app\"\n  policy     = file(\"lifecycle.json\")\n}\n";
        let policy = "{\"rules\": [{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 0}, \"action\": {\"type\": \"expire\"}}]}";
        let siblings = [Source {
            path: "lifecycle.json",
            text: policy,
        }];
        let checked = check_in_module(main, Some("main.tf"), &siblings, &selected(&["ECR303"]));
        let findings = &checked.diagnostics;
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(
            findings[0].message,
            "`countNumber` must be a positive integer; ECR does not accept `0`"
        );
        // Placed at the `file()` call, with the place inside the file read.
        assert_eq!(
            &main[findings[0].range.as_usize()],
            "file(\"lifecycle.json\")"
        );
        let related = &findings[0].related[0];
        assert_eq!(related.file.as_deref(), Some("lifecycle.json"));
        assert_eq!(related.message, "in the file read here");
        assert_eq!(&policy[related.range.as_usize()], "0");
    }

    #[test]
    fn interpolation_where_json_cannot_hold_it_is_unknown_not_invalid() {
        let text = "variable \"days\" {}\nresource \"aws_ecr_lifecycle_policy\" \"app\" {\n  repository = \"app\"\n  policy     = <<EOT\n{\"rules\": [{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": ${var.days}}, \"action\": {\"type\": \"expire\"}}]}\nEOT\n}\n";
        let checked = check(text, Some("main.tf"), &selected(&["ECR303", "ECR903"]));
        assert_eq!(
            found(text, &checked),
            vec![(
                "ECR903".to_string(),
                "<<EOT\n{\"rules\": [{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": ${var.days}}, \"action\": {\"type\": \"expire\"}}]}\nEOT".to_string(),
                "cannot tell whether the lifecycle policy is valid: the lifecycle policy text is JSON only once Terraform fills in its `${…}`".to_string(),
            )]
        );
    }

    #[test]
    fn duplicate_keys_in_the_text_are_ecr904_and_the_policy_still_counts_for_ecr302() {
        let text = "Resources:\n  Repository:\n    Type: AWS::ECR::Repository\n    Properties:\n      LifecyclePolicy:\n        LifecyclePolicyText: '{\"rules\": [], \"rules\": []}'\n";
        let checked = check(
            text,
            Some("t.yaml"),
            &selected(&["ECR302", "ECR303", "ECR904"]),
        );
        assert_eq!(
            found(text, &checked),
            vec![(
                "ECR904".to_string(),
                "\"rules\"".to_string(),
                checked.diagnostics[0].message.clone(),
            )]
        );
        assert!(checked.parsed);
    }

    #[test]
    fn a_lifecycle_syntax_error_leaves_the_source_fixable() {
        let text = "Resources:\n  Repository:\n    Type: AWS::ECR::Repository\n    Properties:\n      ImageTagMutability: MUTABLE\n      LifecyclePolicy:\n        LifecyclePolicyText: '{\"rules\": [}'\n";
        let checked = check(text, Some("t.yaml"), &selected(&["ECR201", "ECR303"]));
        let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["ECR201", "ECR303"]);
        assert_eq!(
            checked.diagnostics[1].message,
            "the lifecycle policy text is not valid JSON: Unexpected close brace"
        );
        assert!(checked.parsed);
        assert!(checked.diagnostics[0].fix.is_some());
    }
}
