//! Small builders for the HCL the exporter writes: references as real
//! traversals (`aws_vpc.us_east_1.id`), function calls, templates that mix
//! literal text with interpolations, and blocks.

use hcl::expr::{
    BinaryOp, BinaryOperator, Expression, FuncCall, Heredoc, HeredocStripMode, ObjectKey,
    TemplateExpr, Traversal, Variable,
};
use hcl::{Attribute, Block, BlockBuilder, Identifier};

use super::format;

/// A traversal `root.a.b`. Every part is an identifier this module built
/// (resource types, labels from [`super::naming`], attribute names).
pub(crate) fn traversal(root: &str, path: &[&str]) -> Expression {
    debug_assert!(
        std::iter::once(root)
            .chain(path.iter().copied())
            .all(is_identifier),
        "not an identifier in {root}.{path:?}"
    );
    let mut builder = Traversal::builder(Variable::unchecked(root));
    for part in path {
        builder = builder.attr(Identifier::unchecked(*part));
    }
    Expression::from(builder.build())
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A bare name such as the type `string`.
pub(crate) fn name(ident: &str) -> Expression {
    debug_assert!(is_identifier(ident));
    Expression::Variable(Variable::unchecked(ident))
}

/// `aws_vpc.us_east_1.id`
pub(crate) fn res(ty: &str, label: &str, attr: &str) -> Expression {
    traversal(ty, &[label, attr])
}

/// `data.aws_iam_policy_document.web.json`
pub(crate) fn data_ref(ty: &str, label: &str, attr: &str) -> Expression {
    traversal("data", &[ty, label, attr])
}

/// `var.name`
pub(crate) fn var(name: &str) -> Expression {
    traversal("var", &[name])
}

/// `local.name`
pub(crate) fn local(name: &str) -> Expression {
    traversal("local", &[name])
}

/// `expr[index]`
pub(crate) fn index(expr: Expression, index: impl Into<Expression>) -> Expression {
    let Expression::Traversal(traversal) = expr else {
        return expr;
    };
    let mut traversal = *traversal;
    traversal
        .operators
        .push(hcl::expr::TraversalOperator::Index(index.into()));
    Expression::from(traversal)
}

/// `expr.attr` on a traversal.
pub(crate) fn get(expr: Expression, attr: &str) -> Expression {
    let Expression::Traversal(traversal) = expr else {
        return expr;
    };
    let mut traversal = *traversal;
    traversal
        .operators
        .push(hcl::expr::TraversalOperator::GetAttr(
            Identifier::unchecked(attr),
        ));
    Expression::from(traversal)
}

/// `name(args...)`
pub(crate) fn call(name: &str, args: impl IntoIterator<Item = Expression>) -> Expression {
    let mut builder = FuncCall::builder(Identifier::unchecked(name));
    for arg in args {
        builder = builder.arg(arg);
    }
    Expression::from(builder.build())
}

pub(crate) fn list(items: impl IntoIterator<Item = Expression>) -> Expression {
    Expression::Array(items.into_iter().collect())
}

/// A list of string literals.
pub(crate) fn strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Expression {
    list(
        items
            .into_iter()
            .map(|s| Expression::String(s.as_ref().to_owned())),
    )
}

/// An object with literal keys.
pub(crate) fn object<K: Into<String>>(
    entries: impl IntoIterator<Item = (K, Expression)>,
) -> Expression {
    Expression::Object(
        entries
            .into_iter()
            .map(|(k, v)| (ObjectKey::Expression(Expression::String(k.into())), v))
            .collect(),
    )
}

pub(crate) fn string(text: impl Into<String>) -> Expression {
    Expression::String(text.into())
}

pub(crate) fn and(lhs: Expression, rhs: Expression) -> Expression {
    Expression::from(BinaryOp::new(lhs, BinaryOperator::And, rhs))
}

/// One piece of a template string.
pub(crate) enum Part<'a> {
    /// Literal text (escaped when written).
    Text(&'a str),
    /// `${expr}`
    Interp(Expression),
}

/// A quoted template such as `"arn:${data.aws_partition.current.partition}:s3:::x"`.
pub(crate) fn template(parts: Vec<Part<'_>>) -> Expression {
    let mut raw = String::new();
    for part in parts {
        match part {
            Part::Text(text) => {
                // A literal `$` or `%` right before an interpolation would
                // merge with it into an escape; the exporter never writes one.
                debug_assert!(!text.ends_with(['$', '%']));
                format::escape(text, &mut raw);
            }
            Part::Interp(expr) => {
                raw.push_str("${");
                raw.push_str(&format::compact(&expr));
                raw.push('}');
            }
        }
    }
    Expression::TemplateExpr(Box::new(TemplateExpr::QuotedString(raw)))
}

/// An indented heredoc (`<<-EOT`) holding `lines` as literal text, for a
/// value whose first line sits at nesting `level`.
pub(crate) fn heredoc(lines: &[String], level: usize) -> Expression {
    let indent = "  ".repeat(level + 1);
    let mut template = String::new();
    for line in lines {
        template.push_str(&indent);
        // Heredoc text is a template too: escape its markers.
        template.push_str(&format::escape_markers(line));
        template.push('\n');
    }
    Expression::TemplateExpr(Box::new(TemplateExpr::Heredoc(
        Heredoc::new(Identifier::unchecked("EOT"), template)
            .with_strip_mode(HeredocStripMode::Indent),
    )))
}

/// `key = value`. Every key is an attribute name this module chose
/// (never user text), so it skips hcl-rs's per-character sanitising,
/// which was 6% of a large export.
pub(crate) fn attr(key: &str, value: impl Into<Expression>) -> Attribute {
    debug_assert!(is_identifier(key), "not an identifier: {key}");
    Attribute::new(Identifier::unchecked(key), value)
}

/// `resource "ty" "label" { ... }`
pub(crate) fn resource(ty: &str, label: &str) -> BlockBuilder {
    Block::builder("resource").add_label(ty).add_label(label)
}

/// `data "ty" "label" { ... }`
pub(crate) fn data(ty: &str, label: &str) -> BlockBuilder {
    Block::builder("data").add_label(ty).add_label(label)
}

pub(crate) fn block(name: &str) -> BlockBuilder {
    Block::builder(name)
}

/// `name { key = value ... }` from attributes.
pub(crate) fn attrs_block(name: &str, attrs: Vec<(&str, Expression)>) -> Block {
    let mut b = Block::builder(name);
    for (k, v) in attrs {
        b = b.add_attribute(attr(k, v));
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_traversals() {
        assert_eq!(
            format::compact(&res("aws_vpc", "us_east_1", "id")),
            "aws_vpc.us_east_1.id"
        );
        assert_eq!(
            format::compact(&index(
                data_ref("aws_iam_policy_document", "web", "json"),
                0
            )),
            "data.aws_iam_policy_document.web.json[0]"
        );
        assert!(matches!(var("x"), Expression::Traversal(_)));
    }

    #[test]
    fn templates_escape_their_literal_parts() {
        let t = template(vec![
            Part::Text("a\"${b}-"),
            Part::Interp(var("domain_name")),
        ]);
        assert_eq!(format::compact(&t), r#""a\"$${b}-${var.domain_name}""#);
    }
}
