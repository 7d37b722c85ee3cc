//! The initial schema: every entity of DESIGN.md, with the keys, uniques and indexes the
//! queries need. Portable: the same statements run on SQLite and PostgreSQL.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Agencies {
    Table,
    Id,
    Name,
    ShortName,
    ParentId,
    Kind,
    TimeZone,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Persons {
    Table,
    Id,
    AgencyId,
    Name,
    Title,
    Email,
    Phone,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Posts {
    Table,
    Id,
    AgencyId,
    Title,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum PostTenures {
    Table,
    Id,
    PostId,
    PersonId,
    StartedOn,
    EndedOn,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    AgencyId,
    PersonId,
    DisabledAt,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum ApiTokens {
    Table,
    Id,
    AccountId,
    TokenHash,
    Name,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Reports {
    Table,
    Id,
    AgencyId,
    Year,
    Period,
    Kind,
    Title,
    PublishedOn,
    SourceUrl,
    RawText,
    Sha256,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Shortcomings {
    Table,
    Id,
    ReportId,
    Ordinal,
    Text,
    SpanStart,
    SpanEnd,
    RecurrenceOfId,
    RecurrenceScore,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Commitments {
    Table,
    Id,
    ReportId,
    Ordinal,
    Text,
    SpanStart,
    SpanEnd,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum PreviousRectifications {
    Table,
    Id,
    ReportId,
    Ordinal,
    Text,
    MatchedShortcomingId,
    MatchScore,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum ShortcomingCommitmentLinks {
    Table,
    Id,
    ShortcomingId,
    CommitmentId,
    Score,
    Origin,
    ConfirmedAt,
    ConfirmedBy,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Items {
    Table,
    Id,
    AgencyId,
    Code,
    ShortcomingId,
    ParentItemId,
    Source,
    SourceDocument,
    Title,
    Measures,
    Category,
    State,
    Outcome,
    DueOn,
    LeadPostId,
    LeadPersonId,
    LeadUnitId,
    ResponsiblePersonId,
    Progress,
    AcceptedAt,
    SubmittedAt,
    ClosedAt,
    VerifiedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum ItemSupportingUnits {
    Table,
    ItemId,
    AgencyId,
}
#[derive(DeriveIden, Clone, Copy)]
enum ItemEvents {
    Table,
    Id,
    ItemId,
    Seq,
    Action,
    FromState,
    ToState,
    ActorAccountId,
    ActorPersonId,
    Comment,
    PayloadJson,
    OccurredAt,
    PrevHash,
    Hash,
}
#[derive(DeriveIden, Clone, Copy)]
enum ChainHeads {
    Table,
    ItemId,
    Seq,
    Hash,
    UpdatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Evidence {
    Table,
    Id,
    ItemId,
    Kind,
    Name,
    ContentType,
    SizeBytes,
    Sha256,
    StorageKey,
    Url,
    Note,
    UploadedBy,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum ExtensionRequests {
    Table,
    Id,
    ItemId,
    RequestedBy,
    RequestedDueOn,
    PreviousDueOn,
    Reason,
    Status,
    DecidedBy,
    DecidedAt,
    DecisionComment,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Reminders {
    Table,
    Id,
    ItemId,
    RecipientPersonId,
    RecipientAddress,
    Channel,
    Kind,
    RefersTo,
    ScheduledAt,
    Status,
    Attempts,
    LeaseUntil,
    LastError,
    SentAt,
    MessageId,
    EscalationLevel,
    Subject,
    IdempotencyKey,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum CalendarFeeds {
    Table,
    Id,
    PersonId,
    TokenHash,
    RevokedAt,
    CreatedAt,
}

/// A foreign key from `table.column` to `target.id`.
fn fk<T: IntoIden + Copy, C: IntoIden, U: IntoIden + Copy, D: IntoIden>(
    table: T,
    column: C,
    target: U,
    target_id: D,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(target, target_id)
        .on_delete(on_delete)
        .take()
}

/// A plain index on `table(columns…)` named `idx_<name>`.
fn index<T: IntoIden + Copy, C: IntoIden + Copy>(
    name: &str,
    table: T,
    columns: &[C],
) -> IndexCreateStatement {
    let mut idx = Index::create()
        .name(format!("idx_{name}"))
        .table(table)
        .take();
    for c in columns {
        idx.col(*c);
    }
    idx
}

/// A unique index on `table(columns…)` named `uq_<name>`.
fn unique<T: IntoIden + Copy, C: IntoIden + Copy>(
    name: &str,
    table: T,
    columns: &[C],
) -> IndexCreateStatement {
    let mut idx = Index::create()
        .name(format!("uq_{name}"))
        .table(table)
        .unique()
        .take();
    for c in columns {
        idx.col(*c);
    }
    idx
}

use ForeignKeyAction::{Cascade, Restrict, SetNull};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Agencies::Table)
                .col(pk_uuid(Agencies::Id))
                .col(string(Agencies::Name))
                .col(string_null(Agencies::ShortName))
                .col(uuid_null(Agencies::ParentId))
                .col(string(Agencies::Kind))
                .col(string(Agencies::TimeZone).default("Asia/Shanghai"))
                .col(timestamp_with_time_zone(Agencies::CreatedAt))
                .col(timestamp_with_time_zone(Agencies::UpdatedAt))
                .foreign_key(&mut fk(
                    Agencies::Table,
                    Agencies::ParentId,
                    Agencies::Table,
                    Agencies::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("agencies_name", Agencies::Table, &[Agencies::Name]))
            .await?;
        m.create_index(index(
            "agencies_parent_id",
            Agencies::Table,
            &[Agencies::ParentId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Persons::Table)
                .col(pk_uuid(Persons::Id))
                .col(uuid(Persons::AgencyId))
                .col(string(Persons::Name))
                .col(string_null(Persons::Title))
                .col(string_null(Persons::Email))
                .col(string_null(Persons::Phone))
                .col(timestamp_with_time_zone(Persons::CreatedAt))
                .col(timestamp_with_time_zone(Persons::UpdatedAt))
                .foreign_key(&mut fk(
                    Persons::Table,
                    Persons::AgencyId,
                    Agencies::Table,
                    Agencies::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "persons_agency_id",
            Persons::Table,
            &[Persons::AgencyId],
        ))
        .await?;
        m.create_index(index("persons_email", Persons::Table, &[Persons::Email]))
            .await?;

        m.create_table(
            Table::create()
                .table(Posts::Table)
                .col(pk_uuid(Posts::Id))
                .col(uuid(Posts::AgencyId))
                .col(string(Posts::Title))
                .col(timestamp_with_time_zone(Posts::CreatedAt))
                .col(timestamp_with_time_zone(Posts::UpdatedAt))
                .foreign_key(&mut fk(
                    Posts::Table,
                    Posts::AgencyId,
                    Agencies::Table,
                    Agencies::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "posts_agency_id_title",
            Posts::Table,
            &[Posts::AgencyId, Posts::Title],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(PostTenures::Table)
                .col(pk_uuid(PostTenures::Id))
                .col(uuid(PostTenures::PostId))
                .col(uuid(PostTenures::PersonId))
                .col(date(PostTenures::StartedOn))
                .col(date_null(PostTenures::EndedOn))
                .col(timestamp_with_time_zone(PostTenures::CreatedAt))
                .foreign_key(&mut fk(
                    PostTenures::Table,
                    PostTenures::PostId,
                    Posts::Table,
                    Posts::Id,
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    PostTenures::Table,
                    PostTenures::PersonId,
                    Persons::Table,
                    Persons::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "post_tenures_post_id_started_on",
            PostTenures::Table,
            &[PostTenures::PostId, PostTenures::StartedOn],
        ))
        .await?;
        m.create_index(index(
            "post_tenures_person_id",
            PostTenures::Table,
            &[PostTenures::PersonId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Accounts::Table)
                .col(pk_uuid(Accounts::Id))
                .col(string(Accounts::Email))
                .col(string_null(Accounts::PasswordHash))
                .col(string(Accounts::Role))
                .col(uuid_null(Accounts::AgencyId))
                .col(uuid_null(Accounts::PersonId))
                .col(timestamp_with_time_zone_null(Accounts::DisabledAt))
                .col(timestamp_with_time_zone(Accounts::CreatedAt))
                .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                .foreign_key(&mut fk(
                    Accounts::Table,
                    Accounts::AgencyId,
                    Agencies::Table,
                    Agencies::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    Accounts::Table,
                    Accounts::PersonId,
                    Persons::Table,
                    Persons::Id,
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "accounts_email",
            Accounts::Table,
            &[Accounts::Email],
        ))
        .await?;
        m.create_index(index(
            "accounts_agency_id",
            Accounts::Table,
            &[Accounts::AgencyId],
        ))
        .await?;
        m.create_index(index(
            "accounts_person_id",
            Accounts::Table,
            &[Accounts::PersonId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(pk_uuid(ApiTokens::Id))
                .col(uuid(ApiTokens::AccountId))
                .col(string(ApiTokens::TokenHash))
                .col(string(ApiTokens::Name))
                .col(timestamp_with_time_zone_null(ApiTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                .foreign_key(&mut fk(
                    ApiTokens::Table,
                    ApiTokens::AccountId,
                    Accounts::Table,
                    Accounts::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "api_tokens_token_hash",
            ApiTokens::Table,
            &[ApiTokens::TokenHash],
        ))
        .await?;
        m.create_index(index(
            "api_tokens_account_id",
            ApiTokens::Table,
            &[ApiTokens::AccountId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Reports::Table)
                .col(pk_uuid(Reports::Id))
                .col(uuid(Reports::AgencyId))
                .col(integer(Reports::Year))
                .col(string(Reports::Period))
                .col(string(Reports::Kind))
                .col(string_null(Reports::Title))
                .col(date_null(Reports::PublishedOn))
                .col(string_null(Reports::SourceUrl))
                .col(text(Reports::RawText))
                .col(string(Reports::Sha256))
                .col(timestamp_with_time_zone(Reports::CreatedAt))
                .col(timestamp_with_time_zone(Reports::UpdatedAt))
                .foreign_key(&mut fk(
                    Reports::Table,
                    Reports::AgencyId,
                    Agencies::Table,
                    Agencies::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "reports_agency_id_year_period_kind",
            Reports::Table,
            &[
                Reports::AgencyId,
                Reports::Year,
                Reports::Period,
                Reports::Kind,
            ],
        ))
        .await?;
        m.create_index(index("reports_sha256", Reports::Table, &[Reports::Sha256]))
            .await?;

        m.create_table(
            Table::create()
                .table(Shortcomings::Table)
                .col(pk_uuid(Shortcomings::Id))
                .col(uuid(Shortcomings::ReportId))
                .col(integer(Shortcomings::Ordinal))
                .col(text(Shortcomings::Text))
                .col(integer_null(Shortcomings::SpanStart))
                .col(integer_null(Shortcomings::SpanEnd))
                .col(uuid_null(Shortcomings::RecurrenceOfId))
                .col(double_null(Shortcomings::RecurrenceScore))
                .col(timestamp_with_time_zone(Shortcomings::CreatedAt))
                .foreign_key(&mut fk(
                    Shortcomings::Table,
                    Shortcomings::ReportId,
                    Reports::Table,
                    Reports::Id,
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    Shortcomings::Table,
                    Shortcomings::RecurrenceOfId,
                    Shortcomings::Table,
                    Shortcomings::Id,
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "shortcomings_report_id_ordinal",
            Shortcomings::Table,
            &[Shortcomings::ReportId, Shortcomings::Ordinal],
        ))
        .await?;
        m.create_index(index(
            "shortcomings_recurrence_of_id",
            Shortcomings::Table,
            &[Shortcomings::RecurrenceOfId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Commitments::Table)
                .col(pk_uuid(Commitments::Id))
                .col(uuid(Commitments::ReportId))
                .col(integer(Commitments::Ordinal))
                .col(text(Commitments::Text))
                .col(integer_null(Commitments::SpanStart))
                .col(integer_null(Commitments::SpanEnd))
                .col(timestamp_with_time_zone(Commitments::CreatedAt))
                .foreign_key(&mut fk(
                    Commitments::Table,
                    Commitments::ReportId,
                    Reports::Table,
                    Reports::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "commitments_report_id_ordinal",
            Commitments::Table,
            &[Commitments::ReportId, Commitments::Ordinal],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(PreviousRectifications::Table)
                .col(pk_uuid(PreviousRectifications::Id))
                .col(uuid(PreviousRectifications::ReportId))
                .col(integer(PreviousRectifications::Ordinal))
                .col(text(PreviousRectifications::Text))
                .col(uuid_null(PreviousRectifications::MatchedShortcomingId))
                .col(double_null(PreviousRectifications::MatchScore))
                .col(timestamp_with_time_zone(PreviousRectifications::CreatedAt))
                .foreign_key(&mut fk(
                    PreviousRectifications::Table,
                    PreviousRectifications::ReportId,
                    Reports::Table,
                    Reports::Id,
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    PreviousRectifications::Table,
                    PreviousRectifications::MatchedShortcomingId,
                    Shortcomings::Table,
                    Shortcomings::Id,
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "previous_rectifications_report_id_ordinal",
            PreviousRectifications::Table,
            &[
                PreviousRectifications::ReportId,
                PreviousRectifications::Ordinal,
            ],
        ))
        .await?;
        m.create_index(index(
            "previous_rectifications_matched",
            PreviousRectifications::Table,
            &[PreviousRectifications::MatchedShortcomingId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ShortcomingCommitmentLinks::Table)
                .col(pk_uuid(ShortcomingCommitmentLinks::Id))
                .col(uuid(ShortcomingCommitmentLinks::ShortcomingId))
                .col(uuid(ShortcomingCommitmentLinks::CommitmentId))
                .col(double_null(ShortcomingCommitmentLinks::Score))
                .col(string(ShortcomingCommitmentLinks::Origin))
                .col(timestamp_with_time_zone_null(
                    ShortcomingCommitmentLinks::ConfirmedAt,
                ))
                .col(uuid_null(ShortcomingCommitmentLinks::ConfirmedBy))
                .col(timestamp_with_time_zone(
                    ShortcomingCommitmentLinks::CreatedAt,
                ))
                .foreign_key(&mut fk(
                    ShortcomingCommitmentLinks::Table,
                    ShortcomingCommitmentLinks::ShortcomingId,
                    Shortcomings::Table,
                    Shortcomings::Id,
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    ShortcomingCommitmentLinks::Table,
                    ShortcomingCommitmentLinks::CommitmentId,
                    Commitments::Table,
                    Commitments::Id,
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    ShortcomingCommitmentLinks::Table,
                    ShortcomingCommitmentLinks::ConfirmedBy,
                    Accounts::Table,
                    Accounts::Id,
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "links_shortcoming_id_commitment_id",
            ShortcomingCommitmentLinks::Table,
            &[
                ShortcomingCommitmentLinks::ShortcomingId,
                ShortcomingCommitmentLinks::CommitmentId,
            ],
        ))
        .await?;
        m.create_index(index(
            "links_commitment_id",
            ShortcomingCommitmentLinks::Table,
            &[ShortcomingCommitmentLinks::CommitmentId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Items::Table)
                .col(pk_uuid(Items::Id))
                .col(uuid(Items::AgencyId))
                .col(string_null(Items::Code))
                .col(uuid_null(Items::ShortcomingId))
                .col(uuid_null(Items::ParentItemId))
                .col(string(Items::Source))
                .col(string_null(Items::SourceDocument))
                .col(text(Items::Title))
                .col(text_null(Items::Measures))
                .col(string_null(Items::Category))
                .col(string(Items::State))
                .col(string_null(Items::Outcome))
                .col(date_null(Items::DueOn))
                .col(uuid_null(Items::LeadPostId))
                .col(uuid_null(Items::LeadPersonId))
                .col(uuid_null(Items::LeadUnitId))
                .col(uuid_null(Items::ResponsiblePersonId))
                .col(text_null(Items::Progress))
                .col(timestamp_with_time_zone_null(Items::AcceptedAt))
                .col(timestamp_with_time_zone_null(Items::SubmittedAt))
                .col(timestamp_with_time_zone_null(Items::ClosedAt))
                .col(uuid_null(Items::VerifiedBy))
                .col(integer(Items::Version).default(1))
                .col(timestamp_with_time_zone(Items::CreatedAt))
                .col(timestamp_with_time_zone(Items::UpdatedAt))
                .foreign_key(&mut fk(
                    Items::Table,
                    Items::AgencyId,
                    Agencies::Table,
                    Agencies::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    Items::Table,
                    Items::ShortcomingId,
                    Shortcomings::Table,
                    Shortcomings::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    Items::Table,
                    Items::ParentItemId,
                    Items::Table,
                    Items::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    Items::Table,
                    Items::LeadPostId,
                    Posts::Table,
                    Posts::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    Items::Table,
                    Items::LeadPersonId,
                    Persons::Table,
                    Persons::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    Items::Table,
                    Items::LeadUnitId,
                    Agencies::Table,
                    Agencies::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    Items::Table,
                    Items::ResponsiblePersonId,
                    Persons::Table,
                    Persons::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    Items::Table,
                    Items::VerifiedBy,
                    Accounts::Table,
                    Accounts::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("items_code", Items::Table, &[Items::Code]))
            .await?;
        for (name, cols) in [
            (
                "items_agency_id_state",
                &[Items::AgencyId, Items::State][..],
            ),
            ("items_state_due_on", &[Items::State, Items::DueOn][..]),
            (
                "items_lead_person_id_state",
                &[Items::LeadPersonId, Items::State][..],
            ),
            ("items_lead_post_id", &[Items::LeadPostId][..]),
            (
                "items_responsible_person_id",
                &[Items::ResponsiblePersonId][..],
            ),
            ("items_shortcoming_id", &[Items::ShortcomingId][..]),
            ("items_parent_item_id", &[Items::ParentItemId][..]),
            ("items_lead_unit_id", &[Items::LeadUnitId][..]),
        ] {
            m.create_index(index(name, Items::Table, cols)).await?;
        }

        m.create_table(
            Table::create()
                .table(ItemSupportingUnits::Table)
                .col(uuid(ItemSupportingUnits::ItemId))
                .col(uuid(ItemSupportingUnits::AgencyId))
                .primary_key(
                    Index::create()
                        .col(ItemSupportingUnits::ItemId)
                        .col(ItemSupportingUnits::AgencyId),
                )
                .foreign_key(&mut fk(
                    ItemSupportingUnits::Table,
                    ItemSupportingUnits::ItemId,
                    Items::Table,
                    Items::Id,
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    ItemSupportingUnits::Table,
                    ItemSupportingUnits::AgencyId,
                    Agencies::Table,
                    Agencies::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "item_supporting_units_agency_id",
            ItemSupportingUnits::Table,
            &[ItemSupportingUnits::AgencyId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ItemEvents::Table)
                .col(pk_uuid(ItemEvents::Id))
                .col(uuid(ItemEvents::ItemId))
                .col(integer(ItemEvents::Seq))
                .col(string(ItemEvents::Action))
                .col(string_null(ItemEvents::FromState))
                .col(string_null(ItemEvents::ToState))
                .col(uuid_null(ItemEvents::ActorAccountId))
                .col(uuid_null(ItemEvents::ActorPersonId))
                .col(text_null(ItemEvents::Comment))
                .col(text(ItemEvents::PayloadJson).default("{}"))
                .col(timestamp_with_time_zone(ItemEvents::OccurredAt))
                .col(string(ItemEvents::PrevHash))
                .col(string(ItemEvents::Hash))
                .foreign_key(&mut fk(
                    ItemEvents::Table,
                    ItemEvents::ItemId,
                    Items::Table,
                    Items::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    ItemEvents::Table,
                    ItemEvents::ActorAccountId,
                    Accounts::Table,
                    Accounts::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    ItemEvents::Table,
                    ItemEvents::ActorPersonId,
                    Persons::Table,
                    Persons::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "item_events_item_id_seq",
            ItemEvents::Table,
            &[ItemEvents::ItemId, ItemEvents::Seq],
        ))
        .await?;
        m.create_index(index(
            "item_events_item_id_occurred_at",
            ItemEvents::Table,
            &[ItemEvents::ItemId, ItemEvents::OccurredAt],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ChainHeads::Table)
                .col(uuid(ChainHeads::ItemId).primary_key())
                .col(integer(ChainHeads::Seq))
                .col(string(ChainHeads::Hash))
                .col(timestamp_with_time_zone(ChainHeads::UpdatedAt))
                .foreign_key(&mut fk(
                    ChainHeads::Table,
                    ChainHeads::ItemId,
                    Items::Table,
                    Items::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Evidence::Table)
                .col(pk_uuid(Evidence::Id))
                .col(uuid(Evidence::ItemId))
                .col(string(Evidence::Kind))
                .col(string(Evidence::Name))
                .col(string_null(Evidence::ContentType))
                .col(big_integer_null(Evidence::SizeBytes))
                .col(string_null(Evidence::Sha256))
                .col(string_null(Evidence::StorageKey))
                .col(text_null(Evidence::Url))
                .col(text_null(Evidence::Note))
                .col(uuid_null(Evidence::UploadedBy))
                .col(timestamp_with_time_zone(Evidence::CreatedAt))
                .foreign_key(&mut fk(
                    Evidence::Table,
                    Evidence::ItemId,
                    Items::Table,
                    Items::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    Evidence::Table,
                    Evidence::UploadedBy,
                    Accounts::Table,
                    Accounts::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "evidence_item_id",
            Evidence::Table,
            &[Evidence::ItemId],
        ))
        .await?;
        m.create_index(index(
            "evidence_sha256",
            Evidence::Table,
            &[Evidence::Sha256],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ExtensionRequests::Table)
                .col(pk_uuid(ExtensionRequests::Id))
                .col(uuid(ExtensionRequests::ItemId))
                .col(uuid_null(ExtensionRequests::RequestedBy))
                .col(date(ExtensionRequests::RequestedDueOn))
                .col(date_null(ExtensionRequests::PreviousDueOn))
                .col(text(ExtensionRequests::Reason))
                .col(string(ExtensionRequests::Status))
                .col(uuid_null(ExtensionRequests::DecidedBy))
                .col(timestamp_with_time_zone_null(ExtensionRequests::DecidedAt))
                .col(text_null(ExtensionRequests::DecisionComment))
                .col(timestamp_with_time_zone(ExtensionRequests::CreatedAt))
                .col(timestamp_with_time_zone(ExtensionRequests::UpdatedAt))
                .foreign_key(&mut fk(
                    ExtensionRequests::Table,
                    ExtensionRequests::ItemId,
                    Items::Table,
                    Items::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    ExtensionRequests::Table,
                    ExtensionRequests::RequestedBy,
                    Accounts::Table,
                    Accounts::Id,
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    ExtensionRequests::Table,
                    ExtensionRequests::DecidedBy,
                    Accounts::Table,
                    Accounts::Id,
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "extension_requests_item_id_status",
            ExtensionRequests::Table,
            &[ExtensionRequests::ItemId, ExtensionRequests::Status],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Reminders::Table)
                .col(pk_uuid(Reminders::Id))
                .col(uuid_null(Reminders::ItemId))
                .col(uuid_null(Reminders::RecipientPersonId))
                .col(string(Reminders::RecipientAddress))
                .col(string(Reminders::Channel))
                .col(string(Reminders::Kind))
                .col(date_null(Reminders::RefersTo))
                .col(timestamp_with_time_zone(Reminders::ScheduledAt))
                .col(string(Reminders::Status))
                .col(integer(Reminders::Attempts).default(0))
                .col(timestamp_with_time_zone_null(Reminders::LeaseUntil))
                .col(text_null(Reminders::LastError))
                .col(timestamp_with_time_zone_null(Reminders::SentAt))
                .col(string_null(Reminders::MessageId))
                .col(integer(Reminders::EscalationLevel).default(0))
                .col(text_null(Reminders::Subject))
                .col(string(Reminders::IdempotencyKey))
                .col(timestamp_with_time_zone(Reminders::CreatedAt))
                .col(timestamp_with_time_zone(Reminders::UpdatedAt))
                .foreign_key(&mut fk(
                    Reminders::Table,
                    Reminders::ItemId,
                    Items::Table,
                    Items::Id,
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    Reminders::Table,
                    Reminders::RecipientPersonId,
                    Persons::Table,
                    Persons::Id,
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "reminders_idempotency_key",
            Reminders::Table,
            &[Reminders::IdempotencyKey],
        ))
        .await?;
        m.create_index(index(
            "reminders_status_scheduled_at",
            Reminders::Table,
            &[Reminders::Status, Reminders::ScheduledAt],
        ))
        .await?;
        m.create_index(index(
            "reminders_item_id",
            Reminders::Table,
            &[Reminders::ItemId],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(CalendarFeeds::Table)
                .col(pk_uuid(CalendarFeeds::Id))
                .col(uuid(CalendarFeeds::PersonId))
                .col(string(CalendarFeeds::TokenHash))
                .col(timestamp_with_time_zone_null(CalendarFeeds::RevokedAt))
                .col(timestamp_with_time_zone(CalendarFeeds::CreatedAt))
                .foreign_key(&mut fk(
                    CalendarFeeds::Table,
                    CalendarFeeds::PersonId,
                    Persons::Table,
                    Persons::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "calendar_feeds_token_hash",
            CalendarFeeds::Table,
            &[CalendarFeeds::TokenHash],
        ))
        .await?;
        m.create_index(index(
            "calendar_feeds_person_id",
            CalendarFeeds::Table,
            &[CalendarFeeds::PersonId],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents.
        let tables: [DynIden; 19] = [
            CalendarFeeds::Table.into_iden(),
            Reminders::Table.into_iden(),
            ExtensionRequests::Table.into_iden(),
            Evidence::Table.into_iden(),
            ChainHeads::Table.into_iden(),
            ItemEvents::Table.into_iden(),
            ItemSupportingUnits::Table.into_iden(),
            Items::Table.into_iden(),
            ShortcomingCommitmentLinks::Table.into_iden(),
            PreviousRectifications::Table.into_iden(),
            Commitments::Table.into_iden(),
            Shortcomings::Table.into_iden(),
            Reports::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            Accounts::Table.into_iden(),
            PostTenures::Table.into_iden(),
            Posts::Table.into_iden(),
            Persons::Table.into_iden(),
            Agencies::Table.into_iden(),
        ];
        for table in tables {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
