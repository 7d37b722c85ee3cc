//! Pure rules and values: no I/O, no async, no database. Everything else may import this;
//! this imports nothing of the others.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod dashboard;
pub mod destination;
pub mod email;
pub mod ledger;
pub mod reminders;
pub mod report_section;
pub mod values;
pub mod workflow;

pub use email::Email;
pub use values::*;
