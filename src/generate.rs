//! Seeded document sets: valid documents from the [`strategy`](crate::strategy) module,
//! optionally mutated by the [`mutate`](crate::mutate) engine, each with the verdict the
//! validator must reach (the manifest). The same seed and poxspec version give identical bytes.
//!
//! Expectations come from the operators' labels, never from running the validator: a preserving
//! mutation keeps the verdict of the document it started from, a breaking one makes it invalid
//! when its rule is an `error` (a `warning` leaves it as it was). [`verify`] then compares the
//! validator with the manifest, which is how the engine's labels are tested.

use crate::model::{self};
use crate::mutate::{self, Effect, Rng};
use crate::policy::{self, InputFormat};
use crate::rules::{self, Severity};
use crate::strategy::{self, PolicyCase};
use crate::validate::PolicyContext;
use crate::xml::Limits;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Requests and responses of every shape.
    Any,
    /// Outlook and mobilesync requests.
    Request,
    /// Responses of every shape.
    Response,
    /// A policy fixture per document and a settings response for one of its mailboxes.
    Policy,
}

/// The verdict the validator must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// No `error` finding.
    Valid,
    /// At least one `error` finding.
    Invalid,
}

impl Expect {
    fn of(valid: bool) -> Expect {
        if valid {
            Expect::Valid
        } else {
            Expect::Invalid
        }
    }
}

/// One document of a set, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// File name inside the output folder.
    pub file: String,
    /// The operator applied, or `None` for an unmutated document.
    pub mutation: Option<String>,
    /// The verdict the validator must reach.
    pub expect: Expect,
    /// The rule a breaking operator must trigger.
    pub rule: Option<String>,
    /// For policy documents: the fixture (file name in the folder) to judge against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// For policy documents: the mailbox the response is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The poxspec version that wrote it (bytes are only reproducible within one version).
    pub poxspec: String,
    /// The seed.
    pub seed: u64,
    /// The documents, in order.
    pub documents: Vec<Entry>,
}

/// A generated set: the files and their manifest.
#[derive(Debug, Clone)]
pub struct Batch {
    /// `(file name, bytes)`, documents and policy fixtures, in order.
    pub files: Vec<(String, Vec<u8>)>,
    /// What each document must be judged.
    pub manifest: Manifest,
}

impl Batch {
    /// Writes the files and `manifest.json` into `dir` (created if missing).
    pub fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, bytes) in &self.files {
            std::fs::write(dir.join(name), bytes)?;
        }
        let mut json = serde_json::to_string_pretty(&self.manifest).expect("serializable");
        json.push('\n');
        std::fs::write(dir.join("manifest.json"), json)
    }

    /// The bytes of a file of the set.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }
}

/// Options of [`generate`].
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The seed.
    pub seed: u64,
    /// How many documents.
    pub count: usize,
    /// What kind of documents.
    pub kind: Kind,
    /// Mutate every document with one operator.
    pub mutate: bool,
}

/// A proptest runner whose generator is ChaCha seeded from `seed` alone.
fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    let mut rng = Rng::new(seed);
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// One value of `s`, drawn with a generator seeded from `seed` alone (the same seed and
/// poxspec version give the same value).
pub fn sample_seeded<T: std::fmt::Debug>(seed: u64, s: &impl Strategy<Value = T>) -> T {
    sample(&mut runner(seed), s)
}

fn sample<T: std::fmt::Debug>(runner: &mut TestRunner, s: &impl Strategy<Value = T>) -> T {
    s.new_tree(runner)
        .expect("the strategies never reject")
        .current()
}

/// File names: the index, zero-padded to at least four digits, then a label.
fn file_name(i: usize, count: usize, label: &str, ext: &str) -> String {
    let width = count.saturating_sub(1).to_string().len().max(4);
    format!("{i:0width$}-{label}.{ext}")
}

/// The expectation after an operator, given the verdict before it.
fn expect_after(before: Expect, effect: Effect) -> (Expect, Option<String>) {
    match effect {
        Effect::Preserving => (before, None),
        Effect::Breaking(rule) => (
            if rule.severity == Severity::Error {
                Expect::Invalid
            } else {
                before
            },
            Some(rule.id.to_owned()),
        ),
    }
}

