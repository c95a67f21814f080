//! `versions.tf` and `providers.tf`: version constraints, and one aliased
//! `aws` provider per region with the topology id in `default_tags`.

use super::dsl::{self, string};
use super::{Ctx, Out, Section, TAG_TOPOLOGY, VarDef, variables};

/// Admits every 5.x release from 5.40 on (the first with all the resource
/// arguments the exporter writes), and no 6.x (a major version may remove them).
pub(crate) const AWS_PROVIDER_CONSTRAINT: &str = "~> 5.40";

pub(crate) fn emit(ctx: &Ctx<'_>, out: &mut Out) {
    let versions = dsl::block("terraform")
        .add_attribute(dsl::attr("required_version", string(">= 1.5.0")))
        .add_block(
            dsl::block("required_providers")
                .add_attribute(dsl::attr(
                    "aws",
                    dsl::object([
                        ("source", string("hashicorp/aws")),
                        ("version", string(AWS_PROVIDER_CONSTRAINT)),
                    ]),
                ))
                .build(),
        )
        .build();
    let mut section = Section::default();
    section.push(versions);
    out.add("versions.tf", section);

    if ctx.regions.is_empty() {
        return;
    }
    out.variable(VarDef {
        name: "allowed_account_ids".to_owned(),
        group: variables::GROUP_OPERATIONS,
        ty: dsl::call("list", [dsl::name("string")]),
        description: "AWS account ids Terraform may change; any other account is refused before \
                      a change is made (recommended). Null allows any account."
            .to_owned(),
        default: Some(hcl::Expression::Null),
        sensitive: false,
        validations: Vec::new(),
        example: None,
    });
    let mut section = Section::default();
    for region in &ctx.regions {
        let provider = dsl::block("provider")
            .add_label("aws")
            .add_attribute(dsl::attr("alias", string(region.ident.as_str())))
            .add_attribute(dsl::attr("region", string(region.id.as_str())))
            .add_attribute(dsl::attr(
                "allowed_account_ids",
                dsl::var("allowed_account_ids"),
            ))
            .add_block(
                dsl::block("default_tags")
                    .add_attribute(dsl::attr(
                        "tags",
                        dsl::object([(TAG_TOPOLOGY, string(ctx.topology_id.as_str()))]),
                    ))
                    .build(),
            )
            .build();
        section.push(provider);
    }
    out.add("providers.tf", section);
}
