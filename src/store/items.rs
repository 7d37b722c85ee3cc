//! Items (整改事项): listing, counting and loading. Every list here is a keyset walk over
//! an index (`idx_items_agency_state`, `idx_items_state_due_on`, `idx_items_lead_person_state`).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, Iterable,
    PaginatorTrait, QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait, RelationDef,
    Select,
    sea_query::{Alias, Expr, IntoIden, JoinType, Query},
};
use uuid::Uuid;

use super::{
    Engine, Store, StoreError,
    agencies::AgencyRow,
    entity::{agency, extension_request, item, item_event, person, shortcoming},
    page::{Page, PageRequest},
    persons::PersonRow,
    reports::ShortcomingRow,
};
use crate::domain::{ItemCategory, ItemOutcome};

/// Ids bound in one `IN (…)` list.
const IDS_PER_QUERY: usize = 1_000;

/// An item as the rest of the service sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub code: Option<String>,
    pub shortcoming_id: Option<Uuid>,
    pub parent_item_id: Option<Uuid>,
    pub source: String,
    pub source_document: Option<String>,
    pub title: String,
    pub measures: Option<String>,
    /// 整改类别, parsed once here (a stored name outside the vocabulary reads as none, and
    /// is logged).
    pub category: Option<ItemCategory>,
    pub state: String,
    /// The verifier's verdict, parsed once here like the category.
    pub outcome: Option<ItemOutcome>,
    pub due_on: Option<NaiveDate>,
    pub lead_post_id: Option<Uuid>,
    pub lead_person_id: Option<Uuid>,
    pub lead_unit_id: Option<Uuid>,
    pub responsible_person_id: Option<Uuid>,
    pub progress: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The day it was submitted, where its agency is.
    pub submitted_on: Option<NaiveDate>,
    pub closed_at: Option<DateTime<Utc>>,
    pub verified_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stored name parsed into its vocabulary; one outside it (written by hand into the
/// database) reads as none, with a warning naming the item, rather than failing every read.
fn vocabulary<T>(
    item: Uuid,
    stored: Option<&str>,
    parse: fn(&str) -> Result<T, crate::domain::UnknownValue>,
) -> Option<T> {
    stored.and_then(|s| {
        parse(s)
            .map_err(|e| tracing::warn!(%item, error = %e, "an item's stored value is unknown"))
            .ok()
    })
}

impl From<item::Model> for ItemRow {
    fn from(m: item::Model) -> Self {
        Self {
            id: m.id,
            agency_id: m.agency_id,
            code: m.code,
            shortcoming_id: m.shortcoming_id,
            parent_item_id: m.parent_item_id,
            source: m.source,
            source_document: m.source_document,
            title: m.title,
            measures: m.measures,
            category: vocabulary(m.id, m.category.as_deref(), ItemCategory::parse),
            state: m.state,
            outcome: vocabulary(m.id, m.outcome.as_deref(), ItemOutcome::parse),
            due_on: m.due_on,
            lead_post_id: m.lead_post_id,
            lead_person_id: m.lead_person_id,
            lead_unit_id: m.lead_unit_id,
            responsible_person_id: m.responsible_person_id,
            progress: m.progress,
            accepted_at: m.accepted_at,
            assigned_at: m.assigned_at,
            submitted_at: m.submitted_at,
            submitted_on: m.submitted_on,
            closed_at: m.closed_at,
            verified_by: m.verified_by,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// What makes an item overdue: due before "today" in its agency's time zone, in a state
/// that is not final.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overdue {
    /// Each time zone in use with today's date there.
    pub cutoffs: Vec<(Tz, NaiveDate)>,
    /// The workflow's states that are not final — listed rather than the final ones
    /// excluded, so that an index on the state narrows the scan.
    pub open_states: Vec<String>,
}

/// Filters for listing items. Every field narrows the list.
#[derive(Clone, Debug, Default)]
pub struct ItemFilter {
    /// Only items owned by these agencies (`None`: any).
    pub agency_ids: Option<Vec<Uuid>>,
    /// Only items in these states.
    pub states: Option<Vec<String>>,
    /// Only items led by this person: in person, or through one of `lead_posts`.
    pub lead_person_id: Option<Uuid>,
    /// The posts the lead person of `lead_person_id` holds today (their items count too).
    pub lead_posts: Vec<Uuid>,
    /// Only items of this shortcoming.
    pub shortcoming_id: Option<Uuid>,
    /// Only items due on or before this date.
    pub due_on_or_before: Option<NaiveDate>,
    /// Only items due on or after this date.
    pub due_on_or_after: Option<NaiveDate>,
    /// Only items this person leads (in person or through a post held today) or is
    /// responsible for: the person and the posts they hold.
    pub involving: Option<(Uuid, Vec<Uuid>)>,
    /// Only items overdue: due before "today" in their agency's time zone and in a state
    /// that is not final.
    pub overdue_on: Option<Overdue>,
    /// Only items at this escalation level (see `domain::reminders::escalation_level`).
    pub escalation: Option<EscalationFilter>,
    /// Only items whose title or ledger number contains this text.
    pub text: Option<String>,
    /// Only items that have an event of this workflow action (e.g. returned: `reject`).
    pub with_action: Option<String>,
    /// Only items with an extension request in this status (e.g. `approved`, `pending`).
    pub with_extension: Option<String>,
    /// Only items of a shortcoming that repeats an earlier report's (屡查屡犯).
    pub recurring: bool,
}

/// The order of a sorted list of items.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ItemSort {
    /// As created (by id).
    #[default]
    Created,
    /// By due date, the earliest first; items without one last.
    DueOn,
    /// By state, in the order given (the workflow's), then by due date.
    State(Vec<String>),
    /// By ledger number (台账编号); items without one last.
    Code,
    /// The most recently changed first.
    Updated,
}

/// The escalation level as date ranges, per time zone in use.
#[derive(Clone, Debug)]
pub struct EscalationFilter {
    pub level: u8,
    /// States in which an item is with its owners (reminded, escalated).
    pub open_states: Vec<String>,
    /// The state of an item assigned and not yet accepted.
    pub awaiting_state: String,
    /// Per zone: the zone, today there, and the instant before which an assignment is
    /// late to be accepted.
    pub zones: Vec<(Tz, NaiveDate, DateTime<Utc>)>,
}

impl EscalationFilter {
    fn condition(&self) -> Condition {
        let single = self.zones.len() == 1;
        let per_zone = self
            .zones
            .iter()
            .fold(Condition::any(), |any, (zone, today, late)| {
                let d = |n: i64| *today + chrono::Duration::days(n);
                let overdue = Condition::all().add(item::Column::DueOn.lt(*today));
                let near = |from: i64, to: i64| {
                    Condition::all()
                        .add(item::Column::DueOn.gte(d(from)))
                        .add(item::Column::DueOn.lte(d(to)))
                };
                let late_acceptance = Condition::all()
                    .add(item::Column::State.eq(self.awaiting_state.as_str()))
                    .add(item::Column::AssignedAt.lt(*late));
                let not_overdue = Condition::any()
                    .add(item::Column::DueOn.is_null())
                    .add(item::Column::DueOn.gte(*today));
                let level = match self.level {
                    3 => overdue,
                    2 => Condition::all()
                        .add(not_overdue)
                        .add(Condition::any().add(near(0, 3)).add(late_acceptance)),
                    1 => Condition::all().add(near(4, 7)).add(late_acceptance.not()),
                    _ => Condition::all()
                        .add(not_overdue)
                        .add(
                            Condition::any()
                                .add(item::Column::DueOn.is_null())
                                .add(item::Column::DueOn.gt(d(7))),
                        )
                        .add(late_acceptance.not()),
                };
                let scoped = if single {
                    level
                } else {
                    level.add(
                        item::Column::AgencyId.in_subquery(
                            Query::select()
                                .column(agency::Column::Id)
                                .from(agency::Entity)
                                .and_where(agency::Column::TimeZone.eq(zone.name()))
                                .to_owned(),
                        ),
                    )
                };
                any.add(scoped)
            });
        let open = item::Column::State.is_in(self.open_states.iter().cloned());
        if self.level == 0 {
            // Level 0: closed, waiting or not yet assigned items, or open ones far from due.
            Condition::any().add(open.not()).add(per_zone)
        } else {
            Condition::all().add(open).add(per_zone)
        }
    }
}

/// From how many agencies on a list is read in id order, filtered (SQLite; see
/// [`ItemFilter::condition`]).
const MANY_AGENCIES: usize = 16;

impl ItemFilter {
    fn condition(&self, engine: Engine) -> Condition {
        let mut c = Condition::all();
        if let Some(ids) = &self.agency_ids {
            c = c.add(if engine == Engine::Sqlite && ids.len() > MANY_AGENCIES {
                // A supervisor's reach of hundreds of agencies: SQLite would otherwise read
                // every item of them through the agency index and sort them all for one page
                // (2.8 s over a million items); in id order, filtered, a page takes 2 ms. The
                // unary plus keeps it off that index. PostgreSQL weighs this itself.
                Expr::cust(r#"+"items"."agency_id""#).is_in(ids.iter().copied())
            } else {
                item::Column::AgencyId.is_in(ids.iter().copied())
            });
        }
        if let Some(states) = &self.states {
            c = c.add(item::Column::State.is_in(states.iter().cloned()));
        }
        if let Some(person) = self.lead_person_id {
            let mut lead = Condition::any().add(item::Column::LeadPersonId.eq(person));
            if !self.lead_posts.is_empty() {
                lead = lead.add(
                    Condition::all()
                        .add(item::Column::LeadPersonId.is_null())
                        .add(item::Column::LeadPostId.is_in(self.lead_posts.iter().copied())),
                );
            }
            c = c.add(lead);
        }
        if let Some(s) = self.shortcoming_id {
            c = c.add(item::Column::ShortcomingId.eq(s));
        }
        if let Some(d) = self.due_on_or_before {
            c = c.add(item::Column::DueOn.lte(d));
        }
        if let Some(d) = self.due_on_or_after {
            c = c.add(item::Column::DueOn.gte(d));
        }
        if let Some((person, posts)) = &self.involving {
            let mut who = Condition::any()
                .add(item::Column::LeadPersonId.eq(*person))
                .add(item::Column::ResponsiblePersonId.eq(*person));
            if !posts.is_empty() {
                who = who.add(item::Column::LeadPostId.is_in(posts.iter().copied()));
            }
            c = c.add(who);
        }
        if let Some(escalation) = &self.escalation {
            c = c.add(escalation.condition());
        }
        if let Some(text) = self.text.as_deref().filter(|t| !t.is_empty()) {
            c = c.add(
                Condition::any()
                    .add(item::Column::Title.contains(text))
                    .add(item::Column::Code.contains(text)),
            );
        }
        if let Some(action) = &self.with_action {
            c = c.add(
                item::Column::Id.in_subquery(
                    Query::select()
                        .column(item_event::Column::ItemId)
                        .from(item_event::Entity)
                        .and_where(item_event::Column::Action.eq(action.as_str()))
                        .to_owned(),
                ),
            );
        }
        if let Some(status) = &self.with_extension {
            c = c.add(
                item::Column::Id.in_subquery(
                    Query::select()
                        .column(extension_request::Column::ItemId)
                        .from(extension_request::Entity)
                        .and_where(extension_request::Column::Status.eq(status.as_str()))
                        .to_owned(),
                ),
            );
        }
        if self.recurring {
            c = c.add(
                item::Column::ShortcomingId.in_subquery(
                    Query::select()
                        .column(shortcoming::Column::Id)
                        .from(shortcoming::Entity)
                        .and_where(shortcoming::Column::RecurrenceOfId.is_not_null())
                        .to_owned(),
                ),
            );
        }
        if let Some(Overdue {
            cutoffs,
            open_states,
        }) = &self.overdue_on
        {
            c = c.add(item::Column::State.is_in(open_states.iter().map(String::as_str)));
            c = c.add(match cutoffs.as_slice() {
                // One time zone in use (the usual case): a plain range over the due date.
                [(_, today)] => Condition::all().add(item::Column::DueOn.lt(*today)),
                _ => cutoffs.iter().fold(Condition::any(), |any, (zone, today)| {
                    any.add(
                        Condition::all().add(item::Column::DueOn.lt(*today)).add(
                            item::Column::AgencyId.in_subquery(
                                Query::select()
                                    .column(agency::Column::Id)
                                    .from(agency::Entity)
                                    .and_where(agency::Column::TimeZone.eq(zone.name()))
                                    .to_owned(),
                            ),
                        ),
                    )
                }),
            });
        }
        c
    }
}

/// What to read together with items, in the same statement (a left join each): what a
/// GraphQL selection will show of each item's agency, lead person and shortcoming.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Joined {
    pub agency: bool,
    pub lead_person: bool,
    pub shortcoming: bool,
}

/// An item with what was read with it ([`Joined`]); `None` where not asked for or absent.
#[derive(Clone, Debug)]
pub struct ItemWith {
    pub item: ItemRow,
    pub agency: Option<AgencyRow>,
    pub lead_person: Option<PersonRow>,
    pub shortcoming: Option<ShortcomingRow>,
}

/// Table aliases and column prefixes of the joined rows.
const AGENCY: &str = "j_agency";
const LEAD: &str = "j_lead";
const SHORTCOMING: &str = "j_sc";

/// Adds a left join on `rel` under `alias`, selecting every column of `E` as `alias_column`.
fn join_all<E: EntityTrait>(
    query: Select<item::Entity>,
    rel: RelationDef,
    alias: &'static str,
) -> Select<item::Entity> {
    let mut query = query.join_as(JoinType::LeftJoin, rel, Alias::new(alias));
    for c in E::Column::iter() {
        query = query.column_as(
            Expr::col((Alias::new(alias), c.into_iden())),
            format!("{alias}_{}", sea_orm::IdenStatic::as_str(&c)),
        );
    }
    query
}

impl Joined {
    /// Whether anything is joined.
    pub fn any(self) -> bool {
        self.agency || self.lead_person || self.shortcoming
    }

    fn apply(self, mut query: Select<item::Entity>) -> Select<item::Entity> {
        if self.agency {
            query = join_all::<agency::Entity>(
                query,
                item::Entity::belongs_to(agency::Entity)
                    .from(item::Column::AgencyId)
                    .to(agency::Column::Id)
                    .into(),
                AGENCY,
            );
        }
        if self.lead_person {
            query = join_all::<person::Entity>(
                query,
                item::Entity::belongs_to(person::Entity)
                    .from(item::Column::LeadPersonId)
                    .to(person::Column::Id)
                    .into(),
                LEAD,
            );
        }
        if self.shortcoming {
            query = join_all::<shortcoming::Entity>(
                query,
                item::Entity::belongs_to(shortcoming::Entity)
                    .from(item::Column::ShortcomingId)
                    .to(shortcoming::Column::Id)
                    .into(),
                SHORTCOMING,
            );
        }
        query
    }

    fn read(self, row: &QueryResult) -> Result<ItemWith, StoreError> {
        let prefix = |alias: &str| format!("{alias}_");
        Ok(ItemWith {
            item: item::Model::from_query_result(row, "")?.into(),
            agency: if self.agency {
                agency::Model::from_query_result_optional(row, &prefix(AGENCY))?.map(Into::into)
            } else {
                None
            },
            lead_person: if self.lead_person {
                person::Model::from_query_result_optional(row, &prefix(LEAD))?.map(Into::into)
            } else {
                None
            },
            shortcoming: if self.shortcoming {
                shortcoming::Model::from_query_result_optional(row, &prefix(SHORTCOMING))?
                    .map(Into::into)
            } else {
                None
            },
        })
    }
}

impl Store {
    /// Runs an item query with what `with` joins to it, in one statement.
    async fn items_joined(
        &self,
        query: Select<item::Entity>,
        with: Joined,
    ) -> Result<Vec<ItemWith>, StoreError> {
        if !with.any() {
            return Ok(query
                .all(self.conn())
                .await?
                .into_iter()
                .map(|m| ItemWith {
                    item: m.into(),
                    agency: None,
                    lead_person: None,
                    shortcoming: None,
                })
                .collect());
        }
        let statement = with.apply(query).build(self.conn().get_database_backend());
        self.conn()
            .query_all_raw(statement)
            .await?
            .iter()
            .map(|row| with.read(row))
            .collect()
    }

    /// One item by id, with what `with` joins to it, in one statement.
    pub async fn item_with(&self, id: Uuid, with: Joined) -> Result<Option<ItemWith>, StoreError> {
        Ok(self
            .items_joined(item::Entity::find().filter(item::Column::Id.eq(id)), with)
            .await?
            .pop())
    }

    /// One item by id.
    pub async fn item(&self, id: Uuid) -> Result<Option<ItemRow>, StoreError> {
        Ok(item::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// Items by id (any order; unknown ids are skipped), read in chunks that fit every
    /// engine's limit on bound values.
    pub async fn items_by_ids(&self, ids: &[Uuid]) -> Result<Vec<ItemRow>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            out.extend(
                item::Entity::find()
                    .filter(item::Column::Id.is_in(chunk.iter().copied()))
                    .all(self.conn())
                    .await?
                    .into_iter()
                    .map(ItemRow::from),
            );
        }
        Ok(out)
    }

    /// A page of items in creation order.
    pub async fn list_items(
        &self,
        filter: &ItemFilter,
        page: PageRequest,
    ) -> Result<Page<ItemRow>, StoreError> {
        Ok(self
            .list_items_with(filter, page, Joined::default())
            .await?
            .map(|w| w.item))
    }

    /// A page of items in creation order, with what `with` joins to each, in one statement.
    pub async fn list_items_with(
        &self,
        filter: &ItemFilter,
        page: PageRequest,
        with: Joined,
    ) -> Result<Page<ItemWith>, StoreError> {
        let mut query = item::Entity::find().filter(filter.condition(self.engine()));
        if let Some(after) = page.after {
            query = query.filter(item::Column::Id.gt(after));
        }
        let query = query.order_by_asc(item::Column::Id).limit(page.limit());
        let rows = self.items_joined(query, with).await?;
        Ok(Page::from_rows(rows, &page))
    }

    /// A page of matching items in `sort` order, `offset` rows in (the web list's numbered
    /// pages). Ties and the default order go by id (creation).
    pub async fn list_items_sorted(
        &self,
        filter: &ItemFilter,
        sort: &ItemSort,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ItemRow>, StoreError> {
        use sea_orm::{
            Order,
            sea_query::{CaseStatement, NullOrdering},
        };
        let mut query = item::Entity::find().filter(filter.condition(self.engine()));
        query = match sort {
            ItemSort::Created => query,
            ItemSort::DueOn => {
                query.order_by_with_nulls(item::Column::DueOn, Order::Asc, NullOrdering::Last)
            }
            ItemSort::Code => {
                query.order_by_with_nulls(item::Column::Code, Order::Asc, NullOrdering::Last)
            }
            ItemSort::Updated => query.order_by_desc(item::Column::UpdatedAt),
            ItemSort::State(states) => {
                // The workflow's order of states (its names are ours, never user input).
                let case =
                    states
                        .iter()
                        .enumerate()
                        .fold(CaseStatement::new(), |case, (n, state)| {
                            case.case(Expr::col(item::Column::State).eq(state.as_str()), n as i64)
                        });
                query
                    .order_by(
                        sea_orm::sea_query::SimpleExpr::Case(Box::new(
                            case.finally(states.len() as i64),
                        )),
                        Order::Asc,
                    )
                    .order_by_with_nulls(item::Column::DueOn, Order::Asc, NullOrdering::Last)
            }
        };
        let rows = query
            .order_by_asc(item::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(self.conn())
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// How many items match.
    pub async fn count_items(&self, filter: &ItemFilter) -> Result<u64, StoreError> {
        Ok(item::Entity::find()
            .filter(filter.condition(self.engine()))
            .count(self.conn())
            .await?)
    }

    /// How many items match, per owning agency (agencies with none are left out): the
    /// three-colour board counts each level this way, in SQL.
    pub async fn count_items_by_agency(
        &self,
        filter: &ItemFilter,
    ) -> Result<Vec<(Uuid, u64)>, StoreError> {
        let rows: Vec<(Uuid, i64)> = item::Entity::find()
            .select_only()
            .column(item::Column::AgencyId)
            .column_as(Expr::col(item::Column::Id).count(), "n")
            .filter(filter.condition(self.engine()))
            .group_by(item::Column::AgencyId)
            .into_tuple()
            .all(self.conn())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(agency, n)| (agency, u64::try_from(n).unwrap_or(0)))
            .collect())
    }

    /// The time zones agencies use (a handful), for "overdue" in each agency's own zone;
    /// a stored name that is no zone is left out, with a warning.
    pub async fn time_zones_in_use(&self) -> Result<Vec<Tz>, StoreError> {
        Ok(agency::Entity::find()
            .select_only()
            .column(agency::Column::TimeZone)
            .distinct()
            .into_tuple::<String>()
            .all(self.conn())
            .await?
            .into_iter()
            .filter_map(|name| {
                name.parse::<Tz>()
                    .map_err(
                        |_| tracing::warn!(zone = %name, "an agency's stored time zone is not one"),
                    )
                    .ok()
            })
            .collect())
    }
}