/// Generates a set. Deterministic in `opts`.
pub fn generate(opts: &Options) -> Batch {
    let mut runner = runner(opts.seed);
    let mut files = Vec::new();
    let mut documents = Vec::new();
    for i in 0..opts.count {
        let mut rng = document_rng(opts.seed, i);
        if opts.kind == Kind::Policy {
            let case = sample(&mut runner, &strategy::policy_case(4));
            let fixture = file_name(i, opts.count, "policy", "toml");
            let (label, bytes, expect, rule) = if opts.mutate {
                mutate_policy_case(&case, &mut rng)
            } else {
                let text = model::to_canonical(&case.response);
                (
                    "response".to_owned(),
                    text.into_bytes(),
                    Expect::Valid,
                    None,
                )
            };
            let file = file_name(i, opts.count, &label, "xml");
            files.push((
                fixture.clone(),
                policy::export::to_toml(&case.population).into_bytes(),
            ));
            files.push((file.clone(), bytes));
            documents.push(Entry {
                file,
                mutation: opts.mutate.then_some(label),
                expect,
                rule,
                policy: Some(fixture),
                email: Some(case.address.clone()),
            });
            continue;
        }
        let doc = match opts.kind {
            Kind::Request => sample(&mut runner, &strategy::request()),
            Kind::Response => sample(&mut runner, &strategy::response()),
            _ => sample(&mut runner, &strategy::document()),
        };
        let text = model::to_canonical(&doc);
        if !opts.mutate {
            let file = file_name(i, opts.count, doc.kind(), "xml");
            files.push((file.clone(), text.into_bytes()));
            documents.push(Entry {
                file,
                mutation: None,
                expect: Expect::Valid,
                rule: None,
                policy: None,
                email: None,
            });
            continue;
        }
        let m = mutate_valid(text, &mut rng);
        push_mutated((&mut files, &mut documents), i, opts.count, m);
    }
    Batch {
        files,
        manifest: manifest(opts.seed, documents),
    }
}

/// A mutated document: operator label, bytes, expectation, rule.
type Mutated = (String, Vec<u8>, Expect, Option<String>);

/// Adds document `i` of `count` to a set.
fn push_mutated(
    set: (&mut Vec<(String, Vec<u8>)>, &mut Vec<Entry>),
    i: usize,
    count: usize,
    (label, bytes, expect, rule): Mutated,
) {
    let (files, documents) = set;
    let file = file_name(i, count, &label, "xml");
    files.push((file.clone(), bytes));
    documents.push(Entry {
        file,
        mutation: Some(label),
        expect,
        rule,
        policy: None,
        email: None,
    });
}

/// One mutation of a policy case: a policy operator a third of the time (when one applies),
/// otherwise a document operator. Returns label, bytes, expectation and rule.
fn mutate_policy_case(case: &PolicyCase, rng: &mut Rng) -> Mutated {
    if rng.below(3) == 0 {
        let start = rng.below(mutate::POLICY_OPERATORS.len());
        for k in 0..mutate::POLICY_OPERATORS.len() {
            let op = &mutate::POLICY_OPERATORS[(start + k) % mutate::POLICY_OPERATORS.len()];
            if let Some(doc) = op.apply(case) {
                let (e, r) = expect_after(Expect::Valid, Effect::Breaking(op.rule));
                return (
                    op.name.to_owned(),
                    model::to_canonical(&doc).into_bytes(),
                    e,
                    r,
                );
            }
        }
    }
    mutate_valid(model::to_canonical(&case.response), rng)
}

/// One mutation of a valid canonical document. A quarter of the time the document is first
/// rewritten with prefixed namespaces (a preserving operator), because canonical documents
/// have no prefixes and the prefix operators would otherwise never apply; the label then
/// names both operators, joined with `+`.
fn mutate_valid(text: String, rng: &mut Rng) -> Mutated {
    let parsed = crate::parse(text.as_bytes()).expect("generated documents parse");
    let mut tree = parsed.tree;
    let mut prefix = String::new();
    if rng.below(4) == 0 {
        let op = mutate::operator("default-to-prefixed").expect("operator exists");
        if let Some(out) = op.apply(&tree, rng) {
            tree = crate::parse(&out)
                .expect("a preserving mutation stays readable")
                .tree;
            prefix = format!("{}+", op.name);
        }
    }
    let (label, bytes, expect, rule) = mutate_tree(&tree, rng, Expect::Valid, || {
        crate::xml::write_lossless(&tree)
    });
    let label = if label == "none" {
        label
    } else {
        format!("{prefix}{label}")
    };
    (label, bytes, expect, rule)
}

/// One random applicable operator on `tree`, the expectation following from `before`;
/// `"none"` with the `unmutated` bytes when no operator applies.
fn mutate_tree(
    tree: &crate::xml::Document,
    rng: &mut Rng,
    before: Expect,
    unmutated: impl FnOnce() -> Vec<u8>,
) -> Mutated {
    match mutate::mutate_any(tree, rng) {
        Some((op, bytes)) => {
            let (e, r) = expect_after(before, op.effect);
            (op.name.to_owned(), bytes, e, r)
        }
        None => ("none".to_owned(), unmutated(), before, None),
    }
}

/// Each document's mutation has its own generator, so document `i` of a set does not depend
/// on which operators earlier documents drew.
fn document_rng(seed: u64, i: usize) -> Rng {
    Rng::new(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407))
}

fn manifest(seed: u64, documents: Vec<Entry>) -> Manifest {
    Manifest {
        poxspec: env!("CARGO_PKG_VERSION").to_owned(),
        seed,
        documents,
    }
}

