"""Helpers for the Terraform end-to-end test against moto (a local AWS API).

    python moto.py setup ENDPOINT REGION DOMAIN      -> {"certificate_arn", "zone_id"}
    python moto.py readback ENDPOINT REGION TOPOLOGY -> what the apply created, as JSON

Reads with boto3, the AWS SDK for Python, exactly as an operator would.
"""

import json
import sys

import boto3


def client(service, endpoint, region):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def setup(endpoint, region, domain):
    acm = client("acm", endpoint, region)
    cert = acm.request_certificate(DomainName=domain)["CertificateArn"]
    r53 = client("route53", endpoint, region)
    parent = domain.split(".", 1)[1]
    zone = r53.create_hosted_zone(Name=parent, CallerReference=domain)["HostedZone"]["Id"]
    return {"certificate_arn": cert, "zone_id": zone.split("/")[-1]}


def tag(tags, key):
    return next((t["Value"] for t in tags or [] if t["Key"] == key), None)


def readback(endpoint, region, topology):
    ec2 = client("ec2", endpoint, region)
    asg = client("autoscaling", endpoint, region)
    mine = [{"Name": "tag:topoplan:topology", "Values": [topology]}]
    vpcs = [
        {"id": v["VpcId"], "cidr": v["CidrBlock"]}
        for v in ec2.describe_vpcs(Filters=mine)["Vpcs"]
    ]
    subnets = sorted(
        (
            {
                "id": s["SubnetId"],
                "vpc": s["VpcId"],
                "az": s["AvailabilityZone"],
                "cidr": s["CidrBlock"],
                "tier": tag(s.get("Tags"), "topoplan:tier"),
            }
            for s in ec2.describe_subnets(Filters=mine)["Subnets"]
        ),
        key=lambda s: (s["tier"] or "", s["az"]),
    )
    templates = []
    for lt in ec2.describe_launch_templates(Filters=mine)["LaunchTemplates"]:
        version = ec2.describe_launch_template_versions(
            LaunchTemplateId=lt["LaunchTemplateId"], Versions=["$Latest"]
        )["LaunchTemplateVersions"][0]
        data = version["LaunchTemplateData"]
        ebs = (data.get("BlockDeviceMappings") or [{}])[0].get("Ebs", {})
        templates.append(
            {
                "name": lt["LaunchTemplateName"],
                "node": tag(lt.get("Tags"), "topoplan:node"),
                "instance_type": data.get("InstanceType"),
                "http_tokens": (data.get("MetadataOptions") or {}).get("HttpTokens"),
                "ebs_encrypted": ebs.get("Encrypted"),
                "ebs_gb": ebs.get("VolumeSize"),
                "description": version.get("VersionDescription"),
            }
        )
    groups = []
    for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]:
        if tag(g.get("Tags"), "topoplan:topology") != topology:
            continue
        groups.append(
            {
                "name": g["AutoScalingGroupName"],
                "node": tag(g.get("Tags"), "topoplan:node"),
                "min": g["MinSize"],
                "desired": g["DesiredCapacity"],
                "max": g["MaxSize"],
                "subnets": sorted(g["VPCZoneIdentifier"].split(",")),
                "launch_template": (g.get("LaunchTemplate") or {}).get("LaunchTemplateName"),
                "health_check": g["HealthCheckType"],
                "target_groups": len(g.get("TargetGroupARNs") or []),
                "instances": len(g.get("Instances") or []),
            }
        )
    names = [g["name"] for g in groups]
    policies = []
    if names:
        for p in asg.describe_policies(AutoScalingGroupName=names[0])["ScalingPolicies"] + [
            p
            for n in names[1:]
            for p in asg.describe_policies(AutoScalingGroupName=n)["ScalingPolicies"]
        ]:
            tt = p.get("TargetTrackingConfiguration") or {}
            policies.append(
                {
                    "group": p["AutoScalingGroupName"],
                    "type": p["PolicyType"],
                    "metric": (tt.get("PredefinedMetricSpecification") or {}).get(
                        "PredefinedMetricType"
                    ),
                    "target": tt.get("TargetValue"),
                    "warmup": p.get("EstimatedInstanceWarmup"),
                }
            )
    return {
        "vpcs": vpcs,
        "subnets": subnets,
        "launch_templates": sorted(templates, key=lambda t: t["name"]),
        "groups": sorted(groups, key=lambda g: g["name"]),
        "policies": sorted(policies, key=lambda p: p["group"]),
    }


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    result = {"setup": setup, "readback": readback}[command](*args)
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
