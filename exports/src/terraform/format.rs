//! Writes hcl-rs blocks as text that `terraform fmt` leaves unchanged.
//!
//! hcl-rs builds the structure (blocks, attributes, traversals, function
//! calls), but its formatter does not align `=` the way `terraform fmt`
//! does, writes every array over several lines, and mis-escapes a `%{`
//! that follows another `%` (`"%%{"` must become `"%%%{"`). This writer
//! walks the same structures and:
//!
//! - aligns `=` across runs of consecutive single-line attributes (and
//!   object entries) at one nesting level, as `terraform fmt` does: a value
//!   spanning lines breaks the run, a heredoc opener joins the run and ends
//!   it (hashicorp/hcl `hclwrite/format.go`, `formatCells`);
//! - writes short arrays on one line and long ones one element per line;
//! - writes objects one entry per line (single-line only inside function
//!   calls, where `terraform fmt` leaves them as written);
//! - escapes strings so they mean exactly the literal text: `"` `\`,
//!   control and invisible formatting characters (`\n`, `\u202e`), and the
//!   template markers `${` and `%{` (doubled to `$${` and `%%{`).
//!
//! Two spaces per level, a blank line around nested blocks, no trailing
//! whitespace, one newline at the end of a file.

use std::fmt::Write as _;

use hcl::expr::{Expression, ObjectKey, Operation, TemplateExpr, TraversalOperator};
use hcl::structure::{Block, BlockLabel, Structure};

/// Lines longer than this are broken where the syntax allows (arrays).
const WIDTH: usize = 100;

const INDENT: &str = "  ";

/// Escapes `text` for the inside of a quoted HCL string, so that it means
/// exactly `text` (no interpolation, no directives).
pub(crate) fn escape(text: &str, out: &mut String) {
    // Most text is plain printable ASCII with nothing to escape.
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'$' | b'%'))
    {
        out.push_str(text);
        return;
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // `${` and `%{` open a template sequence; doubling the first
            // character makes it literal. A run such as `$$${` needs only
            // its last `$` doubled: the earlier ones are plain text.
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if needs_unicode_escape(c) => {
                let code = u32::from(c);
                if code <= 0xffff {
                    let _ = write!(out, "\\u{code:04x}");
                } else {
                    let _ = write!(out, "\\U{code:08x}");
                }
            }
            c => out.push(c),
        }
    }
}

/// Doubles the `$` of `${` and the `%` of `%{` (heredoc text, where quotes
/// and backslashes are literal).
pub(crate) fn escape_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if (c == '$' || c == '%') && chars.peek() == Some(&'{') {
            out.push(c);
        }
    }
    out
}

/// Control characters, and the invisible ones that can make text read
/// differently from what it is (bidirectional overrides, zero-width
/// characters, line and paragraph separators).
fn needs_unicode_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{061c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// A quoted HCL string meaning exactly `text`.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    escape(text, &mut out);
    out.push('"');
    out
}

/// Text safe inside a `#` comment: one line, no invisible characters.
pub(crate) fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\n' || c == '\r' || c == '\t' {
            out.push(' ');
        } else if needs_unicode_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_owned()
}

/// Appends top-level blocks, one blank line between them.
pub(crate) fn write_blocks(out: &mut String, blocks: &[Block]) {
    let mut writer = Writer::default();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        writer.block(out, block, 0, 0);
    }
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str(INDENT);
    }
}

/// One attribute or object entry of a run, rendered into the run's buffer
/// (key and value as ranges of it), waiting for the run's alignment.
#[derive(Clone, Copy)]
struct Cell {
    key: (usize, usize),
    value: (usize, usize),
    shape: Shape,
}

/// A run's buffer: its keys and values one after the other.
#[derive(Default)]
struct Run {
    buf: String,
    cells: Vec<Cell>,
}

/// Buffers reused from block to block, one run per nesting depth, so that
/// writing allocates almost nothing once warmed up.
#[derive(Default)]
struct Writer {
    runs: Vec<Run>,
}

impl Writer {
    fn take(&mut self, depth: usize) -> Run {
        if self.runs.len() <= depth {
            self.runs.resize_with(depth + 1, Run::default);
        }
        std::mem::take(&mut self.runs[depth])
    }

    fn give(&mut self, depth: usize, mut run: Run) {
        run.buf.clear();
        run.cells.clear();
        self.runs[depth] = run;
    }

