//! Names: Terraform identifiers for resource labels, and AWS resource names.
//!
//! Node ids (`[A-Za-z0-9][A-Za-z0-9._-]{0,63}`) become snake-case
//! identifiers (`orders-db` → `orders_db`), the way practitioners write
//! Terraform. Two rules keep them unique and stable:
//!
//! - an identifier depends only on the node's own id, unless two ids fold to
//!   the same identifier (`orders-db` and `orders.db`, or `Web` and `web`);
//! - then an id that already is a plain identifier keeps it, and the others
//!   get a short hash of their own id appended (`orders_db_1f3a9c`), so
//!   adding a node never renames the resources of a node that was there
//!   before unless the two collide.
//!
//! Resource labels and AWS names are built from these identifiers plus
//! fixed suffixes; [`super`] checks the finished export for any label or
//! name used twice and, in that (rare) case, forces a hash onto one of the
//! nodes involved and generates again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// FNV-1a, 64 bits: a stable, dependency-free hash for name suffixes.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Six hex digits of [`fnv1a`].
pub(crate) fn short_hash(text: &str) -> String {
    format!("{:06x}", fnv1a(text.as_bytes()) & 0x00ff_ffff)
}

/// Folds any text into a snake-case identifier: lower-case ASCII letters and
/// digits, every other run of characters one `_`, no leading or trailing
/// `_`, and an `n_` prefix where it would start with a digit.
pub(crate) fn snake(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("node");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "n_");
    }
    out
}

/// The Terraform identifier of every node, unique across the document.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeIdents {
    by_id: HashMap<String, String>,
}

impl NodeIdents {
    /// Identifiers for `ids`; `forced` ids always get their hash suffix
    /// (used to break a collision found in a finished export).
    pub(crate) fn new<'a>(ids: impl Iterator<Item = &'a str>, forced: &BTreeSet<String>) -> Self {
        let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for id in ids {
            groups.entry(snake(id)).or_default().push(id);
        }
        let mut by_id = HashMap::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        // Plain identifiers first, so a hashed one can never take them.
        for (base, members) in &groups {
            let keeper = if members.len() == 1 {
                Some(members[0])
            } else {
                members.iter().copied().find(|id| id == base)
            };
            if let Some(id) = keeper.filter(|id| !forced.contains(*id)) {
                by_id.insert(id.to_owned(), base.clone());
                taken.insert(base.clone());
            }
        }
        for (base, members) in &groups {
            for &id in members {
                if by_id.contains_key(id) {
                    continue;
                }
                let mut candidate = format!("{base}_{}", short_hash(id));
                let mut salt = 0u32;
                while taken.contains(&candidate) || groups.contains_key(&candidate) {
                    salt += 1;
                    candidate = format!("{base}_{}", short_hash(&format!("{id}#{salt}")));
                }
                taken.insert(candidate.clone());
                by_id.insert(id.to_owned(), candidate);
            }
        }
        Self { by_id }
    }

    /// The identifier of node `id` (a node not in the document folds to `snake(id)`).
    pub(crate) fn get(&self, id: &str) -> String {
        self.by_id.get(id).cloned().unwrap_or_else(|| snake(id))
    }
}

/// `us-east-1` → `us_east_1`, `us-east-1a` → `us_east_1a`.
pub(crate) fn region_ident(region: &str) -> String {
    snake(region)
}

/// An AWS resource name from parts: joined with `-`, only `[a-z0-9-]`
/// (or also upper case where `lower` is false), no leading, trailing or
/// doubled `-`, starting with a letter, and at most `max` characters — a
/// name cut short ends in a hash of the whole so it stays unique.
pub(crate) fn aws_name(parts: &[&str], max: usize, lower: bool) -> String {
    let mut out = String::new();
    for part in parts {
        for c in part.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(if lower { c.to_ascii_lowercase() } else { c });
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "tp-");
    }
    if out.len() > max {
        let hash = short_hash(&out);
        // Keep room for "-" and the hash; the name is ASCII, so any byte
        // index is a char boundary.
        let keep = max.saturating_sub(hash.len() + 1);
        out.truncate(keep);
        while out.ends_with('-') {
            out.pop();
        }
        out.push('-');
        out.push_str(&hash);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(ids: &[&str]) -> NodeIdents {
        NodeIdents::new(ids.iter().copied(), &BTreeSet::new())
    }

    #[test]
    fn ids_fold_to_snake_case() {
        assert_eq!(snake("orders-db"), "orders_db");
        assert_eq!(snake("Orders.DB"), "orders_db");
        assert_eq!(snake("3tier"), "n_3tier");
        assert_eq!(snake("a--b__c"), "a_b_c");
        assert_eq!(snake("é"), "node");
    }

    #[test]
    fn colliding_ids_stay_unique_and_plain_ids_keep_their_name() {
        let names = idents(&["orders_db", "orders-db", "Orders.DB", "web"]);
        assert_eq!(names.get("orders_db"), "orders_db");
        assert_eq!(names.get("web"), "web");
        let a = names.get("orders-db");
        let b = names.get("Orders.DB");
        assert!(a.starts_with("orders_db_") && b.starts_with("orders_db_"));
        assert_ne!(a, b);
    }

    #[test]
    fn an_identifier_does_not_depend_on_unrelated_nodes() {
        let before = idents(&["orders-db", "web"]);
        let after = idents(&["api", "orders-db", "web", "cache"]);
        assert_eq!(before.get("orders-db"), after.get("orders-db"));
        assert_eq!(before.get("orders-db"), "orders_db");
    }

    #[test]
    fn forced_ids_get_a_hash() {
        let forced = BTreeSet::from(["web".to_owned()]);
        let names = NodeIdents::new(["web", "app"].into_iter(), &forced);
        assert!(names.get("web").starts_with("web_"));
        assert_eq!(names.get("app"), "app");
    }

    #[test]
    fn aws_names_respect_length_and_charset() {
        assert_eq!(
            aws_name(&["Three Tier", "web", "us-east-1"], 32, true),
            "three-tier-web-us-east-1"
        );
        let long = aws_name(&["a".repeat(40).as_str(), "alb"], 32, true);
        assert_eq!(long.len(), 32);
        assert!(!long.contains("--"));
        assert_ne!(long, aws_name(&["a".repeat(41).as_str(), "alb"], 32, true));
        assert_eq!(aws_name(&["9lives"], 32, true), "tp-9lives");
    }
}
