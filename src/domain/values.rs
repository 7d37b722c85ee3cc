//! The closed vocabularies of the domain, each parsed once from its stored or wire form.

/// Defines a closed vocabulary: the enum, its stored names and its Chinese labels.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $stored:literal / $label:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored (and wire) name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $stored,)+ }
            }

            /// The Chinese label offices use.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// Parses a stored name.
            pub fn parse(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($stored => Ok($name::$variant),)+
                    _ => Err(UnknownValue { vocabulary: stringify!($name), value: s.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A stored or submitted name outside its vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a known {vocabulary}")]
pub struct UnknownValue {
    pub vocabulary: &'static str,
    pub value: String,
}

vocabulary! {
    /// What kind of body an agency is.
    AgencyKind {
        /// A people's government (市/区/县人民政府).
        Government = "government" / "人民政府",
        /// A government department (局/委/办).
        Department = "department" / "政府部门",
        /// A Party or rule-of-law office (依法治X办, 纪委监委, 督查室).
        Office = "office" / "办公室",
        Other = "other" / "其他",
    }
}

vocabulary! {
    /// The period a report covers.
    ReportPeriod {
        Annual = "annual" / "年度",
        FirstHalf = "first_half" / "上半年",
        SecondHalf = "second_half" / "下半年",
    }
}

vocabulary! {
    /// What kind of document a report is.
    ReportKind {
        RuleOfLawAnnualReport = "rule_of_law_annual_report" / "法治政府建设年度报告",
        WorkSummary = "work_summary" / "工作总结",
        Other = "other" / "其他",
    }
}

vocabulary! {
    /// The time horizon of a rectification (整改类别).
    ItemCategory {
        /// Fix at once.
        Immediate = "immediate" / "立行立改",
        /// Fix by a set date.
        TimeBound = "time_bound" / "限期整改",
        /// Keep at it: build lasting mechanisms, report progress periodically.
        LongTerm = "long_term" / "长期坚持",
    }
}

vocabulary! {
    /// The verdict a verifier records when closing an item (整改结果).
    ItemOutcome {
        Rectified = "rectified" / "已整改",
        Continuing = "continuing" / "持续整改",
        NotRectified = "not_rectified" / "未整改",
    }
}

vocabulary! {
    /// Where an item's problem was found (问题来源).
    ItemSource {
        AnnualReport = "annual_report" / "年度报告",
        RuleOfLawInspection = "rule_of_law_inspection" / "法治督察",
        Appraisal = "appraisal" / "考评",
        Patrol = "patrol" / "巡察",
        Audit = "audit" / "审计",
        Other = "other" / "其他",
    }
}

impl ItemSource {
    /// The letters a hand-made item's 台账编号 carries for its source (pinyin initials).
    pub fn code_letters(self) -> &'static str {
        match self {
            ItemSource::AnnualReport => "BG",
            ItemSource::RuleOfLawInspection => "DC",
            ItemSource::Appraisal => "KP",
            ItemSource::Patrol => "XC",
            ItemSource::Audit => "SJ",
            ItemSource::Other => "QT",
        }
    }
}

vocabulary! {
    /// What an account may do, and over what (its scope).
    AccountRole {
        /// Runs the installation: every agency, every account.
        Admin = "admin" / "系统管理员",
        /// A discipline-inspection or rule-of-law office: its agency and everything under it.
        Supervisor = "supervisor" / "督办部门",
        /// An agency's liaison (联络员): that one agency.
        Coordinator = "coordinator" / "联络员",
        /// A responsible leader (责任领导): the items they lead.
        Leader = "leader" / "责任领导",
        /// A responsible person (责任人): the items they are responsible for.
        Person = "person" / "责任人",
    }
}

vocabulary! {
    /// The state of a request to move an item's due date.
    ExtensionStatus {
        Pending = "pending" / "待审批",
        Approved = "approved" / "已批准",
        Rejected = "rejected" / "未批准",
    }
}

vocabulary! {
    /// What a piece of evidence is (佐证材料).
    EvidenceKind {
        File = "file" / "文件",
        Note = "note" / "说明",
        Link = "link" / "链接",
    }
}

/// The state of an item split into parts (已拆分): a container, rectified through its parts.
/// It is no state of any workflow file: every workflow gets it, final and with no action
/// from it, so that a container is never reminded, never overdue, takes no evidence, and
/// is left out of every count (its parts are counted instead) and of the ledger.
///
/// Why a state and not a flag: everything that counts items already goes by state (the
/// tallies the database keeps per agency and state, the dashboards' folding, the open
/// states of reminders and calendars), so one state keeps every count right with no second
/// condition to forget; and the item's page says what it is (已拆分) instead of 待交办.
pub const SPLIT_STATE: &str = "split";

/// How [`SPLIT_STATE`] reads.
pub const SPLIT_LABEL: &str = "已拆分";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_its_stored_name() {
        for v in ItemCategory::ALL {
            assert_eq!(ItemCategory::parse(v.as_str()), Ok(*v));
        }
        for v in ReportPeriod::ALL {
            assert_eq!(ReportPeriod::parse(v.as_str()), Ok(*v));
        }
        assert_eq!(ItemOutcome::Rectified.label(), "已整改");
    }

    #[test]
    fn an_unknown_name_is_refused_with_its_vocabulary() {
        let err = ItemSource::parse("rumour").unwrap_err();
        assert_eq!(err.vocabulary, "ItemSource");
        assert!(err.to_string().contains("rumour"));
    }
}
