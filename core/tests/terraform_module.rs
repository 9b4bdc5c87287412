//! A Terraform module checked file by file with its siblings: variables declared in one file
//! and used in another, `.tfvars` values overriding defaults, and each finding placed in the
//! file where its fix writes.

use ecrlint_core::{check_in_module, fix_in_module, Checked, Settings, Source};

const MAIN: &str = r#"resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = var.mutability
}
"#;

const VARIABLES: &str = r#"variable "mutability" {
  type    = string
  default = "MUTABLE"
}
"#;

/// The finding at a value written in the checked file and used by `MAIN`.
fn used_in_main() -> String {
    let usage = MAIN.find("var.mutability").unwrap();
    format!(
        "ECR201 \"\\\"MUTABLE\\\"\" [main.tf {}-{}: the value is used here] fix: Set `image_tag_mutability` to `IMMUTABLE`",
        usage,
        usage + "var.mutability".len()
    )
}

/// `text` at `path`, checked with one other file of its module.
fn with_one(text: &str, path: &str, other: &str, other_text: &str, settings: &Settings) -> Checked {
    let siblings = [Source {
        path: other,
        text: other_text,
    }];
    check_in_module(text, Some(path), &siblings, settings)
}

fn settings() -> Settings {
    Settings {
        select: Some(vec!["ECR201".into()]),
        ..Settings::default()
    }
}

/// Each finding as `code start-end "text" [related: file start-end message] fix?`.
fn render(checked: &Checked, text: &str) -> Vec<String> {
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let related: Vec<String> = d
                .related
                .iter()
                .map(|r| {
                    format!(
                        "{} {}-{}: {}",
                        r.file.as_deref().unwrap_or("(here)"),
                        r.range.start,
                        r.range.end,
                        r.message
                    )
                })
                .collect();
            format!(
                "{} {:?} [{}] fix: {}",
                d.code,
                &text[d.range.as_usize()],
                related.join("; "),
                d.fix.as_ref().map_or("none", |f| f.title.as_str())
            )
        })
        .collect()
}

#[test]
fn a_default_in_another_file_is_found_in_both_and_fixed_where_it_is_written() {
    let settings = settings();
    let main = with_one(MAIN, "main.tf", "variables.tf", VARIABLES, &settings);
    let default = VARIABLES.find("\"MUTABLE\"").unwrap();
    assert_eq!(
        render(&main, MAIN),
        [format!(
            "ECR201 \"var.mutability\" [variables.tf {}-{}: the default of variable `mutability`] fix: none",
            default,
            default + 9
        )]
    );
    let variables = with_one(VARIABLES, "variables.tf", "main.tf", MAIN, &settings);
    assert_eq!(render(&variables, VARIABLES), [used_in_main()]);
    let fixed = fix_in_module(
        VARIABLES,
        Some("variables.tf"),
        &[Source {
            path: "main.tf",
            text: MAIN,
        }],
        &settings,
        false,
    );
    assert_eq!(
        fixed.text,
        VARIABLES.replace("\"MUTABLE\"", "\"IMMUTABLE\"")
    );
    assert!(fixed.remaining.diagnostics.is_empty());
}

#[test]
fn tfvars_values_win_over_defaults_in_the_order_given() {
    let settings = settings();
    let immutable = VARIABLES.replace("\"MUTABLE\"", "\"IMMUTABLE\"");
    let tfvars = "mutability = \"MUTABLE\"\n";
    let auto = "mutability = \"IMMUTABLE\"\n";
    let siblings = |with_auto: bool| {
        let mut s = vec![
            Source {
                path: "variables.tf",
                text: &immutable,
            },
            Source {
                path: "terraform.tfvars",
                text: tfvars,
            },
        ];
        if with_auto {
            s.push(Source {
                path: "z.auto.tfvars",
                text: auto,
            });
        }
        s
    };
    let main = check_in_module(MAIN, Some("main.tf"), &siblings(false), &settings);
    assert_eq!(
        render(&main, MAIN),
        ["ECR201 \"var.mutability\" [terraform.tfvars 13-22: `mutability` in the variable values] fix: none"
            .to_string()]
    );
    let clean = check_in_module(MAIN, Some("main.tf"), &siblings(true), &settings);
    assert_eq!(render(&clean, MAIN), Vec::<String>::new());
    // Checked as itself, the .tfvars file holds the finding and its fix.
    let values = check_in_module(
        tfvars,
        Some("terraform.tfvars"),
        &[
            Source {
                path: "main.tf",
                text: MAIN,
            },
            Source {
                path: "variables.tf",
                text: &immutable,
            },
        ],
        &settings,
    );
    assert_eq!(render(&values, tfvars), [used_in_main()]);
}