    fn block(&mut self, out: &mut String, block: &Block, level: usize, depth: usize) {
        push_indent(out, level);
        out.push_str(block.identifier());
        for label in block.labels() {
            out.push(' ');
            match label {
                BlockLabel::Identifier(ident) => out.push_str(ident),
                BlockLabel::String(s) => {
                    out.push('"');
                    escape(s, out);
                    out.push('"');
                }
            }
        }
        if block.body().0.is_empty() {
            out.push_str(" {}\n");
            return;
        }
        out.push_str(" {\n");
        self.structures(out, block.body().iter(), level + 1, depth);
        push_indent(out, level);
        out.push_str("}\n");
    }

    fn structures<'a>(
        &mut self,
        out: &mut String,
        items: impl Iterator<Item = &'a Structure>,
        level: usize,
        depth: usize,
    ) {
        let mut run = self.take(depth);
        let mut previous_was_block = false;
        let mut first = true;
        for item in items {
            match item {
                Structure::Attribute(attr) => {
                    // Meta-arguments that order resources stand apart at the end.
                    let apart = attr.key() == "depends_on" && !first;
                    if apart {
                        flush_run(out, &mut run, level);
                    }
                    if previous_was_block || apart {
                        out.push('\n');
                    }
                    let k = run.buf.len();
                    run.buf.push_str(attr.key());
                    let v = run.buf.len();
                    let shape = self.render(&mut run.buf, attr.expr(), level, depth + 1);
                    run.cells.push(Cell {
                        key: (k, v),
                        value: (v, run.buf.len()),
                        shape,
                    });
                    previous_was_block = false;
                }
                Structure::Block(block) => {
                    flush_run(out, &mut run, level);
                    if !first {
                        out.push('\n');
                    }
                    self.block(out, block, level, depth + 1);
                    previous_was_block = true;
                }
            }
            first = false;
        }
        flush_run(out, &mut run, level);
        self.give(depth, run);
    }

    /// Renders an attribute value at nesting `level` onto `buf`
    /// (continuation lines indented for that level; the first line is not)
    /// and says its shape. Nested objects use the runs from `depth` on.
    fn render(&mut self, buf: &mut String, expr: &Expression, level: usize, depth: usize) -> Shape {
        match expr {
            Expression::Array(items) if !items.is_empty() => {
                let start = buf.len();
                write_compact(buf, expr);
                let one_line = &buf[start..];
                if !one_line.contains('\n') && level * 2 + one_line.len() + 24 <= WIDTH {
                    return Shape::Line;
                }
                buf.truncate(start);
                buf.push_str("[\n");
                for item in items {
                    push_indent(buf, level + 1);
                    self.render(buf, item, level + 1, depth);
                    buf.push_str(",\n");
                }
                push_indent(buf, level);
                buf.push(']');
                Shape::Block
            }
            Expression::Object(entries) if !entries.is_empty() => {
                buf.push_str("{\n");
                let mut run = self.take(depth);
                for (key, value) in entries {
                    let k = run.buf.len();
                    object_key(key, &mut run.buf);
                    let v = run.buf.len();
                    let shape = self.render(&mut run.buf, value, level + 1, depth + 1);
                    run.cells.push(Cell {
                        key: (k, v),
                        value: (v, run.buf.len()),
                        shape,
                    });
                }
                flush_run(buf, &mut run, level + 1);
                self.give(depth, run);
                push_indent(buf, level);
                buf.push('}');
                Shape::Block
            }
            Expression::TemplateExpr(template) => match template.as_ref() {
                TemplateExpr::QuotedString(raw) => {
                    buf.push('"');
                    buf.push_str(raw);
                    buf.push('"');
                    Shape::Line
                }
                TemplateExpr::Heredoc(heredoc) => {
                    buf.push_str(heredoc.strip.as_str());
                    buf.push_str(&heredoc.delimiter);
                    buf.push('\n');
                    buf.push_str(&heredoc.template);
                    if !heredoc.template.ends_with('\n') {
                        buf.push('\n');
                    }
                    push_indent(buf, level);
                    buf.push_str(&heredoc.delimiter);
                    Shape::Heredoc
                }
            },
            other => {
                write_compact(buf, other);
                Shape::Line
            }
        }
    }
}

