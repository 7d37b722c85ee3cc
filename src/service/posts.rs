//! Posts (职务) and who holds them: responsibility for items led by a post follows the
//! holder of the day, so a rotation of cadres moves permissions and reminders with it.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Actor, ServiceError, Services, text};
use crate::{
    domain::access::Operation,
    store::posts::{PostRow, TenureRow},
};

impl Services {
    /// Creates a post in an agency (e.g. 分管副局长).
    pub async fn create_post(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        title: &str,
    ) -> Result<PostRow, ServiceError> {
        actor.require_in(Operation::ManagePeople, agency_id)?;
        let title = text::required_as("title", "岗位名称", title, 100)?;
        self.store
            .agency(agency_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("agency", agency_id))?;
        self.store
            .insert_post(agency_id, &title)
            .await
            .map_err(|e| match e {
                crate::store::StoreError::Unique(_) => {
                    ServiceError::Conflict(format!("本单位已有名为“{title}”的岗位"))
                }
                other => other.into(),
            })
    }

    /// Appoints a person to a post from `from` (today when not given); the previous holder's
    /// tenure ends that day.
    pub async fn appoint(
        &self,
        actor: &Actor,
        post_id: Uuid,
        person_id: Uuid,
        from: Option<NaiveDate>,
    ) -> Result<TenureRow, ServiceError> {
        let post = self.post(actor, post_id).await?;
        actor.require_in(Operation::ManagePeople, post.agency_id)?;
        let person = self
            .store
            .person(person_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("person", person_id))?;
        actor.require_in(Operation::ManagePeople, person.agency_id)?;
        let day = from.unwrap_or_else(|| self.today());
        if let Some(last) = self.store.tenures_of(post_id).await?.last()
            && day < last.started_on
        {
            return Err(ServiceError::invalid(
                "from",
                format!("现任职自 {} 开始，新的任职不能早于该日期", last.started_on),
            ));
        }
        let tenure = self.store.appoint(post_id, person_id, day).await?;
        // Who leads what through posts is part of each caller's verified identity.
        self.credentials_changed();
        Ok(tenure)
    }

    /// One post.
    pub async fn post(&self, actor: &Actor, id: Uuid) -> Result<PostRow, ServiceError> {
        actor.require(Operation::Read)?;
        let post = self
            .store
            .post(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("post", id))?;
        actor.require_in(Operation::Read, post.agency_id)?;
        Ok(post)
    }

    /// Who held a post, earliest first.
    pub async fn tenures(
        &self,
        actor: &Actor,
        post_id: Uuid,
    ) -> Result<Vec<TenureRow>, ServiceError> {
        let post = self.post(actor, post_id).await?;
        Ok(self.store.tenures_of(post.id).await?)
    }
}

/// The most posts a picker lists.
pub const MAX_PICKED_POSTS: u64 = 500;

impl Services {
    /// The posts of these agencies (each within reach), by title: what an assignment's
    /// picker offers.
    pub async fn posts_of_agencies(
        &self,
        actor: &Actor,
        agency_ids: &[Uuid],
    ) -> Result<Vec<PostRow>, ServiceError> {
        for id in agency_ids {
            actor.require_in(Operation::Read, *id)?;
        }
        Ok(self
            .store
            .posts_of_agencies(agency_ids, MAX_PICKED_POSTS)
            .await?)
    }
}
