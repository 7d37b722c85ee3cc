//! Synthetic data for benchmarks (`rectify seed --agencies 1000 --items 1000000`): a city
//! with districts and their departments (Chinese names), three people per agency, and items
//! with due dates spread over a year and states in realistic proportions, each with the
//! first event of its audit chain. Deterministic for a given `--seed`.

use chrono::{Duration, Utc};
use rand::{Rng, SeedableRng, rngs::SmallRng};
use serde_json::json;
use uuid::Uuid;

use crate::{
    service::{ServiceError, Services},
    store::{agencies::NewAgency, persons::NewPerson, seed::SeedItem, tx::NewEvent},
};

const DISTRICTS: &[&str] = &[
    "东城区",
    "西城区",
    "南湖区",
    "北川区",
    "江北区",
    "高新区",
    "经开区",
    "临江区",
    "滨海区",
    "青山区",
    "龙华区",
    "凤凰区",
    "长安区",
    "新城区",
    "老城区",
    "河西区",
    "河东区",
    "开发区",
    "港区",
    "山南县",
];
const DEPARTMENTS: &[&str] = &[
    "司法局",
    "公安局",
    "财政局",
    "教育局",
    "卫生健康委员会",
    "市场监督管理局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "人力资源和社会保障局",
    "应急管理局",
    "民政局",
    "自然资源和规划局",
    "文化和旅游局",
    "城市管理局",
    "水务局",
    "商务局",
    "审计局",
    "统计局",
    "医疗保障局",
    "退役军人事务局",
    "林业局",
    "税务局",
    "信访局",
];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈";
const TOPICS: &[&str] = &[
    "行政执法人员专业素质有待提升",
    "普法宣传形式单一、针对性不强",
    "重大行政决策合法性审查不够规范",
    "规范性文件备案审查不够及时",
    "行政复议案件办理质量有待提高",
    "政务公开标准化规范化水平不高",
    "基层法治建设力量薄弱",
    "执法案卷管理不够规范",
];

/// What was created.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seeded {
    pub agencies: usize,
    pub persons: usize,
    pub items: usize,
}

/// (state, share in per mille, outcome).
const STATES: &[(&str, u32, Option<&str>)] = &[
    ("identified", 50, None),
    ("assigned", 100, None),
    ("in_progress", 350, None),
    ("submitted", 50, None),
    ("closed", 400, Some("rectified")),
    ("ongoing", 30, None),
    ("cancelled", 20, None),
];

fn pick_state(rng: &mut SmallRng) -> (&'static str, Option<&'static str>) {
    let mut roll = rng.random_range(0..1000);
    for (state, share, outcome) in STATES {
        if roll < *share {
            return (state, *outcome);
        }
        roll -= share;
    }
    ("in_progress", None)
}

fn district_name(i: usize) -> String {
    let base = DISTRICTS[i % DISTRICTS.len()].to_owned();
    match i / DISTRICTS.len() {
        0 => base,
        n => {
            format!(
                "{}{}",
                base.trim_end_matches(['区', '县']),
                ["第二", "第三", "第四", "第五"][(n - 1) % 4]
            ) + "区"
        }
    }
}