#[test]
fn a_variable_without_a_value_anywhere_cannot_be_told() {
    let settings = Settings {
        select: Some(vec!["ECR201".into(), "ECR903".into()]),
        ..Settings::default()
    };
    let declared = "variable \"mutability\" {\n  type = string\n}\n";
    let main = with_one(MAIN, "main.tf", "variables.tf", declared, &settings);
    let messages: Vec<&str> = main
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        ["cannot tell whether image tags are mutable: variable `mutability` has no default and no value in the module's .tfvars files"]
    );
}

#[test]
fn a_policy_read_with_file_is_judged_and_reported_at_the_call() {
    let main = "resource \"aws_ecr_repository_policy\" \"p\" {\n  repository = \"app\"\n  policy     = file(\"${path.module}/policy.json\")\n}\n";
    let policy = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}]}\n";
    let settings = Settings::default();
    let checked = with_one(
        main,
        "infra/main.tf",
        "infra/policy.json",
        policy,
        &settings,
    );
    let star = policy.find("\"*\"").unwrap();
    assert_eq!(
        render(&checked, main),
        [format!(
            "ECR101 \"file(\\\"${{path.module}}/policy.json\\\")\" [infra/policy.json {}-{}: in the file read here] fix: none",
            star,
            star + 3
        )]
    );
    // Not given the file: it cannot be told, never a pass.
    let alone = check_in_module(main, Some("infra/main.tf"), &[], &settings);
    let messages: Vec<&str> = alone
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        ["cannot tell whether this repository policy is public: `file()` reads a file ecrlint was not given"]
    );
}

#[test]
fn a_templatefile_policy_is_read_with_the_variables_it_is_given() {
    let main = "variable \"reader\" {\n  default = \"*\"\n}\n\nresource \"aws_ecr_repository_policy\" \"p\" {\n  repository = \"app\"\n  policy     = templatefile(\"${path.module}/policy.json.tpl\", { principal = var.reader })\n}\n";
    let template = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"${principal}\"}, \"Action\": \"ecr:BatchGetImage\"}]}\n";
    let settings = Settings::default();
    let checked = with_one(main, "main.tf", "policy.json.tpl", template, &settings);
    let codes: Vec<(&str, &str)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code, &main[d.range.as_usize()]))
        .collect();
    assert_eq!(
        codes,
        [(
            "ECR101",
            "templatefile(\"${path.module}/policy.json.tpl\", { principal = var.reader })"
        )]
    );
    // Given an account instead, nothing is public.
    let private = main.replace(
        "default = \"*\"",
        "default = \"arn:aws:iam::111122223333:root\"",
    );
    let checked = with_one(&private, "main.tf", "policy.json.tpl", template, &settings);
    assert_eq!(checked.diagnostics, Vec::new());
}

const CALLER: &str = r#"module "ecr" {
  source     = "./modules/ecr"
  mutability = "MUTABLE"
}

module "registry" {
  source  = "terraform-aws-modules/ecr/aws"
  version = "~> 2.3"
}
"#;

const CHILD_MAIN: &str = r#"resource "aws_ecr_repository" "this" {
  name                 = var.name
  image_tag_mutability = var.mutability
}
"#;

const CHILD_VARIABLES: &str = r#"variable "name" {
  default = "app"
}

variable "mutability" {
  default = "IMMUTABLE"
}
"#;

fn child_files() -> [Source<'static>; 2] {
    [
        Source {
            path: "infra/modules/ecr/main.tf",
            text: CHILD_MAIN,
        },
        Source {
            path: "infra/modules/ecr/variables.tf",
            text: CHILD_VARIABLES,
        },
    ]
}

