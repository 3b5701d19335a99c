//! Shrinking: a failing request is reduced while it keeps failing in the same class.
//!
//! Three passes, each bounded by the budget: first the request with fewer mutations applied
//! (the unmutated document, then each intermediate form); then delta debugging over the
//! lossless XML tree (drop a subtree, replace an element by its children, drop an attribute,
//! a comment or the prolog, halve or empty a text), which keeps the request well-formed while it
//! shrinks; then byte-level delta debugging (ddmin), for requests that are not XML or whose
//! failure does not depend on being well-formed.

use crate::xml::{self, Element, Limits, Node};
use std::collections::HashSet;
use std::future::Future;

/// Budget and the test: `fails(bytes)` sends a candidate and says whether it fails in the
/// same class.
pub struct Shrinker<F> {
    fails: F,
    attempts: usize,
    max_attempts: usize,
    deadline: std::time::Instant,
    tried: HashSet<u64>,
}

fn hash(b: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    b.hash(&mut h);
    h.finish()
}

impl<F, Fut> Shrinker<F>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: Future<Output = bool>,
{
    /// A shrinker that sends at most `max_attempts` candidates and stops at `deadline`.
    pub fn new(fails: F, max_attempts: usize, deadline: std::time::Instant) -> Self {
        Shrinker {
            fails,
            attempts: 0,
            max_attempts,
            deadline,
            tried: HashSet::new(),
        }
    }

    /// Candidates sent so far.
    pub fn attempts(&self) -> usize {
        self.attempts
    }

    fn exhausted(&self) -> bool {
        self.attempts >= self.max_attempts || std::time::Instant::now() >= self.deadline
    }

    /// Sends `candidate` unless it was tried before or the budget is spent.
    async fn test(&mut self, candidate: &[u8]) -> bool {
        if self.exhausted() || !self.tried.insert(hash(candidate)) {
            return false;
        }
        self.attempts += 1;
        (self.fails)(candidate.to_vec()).await
    }

    /// Reduces `body` (which fails), trying `shortcuts` first (in order; the first that still
    /// fails and is no longer is taken): known reduced requests, then the request with fewer
    /// mutations applied.
    pub async fn shrink(&mut self, body: Vec<u8>, shortcuts: &[Vec<u8>]) -> Vec<u8> {
        self.tried.insert(hash(&body));
        let mut best = body;
        for a in shortcuts {
            if a.len() <= best.len() && self.test(a).await {
                best = a.clone();
                break;
            }
        }
        best = self.tree_pass(best).await;
        best = self.ddmin(best).await;
        // A byte pass can make a form the tree pass reduces further (and the reverse).
        best = self.tree_pass(best).await;
        best
    }

    async fn tree_pass(&mut self, mut best: Vec<u8>) -> Vec<u8> {
        let mut start = 0;
        'outer: loop {
            let Ok(doc) = xml::parse_bytes(&best, &Limits::default()) else {
                return best;
            };
            let candidates = tree_candidates(&doc);
            for (k, c) in candidates.iter().enumerate().skip(start) {
                if self.exhausted() {
                    return best;
                }
                if c.len() < best.len() && self.test(c).await {
                    best = c.clone();
                    start = k.saturating_sub(1);
                    continue 'outer;
                }
            }
            if start == 0 {
                return best;
            }
            start = 0;
        }
    }

    async fn ddmin(&mut self, mut best: Vec<u8>) -> Vec<u8> {
        let mut n = 2usize;
        while best.len() >= 2 && !self.exhausted() {
            let chunk = best.len().div_ceil(n);
            let mut reduced = false;
            let mut i = 0;
            while i * chunk < best.len() {
                let (a, b) = (i * chunk, ((i + 1) * chunk).min(best.len()));
                let c = [&best[..a], &best[b..]].concat();
                if self.test(&c).await {
                    best = c;
                    n = (n - 1).max(2);
                    reduced = true;
                    break;
                }
                i += 1;
            }
            if !reduced {
                if n >= best.len() {
                    break;
                }
                n = (n * 2).min(best.len());
            }
        }
        if best.len() == 1 && self.test(&[]).await {
            best.clear();
        }
        best
    }
}

