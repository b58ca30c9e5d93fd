//! The quarter's discrete events: what kinds there are and how one is
//! written. Systems build an [`Event`] field by field and hand it to
//! `Logs::event`; the `events` table's `kind` column is [`EventKind::name`].

use moatsim_model::AgentId;

use crate::records::EventRow;

/// What happened. The `events` table names each kind in snake case
/// ([`EventKind::name`]); `docs/MODEL.md` says which mechanism writes which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    AntitrustReviewClosed,
    AntitrustReviewOpened,
    BaseLoadUnserved,
    Breakthrough,
    BuilderEntries,
    BuilderExits,
    CapacityExpansion,
    CloudRental,
    ConstructionPaused,
    ContractDefault,
    ContractSigned,
    ExportBlocked,
    GenerationBuild,
    GenerationOnline,
    GpuOrder,
    HallFinanced,
    InferenceSales,
    InterconnectionRequested,
    Investment,
    JvBlocked,
    JvFormed,
    LabAcquired,
    LabExit,
    LandBanked,
    LandDeal,
    LandResold,
    LicenceFee,
    OrdersSpilled,
    PermitApplied,
    PolicyChange,
    PowerContract,
    ProjectEnergized,
    QueueSkipped,
    RoundClosed,
    RoundFailed,
}

impl EventKind {
    /// Every kind, in the order of their names.
    pub const ALL: &[EventKind] = &[
        EventKind::AntitrustReviewClosed,
        EventKind::AntitrustReviewOpened,
        EventKind::BaseLoadUnserved,
        EventKind::Breakthrough,
        EventKind::BuilderEntries,
        EventKind::BuilderExits,
        EventKind::CapacityExpansion,
        EventKind::CloudRental,
        EventKind::ConstructionPaused,
        EventKind::ContractDefault,
        EventKind::ContractSigned,
        EventKind::ExportBlocked,
        EventKind::GenerationBuild,
        EventKind::GenerationOnline,
        EventKind::GpuOrder,
        EventKind::HallFinanced,
        EventKind::InferenceSales,
        EventKind::InterconnectionRequested,
        EventKind::Investment,
        EventKind::JvBlocked,
        EventKind::JvFormed,
        EventKind::LabAcquired,
        EventKind::LabExit,
        EventKind::LandBanked,
        EventKind::LandDeal,
        EventKind::LandResold,
        EventKind::LicenceFee,
        EventKind::OrdersSpilled,
        EventKind::PermitApplied,
        EventKind::PolicyChange,
        EventKind::PowerContract,
        EventKind::ProjectEnergized,
        EventKind::QueueSkipped,
        EventKind::RoundClosed,
        EventKind::RoundFailed,
    ];

    /// The name in the `events` table's `kind` column.
    pub const fn name(self) -> &'static str {
        match self {
            EventKind::AntitrustReviewClosed => "antitrust_review_closed",
            EventKind::AntitrustReviewOpened => "antitrust_review_opened",
            EventKind::BaseLoadUnserved => "base_load_unserved",
            EventKind::Breakthrough => "breakthrough",
            EventKind::BuilderEntries => "builder_entries",
            EventKind::BuilderExits => "builder_exits",
            EventKind::CapacityExpansion => "capacity_expansion",
            EventKind::CloudRental => "cloud_rental",
            EventKind::ConstructionPaused => "construction_paused",
            EventKind::ContractDefault => "contract_default",
            EventKind::ContractSigned => "contract_signed",
            EventKind::ExportBlocked => "export_blocked",
            EventKind::GenerationBuild => "generation_build",
            EventKind::GenerationOnline => "generation_online",
            EventKind::GpuOrder => "gpu_order",
            EventKind::HallFinanced => "hall_financed",
            EventKind::InferenceSales => "inference_sales",
            EventKind::InterconnectionRequested => "interconnection_requested",
            EventKind::Investment => "investment",
            EventKind::JvBlocked => "jv_blocked",
            EventKind::JvFormed => "jv_formed",
            EventKind::LabAcquired => "lab_acquired",
            EventKind::LabExit => "lab_exit",
            EventKind::LandBanked => "land_banked",
            EventKind::LandDeal => "land_deal",
            EventKind::LandResold => "land_resold",
            EventKind::LicenceFee => "licence_fee",
            EventKind::OrdersSpilled => "orders_spilled",
            EventKind::PermitApplied => "permit_applied",
            EventKind::PolicyChange => "policy_change",
            EventKind::PowerContract => "power_contract",
            EventKind::ProjectEnergized => "project_energized",
            EventKind::QueueSkipped => "queue_skipped",
            EventKind::RoundClosed => "round_closed",
            EventKind::RoundFailed => "round_failed",
        }
    }
}

