//! `variables.tf`: every value the user supplies, declared when first used,
//! with a type, a description, and a `validation` block wherever a rule
//! exists. Secrets never have defaults; they are marked `sensitive`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hcl::Block;
use hcl::expr::Expression;

use super::dsl::{self, call, string, var};
use super::{Ctx, Out, RegionCtx, VarDef, format};

pub(crate) const GROUP_NETWORK: u8 = 1;
pub(crate) const GROUP_COMPUTE: u8 = 2;
pub(crate) const GROUP_TLS: u8 = 3;
pub(crate) const GROUP_DNS: u8 = 4;
pub(crate) const GROUP_DATA: u8 = 5;
pub(crate) const GROUP_OPERATIONS: u8 = 6;

fn ty(name: &str) -> Expression {
    dsl::name(name)
}

/// `can(regex(pattern, var.name))`
fn matches(name: &str, pattern: &str) -> Expression {
    call("can", [call("regex", [string(pattern), var(name)])])
}

fn def(name: &str, group: u8, ty_name: &str, description: String) -> VarDef {
    VarDef {
        name: name.to_owned(),
        group,
        ty: ty(ty_name),
        description,
        default: None,
        sensitive: false,
        validations: Vec::new(),
        example: None,
    }
}

/// The VPC CIDR block of a region (`10.<n>.0.0/16` by default, a distinct
/// `/16` per region so the VPCs can be peered).
pub(crate) fn vpc_cidr(ctx: &Ctx<'_>, region: &RegionCtx, out: &mut Out) -> Expression {
    let name = format!("vpc_cidr_{}", region.ident);
    if out.has_variable(&name) {
        return var(&name);
    }
    let index = ctx
        .regions
        .iter()
        .position(|r| r.id == region.id)
        .unwrap_or(0);
    let mut d = def(
        &name,
        GROUP_NETWORK,
        "string",
        format!(
            "CIDR block of the VPC in {}: a /16 to /23; each tier gets one /21 (of a /16) per AZ.",
            region.id
        ),
    );
    d.default = Some(string(format!("10.{}.0.0/16", index * 16)));
    d.validations.push((
        dsl::and(
            call("can", [call("cidrnetmask", [var(&name)])]),
            matches(&name, "/(1[6-9]|2[0-3])$"),
        ),
        format!(
            "vpc_cidr_{} must be an IPv4 CIDR block from /16 to /23, such as 10.0.0.0/16.",
            region.ident
        ),
    ));
    out.variable(d);
    var(&name)
}

/// The AMI the region's services boot.
pub(crate) fn ami(region: &RegionCtx, out: &mut Out) -> Expression {
    let name = format!("ami_id_{}", region.ident);
    if out.has_variable(&name) {
        return var(&name);
    }
    let mut d = def(
        &name,
        GROUP_COMPUTE,
        "string",
        format!(
            "AMI id for the services' instances in {} (AMIs are regional). The launch templates \
             assume an AMI whose root device is /dev/xvda (Amazon Linux 2023, or an image baked from it).",
            region.id
        ),
    );
    d.validations.push((
        matches(&name, "^ami-([0-9a-f]{8}|[0-9a-f]{17})$"),
        format!("{name} must be an AMI id such as ami-0123456789abcdef0."),
    ));
    d.example = Some(string("ami-0123456789abcdef0"));
    out.variable(d);
    var(&name)
}

/// The port every service instance listens on.
pub(crate) fn service_port(out: &mut Out) -> Expression {
    let name = "service_port";
    if out.has_variable(name) {
        return var(name);
    }
    let mut d = def(
        name,
        GROUP_COMPUTE,
        "number",
        "Port the services' instances listen on: load balancers forward to it and callers \
         reach it."
            .to_owned(),
    );
    d.default = Some(8080.into());
    d.validations.push((
        dsl::and(
            Expression::from(hcl::expr::BinaryOp::new(
                var(name),
                hcl::expr::BinaryOperator::GreaterEq,
                1,
            )),
            Expression::from(hcl::expr::BinaryOp::new(
                var(name),
                hcl::expr::BinaryOperator::LessEq,
                65535,
            )),
        ),
        "service_port must be from 1 to 65535.".to_owned(),
    ));
    out.variable(d);
    var(name)
}

/// Size of every instance's encrypted root volume.
pub(crate) fn root_volume_size(out: &mut Out) -> Expression {
    let name = "root_volume_size_gb";
    if out.has_variable(name) {
        return var(name);
    }
    let mut d = def(
        name,
        GROUP_COMPUTE,
        "number",
        "Size in GiB of each instance's encrypted gp3 root volume.".to_owned(),
    );
    d.default = Some(20.into());
    d.validations.push((
        Expression::from(hcl::expr::BinaryOp::new(
            var(name),
            hcl::expr::BinaryOperator::GreaterEq,
            8,
        )),
        "root_volume_size_gb must be at least 8 (the size of the AMI's snapshot).".to_owned(),
    ));
    out.variable(d);
    var(name)
}

const ACM_ARN: &str = "^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$";

