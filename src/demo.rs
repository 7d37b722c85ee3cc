//! Demo data: the five published seed reports, embedded, imported into a fresh database so
//! one command shows a newcomer real data.

use crate::{
    domain::AccountRole,
    service::{
        Actor, ServiceError, Services,
        auth::AccountInput,
        import::{ImportOutcome, ImportReport},
    },
};

/// (file name, text, agency name when the text does not name it in full).
pub const SEED_REPORTS: &[(&str, &str, Option<&str>)] = &[
    (
        "000",
        include_str!("../demo/seeds/000_1b5197d54c722079.txt"),
        None,
    ),
    (
        "001",
        include_str!("../demo/seeds/001_6e0a998e47971d1e.txt"),
        None,
    ),
    // This report says only 市机关事务管理局; its 第一责任人 section cites 南通市 rules.
    (
        "002",
        include_str!("../demo/seeds/002_68a8c804233c960c.txt"),
        Some("南通市机关事务管理局"),
    ),
    (
        "003",
        include_str!("../demo/seeds/003_d94bf3dee5b34bdd.txt"),
        None,
    ),
    (
        "004",
        include_str!("../demo/seeds/004_4f334c22fb5e80a3.txt"),
        None,
    ),
];

/// Imports every seed report.
pub async fn import_seeds(services: &Services) -> Result<Vec<ImportOutcome>, ServiceError> {
    let mut outcomes = Vec::new();
    for (_, text, agency) in SEED_REPORTS {
        let input = ImportReport {
            text: (*text).to_owned(),
            agency_name: agency.map(ToOwned::to_owned),
            ..ImportReport::default()
        };
        outcomes.push(services.import_report(&Actor::System, input).await?);
    }
    Ok(outcomes)
}

/// Creates the demo's admin account (password `demo-password`) and returns a token for it,
/// so the IDE can open signed in.
pub async fn demo_admin_token(services: &Services) -> Result<String, ServiceError> {
    let account = services
        .create_account(
            &Actor::System,
            AccountInput {
                email: "admin@demo.local".into(),
                password: Some("demo-password".into()),
                role: AccountRole::Admin,
                agency_id: None,
                person_id: None,
            },
        )
        .await?;
    let expires = chrono::Utc::now() + chrono::Duration::days(1);
    Ok(services
        .issue_token(account.id, "demo", Some(expires))
        .await?
        .secret)
}
