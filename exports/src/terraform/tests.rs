//! Tests of the exporter as a whole (per-module tests live beside the code).

use hcl::eval::Evaluate as _;
use topoplan_core::model::{
    DeploymentMode, Edge, EdgeKind, EdgeRecord, Meta, Node, NodeKind, NodeSpec, QueueEngine,
    Region, RegionRole, Standby,
};
use topoplan_core::templates;

use super::*;

fn template(name: &str) -> Topology {
    templates::find(name).unwrap().load().unwrap()
}

fn export_of(t: &Topology) -> Export {
    export(t, &ExportOptions::default()).unwrap()
}

/// Every block of `file`, parsed back with hcl-rs.
fn blocks(export: &Export, file: &str) -> Vec<Block> {
    let body: hcl::Body = hcl::parse(&export.files()[file]).unwrap();
    body.into_blocks().collect()
}

fn find<'a>(blocks: &'a [Block], kind: &str, ty: &str, label: &str) -> &'a Block {
    blocks
        .iter()
        .find(|b| {
            b.identifier() == kind
                && b.labels().first().map(hcl::BlockLabel::as_str) == Some(ty)
                && b.labels().get(1).map(hcl::BlockLabel::as_str) == Some(label)
        })
        .unwrap_or_else(|| panic!("no {kind} {ty}.{label}"))
}

fn attr<'a>(block: &'a Block, key: &str) -> &'a Expression {
    block
        .body()
        .attributes()
        .find(|a| a.key() == key)
        .map_or_else(|| panic!("no attribute {key}"), hcl::Attribute::expr)
}

fn text(expr: &Expression) -> String {
    format::compact(expr)
}

/// The value a literal (or escaped template) expression means.
fn value(expr: &Expression) -> hcl::Value {
    expr.evaluate(&hcl::eval::Context::new()).unwrap()
}

/// A one-region topology with a load balancer in front of a service.
fn small(name: &str) -> Topology {
    let mut meta = Meta::new("small");
    meta.regions = vec![Region::new(
        "us-east-1",
        RegionRole::Primary,
        &["us-east-1a", "us-east-1b"],
    )];
    let mut t = Topology::new(meta);
    t.add_node(
        Node::new("alb", NodeKind::LoadBalancer).placed("us-east-1", &["us-east-1a", "us-east-1b"]),
    )
    .unwrap();
    t.add_node(
        Node::new("web", NodeKind::Service)
            .with_name(name)
            .placed("us-east-1", &["us-east-1a", "us-east-1b"]),
    )
    .unwrap();
    t.add_edge(EdgeRecord::new("alb", "web", Edge::call()))
        .unwrap();
    t
}

#[test]
fn a_document_with_errors_is_refused_with_every_error_named() {
    let mut t = template("three-tier");
    let mut web = t.node("web").unwrap().clone();
    if let NodeSpec::Service(s) = &mut web.spec {
        s.min = 20;
    }
    t.update_node("web", web).unwrap();
    let err = export(&t, &ExportOptions::default()).unwrap_err();
    let ExportError::Invalid(errors) = &err else {
        panic!("{err}")
    };
    assert!(!errors.is_empty());
    let message = err.to_string();
    assert!(
        message.starts_with("the document has 1 error; fix it before exporting:"),
        "{message}"
    );
    assert!(message.contains("nodes[2] (\"web\").desired"), "{message}");
}

#[test]
fn the_same_document_gives_byte_identical_files() {
    for t in templates::TEMPLATES {
        let doc = t.load().unwrap();
        assert_eq!(export_of(&doc), export_of(&doc), "{}", t.name);
    }
}

#[test]
fn every_template_has_a_file_per_region_and_the_fixed_files() {
    let files: Vec<String> = export_of(&template("active-active"))
        .files()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        files,
        [
            "README.md",
            "eu-west-1.tf",
            "global.tf",
            "outputs.tf",
            "providers.tf",
            "terraform.tfvars.example",
            "us-east-1.tf",
            "variables.tf",
            "versions.tf",
        ]
    );
}

