//! rectify tracks the rectification (整改) of shortcomings that Chinese government agencies
//! list in their annual reports: each shortcoming becomes a tracked item with a workflow,
//! deadlines, reminders and evidence, exposed over GraphQL.
//!
//! Layers, top to bottom: [`http`] and [`graphql`] (thin adapters) → [`service`] (use cases,
//! transactions) → [`domain`] (pure rules) and [`store`] (sea-orm, the only database code).

pub mod assets;
pub mod config;
pub mod demo;
pub mod domain;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod seed;
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