/// The ACM certificate for TLS listeners and API domains in a region.
pub(crate) fn certificate(region: &RegionCtx, out: &mut Out) -> Expression {
    let name = format!("certificate_arn_{}", region.ident);
    if out.has_variable(&name) {
        return var(&name);
    }
    let mut d = def(
        &name,
        GROUP_TLS,
        "string",
        format!(
            "ARN of the ACM certificate in {} for the HTTPS/TLS listeners and API domains there.",
            region.id
        ),
    );
    d.validations.push((
        matches(&name, ACM_ARN),
        format!("{name} must be an ACM certificate ARN (arn:aws:acm:...:certificate/...)."),
    ));
    d.example = Some(string(format!(
        "arn:aws:acm:{}:123456789012:certificate/00000000-0000-0000-0000-000000000000",
        region.id
    )));
    out.variable(d);
    var(&name)
}

/// The certificate CloudFront presents (must live in us-east-1).
pub(crate) fn cloudfront_certificate(out: &mut Out) -> Expression {
    let name = "cloudfront_certificate_arn";
    if out.has_variable(name) {
        return var(name);
    }
    let mut d = def(
        name,
        GROUP_TLS,
        "string",
        "ARN of the ACM certificate CloudFront presents for the domain: it must be in us-east-1."
            .to_owned(),
    );
    d.validations.push((
        matches(
            name,
            "^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]+$",
        ),
        "cloudfront_certificate_arn must be an ACM certificate ARN in us-east-1.".to_owned(),
    ));
    d.example = Some(string(
        "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    ));
    out.variable(d);
    var(name)
}

/// The domain users reach the topology at.
pub(crate) fn domain_name(out: &mut Out) -> Expression {
    let name = "domain_name";
    if out.has_variable(name) {
        return var(name);
    }
    let mut d = def(
        name,
        GROUP_DNS,
        "string",
        "Domain users reach the topology at (e.g. shop.example.com); it must be in the Route 53 \
         zone route53_zone_id."
            .to_owned(),
    );
    d.validations.push((
        matches(
            name,
            "^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$",
        ),
        "domain_name must be a lower-case DNS name such as shop.example.com.".to_owned(),
    ));
    d.example = Some(string("shop.example.com"));
    out.variable(d);
    var(name)
}

/// The existing Route 53 hosted zone holding `domain_name`.
pub(crate) fn zone_id(out: &mut Out) -> Expression {
    let name = "route53_zone_id";
    if out.has_variable(name) {
        return var(name);
    }
    let mut d = def(
        name,
        GROUP_DNS,
        "string",
        "Id of the existing Route 53 hosted zone that holds domain_name.".to_owned(),
    );
    d.validations.push((
        matches(name, "^[A-Z0-9]{1,32}$"),
        "route53_zone_id must be a hosted zone id such as Z0123456789ABCDEFGHIJ.".to_owned(),
    ));
    d.example = Some(string("Z0123456789ABCDEFGHIJ"));
    out.variable(d);
    var(name)
}

/// The databases' master user name (the password is not a variable: RDS
/// keeps it in Secrets Manager).
pub(crate) fn db_username(out: &mut Out) -> Expression {
    let name = "db_master_username";
    if out.has_variable(name) {
        return var(name);
    }
    let mut d = def(
        name,
        GROUP_DATA,
        "string",
        "Master user name of the databases. The password is generated and rotated by RDS in \
         Secrets Manager (see the *_master_secret_arn outputs); it never appears in Terraform."
            .to_owned(),
    );
    d.default = Some(string("dbadmin"));
    d.validations.push((
        matches(name, "^[A-Za-z][A-Za-z0-9_]{0,15}$"),
        "db_master_username must start with a letter and have at most 16 letters, digits or underscores."
            .to_owned(),
    ));
    out.variable(d);
    var(name)
}

/// Where the master password of an Aurora global database comes from: RDS
/// cannot manage it for a global cluster, so it is read from a secret the
/// user keeps in Secrets Manager.
pub(crate) fn db_password_secret(region: &RegionCtx, out: &mut Out) -> Expression {
    let name = format!("db_master_password_secret_arn_{}", region.ident);
    if out.has_variable(&name) {
        return var(&name);
    }
    let mut d = def(
        &name,
        GROUP_DATA,
        "string",
        format!(
            "ARN of a Secrets Manager secret in {} whose value is the master password of the \
             Aurora global databases written there (RDS cannot manage it for a global cluster).",
            region.id
        ),
    );
    d.validations.push((
        matches(
            &name,
            "^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$",
        ),
        format!("{name} must be a Secrets Manager secret ARN."),
    ));
    d.example = Some(string(format!(
        "arn:aws:secretsmanager:{}:123456789012:secret:db-master-password-AbCdEf",
        region.id
    )));
    out.variable(d);
    var(&name)
}

/// An engine version (a default that a user should review).
pub(crate) fn engine_version(name: &str, what: &str, default: &str, out: &mut Out) -> Expression {
    if out.has_variable(name) {
        return var(name);
    }
    let mut d = def(
        name,
        GROUP_DATA,
        "string",
        format!("{what} engine version."),
    );
    d.default = Some(string(default));
    out.variable(d);
    var(name)
}

/// The Redis/Valkey AUTH token.
pub(crate) fn cache_auth_token(out: &mut Out) -> Expression {
    let name = "cache_auth_token";
    if out.has_variable(name) {
        return var(name);
    }
    let mut d = def(
        name,
        GROUP_DATA,
        "string",
        "AUTH token of the Redis/Valkey caches: 16 to 128 printable characters, no spaces, @, \" \
         or /."
            .to_owned(),
    );
    d.sensitive = true;
    d.validations.push((
        matches(name, "^[!#-.0-?A-~]{16,128}$"),
        "cache_auth_token must be 16 to 128 printable ASCII characters without spaces, @, \" or /."
            .to_owned(),
    ));
    d.example = Some(string("change-me-to-a-long-random-token"));
    out.variable(d);
    var(name)
}

pub(crate) fn deletion_protection(out: &mut Out) -> Expression {
    let name = "deletion_protection";
    if out.has_variable(name) {
        return var(name);
    }
    let mut d = def(
        name,
        GROUP_OPERATIONS,
        "bool",
        "Protect load balancers and databases from deletion (turn off only to tear down)."
            .to_owned(),
    );
    d.default = Some(true.into());
    out.variable(d);
    var(name)
}

pub(crate) fn log_retention_days(out: &mut Out) -> Expression {
    let name = "log_retention_days";
    if out.has_variable(name) {
        return var(name);
    }
    let mut d = def(
        name,
        GROUP_OPERATIONS,
        "number",
        "Days CloudWatch keeps the VPC flow logs, API access logs and Kafka broker logs."
            .to_owned(),
    );
    d.default = Some(365.into());
    d.validations.push((
        call(
            "contains",
            [
                dsl::list(
                    [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
                        .into_iter()
                        .map(Expression::from),
                ),
                var(name),
            ],
        ),
        "log_retention_days must be a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
            .to_owned(),
    ));
    out.variable(d);
    var(name)
}

/// Variables in file order: by group, then name.
pub(crate) fn ordered(vars: &BTreeMap<String, VarDef>) -> impl Iterator<Item = &VarDef> {
    let mut all: Vec<&VarDef> = vars.values().collect();
    all.sort_by(|a, b| (a.group, &a.name).cmp(&(b.group, &b.name)));
    all.into_iter()
}

pub(crate) fn blocks(vars: &BTreeMap<String, VarDef>) -> Vec<Block> {
    ordered(vars)
        .map(|v| {
            let mut b = dsl::block("variable")
                .add_label(v.name.as_str())
                .add_attribute(dsl::attr("description", string(v.description.as_str())))
                .add_attribute(dsl::attr("type", v.ty.clone()));
            if let Some(default) = &v.default {
                b = b.add_attribute(dsl::attr("default", default.clone()));
            }
            if v.sensitive {
                b = b.add_attribute(dsl::attr("sensitive", true));
            }
            for (condition, message) in &v.validations {
                b = b.add_block(
                    dsl::block("validation")
                        .add_attribute(dsl::attr("condition", condition.clone()))
                        .add_attribute(dsl::attr("error_message", string(message.as_str())))
                        .build(),
                );
            }
            b.build()
        })
        .collect()
}

/// `terraform.tfvars.example`: every variable, required ones first, with a
/// placeholder or its default (commented out).
pub(crate) fn tfvars_example(ctx: &Ctx<'_>, vars: &BTreeMap<String, VarDef>) -> String {
    let mut text = format!(
        "{}\n# Copy to terraform.tfvars, fill in the required values and review the defaults.\n",
        super::write::marker_line(&ctx.topology_id)
    );
    let (required, optional): (Vec<&VarDef>, Vec<&VarDef>) =
        ordered(vars).partition(|v| v.default.is_none());
    if !required.is_empty() {
        text.push_str("\n# --- required ---\n");
        for v in required {
            text.push('\n');
            text.push_str(&comment_lines(&v.description));
            let value = v
                .example
                .as_ref()
                .map_or_else(|| "\"\"".to_owned(), format::compact);
            if v.sensitive {
                let _ = write!(
                    text,
                    "# Sensitive: prefer TF_VAR_{} in the environment.\n# {} = {value}\n",
                    v.name, v.name
                );
            } else {
                let _ = writeln!(text, "{} = {value}", v.name);
            }
        }
    }
    if !optional.is_empty() {
        text.push_str("\n# --- optional (defaults shown) ---\n");
        for v in optional {
            text.push('\n');
            text.push_str(&comment_lines(&v.description));
            let value = v.default.as_ref().map_or_else(String::new, format::compact);
            let _ = writeln!(text, "# {} = {value}", v.name);
        }
    }
    text
}

/// Wraps a description into `# ` lines of at most 80 columns.
fn comment_lines(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split_whitespace() {
        if line.len() + 1 + word.len() > 80 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}