#[test]
fn a_local_module_is_followed_with_the_arguments_it_is_given() {
    let settings = settings();
    let caller = check_in_module(CALLER, Some("infra/main.tf"), &child_files(), &settings);
    let usage = CHILD_MAIN.find("var.mutability").unwrap();
    assert_eq!(
        render(&caller, CALLER),
        [format!(
            "ECR201 \"\\\"MUTABLE\\\"\" [infra/modules/ecr/main.tf {}-{}: the value is used here] fix: Set `image_tag_mutability` to `IMMUTABLE`",
            usage,
            usage + "var.mutability".len()
        )]
    );
    assert_eq!(
        caller.diagnostics[0].message,
        "`image_tag_mutability` is `MUTABLE` (through argument `mutability` of module `ecr`): image tags can be overwritten"
    );
    let fixed = fix_in_module(
        CALLER,
        Some("infra/main.tf"),
        &child_files(),
        &settings,
        false,
    );
    assert_eq!(fixed.text, CALLER.replace("\"MUTABLE\"", "\"IMMUTABLE\""));
    assert!(fixed.remaining.diagnostics.is_empty());
    // The child's own files, checked as a module of their own: its defaults hold.
    let child = with_one(
        CHILD_MAIN,
        "infra/modules/ecr/main.tf",
        "infra/modules/ecr/variables.tf",
        CHILD_VARIABLES,
        &settings,
    );
    assert_eq!(render(&child, CHILD_MAIN), Vec::<String>::new());
}

#[test]
fn without_an_argument_the_child_takes_its_defaults_and_unknown_arguments_are_told() {
    let settings = Settings {
        select: Some(vec!["ECR201".into(), "ECR903".into()]),
        ..Settings::default()
    };
    let defaults = "module \"ecr\" {\n  source = \"./modules/ecr\"\n}\n";
    let checked = check_in_module(defaults, Some("infra/main.tf"), &child_files(), &settings);
    assert_eq!(render(&checked, defaults), Vec::<String>::new());
    let computed = "module \"ecr\" {\n  source     = \"./modules/ecr\"\n  for_each   = toset([\"a\"])\n  mutability = each.value\n}\n";
    let checked = check_in_module(computed, Some("infra/main.tf"), &child_files(), &settings);
    assert_eq!(
        render(&checked, computed),
        ["ECR903 \"each.value\" [] fix: none".to_string()]
    );
    assert_eq!(
        checked.diagnostics[0].message,
        "cannot tell whether image tags are mutable: `each.value` is known only when Terraform runs"
    );
}

#[test]
fn a_module_that_calls_itself_is_followed_once() {
    let settings = settings();
    let looping = "module \"again\" {\n  source     = \"../ecr\"\n  mutability = \"MUTABLE\"\n}\n\nresource \"aws_ecr_repository\" \"this\" {\n  name                 = \"loop\"\n  image_tag_mutability = var.mutability\n}\n\nvariable \"mutability\" {\n  default = \"IMMUTABLE\"\n}\n";
    let caller =
        "module \"ecr\" {\n  source     = \"./modules/ecr\"\n  mutability = \"MUTABLE\"\n}\n";
    let checked = check_in_module(
        caller,
        Some("infra/main.tf"),
        &[Source {
            path: "infra/modules/ecr/main.tf",
            text: looping,
        }],
        &settings,
    );
    let usage = looping.find("var.mutability").unwrap();
    assert_eq!(
        render(&checked, caller),
        [format!(
            "ECR201 \"\\\"MUTABLE\\\"\" [infra/modules/ecr/main.tf {}-{}: the value is used here] fix: Set `image_tag_mutability` to `IMMUTABLE`",
            usage,
            usage + "var.mutability".len()
        )]
    );
    // Checked as itself, the module's call of itself is not followed: its default holds.
    let variables = "variable \"unused\" {}\n";
    let alone = with_one(
        looping,
        "infra/modules/ecr/main.tf",
        "infra/modules/ecr/variables.tf",
        variables,
        &settings,
    );
    assert_eq!(render(&alone, looping), Vec::<String>::new());
}

