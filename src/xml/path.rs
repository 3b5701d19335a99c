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
        if !wanted.is_empty() {
            let mut path = format!("/{}", self.root.name.local);
            walk(&self.root, &mut path, &wanted, &mut found);
        }
        starts
            .iter()
            .map(|s| wanted.binary_search(s).ok().and_then(|i| found[i].clone()))
            .collect()
    }
}

/// Whether some wanted offset lies in `from..to`.
fn wants_in(wanted: &[usize], from: usize, to: usize) -> bool {
    let i = wanted.partition_point(|&w| w < from);
    wanted.get(i).is_some_and(|&w| w < to)
}

fn walk(e: &Element, path: &mut String, wanted: &[usize], found: &mut [Option<String>]) {
    if let Ok(i) = wanted.binary_search(&e.span.start) {
        found[i] = Some(path.clone());
    }
    // Only descend where an asked offset lies inside the content.
    if !wants_in(wanted, e.start_tag.end, e.span.end) {
        return;
    }
    let mut totals: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut children = 0u64;
    for c in e.elements() {
        totals.entry(c.name.local.as_str()).or_default().0 += 1;
        children += 1;
    }
    crate::cost::add(children);
    for c in e.elements() {
        let (total, seen) = totals
            .get_mut(c.name.local.as_str())
            .expect("counted above");
        *seen += 1;
        if !wants_in(wanted, c.span.start, c.span.end.max(c.span.start + 1)) {
            continue;
        }
        let len = path.len();
        path.push('/');
        path.push_str(&c.name.local);
        if *total > 1 {
            use std::fmt::Write;
            let _ = write!(path, "[{seen}]");
        }
        walk(c, path, wanted, found);
        path.truncate(len);
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
}