/// `count` mutations of a user's document, with expectations relative to the validator's
/// verdict on the document itself. Fails when the document cannot be read (there is no tree
/// to mutate).
pub fn mutate_document(
    bytes: &[u8],
    seed: u64,
    count: usize,
    limits: &Limits,
) -> Result<Batch, crate::ParseError> {
    let parsed = crate::parse_with(bytes, limits)?;
    let before = Expect::of(rules::validate(&parsed).passes(false));
    let mut files = Vec::new();
    let mut documents = Vec::new();
    for i in 0..count {
        let m = mutate_tree(&parsed.tree, &mut document_rng(seed, i), before, || {
            bytes.to_vec()
        });
        push_mutated((&mut files, &mut documents), i, count, m);
    }
    Ok(Batch {
        files,
        manifest: manifest(seed, documents),
    })
}

/// A document whose verdict or findings disagree with its manifest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The file.
    pub file: String,
    /// What went wrong.
    pub reason: String,
}

/// Judges every document of a set (read through `read`, which maps a file name to its bytes)
/// and returns where the validator disagrees with the manifest: a different verdict, or a
/// breaking operator's rule that did not fire.
pub fn verify(
    manifest: &Manifest,
    read: &dyn Fn(&str) -> Result<Vec<u8>, String>,
) -> Vec<Disagreement> {
    let mut out = Vec::new();
    for e in &manifest.documents {
        let fail = |reason: String| Disagreement {
            file: e.file.clone(),
            reason,
        };
        let bytes = match read(&e.file) {
            Ok(b) => b,
            Err(reason) => {
                out.push(fail(reason));
                continue;
            }
        };
        let v = rules::validate_bytes(&bytes, &Limits::default());
        let mut outcome = v.outcome;
        if let (Some(fixture), Some(email), Some(parsed)) = (&e.policy, &e.email, &v.parsed) {
            match load_policy(fixture, read, email) {
                Ok(policy) => outcome.merge(policy.check(parsed)),
                Err(reason) => {
                    out.push(fail(reason));
                    continue;
                }
            }
        }
        let got = Expect::of(outcome.passes(false));
        if got != e.expect {
            let errors: Vec<&str> = outcome
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.rule)
                .collect();
            out.push(fail(format!(
                "expected {:?}, the validator says {:?} (errors: {})",
                e.expect,
                got,
                if errors.is_empty() {
                    "none".to_owned()
                } else {
                    errors.join(", ")
                }
            )));
        } else if let Some(rule) = &e.rule {
            if outcome.of(rule).next().is_none() {
                out.push(fail(format!("{rule} did not fire")));
            }
        }
    }
    out
}

fn load_policy(
    fixture: &str,
    read: &dyn Fn(&str) -> Result<Vec<u8>, String>,
    email: &str,
) -> Result<PolicyContext, String> {
    let text = String::from_utf8(read(fixture)?).map_err(|_| format!("{fixture}: not UTF-8"))?;
    let p = policy::import(fixture, &text, InputFormat::Toml, None).map_err(|e| e.to_string())?;
    let organization = p
        .organization
        .ok_or_else(|| format!("{fixture}: no organisation"))?;
    PolicyContext::of(organization, &p, email)
        .ok_or_else(|| format!("{fixture}: no mailbox {email}"))
}

/// [`verify`] over a batch in memory.
pub fn verify_batch(batch: &Batch) -> Vec<Disagreement> {
    verify(&batch.manifest, &|name| {
        batch
            .file(name)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| format!("{name}: not in the set"))
    })
}

/// [`verify`] over a folder written by [`Batch::write_to`].
pub fn verify_dir(dir: &Path) -> Result<Vec<Disagreement>, String> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?;
    Ok(verify(&manifest, &|name| {
        std::fs::read(dir.join(name)).map_err(|e| format!("{name}: cannot read: {e}"))
    }))
}

/// A settings response with `protocols` `Protocol` siblings, the shape a hostile or broken
/// server can send to make a validator's cost grow faster than its input: every protocol
/// carries findings (an `On` case variant, SPA absent, a duplicate Type), its server name is
/// not ASCII (columns count characters), and with `one_line` the whole document is one line.
/// 12,000 protocols fit in the default 1 MiB limit.
pub fn wide_response(protocols: usize, one_line: bool) -> Vec<u8> {
    let sep = if one_line { "" } else { "\n" };
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>{sep}<Autodiscover xmlns=\"{}\">{sep}<Response xmlns=\"{}\">{sep}<User><DisplayName>x</DisplayName></User>{sep}<Account><AccountType>email</AccountType><Action>settings</Action>{sep}",
        model::ns::RESPONSE_ROOT,
        model::ns::RESPONSE_OUTLOOK
    );
    for _ in 0..protocols {
        out.push_str(
            "<Protocol><Type>IMAP</Type><Server>é</Server><Port>993</Port><SSL>On</SSL></Protocol>",
        );
        out.push_str(sep);
    }
    out.push_str("</Account></Response></Autodiscover>");
    out.push_str(sep);
    out.into_bytes()
}