/// Fills the database with `agencies` agencies and `items` items.
pub async fn seed(
    services: &Services,
    agencies: usize,
    items: usize,
    seed: u64,
) -> Result<Seeded, ServiceError> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let store = &services.store;
    let tz = services.time_zone.name().to_owned();
    let city = store
        .insert_agency(NewAgency {
            name: format!("合成市人民政府（{seed}）"),
            short_name: None,
            parent_id: None,
            kind: "government".into(),
            time_zone: tz.clone(),
        })
        .await?;
    let mut ids = vec![city.id];
    let mut districts = Vec::new();
    let district_count = (agencies / DEPARTMENTS.len()).max(1);
    while ids.len() < agencies {
        let n = ids.len();
        let (name, parent, kind) =
            if districts.len() < district_count && n % (DEPARTMENTS.len() + 1) == 1 {
                (
                    format!("{}人民政府（{seed}）", district_name(districts.len())),
                    city.id,
                    "government",
                )
            } else {
                let d = districts.len().max(1) - 1;
                let parent = districts.get(d).copied().unwrap_or(city.id);
                (
                    format!(
                        "{}{}（{seed}-{n}）",
                        district_name(d),
                        DEPARTMENTS[n % DEPARTMENTS.len()]
                    ),
                    parent,
                    "department",
                )
            };
        let row = store
            .insert_agency(NewAgency {
                name,
                short_name: None,
                parent_id: Some(parent),
                kind: kind.into(),
                time_zone: tz.clone(),
            })
            .await?;
        if kind == "government" {
            districts.push(row.id);
        }
        ids.push(row.id);
    }
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let mut people: Vec<Vec<Uuid>> = Vec::with_capacity(ids.len());
    for (i, agency) in ids.iter().enumerate() {
        let mut mine = Vec::new();
        for (j, title) in ["分管副局长", "科长", "科员"].iter().enumerate() {
            let name = format!(
                "{}{}",
                surnames[rng.random_range(0..surnames.len())],
                ["伟", "芳", "强", "敏", "磊", "静"][rng.random_range(0..6)]
            );
            let person = store
                .insert_person(NewPerson {
                    agency_id: *agency,
                    name,
                    title: Some((*title).into()),
                    email: Some(format!("p{i}-{j}-{seed}@example.gov.cn")),
                    phone: None,
                })
                .await?;
            mine.push(person.id);
        }
        people.push(mine);
    }
    let today = services.today();
    let now = Utc::now();
    let mut done = 0;
    while done < items {
        let batch = (items - done).min(1000);
        let mut rows = Vec::with_capacity(batch);
        for k in 0..batch {
            let n = done + k;
            let a = rng.random_range(0..ids.len());
            let (state, outcome) = pick_state(&mut rng);
            let long_term = state == "ongoing" || rng.random_range(0..100) < 3;
            let due = today + Duration::days(rng.random_range(-180..=185));
            let assigned = state != "identified";
            let accepted = !matches!(state, "identified" | "assigned");
            let assigned_at = now - Duration::days(rng.random_range(10..200));
            let submitted_at = match state {
                "closed" => Some(assigned_at + Duration::days(57)),
                "submitted" => Some(assigned_at + Duration::days(rng.random_range(5..10))),
                _ => None,
            };
            rows.push(SeedItem {
                id: Uuid::now_v7(),
                agency_id: ids[a],
                code: format!("SEED-{seed}-{n:07}"),
                title: format!("{}（第{}项）", TOPICS[n % TOPICS.len()], n + 1),
                category: if long_term { "long_term" } else { "time_bound" }.into(),
                state: state.into(),
                outcome: outcome.map(Into::into),
                due_on: assigned.then_some(due),
                lead_person_id: assigned.then_some(people[a][0]),
                responsible_person_id: assigned.then_some(people[a][1]),
                measures: accepted.then(|| "制定整改方案，明确责任分工，定期跟踪问效".to_owned()),
                assigned_at: assigned.then_some(assigned_at),
                accepted_at: accepted.then_some(assigned_at + Duration::days(2)),
                submitted_at,
                submitted_on: submitted_at
                    .map(|t| t.with_timezone(&services.time_zone).date_naive()),
                closed_at: (state == "closed").then_some(assigned_at + Duration::days(60)),
                created_at: assigned_at - Duration::days(1),
            });
        }
        let tx = store.begin().await?;
        let events: Vec<NewEvent<'_>> = rows
            .iter()
            .map(|r| NewEvent {
                item_id: r.id,
                action: "seed",
                from_state: None,
                to_state: Some(r.state.as_str()),
                actor_account_id: None,
                actor_person_id: None,
                comment: Some("合成数据"),
                payload_json: json!({ "synthetic": true }).to_string(),
                at: r.created_at,
            })
            .collect();
        let result = async {
            tx.insert_seed_items(rows.clone()).await?;
            tx.start_chains(events).await?;
            Ok::<_, crate::store::StoreError>(())
        }
        .await;
        match result {
            Ok(()) => tx.commit().await?,
            Err(e) => {
                tx.rollback().await.ok();
                return Err(e.into());
            }
        }
        done += batch;
        if done % 100_000 == 0 {
            tracing::info!(items = done, "seeding");
        }
    }
    Ok(Seeded {
        agencies: ids.len(),
        persons: ids.len() * 3,
        items,
    })
}