#[test]
fn each_region_gets_an_aliased_provider_tagging_the_topology() {
    let export = export_of(&template("active-active"));
    let providers = blocks(&export, "providers.tf");
    let aliases: Vec<String> = providers.iter().map(|p| text(attr(p, "alias"))).collect();
    assert_eq!(aliases, ["\"us_east_1\"", "\"eu_west_1\""]);
    for p in &providers {
        let tags = p
            .body()
            .blocks()
            .find(|b| b.identifier() == "default_tags")
            .unwrap();
        assert_eq!(
            text(attr(tags, "tags")),
            r#"{ "topoplan:topology" = "active-active" }"#
        );
    }
    let versions = &export.files()["versions.tf"];
    assert!(versions.contains("version = \"~> 5.40\""), "{versions}");
}

#[test]
fn every_resource_names_its_provider_and_node_resources_carry_the_node_tag() {
    let export = export_of(&template("marketplace"));
    for (file, text_) in export.files() {
        let is_tf = std::path::Path::new(file)
            .extension()
            .is_some_and(|e| e == "tf");
        if !is_tf || file == "providers.tf" || file == "versions.tf" {
            continue;
        }
        let body: hcl::Body = hcl::parse(text_).unwrap();
        for block in body
            .blocks()
            .filter(|b| b.identifier() == "resource" || b.identifier() == "data")
        {
            assert!(
                block.body().attributes().any(|a| a.key() == "provider"),
                "{file}: {:?} has no provider",
                block.labels()
            );
        }
    }
    for r in export.resources() {
        if r.node.is_none() || r.address.starts_with("data.") {
            continue;
        }
        let file = blocks(&export, &r.file);
        let (ty, label) = r.address.split_once('.').unwrap();
        let block = find(&file, "resource", ty, label);
        let tagged = block
            .body()
            .attributes()
            .any(|a| a.key() == "tags" && text(a.expr()).contains(TAG_NODE))
            || block.body().blocks().any(|b| b.identifier() == "tag");
        let untaggable = [
            "aws_vpc_security_group_ingress_rule",
            "aws_vpc_security_group_egress_rule",
            "aws_iam_role_policy",
            "aws_iam_role_policy_attachment",
            "aws_autoscaling_policy",
            "aws_msk_configuration",
            "aws_route53_record",
            "aws_rds_global_cluster",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_ownership_controls",
            "aws_s3_bucket_versioning",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_lifecycle_configuration",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_replication_configuration",
            "aws_sqs_queue_redrive_allow_policy",
            "aws_cloudfront_origin_access_control",
            "aws_cloudfront_response_headers_policy",
            "aws_apigatewayv2_integration",
            "aws_apigatewayv2_route",
            "aws_apigatewayv2_api_mapping",
        ];
        assert!(
            tagged || untaggable.contains(&ty),
            "{} is not tagged with its node",
            r.address
        );
    }
}

#[test]
fn hostile_names_mean_the_literal_string_in_hcl() {
    let name = "Web \"front\" \\ ${var.x} %{ if y } $${z} %%{w} 100% $\nline two \u{202e}rev";
    let export = export_of(&small(name));
    let file = blocks(&export, "us-east-1.tf");
    let template = find(&file, "resource", "aws_launch_template", "web_us_east_1");
    assert_eq!(value(attr(template, "description")), hcl::Value::from(name));
    // Comments stay on one line and show invisible characters.
    assert!(export.files()["us-east-1.tf"].contains(
        "# web: Web \"front\" \\ ${var.x} %{ if y } $${z} %%{w} 100% $ line two \\u{202e}rev"
    ));
    // The README escapes Markdown.
    assert!(!export.files()["README.md"].contains("\u{202e}"));
}

#[test]
fn references_are_traversals_never_copied_ids() {
    let export = export_of(&template("three-tier"));
    let file = blocks(&export, "us-east-1.tf");
    let asg = find(&file, "resource", "aws_autoscaling_group", "web_us_east_1");
    let Expression::Array(subnets) = attr(asg, "vpc_zone_identifier") else {
        panic!("subnets are a list")
    };
    assert_eq!(subnets.len(), 3);
    assert!(
        subnets
            .iter()
            .all(|s| matches!(s, Expression::Traversal(_)))
    );
    assert_eq!(
        text(attr(asg, "target_group_arns")),
        "[aws_lb_target_group.alb_web_us_east_1.arn]"
    );
    for text_ in export.files().values() {
        for id in ["subnet-", "sg-0", "vpc-0", "arn:aws:elasticloadbalancing"] {
            assert!(!text_.contains(id), "a literal {id} id in the export");
        }
    }
}

