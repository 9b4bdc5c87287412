//! Remedies rendered for the source they came from: edits that keep the text's quoting,
//! indentation and escaping, or, for a repository that exists, the `aws ecr` command.

use super::{Lowered, OwnerForm, Place, Target};
use crate::diagnostic::Fix;
use crate::model::{Anchor, Remedy, TagMutability, PULL_ACTIONS};
use crate::syntax::write::Generated;
use crate::syntax::{Format, ScalarStyle};

/// A remedy as the source can take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rendered {
    Fix(Fix),
    /// The command that changes the live repository, for the message.
    Command(String),
    /// The source is not the one to change (a plan): where to make the change, for the message.
    Elsewhere(&'static str),
}

/// ` --registry-id ID --region REGION`, each when known.
fn deployed_options(registry_id: &Option<String>, region: &Option<String>) -> String {
    let mut options = String::new();
    if let Some(id) = registry_id {
        options.push_str(&format!(" --registry-id {id}"));
    }
    if let Some(region) = region {
        options.push_str(&format!(" --region {region}"));
    }
    options
}

const OWNER_ARN_SUB: &str = "arn:${AWS::Partition}:iam::${AWS::AccountId}:root";

impl Lowered<'_> {
    fn target(&self, anchor: Anchor) -> Option<&Target<'_>> {
        self.targets.get(anchor.0 as usize)
    }

    /// Renders a remedy; `None` when this source cannot take it safely.
    pub(crate) fn render(&self, remedy: &Remedy) -> Option<Rendered> {
        if self.kind == super::InputKind::TerraformPlan {
            return Some(Rendered::Elsewhere("fix it in the Terraform source"));
        }
        match remedy {
            Remedy::ImmutableTags {
                repository,
                value,
                drop_exclusions,
            } => self.immutable_tags(*repository, *value, *drop_exclusions),
            Remedy::RestrictPrincipal {
                principal,
                written,
                beside_others,
            } => self
                .restrict_principal(*principal, written, *beside_others)
                .map(Rendered::Fix),
            Remedy::RemoveAction {
                action,
                written,
                safe,
            } => {
                let Target::Element {
                    site,
                    list: Some((list, index)),
                    ..
                } = self.target(*action)?
                else {
                    return None;
                };
                let edit = self.sites[*site].writer.remove_item(list, *index)?;
                let title = format!("Remove `{written}` from the actions");
                Some(Rendered::Fix(if *safe {
                    Fix::safe(title, vec![edit])
                } else {
                    Fix::unsafe_(title, vec![edit])
                }))
            }
            Remedy::RemoveKey { key, written } => {
                let Target::Entry { site, mapping, key } = self.target(*key)? else {
                    return None;
                };
                debug_assert_eq!(key, written);
                let edit = self.sites[*site].writer.remove_entry(mapping, key)?;
                Some(Rendered::Fix(Fix::safe(
                    format!("Remove `{key}`"),
                    vec![edit],
                )))
            }
            Remedy::ScanOnPush { value } => self.scan_on_push(*value),
            Remedy::PullOnly { action, written } => {
                let Target::Element { site, at, list } = self.target(*action)? else {
                    return None;
                };
                // The wildcard alone, or alone in its list: the whole value is replaced.
                let at = match list {
                    None => *at,
                    Some((list, _)) if list.as_sequence()?.items.len() == 1 => *list,
                    Some(_) => return None,
                };
                let pull = PULL_ACTIONS
                    .iter()
                    .map(|a| Generated::Str(a.to_string()))
                    .collect();
                let edit = self.sites[*site]
                    .writer
                    .replace_node(at, &Generated::List(pull))?;
                Some(Rendered::Fix(Fix::unsafe_(
                    format!("Allow only pulling images instead of `{written}`"),
                    vec![edit],
                )))
            }
        }
    }

    fn immutable_tags(
        &self,
        repository: Anchor,
        value: Anchor,
        drop_exclusions: bool,
    ) -> Option<Rendered> {
        let immutable = TagMutability::Immutable.as_str();
        let fix = match self.target(value)? {
            Target::Deployed {
                name,
                registry_id,
                region,
            } => {
                let registry = deployed_options(registry_id, region);
                return Some(Rendered::Command(format!(
                    "aws ecr put-image-tag-mutability --repository-name {name} --image-tag-mutability {immutable}{registry}"
                )));
            }
            Target::Missing {
                site,
                setting,
                resource,
                properties,
            } => {
                let writer = &self.sites[*site].writer;
                let value = Generated::Str(immutable.into());
                let edit = match properties {
                    Some(properties) => writer.insert_entry(properties, setting, &value)?,
                    None if resource.get("Properties").is_none() => writer.insert_entry(
                        resource,
                        "Properties",
                        &Generated::Map(vec![(setting.to_string(), value)]),
                    )?,
                    None => return None,
                };
                let written = match writer.format {
                    crate::syntax::Format::Hcl => format!("{setting} = \"{immutable}\""),
                    // Terraform's JSON syntax: the member as written.
                    crate::syntax::Format::Json if *setting == super::terraform::TAG_MUTABILITY => {
                        format!("\"{setting}\": \"{immutable}\"")
                    }
                    _ => format!("{setting}: {immutable}"),
                };
                Fix::safe(format!("Set `{written}`"), vec![edit])
            }
            Target::Scalar {
                site,
                setting,
                literal,
                parameter,
            } => {
                let writer = &self.sites[*site].writer;
                if !drop_exclusions {
                    // Through a parameter, its Default is rewritten when it accepts the value.
                    if parameter.is_some_and(|p| !p.accepts_remedy) {
                        return None;
                    }
                    let edit = writer.replace_scalar_text((*literal)?, immutable)?;
                    Fix::safe(format!("Set `{setting}` to `{immutable}`"), vec![edit])
                } else {
                    // Tags deliberately left mutable stop being so: only where written directly.
                    if parameter.is_some() {
                        return None;
                    }
                    let mut edits = vec![writer.replace_scalar_text((*literal)?, immutable)?];
                    if let Some(Target::Properties {
                        site,
                        properties: Some(properties),
                    }) = self.target(repository)
                    {
                        let writer = &self.sites[*site].writer;
                        // A template's list of filters, or each of Terraform's filter blocks.
                        let terraform = properties.get(super::terraform::EXCLUSION_FILTER);
                        let key = match terraform {
                            Some(_) => super::terraform::EXCLUSION_FILTER,
                            None => super::cloudformation::EXCLUSION_FILTERS,
                        };
                        let entries = properties.as_mapping()?.entries.iter().enumerate();
                        for (index, _) in entries.filter(|(_, e)| e.key.text == key) {
                            edits.push(writer.remove_entry_at(properties, index)?);
                        }
                    }
                    Fix::unsafe_(
                        format!(
                            "Set `{setting}` to `{immutable}` and remove the exclusion filters"
                        ),
                        edits,
                    )
                }
            }
            Target::Properties { .. }
            | Target::Principal { .. }
            | Target::Element { .. }
            | Target::Entry { .. } => return None,
        };
        Some(Rendered::Fix(fix))
    }

    fn scan_on_push(&self, value: Anchor) -> Option<Rendered> {
        use super::{cloudformation as cfn, terraform as tf};
        let writer = |site: &usize| &self.sites[*site].writer;
        let scan = || Generated::Bool(true);
        let fix = match self.target(value)? {
            Target::Deployed {
                name,
                registry_id,
                region,
            } => {
                let registry = deployed_options(registry_id, region);
                return Some(Rendered::Command(format!(
                    "aws ecr put-image-scanning-configuration --repository-name {name} --image-scanning-configuration scanOnPush=true{registry}"
                )));
            }
            Target::Scalar {
                site,
                setting,
                literal,
                parameter,
            } => {
                // Through a parameter, its Default is rewritten when it accepts the value.
                if parameter.is_some_and(|p| !p.accepts_remedy) {
                    return None;
                }
                let literal = (*literal)?;
                let writer = writer(site);
                // A bare `false` becomes a bare `true`; a quoted one keeps its quotes.
                let edit = match literal.as_scalar()?.style {
                    ScalarStyle::Plain | ScalarStyle::JsonLiteral => {
                        writer.replace_node(literal, &scan())?
                    }
                    _ => writer.replace_scalar_text(literal, "true")?,
                };
                Fix::safe(format!("Set `{setting}` to `true`"), vec![edit])
            }
            Target::Missing {
                site,
                setting,
                resource,
                properties,
            } => {
                let writer = writer(site);
                let hcl = writer.format == Format::Hcl;
                let (edit, written) = match *setting {
                    cfn::SCANNING => {
                        let configuration =
                            Generated::Map(vec![(cfn::SCAN_ON_PUSH.to_string(), scan())]);
                        let edit = match properties {
                            Some(properties) => {
                                writer.insert_entry(properties, setting, &configuration)?
                            }
                            None if resource.get("Properties").is_none() => writer.insert_entry(
                                resource,
                                "Properties",
                                &Generated::Map(vec![(setting.to_string(), configuration)]),
                            )?,
                            None => return None,
                        };
                        (edit, format!("{setting}: {{{}: true}}", cfn::SCAN_ON_PUSH))
                    }
                    tf::SCANNING => {
                        let attributes = vec![(tf::SCAN_ON_PUSH.to_string(), scan())];
                        let edit = if hcl {
                            writer.insert_block((*properties)?, setting, &attributes)?
                        } else {
                            // Terraform's JSON syntax: the block as an object.
                            writer.insert_entry(
                                (*properties)?,
                                setting,
                                &Generated::Map(attributes),
                            )?
                        };
                        (edit, format!("{setting} {{ {} = true }}", tf::SCAN_ON_PUSH))
                    }
                    _ => {
                        let edit = writer.insert_entry((*properties)?, setting, &scan())?;
                        let written = if hcl {
                            format!("{setting} = true")
                        } else {
                            format!("{setting}: true")
                        };
                        (edit, written)
                    }
                };
                Fix::safe(format!("Set `{written}`"), vec![edit])
            }
            Target::Properties { .. }
            | Target::Principal { .. }
            | Target::Element { .. }
            | Target::Entry { .. } => return None,
        };
        Some(Rendered::Fix(fix))
    }

    fn restrict_principal(
        &self,
        anchor: Anchor,
        written: &str,
        beside_others: bool,
    ) -> Option<Fix> {
        let Target::Principal { site, at, place } = self.target(anchor)? else {
            return None;
        };
        let site = &self.sites[*site];
        // Beside other principals, the everyone-principal is just removed: no account needed.
        if let (true, Place::AwsListItem { list, index }) = (beside_others, place) {
            if let Some(edit) = site.writer.remove_item(list, *index) {
                return Some(Fix::safe(
                    format!("Remove `{written}` from the principals"),
                    vec![edit],
                ));
            }
        }
        let (owner, owner_text) = match site.owner {
            OwnerForm::Template => (Generated::Sub(OWNER_ARN_SUB.into()), OWNER_ARN_SUB.into()),
            OwnerForm::SubText => (Generated::Str(OWNER_ARN_SUB.into()), OWNER_ARN_SUB.into()),
            OwnerForm::Account(id) => {
                let arn = format!("arn:aws:iam::{id}:root");
                (Generated::Str(arn.clone()), arn)
            }
            OwnerForm::Terraform {
                identity,
                partition,
                inline,
            } => {
                let partition = partition.map_or("aws".to_string(), |p| {
                    format!("${{data.aws_partition.{p}.partition}}")
                });
                let arn = format!(
                    "arn:{partition}:iam::${{data.aws_caller_identity.{identity}.account_id}}:root"
                );
                let generated = if inline {
                    Generated::Str(arn.clone())
                } else {
                    Generated::Sub(arn.clone())
                };
                (generated, arn)
            }
            OwnerForm::Unknown => return None,
        };
        let edit = match place {
            Place::Whole => site
                .writer
                .replace_node(at, &Generated::Map(vec![("AWS".to_string(), owner)]))?,
            _ => site.writer.replace_node(at, &owner)?,
        };
        Some(Fix::safe(
            format!("Allow only the owning account (`{owner_text}`)"),
            vec![edit],
        ))
    }
}
