//! `settings/{mailbox}`: the canonical request for each named mailbox.

use super::{CaseDef, Level, Probe};

/// The template ID; `{mailbox}` is replaced by each named address.
pub const ID: &str = "settings/{mailbox}";

/// The one template case.
pub static CASES: &[CaseDef] = &[CaseDef {
    id: ID,
    description: "valid Outlook request; the answer (after redirects) is judged by every rule and the mailbox's policy",
    requirement: "A known mailbox gets settings (or a redirect chain ending in settings) that every document rule accepts and that agree with its SMTP AUTH policy",
    source: "MS-OXDSCLI 3.1.5; the POX element pages; Exchange Online SMTP AUTH (see docs/RULES.md)",
    level: Level::Must,
    probe: Probe::Settings,
}];