/// Paths to every element below the root, in document order.
fn element_paths(e: &Element, path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    for (i, n) in e.children.iter().enumerate() {
        path.push(i);
        if let Node::Element(c) = n {
            out.push(path.clone());
            element_paths(c, path, out);
        }
        path.pop();
    }
}

fn at_mut<'a>(root: &'a mut Element, path: &[usize]) -> Option<&'a mut Element> {
    let mut e = root;
    for &i in path {
        e = match e.children.get_mut(i)? {
            Node::Element(c) => c,
            _ => return None,
        };
    }
    Some(e)
}

fn at<'a>(root: &'a Element, path: &[usize]) -> Option<&'a Element> {
    let mut e = root;
    for &i in path {
        e = match e.children.get(i)? {
            Node::Element(c) => c,
            _ => return None,
        };
    }
    Some(e)
}

/// Reduced forms of a document, roughly biggest reduction first.
fn tree_candidates(doc: &xml::Document) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut paths = Vec::new();
    element_paths(&doc.root, &mut Vec::new(), &mut paths);
    let edit = |f: &mut dyn FnMut(&mut xml::Document) -> bool| {
        let mut d = doc.clone();
        f(&mut d).then(|| xml::write_lossless(&d))
    };
    out.extend(edit(&mut |d| {
        let had = d.declaration.is_some() || !d.prolog.is_empty() || !d.epilog.is_empty();
        d.declaration = None;
        d.prolog.clear();
        d.epilog.clear();
        had
    }));
    // Drop a subtree, then replace an element by its children.
    for p in &paths {
        let (last, parent) = p.split_last().expect("paths are non-empty");
        out.extend(edit(&mut |d| {
            at_mut(&mut d.root, parent).is_some_and(|e| {
                e.children.remove(*last);
                true
            })
        }));
    }
    for p in &paths {
        let (last, parent) = p.split_last().expect("paths are non-empty");
        out.extend(edit(&mut |d| {
            at_mut(&mut d.root, parent).is_some_and(|e| {
                let Node::Element(child) = e.children.remove(*last) else {
                    return false;
                };
                for (k, n) in child.children.into_iter().enumerate() {
                    e.children.insert(*last + k, n);
                }
                true
            })
        }));
    }
    // Drop a node that is not an element (text, CDATA, comment, PI).
    let mut all = vec![vec![]];
    all.extend(paths.iter().cloned());
    for p in &all {
        let count = at(&doc.root, p).map_or(0, |e| e.children.len());
        for k in 0..count {
            out.extend(edit(&mut |d| {
                at_mut(&mut d.root, p).is_some_and(|e| {
                    if matches!(e.children[k], Node::Element(_)) {
                        return false;
                    }
                    e.children.remove(k);
                    true
                })
            }));
        }
    }
    // Drop an attribute; halve a text.
    for p in &all {
        let n = at(&doc.root, p).map_or(0, |e| e.attributes.len());
        for k in 0..n {
            out.extend(edit(&mut |d| {
                at_mut(&mut d.root, p).is_some_and(|e| {
                    e.attributes.remove(k);
                    true
                })
            }));
        }
    }
    for p in &all {
        let count = at(&doc.root, p).map_or(0, |e| e.children.len());
        for k in 0..count {
            out.extend(edit(&mut |d| {
                at_mut(&mut d.root, p).is_some_and(|e| match &mut e.children[k] {
                    Node::Text(t) if t.value.chars().count() > 1 => {
                        let half: String =
                            t.value.chars().take(t.value.chars().count() / 2).collect();
                        let mut raw = String::new();
                        xml::escape_text(&mut raw, &half);
                        t.raw = raw.into();
                        t.value = half.into();
                        true
                    }
                    _ => false,
                })
            }));
        }
    }
    out
}
