//! The GraphQL schema: thin resolvers over the services, data loaders, limits and error codes.

mod admin;
mod agency;
mod auth;
mod calendar;
mod connection;
mod dashboard;
pub mod error;
mod import;
mod item;
mod ledger;
mod limits;
mod links;
pub mod loaders;
mod person;
mod reminders;
mod report;
mod report_section;
mod subscription;
mod supervision;
mod types;
pub mod workflow;

use async_graphql::{Context, MergedObject, Schema};

use crate::{
    config::Limits,
    service::{Actor, Services},
};
use loaders::Loaders;

/// Every query.
#[derive(MergedObject, Default)]
pub struct Query(
    agency::AgencyQuery,
    person::PersonQuery,
    report::ReportQuery,
    report_section::ReportSectionQuery,
    item::ItemQuery,
    auth::AuthQuery,
    workflow::WorkflowQuery,
    reminders::ReminderQuery,
    calendar::CalendarQuery,
    dashboard::DashboardQuery,
    supervision::SupervisionQuery,
    admin::AdminQuery,
);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    agency::AgencyMutation,
    person::PersonMutation,
    import::ImportMutation,
    links::LinkMutation,
    auth::AuthMutation,
    workflow::WorkflowMutation,
    reminders::ReminderMutation,
    calendar::CalendarMutation,
    ledger::LedgerMutation,
    supervision::SupervisionMutation,
    admin::AdminMutation,
);

/// The schema type served at `/graphql`.
pub type AppSchema = Schema<Query, Mutation, subscription::Subscription>;

/// Builds the schema with its limits. Per-request data (the actor, the loaders) is
/// attached to each request by the HTTP layer.
pub fn build_schema(
    services: Services,
    reminders: crate::jobs::Reminders,
    limits: &Limits,
) -> AppSchema {
    Schema::build(
        Query::default(),
        Mutation::default(),
        subscription::Subscription,
    )
    .data(services)
    .data(reminders)
    // Depth is bounded by `limits::OperationLimits`, which lets introspection nest as deep
    // as the standard introspection query needs.
    .limit_complexity(limits.max_query_complexity)
    .limit_recursive_depth(32)
    .limit_directives(8)
    .extension(limits::OperationLimits::from_limits(limits))
    .finish()
}

/// The schema's SDL, as committed in `graphql/schema.graphql`.
pub fn sdl() -> String {
    let limits = crate::config::Settings::default().limits;
    Schema::build(
        Query::default(),
        Mutation::default(),
        subscription::Subscription,
    )
    .limit_depth(limits.max_query_depth)
    .finish()
    .sdl()
}

/// The address a request came from (for sign-in throttling), when known.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub Option<std::net::IpAddr>);

/// The per-request data the HTTP layer attaches.
pub fn request_data(services: &Services, actor: Actor) -> (Actor, Loaders) {
    let loaders = Loaders::new(services, &actor);
    (actor, loaders)
}

/// The data a WebSocket connection attaches: its loaders keep nothing between events.
pub fn connection_data(services: &Services, actor: Actor) -> (Actor, Loaders) {
    let loaders = Loaders::uncached(services, &actor);
    (actor, loaders)
}

/// Helpers for resolvers to reach the request's context.
pub(crate) trait ContextExt {
    fn services(&self) -> &Services;
    fn actor(&self) -> &Actor;
    fn loaders(&self) -> &Loaders;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> &Services {
        self.data_unchecked::<Services>()
    }

    fn actor(&self) -> &Actor {
        self.data_opt::<Actor>().unwrap_or(&Actor::Anonymous)
    }

    fn loaders(&self) -> &Loaders {
        self.data_unchecked::<Loaders>()
    }
}