#[test]
fn services_get_a_launch_template_autoscaling_group_and_target_tracking() {
    let export = export_of(&template("three-tier"));
    let file = blocks(&export, "us-east-1.tf");
    let lt = find(&file, "resource", "aws_launch_template", "web_us_east_1");
    let metadata = lt
        .body()
        .blocks()
        .find(|b| b.identifier() == "metadata_options")
        .unwrap();
    assert_eq!(text(attr(metadata, "http_tokens")), "\"required\"");
    let ebs = lt
        .body()
        .blocks()
        .find(|b| b.identifier() == "block_device_mappings")
        .and_then(|b| b.body().blocks().find(|b| b.identifier() == "ebs"))
        .unwrap();
    assert_eq!(text(attr(ebs, "encrypted")), "true");
    let asg = find(&file, "resource", "aws_autoscaling_group", "web_us_east_1");
    assert_eq!(
        (
            text(attr(asg, "min_size")),
            text(attr(asg, "desired_capacity")),
            text(attr(asg, "max_size"))
        ),
        ("3".into(), "9".into(), "15".into())
    );
    assert_eq!(text(attr(asg, "default_instance_warmup")), "180");
    assert_eq!(text(attr(asg, "health_check_type")), "\"ELB\"");
    let policy = find(
        &file,
        "resource",
        "aws_autoscaling_policy",
        "web_us_east_1_cpu",
    );
    assert_eq!(text(attr(policy, "estimated_instance_warmup")), "180");
    let tracking = policy.body().blocks().next().unwrap();
    assert_eq!(text(attr(tracking, "target_value")), "70");
}

#[test]
fn security_group_rules_follow_the_edges_and_nothing_else() {
    let export = export_of(&template("three-tier"));
    let rules: Vec<&str> = export
        .resources()
        .iter()
        .filter(|r| r.address.starts_with("aws_vpc_security_group_"))
        .map(|r| r.address.as_str())
        .collect();
    for expected in [
        "aws_vpc_security_group_ingress_rule.web_from_alb_us_east_1",
        "aws_vpc_security_group_egress_rule.alb_to_web_us_east_1",
        "aws_vpc_security_group_ingress_rule.db_from_app_us_east_1",
        "aws_vpc_security_group_ingress_rule.cache_from_app_us_east_1",
        "aws_vpc_security_group_ingress_rule.alb_from_internet_443_us_east_1",
    ] {
        assert!(
            rules.contains(&expected),
            "{expected} missing from {rules:?}"
        );
    }
    // web never talks to the database: no path is opened for it.
    assert!(
        !rules
            .iter()
            .any(|r| r.contains("db_from_web") || r.contains("web_to_db"))
    );
    let file = blocks(&export, "us-east-1.tf");
    let db = find(
        &file,
        "resource",
        "aws_vpc_security_group_ingress_rule",
        "db_from_app_us_east_1",
    );
    assert_eq!(text(attr(db, "from_port")), "5432");
    assert_eq!(
        text(attr(db, "referenced_security_group_id")),
        "aws_security_group.app_us_east_1.id"
    );
}