#[test]
fn a_tf_json_sibling_gives_its_variables_to_the_module() {
    let settings = settings();
    let variables =
        "{\n  \"variable\": {\n    \"mutability\": {\"default\": \"MUTABLE\"}\n  }\n}\n";
    let main = with_one(MAIN, "main.tf", "variables.tf.json", variables, &settings);
    let default = variables.find("\"MUTABLE\"").unwrap();
    assert_eq!(
        render(&main, MAIN),
        [format!(
            "ECR201 \"var.mutability\" [variables.tf.json {}-{}: the default of variable `mutability`] fix: none",
            default,
            default + "\"MUTABLE\"".len()
        )]
    );
    let immutable = variables.replace("\"MUTABLE\"", "\"IMMUTABLE\"");
    let clean = with_one(MAIN, "main.tf", "variables.tf.json", &immutable, &settings);
    assert_eq!(render(&clean, MAIN), Vec::<String>::new());
}

/// A `.tf.json` file checked itself joins its `.tf` siblings, and its fixes are written in JSON.
#[test]
fn a_tf_json_file_is_checked_with_its_siblings_and_fixed_in_json() {
    let settings = settings();
    let variables =
        "{\n  \"variable\": {\n    \"mutability\": {\"default\": \"MUTABLE\"}\n  }\n}\n";
    let checked = with_one(variables, "variables.tf.json", "main.tf", MAIN, &settings);
    let usage = MAIN.find("var.mutability").unwrap();
    assert_eq!(
        render(&checked, variables),
        [format!(
            "ECR201 \"\\\"MUTABLE\\\"\" [main.tf {usage}-{}: the value is used here] fix: Set `image_tag_mutability` to `IMMUTABLE`",
            usage + "var.mutability".len()
        )]
    );
    let siblings = [Source {
        path: "main.tf",
        text: MAIN,
    }];
    let fixed = fix_in_module(
        variables,
        Some("variables.tf.json"),
        &siblings,
        &settings,
        false,
    );
    assert_eq!(
        fixed.text,
        variables.replace("\"MUTABLE\"", "\"IMMUTABLE\"")
    );
    assert_eq!(fixed.remaining.diagnostics, Vec::new());

    // A repository written in JSON, its variable in a `.tf` file: the value is known, and the
    // missing setting is inserted as a JSON member.
    let repository = "{\n  \"resource\": {\n    \"aws_ecr_repository\": {\n      \"app\": {\n        \"name\": \"${var.name}\"\n      }\n    }\n  }\n}\n";
    let names = "variable \"name\" {\n  default = \"app\"\n}\n";
    let settings = Settings {
        select: Some(vec!["ECR201".into(), "ECR903".into()]),
        ..Settings::default()
    };
    let checked = with_one(repository, "main.tf.json", "variables.tf", names, &settings);
    assert_eq!(
        render(&checked, repository),
        ["ECR201 \"\\\"app\\\"\" [] fix: Set `\"image_tag_mutability\": \"IMMUTABLE\"`"]
    );
    let siblings = [Source {
        path: "variables.tf",
        text: names,
    }];
    let fixed = fix_in_module(
        repository,
        Some("main.tf.json"),
        &siblings,
        &settings,
        false,
    );
    assert_eq!(
        fixed.text,
        "{\n  \"resource\": {\n    \"aws_ecr_repository\": {\n      \"app\": {\n        \"image_tag_mutability\": \"IMMUTABLE\",\n        \"name\": \"${var.name}\"\n      }\n    }\n  }\n}\n"
    );
    assert_eq!(fixed.remaining.diagnostics, Vec::new());
    // Alone, the name is not known: still found, its name unknown only to messages.
    assert_eq!(
        ecrlint_core::check(repository, Some("main.tf.json"), &settings)
            .diagnostics
            .len(),
        1
    );
}

