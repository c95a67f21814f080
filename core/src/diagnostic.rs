//! Errors and warnings about a document, each naming the place and the problem.

use std::fmt::Write as _;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// The element a diagnostic is about, so the GUI can select it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Element {
    Node { id: String },
    Edge { from: String, to: String },
    Region { id: String },
    Az { id: String },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, machine-readable class, e.g. `unknown-region`.
    pub code: &'static str,
    /// Where in the document: a JSON path such as
    /// `nodes[4] ("orders-db").placement.us-east-9`, or `line 3 column 7`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<Element>,
    /// What was expected and what was found.
    pub message: String,
}

impl Diagnostic {
    pub fn error(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            path: path.into(),
            element: None,
            message: message.into(),
        }
    }

    pub fn warning(
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, path, message)
        }
    }

    #[must_use]
    pub fn on(mut self, element: Element) -> Self {
        self.element = Some(element);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Paths and messages quote the document's own text (ids, names, tag
        // keys): shown as text, it must not drive the terminal.
        if self.path.is_empty() {
            write!(f, "{level}: {}", printable(&self.message))
        } else {
            write!(
                f,
                "{level}: {}: {}",
                printable(&self.path),
                printable(&self.message)
            )
        }
    }
}

/// `text` safe to print on a terminal: control characters (escape
/// sequences, carriage returns, newlines) and the invisible bidirectional
/// controls that make text read differently than it is (U+202A–U+202E,
/// U+2066–U+2069, U+200E, U+200F, U+061C) as `\u{…}`; everything else as is.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
    };
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The outcome of validating a document: errors make it unusable for the
/// engines and exports; warnings flag suspicious designs.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl Report {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        match diagnostic.severity {
            Severity::Error => self.errors.push(diagnostic),
            Severity::Warning => self.warnings.push(diagnostic),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Errors first, then warnings.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.errors.iter().chain(&self.warnings)
    }
}

/// "did you mean ...?" for a misspelt name, when one candidate is close.
pub fn did_you_mean<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let best = candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(found, c), c))
        .filter(|&(d, c)| d > 0 && d <= (c.len() / 3).max(2))
        .min();
    best.map(|(_, c)| format!(" (did you mean \"{c}\"?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_diagnostics_cannot_drive_the_terminal() {
        let d = Diagnostic::error(
            "invalid-id",
            "nodes[0].id",
            "invalid id \"web\u{1b}[2J\u{202e}gpj.exe\r\"",
        );
        assert_eq!(
            d.to_string(),
            "error: nodes[0].id: invalid id \"web\\u{1b}[2J\\u{202e}gpj.exe\\u{d}\""
        );
        assert!(matches!(
            printable("plain é 🚀 text"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn suggests_only_close_names() {
        assert_eq!(
            did_you_mean("orders-dbb", ["orders-db", "web"]),
            " (did you mean \"orders-db\"?)"
        );
        assert_eq!(did_you_mean("zzz", ["orders-db", "web"]), "");
    }

    #[test]
    fn display_names_path_and_problem() {
        let d = Diagnostic::error("unknown-region", "regions[1].id", "unknown region");
        assert_eq!(d.to_string(), "error: regions[1].id: unknown region");
    }
}
