//! The seeded request sequence: request `i` of seed `s` is a pure function of `(s, i)` and the
//! mailbox list, so the same seed sends the same requests in the same order, and any one of
//! them can be rebuilt alone from its index.

use super::payloads::{ctx, payloads};
use crate::model::make;
use crate::model::ns::{
    REQUEST_MOBILESYNC, REQUEST_OUTLOOK, RESPONSE_MOBILESYNC, RESPONSE_OUTLOOK,
};
use crate::mutate::{Effect, Rng, OPERATORS};
use crate::rules::catalogue::NS_LOOKALIKE;
use crate::rules::Severity;
use crate::xml::{self, Limits};
use serde::Serialize;

/// What a correct server does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// A valid request: settings, a redirect, or a POX error with a documented code.
    Valid,
    /// A broken request: POX error 600 or 601, or an HTTP 4xx.
    Broken,
    /// Either is acceptable (the specification leaves it open); never a crash.
    Either,
}

/// One request of the sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    /// Its position in the sequence.
    pub index: u64,
    /// What made it: `valid/outlook`, `preserving/cdata-wrap`, `breaking/truncate`, or the
    /// ID of the catalogue case it is (`security/depth/100`, `errors/empty/body` ...): the
    /// matrix's rows.
    pub label: String,
    /// Every mutation operator applied, in order.
    pub mutations: Vec<&'static str>,
    /// What a correct server does with it.
    pub expect: Expect,
    /// The body sent.
    pub body: Vec<u8>,
    /// The same request with fewer mutations: the unmutated document first, then the body
    /// after each mutation but the last. Shrinking tries these first.
    pub ancestors: Vec<Vec<u8>>,
}

/// The sequence for one seed.
#[derive(Debug, Clone)]
pub struct Plan {
    seed: u64,
    emails: Vec<String>,
}

/// Request `index`'s own generator, independent of what earlier requests drew.
fn rng_for(seed: u64, index: u64) -> Rng {
    let mut r = Rng::new(seed ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    r.next_u64();
    r
}

impl Plan {
    /// The sequence of `seed`; half of the valid requests ask for one of `emails` (mailboxes the
    /// server knows, so that settings answers are exercised too), the others for generated
    /// addresses.
    pub fn new(seed: u64, emails: Vec<String>) -> Plan {
        Plan { seed, emails }
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Request `index`.
    pub fn draw(&self, index: u64) -> Draw {
        let mut rng = rng_for(self.seed, index);
        let (kind, base) = self.valid(index, &mut rng);
        let roll = rng.below(100);
        if roll < 20 {
            return Draw {
                index,
                label: format!("valid/{kind}"),
                mutations: vec![],
                expect: Expect::Valid,
                body: base,
                ancestors: vec![],
            };
        }
        if roll >= 85 {
            // A case of check's catalogue; one that builds nothing for this target (none
            // does today) gives way to the next.
            let all = payloads();
            let first = rng.below(all.len());
            let email = self.known_or(&mut rng, "user@example.com");
            let other = self.known_or(&mut rng, "other@example.com");
            let c = ctx(&email, &other);
            if let Some((p, body)) = (0..all.len())
                .map(|k| &all[(first + k) % all.len()])
                .find_map(|p| p.body(&c).map(|b| (p, b)))
            {
                return Draw {
                    index,
                    label: p.id.to_owned(),
                    mutations: vec![],
                    expect: p.expect,
                    body,
                    ancestors: vec![],
                };
            }
        }
        let breaking = roll >= 50;
        let mut body = base;
        let mut ancestors = Vec::new();
        let mut mutations = Vec::new();
        let mut expect = Expect::Valid;
        let rounds = 1 + rng.below(3);
        for round in 0..rounds {
            let want_breaking = breaking && round == 0;
            let Ok(tree) = xml::parse_bytes(&body, &Limits::default()) else {
                break;
            };
            let Some((op, out)) = pick(&tree, &mut rng, want_breaking) else {
                break;
            };
            mutations.push(op.name);
            if let Effect::Breaking(rule) = op.effect {
                expect = match (expect, rule.severity) {
                    (Expect::Broken, _) => Expect::Broken,
                    // A look-alike request namespace (`https://`) is an error in a document,
                    // but a server may read it as the namespace it resembles: the
                    // specification does not say, so either answer is accepted.
                    _ if rule.id == NS_LOOKALIKE.id => Expect::Either,
                    (_, Severity::Error) => Expect::Broken,
                    _ => Expect::Either,
                };
            }
            ancestors.push(std::mem::replace(&mut body, out));
        }
        if mutations.is_empty() {
            return Draw {
                index,
                label: format!("valid/{kind}"),
                mutations,
                expect: Expect::Valid,
                body,
                ancestors,
            };
        }
        let family = if breaking && matches!(expect, Expect::Broken | Expect::Either) {
            "breaking"
        } else {
            "preserving"
        };
        Draw {
            index,
            label: format!("{family}/{}", mutations[0]),
            mutations,
            expect,
            body,
            ancestors,
        }
    }

    fn known_or(&self, rng: &mut Rng, fallback: &str) -> String {
        if self.emails.is_empty() {
            fallback.to_owned()
        } else {
            self.emails[rng.below(self.emails.len())].clone()
        }
    }

    /// A valid request: from the `strategy` module's generator, or for a known mailbox.
    fn valid(&self, index: u64, rng: &mut Rng) -> (&'static str, Vec<u8>) {
        let mobile = rng.below(4) == 0;
        let doc = if !self.emails.is_empty() && rng.below(2) == 0 {
            let email = self.known_or(rng, "");
            if mobile {
                make::request(REQUEST_MOBILESYNC, &email, RESPONSE_MOBILESYNC)
            } else {
                make::request(REQUEST_OUTLOOK, &email, RESPONSE_OUTLOOK)
            }
        } else {
            crate::generate::sample_seeded(
                self.seed ^ index.rotate_left(17),
                &crate::strategy::request(),
            )
        };
        let kind = match &doc {
            crate::model::Document::Request(r)
                if r.root.ns.as_deref() == Some(REQUEST_MOBILESYNC) =>
            {
                "mobilesync"
            }
            _ => "outlook",
        };
        (kind, crate::model::to_canonical(&doc).into_bytes())
    }
}

/// One applicable operator of the wanted kind, chosen uniformly among those that apply.
fn pick(
    tree: &xml::Document,
    rng: &mut Rng,
    breaking: bool,
) -> Option<(&'static crate::mutate::Operator, Vec<u8>)> {
    let mut order: Vec<usize> = (0..OPERATORS.len())
        .filter(|&i| matches!(OPERATORS[i].effect, Effect::Breaking(_)) == breaking)
        .collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    order.into_iter().find_map(|i| {
        let op = &OPERATORS[i];
        op.apply(tree, rng).map(|b| (op, b))
    })
}
