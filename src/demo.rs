//! Demo data: the five published seed reports, embedded, imported into a fresh database so
//! one command shows a newcomer real data; and a worked example ([`populate`]): a city with
//! a department under it, an account for every role (printed with its password), and items
//! in every state of the workflow — so that each role's view has something in it, and
//! `rectify remind --once` on the demo's database has reminders to send straight away (items
//! due today, in 7 days, overdue).

use chrono::{Duration, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    domain::{AccountRole, AgencyKind, ItemCategory, ItemOutcome, ItemSource},
    service::{
        Actor, ServiceError, Services,
        agencies::CreateAgency,
        auth::AccountInput,
        evidence::EvidenceInput,
        import::{ImportOutcome, ImportReport},
        persons::CreatePerson,
        workflow::{Assignment, NewItemInput, TransitionInput},
    },
    store::entity::item,
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

/// A demo account: who it is and how to sign in.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub role: AccountRole,
    pub name: String,
    pub email: String,
    pub password: String,
}

/// What [`populate`] made.
#[derive(Clone, Debug)]
pub struct DemoCast {
    pub city: Uuid,
    pub department: Uuid,
    pub accounts: Vec<DemoAccount>,
    /// Item ids by what they show: identified, assigned, accepted, due_today, overdue,
    /// submitted, returned, closed.
    pub items: Vec<(&'static str, Uuid)>,
}

/// The department's demo items: (what it shows, title).
const ITEMS: &[(&str, &str)] = &[
    ("identified", "重大行政决策合法性审查机制不够健全"),
    ("assigned", "行政执法人员专业素质有待提升"),
    ("accepted", "普法宣传形式较为单一，针对性不强"),
    ("due_today", "政务公开专栏信息更新不及时"),
    ("overdue", "行政复议案件办理超期"),
    ("submitted", "执法案卷质量参差不齐"),
    ("returned", "规范性文件备案审查不到位"),
    ("closed", "法律顾问制度落实不够到位"),
];

/// Builds the worked example: 演示市人民政府 with 演示市司法局 under it, a supervisor,
/// a coordinator, two leaders and a responsible person (each an account whose password is
/// returned), and one item in every state, as of `today`.
pub async fn populate(services: &Services, today: NaiveDate) -> Result<DemoCast, ServiceError> {
    let system = Actor::System;
    let city = services
        .create_agency(
            &system,
            CreateAgency {
                name: "演示市人民政府".into(),
                short_name: Some("演示市".into()),
                parent_id: None,
                kind: AgencyKind::Government,
                time_zone: None,
            },
        )
        .await?;
    let department = services
        .create_agency(
            &system,
            CreateAgency {
                name: "演示市司法局".into(),
                short_name: None,
                parent_id: Some(city.id),
                kind: AgencyKind::Department,
                time_zone: None,
            },
        )
        .await?;
    let people = [
        (
            AccountRole::Supervisor,
            city.id,
            "王主任",
            "督查室主任",
            "supervisor",
        ),
        (
            AccountRole::Coordinator,
            department.id,
            "赵联络员",
            "法制科科员",
            "coordinator",
        ),
        (
            AccountRole::Leader,
            department.id,
            "张局长",
            "局长",
            "leader",
        ),
        (
            AccountRole::Leader,
            department.id,
            "陈副局长",
            "副局长",
            "leader2",
        ),
        (
            AccountRole::Person,
            department.id,
            "李科长",
            "法制科科长",
            "person",
        ),
    ];
    let mut accounts = Vec::new();
    let mut actors = std::collections::HashMap::new();
    let mut person_ids = std::collections::HashMap::new();
    for (role, agency, name, title, login) in people {
        let email = format!("{login}@demo.local");
        let person = services
            .create_person(
                &system,
                CreatePerson {
                    agency_id: agency,
                    name: name.into(),
                    title: Some(title.into()),
                    email: Some(email.clone()),
                    phone: None,
                },
            )
            .await?;
        let password = format!("demo-{login}-pass");
        let account = services
            .create_account(
                &system,
                AccountInput {
                    email: email.clone(),
                    password: Some(password.clone()),
                    role,
                    agency_id: Some(agency),
                    person_id: Some(person.id),
                },
            )
            .await?;
        let token = services.issue_token(account.id, "demo", None).await?;
        let actor = services.authenticate(Some(&token.secret)).await?;
        actors.insert(login, actor);
        person_ids.insert(login, person.id);
        accounts.push(DemoAccount {
            role,
            name: name.into(),
            email,
            password,
        });
    }
    let act = |login: &str| actors[login].clone();
    let leader = person_ids["leader"];
    let responsible = person_ids["person"];

    let mut items = Vec::new();
    for (i, (shows, title)) in ITEMS.iter().enumerate() {
        let created = services
            .create_item(
                &act("coordinator"),
                NewItemInput {
                    agency_id: department.id,
                    title: (*title).into(),
                    source: ItemSource::RuleOfLawInspection,
                    source_document: Some("演示市法治督察反馈意见〔2026〕1号".into()),
                    shortcoming_id: None,
                    code: None,
                },
            )
            .await?;
        let id = created.id;
        items.push((*shows, id));
        if *shows == "identified" {
            continue;
        }
        let due_on = match *shows {
            "assigned" => today + Duration::days(7),
            "due_today" => today,
            "overdue" => today + Duration::days(30),
            _ => today + Duration::days(30 + i as i64 * 10),
        };
        let lead = if i % 2 == 0 {
            leader
        } else {
            person_ids["leader2"]
        };
        let item = services
            .assign_item(
                &act("coordinator"),
                id,
                Assignment {
                    lead_person_id: Some(lead),
                    lead_post_id: None,
                    responsible_person_id: Some(responsible),
                    keep_responsible: false,
                    lead_unit_id: Some(department.id),
                    supporting_unit_ids: Vec::new(),
                    due_on,
                    category: ItemCategory::TimeBound,
                },
                Some("请按期完成整改".into()),
                created.version,
            )
            .await?;
        if *shows == "assigned" {
            continue;
        }
        let mut item = services
            .transition_item(
                &act("person"),
                id,
                "accept",
                TransitionInput {
                    measures: Some(format!(
                        "针对“{title}”制定整改方案，明确责任分工和完成时限。"
                    )),
                    ..Default::default()
                },
                item.version,
            )
            .await?;
        if *shows == "overdue" {
            // Time passing: the due date moves into the past as it would have.
            item::Entity::update_many()
                .col_expr(item::Column::DueOn, Expr::value(today - Duration::days(3)))
                .filter(item::Column::Id.eq(id))
                .exec(services.store.conn())
                .await
                .map_err(|e| ServiceError::Internal(e.into()))?;
        }
        if matches!(*shows, "accepted" | "due_today" | "overdue") {
            continue;
        }
        services
            .add_evidence(
                &act("person"),
                id,
                EvidenceInput::Note {
                    name: "整改情况说明".into(),
                    text: format!("“{title}”已按整改方案完成整改，相关制度已印发。"),
                },
            )
            .await?;
        item = services
            .transition_item(
                &act("person"),
                id,
                "submit",
                TransitionInput::default(),
                item.version,
            )
            .await?;
        match *shows {
            "returned" => {
                services
                    .transition_item(
                        &act("supervisor"),
                        id,
                        "reject",
                        TransitionInput {
                            comment: Some("佐证材料不足，请补充制度文件和落实情况".into()),
                            ..Default::default()
                        },
                        item.version,
                    )
                    .await?;
            }
            "closed" => {
                services
                    .transition_item(
                        &act("supervisor"),
                        id,
                        "verify",
                        TransitionInput {
                            outcome: Some(ItemOutcome::Rectified),
                            comment: Some("整改到位，同意销号".into()),
                            ..Default::default()
                        },
                        item.version,
                    )
                    .await?;
            }
            _ => {}
        }
    }
    Ok(DemoCast {
        city: city.id,
        department: department.id,
        accounts,
        items,
    })
}
