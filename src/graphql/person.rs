//! Queries and mutations on persons.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::{
    ContextExt,
    connection::{ListConnection, connection},
    error::{parse_cursor, parse_id},
    types::Person,
};
use crate::{
    service::persons::{CreatePerson, UpdatePerson},
    store::{page::PageRequest, persons::PersonFilter},
};

#[derive(Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// Persons, in creation order.
    #[graphql(complexity = "first.unwrap_or(50).clamp(1, 200) as usize * child_complexity")]
    async fn persons(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only persons of this agency.")] agency_id: Option<ID>,
        #[graphql(desc = "Only persons whose name contains this text.")] name_contains: Option<
            String,
        >,
        #[graphql(desc = "Page size, 1–200 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> Result<ListConnection<Person>> {
        let filter = PersonFilter {
            agency_ids: agency_id
                .as_ref()
                .map(|id| parse_id("agencyId", id).map(|id| vec![id]))
                .transpose()?,
            name_contains: crate::service::text::optional(
                "nameContains",
                name_contains.as_deref(),
                crate::service::text::MAX_SEARCH_CHARS,
            )?,
        };
        let page = PageRequest::new(first, parse_cursor(after.as_deref())?);
        let (rows, total) = ctx.services().persons(ctx.actor(), filter, page).await?;
        Ok(connection(
            rows,
            total,
            page.after.is_some(),
            |r| r.id,
            Person,
        ))
    }

    /// One person.
    async fn person(&self, ctx: &Context<'_>, id: ID) -> Result<Person> {
        let id = parse_id("id", &id)?;
        Ok(Person(ctx.services().person(ctx.actor(), id).await?))
    }
}

/// A new person.
#[derive(InputObject)]
pub struct CreatePersonInput {
    pub agency_id: ID,
    /// 姓名
    pub name: String,
    /// 职务, e.g. 分管副局长.
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Changes to a person: omit a field to keep it, send null to clear it.
#[derive(InputObject)]
pub struct UpdatePersonInput {
    pub name: Option<String>,
    pub title: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    /// Moves the person to another agency.
    pub agency_id: Option<ID>,
}

fn change(value: MaybeUndefined<String>) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[derive(Default)]
pub struct PersonMutation;

#[Object]
impl PersonMutation {
    /// Creates a person in an agency.
    async fn create_person(&self, ctx: &Context<'_>, input: CreatePersonInput) -> Result<Person> {
        let input = CreatePerson {
            agency_id: parse_id("agencyId", &input.agency_id)?,
            name: input.name,
            title: input.title,
            email: input.email,
            phone: input.phone,
        };
        Ok(Person(
            ctx.services().create_person(ctx.actor(), input).await?,
        ))
    }

    /// Changes a person's name, title, contact details or agency.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdatePersonInput,
    ) -> Result<Person> {
        let id = parse_id("id", &id)?;
        let input = UpdatePerson {
            name: input.name,
            title: change(input.title),
            email: change(input.email),
            phone: change(input.phone),
            agency_id: input
                .agency_id
                .as_ref()
                .map(|a| parse_id("agencyId", a))
                .transpose()?,
        };
        Ok(Person(
            ctx.services().update_person(ctx.actor(), id, input).await?,
        ))
    }
}