/// Writes a run of cells, aligning `=` the way `terraform fmt` does, and
/// empties it.
fn flush_run(out: &mut String, run: &mut Run, level: usize) {
    let cells = &run.cells;
    let width_of = |c: &Cell| run.buf[c.key.0..c.key.1].chars().count();
    let mut start = 0;
    while start < cells.len() {
        // A group: consecutive single-line cells, plus a heredoc opener that
        // ends it; a multi-line value stands alone.
        let mut end = start;
        while end < cells.len() && cells[end].shape == Shape::Line {
            end += 1;
        }
        if end < cells.len() && cells[end].shape == Shape::Heredoc {
            end += 1;
        }
        if end == start {
            end = start + 1;
        }
        let width = cells[start..end].iter().map(width_of).max().unwrap_or(0);
        for cell in &cells[start..end] {
            push_indent(out, level);
            out.push_str(&run.buf[cell.key.0..cell.key.1]);
            if cell.shape != Shape::Block {
                for _ in width_of(cell)..width {
                    out.push(' ');
                }
            }
            out.push_str(" = ");
            out.push_str(&run.buf[cell.value.0..cell.value.1]);
            out.push('\n');
        }
        start = end;
    }
    run.cells.clear();
    run.buf.clear();
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// Fits on the attribute's line.
    Line,
    /// Opens a heredoc: joins the alignment run and ends it.
    Heredoc,
    /// Spans lines: stands outside any alignment run.
    Block,
}

/// HCL keywords that must be quoted to be read as object keys.
const KEYWORDS: [&str; 9] = [
    "null", "true", "false", "for", "in", "if", "else", "endif", "endfor",
];

fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !KEYWORDS.contains(&key)
}

fn object_key(key: &ObjectKey, out: &mut String) {
    match key {
        ObjectKey::Identifier(ident) if is_plain_key(ident) => out.push_str(ident),
        ObjectKey::Expression(Expression::String(s)) if is_plain_key(s) => out.push_str(s),
        ObjectKey::Identifier(ident) => {
            out.push('"');
            escape(ident, out);
            out.push('"');
        }
        ObjectKey::Expression(Expression::String(s)) => {
            out.push('"');
            escape(s, out);
            out.push('"');
        }
        // A computed key must be wrapped in parentheses to be evaluated.
        ObjectKey::Expression(expr) => {
            out.push('(');
            write_compact(out, expr);
            out.push(')');
        }
        _ => out.push_str(&quote(&key.to_string())),
    }
}

/// An expression on one line (nested arrays and objects inline).
pub(crate) fn compact(expr: &Expression) -> String {
    let mut out = String::new();
    write_compact(&mut out, expr);
    out
}

fn write_compact(out: &mut String, expr: &Expression) {
    match expr {
        Expression::Null => out.push_str("null"),
        Expression::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expression::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                let f = n.as_f64().unwrap_or(0.0);
                let _ = write!(out, "{f}");
            }
        }
        Expression::String(s) => {
            out.push('"');
            escape(s, out);
            out.push('"');
        }
        Expression::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Expression::Object(entries) => {
            if entries.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{ ");
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                object_key(key, out);
                out.push_str(" = ");
                write_compact(out, value);
            }
            out.push_str(" }");
        }
        Expression::TemplateExpr(template) => match template.as_ref() {
            TemplateExpr::QuotedString(raw) => {
                out.push('"');
                out.push_str(raw);
                out.push('"');
            }
            TemplateExpr::Heredoc(_) => out.push_str(&fallback(expr)),
        },
        Expression::Variable(var) => out.push_str(var.as_str()),
        Expression::Traversal(traversal) => {
            write_compact(out, &traversal.expr);
            for op in &traversal.operators {
                match op {
                    TraversalOperator::GetAttr(ident) => {
                        out.push('.');
                        out.push_str(ident.as_str());
                    }
                    TraversalOperator::Index(index) => {
                        out.push('[');
                        write_compact(out, index);
                        out.push(']');
                    }
                    TraversalOperator::LegacyIndex(i) => {
                        let _ = write!(out, ".{i}");
                    }
                    TraversalOperator::AttrSplat => out.push_str(".*"),
                    TraversalOperator::FullSplat => out.push_str("[*]"),
                }
            }
        }
        Expression::FuncCall(call) => {
            for namespace in &call.name.namespace {
                out.push_str(namespace.as_str());
                out.push_str("::");
            }
            out.push_str(call.name.name.as_str());
            out.push('(');
            for (i, arg) in call.args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_compact(out, arg);
            }
            if call.expand_final {
                out.push_str("...");
            }
            out.push(')');
        }
        Expression::Parenthesis(inner) => {
            out.push('(');
            write_compact(out, inner);
            out.push(')');
        }
        Expression::Operation(op) => match op.as_ref() {
            Operation::Binary(op) => {
                write_compact(out, &op.lhs_expr);
                out.push(' ');
                out.push_str(op.operator.as_str());
                out.push(' ');
                write_compact(out, &op.rhs_expr);
            }
            Operation::Unary(op) => {
                out.push_str(op.operator.as_str());
                write_compact(out, &op.expr);
            }
        },
        Expression::Conditional(cond) => {
            write_compact(out, &cond.cond_expr);
            out.push_str(" ? ");
            write_compact(out, &cond.true_expr);
            out.push_str(" : ");
            write_compact(out, &cond.false_expr);
        }
        other => out.push_str(&fallback(other)),
    }
}