/// The files of one folder checked together give each file what it gets checked on its own with
/// the others as siblings: a value used across files, a policy read with `file()`, a local
/// module's argument, a file that does not parse.
#[test]
fn a_folder_checked_at_once_gives_each_file_its_own_findings() {
    let main = "resource \"aws_ecr_repository\" \"app\" {\n  name                 = \"app\"\n  image_tag_mutability = var.mutability\n}\n\nresource \"aws_ecr_repository_policy\" \"p\" {\n  repository = aws_ecr_repository.app.name\n  policy     = file(\"${path.module}/policy.json\")\n}\n";
    let policy = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}]}\n";
    let broken = "resource \"aws_ecr_repository\" \"b\" {\n  name = \n";
    let files = [
        Source {
            path: "infra/main.tf",
            text: main,
        },
        Source {
            path: "infra/variables.tf",
            text: VARIABLES,
        },
        Source {
            path: "infra/broken.tf",
            text: broken,
        },
        Source {
            path: "infra/caller.tf",
            text: CALLER,
        },
    ];
    let [child_main, child_variables] = child_files();
    let others = [
        Source {
            path: "infra/policy.json",
            text: policy,
        },
        child_main,
        child_variables,
    ];
    let settings = Settings {
        select: Some(vec!["ECR201".into(), "ECR101".into(), "ECR901".into()]),
        ..Settings::default()
    };
    let together = ecrlint_core::check_module(&files, &others, &settings);
    assert_eq!(together.len(), files.len());
    for (at, file) in files.iter().enumerate() {
        let siblings: Vec<Source> = files
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at)
            .map(|(_, s)| Source {
                path: s.path,
                text: s.text,
            })
            .chain(others.iter().map(|s| Source {
                path: s.path,
                text: s.text,
            }))
            .collect();
        let alone = check_in_module(file.text, Some(file.path), &siblings, &settings);
        assert_eq!(together[at].diagnostics, alone.diagnostics, "{}", file.path);
        assert_eq!(together[at].parsed, alone.parsed, "{}", file.path);
    }
    let rendered: Vec<Vec<String>> = files
        .iter()
        .zip(&together)
        .map(|(file, checked)| render(checked, file.text))
        .collect();
    let star = policy.find("\"*\"").unwrap();
    let default = VARIABLES.find("\"MUTABLE\"").unwrap();
    let usage = main.find("var.mutability").unwrap();
    let child_usage = CHILD_MAIN.find("var.mutability").unwrap();
    assert_eq!(
        rendered,
        [
            vec![
                format!(
                    "ECR201 \"var.mutability\" [infra/variables.tf {default}-{}: the default of variable `mutability`] fix: none",
                    default + 9
                ),
                format!(
                    "ECR101 \"file(\\\"${{path.module}}/policy.json\\\")\" [infra/policy.json {star}-{}: in the file read here] fix: none",
                    star + 3
                ),
            ],
            vec![format!(
                "ECR201 \"\\\"MUTABLE\\\"\" [infra/main.tf {usage}-{}: the value is used here] fix: Set `image_tag_mutability` to `IMMUTABLE`",
                usage + "var.mutability".len()
            )],
            vec!["ECR901 \"\" [] fix: none".to_string()],
            vec![format!(
                "ECR201 \"\\\"MUTABLE\\\"\" [infra/modules/ecr/main.tf {child_usage}-{}: the value is used here] fix: Set `image_tag_mutability` to `IMMUTABLE`",
                child_usage + "var.mutability".len()
            )],
        ]
    );
}

/// A variable declared twice (Terraform refuses it): whichever file is checked, and however the
/// files are given, the same declaration counts — the last in path order.
#[test]
fn what_a_module_says_twice_does_not_depend_on_the_file_checked() {
    let main = format!("{MAIN}\nvariable \"mutability\" {{\n  default = \"IMMUTABLE\"\n}}\n");
    let settings = settings();
    let files = [
        Source {
            path: "main.tf",
            text: &main,
        },
        Source {
            path: "variables.tf",
            text: VARIABLES,
        },
    ];
    let together = ecrlint_core::check_module(&files, &[], &settings);
    let main_alone = with_one(&main, "main.tf", "variables.tf", VARIABLES, &settings);
    let variables_alone = with_one(VARIABLES, "variables.tf", "main.tf", &main, &settings);
    assert_eq!(together[0].diagnostics, main_alone.diagnostics);
    assert_eq!(together[1].diagnostics, variables_alone.diagnostics);
    // variables.tf's declaration comes last, and counts: the tags are mutable.
    let default = VARIABLES.find("\"MUTABLE\"").unwrap();
    assert_eq!(
        render(&main_alone, &main),
        [format!(
            "ECR201 \"var.mutability\" [variables.tf {default}-{}: the default of variable `mutability`] fix: none",
            default + 9
        )]
    );
    let usage = main.find("var.mutability").unwrap();
    assert_eq!(
        render(&variables_alone, VARIABLES),
        [format!(
            "ECR201 \"\\\"MUTABLE\\\"\" [main.tf {usage}-{}: the value is used here] fix: Set `image_tag_mutability` to `IMMUTABLE`",
            usage + "var.mutability".len()
        )]
    );
}