#[test]
fn instance_roles_grant_what_the_edges_need() {
    let export = export_of(&template("event-pipeline"));
    let global = &export.files()["global.tf"];
    let body: hcl::Body = hcl::parse(global).unwrap();
    let policy = |label: &str| {
        body.blocks()
            .find(|b| {
                b.identifier() == "data"
                    && b.labels()[0].as_str() == "aws_iam_policy_document"
                    && b.labels()[1].as_str() == label
            })
            .map(|b| {
                b.body()
                    .blocks()
                    .map(|s| text(attr(s, "sid")))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        policy("ingest"),
        ["\"ConnectToEvents\"", "\"ProduceToEvents\""]
    );
    assert_eq!(
        policy("enricher"),
        [
            "\"ListLake\"",
            "\"ReadWriteLake\"",
            "\"SendToNotifications\"",
            "\"ConnectToEvents\"",
            "\"ConsumeFromEvents\"",
            "\"UseTheDataKeys\""
        ]
    );
    assert_eq!(
        policy("notifier"),
        ["\"ReceiveFromNotifications\"", "\"UseTheDataKeys\""]
    );
}

#[test]
fn what_the_aws_provider_cannot_express_is_reported_per_node() {
    let export = export_of(&template("marketplace"));
    let codes: Vec<(&str, &str)> = export
        .warnings()
        .iter()
        .map(|w| (w.node.as_str(), w.code))
        .collect();
    for expected in [
        ("dns", "dns-target"),
        ("cdn", "third-party-cdn"),
        ("bff", "platform-eks"),
        ("payments", "external"),
    ] {
        assert!(codes.contains(&expected), "{expected:?} not in {codes:?}");
    }
    let readme = &export.files()["README.md"];
    assert!(
        readme.contains("- `cdn` (third-party-cdn): a third-party CDN"),
        "{readme}"
    );
}

#[test]
fn latency_routing_gets_a_record_and_health_check_per_region() {
    let export = export_of(&template("active-active"));
    let global = blocks(&export, "global.tf");
    for region in ["us_east_1", "eu_west_1"] {
        let record = find(
            &global,
            "resource",
            "aws_route53_record",
            &format!("dns_alb_{region}"),
        );
        assert!(
            record
                .body()
                .blocks()
                .any(|b| b.identifier() == "latency_routing_policy")
        );
        assert_eq!(
            text(attr(record, "health_check_id")),
            format!("aws_route53_health_check.dns_alb_{region}.id")
        );
    }
}

#[test]
fn a_cross_region_aurora_database_is_a_global_cluster_with_write_forwarding() {
    let export = export_of(&template("active-active"));
    let global = blocks(&export, "global.tf");
    find(&global, "resource", "aws_rds_global_cluster", "db");
    let eu = blocks(&export, "eu-west-1.tf");
    let secondary = find(&eu, "resource", "aws_rds_cluster", "db_eu_west_1");
    assert_eq!(
        text(attr(secondary, "global_cluster_identifier")),
        "aws_rds_global_cluster.db.id"
    );
    assert_eq!(
        text(attr(secondary, "enable_global_write_forwarding")),
        "true"
    );
    // Two cross-region replicas.
    find(
        &eu,
        "resource",
        "aws_rds_cluster_instance",
        "db_eu_west_1_2",
    );
}

#[test]
fn standby_regions_are_sized_by_the_deployment_mode() {
    let mut t = template("marketplace");
    let mut meta = t.meta().clone();
    meta.deployment.mode = DeploymentMode::ActivePassive;
    meta.deployment.standby = Standby::WarmStandby;
    meta.deployment.warm_standby_fraction = 0.25;
    t.set_meta(meta.clone());
    let warm = blocks(&export_of(&t), "us-west-2.tf");
    let asg = find(&warm, "resource", "aws_autoscaling_group", "bff_us_west_2");
    // bff: min 3, desired 6, max 18 → 25% rounded up, max kept.
    assert_eq!(text(attr(asg, "min_size")), "1");
    assert_eq!(text(attr(asg, "desired_capacity")), "2");
    assert_eq!(text(attr(asg, "max_size")), "18");

    meta.deployment.standby = Standby::PilotLight;
    t.set_meta(meta);
    let pilot = blocks(&export_of(&t), "us-west-2.tf");
    let asg = find(&pilot, "resource", "aws_autoscaling_group", "bff_us_west_2");
    assert_eq!(text(attr(asg, "desired_capacity")), "0");
    assert_eq!(text(attr(asg, "max_size")), "18");
    let primary = blocks(&export_of(&t), "us-east-1.tf");
    let asg = find(
        &primary,
        "resource",
        "aws_autoscaling_group",
        "bff_us_east_1",
    );
    assert_eq!(text(attr(asg, "desired_capacity")), "6");
}

#[test]
fn a_single_region_deployment_exports_the_primary_and_warns_about_the_rest() {
    let mut t = template("active-active");
    let mut meta = t.meta().clone();
    meta.deployment.mode = DeploymentMode::Single;
    t.set_meta(meta);
    let export = export_of(&t);
    assert!(!export.files().contains_key("eu-west-1.tf"));
    assert!(
        export
            .warnings()
            .iter()
            .any(|w| w.node == "api" && w.code == "region-not-exported")
    );
}

#[test]
fn ids_that_fold_to_the_same_identifier_stay_unique() {
    let mut meta = Meta::new("collide");
    meta.regions = vec![Region::new(
        "us-east-1",
        RegionRole::Primary,
        &["us-east-1a"],
    )];
    let mut t = Topology::new(meta);
    // "orders" has a DLQ labelled orders_dlq_us_east_1, which the queue
    // orders_dlq would also get; orders-dlq and Orders.DLQ fold to orders_dlq.
    for id in ["orders", "orders_dlq", "orders-dlq", "Orders.DLQ"] {
        let mut node = Node::new(id, NodeKind::Queue).placed("us-east-1", &[]);
        if let NodeSpec::Queue(q) = &mut node.spec {
            q.engine = QueueEngine::Sqs;
        }
        t.add_node(node).unwrap();
    }
    let export = export_of(&t);
    let mut addresses: Vec<&str> = export
        .resources()
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    let count = addresses.len();
    addresses.sort_unstable();
    addresses.dedup();
    assert_eq!(addresses.len(), count, "duplicate addresses");
    let queues: Vec<&&str> = addresses
        .iter()
        .filter(|a| a.starts_with("aws_sqs_queue."))
        .collect();
    assert_eq!(queues.len(), 8, "{queues:?}");
    // The plain id keeps its plain label, and its dead-letter queue the
    // label the compound id would have taken.
    assert!(queues.contains(&&"aws_sqs_queue.orders_us_east_1"));
    assert!(queues.contains(&&"aws_sqs_queue.orders_dlq_us_east_1"));
    let hashed = queues
        .iter()
        .filter(|q| {
            q.starts_with("aws_sqs_queue.orders_dlq_")
                && q.len() == "aws_sqs_queue.orders_dlq_123456_us_east_1".len()
        })
        .count();
    assert_eq!(hashed, 3, "{queues:?}");
}

#[test]
fn unused_edges_kinds_do_not_open_ports() {
    let mut t = small("web");
    let mut q = Node::new("jobs", NodeKind::Queue).placed("us-east-1", &[]);
    if let NodeSpec::Queue(spec) = &mut q.spec {
        spec.engine = QueueEngine::Sqs;
    }
    t.add_node(q).unwrap();
    t.add_edge(EdgeRecord::new("web", "jobs", Edge::new(EdgeKind::Publish)))
        .unwrap();
    let export = export_of(&t);
    assert!(
        !export
            .resources()
            .iter()
            .any(|r| r.address.contains("jobs") && r.address.contains("security_group"))
    );
    assert!(export.files()["global.tf"].contains("\"sqs:SendMessage\""));
}

// ---------------------------------------------------------------------------
// Writing into a directory.

fn write(export: &Export, dir: &std::path::Path) -> Result<WriteReport, WriteError> {
    export.write_to(dir, &WriteOptions::default())
}

#[test]
fn writing_creates_the_directory_with_every_file_and_a_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let export = export_of(&template("three-tier"));
    let report = write(&export, &dir).unwrap();
    assert_eq!(report.written.len(), export.files().len());
    for (name, contents) in export.files() {
        assert_eq!(&std::fs::read_to_string(dir.join(name)).unwrap(), contents);
    }
    assert!(dir.join(write::MANIFEST).exists());
    // Again: nothing to do.
    let again = write(&export, &dir).unwrap();
    assert!(again.written.is_empty());
    assert_eq!(again.unchanged.len(), export.files().len());
}

#[test]
fn writing_refuses_to_overwrite_a_file_it_did_not_write_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("variables.tf"), "variable \"mine\" {}\n").unwrap();
    let err = write(&export_of(&template("three-tier")), tmp.path()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("variables.tf: exists and was not written by topoplan"),
        "{message}"
    );
    assert!(message.contains("nothing was written"), "{message}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(left.len(), 1);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("variables.tf")).unwrap(),
        "variable \"mine\" {}\n"
    );
}

