//! Counting a tool's findings against the corpus's answers: true positives, false positives,
//! misses, and how each spelling under test fared.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::corpus::{Check, Corpus, Set};
use super::tools::{Finding, Place};

/// Counted over the checks the tool makes; `checks` has the same counts check by check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub true_positives: usize,
    pub false_positives: usize,
    pub missed: usize,
    #[serde(default)]
    pub checks: Vec<CheckScore>,
    /// Per check and case: how many answers the tool got right, of how many.
    pub cases: Vec<CaseScore>,
    /// Each wrong answer, `file part check (case)`, for reading by hand.
    #[serde(skip)]
    pub wrong: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckScore {
    pub check: String,
    pub true_positives: usize,
    pub false_positives: usize,
    pub missed: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseScore {
    pub check: String,
    pub case: String,
    pub flagged: bool,
    pub right: usize,
    pub total: usize,
}

/// Scores the findings of `checks` (the ones the tool makes) against the answers for them;
/// answers for other checks are left out, so a tool is not counted as missing what it never
/// looks for.
pub fn score(corpus: &Corpus, set: Set, checks: &[Check], findings: &[Finding]) -> Score {
    let mut found: BTreeSet<(String, String, Check)> = BTreeSet::new();
    let mut counts: BTreeMap<Check, CheckScore> = checks
        .iter()
        .map(|c| {
            (
                *c,
                CheckScore {
                    check: c.name().to_string(),
                    ..CheckScore::default()
                },
            )
        })
        .collect();
    let mut wrong = Vec::new();
    for finding in findings {
        let Some(count) = counts.get_mut(&finding.check) else {
            continue;
        };
        let Some(file) = corpus.file(set, &finding.file) else {
            count.false_positives += 1;
            wrong.push(format!(
                "{} ? {} (a file not in the corpus)",
                finding.file,
                finding.check.name()
            ));
            continue;
        };
        let part = match &finding.place {
            Place::Line(line) => file.part_at_line(*line),
            Place::Part(name) => file.part_named(name),
            Place::File => None,
        };
        let Some(part) = part else {
            // Not about any resource or statement of the file.
            count.false_positives += 1;
            wrong.push(format!(
                "{} {:?} {} (not about any resource or statement)",
                finding.file,
                finding.place,
                finding.check.name()
            ));
            continue;
        };
        let name = part.counts_for.clone().unwrap_or_else(|| part.name.clone());
        let path = part.counts_in.clone().unwrap_or_else(|| file.path.clone());
        found.insert((path, name, finding.check));
    }
    let mut cases: BTreeMap<(Check, &'static str, bool), (usize, usize)> = BTreeMap::new();
    let mut answered = BTreeSet::new();
    for (file, part, answer) in corpus.answers(set) {
        let Some(count) = counts.get_mut(&answer.check) else {
            continue;
        };
        let key = (file.path.clone(), part.name.clone(), answer.check);
        let reported = found.contains(&key);
        answered.insert(key);
        let entry = cases
            .entry((answer.check, answer.case, answer.flagged))
            .or_default();
        entry.1 += 1;
        match (answer.flagged, reported) {
            (true, true) => count.true_positives += 1,
            (false, false) => {}
            (true, false) => count.missed += 1,
            (false, true) => count.false_positives += 1,
        }
        if answer.flagged == reported {
            entry.0 += 1;
        } else {
            wrong.push(format!(
                "{} {} {} {} ({})",
                file.path,
                part.name,
                answer.check.name(),
                if reported { "false positive" } else { "missed" },
                answer.case
            ));
        }
    }
    // Findings on parts no check is about: a bucket policy, a public gallery repository.
    for key in found.difference(&answered) {
        if let Some(count) = counts.get_mut(&key.2) {
            count.false_positives += 1;
        }
        wrong.push(format!(
            "{} {} {} false positive (not an ECR repository or repository policy)",
            key.0,
            key.1,
            key.2.name()
        ));
    }
    let checks: Vec<CheckScore> = counts.into_values().collect();
    Score {
        true_positives: checks.iter().map(|c| c.true_positives).sum(),
        false_positives: checks.iter().map(|c| c.false_positives).sum(),
        missed: checks.iter().map(|c| c.missed).sum(),
        checks,
        cases: cases
            .into_iter()
            .map(|((check, case, flagged), (right, total))| CaseScore {
                check: check.name().to_string(),
                case: case.to_string(),
                flagged,
                right,
                total,
            })
            .collect(),
        wrong,
    }
}

#[cfg(test)]
mod tests {
    use super::super::corpus::{generate, Size};
    use super::*;

    /// The answer key read back as findings scores perfectly; dropping one finding makes a miss,
    /// and a finding on a clean part makes a false positive.
    #[test]
    fn the_answer_key_scores_perfectly() {
        let corpus = generate(Size::QUICK);
        for set in Set::ALL {
            let mut perfect = Vec::new();
            let mut clean = None;
            for (file, part, answer) in corpus.answers(set) {
                let finding = Finding {
                    file: file.path.clone(),
                    check: answer.check,
                    // Half by line, half by name, as tools do.
                    place: if perfect.len() % 2 == 0 {
                        Place::Line(part.lines.0)
                    } else {
                        Place::Part(part.name.clone())
                    },
                };
                if answer.flagged {
                    perfect.push(finding);
                } else if clean.is_none() {
                    clean = Some(finding);
                }
            }
            let flagged = perfect.len();
            let result = score(&corpus, set, &Check::ALL, &perfect);
            assert_eq!(
                (result.true_positives, result.false_positives, result.missed),
                (flagged, 0, 0),
                "{set:?}"
            );
            assert!(result.cases.iter().all(|c| c.right == c.total));

            let dropped = perfect.pop().expect("some answers are flagged");
            perfect.push(clean.expect("some answers are clean"));
            let result = score(&corpus, set, &Check::ALL, &perfect);
            assert_eq!(
                (result.true_positives, result.false_positives, result.missed),
                (flagged - 1, 1, 1),
                "{set:?}: dropped {dropped:?}"
            );
            assert_eq!(result.wrong.len(), 2);
        }
    }

    #[test]
    fn findings_on_parameters_count_for_their_resource() {
        let corpus = generate(Size::QUICK);
        let (file, parameter) = corpus
            .files(Set::Small)
            .iter()
            .find_map(|f| {
                f.parts
                    .iter()
                    .find(|p| p.counts_for.is_some())
                    .map(|p| (f, p))
            })
            .expect("some template has a parameter");
        let owner = parameter.counts_for.clone().unwrap();
        let check = if parameter.name.ends_with("TagMutability") {
            Check::Mutable
        } else {
            Check::Public
        };
        let finding = Finding {
            file: file.path.clone(),
            check,
            place: Place::Line(parameter.lines.1),
        };
        let answer = file
            .part_named(&owner)
            .unwrap()
            .answers
            .iter()
            .find(|a| a.check == check)
            .unwrap();
        let result = score(&corpus, Set::Small, &Check::ALL, &[finding]);
        assert_eq!(result.true_positives, usize::from(answer.flagged));
        assert_eq!(result.false_positives, usize::from(!answer.flagged));
    }

    /// A tool is scored only on the checks it makes: with none of its findings, it misses
    /// exactly the flagged answers of those checks, check by check.
    #[test]
    fn a_tool_is_scored_on_its_own_checks() {
        let corpus = generate(Size::QUICK);
        let result = score(&corpus, Set::Small, &[Check::Public, Check::Mutable], &[]);
        let counts: Vec<(&str, usize, usize, usize)> = result
            .checks
            .iter()
            .map(|c| {
                (
                    c.check.as_str(),
                    c.true_positives,
                    c.false_positives,
                    c.missed,
                )
            })
            .collect();
        assert_eq!(
            counts,
            [
                ("public-repository", 0, 0, 109),
                ("mutable-image-tags", 0, 0, 136)
            ]
        );
        assert_eq!(result.missed, 245);
        assert!(result
            .cases
            .iter()
            .all(|c| c.check == "public-repository" || c.check == "mutable-image-tags"));
    }

    #[test]
    fn findings_about_nothing_are_false_positives() {
        let corpus = generate(Size::QUICK);
        let file = &corpus.files(Set::Small)[0];
        let findings = [
            Finding {
                file: file.path.clone(),
                check: Check::Public,
                place: Place::Line(1),
            },
            Finding {
                file: "elsewhere.yaml".into(),
                check: Check::Public,
                place: Place::File,
            },
        ];
        let result = score(&corpus, Set::Small, &Check::ALL, &findings);
        assert_eq!(result.false_positives, 2);
        assert_eq!(result.true_positives, 0);
    }
}
