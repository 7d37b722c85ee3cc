//! Integration tests: the real router on a random port, spoken to over HTTP, on SQLite
//! always and on PostgreSQL when `TEST_DATABASE_URL` is set.

mod helpers;

mod abuse;
mod access;
mod accounts;
mod agencies;
mod audit;
mod calendar;
mod comments;
mod cues;
mod dashboards;
mod demo;
mod examples;
mod fidelity;
mod http_edges;
mod import;
mod import_reviewed;
mod item_order;
mod ledger;
mod limits;
mod links;
mod mail_parts;
mod metrics;
mod persons;
mod reminder_channels;
mod reminders;
mod report_section;
mod round_trips;
mod schema_file;
mod smtp_sink;
mod subscription;
mod supervision;
mod tallies;
mod web_admin;
mod web_browser;
mod web_documents;
mod web_http;
mod web_import;
mod web_offices;
mod web_people;
mod web_support;
mod webhook_guard;
mod webhook_sink;
mod workflow;
mod xml_parts;
