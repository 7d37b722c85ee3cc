//! What an imported row asks for: the people, posts and units it names resolved (looked up
//! once for the whole file), and its changed columns turned into the workflow changes the
//! API would make — assign, then accept with measures, then report progress.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::{FieldChange, import::Reject, sheet::SheetRow};
use crate::{
    domain::{
        ItemCategory,
        ledger::{self, Column, LedgerRow},
    },
    service::{
        Actor, ServiceError, Services,
        workflow::{Assignment, LedgerChange, root_in},
    },
    store::{agencies::AgencyRow, items::ItemRow, persons::PersonRow, posts::PostRow, tx::Tx},
};

/// The people, posts and agencies the sheet names, looked up once for the whole file.
pub(super) struct Names {
    persons: Vec<PersonRow>,
    posts: Vec<PostRow>,
    agencies: HashMap<String, AgencyRow>,
    /// The supporting units items have now (kept when a row reassigns without 配合单位).
    supporting: HashMap<Uuid, Vec<Uuid>>,
}

impl Services {
    /// Looks up every person, post and agency the changed cells name, once; only those
    /// within `actor`'s reach are found (a name outside it reads as unknown, and its id is
    /// never revealed).
    pub(super) async fn names_in(
        &self,
        tx: &Tx,
        actor: &Actor,
        keyed: &[(&SheetRow, Uuid, i32)],
        current: &HashMap<Uuid, LedgerRow>,
    ) -> Result<Names, ServiceError> {
        let mut people = HashSet::new();
        let mut units = HashSet::new();
        for (row, id, _) in keyed {
            let Some(now) = current.get(id) else { continue };
            for column in [Column::Lead, Column::Responsible] {
                if changed(row, now, column)
                    && let Some(name) = ledger::read_name(row.cell(column))
                {
                    people.insert(name);
                }
            }
            if changed(row, now, Column::LeadUnit) {
                units.extend(ledger::read_list(row.cell(Column::LeadUnit)));
            }
            if changed(row, now, Column::SupportingUnits) {
                units.extend(ledger::read_list(row.cell(Column::SupportingUnits)));
            }
        }
        let people: Vec<String> = people.into_iter().collect();
        let units: Vec<String> = units.into_iter().collect();
        let (persons, posts) = if people.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let mut persons = self.store.persons_named(&people).await?;
            persons.retain(|p| actor.reaches(p.agency_id));
            let mut posts = self.store.posts_titled(&people).await?;
            posts.retain(|p| actor.reaches(p.agency_id));
            (persons, posts)
        };
        let agencies = if units.is_empty() {
            HashMap::new()
        } else {
            // Units of the importer's own tree are found (a supporting unit may be a peer
            // department); the workflow checks each use against the importer's reach.
            let home = match actor.agency_id() {
                Some(agency) => Some(root_in(tx, agency).await?),
                None => None,
            };
            let mut found = HashMap::new();
            for a in self.store.agencies_named(&units).await? {
                let visible = actor.reaches(a.id)
                    || match home {
                        Some(home) => root_in(tx, a.id).await? == home,
                        None => false,
                    };
                if visible {
                    found.insert(a.name.clone(), a);
                }
            }
            found
        };
        let ids: Vec<Uuid> = current.keys().copied().collect();
        let mut supporting: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (item, unit) in self.store.supporting_units_of_items(&ids).await? {
            supporting.entry(item).or_default().push(unit);
        }
        Ok(Names {
            persons,
            posts,
            agencies,
            supporting,
        })
    }

    /// The workflow changes a row asks for, in the order they are taken: assign, accept,
    /// report progress. Each comes with the column it answers for.
    pub(super) fn plan(
        &self,
        actor: &Actor,
        item: &ItemRow,
        row: &SheetRow,
        changes: &[FieldChange],
        names: &Names,
    ) -> Result<Vec<(Column, LedgerChange)>, Reject> {
        let has = |c: Column| changes.iter().any(|f| f.column == c);
        let mut plan = Vec::new();
        if let Some(first) = changes.iter().find(|f| f.column.assigns()) {
            let (lead_person_id, lead_post_id) = if has(Column::Lead) {
                let name = ledger::read_name(row.cell(Column::Lead)).ok_or_else(|| {
                    Reject::invalid(Column::Lead, "交办需要责任领导：责任领导不能为空")
                })?;
                match person_named(actor, item, &name, &names.persons) {
                    Ok(p) => (Some(p), None),
                    Err(none) => match names
                        .posts
                        .iter()
                        .filter(|p| p.title == name && p.agency_id == item.agency_id)
                        .collect::<Vec<_>>()
                        .as_slice()
                    {
                        [post] => (None, Some(post.id)),
                        _ => return Err(Reject::invalid(Column::Lead, none)),
                    },
                }
            } else {
                (item.lead_person_id, item.lead_post_id)
            };
            if lead_person_id.is_none() && lead_post_id.is_none() {
                return Err(Reject::invalid(
                    Column::Lead,
                    "交办需要责任领导：请填写责任领导",
                ));
            }
            let responsible_person_id = if has(Column::Responsible) {
                match ledger::read_name(row.cell(Column::Responsible)) {
                    Some(name) => Some(
                        person_named(actor, item, &name, &names.persons)
                            .map_err(|e| Reject::invalid(Column::Responsible, e))?,
                    ),
                    None => None,
                }
            } else {
                item.responsible_person_id
            };
            let unit = |name: &str, column: Column| -> Result<Uuid, Reject> {
                names
                    .agencies
                    .get(name)
                    .map(|a| a.id)
                    .ok_or_else(|| Reject::invalid(column, format!("未找到名为“{name}”的单位")))
            };
            let lead_unit_id = if has(Column::LeadUnit) {
                match ledger::read_list(row.cell(Column::LeadUnit)).as_slice() {
                    [] => None,
                    [one] => Some(unit(one, Column::LeadUnit)?),
                    _ => {
                        return Err(Reject::invalid(
                            Column::LeadUnit,
                            "责任单位只能填一个（其他单位请填入配合单位）",
                        ));
                    }
                }
            } else {
                item.lead_unit_id
            };
            let supporting_unit_ids = if has(Column::SupportingUnits) {
                ledger::read_list(row.cell(Column::SupportingUnits))
                    .iter()
                    .map(|n| unit(n, Column::SupportingUnits))
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                names.supporting.get(&item.id).cloned().unwrap_or_default()
            };
            let due_on = if has(Column::DueOn) {
                ledger::read_date(row.cell(Column::DueOn))
                    .map_err(|e| Reject::invalid(Column::DueOn, e.to_string()))?
                    .ok_or_else(|| {
                        Reject::invalid(Column::DueOn, "交办需要完成时限：完成时限不能为空")
                    })?
            } else {
                item.due_on.ok_or_else(|| {
                    Reject::invalid(Column::DueOn, "交办需要完成时限：请填写完成时限")
                })?
            };
            let category = if has(Column::Category) {
                ledger::read_category(row.cell(Column::Category))
                    .map_err(|e| Reject::invalid(Column::Category, e.to_string()))?
                    .ok_or_else(|| Reject::invalid(Column::Category, "整改类别不能为空"))?
            } else {
                // 限期整改 (a set date) is what a 完成时限 makes of an item not yet classed.
                item.category.unwrap_or(ItemCategory::TimeBound)
            };
            plan.push((
                first.column,
                LedgerChange::Assign(Assignment {
                    lead_person_id,
                    lead_post_id,
                    responsible_person_id,
                    keep_responsible: false,
                    lead_unit_id,
                    supporting_unit_ids,
                    due_on,
                    category,
                }),
            ));
        }
        if has(Column::Measures) {
            let measures = ledger::normalize(&row.cell(Column::Measures).as_text());
            if measures.is_empty() {
                return Err(Reject::invalid(Column::Measures, "整改措施不能清空"));
            }
            plan.push((Column::Measures, LedgerChange::Accept { measures }));
        }
        if has(Column::Progress) {
            let progress = ledger::normalize(&row.cell(Column::Progress).as_text());
            if progress.is_empty() {
                return Err(Reject::invalid(Column::Progress, "进展情况不能清空"));
            }
            plan.push((Column::Progress, LedgerChange::Progress(progress)));
        }
        Ok(plan)
    }
}

/// Whether the sheet has `column` and says something else there than the item now (an
/// unreadable cell counts: `diff` reports it).
fn changed(row: &SheetRow, now: &LedgerRow, column: Column) -> bool {
    row.cells.contains_key(&column)
        && ledger::differs(column, &now.cell(column), row.cell(column)).unwrap_or(true)
}

/// The one person called `name` the actor may name for `item`: in the item's agency if
/// there is exactly one there, else the only one within the actor's reach.
fn person_named(
    actor: &Actor,
    item: &ItemRow,
    name: &str,
    persons: &[PersonRow],
) -> Result<Uuid, String> {
    let named: Vec<&PersonRow> = persons
        .iter()
        .filter(|p| p.name == name && actor.reaches(p.agency_id))
        .collect();
    let here: Vec<&&PersonRow> = named
        .iter()
        .filter(|p| p.agency_id == item.agency_id)
        .collect();
    match (here.as_slice(), named.as_slice()) {
        ([one], _) => Ok(one.id),
        (_, [one]) => Ok(one.id),
        (_, []) => Err(format!("未找到名为“{name}”的人员（或岗位）")),
        (_, many) => Err(format!(
            "有 {} 位名为“{name}”的人员，无法确定是哪一位",
            many.len()
        )),
    }
}
