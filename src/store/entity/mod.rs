//! sea-orm entities, one module per table. Enum-like columns are plain strings here;
//! the domain parses them.

pub mod account;
pub mod account_preference;
pub mod agency;
pub mod agency_webhook;
pub mod api_token;
pub mod calendar_feed;
pub mod chain_head;
pub mod commitment;
pub mod evidence;
pub mod extension_request;
pub mod first_sign_in_link;
pub mod item;
pub mod item_event;
pub mod item_supporting_unit;
pub mod job_run;
pub mod notification;
pub mod person;
pub mod post;
pub mod post_tenure;
pub mod previous_rectification;
pub mod reminder;
pub mod report;
pub mod shortcoming;
pub mod shortcoming_commitment_link;
pub mod supervision;
pub mod web_session;
