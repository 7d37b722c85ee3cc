//! Use cases on persons.

use uuid::Uuid;

use crate::domain::access::Operation;

use super::{Actor, ServiceError, Services, text};
use crate::{
    domain::Email,
    store::{
        page::{Page, PageRequest},
        persons::{NewPerson, PersonChange, PersonFilter, PersonRow},
    },
};

/// Input for creating a person.
#[derive(Clone, Debug)]
pub struct CreatePerson {
    pub agency_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Input for changing a person: `None` keeps a field, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct UpdatePerson {
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub agency_id: Option<Uuid>,
}

fn email(value: Option<&str>) -> Result<Option<String>, ServiceError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Email::parse(v)
            .map(|e| Some(e.as_str().to_owned()))
            .map_err(|e| ServiceError::invalid("email", e.to_string())),
    }
}

impl Services {
    /// Creates a person in an agency.
    #[tracing::instrument(skip(self, actor, input), fields(agency = %input.agency_id))]
    pub async fn create_person(
        &self,
        actor: &Actor,
        input: CreatePerson,
    ) -> Result<PersonRow, ServiceError> {
        actor.require_in(Operation::ManagePeople, input.agency_id)?;
        let new = NewPerson {
            agency_id: input.agency_id,
            name: text::required_as("name", "姓名", &input.name, 100)?,
            title: text::optional_as("title", "职务", input.title.as_deref(), 100)?,
            email: email(input.email.as_deref())?,
            phone: text::optional("phone", input.phone.as_deref(), 40)?,
        };
        if self.store.agency(input.agency_id).await?.is_none() {
            return Err(ServiceError::not_found("agency", input.agency_id));
        }
        Ok(self.store.insert_person(new).await?)
    }

    /// Changes a person's name, title, contact details or agency.
    #[tracing::instrument(skip(self, actor, input))]
    pub async fn update_person(
        &self,
        actor: &Actor,
        id: Uuid,
        input: UpdatePerson,
    ) -> Result<PersonRow, ServiceError> {
        actor.require(Operation::ManagePeople)?;
        let current = self
            .store
            .person(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("person", id))?;
        actor.require_in(Operation::ManagePeople, current.agency_id)?;
        if let Some(agency) = input.agency_id {
            actor.require_in(Operation::ManagePeople, agency)?;
        }
        let change = PersonChange {
            name: input
                .name
                .as_deref()
                .map(|n| text::required_as("name", "姓名", n, 100))
                .transpose()?,
            title: input
                .title
                .map(|t| text::optional_as("title", "职务", t.as_deref(), 100))
                .transpose()?,
            email: input.email.map(|e| email(e.as_deref())).transpose()?,
            phone: input
                .phone
                .map(|p| text::optional("phone", p.as_deref(), 40))
                .transpose()?,
            agency_id: input.agency_id,
        };
        if let Some(agency) = change.agency_id
            && self.store.agency(agency).await?.is_none()
        {
            return Err(ServiceError::not_found("agency", agency));
        }
        self.store
            .update_person(id, change)
            .await?
            .ok_or_else(|| ServiceError::not_found("person", id))
    }

    /// One person.
    pub async fn person(&self, actor: &Actor, id: Uuid) -> Result<PersonRow, ServiceError> {
        actor.require(Operation::Read)?;
        let person = self
            .store
            .person(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("person", id))?;
        actor.require_in(Operation::Read, person.agency_id)?;
        Ok(person)
    }

    /// A page of persons and the total count.
    pub async fn persons(
        &self,
        actor: &Actor,
        mut filter: PersonFilter,
        page: PageRequest,
    ) -> Result<(Page<PersonRow>, u64), ServiceError> {
        filter.agency_ids = actor.scope_agencies(filter.agency_ids)?;
        let rows = self.store.list_persons(&filter, page).await?;
        let total = self.store.count_persons(&filter).await?;
        Ok((rows, total))
    }
}