/// hcl-rs's own formatting, for the expression forms this exporter does not
/// build (`for` expressions, heredocs nested in a one-line value).
fn fallback(expr: &Expression) -> String {
    hcl::format::to_string(expr).unwrap_or_else(|_| "null".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcl::expr::{FuncCall, Traversal, Variable};

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        escape(text, &mut out);
        out
    }

    #[test]
    fn escaping_keeps_the_literal_meaning() {
        assert_eq!(escaped(r#"a "b" \c"#), r#"a \"b\" \\c"#);
        assert_eq!(escaped("${x} %{y}"), "$${x} %%{y}");
        // hcl-rs writes "%%{y}" here, which reads back as "%{y}".
        assert_eq!(escaped("$${x} %%{y}"), "$$${x} %%%{y}");
        assert_eq!(escaped("a\nb\u{202e}c\u{1F680}"), "a\\nb\\u202ec\u{1F680}");
        assert_eq!(escaped("$ % {"), "$ % {");
    }

    #[test]
    fn escaped_strings_parse_back_to_the_same_text() {
        for text in [
            "plain",
            "\"quoted\" and \\ back",
            "${var.x} and %{ if true }",
            "$${x} %%{y} $$$${z}",
            "line\nbreak\ttab\r",
            "\u{202e}reversed\u{200b}",
            "trailing $",
            "trailing %",
        ] {
            let source = format!("x = {}\n", quote(text));
            let value: std::collections::BTreeMap<String, String> = hcl::from_str(&source).unwrap();
            assert_eq!(value["x"], text, "{source}");
        }
    }

    #[test]
    fn runs_of_attributes_align_like_terraform_fmt() {
        let block = Block::builder("resource")
            .add_label("aws_vpc")
            .add_label("main")
            .add_attribute(("cidr_block", "10.0.0.0/16"))
            .add_attribute(("enable_dns_support", true))
            .add_attribute((
                "tags",
                Expression::from_iter([("Name", "main"), ("topoplan:node", "vpc")]),
            ))
            .add_attribute((
                "vpc_id",
                Traversal::builder(Variable::unchecked("aws_vpc"))
                    .attr("main")
                    .attr("id")
                    .build(),
            ))
            .build();
        let mut out = String::new();
        write_blocks(&mut out, &[block]);
        assert_eq!(
            out,
            r#"resource "aws_vpc" "main" {
  cidr_block         = "10.0.0.0/16"
  enable_dns_support = true
  tags = {
    Name            = "main"
    "topoplan:node" = "vpc"
  }
  vpc_id = aws_vpc.main.id
}
"#
        );
    }

    #[test]
    fn long_arrays_break_and_short_ones_stay_on_one_line() {
        let rendered = |expr: &Expression| {
            let mut buf = String::new();
            Writer::default().render(&mut buf, expr, 1, 0);
            buf
        };
        let short = Expression::Array(vec!["a".into(), "b".into()]);
        assert_eq!(rendered(&short), r#"["a", "b"]"#);
        let long = Expression::Array((0..12).map(|i| format!("subnet-{i:08}").into()).collect());
        let text = rendered(&long);
        assert!(text.starts_with("[\n    \"subnet-00000000\",\n"), "{text}");
        assert!(text.ends_with(",\n  ]"), "{text}");
    }

    #[test]
    fn function_calls_are_compact() {
        let call = FuncCall::builder("jsonencode")
            .arg(Expression::from_iter([("maxReceiveCount", 5)]))
            .build();
        assert_eq!(
            compact(&Expression::from(call)),
            "jsonencode({ maxReceiveCount = 5 })"
        );
    }

    #[test]
    fn keyword_and_odd_keys_are_quoted() {
        let key = |k: &str| {
            let mut out = String::new();
            object_key(&ObjectKey::from(k), &mut out);
            out
        };
        assert_eq!(key("null"), "\"null\"");
        assert_eq!(key("a:b"), "\"a:b\"");
        assert_eq!(key("Name"), "Name");
    }

    #[test]
    fn comments_stay_on_one_visible_line() {
        assert_eq!(comment_text("a\nb\u{202e}c  "), "a b\\u{202e}c");
    }
}