#[test]
fn writing_keeps_unrelated_files_and_refuses_edited_ones_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let export = export_of(&template("three-tier"));
    write(&export, tmp.path()).unwrap();
    std::fs::write(tmp.path().join("backend.tf"), "terraform {}\n").unwrap();
    let region = tmp.path().join("us-east-1.tf");
    let edited = std::fs::read_to_string(&region).unwrap() + "# my change\n";
    std::fs::write(&region, &edited).unwrap();
    let err = write(&export, tmp.path()).unwrap_err();
    assert!(
        err.to_string()
            .contains("us-east-1.tf: was edited since topoplan wrote it"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&region).unwrap(), edited);
    export
        .write_to(tmp.path(), &WriteOptions::force(true))
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&region).unwrap(),
        export.files()["us-east-1.tf"]
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("backend.tf")).unwrap(),
        "terraform {}\n"
    );
}

#[test]
fn writing_removes_files_a_new_export_no_longer_has() {
    let tmp = tempfile::tempdir().unwrap();
    let two = template("active-active");
    write(&export_of(&two), tmp.path()).unwrap();
    assert!(tmp.path().join("eu-west-1.tf").exists());
    let mut one = two;
    let mut meta = one.meta().clone();
    meta.deployment.mode = DeploymentMode::Single;
    one.set_meta(meta);
    let report = write(&export_of(&one), tmp.path()).unwrap();
    assert_eq!(report.removed, ["eu-west-1.tf"]);
    assert!(!tmp.path().join("eu-west-1.tf").exists());
}

