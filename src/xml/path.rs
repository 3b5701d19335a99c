//! Element paths, computed only for the elements a caller asks about.

use super::tree::{Document, Element};
use std::collections::HashMap;

impl Document {
    /// The paths of the elements whose start tags begin at `starts`, in the same order, such
    /// as `/Autodiscover/Response/Account/Protocol[2]/SSL`: local names, with a 1-based index
    /// where siblings share the local name. `None` for an offset where no element starts.
    ///
    /// One walk of the tree that enters only elements holding an asked offset, so the cost is
    /// at most linear in the document however many paths are asked for (no per-path rescans
    /// of sibling lists: a response with 12,000 `Protocol` siblings costs one pass over them).
    pub fn element_paths(&self, starts: &[usize]) -> Vec<Option<String>> {
        let mut wanted: Vec<usize> = starts.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut found: Vec<Option<String>> = vec![None; wanted.len()];
        let root = &self.root;
        let (from, to) = within(&wanted, 0, root.span.start, root.span.end);
        if from < to {
            let mut path = format!("/{}", root.name.local);
            walk(root, &mut path, &wanted[from..to], from, &mut found);
        }
        // Each path is moved out on its offset's last mention and cloned only for repeats.
        let mut mentions = vec![0usize; wanted.len()];
        let index: Vec<Option<usize>> = starts
            .iter()
            .map(|s| wanted.binary_search(s).ok())
            .collect();
        for i in index.iter().flatten() {
            mentions[*i] += 1;
        }
        index
            .into_iter()
            .map(|i| {
                let i = i?;
                mentions[i] -= 1;
                if mentions[i] == 0 {
                    found[i].take()
                } else {
                    found[i].clone()
                }
            })
            .collect()
    }
}

/// The range of `wanted` (sorted) from index `at` on that lies in `from..to`, as indices.
fn within(wanted: &[usize], at: usize, from: usize, to: usize) -> (usize, usize) {
    let mut i = at;
    while i < wanted.len() && wanted[i] < from {
        i += 1;
    }
    let mut j = i;
    while j < wanted.len() && wanted[j] < to {
        j += 1;
    }
    (i, j)
}

/// Records `e`'s path if it is asked for, then descends into the children that hold asked
/// offsets. `wanted` holds the asked offsets inside `e`'s span, sorted; `base` is the index
/// of its first in `found`. Children and offsets are both in document order, so one cursor
/// advancing over each pairs them: linear in the children plus the offsets, with no search.
fn walk(
    e: &Element,
    path: &mut String,
    wanted: &[usize],
    base: usize,
    found: &mut [Option<String>],
) {
    let mut at = 0;
    if wanted.first() == Some(&e.span.start) {
        found[base] = Some(path.clone());
        at = 1;
    }
    if at == wanted.len() {
        return;
    }
    let mut names = SiblingNames::default();
    let mut children = 0u64;
    for c in e.elements() {
        names.slot(&c.name.local).0 += 1;
        children += 1;
    }
    crate::cost::add(children);
    for c in e.elements() {
        let (total, seen) = names.slot(&c.name.local);
        *seen += 1;
        let (total, seen) = (*total, *seen);
        let (from, to) = within(wanted, at, c.span.start, c.span.end.max(c.span.start + 1));
        at = from;
        if from == to {
            continue;
        }
        let len = path.len();
        path.push('/');
        path.push_str(&c.name.local);
        if total > 1 {
            path.push('[');
            push_decimal(path, seen);
            path.push(']');
        }
        walk(c, path, &wanted[from..to], base + from, found);
        path.truncate(len);
        at = to;
        if at == wanted.len() {
            break;
        }
    }
}

/// `n` in decimal, without the formatting machinery (once per indexed path segment).
fn push_decimal(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| char::from(d)));
}

/// Per local name among one element's children: (how many, how many seen so far). Children
/// share a handful of names as a rule, which a short list scanned in order serves without
/// hashing or allocating a table per element; past [`SiblingNames::LIST`] distinct names it
/// moves to a map, so thousands of distinct sibling names stay linear.
#[derive(Default)]
struct SiblingNames<'a> {
    list: Vec<(&'a str, (usize, usize))>,
    map: HashMap<&'a str, (usize, usize)>,
}

impl<'a> SiblingNames<'a> {
    const LIST: usize = 16;

    fn slot(&mut self, name: &'a str) -> &mut (usize, usize) {
        if self.map.is_empty() {
            if let Some(i) = self.list.iter().position(|(n, _)| *n == name) {
                return &mut self.list[i].1;
            }
            if self.list.len() < Self::LIST {
                self.list.push((name, (0, 0)));
                return &mut self.list.last_mut().expect("just pushed").1;
            }
            self.map = self.list.drain(..).collect();
        }
        self.map.entry(name).or_default()
    }
}

#[cfg(test)]
mod tests {
    use crate::xml::{parse_str, Limits};

    #[test]
    fn paths_index_only_siblings_that_share_a_name() {
        let text = "<a><b/><c><d/></c><b><d/><e/><d/></b></a>";
        let doc = parse_str(text, &Limits::default()).unwrap();
        let at = |needle: &str, nth: usize| text.match_indices(needle).nth(nth).unwrap().0;
        let asked = [
            at("<d/>", 2),
            at("<a>", 0),
            at("<c>", 0),
            at("<b", 1),
            at("<e/>", 0),
            at("<d/>", 0),
            1,
        ];
        let paths = doc.element_paths(&asked);
        let expected = [
            Some("/a/b[2]/d[2]"),
            Some("/a"),
            Some("/a/c"),
            Some("/a/b[2]"),
            Some("/a/b[2]/e"),
            Some("/a/c/d"),
            None,
        ];
        assert_eq!(
            paths.iter().map(Option::as_deref).collect::<Vec<_>>(),
            expected
        );
    }

    #[test]
    fn paths_index_siblings_past_the_short_name_list() {
        // 20 distinct names (more than the list holds before it moves to a map), each twice.
        let names: Vec<String> = (0..20).map(|i| format!("n{i}")).collect();
        let mut text = String::from("<r>");
        for _ in 0..2 {
            for n in &names {
                text.push_str(&format!("<{n}/>"));
            }
        }
        text.push_str("</r>");
        let doc = parse_str(&text, &Limits::default()).unwrap();
        let second_n17 = text.match_indices("<n17/>").nth(1).unwrap().0;
        let first_n3 = text.find("<n3/>").unwrap();
        let paths = doc.element_paths(&[second_n17, first_n3, second_n17]);
        assert_eq!(
            paths.iter().map(Option::as_deref).collect::<Vec<_>>(),
            [Some("/r/n17[2]"), Some("/r/n3[1]"), Some("/r/n17[2]")]
        );
    }
}