/// One event, built from its kind with only the fields that apply:
/// `Event::new(EventKind::GpuOrder).agent(buyer).counterparty(maker)
/// .amount(paid).quantity(units).detail(name)`. Fields left out are empty
/// (no agent, no counterparty, no region, no quantity, no money, no detail).
#[derive(Debug, Clone)]
pub struct Event {
    kind: EventKind,
    agent: Option<AgentId>,
    counterparty: Option<AgentId>,
    region: Option<String>,
    amount_usd: f64,
    quantity: Option<f64>,
    detail: String,
}

impl Event {
    pub fn new(kind: EventKind) -> Self {
        Self {
            kind,
            agent: None,
            counterparty: None,
            region: None,
            amount_usd: 0.0,
            quantity: None,
            detail: String::new(),
        }
    }

    /// The agent the event is about (a lab, buyer, investor, maker...).
    pub fn agent(mut self, agent: impl Into<Option<AgentId>>) -> Self {
        self.agent = agent.into();
        self
    }

    /// The other side of a deal, if there is one.
    pub fn counterparty(mut self, counterparty: impl Into<Option<AgentId>>) -> Self {
        self.counterparty = counterparty.into();
        self
    }

    /// The region's name, for events that happen somewhere.
    pub fn region<'a>(mut self, region: impl Into<Option<&'a str>>) -> Self {
        self.region = region.into().map(str::to_string);
        self
    }

    /// Money that changed hands, USD.
    pub fn amount(mut self, amount_usd: f64) -> Self {
        self.amount_usd = amount_usd;
        self
    }

    /// The quantity the kind counts (units, MW, acres, builders...).
    pub fn quantity(mut self, quantity: impl Into<Option<f64>>) -> Self {
        self.quantity = quantity.into();
        self
    }

    /// A sentence for people reading the table.
    pub fn detail(mut self, detail: String) -> Self {
        self.detail = detail;
        self
    }

    /// The row of the `events` table.
    pub fn into_row(self) -> EventRow {
        EventRow {
            kind: self.kind.name(),
            agent_id: self.agent.map(AgentId::get),
            counterparty_id: self.counterparty.map(AgentId::get),
            region: self.region,
            amount_usd: self.amount_usd,
            quantity: self.quantity,
            detail: self.detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_sorted() {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "ALL lists each kind once, by name");
        for name in names {
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name} is snake case"
            );
        }
    }

    #[test]
    fn an_event_becomes_the_row_it_describes() {
        let row = Event::new(EventKind::GpuOrder)
            .agent(AgentId(3))
            .counterparty(None)
            .region("us-texas")
            .amount(2.5e6)
            .quantity(100.0)
            .detail("H100".into())
            .into_row();
        assert_eq!(row.kind, "gpu_order");
        assert_eq!(row.agent_id, Some(3));
        assert_eq!(row.counterparty_id, None);
        assert_eq!(row.region.as_deref(), Some("us-texas"));
        assert_eq!(row.quantity, Some(100.0));
        assert_eq!(row.detail, "H100");
        let empty = Event::new(EventKind::Breakthrough).into_row();
        assert_eq!(
            (
                empty.agent_id,
                empty.region,
                empty.quantity,
                empty.detail.as_str()
            ),
            (None, None, None, "")
        );
    }
}