#[test]
fn writing_refuses_a_directory_holding_another_topology() {
    let tmp = tempfile::tempdir().unwrap();
    write(&export_of(&template("three-tier")), tmp.path()).unwrap();
    let err = write(&export_of(&template("static-site-api")), tmp.path()).unwrap_err();
    assert!(
        err.to_string()
            .contains("holds the export of topology \"three-tier\""),
        "{err}"
    );
}

#[test]
fn threads_do_not_change_a_single_byte() {
    let t = topoplan_core::generate::synthetic(
        &topoplan_core::generate::SyntheticSpec::with_nodes(600),
    );
    let one = ExportOptions {
        threads: 1,
        ..ExportOptions::default()
    };
    let four = ExportOptions {
        threads: 4,
        ..ExportOptions::default()
    };
    let a = export(&t, &one).unwrap();
    assert_eq!(a, export(&t, &four).unwrap());
    assert!(a.resources().len() > 10_000);
}

#[test]
fn two_dns_nodes_in_front_of_one_api_get_a_custom_domain_each() {
    // Found by the terraform_export fuzzer: the second DNS node's custom
    // domain took the first one's label.
    let mut t = template("static-site-api");
    for id in ["dns-a", "dns-b"] {
        t.add_node(Node::new(id, NodeKind::Dns)).unwrap();
        t.add_edge(EdgeRecord::new(id, "api-gw", Edge::call()))
            .unwrap();
    }
    let export = export_of(&t);
    let blocks = blocks(&export, "us-east-1.tf");
    let first = find(
        &blocks,
        "resource",
        "aws_apigatewayv2_domain_name",
        "api_gw_us_east_1",
    );
    let second = find(
        &blocks,
        "resource",
        "aws_apigatewayv2_domain_name",
        "api_gw_us_east_1_dns_b",
    );
    assert_ne!(
        text(attr(first, "domain_name")),
        text(attr(second, "domain_name"))
    );
    // Both map the same API stage.
    let mapping = find(
        &blocks,
        "resource",
        "aws_apigatewayv2_api_mapping",
        "api_gw_us_east_1_dns_b",
    );
    assert_eq!(
        text(attr(mapping, "stage")),
        "aws_apigatewayv2_stage.api_gw_us_east_1.id"
    );
    assert_eq!(
        text(attr(mapping, "domain_name")),
        "aws_apigatewayv2_domain_name.api_gw_us_east_1_dns_b.id"
    );
}
